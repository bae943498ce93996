"""`make bench`: Maillage's benchmarks, printed and written to docs/performance.md.

Machines are shared and noisy, so every latency is reported next to a floor measured in the same run
(a trivial view served by the same server), as a ratio. Measured here:

1. `charger_territoires` for all of France on SQLite and PostgreSQL, first load and idempotent re-run,
   with the peak memory of the process;
2. the département page, its GeoJSON and the territoires API, served by gunicorn over loopback on the
   full-France PostgreSQL database, median and p95 over repeated requests, against the floor;
3. the resident memory of the gunicorn worker after the run;
4. the observatoire (bench/observatoire.py): ten yearly campaigns on the national set, the département synthesis,
   the national sheet, the departmental PDF/XLSX and the autosave of a questionnaire section;
5. the load test (bench/charge.py, locust): 50 clients against gunicorn with 2 workers on PostgreSQL, the floor
   `/sante/` then a mixed workload with one write in ten (about 2 minutes).

Options: `--rapide` (two départements instead of France, for a quick check), `--requetes N`,
`--sans-postgresql`, `--sortie FILE`, `--seulement observatoire` (only that part, on its own databases
`bench_obs*`; its section of the existing docs/performance.md is replaced in place, the others are kept),
`--seulement reseau` (the network's events, bench/reseau.py, on its own database `bench_res`: registrations under
load, event pages and API, invitations to 5,000 contacts; its section is replaced in place),
`--seulement charge --base DATABASE_URL` (only the load test, on a database where a previous run left the national
set and the campaigns; its section is replaced in place). Environment: BENCH_POSTGRES (server URL), BENCH_PREFIXE
(prefix of the databases created, for shared servers), BENCH_PORTS ("8700-8799": where to start the servers).
"""

import argparse
import json
import os
import statistics
import subprocess
import sys
import tempfile
from datetime import datetime
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

import charge as bench_charge  # bench/charge.py, beside this file
import diagnostic as bench_diagnostic  # bench/diagnostic.py, beside this file
import observatoire as bench_observatoire  # bench/observatoire.py, beside this file
import reseau as bench_reseau  # bench/reseau.py, beside this file: the network's events (own database bench_res)
import schema as bench_schema  # bench/schema.py, beside this file: the schéma directeur (own databases bench_sch*)
import structures  # bench/structures.py, beside this file
from outils import (  # bench/outils.py: helpers shared with structures.py and observatoire.py
    PYTHON,
    RACINE,
    description_machine,
    environnement,
    lancer,
    memoire_worker,
    requete,
    servir,
)

PG_URL = os.environ.get("BENCH_POSTGRES", "postgres://postgres@127.0.0.1:5432")
PREFIXE = os.environ.get("BENCH_PREFIXE", "")


def base_postgresql(nom: str) -> str:
    nom = PREFIXE + nom
    for sql in (f"DROP DATABASE IF EXISTS {nom}", f"CREATE DATABASE {nom}"):
        subprocess.run(["psql", f"{PG_URL}/postgres", "-q", "-c", sql], check=True, capture_output=True)
    return f"{PG_URL}/{nom}"


def mesurer_chargement(database_url: str, departements: list[str]) -> dict:
    env = environnement(database_url)
    lancer([PYTHON, "manage.py", "migrate", "--noinput", "-v0"], env)
    args = [PYTHON, "manage.py", "charger_territoires"]
    if departements:
        args += ["--departements", *departements]
    premier, memoire, _ = lancer(args, env)
    relance, memoire_relance, _ = lancer(args, env)
    return {"premier": premier, "relance": relance, "memoire": max(memoire, memoire_relance)}


def charger(database_url: str, departements: list[str]) -> None:
    """migrate and one `charger_territoires` (no measure): for the parts that only need the territories."""
    env = environnement(database_url)
    lancer([PYTHON, "manage.py", "migrate", "--noinput", "-v0"], env)
    args = [PYTHON, "manage.py", "charger_territoires"]
    lancer(args + (["--departements", *departements] if departements else []), env)


