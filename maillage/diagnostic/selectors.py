"""Reads of the diagnostic territorial: the engine's inputs from the database, cached results, simulation,
comparison of two dates, and the map layers.

Inputs come from a fixed number of bulk queries (`values_list`, no query per row), whatever the size of the
territory:

- communes of the territory with their representative point, population and EPCI, and the Caf indicators
  (`IndicateurCommune`, `INDICATEURS_CAF` only: they feed the score; showing the figures themselves is the views'
  concern) of one millésime per indicator: the latest not after the year of the date, or else the earliest one
  available (a 2015 diagnostic uses the 2015 figures when they are loaded, the nearest ones otherwise);
- QPV touching those communes, of one generation: the one in force at the date (2015 before 1 January 2024,
  2024 after), or else the one loaded (the demo has only the 2024 list): both generations side by side would count
  a neighbourhood twice;
- structures active at the date (`structures_actives`, the one definition of "active") of the territory, **and of
  the neighbouring départements within reach**: a structure near the border serves communes across it. Every
  active structure whose position lies in the bounding box of the territory's commune points and QPV (points and
  outlines), enlarged on each side by the coverage distance (or the QPV buffer if larger) plus 10 %, is given to
  the engine. The engine measures distances to the communes' representative points and to the QPV, so nothing
  farther can change a figure. A zone de compétence only lists communes and QPV of the structure's own
  département (structure services), so competence never crosses a border.

Results are cached (Django cache) per (territory, date, parameters, data version). The data version
(`version_diagnostic`) changes whenever territories, structures, agréments, zones de compétence or parameters
change: bulk loads and imports (territories, QPV, indicators, structures, demo) are journaled by `Chargement`,
single edits by the audit trail (django-auditlog records Structure with its zone, Agrement, ParametresDiagnostic and
the territorial models). Two aggregate queries, shared by every process.

What the engine derives from the communes and QPV alone (`moteur.Preparation`: columns, projected points, QPV
outlines and their STRtree, plus the last nearest structures) is kept per (territory, date, data version): in
process (`_PREPARATIONS`, a few of them) and in the shared cache (`diagnostic:preparation1:…`, stored after the
first computation of the version), so that another process, or the simulation after the plain diagnostic, starts
from it instead of converting and projecting the inputs again (see docs/diagnostic.md).

An EPCI may span départements: `diagnostic_epci` builds its inputs from the EPCI's communes directly (structures of
any département within reach, same rule), with the parameters of the département holding most of its communes.
"""

import dataclasses
import datetime
import hashlib
import json
import math
import threading
import uuid
from collections import Counter, OrderedDict, defaultdict
from dataclasses import dataclass

import numpy as np
from auditlog.models import LogEntry
from django.contrib.contenttypes.models import ContentType
from django.core.cache import cache
from django.db.models import Exists, FloatField, Max, OuterRef, Q
from django.db.models.functions import Coalesce
from django.urls import reverse

from maillage.core import horloge
from maillage.structures.models import Agrement, Structure, TypeStructure
from maillage.structures.selectors import STATUTS_ACTIFS, structures_actives
from maillage.territoires import perimetres
from maillage.territoires.models import EPCI, QPV, Chargement, Commune, Departement, Region
from maillage.territoires.perimetres import Perimetre
from maillage.territoires.selectors import version_territoires

from . import moteur
from .models import INDICATEURS_CAF, Indicateur, IndicateurCommune, ParametresDiagnostic, Scenario

DUREE_CACHE = 24 * 60 * 60
# Degrees of latitude per kilometre (mean); a degree of longitude is shorter by cos(latitude).
KM_PAR_DEGRE = 111.32
MARGE_VOISINAGE = 1.10
# The QPV generation in force from this date (the 2024 list replaced the 2015 one on 1 January 2024).
DEBUT_QPV_2024 = datetime.date(2024, 1, 1)
# Populations légales of millésime N are in force from 1 January N + 3 (INSEE).
DECALAGE_POPULATION = 3
# Rules turning the database into the engine's inputs: part of the cache keys, so that a deployment changing them
# (populations in force at the date, issue 14) never serves inputs, results or preparations built by the old ones.
REGLES_ENTREES = "r2"

CHAMPS_SYNTHESE = tuple(f.name for f in dataclasses.fields(moteur.Synthese))


# --- Data version and parameters --------------------------------------------------------------


def version_diagnostic() -> str:
    """Changes whenever an input of the diagnostic changes: part of every cache key of this module."""
    dernier = Chargement.objects.aggregate(id=Max("id"), fin=Max("fin"))
    fin = dernier["fin"].timestamp() if dernier["fin"] else 0
    types = ContentType.objects.get_for_models(
        Region, Departement, EPCI, Commune, QPV, Structure, Agrement, ParametresDiagnostic
    ).values()
    journal = LogEntry.objects.filter(content_type__in=types).aggregate(id=Max("id"))["id"]
    return f"{dernier['id'] or 0}-{fin:.0f}-{journal or 0}"


def _parametres_depuis(ligne: ParametresDiagnostic | None) -> moteur.Parametres:
    defaut = moteur.Parametres()
    if ligne is None:
        return defaut
    poids = dict(defaut.poids)
    if ligne.poids:
        # Stored weights replace the defaults key by key; a component added later keeps its default weight.
        poids.update({cle: float(valeur) for cle, valeur in ligne.poids.items() if cle in poids})
    return moteur.Parametres(
        distance_couverture_km=float(ligne.distance_couverture_km),
        tampon_qpv_m=float(ligne.tampon_qpv_m),
        poids=poids,
    )


def parametres_du_departement(code: str) -> moteur.Parametres:
    """The département's stored parameters, or the defaults (moteur.Parametres) when it has none."""
    return _parametres_depuis(ParametresDiagnostic.objects.filter(departement_id=code).first())


def version_des_parametres(code: str) -> int:
    """The version of the département's stored parameters (0 when it has none yet): the parameters form's lock."""
    return ParametresDiagnostic.objects.filter(departement_id=code).values_list("version", flat=True).first() or 0


def _parametres_en_cache(code: str, version: str) -> moteur.Parametres:
    cle = f"diagnostic:parametres:{code}:{version}"
    parametres = cache.get(cle)
    if parametres is None:
        parametres = parametres_du_departement(code)
        cache.set(cle, parametres, DUREE_CACHE)
    return parametres


def _empreinte(parametres: moteur.Parametres) -> str:
    texte = json.dumps(
        [parametres.distance_couverture_km, parametres.tampon_qpv_m, sorted(parametres.poids.items())],
        separators=(",", ":"),
    )
    return hashlib.sha256(texte.encode()).hexdigest()[:16]


