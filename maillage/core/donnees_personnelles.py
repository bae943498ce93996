"""Registry of the personal data the platform holds, for the export and erasure of one person's data (GDPR
articles 15, 17 and 20). See docs/donnees-personnelles.md.

Each app that stores data about people registers a `source` in its `donnees_personnelles.py` (loaded by its
AppConfig): how to find a person's data by e-mail address, in which départements it lies (who may handle it), how
to export it as JSON-ready values and how to erase or anonymise it. The core knows no domain model: a new app
(event registrations…) plugs in here without changing the export or erasure pages.
"""

from collections.abc import Callable
from dataclasses import dataclass

__all__ = ["Source", "departements", "effacer", "exporter", "normaliser", "source", "sources"]

# Replaces an erased value wherever a row must stay (audit entries, anonymised accounts).
EFFACE = "[effacé]"


@dataclass(frozen=True)
class Source:
    cle: str
    libelle: str
    # email -> list of JSON-ready dicts (one per object held about the person).
    exporter: Callable[[str], list[dict]]
    # email -> codes of the départements the person's objects belong to (empty: none held, or not localised).
    departements: Callable[[str], set[str]]
    # email -> a French sentence saying what was deleted or anonymised.
    effacer: Callable[[str], str]


_SOURCES: dict[str, Source] = {}


def source(
    cle: str,
    *,
    libelle: str,
    exporter: Callable[[str], list[dict]],
    departements: Callable[[str], set[str]],
    effacer: Callable[[str], str],
) -> None:
    """Register where an app keeps personal data (called once, from the app's AppConfig.ready())."""
    if cle in _SOURCES:
        raise ValueError(f"Source de données personnelles déjà enregistrée : {cle}")
    _SOURCES[cle] = Source(cle, libelle, exporter, departements, effacer)


def sources() -> list[Source]:
    """In registration order (apps in INSTALLED_APPS order)."""
    return list(_SOURCES.values())


def normaliser(email: str) -> str:
    return (email or "").strip().lower()


def exporter(email: str) -> dict:
    """Everything held about `email`, per source: {cle: {"libelle", "donnees": [...]}}."""
    email = normaliser(email)
    return {s.cle: {"libelle": s.libelle, "donnees": s.exporter(email)} for s in sources()}


def departements(email: str) -> set[str]:
    email = normaliser(email)
    return set().union(*(s.departements(email) for s in sources()))


def effacer(email: str) -> dict[str, str]:
    """Erase or anonymise, per source; the apps above first (their rows may point to the accounts below)."""
    email = normaliser(email)
    return {s.cle: s.effacer(email) for s in reversed(sources())}