def mesurer_latences(
    database_url: str, departement: str, requetes: int, autres: dict | None = None
) -> tuple[dict, int]:
    with servir(database_url) as (port, serveur):
        urls = {
            "plancher : vue triviale /sante/": "/sante/",
            "page département": f"/territoires/departements/{departement}/",
            "GeoJSON des communes": f"/territoires/departements/{departement}/communes.geojson",
            "API département": f"/api/v1/territoires/departements/{departement}",
            "API communes du département": f"/api/v1/territoires/departements/{departement}/communes",
            **(autres or {}),
        }
        resultats = {}
        # Interleave the URLs so that noise on the machine hits them all alike.
        echantillons = {nom: [] for nom in urls}
        for url in urls.values():  # warm-up
            for _ in range(5):
                requete(port, url)
        for _ in range(requetes):
            for nom, url in urls.items():
                echantillons[nom].append(requete(port, url))
        for nom, valeurs in echantillons.items():
            valeurs.sort()
            resultats[nom] = {
                "mediane": statistics.median(valeurs),
                "p95": valeurs[int(0.95 * (len(valeurs) - 1))],
            }
        memoire = memoire_worker(serveur.pid)
    return resultats, memoire


SCRIPT_A_FROID = """
import json, statistics, sys, time
import django
django.setup()
from django.core.cache import cache
from django.test import Client
client = Client()
urls = json.loads(sys.argv[1])
resultats = {}
for nom, url in urls.items():
    for _ in range(3):
        client.get(url)
    valeurs = []
    for _ in range(int(sys.argv[2])):
        cache.clear()
        debut = time.perf_counter()
        reponse = client.get(url)
        valeurs.append((time.perf_counter() - debut) * 1000)
        assert reponse.status_code == 200, (url, reponse.status_code)
    valeurs.sort()
    resultats[nom] = {"mediane": statistics.median(valeurs), "p95": valeurs[int(0.95 * (len(valeurs) - 1))]}
print(json.dumps(resultats))
"""


def mesurer_a_froid(database_url: str, departement: str, requetes: int) -> dict:
    """The cached pages computed from scratch (cache cleared before each request), in-process."""
    urls = {
        "plancher : vue triviale /sante/": "/sante/",
        "page département": f"/territoires/departements/{departement}/",
        "GeoJSON des communes": f"/territoires/departements/{departement}/communes.geojson",
        "API communes du département": f"/api/v1/territoires/departements/{departement}/communes",
        "API diagnostic du département": f"/api/v1/diagnostic/departements/{departement}?date=2015-12-31",
    }
    env = environnement(database_url) | {"DJANGO_SETTINGS_MODULE": "maillage.settings", "ALLOWED_HOSTS": "testserver"}
    _, _, sortie = lancer([PYTHON, "-c", SCRIPT_A_FROID, json.dumps(urls), str(requetes)], env)
    return json.loads(sortie.strip().splitlines()[-1])


SCRIPT_SIMULATION = """
import datetime, json, statistics, sys, time
import django
django.setup()
from django.core.cache import cache
from maillage.diagnostic import selectors
from maillage.territoires.models import Commune
code = sys.argv[1]
date = datetime.date(2015, 12, 31)
commune = Commune.objects.filter(departement_id=code).order_by("code").values_list("code", flat=True).first()
ajouts = [{"nom": "EVS projeté", "type": "evs", "commune": commune}]
selectors.simuler(code, date, ajouts=ajouts, fermetures=[])
valeurs = []
for _ in range(int(sys.argv[2])):
    cache.clear()
    debut = time.perf_counter()
    selectors.simuler(code, date, ajouts=ajouts, fermetures=[])
    valeurs.append((time.perf_counter() - debut) * 1000)
valeurs.sort()
print(json.dumps({"mediane": statistics.median(valeurs), "p95": valeurs[int(0.95 * (len(valeurs) - 1))]}))
"""


