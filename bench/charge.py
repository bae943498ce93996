"""Load test of `make bench`: 50 concurrent clients against gunicorn with 2 workers, on the national set.

Called by `bench/run.py` on the PostgreSQL database of the run, once the observatoire's campaigns exist:

1. `preparer` (Django side, a subprocess): a pilote account of the measured département with a password, and the
   structures of that département that the clients edit (one each: no two clients edit the same structure);
2. gunicorn, 2 sync workers, with `MAILLAGE_2FA_OBLIGATOIRE=0` (the bench account has no TOTP device: with
   `DEBUG=0` a pilote must otherwise enrol one before using the application);
3. logins through the login form (GET for the CSRF cookie and token, POST of e-mail and password): SESSIONS
   sessions shared by the logged-in clients, done before the measures (a login hashes the password on purpose
   slowly: it is not part of the workload), then ECHAUFFEMENT s of the mixed workload, not measured (each
   worker's first requests import modules and fill its cache);
4. locust (PyPI, headless, `--csv`), `bench/locustfile.py`: first the floor, the same clients on `/sante/`
   (DUREE_PLANCHER s), then the mixed workload (DUREE s): public pages, API, logged-in pages, and one write in ten
   (a pilote saves its structure's form with the version lock; anything but the redirection to the structure's
   page counts as an error); last, for comparison, the same reads without writes (DUREE_PLANCHER s).

`section_markdown(...)` writes the « Charge » section of docs/performance.md.
"""

import csv
import http.client
import json
import os
import subprocess
import sys
import tempfile
import urllib.parse
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

import outils  # bench/outils.py: environment, subprocess with peak memory, gunicorn server

CLIENTS = 50
DUREE = 60  # s, mixed workload
DUREE_PLANCHER = 30  # s, floor
WORKERS = 2
SESSIONS = 2  # a login hashes the password (PBKDF2, ~1 s here): clients share sessions
ECHAUFFEMENT = 10  # s, mixed workload not measured: each worker's first requests (imports, caches)
EMAIL = "pilote-charge@exemple.invalid"
MOT_DE_PASSE = "charge-bench-" + "7" * 12
PART_ECRITURES = 0.1
ENV_SERVEUR = {"MAILLAGE_2FA_OBLIGATOIRE": "0"}
TITRE = "## Charge"


# --- Django side ------------------------------------------------------------------------------------------------


def commande_preparer(departement: str) -> dict:
    """The pilote account (created or reset) and the structures of `departement` it may edit, by pk."""
    from maillage.comptes.models import Role, Utilisateur
    from maillage.structures.models import Structure

    utilisateur = Utilisateur.objects.filter(email=EMAIL).first() or Utilisateur(email=EMAIL)
    utilisateur.role, utilisateur.is_active, utilisateur.structure = Role.PILOTE, True, None
    utilisateur.first_name, utilisateur.last_name = "Charge", "Mesures (fictif)"
    utilisateur.set_password(MOT_DE_PASSE)
    utilisateur.save()
    utilisateur.departements.set([departement])
    structures = list(
        Structure.objects.filter(departement_id=departement, date_fermeture__isnull=True)
        .order_by("pk")
        .values_list("pk", flat=True)[:CLIENTS]
    )
    return {"email": EMAIL, "departement": departement, "structures": structures}


def _commande(argv: list[str]) -> None:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "maillage.settings")
    if str(outils.RACINE) not in sys.path:
        sys.path.insert(0, str(outils.RACINE))
    import django

    django.setup()
    if argv[0] != "preparer":
        raise SystemExit(f"Commande inconnue : {argv[0]}")
    print(json.dumps(commande_preparer(**json.loads(argv[1]))))


# --- Runner side ------------------------------------------------------------------------------------------------


def _cookies(reponse) -> dict:
    cookies = {}
    for entete, valeur in reponse.getheaders():
        if entete.lower() == "set-cookie":
            nom, _, reste = valeur.partition("=")
            cookies[nom.strip()] = reste.split(";", 1)[0]
    return cookies


