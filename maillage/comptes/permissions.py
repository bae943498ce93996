"""Rules of accounts, organisations and mandates, the load journal and the audit trail (registered with
maillage.core.permissions, loaded by ComptesConfig.ready()).

Also the partners' mandates as the other apps' rules read them (`mandat_sur_structure`, `mandat_sur_departement`):
a partner account holds a mandate when its organisation (or the account itself) was granted one that is live today.
"""

from dataclasses import dataclass

from django.db.models import Q

from maillage.core import horloge
from maillage.core.permissions import actif, code_departement_de, codes_departements, dans_perimetre, est_admin, regle
from maillage.core.roles import Role

from .models import Mandat, Organisation

# Types whose territory is a set of communes: without communes or EPCI, their territory is empty.
TYPES_LOCAUX = {
    Organisation.Type.COMMUNE,
    Organisation.Type.EPCI,
    Organisation.Type.CCAS,
    Organisation.Type.ASSOCIATION,
    Organisation.Type.RPE,
    Organisation.Type.AUTRE,
}
# Review of answers is reserved by the SENACS charter to Caf and federation correspondents.
TYPES_CORRESPONDANTS = {Organisation.Type.CAF, Organisation.Type.FEDERATION}


@dataclass(frozen=True)
class MandatActif:
    """A live mandate as the rules read it; `communes` None means the whole département."""

    nature: str
    departement: str
    communes: frozenset[str] | None


def territoire(organisation) -> frozenset[str] | None:
    """Commune codes of the organisation's territory: its communes and those of its EPCI; None (the whole
    département) for a départemental organisation (Caf, Préfecture, DDETS, Conseil départemental, fédération)
    given no commune."""
    codes = set(organisation.communes.values_list("code", flat=True))
    if organisation.epci_id:
        codes |= set(organisation.epci.communes.values_list("code", flat=True))
    if not codes and organisation.type not in TYPES_LOCAUX:
        return None
    return frozenset(codes)


def mandats_en_vigueur(user) -> tuple[MandatActif, ...]:
    """The partner's live mandates, cached on the user object for the request."""
    if not actif(user) or getattr(user, "role", None) != Role.PARTENAIRE:
        return ()
    cache = getattr(user, "_mandats", None)
    if cache is not None:
        return cache
    if not getattr(user, "organisation_id", None):
        user._mandats = ()
        return ()
    jour = horloge.aujourdhui()
    mandats = (
        Mandat.objects.filter(
            organisation_id=user.organisation_id,
            organisation__actif=True,
            revoque_le__isnull=True,
            debut__lte=jour,
        )
        .filter(Q(fin__isnull=True) | Q(fin__gte=jour))
        .filter(Q(utilisateur__isnull=True) | Q(utilisateur_id=user.pk))
        .select_related("organisation__epci")
    )
    territoires: dict[int, frozenset[str] | None] = {}
    resultat = []
    for m in mandats:
        if m.organisation_id not in territoires:
            territoires[m.organisation_id] = territoire(m.organisation)
        resultat.append(MandatActif(m.nature, m.departement_id, territoires[m.organisation_id]))
    user._mandats = tuple(resultat)
    return user._mandats


def mandat_sur_structure(user, nature: str, structure) -> bool:
    """A live mandate of `nature` whose département and territory hold the structure."""
    return any(
        m.nature == nature
        and m.departement == structure.departement_id
        and (m.communes is None or structure.commune_id in m.communes)
        for m in mandats_en_vigueur(user)
    )


def mandat_sur_departement(user, nature: str, departement, *, entier: bool = False) -> bool:
    """A live mandate of `nature` in the département (over all of it when `entier`)."""
    code = code_departement_de(departement)
    return any(
        m.nature == nature and m.departement == code and (not entier or m.communes is None)
        for m in mandats_en_vigueur(user)
    )


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


@regle("organisation.gerer")
def _organisation_gerer(user, departement):
    """Créer et modifier les organisations partenaires d'un département, accorder et révoquer leurs mandats.

    obj: an Organisation, a Mandat, a Departement or a département code."""
    return est_admin(user) or (user.role == Role.PILOTE and dans_perimetre(user, departement))


@regle(
    "chargement.voir",
    cas={
        "chargement d'un département": {},
        "chargement national (sans département)": {"departements_concernes": frozenset()},
    },
)
def _chargement_voir(user, chargement):
    """Consulter le journal des chargements et imports de données.

    Without an object: may open the journal (filtered row by row). A row naming départements (structures,
    campaign, indicators, territories of some départements) is seen by the pilotes of all of them; a row without
    département (the national referential: QPV, territories of all France) concerns public data and is seen by
    every pilote."""
    if est_admin(user):
        return True
    if user.role != Role.PILOTE:
        return False
    if chargement is None:
        return True
    concernes = chargement.departements_concernes
    return not concernes or concernes <= codes_departements(user)


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
