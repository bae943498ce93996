"""The diagnostic of a département "par territoire": its figures summed by the périmètres of one cut (EPT, EPCI, a
Caf's or the Département's groupings), from the département's computed result (per-commune rows), with no
computation per périmètre.

Per périmètre: communes, population and population couverte (of the communes in it), structures located in its
communes, communes without any competent structure, QPV touching one of its communes and those without a
structure (a QPV straddling two périmètres counts in both). Communes outside every périmètre of the cut form the
"hors périmètre" row. With an overlapping cut (CTG, other groupings), a commune counts in each of its périmètres:
the rows then add up to more than the département.
"""

from collections import defaultdict
from dataclasses import dataclass

from maillage.territoires import perimetres
from maillage.territoires.models import Regroupement
from maillage.territoires.perimetres import Decoupage, Perimetre

from . import moteur

# The default cut of the table: the EPT where the Métropole du Grand Paris has them, else the EPCI.
ORDRE_PAR_DEFAUT = (Regroupement.Type.EPT, perimetres.EPCI_CLE)
CHAMPS = ("communes", "population", "population_couverte", "structures", "communes_sans_structure")


@dataclass(frozen=True)
class LigneTerritoire:
    code: str | None  # None for the "hors périmètre" row
    nom: str
    valeur: str | None  # the périmètre's value for a filter link ("ept:200057941")
    communes: int
    population: int
    population_couverte: int
    part_population_couverte: float | None
    structures: int  # located in its communes
    communes_sans_structure: int
    qpv: int
    qpv_sans_structure: int


@dataclass(frozen=True)
class ParTerritoire:
    decoupage: Decoupage
    lignes: list[LigneTerritoire]
    hors_perimetre: LigneTerritoire | None  # None when every commune lies in a périmètre of the cut


def decoupage_par_defaut(disponibles: dict[str, Decoupage]) -> Decoupage | None:
    for cle in ORDRE_PAR_DEFAUT:
        if cle in disponibles:
            return disponibles[cle]
    return None


def par_territoire(code: str, date, resultat: moteur.Resultat, decoupage: Decoupage, *, perimetres_=None):
    """The département's result `resultat` (at `date`) by the périmètres of `decoupage` (one query: the
    communes' périmètres; `perimetres_`: the département's choices if already read)."""
    choix = perimetres_ if perimetres_ is not None else perimetres.perimetres_du_departement(code, date=date)
    tous = [p for d, liste in choix if d.cle == decoupage.cle for p in liste]
    return agreger(resultat, perimetres.affectations(code, decoupage.cle, date=date), decoupage, tous)


def agreger(
    resultat: moteur.Resultat, affectation: dict[str, list[Perimetre]], decoupage: Decoupage, tous
) -> ParTerritoire:
    """Pure: the sums of `resultat`'s communes and QPV per périmètre of `affectation` (commune → périmètres)."""
    valeurs = {
        c.code: {
            "communes": 1,
            "population": c.population,
            "population_couverte": c.population if c.couverte else 0,
            "structures": c.structures_situees,
            "communes_sans_structure": 0 if c.structures else 1,
        }
        for c in resultat.communes
    }
    groupes, hors = perimetres.grouper(valeurs, affectation, tous=tous)
    # A QPV counts once in each périmètre holding one of its communes (of the département).
    qpv: dict[Perimetre | None, set[str]] = defaultdict(set)
    sans: dict[Perimetre | None, set[str]] = defaultdict(set)
    for q in resultat.qpv:
        dans = [commune for commune in q.communes if commune in valeurs]
        cibles = {p for commune in dans for p in affectation.get(commune, [])}
        if any(not affectation.get(commune) for commune in dans):
            cibles.add(None)
        for cible in cibles:
            qpv[cible].add(q.code)
            if not q.servi:
                sans[cible].add(q.code)

    def ligne(perimetre: Perimetre | None, sommes: dict) -> LigneTerritoire:
        population = int(sommes.get("population", 0))
        couverte = int(sommes.get("population_couverte", 0))
        return LigneTerritoire(
            code=perimetre.code if perimetre else None,
            nom=perimetre.nom if perimetre else "Hors périmètre",
            valeur=perimetre.valeur if perimetre else None,
            communes=int(sommes.get("communes", 0)),
            population=population,
            population_couverte=couverte,
            part_population_couverte=round(couverte / population, 4) if population else None,
            structures=int(sommes.get("structures", 0)),
            communes_sans_structure=int(sommes.get("communes_sans_structure", 0)),
            qpv=len(qpv.get(perimetre, ())),
            qpv_sans_structure=len(sans.get(perimetre, ())),
        )

    return ParTerritoire(
        decoupage=decoupage,
        lignes=[ligne(p, sommes) for p, sommes in groupes],
        hors_perimetre=ligne(None, hors) if hors.get("communes") else None,
    )
