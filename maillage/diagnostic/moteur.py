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
- calls with the same entries (selectors, simulation before/after) reuse the communes' columns and projection
  and the QPV pairs and STRtree (memo checked entry by entry, so never stale), and the ResultatCommune rows are
  only built on first access to `Resultat.communes`.
"""

import functools
import gc
import math
import operator
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
        # Only reached when `communes` is not yet in the instance: the engine fills it on first access from
        # its columns (see _lignes_communes), so a national run does not pay for rows nobody reads.
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


def _plus_proches(structures_xy: np.ndarray, points: np.ndarray, sortie: dict) -> None:
    """Nearest structure of each point (KD-tree), into `sortie` (run on a thread: errors are handed back)."""
    try:
        sortie["distances"], sortie["indices"] = cKDTree(structures_xy).query(points, k=1)
    except BaseException as erreur:  # handed back to the calling thread, which re-raises it
        sortie["erreur"] = erreur


def _unitaires(longitudes: np.ndarray, latitudes: np.ndarray) -> np.ndarray:
    lon, lat = np.radians(longitudes), np.radians(latitudes)
    return np.column_stack([np.cos(lat) * np.cos(lon), np.cos(lat) * np.sin(lon), np.sin(lat)])


def _distances_grand_cercle_km(lon_a, lat_a, lon_b, lat_b) -> tuple[np.ndarray, np.ndarray]:
    """Nearest point of b for each point of a on the sphere: (km, index in b)."""
    arbre = cKDTree(_unitaires(lon_b, lat_b))
    corde, indices = arbre.query(_unitaires(lon_a, lat_a), k=1)
    return 2 * np.arcsin(np.minimum(corde / 2, 1.0)) * RAYON_TERRE_KM, indices


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
) -> Resultat:
    """Coverage of `communes` and `qpv` by the (active) `structures` (definitions in docs/diagnostic.md)."""
    parametres = parametres or Parametres()
    n, m = len(communes), len(structures)
    with np.errstate(divide="ignore", invalid="ignore"):
        return _diagnostiquer(communes, qpv, structures, parametres, n, m)


@dataclass(eq=False)
class _Territoire:
    """The communes' columns, index and projected points, reused while the same CommuneEntree objects are passed."""

    objets: list  # the CommuneEntree objects (compared with ==, identity first)
    codes: list
    noms: list
    epci: list
    index: dict
    population: np.ndarray  # NaN when unknown
    lon: np.ndarray
    lat: np.ndarray
    xy: np.ndarray
    bas_revenus: np.ndarray  # NaN when absent

    def __getstate__(self):
        # Pickled inside a lazy Resultat (Django's cache): only what building the rows needs.
        return {"codes": self.codes, "noms": self.noms, "epci": self.epci}


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
        codes=codes,
        noms=list(map(operator.attrgetter("nom"), communes)),
        epci=list(map(operator.attrgetter("epci"), communes)),
        index=dict(zip(codes, range(n), strict=True)),
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