# --- Territories --------------------------------------------------------------------------------


@dataclass(frozen=True)
class Territoire:
    """What the diagnostic is computed on: a département, an EPCI within a département, a whole EPCI, or a
    périmètre of the département (`perimetres`: EPCI, EPT, a grouping) with its communes at the date."""

    departement: str | None = None
    epci: str | None = None
    perimetre: str | None = None  # the périmètre's value ("ept:200057941")
    communes: frozenset[str] | None = None  # the périmètre's communes (dated groupings: those at the date)

    @property
    def cle(self) -> str:
        cle = f"{self.departement or '-'}:{self.epci or '-'}"
        if self.perimetre is not None:
            # The communes themselves, not only the name: a pilote editing a grouping changes the key (and every
            # cache derived from it, the engine's preparation included).
            empreinte = hashlib.sha256(",".join(sorted(self.communes or ())).encode()).hexdigest()[:16]
            cle += f":{self.perimetre}:{empreinte}"
        return cle

    def filtre_communes(self, prefixe: str = "") -> Q:
        conditions = {}
        if self.departement:
            conditions[f"{prefixe}departement_id"] = self.departement
        if self.epci:
            conditions[f"{prefixe}epci_id"] = self.epci
        if self.communes is not None:
            conditions[f"{prefixe}code__in"] = sorted(self.communes)
        return Q(**conditions)

    @property
    def restreint(self) -> bool:
        """Part of a département (EPCI, périmètre) or a whole EPCI: structures are selected by commune and zone."""
        return bool(self.epci) or self.communes is not None


def territoire_du_perimetre(code: str, perimetre: Perimetre | None, date: datetime.date) -> Territoire:
    """The département, or its communes in `perimetre` at `date` (one query)."""
    if perimetre is None:
        return Territoire(departement=code)
    communes = perimetres.communes_du_perimetre(code, perimetre, date=date)
    return Territoire(departement=code, perimetre=perimetre.valeur, communes=frozenset(communes))


@dataclass(frozen=True)
class Entrees:
    """The engine's inputs for one territory at one date, with what was chosen to build them."""

    communes: tuple[moteur.CommuneEntree, ...]
    qpv: tuple[moteur.QPVEntree, ...]
    structures: tuple[moteur.StructureEntree, ...]
    # Structure id -> code of its département (structures of neighbouring départements are included).
    departements_structures: dict[int, str]
    generation_qpv: int | None
    millesimes: dict[str, int]  # Caf indicator -> millésime used
    # Why the QPV generation is not the one in force at the date (None when it is, or without any QPV).
    generation_qpv_raison: str | None = None
    # Millésime of the population used (the latest in force at the date, else the commune's reference one, which is
    # then not in force; None: unknown) → number of communes.
    millesimes_population: tuple[tuple[int | None, int], ...] = ()


@dataclass(frozen=True)
class Sources:
    """What a diagnostic was computed from, as pages and the API state it."""

    generation_qpv: int | None
    generation_qpv_raison: str | None
    population_millesime: int | None
    population_source: str


def sources_des_entrees(entrees: Entrees, date: datetime.date) -> Sources:
    millesime, phrase = phrase_population(dict(entrees.millesimes_population), date)
    return Sources(entrees.generation_qpv, entrees.generation_qpv_raison, millesime, phrase)


def _verifier_territoire(territoire: Territoire) -> None:
    if territoire.departement and not Departement.objects.filter(code=territoire.departement).exists():
        raise Departement.DoesNotExist(f"Département inconnu : {territoire.departement!r}.")
    if territoire.epci and not EPCI.objects.filter(code=territoire.epci).exists():
        raise EPCI.DoesNotExist(f"EPCI inconnu : {territoire.epci!r}.")


def _millesimes(disponibles: dict[str, set[int]], annee: int) -> dict[str, int]:
    choix = {}
    for indicateur, annees in disponibles.items():
        anterieures = [a for a in annees if a <= annee]
        choix[indicateur] = max(anterieures) if anterieures else min(annees)
    return choix


def _generation(generations: set[int], date: datetime.date) -> int | None:
    return generation_qpv(generations, date)[0]


def generation_qpv(generations: set[int], date: datetime.date) -> tuple[int | None, str | None]:
    """(QPV generation to use at `date` among those loaded, None when it is the one in force, else why not).

    The 2015 generation is in force until 31 December 2023, the 2024 one from 1 January 2024; when the one in force
    is not loaded, the other one is used (never both: a neighbourhood would count twice)."""
    if not generations:
        return None, None
    en_vigueur = 2024 if date >= DEBUT_QPV_2024 else 2015
    if en_vigueur in generations:
        return en_vigueur, None
    utilisee = max(generations)
    return utilisee, f"la génération {en_vigueur} n'est pas chargée : liste {utilisee} utilisée"


def population_en_vigueur(millesime: int) -> datetime.date:
    """The populations légales of millésime N are in force from 1 January N+3 (INSEE: 2013 → 2016)."""
    return datetime.date(millesime + DECALAGE_POPULATION, 1, 1)


def _population_a_la_date(
    importees: dict[int, int], reference: int | None, millesime_reference: int | None, date: datetime.date
) -> tuple[int | None, int | None]:
    """(population, millésime) of one commune at `date`: the latest millésime in force among those imported and
    the commune's reference one; else the reference population (not in force: pages say so)."""
    candidats = dict(importees)
    if millesime_reference is not None and reference is not None:
        candidats.setdefault(millesime_reference, reference)
    en_vigueur = [m for m in candidats if population_en_vigueur(m) <= date]
    if en_vigueur:
        millesime = max(en_vigueur)
        return candidats[millesime], millesime
    return reference, millesime_reference


