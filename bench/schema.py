"""Benchmarks of the schéma directeur at national size, called by `bench/run.py` (`--seulement schema`, and at the
end of the full run).

On its own databases (`bench_sch`: the territories of the run's perimeter, the national registry set and
`generer_schemas_nationaux`, one schéma of 200 fiches actions and 20 indicators per département; `bench_sch_petit`:
the measured département only, schémas of 20 fiches actions; both prefixed by BENCH_PREFIXE when set, for shared
servers), the département measured being the one with most
structures (the heaviest recomputation):

1. latencies over HTTP (gunicorn, loopback, interleaved with the floor `/sante/` of the same run): the schéma's API
   (`GET /api/v1/schemas/{id}`, target ≤ 50 ms median and ≤ 5× the floor), its indicators' API, and its page
   (`/schemas/{id}/`, target ≤ 10× the floor) as its pilote (internal follow-up shown) and as the public;
2. the recomputation of all the computed indicators of the département's schéma
   (`services_indicateurs.indicateurs_recalculer(schema=…, force=True)`, target ≤ 1 s), in-process: complete (the
   computed values removed before each run) and forced with the closed years already frozen;
3. the schéma's PDF (the production function of `maillage.schema.sorties`, target ≤ 5 s), in-process;
4. the SQL queries of the API and the page on the schéma of 200 actions and on the one of 20 (must be equal).

What is not available yet in the code under test (a route answering 404, a function missing) is reported as
« non mesuré : <raison> », never a crash. The Django side runs in subprocesses (`python bench/schema.py COMMANDE
JSON`, one JSON line on stdout); this module imports nothing from Django at import time.
"""

import json
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

RACINE = Path(__file__).resolve().parent.parent
PG_URL = os.environ.get("BENCH_POSTGRES", "postgres://postgres@127.0.0.1:5432")
# Prefix of the databases created (shared servers: each engineer keeps to its own names), as in bench/run.py.
PREFIXE = os.environ.get("BENCH_PREFIXE", "")
TITRE = "## Schéma directeur"
ACTIONS, ACTIONS_PETIT = 200, 20
ECHELLE_PETIT = 0.02  # the small database holds one département: a small registry is enough
EMAIL_PILOTE = "pilote-schema-bench@exemple.invalid"
# Candidates for the PDF production function of maillage/schema/sorties.py (the first one found is measured).
FONCTIONS_PDF = ("schema_pdf", "pdf_schema", "document_pdf", "rapport_pdf")
FONCTIONS_XLSX = ("schema_xlsx", "xlsx_schema", "rapport_xlsx")
CIBLES = {"api_ms": 50, "api_plancher": 5, "page_plancher": 10, "recalcul_ms": 1000, "pdf_ms": 5000}
LIBELLES = {
    "plancher": "plancher : vue triviale /sante/",
    "api": "API du schéma `GET /api/v1/schemas/{id}`",
    "api_indicateurs": "API des indicateurs `GET /api/v1/schemas/{id}/indicateurs`",
    "page_pilote": "page du schéma `/schemas/{id}/` (pilote connecté)",
    "page_public": "page du schéma `/schemas/{id}/` (public, sans compte)",
}


def urls(cible: dict) -> dict[str, str]:
    pk = cible["schema"]
    return {
        "api": f"/api/v1/schemas/{pk}",
        "api_indicateurs": f"/api/v1/schemas/{pk}/indicateurs",
        "page_pilote": f"/schemas/{pk}/",
        "page_public": f"/schemas/{pk}/",
    }


def _mediane_p95(valeurs: list[float]) -> dict:
    valeurs = sorted(valeurs)
    return {"mediane": statistics.median(valeurs), "p95": valeurs[int(0.95 * (len(valeurs) - 1))], "n": len(valeurs)}


# --- Django side (run in a subprocess: `python bench/schema.py COMMANDE JSON`) -----------------------------------


def _schema_de(cible: dict):
    from maillage.schema.models import Schema

    return Schema.objects.select_related("departement").get(pk=cible["schema"])


