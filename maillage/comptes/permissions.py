"""The one place where "may this user do this on that object" is decided.

Views, API routes, exports and files all ask `peut(user, action, obj)` (or `exiger`, which raises
PermissionDenied, or `departements_autorises` to filter a queryset). Each action is a small rule
function registered below; later capabilities add theirs here, never in a view.
"""

from collections.abc import Callable

from django.core.exceptions import PermissionDenied

from .models import Role

Regle = Callable[[object, object], bool]
_REGLES: dict[str, Regle] = {}


def regle(action: str):
    def enregistrer(fonction: Regle) -> Regle:
        if action in _REGLES:
            raise ValueError(f"Règle déjà définie : {action}")
        _REGLES[action] = fonction
        return fonction

    return enregistrer


def actions() -> list[str]:
    return sorted(_REGLES)


def _actif(user) -> bool:
    return bool(user and user.is_authenticated and user.is_active)


def est_admin(user) -> bool:
    return _actif(user) and (user.is_superuser or user.role == Role.ADMIN)


def codes_departements(user) -> set[str]:
    """Codes of the user's départements, cached on the user object for the request."""
    if not _actif(user):
        return set()
    cache = getattr(user, "_codes_departements", None)
    if cache is None:
        cache = set(user.departements.values_list("code", flat=True))
        user._codes_departements = cache
    return cache


def codes_communes(user) -> set[str]:
    if not _actif(user):
        return set()
    cache = getattr(user, "_codes_communes", None)
    if cache is None:
        cache = set(user.communes.values_list("code", flat=True))
        user._codes_communes = cache
    return cache


def _code_departement(obj) -> str | None:
    """Accepts a Departement, anything with a `departement_id`, or a code string."""
    if obj is None:
        return None
    if isinstance(obj, str):
        return obj
    if hasattr(obj, "departement_id"):
        return obj.departement_id
    return getattr(obj, "code", None)


def dans_perimetre(user, obj) -> bool:
    return _code_departement(obj) in codes_departements(user)


def peut(user, action: str, obj=None) -> bool:
    try:
        fonction = _REGLES[action]
    except KeyError:
        raise ValueError(f"Action inconnue : {action}") from None
    if not _actif(user) and action not in _ACTIONS_PUBLIQUES:
        return False
    return bool(fonction(user, obj))


def exiger(user, action: str, obj=None) -> None:
    if not peut(user, action, obj):
        raise PermissionDenied("Vous n'avez pas accès à cette ressource.")


def departements_autorises(user, action: str, queryset):
    """Filter a Departement queryset down to those where `action` is allowed."""
    if est_admin(user):
        return queryset
    return queryset.filter(code__in=[c for c in codes_departements(user) if peut(user, action, c)])


# --- Rules ------------------------------------------------------------------

_ACTIONS_PUBLIQUES = {"territoire.voir"}


@regle("territoire.voir")
def _territoire_voir(user, obj):
    # The territorial referential is public data.
    return True


@regle("departement.voir_pilotage")
def _departement_voir_pilotage(user, departement):
    """Non-public dashboards and reports of a département: Caf staff and partners in scope."""
    if est_admin(user):
        return True
    return user.role in {Role.PILOTE, Role.CONSEILLER, Role.PARTENAIRE} and dans_perimetre(user, departement)


@regle("departement.gerer")
def _departement_gerer(user, departement):
    """Steer the département: registry, agréments, budgets, campaigns, schéma, events."""
    return est_admin(user) or (user.role == Role.PILOTE and dans_perimetre(user, departement))


@regle("commune.suivre")
def _commune_suivre(user, commune):
    """A conseiller follows the communes of their sector; a pilote all those of their départements."""
    if est_admin(user):
        return True
    if user.role == Role.PILOTE:
        return dans_perimetre(user, commune)
    if user.role == Role.CONSEILLER:
        return dans_perimetre(user, commune) and getattr(commune, "code", commune) in codes_communes(user)
    return False


@regle("comptes.gerer")
def _comptes_gerer(user, departement):
    """Invite and manage the accounts of a département."""
    return est_admin(user) or (user.role == Role.PILOTE and dans_perimetre(user, departement))