def phrase_population(par_millesime: dict[int | None, int], date: datetime.date) -> tuple[int | None, str]:
    """(most common millésime among the communes, French sentence) from the number of communes per population
    millésime used at `date` (None: a reference population of unknown millésime). A millésime not in force at the
    date is a fallback: no millésime in force was imported for those communes, their reference population is used.
    """
    total = sum(par_millesime.values())
    if not total:
        return None, "Aucune commune."
    connus = {m: n for m, n in par_millesime.items() if m is not None}
    principal = min(connus.items(), key=lambda item: (-item[1], -item[0]))[0] if connus else None
    jour = date.strftime("%d/%m/%Y")

    def en_vigueur(millesime) -> bool:
        return millesime is not None and population_en_vigueur(millesime) <= date

    if principal is None:
        tete = f"population de référence des communes, de millésime inconnu : aucun millésime en vigueur au {jour}"
        tete += " n'est importé"
    elif en_vigueur(principal):
        tete = f"populations légales {principal} de l'INSEE, en vigueur au {jour} (depuis le 1er janvier "
        tete += f"{principal + DECALAGE_POPULATION})"
    else:
        tete = (
            f"populations légales {principal} (en vigueur seulement à partir du 1er janvier "
            f"{principal + DECALAGE_POPULATION}) : aucun millésime en vigueur au {jour} n'est importé, la population "
            "de référence des communes est utilisée"
        )
    if par_millesime[principal] < total:
        tete += f", pour {par_millesime[principal]} communes sur {total}"
        autres = []
        for millesime, nombre in sorted(par_millesime.items(), key=lambda item: (item[0] is None, item[0] or 0)):
            if millesime == principal:
                continue
            if millesime is None:
                quoi = "population de référence sans millésime connu"
            elif en_vigueur(millesime):
                quoi = f"millésime {millesime}"
            else:
                quoi = f"millésime {millesime}, hors vigueur (population de référence, faute de millésime importé)"
            autres.append(f"{nombre} commune{'s' if nombre > 1 else ''} : {quoi}")
        tete += " ; autres communes — " + " ; ".join(autres)
    return principal, tete[0].upper() + tete[1:] + "."


def _etendue_geometrie(texte: str) -> tuple[float, float, float, float] | None:
    """(min lon, min lat, max lon, max lat) of a GeoJSON geometry text, without building the shape."""
    try:
        geometrie = json.loads(texte)
        points = []

        def parcourir(coordonnees):
            if coordonnees and isinstance(coordonnees[0], int | float):
                points.append(coordonnees)
            else:
                for element in coordonnees:
                    parcourir(element)

        parcourir(geometrie["coordinates"])
        lons = [float(p[0]) for p in points]
        lats = [float(p[1]) for p in points]
        return min(lons), min(lats), max(lons), max(lats)
    except (ValueError, TypeError, KeyError, IndexError):
        return None


def _boite_voisinage(points: list[tuple[float, float]], etendues: list, portee_km: float):
    """The bounding box of the points and extents, enlarged by `portee_km` on each side; None when empty."""
    lons = [p[0] for p in points] + [e[0] for e in etendues] + [e[2] for e in etendues]
    lats = [p[1] for p in points] + [e[1] for e in etendues] + [e[3] for e in etendues]
    if not lons:
        return None
    marge_lat = portee_km * MARGE_VOISINAGE / KM_PAR_DEGRE
    lat_min, lat_max = min(lats) - marge_lat, max(lats) + marge_lat
    # A degree of longitude is shortest at the latitude farthest from the equator.
    cos = max(math.cos(math.radians(min(89.0, max(abs(lat_min), abs(lat_max))))), 0.01)
    marge_lon = portee_km * MARGE_VOISINAGE / (KM_PAR_DEGRE * cos)
    return min(lons) - marge_lon, lat_min, max(lons) + marge_lon, lat_max


def _communes_lues(territoire: Territoire) -> tuple[list, dict, dict, dict]:
    """The territory's communes (rows), their Caf indicators and imported populations of every millésime: what does
    not depend on the date."""
    lignes = list(
        Commune.objects.filter(territoire.filtre_communes())
        .order_by("code")
        .values_list("code", "nom", "population", "longitude", "latitude", "epci_id", "population_millesime")
    )
    valeurs: dict[str, dict[str, dict[int, float]]] = defaultdict(lambda: defaultdict(dict))
    disponibles: dict[str, set[int]] = defaultdict(set)
    populations: dict[str, dict[int, int]] = defaultdict(dict)
    for commune, indicateur, millesime, valeur in IndicateurCommune.objects.filter(
        territoire.filtre_communes("commune__"), indicateur__in=[*INDICATEURS_CAF, Indicateur.POPULATION]
    ).values_list("commune_id", "indicateur", "millesime", "valeur"):
        if indicateur == Indicateur.POPULATION:
            populations[commune][millesime] = int(valeur)
            continue
        valeurs[commune][indicateur][millesime] = float(valeur)
        disponibles[indicateur].add(millesime)
    return lignes, valeurs, disponibles, populations


def _communes_a_la_date(lues: tuple[list, dict, dict, dict], date: datetime.date):
    """(communes as the engine takes them, Caf millésimes chosen, communes per population millésime) at `date`."""
    lignes, valeurs, disponibles, populations = lues
    millesimes = _millesimes(disponibles, date.year)
    communes = []
    par_millesime: Counter = Counter()
    for code, nom, reference, longitude, latitude, epci, millesime_reference in lignes:
        indicateurs = {
            indicateur: par_annee[millesimes[indicateur]]
            for indicateur, par_annee in valeurs.get(code, {}).items()
            if millesimes[indicateur] in par_annee
        }
        population, millesime = _population_a_la_date(populations.get(code, {}), reference, millesime_reference, date)
        par_millesime[millesime] += 1
        communes.append(
            moteur.CommuneEntree(
                code=code,
                nom=nom,
                population=population,
                longitude=longitude,
                latitude=latitude,
                epci=epci,
                indicateurs=indicateurs,
            )
        )
    resume = tuple(sorted(par_millesime.items(), key=lambda item: (item[0] is None, item[0] or 0)))
    return tuple(communes), millesimes, resume


def _qpv_entrees(qpv_lignes: list, communes_qpv: dict[str, list[str]], generation: int | None):
    return tuple(
        moteur.QPVEntree(
            code=code,
            nom=nom,
            communes=tuple(sorted(communes_qpv.get(code, ()))),
            geometrie=geometrie or None,
            longitude=longitude,
            latitude=latitude,
        )
        for code, nom, gen, geometrie, longitude, latitude in qpv_lignes
        if gen == generation
    )


def _boite_du_territoire(communes, qpv, portee_km: float):
    points = [(c.longitude, c.latitude) for c in communes if c.longitude is not None and c.latitude is not None]
    points += [(q.longitude, q.latitude) for q in qpv if q.longitude is not None and q.latitude is not None]
    etendues = [e for q in qpv if q.geometrie and (e := _etendue_geometrie(q.geometrie))]
    return _boite_voisinage(points, etendues, portee_km)


def _structures_positionnees(structures):
    """Structures with their position (their own, else their commune's) as `lon`, `lat`."""
    return structures.annotate(
        lon=Coalesce("longitude", "commune__longitude", output_field=FloatField()),
        lat=Coalesce("latitude", "commune__latitude", output_field=FloatField()),
    )


def _dans_la_boite(boite) -> Q:
    return Q(lon__gte=boite[0], lat__gte=boite[1], lon__lte=boite[2], lat__lte=boite[3])


