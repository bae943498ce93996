"""Reading and validating the official QPV files (quartiers prioritaires de la politique de la ville).

Pure parsing and validation, no database access: `qpv_lire` returns the quartiers found and every error
(line or feature, field, reason, in French); `services.qpv_importer` writes only when there is none.

Accepted files, generation 2015 (codes QP094001) or 2024 (codes QN09401M):
- GeoJSON FeatureCollection, 2024 properties `code_qp, lib_qp, insee_com, lib_com, siren_epci, lib_dep, lib_reg`,
  2015 properties `CODE_QP, NOM_QP, COMMUNE_QP` (commune names); Polygon, MultiPolygon, Point or no geometry.
  The ANCT file with one Point per commune and comma-joined `code_qp` / `lib_qp` lists is accepted too.
- CSV lists, one row per (QPV, commune), comma, semicolon or tab separated, UTF-8 with or without BOM.
"""

import csv
import io
import json
import re
import unicodedata
from collections import defaultdict
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field

import numpy as np
import shapely
from shapely.errors import GEOSException

GENERATIONS = (2015, 2024)
MOTIFS_CODE = {
    2015: re.compile(r"QP(?:\d{3}|02[AB])\d{3}"),
    2024: re.compile(r"QN(?:\d{3}|02[AB])\d{2}[A-Z]"),
}
MOTIF_CODE_COMMUNE = re.compile(r"(?:\d{2}|2[AB])\d{3}")
PRECISION_DEGRES = 1e-5  # ~1 m
TOLERANCE_SIMPLIFICATION = 5e-5  # ~5 m: enough for maps, far lighter than the surveyed outlines
# Spatial match: a commune hosts the quartier when it holds at least this share of its area
# (commune outlines are simplified, so a mere touch along a border must not count).
PART_MINIMALE = 0.02

# Recognised columns / properties (compared in lower case), by role.
COLONNES = {
    "code": ("code_qp", "code_qpv"),
    "nom": ("lib_qp", "nom_qp", "lib_qpv", "nom_qpv"),
    "communes_codes": ("insee_com", "code_insee", "insee_commune", "code_commune"),
    "communes_noms": ("commune_qp", "lib_com", "nom_com", "communes_qp"),
}
# Known columns that only describe (EPCI, département, région): read and ignored.
COLONNES_INFORMATIVES = (
    "siren_epci",
    "lib_epci",
    "nom_epci",
    "insee_dep",
    "code_dep",
    "lib_dep",
    "nom_dep",
    "insee_reg",
    "code_reg",
    "lib_reg",
    "nom_reg",
)
ROLE_DE_COLONNE = {nom: role for role, noms in COLONNES.items() for nom in noms}
LIBELLES = {
    "code": "code_qp (ou CODE_QP)",
    "nom": "lib_qp (ou NOM_QP)",
    "communes_codes": "insee_com",
    "communes_noms": "COMMUNE_QP (ou lib_com)",
}


@dataclass(frozen=True, slots=True)
class ErreurQPV:
    raison: str
    champ: str = ""
    ligne: int | None = None  # CSV, the header being line 1; or the line of a JSON syntax error
    element: int | None = None  # GeoJSON feature, counted from 1

    def position(self) -> str:
        parties = []
        if self.ligne is not None:
            parties.append(f"ligne {self.ligne}")
        if self.element is not None:
            parties.append(f"élément {self.element} (features[{self.element - 1}])")
        if self.champ:
            parties.append(f"champ « {self.champ} »")
        return ", ".join(parties) or "fichier"

    def __str__(self) -> str:
        return f"{self.position()} : {self.raison}"

    def en_dict(self) -> dict:
        return {
            "ligne": self.ligne,
            "element": self.element,
            "champ": self.champ,
            "raison": self.raison,
            "message": str(self),
        }


@dataclass(slots=True)
class QPVLu:
    code: str
    nom: str
    generation: int
    communes: list[str]  # INSEE codes, sorted
    geometrie: str = ""  # simplified GeoJSON, "" when the file has no outline for it
    longitude: float | None = None
    latitude: float | None = None


