"""Coverage of a territory by AVS structures: pure computation (numpy, scipy, shapely, pyproj; no Django).

Inputs are plain dataclasses built by `maillage.diagnostic.selectors`; the output is plain data too, so the
same engine serves the pages, the API, the simulation and the national benchmark. Definitions and default
parameters are documented in docs/diagnostic.md.

How it is computed (everything vectorised; the only Python loops run over structures or QPV, never over
communes × structures):
- points are projected to metres with the official CRS of their zone (Lambert-93 for metropolitan France and
  Corsica, the local UTM CRS of each overseas département), each zone shifted by a large offset so that one
  KD-tree (scipy cKDTree) answers "nearest structure" for every commune at once, never across an ocean;
- competence (located in the commune or listed in the zone de compétence) is a set of (structure, commune) pairs
  counted with np.bincount;
- QPV outlines, when known, are projected the same way and put in a shapely STRtree queried with the structures'
  points (predicate "dwithin" the buffer);
- what does not depend on the structures (communes' columns and projection, QPV pairs, projected outlines and
  their STRtree) is a `Preparation`: memoised for calls with the same entries (checked entry by entry, so never
  stale), or built once per data version by `preparer` and passed back (`preparation=`): the selectors keep it
  in process and in the shared cache, keyed by the inputs' cache key (see docs/diagnostic.md);
- the nearest structure of each commune is remembered per prepared territory (unique structure points, distances,
  indices): when only a few structure points changed (one structure opened, closed or moved: the simulation, an
  edit), only the communes whose nearest point disappeared are queried again and the new points are compared
  with every commune in one vectorised pass, instead of querying the KD-tree for every commune;
- at equal distance, the nearest structure is the first in the entries' order among those at the same point
  (the KD-tree is built on the distinct points), so the result never depends on the tree's internal order;
- the ResultatCommune rows are only built on first access to `Resultat.communes`.
"""

import functools
import gc
import hashlib
import math
import operator
import pickle
import threading
from dataclasses import dataclass, field
from itertools import repeat

import numpy as np
import shapely
from pyproj import Transformer
from scipy.spatial import cKDTree

# --- Score constants (documented in docs/diagnostic.md) ------------------------------------------------------
COMPOSANTES = ("population", "distance", "qpv", "bas_revenus")
INDICATEUR_BAS_REVENUS = "personnes_bas_revenus"
POPULATION_REFERENCE = 100_000  # population component: log10(1 + population) / log10(1 + 100 000), capped at 1
FACTEUR_DISTANCE = 5  # distance component: distance / (5 × distance de couverture), capped at 1
QPV_PLAFOND = 2  # QPV component: QPV sans structure / 2, capped at 1
PART_BAS_REVENUS_PLAFOND = 0.5  # low-income component: (personnes à bas revenus / population) / 0.5, capped at 1

# --- Projections -----------------------------------------------------------------------------------------------
# (name, EPSG, longitude min, longitude max, latitude min, latitude max), WGS84 boxes with a margin.
ZONES = (
    ("metropole", 2154, -6.0, 10.5, 41.0, 51.5),  # RGF93 v1 / Lambert-93 (Corsica included)
    ("antilles", 5490, -63.5, -60.5, 14.0, 18.5),  # RGAF09 / UTM 20N: Guadeloupe 971, Martinique 972
    ("guyane", 2972, -55.0, -51.0, 1.5, 6.5),  # RGFG95 / UTM 22N: 973
    ("reunion", 2975, 55.0, 56.5, -21.6, -20.6),  # RGR92 / UTM 40S: 974
    ("mayotte", 4471, 44.5, 45.8, -13.5, -12.0),  # RGM04 / UTM 38S: 976
    ("saint_pierre", 4467, -57.0, -55.9, 46.5, 47.5),  # RGSPM06 / UTM 21N: 975
)
# Each zone's projected x is shifted by zone index × this offset (metres): zones never mix in one KD-tree.
DECALAGE_ZONE_M = 1e8
# A nearest structure farther than this is in another zone: the distance is then the great-circle one.
SEUIL_AUTRE_ZONE_M = 2e7
RAYON_TERRE_KM = 6371.0088
# From this many communes, the KD-tree query runs on a second thread beside the QPV rules (it releases the GIL).
SEUIL_FIL = 5000
# Format of a pickled Preparation: part of the shared cache's keys (selectors), so that a process never reads a
# preparation pickled by another version of the engine. Change it whenever Preparation.__getstate__ changes.
FORMAT_PREPARATION = 1
# Up to this many distinct structure points added or removed, the nearest structures are updated, not recomputed.
SEUIL_INCREMENT = 64
TYPES_POLYGONES = (3, 6)  # shapely type ids of Polygon and MultiPolygon


@dataclass(frozen=True)
class CommuneEntree:
    code: str
    nom: str
    population: int | None
    longitude: float | None  # representative point (inside the commune), WGS84
    latitude: float | None
    epci: str | None = None
    # Optional imported indicators by code (see models.Indicateur), e.g. {"personnes_bas_revenus": 1234.0}
    indicateurs: dict[str, float] = field(default_factory=dict)


@dataclass(frozen=True)
class QPVEntree:
    code: str
    nom: str
    communes: tuple[str, ...]
    geometrie: str | None = None  # GeoJSON text (WGS84) when known
    longitude: float | None = None
    latitude: float | None = None


@dataclass(frozen=True)
class StructureEntree:
    id: int  # negative ids for hypothetical structures of a simulation
    nom: str
    type: str  # "centre_social" | "evs"
    commune: str  # INSEE code of the commune where it is located
    longitude: float | None  # None: the representative point of its commune is used
    latitude: float | None
    zone_communes: tuple[str, ...] = ()  # zone de compétence
    zone_qpv: tuple[str, ...] = ()


@dataclass(frozen=True)
class Parametres:
    distance_couverture_km: float = 2.0
    tampon_qpv_m: float = 500.0
    # Weights of the priority score components (normalised to sum 1 by the engine; a missing key takes its
    # default weight; "bas_revenus" is redistributed over the others for a commune without the indicator).
    poids: dict[str, float] = field(
        default_factory=lambda: {"population": 0.25, "distance": 0.35, "qpv": 0.25, "bas_revenus": 0.15}
    )