def _sans_indicateurs_calcules(schema) -> None:
    """Remove the computed values of `schema` and their data-version stamps: the next recomputation starts afresh.
    Raw delete: no audit entry for values the bench throws away."""
    from maillage.schema.models import Indicateur, ValeurIndicateur

    valeurs = ValeurIndicateur.objects.filter(indicateur__schema=schema, indicateur__source=Indicateur.Source.CALCULE)
    valeurs._raw_delete(valeurs.db)
    Indicateur.objects.filter(schema=schema, source=Indicateur.Source.CALCULE).update(version_donnees="")


def _recalculer():
    """`indicateurs_recalculer`, or the reason it cannot be measured."""
    try:
        from maillage.schema.services_indicateurs import indicateurs_recalculer
    except ImportError as e:
        return None, f"maillage.schema.services_indicateurs.indicateurs_recalculer absent ({e})"
    return indicateurs_recalculer, ""


def commande_preparer(departement: str | None = None) -> dict:
    """The département measured (given, else the one with most structures of the national set) and its generated
    schéma; its computed indicators brought up to date (what a reader finds), and its pilote's account with an open
    session (the page as the pilote sees it)."""
    from importlib import import_module

    from django.conf import settings
    from django.contrib.auth import BACKEND_SESSION_KEY, HASH_SESSION_KEY, SESSION_KEY
    from django.db.models import Count
    from django_otp import DEVICE_ID_SESSION_KEY
    from django_otp.plugins.otp_totp.models import TOTPDevice

    from maillage.comptes.models import Organisation, Role, Utilisateur
    from maillage.demo import jeu_national, jeu_national_schema
    from maillage.schema.models import FicheAction, Indicateur

    effectifs = dict(
        jeu_national.generes().values_list("departement_id").annotate(n=Count("pk")).order_by("-n", "departement_id")
    )
    schemas = {s.departement_id: s for s in jeu_national_schema.generes().select_related("departement")}
    if departement not in schemas:
        departement = next(code for code in effectifs if code in schemas)
    schema = schemas[departement]
    recalculer, raison = _recalculer()
    if recalculer is not None:
        recalculer(schema=schema, force=True)
    caf = Organisation.objects.filter(departement_id=departement, type=Organisation.Type.CAF).order_by("pk").first()
    pilote = Utilisateur.objects.filter(email=EMAIL_PILOTE).first() or Utilisateur(email=EMAIL_PILOTE)
    pilote.role, pilote.organisation, pilote.is_active = Role.PILOTE, caf, True
    pilote.first_name, pilote.last_name = "Pilote", "Mesures (fictif)"
    pilote.set_unusable_password()
    pilote.save()
    pilote.departements.set([departement])
    # A pilote must pass the second factor (DEBUG=0): a confirmed device, and a session verified with it.
    appareil, _ = TOTPDevice.objects.get_or_create(user=pilote, name="Mesures (fictif)", defaults={"confirmed": True})
    session = import_module(settings.SESSION_ENGINE).SessionStore()
    session[SESSION_KEY] = str(pilote.pk)
    session[BACKEND_SESSION_KEY] = "django.contrib.auth.backends.ModelBackend"
    session[HASH_SESSION_KEY] = pilote.get_session_auth_hash()
    session[DEVICE_ID_SESSION_KEY] = appareil.persistent_id
    session.create()
    return {
        "departement": departement,
        "nom": schema.departement.nom,
        "schema": schema.pk,
        "structures": effectifs.get(departement, 0),
        "schemas": len(schemas),
        "actions": FicheAction.objects.filter(schema=schema).count(),
        "indicateurs": Indicateur.objects.filter(schema=schema).count(),
        "calcules": Indicateur.objects.filter(schema=schema, source=Indicateur.Source.CALCULE).count(),
        "recalcul_absent": raison,
        "session": session.session_key,
        "cookie_session": settings.SESSION_COOKIE_NAME,
        "email": EMAIL_PILOTE,
    }