def mesurer_simulation(database_url: str, departement: str, repetitions: int) -> dict:
    """A département simulation (one EVS added) computed from scratch, in-process: what a pilot waits for."""
    env = environnement(database_url) | {"DJANGO_SETTINGS_MODULE": "maillage.settings"}
    _, _, sortie = lancer([PYTHON, "-c", SCRIPT_SIMULATION, departement, str(repetitions)], env)
    return json.loads(sortie.strip().splitlines()[-1])


def tableau_latences(latences: dict) -> list[str]:
    lignes = ["| URL | médiane | p95 | rapport au plancher (médiane) |", "|---|---:|---:|---:|"]
    plancher = next(iter(latences.values()))["mediane"]
    for nom, r in latences.items():
        lignes.append(f"| {nom} | {r['mediane']:.1f} ms | {r['p95']:.1f} ms | × {r['mediane'] / plancher:.2f} |")
    return lignes


def rapport(
    chargements: dict,
    latences: dict,
    a_froid: dict,
    memoire: int,
    contexte: dict,
    registre: dict,
    observatoire: list[str] | None = None,
    charge: list[str] | None = None,
    cas_courant: list[str] | None = None,
) -> str:
    lignes = [
        "# Performances",
        "",
        "Produit par `make bench` (`bench/run.py`). Les machines sont partagées et bruitées : chaque latence",
        "est rapportée à un plancher mesuré dans la même exécution (une vue triviale servie par le même serveur).",
        "",
        f"- Date : {contexte['date']}",
        f"- Machine : {contexte['machine']}",
        f"- Périmètre : {contexte['perimetre']}",
        f"- Requêtes par URL : {contexte['requetes']} (gunicorn, 1 worker synchrone, boucle locale, sans cache HTTP)",
        "",
        "## Chargement du référentiel territorial (`charger_territoires`)",
        "",
        "| base | premier chargement | relance idempotente | mémoire max. du processus | cible |",
        "|---|---:|---:|---:|---|",
    ]
    for base, r in chargements.items():
        lignes.append(
            f"| {base} | {r['premier']:.1f} s | {r['relance']:.1f} s | {r['memoire']} Mo | ≤ 90 s, relance ≤ 45 s |"
        )
    lignes += [
        "",
        f"## Latences HTTP ({contexte['base_latences']})",
        "",
        *tableau_latences(latences),
        "",
        "La page du département, son GeoJSON, l'API des communes, l'annuaire et le tableau de bord départemental",
        "sont mis en cache par version des données (chargements et journal d'audit) : ci-dessus, le cas courant.",
        "Ci-dessous, le calcul complet des premières, cache vidé avant chaque requête (client de test Django dans le",
        "processus, sans réseau), comme après un chargement :",
        "",
        *tableau_latences(a_froid),
        "",
        "Cibles : page et API du département ≤ 100 ms en médiane et à moins de × 3 du plancher ; cas courant de "
        "chaque page et API à moins de × 5 du plancher.",
        "",
        f"Mémoire résidente maximale du worker gunicorn après la série : **{memoire} Mo** (cible < 300 Mo).",
        "",
    ]
    if registre:
        lignes += [
            "## Registre et indicateurs à l'échelle nationale (jeu fictif)",
            "",
            f"`generer_jeu_national` : {registre['generation']['duree']:.1f} s, "
            f"{registre['generation']['memoire']} Mo au plus ; {registre['generation']['resume']}",
            "",
            "Latences : voir le tableau HTTP ci-dessus (lignes API structures, tableau de bord, API indicateurs), "
            "cibles : API structures ≤ 50 ms, indicateurs ≤ 100 ms, page de l'annuaire ≤ 150 ms.",
            "",
            "Nombre de requêtes SQL (cache vidé) sur le jeu national et sur un jeu dix fois plus petit : il ne doit "
            "pas croître avec le nombre de lignes.",
            "",
            *structures.tableau_requetes(registre["requetes"]),
            "",
            "## Diagnostic territorial",
            "",
            "L'API du diagnostic du 94 figure dans les tableaux HTTP ci-dessus : en cache (cas courant) et à froid "
            "(cache vidé, calcul complet). Cibles : ≤ 150 ms en médiane en cache, ≤ 1 s à froid.",
            "",
            f"Simulation du 94 (un EVS ajouté, calcul complet avant/après, en processus) : médiane "
            f"{registre['simulation']['mediane']:.0f} ms, p95 {registre['simulation']['p95']:.0f} ms (cible ≤ 300 ms).",
            "",
            *registre["moteur"],
            "",
        ]
    if observatoire:
        lignes += [*observatoire, ""]
    if charge:
        lignes += [*charge, ""]
    if cas_courant:
        lignes += [*cas_courant, ""]
    return "\n".join(lignes)


