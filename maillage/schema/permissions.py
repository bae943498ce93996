"""Access rules of the schéma directeur (registered with maillage.core.permissions, loaded by SchemaConfig.ready()).

The pilote edits everything in scope; a partner organisation keeps current the fiches actions it pilots (and the
decisions it owns); the accounts named referents of a fiche (a conseiller, a partner) keep it current too; every
account of the département reads the schéma; the public reads adopted schémas, without internal comments or
personal data."""

from maillage.core.permissions import actif, dans_perimetre, est_admin, peut, regle
from maillage.core.roles import Role

_STATUTS = {
    "adopté ou suivant": [{"statut": "adopte"}, {"statut": "en_cours"}, {"statut": "evalue"}, {"statut": "clos"}],
    "en élaboration": {"statut": "en_elaboration"},
}
_PROPRE = "si son organisation la pilote ou s'il en est référent"
# Those who carry the schéma and follow it from the inside.
_PORTEURS = {Role.PILOTE, Role.CONSEILLER, Role.PARTENAIRE}


def _schema_de(obj):
    """A schéma's parts (fiche, indicator, meeting, decision…) → the schéma; a schéma or a département → itself."""
    for chemin in ("schema", "fiche", "reunion", "instance"):
        parent = getattr(obj, chemin, None)
        if parent is not None and not isinstance(parent, str | int):
            return _schema_de(parent)
    return obj


def _est_pilote_du_departement(user, obj) -> bool:
    return est_admin(user) or (actif(user) and user.role == Role.PILOTE and dans_perimetre(user, obj))


@regle("schema.voir", public=True, cas=_STATUTS)
def _schema_voir(user, schema):
    """Lire un schéma directeur : ses enjeux, axes, fiches actions, indicateurs et leur avancement.

    An adopted schéma (or later) is public, without internal comments or personal data; one being drafted is
    read by the accounts of its département."""
    if schema is None:
        return False
    if getattr(_schema_de(schema), "statut", "") in {"adopte", "en_cours", "evalue", "clos"}:
        return True
    return actif(user) and (est_admin(user) or dans_perimetre(user, _schema_de(schema)))


@regle("schema.voir_interne")
def _schema_voir_interne(user, schema):
    """Lire le suivi interne d'un schéma : commentaires des fiches actions, gouvernance (réunions, présents,
    décisions), référents, export de suivi.

    The Caf and the partners who carry the schéma, in scope; a structure account reads the schéma as published
    (its follow-up names people: the minimum, as data protection asks)."""
    if not actif(user):
        return False
    if est_admin(user):
        return True
    return user.role in _PORTEURS and dans_perimetre(user, _schema_de(schema))


@regle("schema.gerer")
def _schema_gerer(user, schema):
    """Créer et modifier un schéma directeur : statut, signataires, documents, enjeux, axes, orientations, fiches
    actions, indicateurs, instances, réunions et décisions ; importer les mises à jour en masse."""
    return _est_pilote_du_departement(user, _schema_de(schema))


def _en_est_referent(user, fiche) -> bool:
    ids = getattr(fiche, "referent_ids", None)
    if ids is not None:  # prefetched (lists) or synthetic (the matrix)
        return user.pk in ids
    referents = getattr(fiche, "referents", None)
    return referents is not None and referents.filter(pk=user.pk).exists()


@regle("fiche_action.mettre_a_jour", propre=_PROPRE)
def _fiche_action_mettre_a_jour(user, fiche):
    """Tenir à jour une fiche action : statut, avancement, jalons, commentaires.

    The pilote in scope; the partner accounts of the organisation that pilots it; the accounts named its
    referents (a conseiller, a partner)."""
    if fiche is None or not actif(user):
        return False
    if _est_pilote_du_departement(user, _schema_de(fiche)):
        return True
    if not dans_perimetre(user, _schema_de(fiche)):
        return False
    pilote = getattr(fiche, "pilote_id", None)
    if user.role == Role.PARTENAIRE and pilote is not None and pilote == getattr(user, "organisation_id", None):
        return True
    return user.role in {Role.PARTENAIRE, Role.CONSEILLER} and _en_est_referent(user, fiche)


@regle("indicateur.saisir", propre=_PROPRE)
def _indicateur_saisir(user, indicateur):
    """Saisir une valeur d'un indicateur saisi à la main (date, valeur, commentaire).

    The pilote; for an indicator of a fiche action, those who keep that fiche current."""
    if indicateur is None or not actif(user):
        return False
    fiche = getattr(indicateur, "fiche", None)
    if fiche is not None and peut(user, "fiche_action.mettre_a_jour", fiche):
        return True
    return _est_pilote_du_departement(user, _schema_de(indicateur))


@regle("decision.mettre_a_jour", propre="si son organisation en est responsable")
def _decision_mettre_a_jour(user, decision):
    """Faire avancer une décision de comité : statut.

    The pilote; the partner accounts of the organisation responsible for it."""
    if decision is None or not actif(user):
        return False
    if _est_pilote_du_departement(user, _schema_de(decision)):
        return True
    responsable = getattr(decision, "responsable_id", None)
    return (
        user.role == Role.PARTENAIRE
        and dans_perimetre(user, _schema_de(decision))
        and responsable is not None
        and responsable == getattr(user, "organisation_id", None)
    )