def commande_recalcul(cible: dict, repetitions: int) -> dict:
    """In-process: `indicateurs_recalculer(schema=…, force=True)` of the schéma, complete (computed values removed and
    cache cleared before each run; the first run of the process apart) and forced on already frozen years."""
    from django.core.cache import cache

    from maillage.schema.models import ValeurIndicateur

    recalculer, raison = _recalculer()
    if recalculer is None:
        return {"erreur": raison}
    schema = _schema_de(cible)
    complets, premiere, indicateurs = [], None, 0
    for i in range(repetitions + 1):
        _sans_indicateurs_calcules(schema)
        cache.clear()
        debut = time.perf_counter()
        indicateurs = recalculer(schema=schema, force=True)
        duree = (time.perf_counter() - debut) * 1000
        if i == 0:
            premiere = duree
        else:
            complets.append(duree)
    valeurs = ValeurIndicateur.objects.filter(indicateur__schema=schema, source="calcule").count()
    figees = ValeurIndicateur.objects.filter(indicateur__schema=schema, source="calcule", figee=True).count()
    forces = []
    for _ in range(repetitions):
        cache.clear()
        debut = time.perf_counter()
        recalculer(schema=schema, force=True)
        forces.append((time.perf_counter() - debut) * 1000)
    return {
        "premiere": premiere,
        "complet": _mediane_p95(complets),
        "force_fige": _mediane_p95(forces),
        "indicateurs": indicateurs,
        "valeurs": valeurs,
        "figees": figees,
    }


def _fonction(noms: tuple[str, ...]):
    """The first function of `maillage.schema.sorties` among `noms`, its name, or the reason there is none."""
    try:
        from maillage.schema import sorties
    except ImportError as e:
        return None, "", f"maillage.schema.sorties absent ({e})"
    for nom in noms:
        if callable(getattr(sorties, nom, None)):
            return getattr(sorties, nom), nom, ""
    return None, "", f"aucune fonction de production dans maillage.schema.sorties ({', '.join(noms)})"


def _produire(fonction, schema, etapes: list | None = None):
    """The file, as the background job makes it: the internal version when there are two (the larger one). With
    `etapes`, the (milliseconds since the start, step) the function reports through its `progression` callback."""
    import inspect

    parametres = inspect.signature(fonction).parameters
    options = {"interne": True} if "interne" in parametres else {}
    if etapes is not None and "progression" in parametres:
        debut = time.perf_counter()
        options["progression"] = lambda fait, total, etape="": etapes.append(
            ((time.perf_counter() - debut) * 1000, etape)
        )
    return fonction(schema, **options)


def _durees_des_etapes(etapes: list) -> list[tuple[str, float]]:
    """[(step, milliseconds)] of one generation: what comes before the first step reported (the import of
    WeasyPrint, the first time), then each step until the next one."""
    if not etapes:
        return []
    durees = [("import de WeasyPrint et préparation", etapes[0][0])]
    return durees + [(etape, etapes[i + 1][0] - debut) for i, (debut, etape) in enumerate(etapes[:-1])]


def commande_documents(cible: dict, repetitions: int) -> dict:
    """In-process: the PDF (target) and the XLSX of the schéma, the first generation of the process apart (imports,
    fonts, templates)."""
    schema = _schema_de(cible)
    resultats = {}
    for format_, noms in (("pdf", FONCTIONS_PDF), ("xlsx", FONCTIONS_XLSX)):
        fonction, nom, raison = _fonction(noms)
        if fonction is None:
            resultats[format_] = {"erreur": raison}
            continue
        etapes: list = []
        try:
            debut = time.perf_counter()
            contenu = _produire(fonction, schema, etapes)
            premiere = (time.perf_counter() - debut) * 1000
        except Exception as e:  # reported in the section (e.g. WeasyPrint without Pango): the bench goes on
            resultats[format_] = {"erreur": f"`sorties.{nom}` a échoué : {type(e).__name__}: {e}"[:300]}
            continue
        valeurs = []
        for _ in range(repetitions):
            debut = time.perf_counter()
            contenu = _produire(fonction, schema)
            valeurs.append((time.perf_counter() - debut) * 1000)
        octets = len(contenu) if isinstance(contenu, bytes | bytearray | str) else None
        resultats[format_] = {"fonction": nom, "premiere": premiere, **_mediane_p95(valeurs), "octets": octets}
        resultats[format_]["etapes"] = _durees_des_etapes(etapes)
    return resultats


def _client_statique():
    """Django's test client without collectstatic's manifest (not needed in-process)."""
    from django.conf import settings
    from django.test import Client

    stockage = "django.contrib.staticfiles.storage.StaticFilesStorage"
    settings.STORAGES = {**settings.STORAGES, "staticfiles": {"BACKEND": stockage}}
    return Client()