# Roles a pilote may give; pilote and admin accounts are created by an administrator.
ROLES_DELEGUES = {Role.CONSEILLER, Role.PARTENAIRE, Role.STRUCTURE}


@regle("compte.modifier")
def _compte_modifier(user, cible):
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


@regle("compte.attribuer_role")
def _compte_attribuer_role(user, role):
    """Roles given from the accounts pages; admin accounts are made in the Django admin only."""
    if est_admin(user):
        return role in ROLES_DELEGUES | {Role.PILOTE}
    return user.role == Role.PILOTE and role in ROLES_DELEGUES


@regle("chargement.voir")
def _chargement_voir(user, obj):
    """The journal of data loads and imports."""
    return est_admin(user) or user.role == Role.PILOTE


@regle("audit.voir")
def _audit_voir(user, departement):
    """The audit trail of a département's business data."""
    return est_admin(user) or (user.role == Role.PILOTE and dans_perimetre(user, departement))


# --- Structures, agréments, budgets ---------------------------------------------------------


def _suit_la_commune(user, structure) -> bool:
    """A conseiller's sector: the structure's commune is one of theirs, in their départements."""
    return dans_perimetre(user, structure) and structure.commune_id in codes_communes(user)


def _est_sa_structure(user, structure) -> bool:
    return user.role == Role.STRUCTURE and user.structure_id is not None and user.structure_id == structure.pk


@regle("structure.creer")
def _structure_creer(user, departement):
    """Create structures (and import them) in a département."""
    return est_admin(user) or (user.role == Role.PILOTE and dans_perimetre(user, departement))


@regle("structure.modifier")
def _structure_modifier(user, structure):
    """Edit a structure's profile (identity, address, zone, flags, contacts, projets sociaux)."""
    if est_admin(user):
        return True
    if user.role == Role.PILOTE:
        return dans_perimetre(user, structure)
    if user.role == Role.CONSEILLER:
        return _suit_la_commune(user, structure)
    return _est_sa_structure(user, structure)


@regle("structure.gerer")
def _structure_gerer(user, structure):
    """Decide on a structure: agréments, budgets, closing, deletion."""
    return est_admin(user) or (user.role == Role.PILOTE and dans_perimetre(user, structure))


@regle("structure.voir_prive")
def _structure_voir_prive(user, structure):
    """Non-public data of one structure: per-structure money, agrément assessments, documents, contacts."""
    if est_admin(user):
        return True
    if user.role in {Role.PILOTE, Role.PARTENAIRE}:
        return dans_perimetre(user, structure)
    if user.role == Role.CONSEILLER:
        return _suit_la_commune(user, structure)
    return _est_sa_structure(user, structure)


@regle("departement.voir_finances")
def _departement_voir_finances(user, departement):
    """Per-structure money in a département's dashboard and exports (aggregates are public)."""
    if est_admin(user):
        return True
    return user.role in {Role.PILOTE, Role.PARTENAIRE} and dans_perimetre(user, departement)


# --- Financements: barème des prestations de service (added with the budgets, issue 3) --------


@regle("bareme.voir")
def _bareme_voir(user, obj):
    """The PS barème by year (rates and prix plafond from the Cnaf's barème, sent to partners, not public):
    Caf staff and partners; editing stays in the Django admin, for administrators."""
    return est_admin(user) or user.role in {Role.PILOTE, Role.CONSEILLER, Role.PARTENAIRE}


# --- Diagnostic territorial -------------------------------------------------------------------------


@regle("diagnostic.voir_indicateurs_caf")
def _diagnostic_voir_indicateurs_caf(user, departement):
    """Imported Caf indicators by commune (allocataires, bas revenus): Caf staff and partners in scope."""
    if est_admin(user):
        return True
    return user.role in {Role.PILOTE, Role.CONSEILLER, Role.PARTENAIRE} and dans_perimetre(user, departement)


@regle("diagnostic.simuler")
def _diagnostic_simuler(user, departement):
    """Run, save and share simulation scenarios; change the diagnostic's parameters."""
    return est_admin(user) or (user.role == Role.PILOTE and dans_perimetre(user, departement))


@regle("scenario.voir")
def _scenario_voir(user, scenario):
    """A saved scenario: the pilotes of its département, and its partners once it is shared."""
    if est_admin(user):
        return True
    if not dans_perimetre(user, scenario.departement_id):
        return False
    if user.role == Role.PILOTE:
        return True
    return scenario.partage and user.role in {Role.PARTENAIRE, Role.CONSEILLER}