@dataclass(slots=True)
class LectureQPV:
    format: str  # "CSV" or "GeoJSON"
    generation: int | None = None
    elements: int = 0  # rows or features read
    qpv: list[QPVLu] = field(default_factory=list)
    erreurs: list[ErreurQPV] = field(default_factory=list)

    @property
    def avec_contours(self) -> bool:
        return any(q.geometrie for q in self.qpv)


def normaliser_nom(nom: str) -> str:
    """Compare names case-, accent- and punctuation-insensitively: "L'Haÿ-les-Roses" → "l hay les roses"."""
    texte = nom.casefold().replace("œ", "oe").replace("æ", "ae")
    texte = "".join(c for c in unicodedata.normalize("NFKD", texte) if not unicodedata.combining(c))
    mots = re.sub(r"[^a-z0-9]+", " ", texte).split()
    mots = [{"st": "saint", "ste": "sainte"}.get(mot, mot) for mot in mots]
    texte = " ".join(mots)
    # "Marseille 13e arrondissement" is the commune of Marseille (arrondissements are not loaded).
    return re.sub(r"^(paris|marseille|lyon) \d+(?: ?(?:e|er|eme))?(?: arrondissement)?$", r"\1", texte)


def generation_du_code(code: str) -> int | None:
    for generation, motif in MOTIFS_CODE.items():
        if motif.fullmatch(code):
            return generation
    return None


def departement_du_code(code: str) -> str:
    """QN09401M → "94", QP02A001 → "2A", QN97101M → "971"."""
    partie = code[2:5]
    return partie[1:] if partie.startswith("0") else partie


def departement_de_commune(code: str) -> str:
    return code[:3] if code.startswith("97") else code[:2]


class ReferentielCommunes:
    """The communes known to the database, as the validation needs them (no Django import here).

    `communes` yields (code, nom, code du département); `geometries(departement)` yields (code, GeoJSON)
    and is only called for files that need spatial matching.
    """

    def __init__(
        self,
        communes: Iterable[tuple[str, str, str]],
        geometries: Callable[[str], Iterable[tuple[str, str]]] | None = None,
    ):
        self._codes: set[str] = set()
        self._departements: set[str] = set()
        self._noms: dict[tuple[str, str], list[str]] = defaultdict(list)
        for code, nom, departement in communes:
            self._codes.add(code)
            self._departements.add(departement)
            self._noms[(departement, normaliser_nom(nom))].append(code)
        self._geometries = geometries
        self._arbres: dict[str, tuple[list[str], np.ndarray, shapely.STRtree]] = {}

    @property
    def vide(self) -> bool:
        return not self._codes

    def existe(self, code: str) -> bool:
        return code in self._codes

    def departement_charge(self, departement: str) -> bool:
        return departement in self._departements

    def par_nom(self, departement: str, nom: str) -> list[str]:
        return self._noms.get((departement, normaliser_nom(nom)), [])

    def recouvrant(self, departement: str, contour) -> list[str]:
        """Codes of the communes of `departement` holding a real part of `contour` (STRtree, then areas)."""
        if departement not in self._arbres:
            lignes = list(self._geometries(departement)) if self._geometries else []
            codes = [code for code, _ in lignes]
            geometries = shapely.from_geojson([texte for _, texte in lignes]) if lignes else np.array([], dtype=object)
            invalides = ~shapely.is_valid(geometries)
            geometries[invalides] = shapely.make_valid(geometries[invalides])
            self._arbres[departement] = (codes, geometries, shapely.STRtree(geometries))
        codes, geometries, arbre = self._arbres[departement]
        indices = arbre.query(contour, predicate="intersects")
        if not len(indices):
            return []
        if contour.area == 0:
            return sorted(codes[i] for i in indices)
        parts = shapely.area(shapely.intersection(geometries[indices], contour)) / contour.area
        return sorted(codes[i] for i, part in zip(indices, parts, strict=True) if part >= PART_MINIMALE)


@dataclass(slots=True)
class _Element:
    """One CSV row or GeoJSON feature, before validation."""

    ligne: int | None
    element: int | None
    valeurs: dict[str, tuple[str, str]]  # role → (column as written in the file, value)
    geometrie: object = None  # shapely Polygon/MultiPolygon, reprojected to WGS84

    def valeur(self, role: str) -> str:
        return self.valeurs.get(role, ("", ""))[1]

    def colonne(self, role: str) -> str:
        return self.valeurs.get(role, (LIBELLES[role], ""))[0]

    def erreur(self, raison: str, champ: str = "") -> ErreurQPV:
        return ErreurQPV(raison=raison, champ=champ, ligne=self.ligne, element=self.element)