def commande_requetes(cible: dict) -> dict:
    """SQL queries of the API and the page (cache cleared before each), with the HTTP status."""
    from django.conf import settings
    from django.core.cache import cache
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    anonyme, pilote = _client_statique(), _client_statique()
    pilote.cookies[settings.SESSION_COOKIE_NAME] = cible["session"]  # the prepared session, second factor passed
    resultats = {}
    for nom, url in urls(cible).items():
        client = pilote if nom == "page_pilote" else anonyme
        client.get(url)  # warm-up: lazy imports, first connection
        cache.clear()
        with CaptureQueriesContext(connection) as requetes:
            reponse = client.get(url)
        resultats[nom] = {"statut": reponse.status_code, "requetes": len(requetes)}
    return resultats


def _commande(argv: list[str]) -> None:
    """`python bench/schema.py COMMANDE [JSON]`: Django side, prints one JSON line."""
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "maillage.settings")
    racine = str(RACINE)
    if racine not in sys.path:
        sys.path.insert(0, racine)
    import django

    django.setup()
    commande, parametres = argv[0], json.loads(argv[1]) if len(argv) > 1 else {}
    if commande == "preparer":
        resultat = commande_preparer(**parametres)
    elif commande == "recalcul":
        resultat = commande_recalcul(parametres["cible"], parametres["repetitions"])
    elif commande == "documents":
        resultat = commande_documents(parametres["cible"], parametres["repetitions"])
    elif commande == "requetes":
        resultat = commande_requetes(parametres["cible"])
    else:
        raise SystemExit(f"Commande inconnue : {commande}")
    print(json.dumps(resultat))


# --- Runner side (bench/run.py) -----------------------------------------------------------------------------------


def _outils():
    """bench/outils.py, imported when needed: importing this module (run.py, tests) leaves sys.path alone."""
    dossier = str(Path(__file__).resolve().parent)
    if dossier not in sys.path:
        sys.path.insert(0, dossier)
    import outils  # bench/outils.py: environment, subprocess with peak memory, gunicorn server

    return outils


def _lancer(database_url: str, commande: str, parametres: dict) -> dict:
    outils = _outils()
    env = outils.environnement(database_url) | {
        "DJANGO_SETTINGS_MODULE": "maillage.settings",
        "ALLOWED_HOSTS": "testserver",
    }
    args = [outils.PYTHON, str(Path(__file__).resolve()), commande, json.dumps(parametres)]
    return json.loads(outils.lancer(args, env)[2].strip().splitlines()[-1])


def _manage(database_url: str, *args: str) -> tuple[float, int, str]:
    """`manage.py ARGS` on `database_url`: seconds, peak MB, last line of output."""
    outils = _outils()
    duree, memoire, sortie = outils.lancer([outils.PYTHON, "manage.py", *args], outils.environnement(database_url))
    return duree, memoire, (sortie.strip().splitlines() or [""])[-1]


def base_postgresql(nom: str) -> str:
    nom = PREFIXE + nom
    for sql in (f"DROP DATABASE IF EXISTS {nom}", f"CREATE DATABASE {nom}"):
        subprocess.run(["psql", f"{PG_URL}/postgres", "-q", "-c", sql], check=True, capture_output=True)
    return f"{PG_URL}/{nom}"


def generer(database_url: str, departements: list[str], *, echelle: float, actions: int) -> dict:
    """Territories, the national registry set and the schémas on a new database: durations and summary lines."""
    _manage(database_url, "migrate", "--noinput", "-v0")
    _manage(database_url, "charger_territoires", *(["--departements", *departements] if departements else []))
    registre = _manage(database_url, "generer_jeu_national", "--force", "--echelle", str(echelle))
    duree, memoire, resume = _manage(database_url, "generer_schemas_nationaux", "--force", "--actions", str(actions))
    return {"registre": registre[2], "duree": duree, "memoire": memoire, "resume": resume}


def _envoyer(port: int, url: str, cookies: dict | None = None) -> tuple[float, int]:
    import http.client

    entetes = {"Host": "127.0.0.1"}
    if cookies:
        entetes["Cookie"] = "; ".join(f"{k}={v}" for k, v in cookies.items())
    connexion = http.client.HTTPConnection("127.0.0.1", port, timeout=60)
    debut = time.perf_counter()
    connexion.request("GET", url, headers=entetes)
    reponse = connexion.getresponse()
    reponse.read()
    duree = (time.perf_counter() - debut) * 1000
    connexion.close()
    return duree, reponse.status


