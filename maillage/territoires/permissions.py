"""Rules of the territorial referential and of a département as a whole (registered with maillage.core.permissions,
loaded by TerritoiresConfig.ready())."""

from maillage.core.permissions import codes_communes, dans_perimetre, est_admin, regle
from maillage.core.roles import Role


@regle("territoire.voir", public=True)
def _territoire_voir(user, obj):
    """Consulter le référentiel territorial (régions, départements, EPCI, communes, QPV).

    The territorial referential is public data."""
    return True


@regle("departement.voir_pilotage")
def _departement_voir_pilotage(user, departement):
    """Tableaux de bord et rapports non publics d'un département.

    Caf staff and partners in scope."""
    if est_admin(user):
        return True
    return user.role in {Role.PILOTE, Role.CONSEILLER, Role.PARTENAIRE} and dans_perimetre(user, departement)


@regle("departement.gerer")
def _departement_gerer(user, departement):
    """Piloter un département : registre, agréments, budgets, campagnes, schéma, événements."""
    return est_admin(user) or (user.role == Role.PILOTE and dans_perimetre(user, departement))


@regle("commune.suivre")
def _commune_suivre(user, commune):
    """Suivre une commune.

    A conseiller follows the communes of their sector; a pilote all those of their départements."""
    if est_admin(user):
        return True
    if user.role == Role.PILOTE:
        return dans_perimetre(user, commune)
    if user.role == Role.CONSEILLER:
        return dans_perimetre(user, commune) and getattr(commune, "code", commune) in codes_communes(user)
    return False
