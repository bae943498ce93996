"""Rules of accounts, the load journal and the audit trail (registered with maillage.core.permissions, loaded by
ComptesConfig.ready())."""

from maillage.core.permissions import codes_departements, dans_perimetre, est_admin, regle
from maillage.core.roles import Role

# Roles a pilote may give; pilote and admin accounts are created by an administrator.
ROLES_DELEGUES = {Role.CONSEILLER, Role.PARTENAIRE, Role.STRUCTURE}


@regle("comptes.gerer")
def _comptes_gerer(user, departement):
    """Inviter et gérer les comptes d'un département."""
    return est_admin(user) or (user.role == Role.PILOTE and dans_perimetre(user, departement))


@regle(
    "compte.modifier",
    cas={
        "compte conseiller, partenaire ou structure": [{"role": r} for r in sorted(ROLES_DELEGUES)],
        "compte pilote": {"role": Role.PILOTE},
        "compte administrateur": {"role": Role.ADMIN, "is_superuser": True},
    },
)
def _compte_modifier(user, cible):
    """Modifier un compte existant (rôle, périmètre, activation)."""
    if cible is None:
        return False
    if est_admin(user):
        # Admin accounts are managed in the Django admin only, where is_superuser is visible.
        return not (cible.is_superuser or cible.role == Role.ADMIN)
    if user.role != Role.PILOTE or cible.pk == user.pk:
        return False
    if cible.role not in ROLES_DELEGUES or cible.is_superuser or cible.is_staff:
        return False
    # .all() rather than values_list(): lists prefetch the départements, one query for all rows.
    cible_deps = {d.code for d in cible.departements.all()}
    return bool(cible_deps) and cible_deps <= codes_departements(user)


@regle(
    "compte.attribuer_role",
    cas={
        "rôle conseiller, partenaire ou structure": [Role.CONSEILLER, Role.PARTENAIRE, Role.STRUCTURE],
        "rôle pilote": Role.PILOTE,
        "rôle administrateur": Role.ADMIN,
    },
)
def _compte_attribuer_role(user, role):
    """Donner un rôle depuis les pages des comptes.

    Admin accounts are made in the Django admin only."""
    if est_admin(user):
        return role in ROLES_DELEGUES | {Role.PILOTE}
    return user.role == Role.PILOTE and role in ROLES_DELEGUES


@regle("chargement.voir")
def _chargement_voir(user, obj):
    """Consulter le journal des chargements et imports de données."""
    return est_admin(user) or user.role == Role.PILOTE


@regle("audit.voir")
def _audit_voir(user, departement):
    """Consulter l'historique des modifications des données d'un département."""
    return est_admin(user) or (user.role == Role.PILOTE and dans_perimetre(user, departement))


@regle("donnees_personnelles.gerer")
def _donnees_personnelles_gerer(user, personne):
    """Exporter ou effacer les données personnelles d'une personne (par son adresse e-mail).

    Without a person: reach the page. With one: all of their objects lie in the pilote's départements."""
    if est_admin(user):
        return True
    if user.role != Role.PILOTE:
        return False
    if personne is None:
        return True
    codes = {d.code for d in personne.departements.all()}
    return bool(codes) and codes <= codes_departements(user)
