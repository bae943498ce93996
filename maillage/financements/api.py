"""API of the indicateurs (public aggregates only: no per-structure money)."""

import datetime

from django.core.cache import cache
from ninja import Query, Router, Schema
from ninja.errors import HttpError

from maillage.core.schemas import erreurs
from maillage.territoires import perimetres
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


class IndicateursPerimetreOut(Schema):
    valeur: str
    nom: str
    decoupage: str


class TerritoireOut(Schema):
    perimetre: IndicateursPerimetreOut | None  # None: the communes outside every périmètre of the cut
    centres_sociaux: int
    evs: int
    budgets_realises: int
    # None when the row holds a single budget réalisé (that structure's finances are not public).
    budget: float | None
    financement_caf: float | None
    autres_financeurs: float | None


class IndicateursParTerritoireOut(Schema):
    decoupage: str
    libelle: str
    chevauchant: bool
    territoires: list[TerritoireOut]


class IndicateursOut(Schema):
    departement: str
    annee: int
    date_reference: datetime.date
    perimetre: IndicateursPerimetreOut | None = None
    structures: StructuresOut
    gestion: GestionOut
    budget: BudgetOut | None
    financement_caf: FinancementCafOut | None
    par_territoire: IndicateursParTerritoireOut | None = None


class FiltreAnnee(Schema):
    annee: int
    perimetre: str | None = None
    decoupage: str | None = None


def _euros(valeur) -> float:
    return float(round(valeur, 2))


@router.get(
    "/departements/{code}",
    response={200: IndicateursOut, **erreurs(400, 404, 422)},
    summary="Indicateurs d'un département pour une année",
    description=(
        "Structures actives au 31 décembre de l'année, budgets réalisés de l'année (total des charges), "
        "financement de la Caf (prestations de service et fonds locaux). Montants en euros. "
        "`perimetre` (`epci:<SIREN>`, `ept:<SIREN>`, `territoire_caf:<code>`…) restreint tous les chiffres aux "
        "communes de ce territoire (territoires en vigueur au 1er janvier de l'année suivante) ; "
        "`decoupage` (`epci`, `ept`, `territoire_caf`, `ctg`, "
        "`territoire_departement`, `autre`) ajoute les mêmes chiffres par territoire de ce découpage "
        "(`par_territoire`, dont une ligne sans périmètre pour les communes hors de tous). Un montant qui ne "
        "porterait que sur un budget réalisé (celui d'une structure) est omis (null), et avec lui, quand il est "
        "seul dans son tableau, celui de la ligne qui compte le moins de budgets (le total le révélerait)."
    ),
)
def indicateurs_departement(request, code: str, filtre: Query[FiltreAnnee]):
    annee = filtre.annee
    if not ANNEE_MIN <= annee <= ANNEE_MAX:
        raise HttpError(400, f"Année hors limites : {annee} (attendu entre {ANNEE_MIN} et {ANNEE_MAX}).")
    code = departement_par_code(code).code
    date = selectors.date_decoupage(annee)
    perimetre = None
    if filtre.perimetre:
        perimetre = perimetres.perimetre_lu(code, filtre.perimetre, date=date)
        if perimetre is None:
            raise HttpError(
                422,
                f"Périmètre inconnu dans le département {code} au {date:%d/%m/%Y} : « {filtre.perimetre[:120]} » "
                "(attendu par exemple epci:<SIREN> ou ept:<SIREN>, voir le tableau de bord).",
            )
    decoupage = None
    if filtre.decoupage:
        disponibles = perimetres.decoupages_du_departement(code, date=date)
        decoupage = next((d for d in disponibles if d.cle == filtre.decoupage), None)
        if decoupage is None:
            raise HttpError(
                422,
                f"Découpage inconnu dans le département {code} au {date:%d/%m/%Y} : « {filtre.decoupage[:40]} » "
                f"(possibles : {', '.join(d.cle for d in disponibles) or 'aucun'}).",
            )
    # Aggregates of public figures: computed once per département, year, filter and data version, then cached.
    cle = (
        f"api:indicateurs:{code}:{annee}:{perimetre.valeur if perimetre else ''}:"
        f"{decoupage.cle if decoupage else ''}:{selectors.version_financements()}"
    ).replace(" ", "_")
    if (en_cache := cache.get(cle)) is not None:
        return en_cache
    resultat = _indicateurs(code, annee, perimetre=perimetre, decoupage=decoupage)
    cache.set(cle, resultat, DUREE_CACHE)
    return resultat


def _perimetre(p) -> dict:
    return {"valeur": p.valeur, "nom": p.nom, "decoupage": p.decoupage}


def _territoire(perimetre, v: dict, secret: bool) -> dict:
    return {
        "perimetre": _perimetre(perimetre) if perimetre else None,
        "centres_sociaux": v["centres_sociaux"],
        "evs": v["evs"],
        "budgets_realises": v["budgets"],
        "budget": None if secret else _euros(v["budget"]),
        "financement_caf": None if secret else _euros(v["financement_caf"]),
        "autres_financeurs": None if secret else _euros(v["autres_financeurs"]),
    }


def _indicateurs(code: str, annee: int, *, perimetre=None, decoupage=None) -> dict:
    date = selectors.date_decoupage(annee)
    communes = perimetres.communes_du_perimetre(code, perimetre, date=date) if perimetre else None
    c = selectors.consolidation(annee=annee, departement=code, communes=communes)
    part = c.part_cs_associatifs
    # Money that is one structure's finances is left out (the same rule as the dashboard's public view).
    secret = perimetre is not None and selectors.montants_secrets(c.total_budgets_renseignes)
    resultat = {
        "departement": code,
        "annee": annee,
        "date_reference": c.date_reference,
        "perimetre": _perimetre(perimetre) if perimetre else None,
        "structures": {"total": c.total_structures, "centres_sociaux": c.centres_sociaux, "evs": c.evs},
        "gestion": {
            "centres_sociaux_associatifs": c.cs_associatifs,
            "part_centres_sociaux_associatifs": round(part, 4) if part is not None else None,
        },
        "budget": None
        if secret
        else {"total": _euros(c.budget_total), "centres_sociaux": _euros(c.budget_cs), "evs": _euros(c.budget_evs)},
        "financement_caf": None
        if secret
        else {
            "total": _euros(c.financement_caf),
            "prestations_service": _euros(c.prestations_service),
            "autres": _euros(c.fonds_locaux),
        },
        "par_territoire": None,
    }
    if decoupage is not None:
        tous = next(
            liste for d, liste in perimetres.perimetres_du_departement(code, date=date) if d.cle == decoupage.cle
        )
        tableau = selectors.par_territoire(annee, departement=code, decoupage=decoupage, tous=tous, communes=communes)
        rangees = [(p, v) for p, v in tableau.lignes] + ([(None, tableau.hors)] if tableau.hors else [])
        masques = selectors.lignes_secretes([v["budgets"] for _, v in rangees])
        lignes = [_territoire(p, v, masque) for (p, v), masque in zip(rangees, masques, strict=True)]
        resultat["par_territoire"] = {
            "decoupage": decoupage.cle,
            "libelle": decoupage.libelle,
            "chevauchant": decoupage.chevauchant,
            "territoires": lignes,
        }
    return resultat
