"""The one place where "may this user do this on that object" is decided.

Views, API routes, exports and files all ask `peut(user, action, obj)` (or `exiger`, which raises PermissionDenied,
or `departements_autorises` to filter a queryset). Each action is a small rule function, registered with `@regle`
in the `permissions.py` of the app whose models it protects (loaded by that app's AppConfig.ready()), never in a
view. The first paragraph of a rule's docstring is its French description in `docs/permissions.md`
(`manage.py permissions`, see `maillage.core.matrice`).

This module imports no domain app: rules import it, not the other way round.
"""

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field

from django.core.exceptions import PermissionDenied

from .roles import Role

__all__ = [
    "Regle",
    "actif",
    "actions",
    "codes_communes",
    "codes_departements",
    "dans_perimetre",
    "departements_autorises",
    "est_admin",
    "exiger",
    "peut",
    "regle",
    "regles",
]

Fonction = Callable[[object, object], bool]


@dataclass(frozen=True)
class Regle:
    action: str
    fonction: Fonction
    description: str
    # Public: asked even for anonymous or inactive users (the rule itself decides, e.g. per object).
    public: bool = False
    # For the matrix only: named variants of the representative object (see maillage.core.matrice).
    cas: Mapping[str, object] = field(default_factory=dict)
    # For the matrix only: the cell's text when only the user's own object is allowed.
    propre: str = ""

    @property
    def module(self) -> str:
        return self.fonction.__module__


_REGLES: dict[str, Regle] = {}


def _description(fonction: Fonction) -> str:
    premier_paragraphe = (fonction.__doc__ or "").strip().split("\n\n")[0]
    return " ".join(premier_paragraphe.split())


def regle(action: str, *, public: bool = False, cas: Mapping[str, object] | None = None, propre: str = ""):
    """Register the decorated function as the rule of `action`; its docstring's first paragraph describes it."""

    def enregistrer(fonction: Fonction) -> Fonction:
        if action in _REGLES:
            raise ValueError(f"Règle déjà définie : {action}")
        description = _description(fonction)
        if not description:
            raise ValueError(f"Règle sans description (docstring) : {action}")
        _REGLES[action] = Regle(action, fonction, description, public=public, cas=dict(cas or {}), propre=propre)
        return fonction

    return enregistrer


def actions() -> list[str]:
    return sorted(_REGLES)


def regles() -> list[Regle]:
    """All rules, in registration order (apps in INSTALLED_APPS order, rules in file order)."""
    return list(_REGLES.values())


def actif(user) -> bool:
    return bool(user and user.is_authenticated and user.is_active)


def est_admin(user) -> bool:
    return actif(user) and (user.is_superuser or user.role == Role.ADMIN)


def codes_departements(user) -> set[str]:
    """Codes of the user's départements, cached on the user object for the request."""
    if not actif(user):
        return set()
    cache = getattr(user, "_codes_departements", None)
    if cache is None:
        cache = set(user.departements.values_list("code", flat=True))
        user._codes_departements = cache
    return cache


def codes_communes(user) -> set[str]:
    if not actif(user):
        return set()
    cache = getattr(user, "_codes_communes", None)
    if cache is None:
        cache = set(user.communes.values_list("code", flat=True))
        user._codes_communes = cache
    return cache


def code_departement_de(obj) -> str | None:
    """Accepts a Departement, anything with a `departement_id`, or a code string."""
    if obj is None:
        return None
    if isinstance(obj, str):
        return obj
    if hasattr(obj, "departement_id"):
        return obj.departement_id
    return getattr(obj, "code", None)


def dans_perimetre(user, obj) -> bool:
    return code_departement_de(obj) in codes_departements(user)


def peut(user, action: str, obj=None) -> bool:
    try:
        r = _REGLES[action]
    except KeyError:
        raise ValueError(f"Action inconnue : {action}") from None
    if not r.public and not actif(user):
        return False
    return bool(r.fonction(user, obj))


def exiger(user, action: str, obj=None) -> None:
    if not peut(user, action, obj):
        raise PermissionDenied("Vous n'avez pas accès à cette ressource.")


def departements_autorises(user, action: str, queryset):
    """Filter a Departement queryset down to those where `action` is allowed."""
    if est_admin(user):
        return queryset
    return queryset.filter(code__in=[c for c in codes_departements(user) if peut(user, action, c)])


# --- Rules of the core app -----------------------------------------------------------------------------------


@regle(
    "travail.voir",
    public=True,
    cas={
        "travail public": {"public": True},
        "réservé à departement.voir_pilotage": {"regle": "departement.voir_pilotage"},
        "sans règle": {},
    },
    propre="s'il l'a demandé",
)
def _travail_voir(user, travail):
    """Suivre un travail en tâche de fond (rapport, export, import) et télécharger son résultat.

    A public job (a public report) is readable by all; one with a `regle` by holders of that rule on its
    département; any other only by its requester."""
    if travail.public or getattr(user, "is_superuser", False):
        return True
    if travail.regle:
        return peut(user, travail.regle, travail.departement_id)
    return bool(travail.demandeur_id) and getattr(user, "pk", None) == travail.demandeur_id