RAPPORT_MAX = 5  # the common case of every page and API: within 5× the floor of the same run


NOTE_CAS_COURANT = [
    "",
    (
        "Au-dessus de × 5 (nombres de requêtes SQL : tableaux « Requêtes SQL » ci-dessus) : les pages d'un seul compte"
        " et les écritures, qui ne se partagent pas par un cache commun — la page d'une section du questionnaire (la "
        "réponse de la structure connectée, son jeton CSRF et sa version : 5 requêtes) et son enregistrement "
        "automatique (une écriture : verrou de version, journal d'audit, 13 requêtes dans une transaction). Les pages "
        "et API lues par tous (annuaire, tableau de bord, API structures et indicateurs, diagnostic, synthèse et "
        "comparaison des départements de l'observatoire) sont servies depuis le cache par version des données."
    ),
    "",
    (
        "Sous charge (section « Charge »), une écriture sur dix change la version des données de toutes les pages qui "
        "lisent les structures (la version est celle du journal d'audit, commune à tous les départements) : chaque "
        "worker recalcule alors l'annuaire, le tableau de bord, le diagnostic et la comparaison des départements, même"
        " d'un autre département que la structure modifiée. La synthèse de l'observatoire et les lignes de chaque "
        "campagne ne dépendent, elles, que des structures qui ont répondu à la campagne. Une version par département "
        "pour les autres pages est la suite logique."
    ),
]


def section_cas_courant(latences: dict, observatoire: dict | None) -> list[str]:
    """Every page and API of the HTTP tables against the floor of its own series, with the × 5 verdict."""
    lignes = [
        f"## Cas courant : chaque page et API à moins de × {RAPPORT_MAX} du plancher",
        "",
        "Médianes des tableaux HTTP ci-dessus (gunicorn, 1 worker, requêtes alternées), chacune rapportée au "
        "plancher `/sante/` de sa propre série.",
        "",
        "| URL | série | médiane | rapport au plancher | à moins de × 5 |",
        "|---|---|---:|---:|---|",
    ]
    series = [("registre et territoires", latences)]
    if observatoire:
        series.append(("observatoire", {bench_observatoire.LIBELLES[n]: m for n, m in observatoire["http"].items()}))
    for serie, mesures in series:
        plancher = next(iter(mesures.values()))["mediane"]
        for nom, m in list(mesures.items())[1:]:
            rapport = m["mediane"] / plancher
            verdict = "oui" if rapport <= RAPPORT_MAX else "**non**"
            lignes.append(f"| {nom} | {serie} | {m['mediane']:.1f} ms | × {rapport:.1f} | {verdict} |")
    return lignes + NOTE_CAS_COURANT


TITRE_OBSERVATOIRE = "## Observatoire"


def remplacer_section(texte: str, section: list[str], titre: str = TITRE_OBSERVATOIRE) -> str:
    """`texte` (docs/performance.md) with its section starting with `titre` (« ## Observatoire… ») replaced by
    `section` (up to the next level-2 heading, or the end), or `section` appended when absent. The other sections
    are kept as they are."""
    lignes = texte.rstrip("\n").split("\n")
    debut = next((i for i, ligne in enumerate(lignes) if ligne.startswith(titre)), None)
    if debut is None:
        return "\n".join([*lignes, "", *section, ""])
    fin = next((i for i in range(debut + 1, len(lignes)) if lignes[i].startswith("## ")), len(lignes))
    suite = lignes[fin:]
    return "\n".join([*lignes[:debut], *section, *([""] + suite if suite else []), ""])