@dataclass
class ResultatCommune:
    code: str
    nom: str
    population: int  # 0 when unknown
    epci: str | None
    structures: int  # structures competent: located in it or listing it in their zone de compétence
    structures_situees: int
    structures_pour_10000_habitants: float | None  # None when the population is unknown or 0
    distance_structure_km: float | None  # to the nearest structure; 0 when one is located in the commune
    couverte: bool
    qpv: int
    qpv_sans_structure: int
    score_priorite: float  # 0-100; 0 when the commune is not a territoire prioritaire
    score_detail: dict[str, float]  # component -> points contributed (sums to score_priorite)
    rang: int | None = None  # rank among territoires prioritaires (1 = most urgent), None for the others
    structure_proche: int | None = None  # id of the nearest structure (None without any structure or point)


@dataclass
class ResultatQPV:
    code: str
    nom: str
    communes: tuple[str, ...]
    servi: bool
    regle: str  # "geometrie" (structure inside or within the buffer) | "zone" | "communes"
    structures: tuple[int, ...]


@dataclass
class Synthese:
    population: int
    population_couverte: int
    part_population_couverte: float | None
    communes: int
    communes_sans_structure: int
    qpv_total: int
    qpv_sans_structure: int
    structures: int
    # Communes with no competent structure AND none within the coverage distance (the priority table's rows): fewer
    # than `communes_sans_structure`, as a commune near a neighbour's structure counts as covered.
    communes_non_couvertes: int = 0


@dataclass
class Resultat:
    synthese: Synthese
    communes: list[ResultatCommune]
    qpv: list[ResultatQPV]
    parametres: Parametres
    # True when at least one commune has the "personnes_bas_revenus" indicator (the score then has that component).
    bas_revenus_disponible: bool = False

    def __getattr__(self, nom):
        # Only reached when `communes` or `qpv` is not yet in the instance: the engine fills it on first access
        # from its columns (see _lignes_communes, _lignes_qpv), so a national run does not pay for rows nobody reads.
        if nom == "qpv":
            colonnes = self.__dict__.get("_colonnes_qpv")
            if colonnes is not None:
                lignes = self.__dict__.setdefault("qpv", _lignes_qpv(*colonnes))
                self.__dict__.pop("_colonnes_qpv", None)
                return lignes
            if "qpv" in self.__dict__:
                return self.__dict__["qpv"]
        if nom == "communes":
            colonnes = self.__dict__.get("_colonnes_communes")
            if colonnes is not None:
                # Two threads may build the rows at once: the first stored list wins.
                lignes = self.__dict__.setdefault("communes", _lignes_communes(*colonnes))
                self.__dict__.pop("_colonnes_communes", None)
                return lignes
            if "communes" in self.__dict__:
                return self.__dict__["communes"]
        raise AttributeError(nom)

    def __getstate__(self):
        # The QPV columns hold the engine's entries (outlines included): pickle the rows instead.
        etat = dict(self.__dict__)
        if "_colonnes_qpv" in etat:
            etat["qpv"] = self.qpv
            etat.pop("_colonnes_qpv", None)
        return etat


# --- Projection helpers --------------------------------------------------------------------------------------


@functools.cache
def transformateur(epsg: int) -> Transformer:
    """WGS84 (lon, lat) → the projected CRS `epsg` (metres), built once per process."""
    return Transformer.from_crs(4326, epsg, always_xy=True)


def _epsg_utm(longitude: float, latitude: float) -> int:
    """WGS84 / UTM zone of a point outside the known zones (fallback)."""
    numero = min(60, max(1, int(math.floor((longitude + 180) / 6)) + 1))
    return (32600 if latitude >= 0 else 32700) + numero


def zones_des_points(longitudes: np.ndarray, latitudes: np.ndarray) -> tuple[np.ndarray, list[int]]:
    """Zone index of each point (-1 without coordinates) and the EPSG code of each zone index.

    The first indices are those of ZONES; points outside every box get the WGS84 UTM zone of their longitude.
    """
    zone = np.full(len(longitudes), -1, dtype=np.int64)
    epsg = [z[1] for z in ZONES]
    valides = np.isfinite(longitudes) & np.isfinite(latitudes)
    for indice, (_, _, lon_min, lon_max, lat_min, lat_max) in enumerate(ZONES):
        dedans = (
            valides
            & (zone < 0)
            & (longitudes >= lon_min)
            & (longitudes <= lon_max)
            & (latitudes >= lat_min)
            & (latitudes <= lat_max)
        )
        zone[dedans] = indice
    autres = np.flatnonzero(valides & (zone < 0))
    if len(autres):
        codes = [_epsg_utm(lon, lat) for lon, lat in zip(longitudes[autres], latitudes[autres], strict=True)]
        for position, code in zip(autres, codes, strict=True):
            if code not in epsg:
                epsg.append(code)
            zone[position] = epsg.index(code)
    return zone, epsg


def projeter(longitudes, latitudes) -> np.ndarray:
    """(n, 2) projected metres, each zone shifted by DECALAGE_ZONE_M × zone index; NaN without coordinates."""
    longitudes = np.asarray(longitudes, dtype=float)
    latitudes = np.asarray(latitudes, dtype=float)
    xy = np.full((len(longitudes), 2), np.nan)
    zone, epsg = zones_des_points(longitudes, latitudes)
    for indice in np.unique(zone[zone >= 0]).tolist():
        dans = zone == indice
        x, y = transformateur(epsg[indice]).transform(longitudes[dans], latitudes[dans])
        xy[dans, 0] = np.asarray(x) + indice * DECALAGE_ZONE_M
        xy[dans, 1] = y
    return xy


def _projeter_geometries(geometries: np.ndarray) -> np.ndarray:
    """Shapely geometries (WGS84) → projected and shifted like `projeter`, zone chosen by the bounding box centre."""
    if not len(geometries):
        return geometries
    bornes = shapely.bounds(geometries)
    zone, epsg = zones_des_points((bornes[:, 0] + bornes[:, 2]) / 2, (bornes[:, 1] + bornes[:, 3]) / 2)
    resultat = geometries.copy()
    for indice in np.unique(zone[zone >= 0]).tolist():
        dans = zone == indice
        projection = transformateur(epsg[indice])
        decalage = indice * DECALAGE_ZONE_M

        def transformer(coordonnees, projection=projection, decalage=decalage):
            x, y = projection.transform(coordonnees[:, 0], coordonnees[:, 1])
            return np.column_stack([np.asarray(x) + decalage, y])

        resultat[dans] = shapely.transform(geometries[dans], transformer)
    resultat[zone < 0] = None
    return resultat


@dataclass(frozen=True)
class _Voisins:
    """One nearest-structure answer for a territory's points: the distinct structure points (sorted as complex
    x + iy), and for each point with coordinates its distance and the index of its nearest distinct point."""

    cles: np.ndarray  # complex128, sorted, unique
    xy: np.ndarray  # (u, 2), same order
    distances: np.ndarray
    uniques: np.ndarray  # int64 index in cles