CHAMPS_STRUCTURE = ("pk", "nom", "type", "commune_id", "departement_id", "lon", "lat")


def _structures_entrees(structures_lignes: list, zones: tuple[dict, dict]):
    zone_communes, zone_qpv_codes = zones
    return tuple(
        moteur.StructureEntree(
            id=pk,
            nom=nom,
            type=type_,
            commune=commune,
            longitude=lon,
            latitude=lat,
            zone_communes=tuple(sorted(zone_communes.get(pk, ()))),
            zone_qpv=tuple(sorted(zone_qpv_codes.get(pk, ()))),
        )
        for pk, nom, type_, commune, _, lon, lat in structures_lignes
    )


def _zones(ids) -> tuple[dict, dict]:
    """Zones de compétence (communes, QPV) of the structures `ids`."""
    zone_communes: dict[int, list[str]] = defaultdict(list)
    for structure_id, commune_code in Structure.communes_competence.through.objects.filter(
        structure_id__in=ids
    ).values_list("structure_id", "commune_id"):
        zone_communes[structure_id].append(commune_code)
    zone_qpv_codes: dict[int, list[str]] = defaultdict(list)
    for structure_id, qpv_code in Structure.qpv_competence.through.objects.filter(structure_id__in=ids).values_list(
        "structure_id", "qpv_id"
    ):
        zone_qpv_codes[structure_id].append(qpv_code)
    return zone_communes, zone_qpv_codes


def _generations_du_departement(code: str) -> set[int]:
    return set(
        QPV.objects.filter(communes__departement_id=code).order_by().values_list("generation", flat=True).distinct()
    )


def _construire_entrees(territoire: Territoire, date: datetime.date, portee_km: float) -> Entrees:
    communes, millesimes, populations = _communes_a_la_date(_communes_lues(territoire), date)

    # QPV touching the territory's communes, with all their communes (a QPV may straddle a border).
    liens = QPV.communes.through.objects
    touchant = liens.filter(territoire.filtre_communes("commune__")).values("qpv_id")
    qpv_lignes = list(
        QPV.objects.filter(code__in=touchant)
        .order_by("code")
        .values_list("code", "nom", "generation", "geometrie", "longitude", "latitude")
    )
    generations = {ligne[2] for ligne in qpv_lignes}
    if territoire.communes is not None and territoire.departement:
        # A périmètre uses the generation of its département: the same list as the département's diagnostic.
        generations = _generations_du_departement(territoire.departement)
    generation, raison = generation_qpv(generations, date)
    communes_qpv: dict[str, list[str]] = defaultdict(list)
    for qpv_code, commune_code in liens.filter(qpv_id__in=touchant, qpv__generation=generation).values_list(
        "qpv_id", "commune_id"
    ):
        communes_qpv[qpv_code].append(commune_code)
    qpv = _qpv_entrees(qpv_lignes, communes_qpv, generation)

    # Active structures of the territory, and those within reach across its borders.
    boite = _boite_du_territoire(communes, qpv, portee_km)
    actives = _structures_positionnees(structures_actives(date))
    if territoire.restreint:
        zone = Structure.communes_competence.through.objects.filter(structure_id=OuterRef("pk"))
        zone = zone.filter(territoire.filtre_communes("commune__"))
        zone_qpv = Structure.qpv_competence.through.objects.filter(structure_id=OuterRef("pk"), qpv_id__in=touchant)
        selection = Q(territoire.filtre_communes("commune__")) | Exists(zone) | Exists(zone_qpv)
    else:
        # A structure's zone only lists communes and QPV of its own département.
        selection = Q(departement_id=territoire.departement)
    if boite is not None:
        selection |= _dans_la_boite(boite)
    structures_lignes = list(actives.filter(selection).order_by("pk").values_list(*CHAMPS_STRUCTURE))
    return Entrees(
        communes=communes,
        qpv=qpv,
        structures=_structures_entrees(structures_lignes, _zones([ligne[0] for ligne in structures_lignes])),
        departements_structures={ligne[0]: ligne[4] for ligne in structures_lignes},
        generation_qpv=generation,
        millesimes=dict(millesimes),
        generation_qpv_raison=raison,
        millesimes_population=populations,
    )


def _construire_entrees_dates(code: str, dates: list[datetime.date], portee_km: float) -> dict[datetime.date, Entrees]:
    """`_construire_entrees` of a département at several dates (a yearly series), reading once what does not depend
    on the date: communes and indicators, QPV of every generation, the structures that may be within reach at one of
    the dates with their agréments' periods and zones. The same inputs, date by date (tests compare them)."""
    territoire = Territoire(departement=code)
    lues = _communes_lues(territoire)
    liens = QPV.communes.through.objects
    touchant = liens.filter(territoire.filtre_communes("commune__")).values("qpv_id")
    qpv_lignes = list(
        QPV.objects.filter(code__in=touchant)
        .order_by("code")
        .values_list("code", "nom", "generation", "geometrie", "longitude", "latitude")
    )
    generations = {ligne[2] for ligne in qpv_lignes}
    communes_qpv: dict[int | None, dict[str, list[str]]] = defaultdict(lambda: defaultdict(list))
    for qpv_code, commune_code, generation in liens.filter(qpv_id__in=touchant).values_list(
        "qpv_id", "commune_id", "qpv__generation"
    ):
        communes_qpv[generation][qpv_code].append(commune_code)
    par_date = {}
    for date in dates:
        communes, millesimes, populations = _communes_a_la_date(lues, date)
        generation, raison = generation_qpv(generations, date)
        qpv = _qpv_entrees(qpv_lignes, communes_qpv[generation], generation)
        boite = _boite_du_territoire(communes, qpv, portee_km)
        par_date[date] = (communes, millesimes, generation, qpv, boite, raison, populations)

    # Structures of the département or in one of the boxes, holding an agrément that may make them active.
    selection = Q(departement_id=code)
    for boite in {p[4] for p in par_date.values() if p[4] is not None}:
        selection |= _dans_la_boite(boite)
    candidates = _structures_positionnees(
        Structure.objects.filter(Exists(Agrement.objects.filter(structure=OuterRef("pk"), statut__in=STATUTS_ACTIFS)))
    )
    lignes = list(candidates.filter(selection).order_by("pk").values_list(*CHAMPS_STRUCTURE))
    ids = [ligne[0] for ligne in lignes]
    periodes: dict[int, list[tuple[datetime.date, datetime.date]]] = defaultdict(list)
    for structure_id, debut, fin in Agrement.objects.filter(
        structure_id__in=ids, statut__in=STATUTS_ACTIFS
    ).values_list("structure_id", "debut", "fin"):
        periodes[structure_id].append((debut, fin))
    zones = _zones(ids)

    def retenue(ligne, date, boite) -> bool:
        # structures_actives (an agrément covering the date), and the département or the box (SQL's NULL: out).
        if not any(debut <= date <= fin for debut, fin in periodes[ligne[0]]):
            return False
        if ligne[4] == code:
            return True
        lon, lat = ligne[5], ligne[6]
        return (
            boite is not None
            and lon is not None
            and lat is not None
            and boite[0] <= lon <= boite[2]
            and boite[1] <= lat <= boite[3]
        )

    entrees = {}
    for date, (communes, millesimes, generation, qpv, boite, raison, populations) in par_date.items():
        structures_lignes = [ligne for ligne in lignes if retenue(ligne, date, boite)]
        entrees[date] = Entrees(
            communes=communes,
            qpv=qpv,
            structures=_structures_entrees(structures_lignes, zones),
            departements_structures={ligne[0]: ligne[4] for ligne in structures_lignes},
            generation_qpv=generation,
            millesimes=dict(millesimes),
            generation_qpv_raison=raison,
            millesimes_population=populations,
        )
    return entrees


