"""Key figures of a département's animation de la vie sociale at a date, read from the registry, the budgets and
the coverage diagnostic: what a schéma freezes at its adoption (`Schema.diagnostic_fige`) and what its documents
show beside them today."""

import datetime
from dataclasses import dataclass

from maillage.diagnostic.selectors import diagnostic_departement
from maillage.financements.selectors import annee_par_defaut, consolidation
from maillage.structures.models import ModeGestion, TypeStructure
from maillage.structures.selectors import structures_actives


@dataclass(frozen=True)
class Chiffre:
    code: str
    libelle: str
    unite: str  # "nombre", "euros" or "part" (a share in [0, 1])
    sous_total: bool = False


CHIFFRES = [
    Chiffre("structures", "Structures de l'animation de la vie sociale actives", "nombre"),
    Chiffre("centres_sociaux", "dont centres sociaux", "nombre", True),
    Chiffre("evs", "dont espaces de vie sociale", "nombre", True),
    Chiffre("part_cs_associatifs", "Part des centres sociaux à gestion associative", "part"),
    Chiffre("budget_total", "Budget cumulé (budgets réalisés)", "euros"),
    Chiffre("budget_evs", "dont espaces de vie sociale", "euros", True),
    Chiffre("financement_caf", "Financement de la Caf (prestations de service et fonds locaux)", "euros"),
    Chiffre("part_population_couverte", "Part de la population couverte par une structure", "part"),
    Chiffre("communes_sans_structure", "Communes sans structure", "nombre"),
    Chiffre("qpv_sans_structure", "Quartiers prioritaires (QPV) sans structure", "nombre"),
]
PAR_CODE = {c.code: c for c in CHIFFRES}


def chiffres_cles(departement: str, date: datetime.date, *, annee_budgets: int | None = None) -> dict:
    """{"date", "annee_budgets", "chiffres": {code: number|None}} — structures and coverage at `date`, budgets
    réalisés and Caf funding of `annee_budgets` (default: the latest year with budgets réalisés). JSON-able, so that
    a schéma can freeze it."""
    annee_budgets = annee_budgets or annee_par_defaut(departement)
    actives = structures_actives(date, departement=departement)
    par_type = dict.fromkeys(TypeStructure.values, 0)
    associatifs = 0
    for type_, mode in actives.order_by().values_list("type", "gestionnaire__mode_gestion"):
        par_type[type_] += 1
        associatifs += type_ == TypeStructure.CENTRE_SOCIAL and mode == ModeGestion.ASSOCIATIVE
    cs = par_type[TypeStructure.CENTRE_SOCIAL]
    finances = consolidation(annee=annee_budgets, departement=departement)
    synthese = diagnostic_departement(departement, date).synthese
    return {
        "date": date.isoformat(),
        "annee_budgets": annee_budgets,
        "chiffres": {
            "structures": sum(par_type.values()),
            "centres_sociaux": cs,
            "evs": par_type[TypeStructure.EVS],
            "part_cs_associatifs": round(associatifs / cs, 4) if cs else None,
            "budget_total": float(finances.budget_total),
            "budget_evs": float(finances.budget_evs),
            "financement_caf": float(finances.financement_caf),
            "part_population_couverte": (
                round(synthese.part_population_couverte, 4) if synthese.part_population_couverte is not None else None
            ),
            "communes_sans_structure": synthese.communes_sans_structure,
            "qpv_sans_structure": synthese.qpv_sans_structure,
        },
    }
