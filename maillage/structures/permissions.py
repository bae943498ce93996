"""Rules of the registry: structures, agréments, budgets (registered with maillage.core.permissions, loaded by
StructuresConfig.ready()). `suit_la_commune` and `est_sa_structure` are shared with the observatoire's rules."""

from maillage.comptes.models import Mandat
from maillage.comptes.permissions import mandat_sur_departement, mandat_sur_structure
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


def _caf_ou_sa_structure(user, structure) -> bool:
    """Caf roles in scope (pilote; conseiller on their communes) and the structure's own account."""
    if est_admin(user):
        return True
    if user.role == Role.PILOTE:
        return dans_perimetre(user, structure)
    if user.role == Role.CONSEILLER:
        return suit_la_commune(user, structure)
    return est_sa_structure(user, structure)


@regle("structure.voir_prive")
def _structure_voir_prive(user, structure):
    """Données non publiques d'une structure : instruction des agréments, projets sociaux et leurs documents.

    Caf staff and the structure itself; partners see the public record (and budgets under a co-financeur
    mandate)."""
    return _caf_ou_sa_structure(user, structure)


@regle("structure.voir_contacts")
def _structure_voir_contacts(user, structure):
    """Contacts nominatifs d'une structure qui ne sont pas publiés sur sa fiche publique.

    Personal data: Caf staff and the structure itself, nobody else; a contact published with consent is on the
    public record for all."""
    return _caf_ou_sa_structure(user, structure)


@regle("structure.voir_budgets")
def _structure_voir_budgets(user, structure):
    """Budgets et prestations de service d'une structure (prévisionnels et réalisés).

    Caf staff, the structure itself, and a partner whose organisation holds a live co-financeur mandate covering
    the structure (its commune in the organisation's territory; a départemental organisation: all the
    département)."""
    if _caf_ou_sa_structure(user, structure):
        return True
    return user.role == Role.PARTENAIRE and mandat_sur_structure(user, Mandat.Nature.CO_FINANCEUR, structure)


@regle("departement.voir_finances")
def _departement_voir_finances(user, departement):
    """Montants par structure dans le tableau de bord et les exports d'un département (les agrégats sont publics).

    The pilote, and a partner co-financeur whose territory is the whole département (Conseil départemental, Caf,
    services de l'État)."""
    if est_admin(user):
        return True
    if user.role == Role.PILOTE:
        return dans_perimetre(user, departement)
    return user.role == Role.PARTENAIRE and mandat_sur_departement(
        user, Mandat.Nature.CO_FINANCEUR, departement, entier=True
    )