def contexte_machine() -> dict:
    return {
        "date": datetime.now().strftime("%d/%m/%Y %H:%M"),
        "machine": description_machine(),
    }


def observatoire_seul(options, departements: list[str], perimetre: str) -> None:
    """`--seulement observatoire`: its own databases (`bench_obs`, `bench_obs_petit`), the national set, the
    campaigns, the measures; its section of the existing output file is replaced in place."""
    annees = bench_observatoire.ANNEES_RAPIDE if options.rapide else bench_observatoire.ANNEES
    with tempfile.TemporaryDirectory() as dossier:
        if options.sans_postgresql:
            base, grand, petit = "SQLite", f"sqlite:///{dossier}/obs.sqlite3", f"sqlite:///{dossier}/obs_petit.sqlite3"
        else:
            base, grand, petit = "PostgreSQL", base_postgresql("bench_obs"), base_postgresql("bench_obs_petit")
        for url, echelle in ((grand, 1.0), (petit, 0.1)):
            print(f"Territoires ({perimetre}) et jeu national fictif (échelle {echelle}) sur {base}…", flush=True)
            charger(url, departements)
            print(structures.generer(url, echelle=echelle)["resume"], flush=True)
        resultats = bench_observatoire.mesurer(grand, petit, annees=annees, requetes=options.requetes)
    section = bench_observatoire.section_markdown(
        resultats, {**contexte_machine(), "base": base, "perimetre": perimetre, "rapide": options.rapide}
    )
    print("\n".join(section))
    sortie = Path(options.sortie)
    texte = sortie.read_text(encoding="utf-8") if sortie.exists() else "# Performances\n"
    sortie.write_text(remplacer_section(texte, section), encoding="utf-8")
    print(f"Section « Observatoire » écrite dans {sortie}")


