"""Rules of the observatoire: campaigns and questionnaire answers (registered with
maillage.core.permissions, loaded by ObservatoireConfig.ready())."""

from maillage.core.permissions import dans_perimetre, est_admin, regle
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