def _decoder(contenu: bytes) -> tuple[str, ErreurQPV | None]:
    try:
        texte = contenu.decode("utf-8-sig")
    except UnicodeDecodeError as erreur:
        ligne = contenu[: erreur.start].count(b"\n") + 1
        return "", ErreurQPV(
            ligne=ligne,
            raison="le fichier n'est pas encodé en UTF-8 : enregistrez-le en UTF-8 (avec ou sans BOM)",
        )
    if not texte.strip():
        return "", ErreurQPV(raison="le fichier est vide")
    return texte, None


def _elements_csv(texte: str) -> tuple[list[_Element], list[ErreurQPV]]:
    premiere = texte.splitlines()[0]
    # The separator is the one the header uses most (official lists use ";" or ",").
    separateur = max(";,\t", key=premiere.count)
    lecteur = csv.reader(io.StringIO(texte, newline=""), delimiter=separateur)
    entete = [colonne.strip() for colonne in next(lecteur)]
    erreurs = []
    roles: dict[int, str] = {}
    for indice, colonne in enumerate(entete):
        cle = colonne.lower()
        role = ROLE_DE_COLONNE.get(cle)
        if role is None:
            if cle not in COLONNES_INFORMATIVES:
                connues = ", ".join([*ROLE_DE_COLONNE, *COLONNES_INFORMATIVES])
                erreurs.append(
                    ErreurQPV(
                        ligne=1,
                        champ=colonne,
                        raison=f"colonne inconnue (séparateur « {separateur} ») ; colonnes reconnues : {connues}",
                    )
                )
            continue
        if role in roles.values():
            erreurs.append(ErreurQPV(ligne=1, champ=colonne, raison="colonne en double"))
            continue
        roles[indice] = role
    for role in ("code", "nom"):
        if role not in roles.values():
            erreurs.append(ErreurQPV(ligne=1, champ=LIBELLES[role], raison="colonne manquante"))
    if not {"communes_codes", "communes_noms"} & set(roles.values()):
        erreurs.append(
            ErreurQPV(
                ligne=1,
                champ="insee_com",
                raison="colonne manquante : codes INSEE des communes (insee_com) ou noms des communes (COMMUNE_QP)",
            )
        )
    if erreurs:
        return [], erreurs

    elements = []
    try:
        for valeurs in lecteur:
            ligne = lecteur.line_num
            if not any(valeur.strip() for valeur in valeurs):
                continue
            if len(valeurs) != len(entete):
                erreurs.append(
                    ErreurQPV(
                        ligne=ligne,
                        raison=f"{len(valeurs)} valeur(s) au lieu de {len(entete)} (séparateur « {separateur} »)",
                    )
                )
                continue
            elements.append(
                _Element(
                    ligne=ligne,
                    element=None,
                    valeurs={role: (entete[i], valeurs[i].strip()) for i, role in roles.items()},
                )
            )
    except csv.Error as erreur:
        erreurs.append(ErreurQPV(ligne=lecteur.line_num, raison=f"CSV illisible : {erreur}"))
    if not elements and not erreurs:
        erreurs.append(ErreurQPV(ligne=2, raison="aucune ligne de données après l'en-tête"))
    return elements, erreurs


def _reprojection(crs) -> tuple[Callable | None, ErreurQPV | None]:
    """A function bringing geometries to WGS84 (lon, lat), from the GeoJSON `crs` member (RFC 7946 has none)."""
    if crs is None:
        return None, None
    nom = str(((crs.get("properties") or {}).get("name") or "") if isinstance(crs, dict) else "")
    if "CRS84" in nom.upper():
        return None, None
    trouve = re.search(r"EPSG:+(\d+)", nom, re.IGNORECASE)
    if not trouve:
        return None, ErreurQPV(
            champ="crs", raison=f"système de coordonnées non reconnu « {nom} » : WGS84 ou un code EPSG attendu"
        )
    epsg = int(trouve[1])
    if epsg == 4326:
        return None, None
    from pyproj import Transformer
    from pyproj.exceptions import CRSError

    try:
        transformateur = Transformer.from_crs(epsg, 4326, always_xy=True)
    except CRSError:
        return None, ErreurQPV(champ="crs", raison=f"code EPSG inconnu : {epsg}")

    def reprojeter(geometrie):
        return shapely.transform(geometrie, lambda xy: np.column_stack(transformateur.transform(xy[:, 0], xy[:, 1])))

    return reprojeter, None