def charge_seule(options) -> None:
    """`--seulement charge`: the load test on `--base` (national set and campaigns already there); its section of
    the output file is replaced in place."""
    if not options.base:
        raise SystemExit("--seulement charge demande --base DATABASE_URL (jeu national et campagnes déjà générés).")
    contexte = contexte_machine()
    resultats = bench_charge.mesurer(options.base, options.departement, options.annee)
    section = bench_charge.section_markdown(resultats, contexte)
    print("\n".join(section))
    sortie = Path(options.sortie)
    texte = sortie.read_text(encoding="utf-8") if sortie.exists() else "# Performances\n"
    sortie.write_text(remplacer_section(texte, section, bench_charge.TITRE), encoding="utf-8")
    print(f"Section « Charge » écrite dans {sortie}")


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--rapide", action="store_true", help="94 et 75 seulement, au lieu de toute la France")
    parser.add_argument("--requetes", type=int, default=200)
    parser.add_argument("--sans-postgresql", action="store_true")
    parser.add_argument("--sortie", default=str(RACINE / "docs" / "performance.md"))
    parser.add_argument(
        "--seulement",
        choices=["observatoire", "charge", "schema", "reseau"],
        help="Ne mesurer que cette partie (sa section du fichier de sortie est remplacée, les autres gardées)",
    )
    parser.add_argument("--base", help="--seulement charge : base déjà remplie (DATABASE_URL)")
    parser.add_argument("--departement", default="59", help="--seulement charge : département du pilote")
    parser.add_argument("--annee", type=int, default=2024, help="--seulement charge : campagne lue")
    options = parser.parse_args()
    if options.seulement == "charge":
        charge_seule(options)
        return
    departements = ["94", "75"] if options.rapide else []
    perimetre = "départements 94 et 75" if options.rapide else "toute la France (communes de type COM)"
    if options.seulement == "observatoire":
        observatoire_seul(options, departements, perimetre)
        return
    if options.seulement == "schema":  # bench/schema.py: its own databases, its section replaced in place
        bench_schema.executer(options, departements, perimetre)
        return
    if options.seulement == "reseau":  # bench/reseau.py: its own database, its section replaced in place
        bench_reseau.executer(options, departements, perimetre)
        return

    chargements = {}
    with tempfile.TemporaryDirectory() as dossier:
        sqlite_url = f"sqlite:///{dossier}/bench.sqlite3"
        print(f"Chargement ({perimetre}) sur SQLite…", flush=True)
        chargements["SQLite"] = mesurer_chargement(sqlite_url, departements)
        print(chargements["SQLite"], flush=True)
        base_latences, url_latences = "SQLite", sqlite_url
        if not options.sans_postgresql:
            print(f"Chargement ({perimetre}) sur PostgreSQL…", flush=True)
            pg = base_postgresql("maillage_bench")
            chargements["PostgreSQL"] = mesurer_chargement(pg, departements)
            print(chargements["PostgreSQL"], flush=True)
            base_latences, url_latences = "PostgreSQL", pg
        print(f"Jeu national fictif sur {base_latences}…", flush=True)
        registre = {"generation": structures.generer(url_latences)}
        print(registre["generation"], flush=True)
        print("Jeu dix fois plus petit, pour compter les requêtes…", flush=True)
        if options.sans_postgresql:
            petit = f"sqlite:///{dossier}/petit.sqlite3"
        else:
            petit = base_postgresql("maillage_bench_petit")
        mesurer_chargement(petit, departements)
        structures.generer(petit, echelle=0.1)
        autres = {
            **structures.URLS,
            "page de l'annuaire (94, 31/12/2015)": "/structures/?departement=94&date=31/12/2015",
            "API diagnostic du 94": "/api/v1/diagnostic/departements/94?date=2015-12-31",
        }
        registre["requetes"] = structures.requetes_constantes(url_latences, petit, autres)
        print(f"Latences sur {base_latences}…", flush=True)
        latences, memoire = mesurer_latences(url_latences, "94", options.requetes, autres)
        print("Calcul à froid…", flush=True)
        a_froid = mesurer_a_froid(url_latences, "94", max(20, options.requetes // 4))
        print("Simulation…", flush=True)
        registre["simulation"] = mesurer_simulation(url_latences, "94", 20)
        # Last: the campaigns add ~40,000 answers to both databases (no effect on the pages measured above).
        annees = bench_observatoire.ANNEES_RAPIDE if options.rapide else bench_observatoire.ANNEES
        observatoire = bench_observatoire.mesurer(url_latences, petit, annees=annees, requetes=options.requetes)
        charge = None
        if not options.sans_postgresql:
            print("Test de charge (locust, 50 clients, 2 workers)…", flush=True)
            cible = observatoire["cible"]
            charge = bench_charge.mesurer(url_latences, cible["departement"], cible["annee"])
    print("Moteur du diagnostic à l'échelle nationale…", flush=True)
    # Cold, new process, warm and one structure changed, against the floor and geopandas: 3 alternating rounds.
    registre["moteur"] = bench_diagnostic.main(["--repetitions", "7", "--tours", "3"])

    contexte = {
        **contexte_machine(),
        "perimetre": perimetre,
        "requetes": options.requetes,
        "base_latences": f"{base_latences}, {perimetre}, département 94",
    }
    section_observatoire = bench_observatoire.section_markdown(
        observatoire, {**contexte, "base": base_latences, "rapide": options.rapide}
    )
    section_charge = bench_charge.section_markdown(charge, contexte) if charge else None
    cas_courant = section_cas_courant(latences, observatoire)
    texte = rapport(
        chargements, latences, a_froid, memoire, contexte, registre, section_observatoire, section_charge, cas_courant
    )
    print(texte)
    Path(options.sortie).write_text(texte, encoding="utf-8")
    print(f"Écrit dans {options.sortie}")
    # Schéma directeur (bench/schema.py): its own databases; appends its section to the file just written.
    bench_schema.executer(options, departements, perimetre)
    # Réseau et événements (bench/reseau.py): its own database; its section appended likewise.
    bench_reseau.executer(options, departements, perimetre)


if __name__ == "__main__":
    main()