def _portee_km(parametres: moteur.Parametres) -> float:
    return max(float(parametres.distance_couverture_km), float(parametres.tampon_qpv_m) / 1000)


def _entrees(territoire: Territoire, date: datetime.date, parametres: moteur.Parametres, version: str) -> Entrees:
    portee = _portee_km(parametres)
    cle = f"diagnostic:entrees{REGLES_ENTREES}:{territoire.cle}:{date.isoformat()}:{portee:g}:{version}"
    entrees = cache.get(cle)
    if entrees is None:
        _verifier_territoire(territoire)
        entrees = _construire_entrees(territoire, date, portee)
        cache.set(cle, entrees, DUREE_CACHE)
    return entrees


# Prepared inputs of the last territories computed in this process (national: a few MB each; département: ~100 kB),
# by key: (token, preparation). The token is also in the shared cache: an entry is only used while the shared cache
# holds the same token, so the process memo never outlives the cache (cleared, expired, evicted).
_PREPARATIONS: OrderedDict[str, tuple[str, moteur.Preparation]] = OrderedDict()
PREPARATIONS_EN_MEMOIRE = 8
_VERROU_PREPARATIONS = threading.Lock()


def _cle_preparation(territoire: Territoire, date: datetime.date) -> str:
    # Communes and QPV depend on the territory, the date (millésimes, QPV generation) and the territorial data
    # (territories, QPV, indicators: loads and imports are journaled, edits audited), not on the structures nor
    # the parameters: a structure edit keeps the preparation, whose nearest structures are then updated. The
    # populations are those in force at the date (in the key) from the imports (journaled: in the version).
    return (
        f"diagnostic:preparation{moteur.FORMAT_PREPARATION}{REGLES_ENTREES}:{territoire.cle}:{date.isoformat()}:"
        f"{version_territoires()}"
    )


def _diagnostiquer(entrees: Entrees, parametres: moteur.Parametres, cle: str | None = None) -> moteur.Resultat:
    """The engine on `entrees`; with `cle` (_cle_preparation of these entries) its prepared inputs are reused from
    this process or the shared cache, or prepared and shared after the computation."""
    communes, qpv, structures = list(entrees.communes), list(entrees.qpv), list(entrees.structures)
    if cle is None:
        return moteur.diagnostiquer(communes=communes, qpv=qpv, structures=structures, parametres=parametres)
    jeton = cache.get(f"{cle}:jeton")
    with _VERROU_PREPARATIONS:
        connue = _PREPARATIONS.get(cle)
    preparation = connue[1] if connue is not None and jeton is not None and connue[0] == jeton else None
    partager = False
    if preparation is None and jeton is not None:
        partagee = cache.get(cle)
        if partagee is not None and partagee[0] == jeton:
            preparation = partagee[1]
    if preparation is not None and not _correspond(preparation, communes, qpv):
        preparation = None  # a change the key missed: prepare again rather than use other communes' columns
    if preparation is None:
        jeton, preparation, partager = uuid.uuid4().hex, moteur.preparer(communes, qpv), True
    resultat = moteur.diagnostiquer(
        communes=communes, qpv=qpv, structures=structures, parametres=parametres, preparation=preparation
    )
    if partager:
        # After the computation: the shared copy carries this version's nearest structures too.
        cache.set_many({cle: (jeton, preparation), f"{cle}:jeton": jeton}, DUREE_CACHE)
    with _VERROU_PREPARATIONS:
        _PREPARATIONS[cle] = (jeton, preparation)
        _PREPARATIONS.move_to_end(cle)
        while len(_PREPARATIONS) > PREPARATIONS_EN_MEMOIRE:
            _PREPARATIONS.popitem(last=False)
    return resultat


def _resultat(territoire: Territoire, date: datetime.date, parametres: moteur.Parametres, version: str):
    # "resultat2": results gained `Synthese.communes_non_couvertes`; a shared cache (Redis) serves no older one.
    cle = f"diagnostic:resultat2{REGLES_ENTREES}:{territoire.cle}:{date.isoformat()}:{_empreinte(parametres)}:{version}"
    resultat = cache.get(cle)
    if resultat is None:
        resultat = _diagnostiquer(
            _entrees(territoire, date, parametres, version), parametres, _cle_preparation(territoire, date)
        )
        cache.set(cle, resultat, DUREE_CACHE)
    return resultat


def _correspond(preparation: moteur.Preparation, communes: list, qpv: list) -> bool:
    if preparation.territoire.codes != [c.code for c in communes]:
        return False
    if list(preparation.quartiers.index) != [q.code for q in qpv]:
        return False
    # The populations too (the millésime in force depends on the date): NaN for unknown on both sides.
    populations = np.array([c.population for c in communes], dtype=float).reshape(len(communes))
    populations[~(populations >= 0)] = np.nan
    return preparation.territoire.population is None or np.array_equal(
        preparation.territoire.population, populations, equal_nan=True
    )


# --- The contract -----------------------------------------------------------------------------


def _territoire(code: str, date: datetime.date, epci: str | None, perimetre: Perimetre | None) -> Territoire:
    if perimetre is not None:
        return territoire_du_perimetre(code, perimetre, date)
    return Territoire(departement=code, epci=epci)