def _port_dans_la_plage() -> int:
    """A free port in BENCH_PORTS ("8160-8169"): on a shared machine each user keeps to its own range."""
    import socket

    debut, _, fin = os.environ["BENCH_PORTS"].partition("-")
    for port in range(int(debut), int(fin or debut) + 1):
        with socket.socket() as s:
            try:
                s.bind(("127.0.0.1", port))
            except OSError:
                continue
            return port
    raise SystemExit(f"Aucun port libre dans BENCH_PORTS={os.environ['BENCH_PORTS']}")


def mesurer_http(database_url: str, cible: dict, requetes: int) -> tuple[dict, dict, int]:
    """Latencies over HTTP, interleaved with the floor: {name: median/p95}, {name: reason not measured}, worker MB."""
    outils = _outils()
    if os.environ.get("BENCH_PORTS"):
        outils.port_libre = _port_dans_la_plage  # read by outils.servir when it starts gunicorn
    cookies = {cible["cookie_session"]: cible["session"]}
    adresses = {"plancher": "/sante/", **urls(cible)}
    with outils.servir(database_url) as (port, serveur):

        def obtenir(nom):
            return _envoyer(port, adresses[nom], cookies if nom == "page_pilote" else None)

        absentes = {}
        for nom in adresses:  # probe, then warm-up
            statut = obtenir(nom)[1]
            if statut != 200:
                absentes[nom] = f"{adresses[nom]} a répondu {statut}" + (" (route absente)" if statut == 404 else "")
        mesurees = [nom for nom in adresses if nom not in absentes]
        for nom in mesurees:
            for _ in range(4):
                obtenir(nom)
        echantillons = {nom: [] for nom in mesurees}
        for _ in range(requetes):
            for nom in mesurees:
                duree, statut = obtenir(nom)
                if statut != 200:
                    raise SystemExit(f"{adresses[nom]} a répondu {statut} pendant la série")
                echantillons[nom].append(duree)
        memoire = outils.memoire_worker(serveur.pid)
    return {nom: _mediane_p95(v) for nom, v in echantillons.items()}, absentes, memoire


def mesurer(url_grand: str, url_petit: str, *, requetes: int = 200, annoncer=print) -> dict:
    """The whole schéma bench on the two databases (national set already generated on both)."""
    r = {}
    cible = _lancer(url_grand, "preparer", {})
    r["cible"] = cible
    annoncer(f"Schéma directeur : latences HTTP (département {cible['departement']}, schéma {cible['schema']})…")
    r["http"], r["absentes"], r["memoire"] = mesurer_http(url_grand, cible, requetes)
    annoncer("Schéma directeur : recalcul des indicateurs…")
    r["recalcul"] = _lancer(url_grand, "recalcul", {"cible": cible, "repetitions": 9})
    annoncer("Schéma directeur : PDF et XLSX…")
    r["documents"] = _lancer(url_grand, "documents", {"cible": cible, "repetitions": 3})
    annoncer("Schéma directeur : nombre de requêtes SQL (200 et 20 fiches actions)…")
    grand = _lancer(url_grand, "requetes", {"cible": cible})
    cible_petit = _lancer(url_petit, "preparer", {"departement": cible["departement"]})
    r["cible_petit"] = cible_petit
    petit = _lancer(url_petit, "requetes", {"cible": cible_petit})
    r["requetes"] = {
        nom: {
            "grand": g["requetes"],
            "petit": petit[nom]["requetes"],
            "statut": g["statut"],
            "statut_petit": petit[nom]["statut"],
            "egal": g["requetes"] == petit[nom]["requetes"] and g["statut"] == petit[nom]["statut"] == 200,
        }
        for nom, g in grand.items()
    }
    return r