def connecter(port: int) -> dict:
    """One login through the form, as a browser does it: {cookie name: value} of the logged-in session."""
    from observatoire import champs_formulaire  # bench/observatoire.py: the fields a browser posts

    connexion = http.client.HTTPConnection("127.0.0.1", port, timeout=60)
    connexion.request("GET", "/comptes/connexion/", headers={"Host": "127.0.0.1"})
    reponse = connexion.getresponse()
    page = reponse.read().decode()
    cookies = _cookies(reponse)
    champs = dict(champs_formulaire(page, identifiant=None))  # the login form has no id
    corps = urllib.parse.urlencode(
        {"csrfmiddlewaretoken": champs["csrfmiddlewaretoken"], "username": EMAIL, "password": MOT_DE_PASSE}
    )
    entetes = {
        "Host": "127.0.0.1",
        "Content-Type": "application/x-www-form-urlencoded",
        "Cookie": "; ".join(f"{k}={v}" for k, v in cookies.items()),
    }
    connexion.request("POST", "/comptes/connexion/", body=corps, headers=entetes)
    reponse = connexion.getresponse()
    reponse.read()
    connexion.close()
    cookies |= _cookies(reponse)
    if reponse.status != 302 or "sessionid" not in cookies:
        raise SystemExit(f"Connexion refusée au compte {EMAIL} ({reponse.status}).")
    return cookies


def _nombre(texte: str) -> float:
    return float(texte) if texte not in {"", "N/A"} else 0.0


def _stats(chemin: Path) -> dict:
    """locust's `_stats.csv`: {name: {n, erreurs, rps, p50, p95, moyenne}}, "Aggregated" included."""
    resultat = {}
    with chemin.open(encoding="utf-8") as f:
        for ligne in csv.DictReader(f):
            resultat[ligne["Name"]] = {
                "n": int(ligne["Request Count"]),
                "erreurs": int(ligne["Failure Count"]),
                "rps": _nombre(ligne["Requests/s"]),
                "p50": _nombre(ligne["50%"]),
                "p95": _nombre(ligne["95%"]),
                "moyenne": _nombre(ligne["Average Response Time"]),
            }
    return resultat


def _erreurs(chemin: Path) -> list[str]:
    if not chemin.exists():
        return []
    with chemin.open(encoding="utf-8") as f:
        return [f"{ligne['Name']} : {ligne['Error']} (× {ligne['Occurrences']})" for ligne in csv.DictReader(f)]


def _locust(port: int, classe: str, duree: int, dossier: Path, config: Path, *, ecritures=PART_ECRITURES) -> dict:
    dossier.mkdir(exist_ok=True)
    prefixe = dossier / classe.lower()
    args = [
        str(Path(outils.PYTHON).parent / "locust"),
        "-f",
        str(Path(__file__).resolve().parent / "locustfile.py"),
        "--headless",
        "--users",
        str(CLIENTS),
        "--spawn-rate",
        str(CLIENTS),
        "--run-time",
        f"{duree}s",
        "--host",
        f"http://127.0.0.1:{port}",
        "--csv",
        str(prefixe),
        "--only-summary",
        "--loglevel",
        "WARNING",
        classe,
    ]
    env = {**os.environ, "BENCH_CHARGE": str(config), "BENCH_PART_ECRITURES": str(ecritures)}
    # locust exits with 1 when a request failed: the failures are reported, not fatal.
    fin = subprocess.run(args, cwd=outils.RACINE, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True)
    stats = Path(f"{prefixe}_stats.csv")
    if not stats.exists() or not _stats(stats)["Aggregated"]["n"]:
        raise SystemExit(f"locust n'a rien mesuré ({classe}) :\n{fin.stderr[-3000:]}")
    return {"stats": _stats(stats), "erreurs": _erreurs(Path(f"{prefixe}_failures.csv")), "duree": duree}