# --- Observatoire: campaigns and questionnaire answers (issue 5) -------------------------------------------


@regle("campagne.gerer")
def _campagne_gerer(user, campagne):
    """Create and steer a département's campaigns (obj: a Campagne, a Departement or a département code)."""
    return est_admin(user) or (user.role == Role.PILOTE and dans_perimetre(user, campagne))


def _structure_de(reponse):
    return reponse.structure


@regle("reponse.voir")
def _reponse_voir(user, reponse):
    """An individual answer: its structure, and those who may review it."""
    if reponse is None:
        return False
    return _est_sa_structure(user, _structure_de(reponse)) or _reponse_relire(user, reponse)


@regle("reponse.modifier")
def _reponse_modifier(user, reponse):
    """Fill in an answer: the structure's own account, while it is a draft or sent back and not locked."""
    if reponse is None or reponse.verrouillee or reponse.statut not in {"brouillon", "a_corriger"}:
        return False
    return _est_sa_structure(user, _structure_de(reponse))


@regle("reponse.relire")
def _reponse_relire(user, reponse):
    """Review (comment, send back, validate, reopen): the pilote in scope, the conseiller on their communes, and the
    partners of the département (the federation) only when the campaign lets them review."""
    if reponse is None:
        return False
    if est_admin(user):
        return True
    structure = _structure_de(reponse)
    if user.role == Role.PILOTE:
        return dans_perimetre(user, structure)
    if user.role == Role.CONSEILLER:
        return _suit_la_commune(user, structure)
    if user.role == Role.PARTENAIRE:
        return reponse.campagne.federation_relit and dans_perimetre(user, structure)
    return False


# --- Observatoire: follow-up board of a campaign (issue 5, helper "relecture") -----------------------------


@regle("campagne.suivre")
def _campagne_suivre(user, campagne):
    """See a campaign's follow-up board and send reminders: those who may review some of its answers (the pilote,
    the conseiller — on their communes only, filtered by the board —, partners when the campaign lets them review)."""
    if campagne is None:
        return False
    if est_admin(user):
        return True
    if user.role in {Role.PILOTE, Role.CONSEILLER}:
        return dans_perimetre(user, campagne)
    if user.role == Role.PARTENAIRE:
        return campagne.federation_relit and dans_perimetre(user, campagne)
    return False


# --- Observatoire: fiches expérience (issue 5, helper "démo") -----------------------------------------------


def _structure_de_fiche(obj):
    """A FicheExperience → its structure; a Structure (to create a fiche for it) → itself."""
    return getattr(obj, "structure", obj)


@regle("fiche.voir")
def _fiche_voir(user, fiche):
    """Published to the public: everyone; to the network: logged-in users of the département; otherwise its
    structure's account and those who may edit or publish it."""
    if fiche is None:
        return False
    if fiche.statut == "publiee_public":
        return True
    if fiche.statut == "publiee_reseau" and _actif(user) and dans_perimetre(user, fiche.structure):
        return True
    return _fiche_modifier(user, fiche)


@regle("fiche.modifier")
def _fiche_modifier(user, fiche):
    """Write or edit a fiche (obj: a fiche, or the structure for a new one): its structure's account (until the
    fiche is published) or a pilote in scope."""
    if fiche is None or not _actif(user):
        return False
    if est_admin(user):
        return True
    structure = _structure_de_fiche(fiche)
    if user.role == Role.PILOTE:
        return dans_perimetre(user, structure)
    publiee = getattr(fiche, "statut", "") in {"publiee_reseau", "publiee_public"}
    return _est_sa_structure(user, structure) and not publiee


@regle("fiche.publier")
def _fiche_publier(user, fiche):
    """Publish a fiche to the network or the public, or withdraw it: a pilote in scope."""
    if fiche is None or not _actif(user):
        return False
    return est_admin(user) or (user.role == Role.PILOTE and dans_perimetre(user, _structure_de_fiche(fiche)))


# Fiches published to the public are readable without an account (the rule itself decides, per fiche).
_ACTIONS_PUBLIQUES.add("fiche.voir")
