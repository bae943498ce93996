"""Rules of the registry: structures, agréments, budgets (registered with maillage.core.permissions, loaded by
StructuresConfig.ready()). `suit_la_commune` and `est_sa_structure` are shared with the observatoire's rules."""

from maillage.core.permissions import codes_communes, dans_perimetre, est_admin, regle
from maillage.core.roles import Role


def suit_la_commune(user, structure) -> bool:
    """A conseiller's sector: the structure's commune is one of theirs, in their départements."""
    return dans_perimetre(user, structure) and structure.commune_id in codes_communes(user)


def est_sa_structure(user, structure) -> bool:
    return user.role == Role.STRUCTURE and user.structure_id is not None and user.structure_id == structure.pk


@regle("structure.creer")
def _structure_creer(user, departement):
    """Créer (et importer) des structures dans un département."""
    return est_admin(user) or (user.role == Role.PILOTE and dans_perimetre(user, departement))


@regle("structure.modifier")
def _structure_modifier(user, structure):
    """Modifier la fiche d'une structure : identité, adresse, zone, indicateurs, contacts, projets sociaux."""
    if est_admin(user):
        return True
    if user.role == Role.PILOTE:
        return dans_perimetre(user, structure)
    if user.role == Role.CONSEILLER:
        return suit_la_commune(user, structure)
    return est_sa_structure(user, structure)


@regle("structure.gerer")
def _structure_gerer(user, structure):
    """Décider pour une structure : agréments, budgets, fermeture, suppression."""
    return est_admin(user) or (user.role == Role.PILOTE and dans_perimetre(user, structure))


@regle("structure.voir_prive")
def _structure_voir_prive(user, structure):
    """Données non publiques d'une structure : montants, instruction des agréments, documents, contacts."""
    if est_admin(user):
        return True
    if user.role in {Role.PILOTE, Role.PARTENAIRE}:
        return dans_perimetre(user, structure)
    if user.role == Role.CONSEILLER:
        return suit_la_commune(user, structure)
    return est_sa_structure(user, structure)


@regle("departement.voir_finances")
def _departement_voir_finances(user, departement):
    """Montants par structure dans le tableau de bord et les exports d'un département (les agrégats sont publics)."""
    if est_admin(user):
        return True
    return user.role in {Role.PILOTE, Role.PARTENAIRE} and dans_perimetre(user, departement)