def urls(departement: str, annee_obs: int) -> dict:
    """The workload's reads, by category, with their weights (the writes are drawn apart, one request in ten)."""
    return {
        "public": {
            "accueil": ("/", 1),
            "annuaire (94, 31/12/2015)": ("/structures/?departement=94&date=31/12/2015", 2),
            "page département 94": ("/territoires/departements/94/", 1),
            "tableau de bord 94 (2015)": ("/financements/departements/94/2015/", 2),
            f"synthèse observatoire {departement} ({annee_obs})": (
                f"/observatoire/resultats/{annee_obs}/{departement}/",
                2,
            ),
            f"comparaison des départements {annee_obs}": (f"/observatoire/resultats/{annee_obs}/", 1),
        },
        "api": {
            "API structures (94, 50)": ("/api/v1/structures?departement=94&limit=50", 2),
            "API indicateurs (94, 2015)": ("/api/v1/indicateurs/departements/94?annee=2015", 1),
            "API diagnostic (94)": ("/api/v1/diagnostic/departements/94?date=2015-12-31", 1),
            f"API synthèse observatoire {departement}": (
                f"/api/v1/observatoire/campagnes/{annee_obs}/departements/{departement}/synthese",
                1,
            ),
        },
        "connecte": {
            "mon espace": ("/comptes/espace/", 1),
            f"tableau de bord {departement} avec les budgets par structure": (
                f"/financements/departements/{departement}/2015/",
                2,
            ),
            f"synthèse observatoire {departement} (pilote)": (f"/observatoire/resultats/{annee_obs}/{departement}/", 1),
            f"annuaire ({departement}, pilote)": (f"/structures/?departement={departement}&date=31/12/2015", 1),
        },
    }


def mesurer(database_url: str, departement: str, annee_obs: int, *, duree=DUREE, duree_plancher=DUREE_PLANCHER):
    """The whole load test; returns the measures for `section_markdown`."""
    env = outils.environnement(database_url) | {"DJANGO_SETTINGS_MODULE": "maillage.settings"}
    args = [outils.PYTHON, str(Path(__file__).resolve()), "preparer", json.dumps({"departement": departement})]
    cible = json.loads(outils.lancer(args, env)[2].strip().splitlines()[-1])
    if len(cible["structures"]) < CLIENTS:
        raise SystemExit(f"Moins de {CLIENTS} structures ouvertes dans le {departement} : une par client.")
    with (
        tempfile.TemporaryDirectory() as dossier,
        outils.servir(database_url, workers=WORKERS, env_en_plus=ENV_SERVEUR) as (port, serveur),
    ):
        dossier = Path(dossier)
        sessions = [connecter(port) for _ in range(SESSIONS)]
        config = dossier / "charge.json"
        config.write_text(
            json.dumps(
                {
                    "sessions": sessions,
                    "structures": cible["structures"],
                    "urls": urls(departement, annee_obs),
                }
            ),
            encoding="utf-8",
        )
        _locust(port, "Mixte", ECHAUFFEMENT, dossier / "echauffement", config)
        plancher = _locust(port, "Plancher", duree_plancher, dossier, config)
        mixte = _locust(port, "Mixte", duree, dossier, config)
        # The same reads without any write, for comparison: what the writes cost (each one changes the data
        # version of the pages that read structures, which are then computed again once in each worker).
        lectures = _locust(port, "Mixte", duree_plancher, dossier / "lectures", config, ecritures=0)
        memoire = outils.memoire_worker(serveur.pid)
    return {
        "plancher": plancher,
        "mixte": mixte,
        "lectures": lectures,
        "memoire": memoire,
        "departement": departement,
        "annee_obs": annee_obs,
        "clients": CLIENTS,
        "workers": WORKERS,
        "sessions": SESSIONS,
    }


# --- Markdown ---------------------------------------------------------------------------------------------------


def _ms(valeur: float) -> str:
    return f"{valeur:.0f} ms"