def _diagnostiquer(communes, qpv, structures, parametres: Parametres, n: int, m: int) -> Resultat:
    t = _territoire(communes)
    index, population, lon_c, lat_c = t.index, t.population, t.lon, t.lat

    # Structures: ids, commune where located (index, -1 outside the territory), position.
    ids = np.array(list(map(operator.attrgetter("id"), structures)), dtype=np.int64).reshape(m)
    commune_s = np.array([index.get(s.commune, -1) for s in structures], dtype=np.int64).reshape(m)
    lon_s = np.array(list(map(operator.attrgetter("longitude"), structures)), dtype=float).reshape(m)
    lat_s = np.array(list(map(operator.attrgetter("latitude"), structures)), dtype=float).reshape(m)
    sans_position = ~(np.isfinite(lon_s) & np.isfinite(lat_s)) & (commune_s >= 0)
    lon_s[sans_position] = lon_c[commune_s[sans_position]]
    lat_s[sans_position] = lat_c[commune_s[sans_position]]

    # Nearest structure: one KD-tree over every zone (shifted apart). The query releases the GIL: on a national
    # territory it runs on a second thread while the competence and the QPV rules are computed.
    xy_c = t.xy
    xy_s = projeter(lon_s, lat_s)
    avec_point = np.isfinite(xy_c[:, 0])
    placees = np.flatnonzero(np.isfinite(xy_s[:, 0]))
    plus_proches: dict = {}
    fil = None
    if len(placees) and avec_point.any():
        points = xy_c[avec_point]
        if len(points) >= SEUIL_FIL:
            fil = threading.Thread(target=_plus_proches, args=(xy_s[placees], points, plus_proches), daemon=True)
            fil.start()
        else:
            _plus_proches(xy_s[placees], points, plus_proches)

    # Competence: unique (commune, structure) pairs, located or listed in the zone de compétence.
    paires_c, paires_s = [], []
    for j, s in enumerate(structures):
        for code in s.zone_communes:
            k = index.get(code)
            if k is not None:
                paires_c.append(k)
                paires_s.append(j)
    situees = commune_s >= 0
    base = max(m, 1)
    toutes_c = np.concatenate([commune_s[situees], np.array(paires_c, dtype=np.int64)])
    toutes_s = np.concatenate([np.flatnonzero(situees), np.array(paires_s, dtype=np.int64)])
    cles = np.unique(toutes_c * base + toutes_s)  # sorted by commune, then structure
    competence_c, competence_s = cles // base, cles % base
    nb_competentes = np.bincount(competence_c, minlength=n)[:n]
    nb_situees = np.bincount(commune_s[situees], minlength=n)[:n]

    # QPV.
    try:
        resultats_qpv, qpv_c, qpv_servi = _qpv(
            qpv, structures, t, ids, xy_s, competence_c, competence_s, nb_competentes, parametres
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
        qpv_total=len(resultats_qpv),
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
        qpv=resultats_qpv,
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


def _competentes_de(qpv, index, a_contour, par_zone, competence_c, competence_s) -> dict[str, list[int]]:
    """Commune code → indices of the structures competent for it, for the communes of the QPV the rule
    "communes" applies to (without outline, not served through a zone de compétence)."""
    codes = {
        code
        for k, entree in enumerate(qpv)
        if not a_contour[k] and k not in par_zone
        for code in entree.communes
        if code in index
    }
    if not codes:
        return {}
    codes = sorted(codes)
    positions = np.array([index[code] for code in codes], dtype=np.int64)
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
    arbre: object  # shapely STRtree of the projected outlines, or None


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


def _qpv(qpv, structures, territoire, ids, xy_s, competence_c, competence_s, nb_competentes, parametres):
    """ResultatQPV list, (qpv, commune) index pairs and the served mask."""
    q = len(qpv)
    quartiers = _quartiers(qpv, territoire)
    index, index_qpv, qpv_c, a_contour = territoire.index, quartiers.index, quartiers.paires, quartiers.a_contour

    # Rule "geometrie": polygon outlines, projected, in an STRtree queried with the structures' points.
    par_contour: dict[int, list[int]] = {}
    placees = np.flatnonzero(np.isfinite(xy_s[:, 0]))
    if quartiers.arbre is not None and len(placees):
        points = shapely.points(xy_s[placees])
        tampon = max(float(parametres.tampon_qpv_m), 0.0)
        if tampon > 0:
            trouve = quartiers.arbre.query(points, predicate="dwithin", distance=tampon)
        else:
            trouve = quartiers.arbre.query(points, predicate="intersects")
        for j, t in zip(placees[trouve[0]].tolist(), quartiers.avec_contour[trouve[1]].tolist(), strict=True):
            par_contour.setdefault(t, []).append(j)

    # Rule "zone": structures listing the QPV in their zone de compétence.
    par_zone: dict[int, list[int]] = {}
    for j, s in enumerate(structures):
        for code in s.zone_qpv:
            k = index_qpv.get(code)
            if k is not None:
                par_zone.setdefault(k, []).append(j)

    # Rule "communes" (QPV without outline only): structures competent for one of its communes.
    competentes_de = _competentes_de(qpv, index, a_contour, par_zone, competence_c, competence_s)

    ids = ids.tolist()
    contour = a_contour.tolist()
    resultats, servi = [], [False] * q
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
        resultats.append(
            ResultatQPV(entree.code, entree.nom, tuple(entree.communes), servi[k], regle, _ids_tries(ids, trouvees))
        )
    servi = np.array(servi, dtype=bool)
    return resultats, qpv_c, servi


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