def entrees_diagnostic(
    code: str,
    date: datetime.date,
    *,
    parametres: moteur.Parametres | None = None,
    epci: str | None = None,
    perimetre: Perimetre | None = None,
) -> Entrees:
    """The engine's inputs for a département (or an EPCI, a périmètre within it) at `date` (cached like the
    results)."""
    version = version_diagnostic()
    parametres = parametres or _parametres_en_cache(code, version)
    return _entrees(_territoire(code, date, epci, perimetre), date, parametres, version)


def sources_diagnostic(code: str, date: datetime.date, *, perimetre: Perimetre | None = None) -> Sources:
    """Which QPV generation and which population millésimes the diagnostic used (from its cached inputs)."""
    return diagnostic_et_sources(code, date, perimetre=perimetre)[1]


def diagnostic_et_sources(
    code: str, date: datetime.date, *, perimetre: Perimetre | None = None
) -> tuple[moteur.Resultat, Sources]:
    """`diagnostic_departement` and `sources_diagnostic` at once (one data version, one read of the périmètre)."""
    version = version_diagnostic()
    parametres = _parametres_en_cache(code, version)
    territoire = _territoire(code, date, None, perimetre)
    resultat = _resultat(territoire, date, parametres, version)
    return resultat, sources_des_entrees(_entrees(territoire, date, parametres, version), date)


def sources_epci(siren: str, date: datetime.date) -> Sources:
    version = version_diagnostic()
    departement = departement_principal_epci(siren)
    entrees = _entrees(Territoire(epci=siren), date, _parametres_en_cache(departement, version), version)
    return sources_des_entrees(entrees, date)


def diagnostic_departement(
    code: str,
    date: datetime.date,
    *,
    parametres: moteur.Parametres | None = None,
    epci: str | None = None,
    perimetre: Perimetre | None = None,
) -> moteur.Resultat:
    """Coverage of a département at `date`, or of the communes of one EPCI within it (`epci` = SIREN), or of one
    of its périmètres (`perimetre`, from `perimetres.perimetre_lu`: its communes at `date`).

    Raises Departement.DoesNotExist for an unknown département, EPCI.DoesNotExist for an unknown EPCI.
    Cached per (territory, date, parameters, data version): the warm path is the data version's two queries (and
    the périmètre's communes).
    """
    version = version_diagnostic()
    parametres = parametres or _parametres_en_cache(code, version)
    return _resultat(_territoire(code, date, epci, perimetre), date, parametres, version)


def preparer_diagnostics(codes: list[str] | None = None, date: datetime.date | None = None) -> list[str]:
    """The diagnostic of each département (`codes`, or every département with communes) at `date` (today by
    default), computed now: its result and the engine's prepared inputs go to the shared cache, so that the first
    pilote after an import gets the "new process, same version" cost (command `preparer_diagnostic`).
    Raises Departement.DoesNotExist, before computing anything, for an unknown code."""
    date = date or horloge.aujourdhui()
    if codes is None:
        codes = sorted(set(Commune.objects.values_list("departement_id", flat=True)))
    else:
        connus = set(Departement.objects.filter(code__in=codes).values_list("code", flat=True))
        inconnus = [code for code in codes if code not in connus]
        if inconnus:
            raise Departement.DoesNotExist(f"Département(s) inconnu(s) : {', '.join(inconnus)}.")
    for code in codes:
        diagnostic_departement(code, date)
    return list(codes)


def diagnostics_departement(
    code: str, dates, *, parametres: moteur.Parametres | None = None
) -> dict[datetime.date, tuple[moteur.Resultat, int | None]]:
    """`diagnostic_departement` at several dates (a yearly series), each with the QPV generation it used.

    Results already in the cache are reused; the others are computed from inputs read once for all of them
    (`_construire_entrees_dates`: one read of the structures within reach instead of one per date) and cached under
    `diagnostic_departement`'s keys. Raises Departement.DoesNotExist for an unknown département."""
    version = version_diagnostic()
    parametres = parametres or _parametres_en_cache(code, version)
    territoire = Territoire(departement=code)
    empreinte, portee = _empreinte(parametres), _portee_km(parametres)

    def cles(date):
        suffixe = f"{territoire.cle}:{date.isoformat()}:{empreinte}:{version}"
        return f"diagnostic:resultat2{REGLES_ENTREES}:{suffixe}", f"diagnostic:generation:{suffixe}"

    resultats, manquantes = {}, []
    for date in sorted(set(dates)):
        cle_resultat, cle_generation = cles(date)
        trouves = cache.get_many([cle_resultat, cle_generation])
        if len(trouves) == 2:
            resultats[date] = (trouves[cle_resultat], trouves[cle_generation])
        else:
            manquantes.append(date)
    if manquantes:
        _verifier_territoire(territoire)
        for date, entrees in _construire_entrees_dates(code, manquantes, portee).items():
            resultat = _diagnostiquer(entrees, parametres, _cle_preparation(territoire, date))
            cle_resultat, cle_generation = cles(date)
            cache.set_many({cle_resultat: resultat, cle_generation: entrees.generation_qpv}, DUREE_CACHE)
            resultats[date] = (resultat, entrees.generation_qpv)
    return resultats


def departement_principal_epci(siren: str) -> str:
    """The département holding most of an EPCI's communes (ties: the smallest code). EPCI.DoesNotExist if none."""
    codes = Counter(Commune.objects.filter(epci_id=siren).values_list("departement_id", flat=True))
    if not codes:
        raise EPCI.DoesNotExist(f"EPCI inconnu ou sans commune : {siren!r}.")
    return min(codes, key=lambda code: (-codes[code], code))


def diagnostic_epci(
    siren: str, date: datetime.date, *, parametres: moteur.Parametres | None = None
) -> tuple[str, moteur.Resultat]:
    """Coverage of all the communes of an EPCI, across départements if it spans several.

    Returns (département whose parameters were used: the one holding most of its communes, result).
    """
    version = version_diagnostic()
    cle = f"diagnostic:epci-departement:{siren}:{version}"
    departement = cache.get(cle)
    if departement is None:
        departement = departement_principal_epci(siren)
        cache.set(cle, departement, DUREE_CACHE)
    parametres = parametres or _parametres_en_cache(departement, version)
    return departement, _resultat(Territoire(epci=siren), date, parametres, version)


@dataclass
class Simulation:
    avant: moteur.Resultat
    apres: moteur.Resultat
    ecarts: dict[str, tuple]  # synthesis field -> (avant, après, différence)
    classement: list[dict]  # communes whose rank changed: code, nom, rang_avant, rang_apres
    ajouts: list[moteur.StructureEntree]
    fermetures: list[int]
    sources: Sources  # the QPV generation and population millésime used, as on the diagnostic page