def section_markdown(r: dict, contexte: dict) -> list[str]:
    plancher = r["plancher"]["stats"]["Aggregated"]
    mixte = r["mixte"]["stats"]["Aggregated"]
    lectures = r["lectures"]["stats"]["Aggregated"]
    ecritures = sum(s["n"] for nom, s in r["mixte"]["stats"].items() if nom.startswith("écriture"))
    refusees = sum(s["erreurs"] for nom, s in r["mixte"]["stats"].items() if nom.startswith("écriture"))
    erreurs = plancher["erreurs"] + mixte["erreurs"] + lectures["erreurs"]
    lignes = [
        f"{TITRE} : {r['clients']} clients simultanés, gunicorn à {r['workers']} workers (PostgreSQL, jeu national)",
        "",
        f"Mesuré le {contexte['date']} ; machine : {contexte['machine']} (le générateur de charge, locust, tourne sur "
        "la même machine que le serveur et lui prend du processeur) ; base : PostgreSQL, jeu national fictif et "
        "campagnes de l'observatoire ci-dessus.",
        "",
        f"Outil : locust (PyPI), sans interface (`--headless --csv`), `bench/locustfile.py`. {r['clients']} clients "
        "sans temps de réflexion (chacun envoie sa requête suivante dès la réponse reçue : la charge maximale que le "
        f"serveur absorbe). D'abord le plancher, les {r['clients']} clients sur `/sante/` pendant "
        f"{r['plancher']['duree']} s ; puis la charge mixte pendant {r['mixte']['duree']} s, sur le même serveur : "
        "pages publiques (anonymes), API, pages d'un compte pilote connecté, et une écriture sur dix : le pilote "
        f"du {r['departement']} ouvre le formulaire d'une structure de son département (une par client) et "
        "l'enregistre avec une présentation modifiée et le verrou de version (champ caché `version`) ; toute autre "
        "réponse que la redirection vers la page de la structure compte comme une erreur. Les "
        f"{r['sessions']} sessions du pilote sont ouvertes avant les mesures par le formulaire de connexion (jeton "
        "CSRF, e-mail et mot de passe) ; le serveur tourne avec `MAILLAGE_2FA_OBLIGATOIRE=0`, le compte de mesure "
        "n'ayant pas d'appareil TOTP (avec `DEBUG=0`, un pilote doit sinon en enrôler un).",
        "",
        "| série | requêtes | erreurs | débit | médiane | p95 | rapport au plancher (médiane) |",
        "|---|---:|---:|---:|---:|---:|---:|",
        f"| plancher : `/sante/` | {plancher['n']} | {plancher['erreurs']} | {plancher['rps']:.0f} req/s | "
        f"{_ms(plancher['p50'])} | {_ms(plancher['p95'])} | × 1.0 |",
        f"| charge mixte (une écriture sur dix) | {mixte['n']} | {mixte['erreurs']} | {mixte['rps']:.0f} req/s | "
        f"{_ms(mixte['p50'])} | {_ms(mixte['p95'])} | × {mixte['p50'] / plancher['p50']:.1f} |",
        f"| mêmes lectures sans écriture ({r['lectures']['duree']} s, pour comparaison) | {lectures['n']} | "
        f"{lectures['erreurs']} | {lectures['rps']:.0f} req/s | {_ms(lectures['p50'])} | {_ms(lectures['p95'])} | "
        f"× {lectures['p50'] / plancher['p50']:.1f} |",
        "",
        f"Écritures réussies : {ecritures - refusees} sur {ecritures} ({ecritures / mixte['n'] * 100:.1f} % des "
        "requêtes). Erreurs : " + ("**aucune**." if erreurs == 0 else f"**{erreurs}** :"),
    ]
    for erreur in r["plancher"]["erreurs"] + r["mixte"]["erreurs"] + r["lectures"]["erreurs"]:
        lignes.append(f"- {erreur}")
    lignes += [
        "",
        "Avec des clients sans temps de réflexion, la latence suit la file d'attente (loi de Little : clients ÷ "
        "débit) ; le rapport des débits dit le coût moyen d'une requête du mélange, en requêtes triviales. Les "
        "pages mises en cache par version des données (annuaire, tableau de bord, diagnostic, synthèse et fiche "
        "nationale de l'observatoire) sont recalculées, une fois par worker, après chaque écriture qui change "
        "leurs données : l'écart entre les deux dernières lignes est ce coût.",
        "",
        "Détail de la charge mixte :",
        "",
        "| requête | nombre | erreurs | médiane | p95 |",
        "|---|---:|---:|---:|---:|",
    ]
    for nom, s in sorted(r["mixte"]["stats"].items()):
        if nom != "Aggregated":
            lignes.append(f"| {nom} | {s['n']} | {s['erreurs']} | {_ms(s['p50'])} | {_ms(s['p95'])} |")
    lignes += ["", f"Mémoire résidente maximale d'un worker après la série : {r['memoire']} Mo."]
    return lignes


if __name__ == "__main__":
    _commande(sys.argv[1:])
