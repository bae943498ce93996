"""Benchmarks of the registry at national size, called by `bench/run.py` (the lead's runner).

- `generer(database_url, echelle=1.0)`: runs `generer_jeu_national` in a subprocess (territories must be loaded)
  and returns its duration, peak memory and summary line;
- `mesurer(port, urls, requetes)`: median and p95 latency of each URL served on `port` (interleaved, after a
  warm-up), in `bench/run.py`'s style; compare with the floor (`/sante/`) the runner measures in the same run;
- `compter_requetes(database_url, urls)`: SQL queries of each URL (Django test client + CaptureQueriesContext,
  in a subprocess on that database);
- `requetes_constantes(url_grand, url_petit, urls)`: the counts on the national set and on a 10× smaller one,
  which must be equal (a count that grows with rows is an N+1);
- `tableau_requetes(...)` / `tableau_latences(...)`: Markdown lines for docs/performance.md.

Typical use from run.py, on a database where `charger_territoires` has run:

    import structures
    structures.generer(pg_url)                       # national set, ~2,400 CS + ~1,700 EVS
    latences = structures.mesurer(port, structures.URLS, requetes)   # while gunicorn serves pg_url
    petit = base_postgresql("maillage_bench_petit"); ... charger_territoires; structures.generer(petit, echelle=0.1)
    comptes = structures.requetes_constantes(pg_url, petit, structures.URLS)
"""

import json
import statistics
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

import outils  # bench/outils.py: environment, subprocess with peak memory, one HTTP request

DEPARTEMENT = "94"
ANNEE = 2015
URLS = {
    "API structures (page de 50)": f"/api/v1/structures?departement={DEPARTEMENT}&limit=50",
    "tableau de bord départemental": f"/financements/departements/{DEPARTEMENT}/{ANNEE}/",
    "API indicateurs": f"/api/v1/indicateurs/departements/{DEPARTEMENT}?annee={ANNEE}",
}


def generer(database_url: str, *, echelle: float = 1.0, graine: int = 1) -> dict:
    """Generate the fictional national set on `database_url`; returns seconds, peak MB and the summary line."""
    args = [outils.PYTHON, "manage.py", "generer_jeu_national", "--force", "--graine", str(graine)]
    args += ["--echelle", str(echelle)]
    duree, memoire, sortie = outils.lancer(args, outils.environnement(database_url))
    return {"duree": duree, "memoire": memoire, "resume": sortie.strip().splitlines()[-1]}


def mesurer(port: int, urls: dict[str, str], requetes: int, *, echauffement: int = 5) -> dict:
    """Median and p95 (ms) of each URL on a running server, requests interleaved so noise hits all alike."""
    for url in urls.values():
        for _ in range(echauffement):
            outils.requete(port, url)
    echantillons = {nom: [] for nom in urls}
    for _ in range(requetes):
        for nom, url in urls.items():
            echantillons[nom].append(outils.requete(port, url))
    resultats = {}
    for nom, valeurs in echantillons.items():
        valeurs.sort()
        resultats[nom] = {"mediane": statistics.median(valeurs), "p95": valeurs[int(0.95 * (len(valeurs) - 1))]}
    return resultats


SCRIPT_REQUETES = """
import json, sys
import django
django.setup()
from django.conf import settings
# Query counts do not depend on hashed static names: no need for collectstatic's manifest here.
STOCKAGE = "django.contrib.staticfiles.storage.StaticFilesStorage"
settings.STORAGES = {**settings.STORAGES, "staticfiles": {"BACKEND": STOCKAGE}}
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.core.cache import cache
client = Client()
email = sys.argv[2]
if email:
    from maillage.comptes.models import Utilisateur
    client.force_login(Utilisateur.objects.get(email=email))
resultats = {}
for nom, url in json.loads(sys.argv[1]).items():
    client.get(url)  # warm-up: lazy imports, first connection
    cache.clear()
    with CaptureQueriesContext(connection) as requetes:
        reponse = client.get(url)
    resultats[nom] = {"statut": reponse.status_code, "requetes": len(requetes)}
print(json.dumps(resultats))
"""


def compter_requetes(database_url: str, urls: dict[str, str], *, email: str = "") -> dict:
    """{name: {"statut": HTTP status, "requetes": SQL queries}} for each URL, cache cleared before each one.

    `email` logs the client in as that (existing) user, for pages whose content depends on the role."""
    env = outils.environnement(database_url) | {
        "DJANGO_SETTINGS_MODULE": "maillage.settings",
        "ALLOWED_HOSTS": "testserver",
    }
    _, _, sortie = outils.lancer([outils.PYTHON, "-c", SCRIPT_REQUETES, json.dumps(urls), email], env)
    return json.loads(sortie.strip().splitlines()[-1])


def requetes_constantes(url_grand: str, url_petit: str, urls: dict[str, str], *, email: str = "") -> dict:
    """Query counts on the national set and on a smaller one: {name: {grand, petit, statut, egal}}."""
    grand = compter_requetes(url_grand, urls, email=email)
    petit = compter_requetes(url_petit, urls, email=email)
    return {
        nom: {
            "grand": grand[nom]["requetes"],
            "petit": petit[nom]["requetes"],
            "statut": grand[nom]["statut"],
            "egal": grand[nom]["requetes"] == petit[nom]["requetes"] and grand[nom]["statut"] == 200,
        }
        for nom in urls
    }


def tableau_requetes(comptes: dict) -> list[str]:
    lignes = [
        "| URL | statut | requêtes SQL (jeu national) | requêtes SQL (jeu 10× plus petit) | constant |",
        "|---|---:|---:|---:|---|",
    ]
    for nom, r in comptes.items():
        lignes.append(f"| {nom} | {r['statut']} | {r['grand']} | {r['petit']} | {'oui' if r['egal'] else '**non**'} |")
    return lignes


def tableau_latences(latences: dict, plancher: float, cibles: dict[str, float] | None = None) -> list[str]:
    """Markdown table of `mesurer`'s results against the floor's median (ms) and optional targets (ms)."""
    cibles = cibles or {}
    lignes = ["| URL | médiane | p95 | rapport au plancher | cible (médiane) |", "|---|---:|---:|---:|---:|"]
    for nom, r in latences.items():
        cible = f"≤ {cibles[nom]:.0f} ms" if nom in cibles else ""
        lignes.append(
            f"| {nom} | {r['mediane']:.1f} ms | {r['p95']:.1f} ms | × {r['mediane'] / plancher:.2f} | {cible} |"
        )
    return lignes


# Targets (PostgreSQL, national set), keyed like URLS; the directory page (≤ 150 ms) is not in URLS.
CIBLES = {"API structures (page de 50)": 50, "API indicateurs": 100}  # the dashboard has no target of its own


if __name__ == "__main__":
    # Quick manual check: python bench/structures.py DATABASE_URL [DATABASE_URL_PETIT]
    grand = sys.argv[1]
    if len(sys.argv) > 2:
        print("\n".join(tableau_requetes(requetes_constantes(grand, sys.argv[2], URLS))))
    else:
        print(json.dumps(compter_requetes(grand, URLS), indent=2, ensure_ascii=False))