def executer(options, departements: list[str], perimetre: str) -> list[str]:
    """`--seulement schema` and the end of the full run: databases, sets, measures; the section « Schéma directeur »
    of `options.sortie` is replaced in place (the other sections kept); returns it."""
    with tempfile.TemporaryDirectory() as dossier:
        if options.sans_postgresql:
            base, grand, petit = "SQLite", f"sqlite:///{dossier}/sch.sqlite3", f"sqlite:///{dossier}/sch_petit.sqlite3"
        else:
            base, grand, petit = "PostgreSQL", base_postgresql("bench_sch"), base_postgresql("bench_sch_petit")
        print(f"Schéma directeur : territoires ({perimetre}), jeu national et schémas sur {base}…", flush=True)
        generation = generer(grand, departements, echelle=1.0, actions=ACTIONS)
        print(generation["resume"], flush=True)
        # The small database: the measured département alone, schémas of 20 actions.
        departement = _lancer(grand, "preparer", {})["departement"]
        generation_petit = generer(petit, [departement], echelle=ECHELLE_PETIT, actions=ACTIONS_PETIT)
        print(generation_petit["resume"], flush=True)
        resultats = mesurer(grand, petit, requetes=options.requetes)
    resultats["generation"], resultats["generation_petit"] = generation, generation_petit
    contexte = {
        "date": time.strftime("%d/%m/%Y %H:%M"),
        "machine": (
            f"{os.uname().machine}, {os.cpu_count()} cœurs, Python {sys.version.split()[0]}, "
            f"charge moyenne du système au départ {os.getloadavg()[0]:.1f}"
        ),
        "base": base,
        "perimetre": perimetre,
        "requetes": options.requetes,
        "rapide": options.rapide,
    }
    section = section_markdown(resultats, contexte)
    print("\n".join(section))
    sortie = Path(options.sortie)
    texte = sortie.read_text(encoding="utf-8") if sortie.exists() else "# Performances\n"
    sortie.write_text(remplacer_section(texte, section), encoding="utf-8")
    print(f"Section « Schéma directeur » écrite dans {sortie}")
    return section


def remplacer_section(texte: str, section: list[str], titre: str = TITRE) -> str:
    """`texte` with its section starting with `titre` replaced by `section` (up to the next level-2 heading, or the
    end), or `section` appended when absent. The other sections are kept as they are."""
    lignes = texte.rstrip("\n").split("\n")
    debut = next((i for i, ligne in enumerate(lignes) if ligne.startswith(titre)), None)
    if debut is None:
        return "\n".join([*lignes, "", *section, ""])
    fin = next((i for i in range(debut + 1, len(lignes)) if lignes[i].startswith("## ")), len(lignes))
    suite = lignes[fin:]
    return "\n".join([*lignes[:debut], *section, *([""] + suite if suite else []), ""])


# --- Markdown -----------------------------------------------------------------------------------------------------


def _ms(valeur: float) -> str:
    return f"{valeur:.0f} ms" if valeur >= 10 else f"{valeur:.1f} ms"


def _oui(condition: bool) -> str:
    return "oui" if condition else "**non**"


def _cible_http(nom: str, mediane: float, plancher: float) -> tuple[str, bool | None]:
    rapport = mediane / plancher
    if nom == "api":
        atteinte = mediane <= CIBLES["api_ms"] and rapport <= CIBLES["api_plancher"]
        return f"≤ {CIBLES['api_ms']} ms et ≤ × {CIBLES['api_plancher']} : {_oui(atteinte)}", atteinte
    if nom.startswith("page"):
        atteinte = rapport <= CIBLES["page_plancher"]
        return f"≤ × {CIBLES['page_plancher']} : {_oui(atteinte)}", atteinte
    return ("pour information" if nom != "plancher" else ""), None