def _elements_geojson(texte: str) -> tuple[list[_Element], list[ErreurQPV]]:
    try:
        donnees = json.loads(texte)
    except json.JSONDecodeError as erreur:
        return [], [ErreurQPV(ligne=erreur.lineno, raison=f"JSON invalide : {erreur.msg} (colonne {erreur.colno})")]
    if not isinstance(donnees, dict) or donnees.get("type") != "FeatureCollection":
        return [], [ErreurQPV(champ="type", raison="un objet GeoJSON « FeatureCollection » est attendu")]
    features = donnees.get("features")
    if not isinstance(features, list) or not features:
        return [], [ErreurQPV(champ="features", raison="la liste « features » est absente ou vide")]
    reprojeter, erreur = _reprojection(donnees.get("crs"))
    if erreur:
        return [], [erreur]

    elements, erreurs = [], []
    for numero, feature in enumerate(features, start=1):
        if not isinstance(feature, dict) or feature.get("type") != "Feature":
            erreurs.append(ErreurQPV(element=numero, champ="type", raison="un objet « Feature » est attendu"))
            continue
        proprietes = feature.get("properties")
        if not isinstance(proprietes, dict):
            erreurs.append(ErreurQPV(element=numero, champ="properties", raison="propriétés absentes"))
            continue
        valeurs: dict[str, tuple[str, str]] = {}
        # Other properties (surface, identifiers added by GIS tools…) are ignored.
        for cle, valeur in proprietes.items():
            role = ROLE_DE_COLONNE.get(str(cle).lower())
            if role and role not in valeurs:
                valeurs[role] = (str(cle), "" if valeur is None else str(valeur).strip())
        element = _Element(ligne=None, element=numero, valeurs=valeurs)
        geometrie = feature.get("geometry")
        if geometrie is not None:
            type_geometrie = geometrie.get("type") if isinstance(geometrie, dict) else None
            if type_geometrie not in ("Polygon", "MultiPolygon", "Point"):
                erreurs.append(
                    element.erreur(
                        f"type de géométrie non pris en charge : {type_geometrie} "
                        "(Polygon, MultiPolygon ou Point attendus)",
                        "geometry",
                    )
                )
                continue
            # A point is the commune's centroid in the ANCT lists, not the quartier's: not kept.
            if type_geometrie != "Point":
                try:
                    forme = shapely.from_geojson(json.dumps(geometrie))
                except (GEOSException, ValueError) as probleme:
                    erreurs.append(element.erreur(f"géométrie illisible : {probleme}", "geometry"))
                    continue
                if reprojeter:
                    forme = reprojeter(forme)
                minx, miny, maxx, maxy = forme.bounds
                if forme.is_empty or not (-180 <= minx <= maxx <= 180 and -90 <= miny <= maxy <= 90):
                    erreurs.append(
                        element.erreur(
                            "coordonnées vides ou hors des bornes WGS84 (longitude, latitude) : indiquez le système "
                            "de coordonnées du fichier (membre « crs », par exemple EPSG:2154 pour le Lambert-93)",
                            "geometry",
                        )
                    )
                    continue
                element.geometrie = forme
        elements.append(element)
    return elements, erreurs


def _scinder_noms_communes(valeur: str) -> list[str]:
    # "Créteil, Bonneuil-sur-Marne" or "Créteil - Bonneuil-sur-Marne": hyphens inside names have no spaces.
    return [nom for nom in re.split(r"\s*[,;/]\s*|\s+-\s+", valeur) if nom.strip()]


@dataclass(slots=True)
class _Quartier:
    nom: str
    generation: int
    origine: str  # where its name was first read, for the "two names" error
    communes: set[str] = field(default_factory=set)
    contours: list = field(default_factory=list)