@dataclass
class Comparaison:
    a: moteur.Resultat
    b: moteur.Resultat
    ecarts: dict[str, tuple]
    # Communes whose coverage, structure count or rank changed:
    # code, nom, couverte_a, couverte_b, structures_a, structures_b, rang_a, rang_b
    communes: list[dict]


def _difference(avant, apres):
    if avant is None or apres is None:
        return None
    difference = apres - avant
    return round(difference, 6) if isinstance(difference, float) else difference


def ecarts_synthese(avant: moteur.Synthese, apres: moteur.Synthese) -> dict[str, tuple]:
    """Every synthesis field -> (avant, après, différence); the difference is None when a value is missing."""
    return {
        champ: (getattr(avant, champ), getattr(apres, champ), _difference(getattr(avant, champ), getattr(apres, champ)))
        for champ in CHAMPS_SYNTHESE
    }


def _cle_rang(rang: int | None) -> tuple[int, int]:
    return (0, rang) if rang is not None else (1, 0)


def _nombre(valeur, nom: str) -> float:
    if isinstance(valeur, bool) or not isinstance(valeur, int | float | str):
        raise ValueError(f"{nom} doit être un nombre.")
    try:
        nombre = float(valeur)
    except ValueError:
        raise ValueError(f"{nom} doit être un nombre (en degrés décimaux) : {valeur!r}.") from None
    if not math.isfinite(nombre):
        raise ValueError(f"{nom} doit être un nombre fini.")
    return nombre


def structures_hypothetiques(ajouts: list[dict], communes: dict[str, moteur.CommuneEntree]):
    """Hypothetical structures (negative ids) from `ajouts`; ValueError with a French message when one is wrong.

    Each item is {"nom"?, "type": "centre_social"|"evs", "commune": INSEE code, "longitude"?, "latitude"?}; the
    position defaults to the commune's representative point. The commune must be one of the territory's.
    """
    if not isinstance(ajouts, list | tuple):
        raise ValueError("Les structures ajoutées doivent former une liste.")
    resultat = []
    for numero, ajout in enumerate(ajouts, start=1):
        prefixe = f"Structure ajoutée n° {numero} :"
        if not isinstance(ajout, dict):
            raise ValueError(f"{prefixe} attendu un objet avec type, commune et éventuellement nom et position.")
        type_ = ajout.get("type")
        if type_ not in TypeStructure.values:
            raise ValueError(
                f"{prefixe} type inconnu {type_!r} (valeurs possibles : {', '.join(TypeStructure.values)})."
            )
        code = str(ajout.get("commune") or "").strip().upper()
        commune = communes.get(code)
        if commune is None:
            raise ValueError(f"{prefixe} commune {code!r} inconnue dans ce territoire.")
        longitude, latitude = ajout.get("longitude"), ajout.get("latitude")
        if (longitude is None) != (latitude is None):
            raise ValueError(f"{prefixe} indiquez la longitude et la latitude, ou aucune des deux.")
        if longitude is None:
            longitude, latitude = commune.longitude, commune.latitude
        else:
            longitude, latitude = _nombre(longitude, "La longitude"), _nombre(latitude, "La latitude")
            if not -180 <= longitude <= 180:
                raise ValueError(f"{prefixe} la longitude doit être comprise entre -180 et 180 degrés.")
            if not -90 <= latitude <= 90:
                raise ValueError(f"{prefixe} la latitude doit être comprise entre -90 et 90 degrés.")
        libelle = TypeStructure(type_).label
        nom = str(ajout.get("nom") or "").strip()[:250] or f"{libelle} hypothétique à {commune.nom}"
        resultat.append(
            moteur.StructureEntree(
                id=-numero, nom=nom, type=type_, commune=code, longitude=longitude, latitude=latitude
            )
        )
    return resultat


def simuler(
    code: str,
    date: datetime.date,
    *,
    ajouts: list[dict],
    fermetures: list[int],
    parametres: moteur.Parametres | None = None,
) -> Simulation:
    """The département's diagnostic before and after opening hypothetical structures and closing existing ones.

    `fermetures` are ids of structures of the département (others: ValueError); closing a structure that is not
    active at `date` changes nothing. Raises Departement.DoesNotExist for an unknown département.
    """
    version = version_diagnostic()
    parametres = parametres or _parametres_en_cache(code, version)
    territoire = Territoire(departement=code)
    entrees = _entrees(territoire, date, parametres, version)
    try:
        fermees = sorted({int(pk) for pk in fermetures or ()})
    except (TypeError, ValueError):
        raise ValueError("Les structures fermées se désignent par leur identifiant (nombre entier).") from None
    if fermees:
        connues = set(Structure.objects.filter(pk__in=fermees, departement_id=code).values_list("pk", flat=True))
        inconnues = [pk for pk in fermees if pk not in connues]
        if inconnues:
            raise ValueError(
                f"Structures inconnues dans le département {code} : {', '.join(str(pk) for pk in inconnues)}."
            )
    nouvelles = structures_hypothetiques(ajouts, {c.code: c for c in entrees.communes})
    avant = _resultat(territoire, date, parametres, version)
    if not nouvelles and not fermees:
        apres = avant
    else:
        fermees_set = set(fermees)
        modifiees = dataclasses.replace(
            entrees,
            structures=tuple(s for s in entrees.structures if s.id not in fermees_set) + tuple(nouvelles),
        )
        # Same communes and QPV: the prepared inputs, and the nearest structures updated for the few changed.
        apres = _diagnostiquer(modifiees, parametres, _cle_preparation(territoire, date))
    rangs_apres = {c.code: c.rang for c in apres.communes}
    classement = [
        {"code": c.code, "nom": c.nom, "rang_avant": c.rang, "rang_apres": rangs_apres.get(c.code)}
        for c in avant.communes
        if c.rang != rangs_apres.get(c.code)
    ]
    classement.sort(key=lambda ligne: (_cle_rang(ligne["rang_apres"]), _cle_rang(ligne["rang_avant"]), ligne["code"]))
    return Simulation(
        avant=avant,
        apres=apres,
        ecarts=ecarts_synthese(avant.synthese, apres.synthese),
        classement=classement,
        ajouts=nouvelles,
        fermetures=fermees,
        sources=sources_des_entrees(entrees, date),
    )


