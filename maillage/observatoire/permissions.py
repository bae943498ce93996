"""Rules of the observatoire: campaigns and questionnaire answers (registered with
maillage.core.permissions, loaded by ObservatoireConfig.ready())."""

from maillage.comptes.models import Mandat
from maillage.comptes.permissions import mandat_sur_departement
from maillage.core.permissions import dans_perimetre, est_admin, regle
from maillage.core.roles import Role
from maillage.structures.permissions import est_sa_structure, suit_la_commune

# Whether the campaign opens review to mandated correspondents (its `federation_relit` flag): a partner's access
# depends on it and on a live "correspondant observatoire" mandate in the département.
_RELECTURE_FEDERALE = {
    "campagne relue par les correspondants mandatés": {"federation_relit": True},
    "sinon": {"federation_relit": False},
}


def est_correspondant(user, departement) -> bool:
    """A partner holding a live correspondant observatoire mandate in the département."""
    return user.role == Role.PARTENAIRE and mandat_sur_departement(
        user, Mandat.Nature.CORRESPONDANT_OBSERVATOIRE, departement
    )


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

    The pilote in scope, the conseiller on their communes, and a partner holding a live correspondant
    observatoire mandate in the département, when the campaign opens review to mandated correspondents."""
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
        return reponse.campagne.federation_relit and est_correspondant(user, structure)
    return False


@regle("campagne.suivre", cas=_RELECTURE_FEDERALE)
def _campagne_suivre(user, campagne):
    """Suivre une campagne (tableau de suivi) et relancer les structures.

    Those who may review some of its answers: the pilote, the conseiller (on their communes only, filtered by the
    board), mandated correspondents when the campaign opens review to them."""
    if campagne is None:
        return False
    if est_admin(user):
        return True
    if user.role in {Role.PILOTE, Role.CONSEILLER}:
        return dans_perimetre(user, campagne)
    if user.role == Role.PARTENAIRE:
        return campagne.federation_relit and est_correspondant(user, campagne)
    return False


@regle("reponses.exporter")
def _reponses_exporter(user, departement):
    """Télécharger toutes les réponses individuelles d'une campagne (classeur XLSX, une ligne par structure).

    Every structure's answers at once: the pilote in scope and the mandated correspondents of the département.
    obj: a Campagne, a Departement or a département code."""
    if est_admin(user):
        return True
    if user.role == Role.PILOTE:
        return dans_perimetre(user, departement)
    return est_correspondant(user, departement)


@regle("rapport.commenter")
def _rapport_commenter(user, campagne):
    """Écrire les commentaires du rapport départemental d'une campagne (avant sa publication).

    The pilote in scope and the partners holding a live correspondant observatoire mandate in the département.
    obj: a Campagne."""
    if campagne is None:
        return False
    if est_admin(user):
        return True
    if user.role == Role.PILOTE:
        return dans_perimetre(user, campagne)
    return est_correspondant(user, campagne)


@regle("reference.importer")
def _reference_importer(user, departement):
    """Importer des repères publiés (chiffres de référence SENACS ou autres) pour comparer les résultats.

    National and regional figures (obj None) are shared by every département of the instance: administrators only.
    A département's figures (obj: a département code): also the pilote in scope."""
    if est_admin(user):
        return True
    return departement is not None and user.role == Role.PILOTE and dans_perimetre(user, departement)


@regle("references.gerer")
def _references_gerer(user, obj=None):
    """Ouvrir la page des repères publiés : les consulter et y déposer un fichier.

    Administrators and pilotes; what each may import is then decided line by line by `reference.importer`."""
    return est_admin(user) or user.role == Role.PILOTE