def _contour(geometries: list) -> tuple[str, float, float]:
    forme = geometries[0] if len(geometries) == 1 else shapely.union_all(geometries)
    if not forme.is_valid:
        forme = shapely.make_valid(forme)
        if forme.geom_type == "GeometryCollection":
            forme = shapely.union_all([g for g in forme.geoms if g.geom_type in ("Polygon", "MultiPolygon")])
    simplifiee = shapely.set_precision(
        shapely.simplify(forme, TOLERANCE_SIMPLIFICATION, preserve_topology=True), PRECISION_DEGRES
    )
    if not simplifiee.is_empty:
        forme = simplifiee
    point = forme.point_on_surface()
    return shapely.to_geojson(forme), round(point.x, 6), round(point.y, 6)


def _communes_element(
    element: _Element, codes_qpv: list[str], referentiel: ReferentielCommunes
) -> tuple[set[str], list[ErreurQPV]]:
    communes: set[str] = set()
    erreurs = []
    if element.valeur("communes_codes"):
        colonne = element.colonne("communes_codes")
        for code in re.split(r"[\s,;]+", element.valeur("communes_codes")):
            if not code:
                continue
            if not MOTIF_CODE_COMMUNE.fullmatch(code):
                erreurs.append(
                    element.erreur(
                        f"code commune mal formé « {code} » (code INSEE à 5 caractères attendu, ex. 94028)", colonne
                    )
                )
            elif not referentiel.existe(code):
                departement = departement_de_commune(code)
                conseil = (
                    f"aucune commune de ce code dans le département {departement}"
                    if referentiel.departement_charge(departement)
                    else f"chargez d'abord les territoires (manage.py charger_territoires --departements {departement})"
                )
                erreurs.append(element.erreur(f"commune inconnue « {code} » : {conseil}", colonne))
            else:
                communes.add(code)
        return communes, erreurs

    departements = {departement_du_code(code) for code in codes_qpv if generation_du_code(code)}
    if element.valeur("communes_noms"):
        colonne = element.colonne("communes_noms")
        for departement in sorted(departements):
            for nom in _scinder_noms_communes(element.valeur("communes_noms")):
                trouvees = referentiel.par_nom(departement, nom)
                if len(trouvees) == 1:
                    communes.add(trouvees[0])
                elif trouvees:
                    erreurs.append(
                        element.erreur(
                            f"nom de commune ambigu « {nom} » dans le département {departement} "
                            f"({', '.join(trouvees)}) : utilisez une colonne insee_com",
                            colonne,
                        )
                    )
                else:
                    erreurs.append(
                        element.erreur(
                            f"commune « {nom} » introuvable dans le département {departement} "
                            "(département tiré du code du quartier ; territoires chargés ?)",
                            colonne,
                        )
                    )
        return communes, erreurs

    if element.geometrie is not None:
        for departement in sorted(departements):
            trouvees = referentiel.recouvrant(departement, element.geometrie)
            if trouvees:
                communes.update(trouvees)
            else:
                erreurs.append(
                    element.erreur(
                        f"aucune commune du département {departement} ne recouvre ce contour "
                        "(contours des communes chargés ?)",
                        "geometry",
                    )
                )
        return communes, erreurs

    if departements:
        erreurs.append(
            element.erreur(
                "commune manquante : code INSEE (insee_com), nom (COMMUNE_QP) ou contour du quartier attendu",
                element.colonne("communes_codes"),
            )
        )
    return communes, erreurs