@dataclass(frozen=True)
class _Distincts:
    """The placed structures' distinct projected points."""

    cles: np.ndarray  # complex128 x + iy, sorted, unique
    xy: np.ndarray  # (u, 2), same order
    premieres: np.ndarray  # index (among the placed structures) of the first structure at each point
    inverses: np.ndarray  # distinct point of each placed structure
    placees: np.ndarray  # index (among all structures) of each placed structure


def _points_distincts(xy_s: np.ndarray, placees: np.ndarray) -> _Distincts:
    xy = xy_s[placees]
    cles, premieres, inverses = np.unique(xy[:, 0] + 1j * xy[:, 1], return_index=True, return_inverse=True)
    return _Distincts(cles, xy[premieres], premieres, inverses.reshape(-1), placees)


def _correspondance(cles: np.ndarray, anciennes: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Index in `cles` of each of `anciennes` (-1 when gone) and the indices of `cles` not in `anciennes`."""
    if not len(cles):
        return np.full(len(anciennes), -1, dtype=np.int64), np.zeros(0, dtype=np.int64)
    position = np.minimum(np.searchsorted(cles, anciennes), len(cles) - 1)
    nouvel_indice = np.where(cles[position] == anciennes, position, -1)
    if not len(anciennes):
        return nouvel_indice, np.arange(len(cles))
    # Both sorted and unique: a key is new when the old key at its place differs.
    retour = np.minimum(np.searchsorted(anciennes, cles), len(anciennes) - 1)
    return nouvel_indice, np.flatnonzero(anciennes[retour] != cles)


def _plus_proches(territoire, distincts: _Distincts, points: np.ndarray, sortie: dict) -> None:
    """Nearest structure of each point (KD-tree on the distinct structure points, the first structure of the
    entries at a point winning), into `sortie` (run on a thread: errors are handed back)."""
    try:
        cles, xy, premieres = distincts.cles, distincts.xy, distincts.premieres
        distances, uniques = cKDTree(xy).query(points, k=1)
        territoire.voisins = _Voisins(cles, xy, distances, uniques)
        sortie["distances"], sortie["indices"] = distances, premieres[uniques]
    except BaseException as erreur:  # handed back to the calling thread, which re-raises it
        sortie["erreur"] = erreur


def _plus_proches_increment(territoire, distincts: _Distincts, points: np.ndarray, sortie: dict) -> bool:
    """The nearest structures updated from the territory's last answer when few distinct points changed.

    Points that disappeared: only the communes whose nearest point it was are queried again (KD-tree on the
    new distinct points); new points: compared with every commune (distances computed like scipy's: the sum of
    squared differences, then the square root). False when there is nothing to start from or too much changed.
    """
    avant = territoire.voisins
    if avant is None or len(avant.distances) != len(points):
        return False
    cles, xy, premieres = distincts.cles, distincts.xy, distincts.premieres
    nouvel_indice, nouveaux = _correspondance(cles, avant.cles)
    if (nouvel_indice < 0).sum() + len(nouveaux) > SEUIL_INCREMENT:
        return False
    uniques = nouvel_indice[avant.uniques]
    distances = avant.distances.copy()
    orphelins = np.flatnonzero(uniques < 0)
    if len(orphelins):
        distances[orphelins], uniques[orphelins] = cKDTree(xy).query(points[orphelins], k=1)
    for u in nouveaux.tolist():
        dx = points[:, 0] - xy[u, 0]
        dy = points[:, 1] - xy[u, 1]
        d = np.sqrt(dx * dx + dy * dy)
        mieux = d < distances
        egales = np.flatnonzero(d == distances)
        if len(egales):  # equal distance to two distinct points: the first structure in the entries' order
            mieux[egales] |= premieres[u] < premieres[uniques[egales]]
        distances = np.where(mieux, d, distances)
        uniques = np.where(mieux, u, uniques)
    territoire.voisins = _Voisins(cles, xy, distances, uniques)
    sortie["distances"], sortie["indices"] = distances, premieres[uniques]
    return True


def _unitaires(longitudes: np.ndarray, latitudes: np.ndarray) -> np.ndarray:
    lon, lat = np.radians(longitudes), np.radians(latitudes)
    return np.column_stack([np.cos(lat) * np.cos(lon), np.cos(lat) * np.sin(lon), np.sin(lat)])


def _distances_grand_cercle_km(lon_a, lat_a, lon_b, lat_b) -> tuple[np.ndarray, np.ndarray]:
    """Nearest point of b for each point of a on the sphere: (km, index in b)."""
    arbre = cKDTree(_unitaires(lon_b, lat_b))
    corde, indices = arbre.query(_unitaires(lon_a, lat_a), k=1)
    return 2 * np.arcsin(np.minimum(corde / 2, 1.0)) * RAYON_TERRE_KM, indices


def empreinte(resultat: "Resultat", structures: list[StructureEntree]) -> str:
    """SHA-256 of everything `resultat` says (synthesis, every commune and QPV row), for the comparison test and
    the bench. The nearest structure is named by its point: among structures at the same point, which one is
    named was the KD-tree's internal order before the engine chose the first one (see the module docstring)."""
    point = {s.id: (s.longitude, s.latitude) if s.longitude is not None else ("commune", s.commune) for s in structures}
    h = hashlib.sha256()
    h.update(repr(sorted(vars(resultat.synthese).items())).encode())
    h.update(repr(resultat.bas_revenus_disponible).encode())
    for c in resultat.communes:
        ligne = [
            c.code,
            c.nom,
            c.population,
            c.epci,
            c.structures,
            c.structures_situees,
            c.structures_pour_10000_habitants,
            c.distance_structure_km,
            c.couverte,
            c.qpv,
            c.qpv_sans_structure,
            c.score_priorite,
            sorted(c.score_detail.items()),
            c.rang,
            point.get(c.structure_proche),
        ]
        h.update(repr(ligne).encode())
    for q in resultat.qpv:
        h.update(repr((q.code, q.nom, q.communes, q.servi, q.regle, q.structures)).encode())
    return h.hexdigest()


# --- Score helpers -------------------------------------------------------------------------------------------


def poids_normalises(parametres: Parametres) -> dict[str, float]:
    """The four weights, negative ones at 0, missing ones at their default (not yet normalised)."""
    defauts = Parametres().poids
    poids = {}
    for cle in COMPOSANTES:
        valeur = parametres.poids.get(cle, defauts[cle]) if parametres.poids is not None else defauts[cle]
        try:
            valeur = float(valeur)
        except (TypeError, ValueError):
            valeur = 0.0
        poids[cle] = valeur if math.isfinite(valeur) and valeur > 0 else 0.0
    return poids


def _sans_nan(valeurs: np.ndarray, decimales: int) -> list:
    """Rounded floats as a list, None where NaN."""
    arrondies = np.round(valeurs, decimales)
    return np.where(np.isnan(arrondies), None, arrondies.astype(object)).tolist()


def _identifiants(indices: np.ndarray, ids: np.ndarray) -> list:
    """Structure ids at `indices` (-1: None); ids may be negative (hypothetical structures)."""
    if not len(ids):
        return [None] * len(indices)
    return np.where(indices >= 0, ids[np.maximum(indices, 0)].astype(object), None).tolist()


def _entiers_ou_none(valeurs: np.ndarray) -> list:
    """Integers (stored as int64, -1 for none) as a list with None."""
    return np.where(valeurs < 0, None, valeurs.astype(object)).tolist()


# --- The engine ----------------------------------------------------------------------------------------------


def diagnostiquer(
    *,
    communes: list[CommuneEntree],
    qpv: list[QPVEntree],
    structures: list[StructureEntree],
    parametres: Parametres | None = None,
    preparation: "Preparation | None" = None,
) -> Resultat:
    """Coverage of `communes` and `qpv` by the (active) `structures` (definitions in docs/diagnostic.md).

    `preparation`: `preparer(communes, qpv)` of these very entries (the caller vouches for it, e.g. by a data
    version key); without it the engine prepares them, or reuses a memo of the same entries."""
    parametres = parametres or Parametres()
    n, m = len(communes), len(structures)
    if preparation is not None and (len(preparation.territoire.population), len(preparation.quartiers.a_contour)) != (
        n,
        len(qpv),
    ):
        raise ValueError("La préparation ne correspond pas aux communes et QPV donnés.")
    with np.errstate(divide="ignore", invalid="ignore"):
        return _diagnostiquer(communes, qpv, structures, parametres, n, m, preparation)


class _Territoire:
    """The communes' columns and projected points, reused while the same CommuneEntree objects are passed.

    Codes, names and EPCI are lists, or joined strings until first read (a Preparation unpickled in another
    process reads neither names nor EPCI before the rows are built); codes are looked up through a sorted array.
    """

    def __init__(self, *, objets, textes, population, lon, lat, xy, bas_revenus, tri=None):
        self.objets = objets  # the CommuneEntree objects (compared with ==, identity first), None once unpickled
        self._textes = textes  # "codes" | "noms" | "epci" → list, or (count, joined string)
        self.population = population  # NaN when unknown
        self.lon, self.lat, self.xy = lon, lat, xy
        self.bas_revenus = bas_revenus  # NaN when absent
        self._tri = tri  # (codes sorted, as a numpy string array; their positions)
        # Last nearest-structure answer (see _Voisins), per process: what the incremental update starts from.
        self.voisins = None

    def _liste(self, nom: str) -> list:
        valeur = self._textes[nom]
        if isinstance(valeur, tuple):
            valeur = _separer(valeur)
            self._textes = {**self._textes, nom: valeur}
        return valeur

    codes = property(lambda self: self._liste("codes"))
    noms = property(lambda self: self._liste("noms"))
    epci = property(lambda self: self._liste("epci"))

    def _textes_joints(self) -> dict:
        return {nom: v if isinstance(v, tuple) else _joindre(v) for nom, v in self._textes.items()}

    @property
    def tri(self) -> tuple[np.ndarray, np.ndarray]:
        if self._tri is None:
            codes = np.array(self.codes, dtype=str) if self.codes else np.zeros(0, dtype="<U1")
            ordre = np.argsort(codes, kind="stable")
            self._tri = (codes[ordre], ordre.astype(np.int64))
        return self._tri

    def positions(self, codes: list) -> np.ndarray:
        """Position of each code among the communes (the last one for a repeated code, like a dict built from the
        list), -1 when absent: through the dict when this process built it, else the sorted array (an unpickled
        preparation does not build the dict for one computation)."""
        if "index" in self.__dict__:
            index = self.index
            return np.fromiter((index.get(code, -1) for code in codes), dtype=np.int64, count=len(codes))
        tries, ordre = self.tri
        if not len(codes) or not len(tries):
            return np.full(len(codes), -1, dtype=np.int64)
        cherches = np.array(codes, dtype=str)
        rang = np.maximum(np.searchsorted(tries, cherches, side="right") - 1, 0)
        return np.where(tries[rang] == cherches, ordre[rang], -1)

    @functools.cached_property
    def index(self) -> dict:
        return dict(zip(self.codes, range(len(self.codes)), strict=True))

    @functools.cached_property
    def avec_point(self) -> np.ndarray:
        return np.isfinite(self.xy[:, 0])

    @functools.cached_property
    def points(self) -> np.ndarray:
        return np.ascontiguousarray(self.xy[self.avec_point])

    def __getstate__(self):
        # Pickled inside a lazy Resultat (Django's cache): only what building the rows needs.
        return {"_textes": self._textes_joints()}

    def __setstate__(self, etat):
        # Results cached before the texts were joined (shared cache, 24 h) hold the three lists themselves.
        textes = etat["_textes"] if "_textes" in etat else {nom: etat[nom] for nom in ("codes", "noms", "epci")}
        self.__init__(objets=None, textes=textes, population=None, lon=None, lat=None, xy=None, bas_revenus=None)


_TERRITOIRES: dict[tuple, _Territoire] = {}  # oldest first
TERRITOIRES_EN_MEMOIRE = 8
_VERROU = threading.Lock()
_CONTOURS: dict[str, object] = {}  # GeoJSON text → projected polygon (None when not a polygon)
CONTOURS_EN_MEMOIRE = 50_000
_ABSENT = object()


def _territoire(communes: list[CommuneEntree]) -> _Territoire:
    """Columns of `communes`, memoised: selectors and simulations pass the same entries again and again.

    The entries are frozen dataclasses and the memo is only used when every entry is the same object or an
    equal one, so the reuse cannot go stale (the `indicateurs` dicts must not be mutated after being passed).
    """
    n = len(communes)
    communes = communes if isinstance(communes, list) else list(communes)
    cle = (n, id(communes[0]), id(communes[-1])) if n else (0, 0, 0)
    with _VERROU:
        connu = _TERRITOIRES.get(cle)
    # List equality compares identity first (C loop), then content: equal frozen entries give equal columns.
    if connu is not None and connu.objets == communes:
        return connu
    codes = list(map(operator.attrgetter("code"), communes))
    population = np.array(list(map(operator.attrgetter("population"), communes)), dtype=float).reshape(n)
    population[~(population >= 0)] = np.nan  # None and negative values: unknown
    lon = np.array(list(map(operator.attrgetter("longitude"), communes)), dtype=float).reshape(n)
    lat = np.array(list(map(operator.attrgetter("latitude"), communes)), dtype=float).reshape(n)
    bas_revenus = np.array(
        [c.indicateurs.get(INDICATEUR_BAS_REVENUS) if c.indicateurs else None for c in communes], dtype=float
    ).reshape(n)
    territoire = _Territoire(
        objets=list(communes),
        textes={
            "codes": codes,
            "noms": list(map(operator.attrgetter("nom"), communes)),
            "epci": list(map(operator.attrgetter("epci"), communes)),
        },
        population=population,
        lon=lon,
        lat=lat,
        xy=projeter(lon, lat),
        bas_revenus=bas_revenus,
    )
    with _VERROU:
        _TERRITOIRES[cle] = territoire
        while len(_TERRITOIRES) > TERRITOIRES_EN_MEMOIRE:
            del _TERRITOIRES[next(iter(_TERRITOIRES))]
    return territoire


def _diagnostiquer(communes, qpv, structures, parametres: Parametres, n: int, m: int, preparation) -> Resultat:
    t = preparation.territoire if preparation is not None else _territoire(communes)
    population, lon_c, lat_c = t.population, t.lon, t.lat

    # Structures: ids, commune where located (index, -1 outside the territory), position.
    ids = np.array(list(map(operator.attrgetter("id"), structures)), dtype=np.int64).reshape(m)
    commune_s = t.positions(list(map(operator.attrgetter("commune"), structures))).reshape(m)
    lon_s = np.array(list(map(operator.attrgetter("longitude"), structures)), dtype=float).reshape(m)
    lat_s = np.array(list(map(operator.attrgetter("latitude"), structures)), dtype=float).reshape(m)
    sans_position = ~(np.isfinite(lon_s) & np.isfinite(lat_s)) & (commune_s >= 0)
    lon_s[sans_position] = lon_c[commune_s[sans_position]]
    lat_s[sans_position] = lat_c[commune_s[sans_position]]

    # Nearest structure: one KD-tree over every zone (shifted apart). The query releases the GIL: on a national
    # territory it runs on a second thread while the competence and the QPV rules are computed.
    xy_s = projeter(lon_s, lat_s)
    avec_point = t.avec_point
    placees = np.flatnonzero(np.isfinite(xy_s[:, 0]))
    plus_proches: dict = {}
    fil = None
    distincts = _points_distincts(xy_s, placees)
    if len(placees) and avec_point.any():
        points = t.points
        if not _plus_proches_increment(t, distincts, points, plus_proches):
            if len(points) >= SEUIL_FIL:
                fil = threading.Thread(target=_plus_proches, args=(t, distincts, points, plus_proches), daemon=True)
                fil.start()
            else:
                _plus_proches(t, distincts, points, plus_proches)

    # Competence: unique (commune, structure) pairs, located or listed in the zone de compétence.
    zones = list(map(operator.attrgetter("zone_communes"), structures))
    paires_s = np.repeat(np.arange(m, dtype=np.int64), list(map(len, zones)))
    paires_c = t.positions([code for zone in zones for code in zone])
    listees = paires_c >= 0
    situees = commune_s >= 0
    base = max(m, 1)
    toutes_c = np.concatenate([commune_s[situees], paires_c[listees]])
    toutes_s = np.concatenate([np.flatnonzero(situees), paires_s[listees]])
    cles = np.unique(toutes_c * base + toutes_s)  # sorted by commune, then structure
    competence_c, competence_s = cles // base, cles % base
    nb_competentes = np.bincount(competence_c, minlength=n)[:n]
    nb_situees = np.bincount(commune_s[situees], minlength=n)[:n]

    # QPV.
    try:
        quartiers = preparation.quartiers if preparation is not None else _quartiers(qpv, t)
        colonnes_qpv, qpv_c, qpv_servi = _qpv(
            qpv, structures, quartiers, t, ids, distincts, competence_c, competence_s, parametres
        )
    finally:
        if fil is not None:
            fil.join()
    nb_qpv = np.bincount(qpv_c[:, 1], minlength=n)[:n] if len(qpv_c) else np.zeros(n, dtype=np.int64)
    non_servis = qpv_c[~qpv_servi[qpv_c[:, 0]]] if len(qpv_c) else qpv_c
    nb_qpv_sans = np.bincount(non_servis[:, 1], minlength=n)[:n] if len(non_servis) else np.zeros(n, dtype=np.int64)

    # Distances (great-circle fallback when the commune's zone has no structure).
    distance_m = np.full(n, np.nan)
    proche = np.full(n, -1, dtype=np.int64)
    if "erreur" in plus_proches:
        raise plus_proches["erreur"]
    if "distances" in plus_proches:
        distance_m[avec_point] = plus_proches["distances"]
        proche[avec_point] = placees[plus_proches["indices"]]
        loin = np.flatnonzero(avec_point & (distance_m > SEUIL_AUTRE_ZONE_M))
        if len(loin):
            d_km, i = _distances_grand_cercle_km(lon_c[loin], lat_c[loin], lon_s[placees], lat_s[placees])
            distance_m[loin] = d_km * 1000
            proche[loin] = placees[i]
    distance_km = distance_m / 1000
    # A structure located in the commune: distance 0 and that structure is the nearest.
    distance_km[nb_situees > 0] = 0.0
    premiere_situee = np.full(n, -1, dtype=np.int64)
    premiere_situee[commune_s[situees][::-1]] = np.flatnonzero(situees)[::-1]
    proche = np.where(nb_situees > 0, premiere_situee, proche)

    couverte = (nb_competentes > 0) | (distance_km <= float(parametres.distance_couverture_km))

    # Priority score.
    details, score, rang, bas_revenus_disponible = _score(
        population, distance_km, couverte, nb_qpv_sans, t.bas_revenus, parametres
    )

    pour_10000 = np.where(population > 0, nb_competentes * 10_000 / population, np.nan)
    population_entiere = np.nan_to_num(population).astype(np.int64)
    structures_comptees = np.zeros(m, dtype=bool)
    structures_comptees[competence_s] = True
    total = int(population_entiere.sum())
    couverte_pop = int(population_entiere[couverte].sum())
    synthese = Synthese(
        population=total,
        population_couverte=couverte_pop,
        part_population_couverte=(couverte_pop / total) if total else None,
        communes=n,
        communes_sans_structure=int((nb_competentes == 0).sum()),
        qpv_total=len(qpv),
        qpv_sans_structure=int((~qpv_servi).sum()),
        structures=int(structures_comptees.sum()),
        communes_non_couvertes=int((~couverte).sum()),
    )
    cles_detail = tuple(cle for cle in COMPOSANTES if cle != "bas_revenus" or bas_revenus_disponible)
    colonnes = (
        t,
        population_entiere,
        nb_competentes,
        nb_situees,
        pour_10000,
        distance_km,
        couverte,
        nb_qpv,
        nb_qpv_sans,
        score,
        {cle: details[cle] for cle in cles_detail},
        rang,
        proche,
        ids,
    )
    # The rows (ResultatCommune) are built on first access to `resultat.communes` (Resultat.__getattr__).
    resultat = Resultat.__new__(Resultat)
    resultat.__dict__.update(
        synthese=synthese,
        _colonnes_qpv=colonnes_qpv,
        parametres=parametres,
        bas_revenus_disponible=bas_revenus_disponible,
        _colonnes_communes=colonnes,
    )
    return resultat


def _lignes_communes(
    t,
    population,
    competentes,
    situees,
    pour_10000,
    distance_km,
    couverte,
    qpv,
    qpv_sans,
    score,
    details,
    rang,
    proche,
    ids,
) -> list[ResultatCommune]:
    """ResultatCommune rows from the engine's columns (numpy arrays converted in bulk)."""
    n = len(population)
    cles = tuple(details)
    valeurs = [details[cle].tolist() for cle in cles]
    # Tens of thousands of small objects: the cyclic garbage collector would run many times for nothing.
    actif = gc.isenabled()
    gc.disable()
    try:
        if cles:
            score_detail = list(map(dict, map(zip, repeat(cles), zip(*valeurs, strict=True))))
        else:
            score_detail = [{} for _ in range(n)]
        return list(
            map(
                ResultatCommune,
                t.codes,
                t.noms,
                population.tolist(),
                t.epci,
                competentes.tolist(),
                situees.tolist(),
                _sans_nan(pour_10000, 2),
                _sans_nan(distance_km, 3),
                couverte.tolist(),
                qpv.tolist(),
                qpv_sans.tolist(),
                score.tolist(),
                score_detail,
                _entiers_ou_none(rang),
                _identifiants(proche, ids),
            )
        )
    finally:
        if actif:
            gc.enable()


def _contours_projetes(textes: list[str]) -> dict:
    """Parse, repair and project outlines (in bulk), remember them in _CONTOURS and return them by text."""
    geometries = shapely.from_geojson(np.array(textes, dtype=object), on_invalid="ignore")
    polygones = np.isin(shapely.get_type_id(geometries), TYPES_POLYGONES)
    geometries[~polygones] = None
    invalides = polygones & ~shapely.is_valid(geometries)
    if invalides.any():
        geometries[invalides] = shapely.make_valid(geometries[invalides])
    geometries = _projeter_geometries(geometries)
    vides = shapely.is_missing(geometries) | shapely.is_empty(geometries)
    lus = {texte: None if vide else geometrie for texte, geometrie, vide in zip(textes, geometries, vides, strict=True)}
    _CONTOURS.update(lus)
    return lus


def _competentes_de(qpv, territoire, a_contour, par_zone, competence_c, competence_s) -> dict[str, list[int]]:
    """Commune code → indices of the structures competent for it, for the communes of the QPV the rule
    "communes" applies to (without outline, not served through a zone de compétence)."""
    codes = sorted(
        {code for k, entree in enumerate(qpv) if not a_contour[k] and k not in par_zone for code in entree.communes}
    )
    if not codes:
        return {}
    positions = territoire.positions(codes)
    connues = positions >= 0
    codes = [code for code, connue in zip(codes, connues.tolist(), strict=True) if connue]
    positions = positions[connues]
    debuts = np.searchsorted(competence_c, positions).tolist()
    fins = np.searchsorted(competence_c, positions, side="right").tolist()
    liste = competence_s.tolist()
    return {code: liste[d:f] for code, d, f in zip(codes, debuts, fins, strict=True) if f > d}


def _ids_tries(ids: list[int], indices) -> tuple[int, ...]:
    return tuple(sorted({ids[j] for j in indices})) if indices else ()


@dataclass(eq=False)
class _Quartiers:
    """What the QPV rules need that does not depend on the structures, reused like _Territoire."""

    objets: list  # the QPVEntree objects (compared with ==, identity first)
    territoire: _Territoire
    index: dict  # QPV code → position
    paires: np.ndarray  # (qpv, commune) positions, one per distinct commune of each QPV
    a_contour: np.ndarray  # bool per QPV
    avec_contour: np.ndarray  # positions of the QPV with an outline, in the tree's order
    arbre: object  # shapely STRtree of the projected outlines, or None (none, or not rebuilt yet: see contours)
    # Last (buffer, distinct structure points, outlines within the buffer of each point): per process, what the
    # next call with a few points changed starts from (see _contacts).
    contacts: object = None
    contours: object = None  # WKB of the projected outlines, when unpickled: the STRtree is rebuilt on first need
    bornes: object = None  # their bounds (n, 4), when unpickled: a few new points are tested without the STRtree

    def arbre_des_contours(self):
        if self.arbre is None and self.contours is not None:
            self.arbre = shapely.STRtree(shapely.from_wkb(self.contours))
        return self.arbre


_QUARTIERS: dict[tuple, _Quartiers] = {}  # oldest first


def _quartiers(qpv: list[QPVEntree], territoire: _Territoire) -> _Quartiers:
    q = len(qpv)
    qpv = qpv if isinstance(qpv, list) else list(qpv)
    cle = (id(territoire), q, id(qpv[0]) if q else 0)
    with _VERROU:
        connu = _QUARTIERS.get(cle)
    if connu is not None and connu.territoire is territoire and connu.objets == qpv:
        return connu
    index = territoire.index
    paires = [
        (k, index[code]) for k, entree in enumerate(qpv) for code in dict.fromkeys(entree.communes) if code in index
    ]
    a_contour = np.zeros(q, dtype=bool)
    avec_contour = np.zeros(0, dtype=np.int64)
    arbre = None
    avec_texte = [k for k, entree in enumerate(qpv) if entree.geometrie]
    if len(_CONTOURS) > CONTOURS_EN_MEMOIRE:
        _CONTOURS.clear()
    contours, inconnus = {}, []
    for texte in dict.fromkeys(qpv[k].geometrie for k in avec_texte):
        geometrie = _CONTOURS.get(texte, _ABSENT)
        if geometrie is _ABSENT:
            inconnus.append(texte)
        else:
            contours[texte] = geometrie
    if inconnus:
        contours.update(_contours_projetes(inconnus))
    if avec_texte:
        geometries = np.array([contours[qpv[k].geometrie] for k in avec_texte], dtype=object)
        gardees = ~shapely.is_missing(geometries)
        avec_contour, geometries = np.array(avec_texte, dtype=np.int64)[gardees], geometries[gardees]
        a_contour[avec_contour] = True
        if len(geometries):
            arbre = shapely.STRtree(geometries)
    quartiers = _Quartiers(
        objets=list(qpv),
        territoire=territoire,
        index={entree.code: k for k, entree in enumerate(qpv)},
        paires=np.array(paires, dtype=np.int64).reshape(-1, 2),
        a_contour=a_contour,
        avec_contour=avec_contour,
        arbre=arbre,
    )
    with _VERROU:
        _QUARTIERS[cle] = quartiers
        while len(_QUARTIERS) > TERRITOIRES_EN_MEMOIRE:
            del _QUARTIERS[next(iter(_QUARTIERS))]
    return quartiers


@dataclass(eq=False)
class Preparation:
    """What the engine derives from the communes and QPV alone, reusable for any structures and parameters.

    Pickled compactly (columns, projected points, outlines as WKB; no entry objects, no nearest-structure memo)
    for a shared cache or a file per data version: unpickling costs a fraction of preparing (see the bench).
    """

    territoire: _Territoire
    quartiers: _Quartiers

    def __getstate__(self):
        t, q = self.territoire, self.quartiers
        contours, bornes = q.contours, q.bornes
        if q.arbre is not None:
            contours, bornes = shapely.to_wkb(q.arbre.geometries), shapely.bounds(q.arbre.geometries)
        # Strings joined into one: unpickling one str is far cheaper than tens of thousands of small ones.
        return {
            "version": FORMAT_PREPARATION,
            "communes": (t._textes_joints(), t.tri, t.population, t.lon, t.lat, t.xy, t.bas_revenus),
            "qpv": (_joindre(list(q.index)), q.paires, q.a_contour, q.avec_contour, contours, bornes),
            # The nearest structures and QPV contacts of the last structures seen: with the data version's own
            # structures, a new process starts from them instead of querying every commune.
            "memos": (t.voisins, q.contacts),
        }

    def __setstate__(self, etat):
        textes, tri, population, lon, lat, xy, bas_revenus = etat["communes"]
        territoire = _Territoire(
            objets=None, textes=textes, population=population, lon=lon, lat=lat, xy=xy, bas_revenus=bas_revenus, tri=tri
        )
        codes_qpv, paires, a_contour, avec_contour, contours, bornes = etat["qpv"]
        codes_qpv = _separer(codes_qpv)
        territoire.voisins = etat["memos"][0]
        self.territoire = territoire
        self.quartiers = _Quartiers(
            objets=None,
            territoire=territoire,
            index=dict(zip(codes_qpv, range(len(codes_qpv)), strict=True)),
            paires=paires,
            a_contour=a_contour,
            avec_contour=avec_contour,
            arbre=None,
            contacts=etat["memos"][1],
            contours=contours,
            bornes=bornes,
        )

    def octets(self) -> bytes:
        return pickle.dumps(self, protocol=pickle.HIGHEST_PROTOCOL)


_SEPARATEUR = "\x1f"  # ASCII unit separator: never in a code, a name or an EPCI
_AUCUN = "\x00"


def _joindre(textes: list) -> tuple[int, str]:
    return len(textes), _SEPARATEUR.join(_AUCUN if texte is None else texte for texte in textes)


def _separer(joint: tuple[int, str]) -> list:
    nombre, texte = joint
    if not nombre:
        return []
    textes = texte.split(_SEPARATEUR)
    if _AUCUN in texte:
        textes = [None if t == _AUCUN else t for t in textes]
    return textes


def preparer(communes: list[CommuneEntree], qpv: list[QPVEntree]) -> Preparation:
    """The structure-independent part of a diagnostic of `communes` and `qpv` (see Preparation)."""
    communes = communes if isinstance(communes, list) else list(communes)
    qpv = qpv if isinstance(qpv, list) else list(qpv)
    territoire = _territoire(communes)
    return Preparation(territoire=territoire, quartiers=_quartiers(qpv, territoire))


def _contacts(quartiers: _Quartiers, distincts: _Distincts, tampon: float) -> tuple[np.ndarray, np.ndarray]:
    """(distinct point, QPV position) pairs with the point within `tampon` of the QPV outline (or inside it when
    `tampon` is 0), sorted by point. Only the points not seen by the last call are looked up in the STRtree."""
    avant = quartiers.contacts
    cles = distincts.cles
    if avant is not None and avant[0] == tampon:
        nouvel_indice, a_chercher = _correspondance(cles, avant[1])
        gardees = nouvel_indice[avant[2]] >= 0
        points_gardes, qpv_gardes = nouvel_indice[avant[2][gardees]], avant[3][gardees]
    else:
        a_chercher = np.arange(len(cles))
        points_gardes = qpv_gardes = np.zeros(0, dtype=np.int64)
    if len(a_chercher) and quartiers.arbre is None and quartiers.bornes is not None and len(a_chercher) <= 8:
        # A few new points and the STRtree not rebuilt yet (unpickled preparation): the outlines whose bounds,
        # widened by the buffer, hold the point, then the same predicate as the STRtree's on those only.
        b = quartiers.bornes
        trouves_p, trouves_t = [], []
        for u in a_chercher.tolist():
            x, y = distincts.xy[u]
            candidats = np.flatnonzero(
                (b[:, 0] - tampon <= x) & (x <= b[:, 2] + tampon) & (b[:, 1] - tampon <= y) & (y <= b[:, 3] + tampon)
            )
            if len(candidats):
                point, formes = shapely.points(x, y), shapely.from_wkb(quartiers.contours[candidats])
                dedans = shapely.dwithin(point, formes, tampon) if tampon > 0 else shapely.intersects(point, formes)
                trouves_t.append(candidats[dedans])
                trouves_p.append(np.full(int(dedans.sum()), u, dtype=np.int64))
        if trouves_p:
            points_gardes = np.concatenate([points_gardes, *trouves_p])
            qpv_gardes = np.concatenate([qpv_gardes, quartiers.avec_contour[np.concatenate(trouves_t)]])
    elif len(a_chercher):
        geometries = shapely.points(distincts.xy[a_chercher])
        if tampon > 0:
            trouve = quartiers.arbre_des_contours().query(geometries, predicate="dwithin", distance=tampon)
        else:
            trouve = quartiers.arbre_des_contours().query(geometries, predicate="intersects")
        points_gardes = np.concatenate([points_gardes, a_chercher[trouve[0]]])
        qpv_gardes = np.concatenate([qpv_gardes, quartiers.avec_contour[trouve[1]]])
    ordre = np.argsort(points_gardes, kind="stable")
    points_gardes, qpv_gardes = points_gardes[ordre], qpv_gardes[ordre]
    quartiers.contacts = (tampon, cles, points_gardes, qpv_gardes)
    return points_gardes, qpv_gardes


def _qpv(qpv, structures, quartiers, territoire, ids, distincts, competence_c, competence_s, parametres):
    """Columns of the ResultatQPV rows (built lazily by _lignes_qpv), (qpv, commune) index pairs, served mask."""
    q = len(qpv)
    index_qpv, qpv_c, a_contour = quartiers.index, quartiers.paires, quartiers.a_contour

    # Rule "geometrie": polygon outlines, projected, in an STRtree queried with the distinct structure points;
    # every structure at a point found gets the point's outlines.
    par_contour: dict[int, list[int]] = {}
    if len(quartiers.avec_contour) and len(distincts.inverses):
        points_u, qpv_u = _contacts(quartiers, distincts, max(float(parametres.tampon_qpv_m), 0.0))
        if len(points_u):
            nombres = np.bincount(points_u, minlength=len(distincts.cles))
            debuts = np.cumsum(nombres) - nombres
            par_structure = nombres[distincts.inverses]
            total = int(par_structure.sum())
            structures_j = np.repeat(distincts.placees, par_structure)
            decalage = np.repeat(debuts[distincts.inverses] - (np.cumsum(par_structure) - par_structure), par_structure)
            qpv_j = qpv_u[decalage + np.arange(total)]
            for j, t in zip(structures_j.tolist(), qpv_j.tolist(), strict=True):
                par_contour.setdefault(t, []).append(j)

    # Rule "zone": structures listing the QPV in their zone de compétence.
    par_zone: dict[int, list[int]] = {}
    zones = list(map(operator.attrgetter("zone_qpv"), structures))
    listantes = np.flatnonzero(list(map(len, zones))).tolist()
    for j in listantes:
        for code in zones[j]:
            k = index_qpv.get(code)
            if k is not None:
                par_zone.setdefault(k, []).append(j)

    # Rule "communes" (QPV without outline only): structures competent for one of its communes.
    competentes_de = _competentes_de(qpv, territoire, a_contour, par_zone, competence_c, competence_s)

    contour = a_contour.tolist()
    regles, trouvees_par_qpv, servi = [], [], [False] * q
    for k, entree in enumerate(qpv):
        if k in par_contour:
            regle, trouvees = "geometrie", par_contour[k]
        elif k in par_zone:
            regle, trouvees = "zone", par_zone[k]
        elif contour[k]:
            regle, trouvees = "geometrie", ()
        else:
            regle = "communes"
            trouvees = [j for code in entree.communes for j in competentes_de.get(code, ())]
        servi[k] = bool(trouvees)
        regles.append(regle)
        trouvees_par_qpv.append(trouvees)
    colonnes = (qpv, servi, regles, trouvees_par_qpv, ids)
    return colonnes, qpv_c, np.array(servi, dtype=bool)


def _lignes_qpv(qpv, servi, regles, trouvees, ids) -> list[ResultatQPV]:
    """ResultatQPV rows from the engine's columns."""
    ids = ids.tolist()
    return [
        ResultatQPV(entree.code, entree.nom, tuple(entree.communes), servi_k, regle, _ids_tries(ids, structures_k))
        for entree, servi_k, regle, structures_k in zip(qpv, servi, regles, trouvees, strict=True)
    ]


def _score(population, distance_km, couverte, nb_qpv_sans, bas_revenus, parametres):
    """Points per component (dict of arrays), score, rank (-1 outside territoires prioritaires), availability."""
    n = len(population)
    poids = poids_normalises(parametres)
    pop = np.nan_to_num(population)
    normes = {
        "population": np.clip(np.log10(1 + pop) / math.log10(1 + POPULATION_REFERENCE), 0, 1),
        "distance": np.clip(
            distance_km / (FACTEUR_DISTANCE * max(float(parametres.distance_couverture_km), 1e-9)), 0, 1
        ),
        "qpv": np.clip(nb_qpv_sans / QPV_PLAFOND, 0, 1),
        "bas_revenus": np.clip(bas_revenus / pop / PART_BAS_REVENUS_PLAFOND, 0, 1),
    }
    # Unknown distance (no point, or no structure at all) of an uncovered commune: the farthest.
    normes["distance"] = np.where(np.isnan(distance_km), np.where(couverte, 0.0, 1.0), normes["distance"])
    disponible = np.isfinite(bas_revenus) & (bas_revenus >= 0) & (pop > 0)
    normes["bas_revenus"] = np.where(disponible, normes["bas_revenus"], 0.0)
    somme = poids["population"] + poids["distance"] + poids["qpv"] + poids["bas_revenus"] * disponible
    # Territoires prioritaires: not covered, or with at least one QPV without structure.
    mal_desservie = ~couverte | (nb_qpv_sans > 0)
    facteur = np.where(mal_desservie & (somme > 0), 100 / np.where(somme > 0, somme, 1), 0.0)
    details = {}
    for cle in COMPOSANTES:
        effectif = poids[cle] * (disponible if cle == "bas_revenus" else 1)
        details[cle] = np.round(facteur * effectif * normes[cle], 2) + 0.0  # + 0.0: no "-0.0"
    score = np.round(details["population"] + details["distance"] + details["qpv"] + details["bas_revenus"], 2)
    prioritaires = np.flatnonzero(mal_desservie & (score > 0))
    rang = np.full(n, -1, dtype=np.int64)
    if len(prioritaires):
        # Score descending, then population descending, then position (the caller's order, usually by code):
        # one int64 key (score in hundredths, population capped, position) sorts faster than np.lexsort.
        centiemes = np.rint(score[prioritaires] * 100).astype(np.int64)
        habitants = np.minimum(pop[prioritaires].astype(np.int64), 2**25 - 1)
        if n < 2**20:
            ordre = np.argsort(((10_000 - centiemes) * 2**25 + (2**25 - 1 - habitants)) * 2**20 + prioritaires)
        else:
            ordre = np.lexsort((prioritaires, -habitants, -centiemes))
        rang[prioritaires[ordre]] = np.arange(1, len(prioritaires) + 1)
    return details, score, rang, bool(disponible.any())