def section_markdown(r: dict, contexte: dict) -> list[str]:
    """The « Schéma directeur » section of docs/performance.md (French)."""
    cible, g = r["cible"], r["generation"]
    http_, absentes = r["http"], r["absentes"]
    plancher = http_["plancher"]["mediane"]
    atteintes: list[bool] = []
    non_mesures: list[str] = []
    lignes = [
        "## Schéma directeur à l'échelle nationale (jeu fictif)",
        "",
        f"Mesuré le {contexte['date']} ; machine : {contexte['machine']} ; base : {contexte['base']} ; "
        f"périmètre : {contexte['perimetre']}.",
        "",
        f"Registre : {g['registre']}",
        "",
        f"Schémas : {g['resume']} ({g['memoire']} Mo au plus pour `generer_schemas_nationaux`). "
        "Un schéma 2016-2020 par département : 4 enjeux, 4 directions de progrès, 4 axes × 3 orientations, "
        f"{ACTIONS} fiches actions (jalons, commentaires, partenaires), un COPIL et ses décisions, "
        "20 indicateurs (13 calculés par le catalogue, 7 saisis avec une valeur par an). Tout y est fictif.",
        "",
        f"Mesures sur le schéma du département **{cible['departement']}** ({cible['nom']}, le plus grand du jeu : "
        f"{cible['structures']} structures) : {cible['actions']} fiches actions, {cible['indicateurs']} indicateurs "
        f"dont {cible['calcules']} calculés (recalculés avant la série, comme un lecteur les trouve).",
        "",
        f"### Latences HTTP (gunicorn, 1 worker synchrone, boucle locale ; {contexte['requetes']} requêtes alternées "
        "par URL)",
        "",
        "| URL | médiane | p95 | rapport au plancher | cible (médiane) atteinte |",
        "|---|---:|---:|---:|---|",
    ]
    for nom, libelle in LIBELLES.items():
        if nom in absentes:
            lignes.append(f"| {libelle} | non mesuré : {absentes[nom]} | | | |")
            non_mesures.append(libelle)
            continue
        m = http_[nom]
        texte, atteinte = _cible_http(nom, m["mediane"], plancher)
        if atteinte is not None:
            atteintes.append(atteinte)
        lignes.append(
            f"| {libelle} | {_ms(m['mediane'])} | {_ms(m['p95'])} | × {m['mediane'] / plancher:.1f} | {texte} |"
        )
    lignes += [
        "",
        f"Mémoire résidente maximale du worker après la série : {r['memoire']} Mo.",
        "",
        f"### Recalcul des indicateurs calculés du département, dans le processus (cible ≤ {CIBLES['recalcul_ms']} ms)",
        "",
    ]
    rc = r["recalcul"]
    if "erreur" in rc:
        lignes.append(f"Non mesuré : {rc['erreur']}.")
        non_mesures.append("recalcul des indicateurs")
    else:
        atteinte = rc["complet"]["mediane"] <= CIBLES["recalcul_ms"]
        atteintes.append(atteinte)
        lignes += [
            "| `indicateurs_recalculer(schema=…, force=True)` | médiane | p95 | mesures | cible atteinte |",
            "|---|---:|---:|---:|---|",
            f"| complet : valeurs calculées supprimées et cache vidé avant chaque passe ({rc['indicateurs']} "
            f"indicateurs, {rc['valeurs']} valeurs écrites) | {_ms(rc['complet']['mediane'])} | "
            f"{_ms(rc['complet']['p95'])} | {rc['complet']['n']} | {_oui(atteinte)} |",
            f"| forcé, années closes déjà figées ({rc['figees']} valeurs figées, jamais recalculées) | "
            f"{_ms(rc['force_fige']['mediane'])} | {_ms(rc['force_fige']['p95'])} | {rc['force_fige']['n']} | "
            "pour information |",
            "",
            f"Première passe complète du processus (imports compris) : {_ms(rc['premiere'])}.",
        ]
    lignes += [
        "",
        f"### Documents du schéma (version interne), dans le processus (PDF ≤ {CIBLES['pdf_ms'] / 1000:.0f} s)",
        "",
        "| fichier | première génération | médiane des suivantes | p95 | taille | cible atteinte |",
        "|---|---:|---:|---:|---:|---|",
    ]
    for format_, m in r["documents"].items():
        if "erreur" in m:
            lignes.append(f"| {format_.upper()} | non mesuré : {m['erreur']} | | | | |")
            non_mesures.append(f"{format_.upper()} du schéma")
            continue
        taille = f"{m['octets'] / 1024:.0f} Ko" if m.get("octets") else "—"
        verdict = "pour information"
        if format_ == "pdf":
            atteintes.append(m["premiere"] <= CIBLES["pdf_ms"])
            verdict = _oui(atteintes[-1])
        lignes.append(
            f"| {format_.upper()} (`sorties.{m['fonction']}`) | {_ms(m['premiere'])} | {_ms(m['mediane'])} | "
            f"{_ms(m['p95'])} | {taille} | {verdict} |"
        )
    etapes = r["documents"].get("pdf", {}).get("etapes")
    if etapes:
        lignes += [
            "",
            "Première génération du PDF, par étape : "
            + " ; ".join(f"{etape.rstrip('.')} {_ms(duree)}" for etape, duree in etapes)
            + ".",
        ]
    lignes += [
        "",
        "La cible du PDF est jugée sur la première génération du processus (import de WeasyPrint et des polices "
        "compris), le pire cas d'un worker ; les fichiers produits sont ensuite réutilisés tant que les données "
        "ne changent pas.",
    ]
    lignes += [
        "",
        "### Requêtes SQL",
        "",
        f"Nombre de requêtes SQL (cache vidé) sur le schéma de {cible['actions']} fiches actions et sur celui de "
        f"{r['cible_petit']['actions']} (base à part : le seul département {r['cible_petit']['departement']}, "
        f"`generer_schemas_nationaux --actions {ACTIONS_PETIT}`) : il ne doit pas dépendre du nombre d'actions.",
        "",
        f"| URL | statut | requêtes SQL ({cible['actions']} actions) | requêtes SQL ({r['cible_petit']['actions']} "
        "actions) | constant |",
        "|---|---:|---:|---:|---|",
    ]
    for nom, q in r["requetes"].items():
        if q["statut"] != 200:
            lignes.append(f"| {LIBELLES[nom]} | {q['statut']} | non mesuré | non mesuré | — |")
            continue
        if nom in ("api", "page_pilote", "page_public"):
            atteintes.append(q["egal"])
        lignes.append(f"| {LIBELLES[nom]} | {q['statut']} | {q['grand']} | {q['petit']} | {_oui(q['egal'])} |")
    if contexte.get("rapide"):
        lignes += [
            "",
            "Périmètre rapide : deux départements seulement ; le registre du jeu national y est concentré (plus de "
            "2 000 structures chacun), ce qui alourdit le recalcul des indicateurs. Les cibles portent sur toute la "
            "France (`make bench` sans `--rapide`).",
        ]
    lignes += [
        "",
        "### Ce qui tient les cibles",
        "",
        "- API du schéma et page du schéma : la réponse JSON du détail, et le contenu de la page (par variante : "
        "suivi interne, gestion, filtres ; et par jour, pour les jalons en retard) avec à part le rendu de l'arbre, "
        "sont gardés en cache par version des données (`selectors.version_schema` : dernier changement audité des "
        "modèles du schéma, des organisations et des comptes, chargements, nombre et dernière modification des "
        "fiches, en une requête ; chiffres du jour : version des données du catalogue). Ci-dessus, le cas courant ; "
        "les requêtes SQL sont comptées cache vidé (le calcul complet, après un changement). L'API lit un arbre "
        "réduit (ni jalons ni référents).",
        "- Recalcul : la couverture du diagnostic (le plus cher des calculs du catalogue) est calculée pour toutes "
        "les dates de la série à la fois (`diagnostic.selectors.diagnostics_departement` : communes, QPV et "
        "structures à portée avec les périodes de leurs agréments lus une fois, pas une fois par année).",
        "- PDF : les fiches actions sont des blocs, non des lignes de tableau (WeasyPrint mesurait chaque cellule de "
        "200 lignes pour fixer la largeur des colonnes), les autres tableaux ont une disposition fixe, les blancs "
        "entre balises sont retirés et chaque barre d'avancement est une seule boîte. Le reste du temps (étapes "
        "ci-dessus) est la mise en page du texte des 200 fiches, l'écriture du fichier (polices, graphiques) et, la "
        "première fois, l'import de WeasyPrint : la marge sous 5 s reste mince sur une machine très chargée.",
    ]
    if not atteintes:
        bilan = "**aucune mesurée**"
    else:
        bilan = "**toutes atteintes**" if all(atteintes) else "**au moins une NON atteinte** (voir ci-dessus)"
        bilan += " parmi celles mesurées" if non_mesures else ""
    if non_mesures:
        bilan += " ; non mesuré : " + ", ".join(non_mesures)
    lignes += [
        "",
        f"Cibles : API du schéma ≤ {CIBLES['api_ms']} ms en médiane et ≤ × {CIBLES['api_plancher']} du plancher, "
        f"page ≤ × {CIBLES['page_plancher']}, recalcul des indicateurs d'un département "
        f"≤ {CIBLES['recalcul_ms'] / 1000:.0f} s, PDF ≤ {CIBLES['pdf_ms'] / 1000:.0f} s, requêtes SQL indépendantes "
        f"du nombre d'actions — {bilan}.",
    ]
    return lignes


if __name__ == "__main__":
    _commande(sys.argv[1:])
