"""Rules of the observatoire: campaigns, questionnaire answers and fiches expérience (registered with
maillage.core.permissions, loaded by ObservatoireConfig.ready())."""

from maillage.core.permissions import actif, dans_perimetre, est_admin, regle
from maillage.core.roles import Role
from maillage.structures.permissions import est_sa_structure, suit_la_commune

# Whether the département's federation reviews the answers: the partners' access depends on it.
_RELECTURE_FEDERALE = {
    "campagne relue par la fédération": {"federation_relit": True},
    "sinon": {"federation_relit": False},
}


@regle("campagne.gerer")
def _campagne_gerer(user, campagne):
    """Créer et piloter les campagnes de l'observatoire d'un département.

    obj: a Campagne, a Departement or a département code."""
    return est_admin(user) or (user.role == Role.PILOTE and dans_perimetre(user, campagne))


def _structure_de(reponse):
    return reponse.structure


@regle("reponse.voir", cas=_RELECTURE_FEDERALE)
def _reponse_voir(user, reponse):
    """Consulter une réponse individuelle au questionnaire.

    Its structure, and those who may review it."""
    if reponse is None:
        return False
    return est_sa_structure(user, _structure_de(reponse)) or _reponse_relire(user, reponse)


@regle(
    "reponse.modifier",
    cas={
        "brouillon ou à corriger": [{"statut": "brouillon"}, {"statut": "a_corriger"}],
        "soumise ou validée": [{"statut": "soumise"}, {"statut": "validee"}],
        "verrouillée": {"verrouillee": True},
    },
)
def _reponse_modifier(user, reponse):
    """Remplir une réponse au questionnaire.

    The structure's own account, while it is a draft or sent back and not locked."""
    if reponse is None or reponse.verrouillee or reponse.statut not in {"brouillon", "a_corriger"}:
        return False
    return est_sa_structure(user, _structure_de(reponse))


@regle("reponse.relire", cas=_RELECTURE_FEDERALE)
def _reponse_relire(user, reponse):
    """Relire une réponse : commenter, renvoyer pour correction, valider, rouvrir.

    The pilote in scope, the conseiller on their communes, and the partners of the département (the federation)
    only when the campaign lets them review."""
    if reponse is None:
        return False
    if est_admin(user):
        return True
    structure = _structure_de(reponse)
    if user.role == Role.PILOTE:
        return dans_perimetre(user, structure)
    if user.role == Role.CONSEILLER:
        return suit_la_commune(user, structure)
    if user.role == Role.PARTENAIRE:
        return reponse.campagne.federation_relit and dans_perimetre(user, structure)
    return False


@regle("campagne.suivre", cas=_RELECTURE_FEDERALE)
def _campagne_suivre(user, campagne):
    """Suivre une campagne (tableau de suivi) et relancer les structures.

    Those who may review some of its answers: the pilote, the conseiller (on their communes only, filtered by the
    board), partners when the campaign lets them review."""
    if campagne is None:
        return False
    if est_admin(user):
        return True
    if user.role in {Role.PILOTE, Role.CONSEILLER}:
        return dans_perimetre(user, campagne)
    if user.role == Role.PARTENAIRE:
        return campagne.federation_relit and dans_perimetre(user, campagne)
    return False


# ----------------------------------------------------------------------------------------------------
# Fiches expérience
# (a section of its own: these rules move with the fiches into their own app)


def _structure_de_fiche(obj):
    """A FicheExperience → its structure; a Structure (to create a fiche for it) → itself."""
    return getattr(obj, "structure", obj)


_STATUTS_DE_FICHE = {
    "publiée au public": {"statut": "publiee_public"},
    "publiée au réseau": {"statut": "publiee_reseau"},
    "brouillon ou proposée": [{"statut": "brouillon"}, {"statut": "proposee"}],
}


# Fiches published to the public are readable without an account (the rule itself decides, per fiche).
@regle("fiche.voir", public=True, cas=_STATUTS_DE_FICHE)
def _fiche_voir(user, fiche):
    """Lire une fiche expérience.

    Published to the public: everyone; to the network: logged-in users of the département; otherwise its
    structure's account and those who may edit or publish it."""
    if fiche is None:
        return False
    if fiche.statut == "publiee_public":
        return True
    if fiche.statut == "publiee_reseau" and actif(user) and dans_perimetre(user, fiche.structure):
        return True
    return _fiche_modifier(user, fiche)


@regle("fiche.modifier", cas=_STATUTS_DE_FICHE)
def _fiche_modifier(user, fiche):
    """Rédiger ou modifier une fiche expérience.

    obj: a fiche, or the structure for a new one. Its structure's account (until the fiche is published) or a
    pilote in scope."""
    if fiche is None or not actif(user):
        return False
    if est_admin(user):
        return True
    structure = _structure_de_fiche(fiche)
    if user.role == Role.PILOTE:
        return dans_perimetre(user, structure)
    publiee = getattr(fiche, "statut", "") in {"publiee_reseau", "publiee_public"}
    return est_sa_structure(user, structure) and not publiee


@regle("fiche.publier")
def _fiche_publier(user, fiche):
    """Publier une fiche expérience au réseau ou au public, ou la retirer."""
    if fiche is None or not actif(user):
        return False
    return est_admin(user) or (user.role == Role.PILOTE and dans_perimetre(user, _structure_de_fiche(fiche)))