def comparer(
    code: str,
    date_a: datetime.date,
    date_b: datetime.date,
    *,
    epci: str | None = None,
    perimetre: Perimetre | None = None,
) -> Comparaison:
    """The diagnostic at two dates (same parameters, the département's) and what changed between them. A périmètre
    is taken with its communes at `date_b` at both dates: the same communes compared."""
    version = version_diagnostic()
    parametres = _parametres_en_cache(code, version)
    territoire = _territoire(code, date_b, epci, perimetre)
    a = _resultat(territoire, date_a, parametres, version)
    b = _resultat(territoire, date_b, parametres, version)
    par_code_b = {c.code: c for c in b.communes}
    communes = []
    for ca in a.communes:
        cb = par_code_b.get(ca.code)
        if cb is None:
            continue
        if (ca.couverte, ca.structures, ca.rang) != (cb.couverte, cb.structures, cb.rang):
            communes.append(
                {
                    "code": ca.code,
                    "nom": ca.nom,
                    "couverte_a": ca.couverte,
                    "couverte_b": cb.couverte,
                    "structures_a": ca.structures,
                    "structures_b": cb.structures,
                    "rang_a": ca.rang,
                    "rang_b": cb.rang,
                }
            )
    communes.sort(key=lambda ligne: (_cle_rang(ligne["rang_b"]), ligne["nom"], ligne["code"]))
    return Comparaison(a=a, b=b, ecarts=ecarts_synthese(a.synthese, b.synthese), communes=communes)


# --- Pages' lists -----------------------------------------------------------------------------


def communes_pour_choix(code: str) -> list[tuple[str, str]]:
    """(code, name) of the département's communes, by name."""
    return list(Commune.objects.filter(departement_id=code).order_by("nom", "code").values_list("code", "nom"))


def geometries_communes(code: str) -> dict[str, str]:
    """The outlines (GeoJSON text) of the département's communes that have one, by code."""
    return dict(Commune.objects.filter(departement_id=code).exclude(geometrie="").values_list("code", "geometrie"))


def indicateurs_caf(code: str) -> tuple[dict[str, dict[str, float]], dict]:
    """Latest imported Caf figure of each commune of the département, and the millésimes/sources used."""
    valeurs: dict[str, dict[str, float]] = {}
    sources: dict[str, set] = {}
    for commune, indicateur, millesime, valeur, source in (
        IndicateurCommune.objects.filter(commune__departement_id=code, indicateur__in=list(INDICATEURS_CAF))
        .order_by("commune_id", "indicateur", "-millesime")
        .values_list("commune_id", "indicateur", "millesime", "valeur", "source")
    ):
        par_commune = valeurs.setdefault(commune, {})
        if indicateur not in par_commune:
            par_commune[indicateur] = float(valeur)
            sources.setdefault(f"{source} ({millesime})", set()).add(indicateur)
    return valeurs, sources


# --- Scenarios ----------------------------------------------------------------------------------


def scenario_du_departement(code: str, identifiant) -> Scenario | None:
    """A scenario of the département by its id as typed in a URL or a form (None when unknown or malformed)."""
    identifiant = str(identifiant)
    return Scenario.objects.filter(pk=identifiant if identifiant.isdigit() else 0, departement_id=code).first()


def scenarios_du_departement(code: str):
    """The département's scenarios with their author (each reader sees those `scenario.voir` allows)."""
    return Scenario.objects.filter(departement_id=code).select_related("auteur")


def scenario_detaille(pk) -> Scenario | None:
    return Scenario.objects.select_related("departement", "auteur").filter(pk=pk).first()


def fermetures_du_scenario(scenario: Scenario) -> list[int]:
    """Ids of the structures the scenario closes."""
    return list(scenario.fermetures.values_list("pk", flat=True))


# --- Map layers ---------------------------------------------------------------------------------


def structures_pour_carte(code: str, date: datetime.date) -> list[dict]:
    """Markers of the structures the diagnostic used at `date`: the département's, and its neighbours' within reach
    (`voisine` True, `departement` their code). Items: id, nom, type, commune, commune_nom, departement, voisine,
    longitude, latitude, url."""
    version = version_diagnostic()
    parametres = _parametres_en_cache(code, version)
    cle = f"diagnostic:carte:{code}:{date.isoformat()}:{_portee_km(parametres):g}:{version}"
    marqueurs = cache.get(cle)
    if marqueurs is None:
        entrees = _entrees(Territoire(departement=code), date, parametres, version)
        noms_communes = dict(
            Commune.objects.filter(code__in={s.commune for s in entrees.structures}).values_list("code", "nom")
        )
        modele = reverse("structures:structure", args=[0])
        marqueurs = [
            {
                "id": s.id,
                "nom": s.nom,
                "type": s.type,
                "commune": s.commune,
                "commune_nom": noms_communes.get(s.commune, ""),
                "departement": entrees.departements_structures.get(s.id),
                "voisine": entrees.departements_structures.get(s.id) != code,
                "longitude": s.longitude,
                "latitude": s.latitude,
                "url": modele.replace("/0/", f"/{s.id}/"),
            }
            for s in sorted(entrees.structures, key=lambda s: (s.nom, s.id))
        ]
        cache.set(cle, marqueurs, DUREE_CACHE)
    return marqueurs


def _geojson_valide(texte: str) -> bool:
    try:
        return isinstance(json.loads(texte), dict)
    except ValueError:
        return False


def qpv_geojson(code: str, date: datetime.date | None = None) -> bytes:
    """The QPV the diagnostic uses for the département (generation chosen for `date`, today by default) as a
    GeoJSON FeatureCollection: outlines when known, else their point; QPV with neither are left out.
    Properties: code, nom, communes, generation, contour (bool)."""
    date = date or horloge.aujourdhui()
    version = version_diagnostic()
    parametres = _parametres_en_cache(code, version)
    cle = f"diagnostic:qpv-geojson:{code}:{date.isoformat()}:{version}"
    contenu = cache.get(cle)
    if contenu is None:
        entrees = _entrees(Territoire(departement=code), date, parametres, version)
        morceaux = []
        for q in entrees.qpv:
            if q.geometrie and _geojson_valide(q.geometrie):
                geometrie = q.geometrie
            elif q.longitude is not None and q.latitude is not None:
                geometrie = json.dumps({"type": "Point", "coordinates": [q.longitude, q.latitude]})
            else:
                continue
            proprietes = json.dumps(
                {
                    "code": q.code,
                    "nom": q.nom,
                    "communes": list(q.communes),
                    "generation": entrees.generation_qpv,
                    "contour": bool(q.geometrie),
                },
                ensure_ascii=False,
                separators=(",", ":"),
            )
            morceaux.append(f'{{"type":"Feature","geometry":{geometrie},"properties":{proprietes}}}')
        contenu = ('{"type":"FeatureCollection","features":[' + ",".join(morceaux) + "]}").encode()
        cache.set(cle, contenu, DUREE_CACHE)
    return contenu
