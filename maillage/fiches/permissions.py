"""Access rules of the fiches expérience (registered with the core permission mechanism)."""

from maillage.core.permissions import actif, dans_perimetre, est_admin, regle
from maillage.core.roles import Role
from maillage.structures.permissions import est_sa_structure


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
