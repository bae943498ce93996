"""API of the indicateurs (public aggregates only: no per-structure money)."""

import datetime

from django.core.cache import cache
from ninja import Query, Router, Schema
from ninja.errors import HttpError

from maillage.core.schemas import erreurs
from maillage.territoires.selectors import departement_par_code

from . import selectors

# Cached answers are keyed by the data version: the duration only bounds memory.
DUREE_CACHE = 24 * 60 * 60

router = Router(tags=["Indicateurs"])

ANNEE_MIN, ANNEE_MAX = 2000, 2100


class StructuresOut(Schema):
    total: int
    centres_sociaux: int
    evs: int


class GestionOut(Schema):
    centres_sociaux_associatifs: int
    part_centres_sociaux_associatifs: float | None


class BudgetOut(Schema):
    total: float
    centres_sociaux: float
    evs: float


class FinancementCafOut(Schema):
    total: float
    prestations_service: float
    autres: float


class IndicateursOut(Schema):
    departement: str
    annee: int
    date_reference: datetime.date
    structures: StructuresOut
    gestion: GestionOut
    budget: BudgetOut
    financement_caf: FinancementCafOut


class FiltreAnnee(Schema):
    annee: int


def _euros(valeur) -> float:
    return float(round(valeur, 2))


@router.get(
    "/departements/{code}",
    response={200: IndicateursOut, **erreurs(400, 404, 422)},
    summary="Indicateurs d'un département pour une année",
    description=(
        "Structures actives au 31 décembre de l'année, budgets réalisés de l'année (total des charges), "
        "financement de la Caf (prestations de service et fonds locaux). Montants en euros."
    ),
)
def indicateurs_departement(request, code: str, filtre: Query[FiltreAnnee]):
    annee = filtre.annee
    if not ANNEE_MIN <= annee <= ANNEE_MAX:
        raise HttpError(400, f"Année hors limites : {annee} (attendu entre {ANNEE_MIN} et {ANNEE_MAX}).")
    code = departement_par_code(code).code
    # Aggregates of public figures: computed once per département, year and data version, then cached.
    cle = f"api:indicateurs:{code}:{annee}:{selectors.version_financements()}"
    if (en_cache := cache.get(cle)) is not None:
        return en_cache
    resultat = _indicateurs(code, annee)
    cache.set(cle, resultat, DUREE_CACHE)
    return resultat


def _indicateurs(code: str, annee: int) -> dict:
    c = selectors.consolidation(annee=annee, departement=code)
    part = c.part_cs_associatifs
    return {
        "departement": code,
        "annee": annee,
        "date_reference": c.date_reference,
        "structures": {"total": c.total_structures, "centres_sociaux": c.centres_sociaux, "evs": c.evs},
        "gestion": {
            "centres_sociaux_associatifs": c.cs_associatifs,
            "part_centres_sociaux_associatifs": round(part, 4) if part is not None else None,
        },
        "budget": {
            "total": _euros(c.budget_total),
            "centres_sociaux": _euros(c.budget_cs),
            "evs": _euros(c.budget_evs),
        },
        "financement_caf": {
            "total": _euros(c.financement_caf),
            "prestations_service": _euros(c.prestations_service),
            "autres": _euros(c.fonds_locaux),
        },
    }