def qpv_lire(
    *,
    contenu: bytes,
    nom_fichier: str = "",
    referentiel: ReferentielCommunes,
    generation: int | None = None,
    nom_max: int | None = None,
) -> LectureQPV:
    """Parse and validate a whole QPV file; the result lists the quartiers or, if any, every error.
    `nom_max`: the longest name the store accepts (its column's length), checked here so that nothing is written."""
    if generation is not None and generation not in GENERATIONS:
        raise ValueError(f"génération inconnue : {generation}")
    texte, erreur = _decoder(contenu)
    est_json = texte.lstrip().startswith(("{", "[")) or nom_fichier.lower().endswith((".geojson", ".json"))
    lecture = LectureQPV(format="GeoJSON" if est_json else "CSV", generation=generation)
    if erreur:
        lecture.erreurs.append(erreur)
        return lecture
    elements, erreurs = _elements_geojson(texte) if est_json else _elements_csv(texte)
    lecture.elements = len(elements)
    lecture.erreurs.extend(erreurs)
    if referentiel.vide:
        lecture.erreurs.append(
            ErreurQPV(raison="aucune commune en base : chargez d'abord les territoires (manage.py charger_territoires)")
        )
        return lecture

    quartiers: dict[str, _Quartier] = {}
    generation_fichier = generation
    origine_generation = f"--generation {generation}" if generation else ""
    for element in elements:
        origine = f"ligne {element.ligne}" if element.ligne is not None else f"élément {element.element}"
        brut = element.valeur("code")
        colonne_code, colonne_nom = element.colonne("code"), element.colonne("nom")
        if not brut:
            lecture.erreurs.append(element.erreur("code du quartier manquant", colonne_code))
            continue
        codes = [code.strip().upper() for code in brut.split(",") if code.strip()]
        nom = " ".join(element.valeur("nom").split())
        # ANCT lists join several quartiers in one feature: "QN09404M, QN09439N" / "Chantereine, Grand Ensemble".
        noms = [n.strip() for n in nom.split(", ")] if len(codes) > 1 else [nom]
        if not nom:
            lecture.erreurs.append(element.erreur("nom du quartier manquant", colonne_nom))
        elif len(noms) != len(codes):
            lecture.erreurs.append(
                element.erreur(
                    f"{len(codes)} codes de quartier mais {len(noms)} noms : "
                    "impossible d'associer chaque nom à son code",
                    colonne_nom,
                )
            )
        trop_longs = [n for n in noms if nom_max is not None and len(n) > nom_max]
        for nom_quartier in trop_longs:
            lecture.erreurs.append(
                element.erreur(
                    f"nom du quartier trop long : {len(nom_quartier)} caractères, {nom_max} au plus", colonne_nom
                )
            )

        codes_valides = []
        for code in codes:
            generation_code = generation_du_code(code)
            if generation_code is None:
                lecture.erreurs.append(
                    element.erreur(
                        f"code de quartier mal formé « {code} » : attendu QN + département + 2 chiffres + lettre "
                        "(génération 2024, ex. QN09401M) ou QP + département + 3 chiffres (génération 2015, "
                        "ex. QP094001)",
                        colonne_code,
                    )
                )
            elif generation_fichier is not None and generation_code != generation_fichier:
                lecture.erreurs.append(
                    element.erreur(
                        f"code « {code} » de la génération {generation_code}, alors que la génération "
                        f"{generation_fichier} est attendue ({origine_generation}) : un fichier ne porte qu'une "
                        "génération",
                        colonne_code,
                    )
                )
            else:
                if generation_fichier is None:
                    generation_fichier, origine_generation = generation_code, f"d'après le code {code}, {origine}"
                codes_valides.append(code)

        communes, erreurs_communes = _communes_element(element, codes_valides, referentiel)
        lecture.erreurs.extend(erreurs_communes)
        if len(codes_valides) != len(codes) or len(noms) != len(codes) or not nom or trop_longs:
            continue
        for code, nom_quartier in zip(codes, noms, strict=True):
            quartier = quartiers.get(code)
            if quartier is None:
                quartier = quartiers[code] = _Quartier(nom_quartier, generation_du_code(code), origine)
            elif quartier.nom != nom_quartier:
                lecture.erreurs.append(
                    element.erreur(
                        f"le quartier {code} porte deux noms : « {quartier.nom} » ({quartier.origine}) "
                        f"et « {nom_quartier} » ici",
                        colonne_nom,
                    )
                )
            quartier.communes.update(communes)
            # A shared geometry (several quartiers in one feature) belongs to none of them.
            if element.geometrie is not None and len(codes) == 1:
                quartier.contours.append(element.geometrie)

    if not quartiers and not lecture.erreurs:
        lecture.erreurs.append(ErreurQPV(raison="aucun quartier dans le fichier"))
    if lecture.erreurs:
        return lecture

    lecture.generation = generation_fichier
    for code, quartier in sorted(quartiers.items()):
        lu = QPVLu(code=code, nom=quartier.nom, generation=quartier.generation, communes=sorted(quartier.communes))
        if quartier.contours:
            lu.geometrie, lu.longitude, lu.latitude = _contour(quartier.contours)
        lecture.qpv.append(lu)
    return lecture
