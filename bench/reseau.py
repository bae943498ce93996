"""Benchmarks of the network and its events, called by `bench/run.py` (`--seulement reseau`, and at the end of the
full run).

On its own database (`bench_res`, prefixed by BENCH_PREFIXE when set; a SQLite file with `--sans-postgresql`): the
territories of the Val-de-Marne, a pilote account, EVENEMENTS published events of the 94 with a programme (through
the réseau's services), one of them open to all with CAPACITE places: the target of the registrations.

1. **Registration under load**: `POST /api/v1/evenements/{id}/inscriptions` by CLIENTS concurrent clients (locust,
   headless) on gunicorn with WORKERS workers, each request a new person; the floor `/sante/` with the same
   clients in the same run, then the registrations (DUREE s). Afterwards, in the database: confirmed == capacity,
   the rest on the waiting list, as many registrations as 201 answers, 0 errors.
2. **Latencies** (gunicorn, 1 worker, loopback, interleaved with the floor `/sante/`): the events page
   `/evenements/`, an event's page `/evenements/<id>/` (with its registrations from part 1), the API list
   `GET /api/v1/evenements?departement=94` and detail `GET /api/v1/evenements/{id}`.
3. **Invitations to CONTACTS people**: CONTACTS `Personne` rows (bulk, bench set-up), one batch through
   `services_envois.envoi_creer(...)` with the database task backend (`MAILLAGE_TACHES=base`) and ONE `db_worker`
   process, e-mails to Django's dummy backend (rendered, never sent); the time to send them all, and an event's page
   timed while the worker sends (against the same page just before): requests are not blocked.

What the code under test does not offer yet (a route answering 404, a module missing) is reported as « non mesuré :
<raison> », never a crash. The Django side runs in subprocesses (`python bench/reseau.py COMMANDE JSON`, one JSON
line on stdout); this module imports nothing from Django at import time.
"""

import csv
import http.client
import json
import os
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

RACINE = Path(__file__).resolve().parent.parent
PG_URL = os.environ.get("BENCH_POSTGRES", "postgres://postgres@127.0.0.1:5432")
PREFIXE = os.environ.get("BENCH_PREFIXE", "")
TITRE = "## Réseau et événements"
DEPARTEMENT = "94"
EMAIL_PILOTE = "pilote-reseau-bench@exemple.invalid"
EVENEMENTS = 60
CAPACITE = 200  # well under what 50 clients register in DUREE s, even on a busy machine: a waiting list
CLIENTS = 50
WORKERS = 2
DUREE = 30  # s, registrations
DUREE_PLANCHER = 20  # s, floor under the same clients
CONTACTS = 5000
ATTENTE_MAX_ENVOI = 900  # s: the batch is reported unfinished after this
SANS_PROGRES = 60  # s without any recipient handled: the batch is reported stuck
ENV_SERVEUR = {"MAILLAGE_2FA_OBLIGATOIRE": "0"}
# E-mails rendered (text, HTML, iCalendar) then dropped: the bench measures the application, not an SMTP relay.
# E-mails rendered but not sent; the per-address throttling of the registration form lifted: the bench's 50
# clients all come from 127.0.0.1, where real visitors each have their own address.
FACTICE = {
    "EMAIL_BACKEND": "django.core.mail.backends.dummy.EmailBackend",
    "RESEAU_FREINS": json.dumps({"api_inscription": "100000000/h", "inscription": "100000000/h"}),
}
ENV_ENVOIS = {"MAILLAGE_TACHES": "base", **FACTICE}
CIBLES = {"page_plancher": 5, "api_plancher": 5, "inscription_p95_ms": 500}
LIBELLES = {
    "plancher": "plancher : vue triviale /sante/",
    "liste": "page des événements `/evenements/`",
    "page": "page d'un événement `/evenements/<id>/`",
    "api_liste": "API `GET /api/v1/evenements?departement=94`",
    "api_detail": "API `GET /api/v1/evenements/{id}`",
}
TITRE_BANC = "Banc réseau (fictif)"


def urls(cible: dict) -> dict[str, str]:
    pk = cible["evenement"]
    return {
        "plancher": "/sante/",
        "liste": "/evenements/",
        "page": f"/evenements/{pk}/",
        "api_liste": f"/api/v1/evenements?departement={DEPARTEMENT}",
        "api_detail": f"/api/v1/evenements/{pk}",
    }


def _mediane_p95(valeurs: list[float]) -> dict:
    valeurs = sorted(valeurs)
    return {
        "mediane": statistics.median(valeurs),
        "p95": valeurs[int(0.95 * (len(valeurs) - 1))],
        "max": valeurs[-1],
        "n": len(valeurs),
    }


# --- Django side (run in a subprocess: `python bench/reseau.py COMMANDE JSON`) -----------------------------------


def commande_preparer() -> dict:
    """The pilote, EVENEMENTS events with a programme (idempotent by title), the target event emptied."""
    import datetime

    from django.db import transaction
    from django.utils import timezone

    from maillage.comptes.models import Role, Utilisateur
    from maillage.reseau import notifications, services
    from maillage.reseau.models import Evenement, SessionProgramme
    from maillage.territoires.models import Commune, Departement

    departement = Departement.objects.get(code=DEPARTEMENT)
    pilote = Utilisateur.objects.filter(email=EMAIL_PILOTE).first() or Utilisateur(email=EMAIL_PILOTE)
    pilote.role, pilote.is_active = Role.PILOTE, True
    pilote.first_name, pilote.last_name = "Réseau", "Mesures (fictif)"
    pilote.set_unusable_password()
    pilote.save()
    pilote.departements.set([departement])
    communes = list(Commune.objects.filter(departement=departement).order_by("code"))
    existants = Evenement.objects.filter(departement=departement, titre__startswith=TITRE_BANC).count()
    debut_jour = timezone.localdate() + datetime.timedelta(days=20)
    with notifications.en_silence(), transaction.atomic():
        for i in range(existants, EVENEMENTS):
            jour = debut_jour + datetime.timedelta(days=3 * i)
            debut = timezone.make_aware(datetime.datetime.combine(jour, datetime.time(9)))
            evenement = services.evenement_creer(
                par=pilote,
                departement=departement,
                titre=f"{TITRE_BANC} n° {i + 1}",
                type=Evenement.Type.JOURNEE if i % 4 == 0 else Evenement.Type.ATELIER,
                statut=Evenement.Statut.PUBLIE,
                acces=Evenement.Acces.PUBLIC,
                debut=debut,
                fin=debut + datetime.timedelta(hours=8),
                lieu_nom="Salle fictive",
                lieu_commune=communes[i % len(communes)],
                description="Événement fictif du banc de mesure.",
                capacite=CAPACITE if i == 0 else 80,
            )
            for h in range(4):
                services.session_ajouter(
                    par=pilote,
                    evenement=evenement,
                    titre=f"Session {h + 1}",
                    type=SessionProgramme.Type.PLENIERE,
                    debut=debut + datetime.timedelta(hours=2 * h),
                    fin=debut + datetime.timedelta(hours=2 * h + 1),
                    intervenants=[{"nom": "Intervenant fictif", "fonction": "Fonction fictive"}],
                )
    cible = Evenement.objects.filter(departement=departement, titre=f"{TITRE_BANC} n° 1").get()
    cible.inscriptions.all().delete()  # a re-run starts from an empty event
    return {"evenement": cible.pk, "capacite": cible.capacite, "evenements": EVENEMENTS, "departement": DEPARTEMENT}


def commande_verifier(cible: dict) -> dict:
    from django.db.models import Count

    from maillage.reseau.models import Evenement

    evenement = Evenement.objects.get(pk=cible["evenement"])
    par_statut = dict(evenement.inscriptions.values_list("statut").annotate(n=Count("pk")).values_list("statut", "n"))
    total = sum(par_statut.values())
    return {
        "confirmees": par_statut.get("confirmee", 0),
        "liste_attente": par_statut.get("liste_attente", 0),
        "annulees": par_statut.get("annulee", 0),
        "total": total,
        "emails_distincts": evenement.inscriptions.values("email").distinct().count(),
        "capacite": evenement.capacite,
    }


def commande_preparer_envoi(cible: dict) -> dict:
    """CONTACTS people (bulk: bench set-up) and one invitation batch to all of them, enqueued for the worker."""
    try:
        from maillage.reseau import services_envois
    except ImportError as erreur:
        return {"absent": f"module maillage.reseau.services_envois absent ({erreur})"}
    if not hasattr(services_envois, "envoi_creer"):
        return {"absent": "services_envois.envoi_creer absent"}
    from maillage.comptes.models import Utilisateur
    from maillage.reseau.models import Categorie, Destinataire, Envoi, Evenement, Personne

    pilote = Utilisateur.objects.get(email=EMAIL_PILOTE)
    evenement = Evenement.objects.get(pk=cible["evenement"])
    Envoi.objects.filter(evenement=evenement).delete()
    Personne.objects.filter(departement_id=DEPARTEMENT, email__endswith="@banc-reseau.invalid").delete()
    Personne.objects.bulk_create(
        [
            Personne(
                departement_id=DEPARTEMENT,
                nom=f"Contact {i:05d}",
                prenom="Fictif",
                categorie=Categorie.CENTRE_SOCIAL,
                email=f"contact{i:05d}@banc-reseau.invalid",
                origine=Personne.Origine.IMPORT,
            )
            for i in range(CONTACTS)
        ],
        batch_size=1000,
    )
    # By category (plain codes): the bench's département holds no one else in that category.
    debut = time.perf_counter()
    envoi = services_envois.envoi_creer(
        par=pilote,
        evenement=evenement,
        nature=Envoi.Nature.INVITATION,
        objet="Invitation (banc de mesure, fictive)",
        message="Message fictif du banc de mesure.",
        categories=(Categorie.CENTRE_SOCIAL,),
    )
    creation = time.perf_counter() - debut
    return {
        "envoi": envoi.pk,
        "destinataires": Destinataire.objects.filter(envoi=envoi).count(),
        "creation_s": creation,
        "statut": Envoi.objects.get(pk=envoi.pk).statut,
    }


def commande_suivre(parametres: dict) -> dict:
    """Wait until the batch is done (or ATTENTE_MAX_ENVOI): seconds from now, its status and counts."""
    from django.db.models import Count

    from maillage.reseau.models import Destinataire, Envoi

    debut = time.perf_counter()
    restants, progres = None, debut
    while True:
        envoi = Envoi.objects.get(pk=parametres["envoi"])
        if envoi.statut in (Envoi.Statut.TERMINE, Envoi.Statut.ECHEC):
            break
        maintenant = time.perf_counter()
        a_envoyer = Destinataire.objects.filter(envoi=envoi, statut=Destinataire.Statut.A_ENVOYER).count()
        if a_envoyer != restants:
            restants, progres = a_envoyer, maintenant
        # A failed task leaves the batch as it is: stop after SANS_PROGRES s without a recipient handled.
        if maintenant - debut > ATTENTE_MAX_ENVOI or maintenant - progres > SANS_PROGRES:
            break
        time.sleep(0.2)
    duree = time.perf_counter() - debut
    comptes = dict(
        Destinataire.objects.filter(envoi=envoi)
        .values_list("statut")
        .annotate(n=Count("pk"))
        .values_list("statut", "n")
    )
    return {"duree_s": duree, "statut": envoi.statut, "par_statut": comptes}


def _commande(argv: list[str]) -> None:
    """`python bench/reseau.py COMMANDE [JSON]`: Django side, prints one JSON line."""
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "maillage.settings")
    if str(RACINE) not in sys.path:
        sys.path.insert(0, str(RACINE))
    import django

    django.setup()
    commande, parametres = argv[0], json.loads(argv[1]) if len(argv) > 1 else {}
    if commande == "preparer":
        resultat = commande_preparer()
    elif commande == "verifier":
        resultat = commande_verifier(parametres)
    elif commande == "preparer_envoi":
        resultat = commande_preparer_envoi(parametres)
    elif commande == "suivre":
        resultat = commande_suivre(parametres)
    else:
        raise SystemExit(f"Commande inconnue : {commande}")
    print(json.dumps(resultat))


# --- Runner side (bench/run.py) -----------------------------------------------------------------------------------


def _outils():
    """bench/outils.py, imported when needed (importing this module leaves sys.path alone)."""
    dossier = str(Path(__file__).resolve().parent)
    if dossier not in sys.path:
        sys.path.insert(0, dossier)
    import outils  # bench/outils.py: environment, subprocess with peak memory, gunicorn server

    return outils


def _env(database_url: str, en_plus: dict | None = None) -> dict:
    return _outils().environnement(database_url) | {"DJANGO_SETTINGS_MODULE": "maillage.settings"} | (en_plus or {})


def _lancer(database_url: str, commande: str, parametres: dict | None = None, env: dict | None = None) -> dict:
    outils = _outils()
    args = [outils.PYTHON, str(Path(__file__).resolve()), commande, json.dumps(parametres or {})]
    return json.loads(outils.lancer(args, _env(database_url, env))[2].strip().splitlines()[-1])


def base_postgresql(nom: str) -> str:
    nom = PREFIXE + nom
    for sql in (f"DROP DATABASE IF EXISTS {nom}", f"CREATE DATABASE {nom}"):
        subprocess.run(["psql", f"{PG_URL}/postgres", "-q", "-c", sql], check=True, capture_output=True)
    return f"{PG_URL}/{nom}"


def preparer(database_url: str) -> dict:
    outils = _outils()
    env = outils.environnement(database_url)
    outils.lancer([outils.PYTHON, "manage.py", "migrate", "--noinput", "-v0"], env)
    outils.lancer([outils.PYTHON, "manage.py", "charger_territoires", "--departements", DEPARTEMENT], env)
    return _lancer(database_url, "preparer")


def _envoyer(port: int, methode: str, url: str, corps: dict | None = None) -> tuple[float, int]:
    entetes = {"Host": "127.0.0.1"}
    donnees = None
    if corps is not None:
        donnees = json.dumps(corps).encode()
        entetes["Content-Type"] = "application/json"
    connexion = http.client.HTTPConnection("127.0.0.1", port, timeout=60)
    debut = time.perf_counter()
    connexion.request(methode, url, body=donnees, headers=entetes)
    reponse = connexion.getresponse()
    reponse.read()
    duree = (time.perf_counter() - debut) * 1000
    connexion.close()
    return duree, reponse.status


def _servir(database_url: str, *, workers: int = 1, env_en_plus: dict | None = None):
    return _outils().servir(database_url, workers=workers, env_en_plus={**ENV_SERVEUR, **(env_en_plus or {})})


# (a) registrations under load ------------------------------------------------------------------------------------

LOCUSTFILE = '''
"""Written by bench/reseau.py: the floor and the registrations of the load test."""
import itertools, os, uuid
from locust import FastHttpUser, constant, task

EVENEMENT = os.environ["BENCH_RESEAU_EVENEMENT"]
LOT = uuid.uuid4().hex[:8]
NUMEROS = itertools.count()
CATEGORIES = ["centre_social", "evs", "elu", "caf", "association", "ccas", "conseil_departemental", "rpe"]


class Plancher(FastHttpUser):
    wait_time = constant(0)

    @task
    def sante(self):
        self.client.get("/sante/", name="plancher : /sante/")


class Inscriptions(FastHttpUser):
    wait_time = constant(0)

    @task
    def inscrire(self):
        n = next(NUMEROS)
        corps = {"nom": f"Inscrit {n}", "prenom": "Fictif", "email": f"inscrit-{LOT}-{n}@banc-reseau.invalid",
                 "categorie": CATEGORIES[n % len(CATEGORIES)], "organisation_nom": "Organisation fictive"}
        with self.client.post(f"/api/v1/evenements/{EVENEMENT}/inscriptions", json=corps,
                              name="POST /api/v1/evenements/{id}/inscriptions", catch_response=True) as r:
            if r.status_code == 201:
                r.success()
            else:
                r.failure(f"{r.status_code} {(r.text or '')[:150]}")
'''


def _stats_locust(chemin: Path) -> dict:
    def nombre(texte):
        return float(texte) if texte not in {"", "N/A"} else 0.0

    resultat = {}
    with chemin.open(encoding="utf-8") as f:
        for ligne in csv.DictReader(f):
            resultat[ligne["Name"]] = {
                "n": int(ligne["Request Count"]),
                "erreurs": int(ligne["Failure Count"]),
                "rps": nombre(ligne["Requests/s"]),
                "p50": nombre(ligne["50%"]),
                "p95": nombre(ligne["95%"]),
            }
    return resultat


def _locust(port: int, classe: str, duree: int, dossier: Path, evenement: int) -> dict:
    outils = _outils()
    fichier = dossier / "locust_reseau.py"
    fichier.write_text(LOCUSTFILE, encoding="utf-8")
    prefixe = dossier / classe.lower()
    args = [
        str(Path(outils.PYTHON).parent / "locust"), "-f", str(fichier), "--headless", "--users", str(CLIENTS),
        "--spawn-rate", str(CLIENTS), "--run-time", f"{duree}s", "--host", f"http://127.0.0.1:{port}",
        "--csv", str(prefixe), "--only-summary", "--loglevel", "WARNING", classe,
    ]  # fmt: skip
    env = {**os.environ, "BENCH_RESEAU_EVENEMENT": str(evenement)}
    fin = subprocess.run(args, cwd=RACINE, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True)
    stats = Path(f"{prefixe}_stats.csv")
    if not stats.exists() or not _stats_locust(stats).get("Aggregated", {}).get("n"):
        raise SystemExit(f"locust n'a rien mesuré ({classe}) :\n{fin.stderr[-3000:]}")
    erreurs = []
    echecs = Path(f"{prefixe}_failures.csv")
    if echecs.exists():
        with echecs.open(encoding="utf-8") as f:
            erreurs = [f"{ligne['Error']} (× {ligne['Occurrences']})" for ligne in csv.DictReader(f)]
    return {"stats": _stats_locust(stats)["Aggregated"], "erreurs": erreurs, "duree": duree}


def mesurer_inscriptions(database_url: str, cible: dict) -> dict:
    """(a): the route probed (an empty body must give 422), the floor, the registrations, then the database."""
    with _servir(database_url, workers=WORKERS, env_en_plus=FACTICE) as (port, _):
        route = f"/api/v1/evenements/{cible['evenement']}/inscriptions"
        statut = _envoyer(port, "POST", route, {})[1]
        if statut != 422:
            raison = f"POST {route} (corps vide) a répondu {statut}, 422 attendu"
            return {"absent": raison + (" : route absente" if statut in (404, 405) else "")}
        with tempfile.TemporaryDirectory() as dossier:
            plancher = _locust(port, "Plancher", DUREE_PLANCHER, Path(dossier), cible["evenement"])
            inscriptions = _locust(port, "Inscriptions", DUREE, Path(dossier), cible["evenement"])
    base = _lancer(database_url, "verifier", cible)
    reussies = inscriptions["stats"]["n"] - inscriptions["stats"]["erreurs"]
    # Requests still in flight when locust stops are written without their answer being counted (one per client,
    # plus those waiting in gunicorn's listen queue): reported, not part of the check.
    base["en_vol"] = base["total"] - reussies
    base["coherent"] = (
        reussies > 0
        and base["confirmees"] == min(base["capacite"], base["total"])
        and base["liste_attente"] == base["total"] - base["confirmees"]
        and base["total"] == base["emails_distincts"]
        and base["en_vol"] >= 0
    )
    return {"plancher": plancher, "inscriptions": inscriptions, "base": base, "reussies": reussies}


# (b) latencies ---------------------------------------------------------------------------------------------------


def mesurer_latences(database_url: str, cible: dict, requetes: int) -> dict:
    adresses = urls(cible)
    with _servir(database_url) as (port, serveur):
        absentes = {}
        for nom, url in adresses.items():
            statut = _envoyer(port, "GET", url)[1]
            if statut != 200:
                absentes[nom] = f"{url} a répondu {statut}" + (
                    " (route ou vue pas encore livrée)" if statut == 404 else ""
                )
        mesurees = [nom for nom in adresses if nom not in absentes]
        for nom in mesurees:
            for _ in range(4):
                _envoyer(port, "GET", adresses[nom])
        echantillons = {nom: [] for nom in mesurees}
        for _ in range(requetes):
            for nom in mesurees:
                duree, statut = _envoyer(port, "GET", adresses[nom])
                if statut != 200:
                    raise SystemExit(f"{adresses[nom]} a répondu {statut} pendant la série")
                echantillons[nom].append(duree)
        memoire = _outils().memoire_worker(serveur.pid)
    return {"http": {n: _mediane_p95(v) for n, v in echantillons.items()}, "absentes": absentes, "memoire": memoire}


# (c) invitations -------------------------------------------------------------------------------------------------


def mesurer_envoi(database_url: str, cible: dict) -> dict:
    """(c): the batch enqueued, one db_worker sends it while a page is timed; the same page before, for reference."""
    outils = _outils()
    with _servir(database_url, env_en_plus=ENV_ENVOIS) as (port, _):
        page = f"/evenements/{cible['evenement']}/"
        if _envoyer(port, "GET", page)[1] != 200:
            page = "/sante/"  # the event's page is not delivered yet: the floor still shows the server is free
        for _ in range(5):
            _envoyer(port, "GET", page)
        avant = [_envoyer(port, "GET", page)[0] for _ in range(60)]
        preparation = _lancer(database_url, "preparer_envoi", cible, ENV_ENVOIS)
        if "absent" in preparation:
            return {"absent": preparation["absent"]}
        pendant: list[float] = []
        arret = threading.Event()

        def chronometrer():
            while not arret.is_set():
                pendant.append(_envoyer(port, "GET", page)[0])
                time.sleep(0.05)

        worker = subprocess.Popen(
            [outils.PYTHON, "manage.py", "db_worker", "--no-startup-delay", "--interval", "0.2", "--no-reload"],
            cwd=RACINE,
            env=_env(database_url, ENV_ENVOIS),
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        fil = threading.Thread(target=chronometrer, daemon=True)
        fil.start()
        try:
            suivi = _lancer(database_url, "suivre", {"envoi": preparation["envoi"]}, ENV_ENVOIS)
        finally:
            arret.set()
            fil.join(timeout=30)
            worker.terminate()
            worker.wait(timeout=30)
    return {
        "page": page,
        "preparation": preparation,
        "suivi": suivi,
        "avant": _mediane_p95(avant),
        "pendant": _mediane_p95(pendant) if pendant else None,
    }


# --- Whole run ----------------------------------------------------------------------------------------------------


def mesurer(database_url: str, *, requetes: int = 200, annoncer=print) -> dict:
    r = {"cible": preparer(database_url)}
    annoncer(f"Réseau : {CLIENTS} clients s'inscrivent (gunicorn, {WORKERS} workers)…")
    r["charge"] = mesurer_inscriptions(database_url, r["cible"])
    annoncer("Réseau : latences des pages et de l'API des événements…")
    r["latences"] = mesurer_latences(database_url, r["cible"], requetes)
    annoncer(f"Réseau : invitations à {CONTACTS} contacts (1 db_worker)…")
    r["envoi"] = mesurer_envoi(database_url, r["cible"])
    return r


def executer(options, departements=None, perimetre: str = "") -> list[str]:
    """`--seulement reseau` and the end of the full run: its database, the measures; the section « Réseau et
    événements » of `options.sortie` is replaced in place (the other sections kept); returns it."""
    with tempfile.TemporaryDirectory() as dossier:
        if options.sans_postgresql:
            base, url = "SQLite", f"sqlite:///{dossier}/res.sqlite3"
        else:
            base, url = "PostgreSQL", base_postgresql("bench_res")
        resultats = mesurer(url, requetes=min(options.requetes, 100))
    contexte = {
        "date": time.strftime("%d/%m/%Y %H:%M"),
        "machine": (
            f"{os.uname().machine}, {os.cpu_count()} cœurs, Python {sys.version.split()[0]}, "
            f"charge moyenne du système au départ {os.getloadavg()[0]:.1f}"
        ),
        "base": base,
        "requetes": min(options.requetes, 100),
    }
    section = section_markdown(resultats, contexte)
    print("\n".join(section))
    sortie = Path(options.sortie)
    texte = sortie.read_text(encoding="utf-8") if sortie.exists() else "# Performances\n"
    sortie.write_text(remplacer_section(texte, section), encoding="utf-8")
    print(f"Section « Réseau et événements » écrite dans {sortie}")
    return section


def remplacer_section(texte: str, section: list[str], titre: str = TITRE) -> str:
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


def section_markdown(r: dict, contexte: dict) -> list[str]:
    """The « Réseau et événements » section of docs/performance.md (French)."""
    cible = r["cible"]
    lignes = [
        TITRE,
        "",
        f"Mesuré le {contexte['date']} ; machine : {contexte['machine']} ; base : {contexte['base']}. Jeu : "
        f"territoires du Val-de-Marne, {cible['evenements']} événements publiés avec leur programme (fictifs), "
        f"l'événement mesuré ouvert à tous avec {cible['capacite']} places (`make bench --seulement reseau`).",
        "",
        f"### Inscriptions sous charge ({CLIENTS} clients, gunicorn {WORKERS} workers, locust)",
        "",
    ]
    charge = r["charge"]
    if "absent" in charge:
        lignes.append(f"Non mesuré : {charge['absent']}.")
    else:
        p, i, b = charge["plancher"]["stats"], charge["inscriptions"]["stats"], charge["base"]
        atteinte = i["p95"] <= CIBLES["inscription_p95_ms"] and not i["erreurs"]
        lignes += [
            "| requêtes | nombre | débit | médiane | p95 | erreurs |",
            "|---|---:|---:|---:|---:|---:|",
            f"| plancher `/sante/` ({charge['plancher']['duree']} s) | {p['n']} | {p['rps']:.0f}/s | {_ms(p['p50'])} | "
            f"{_ms(p['p95'])} | {p['erreurs']} |",
            f"| `POST /api/v1/evenements/{{id}}/inscriptions` ({charge['inscriptions']['duree']} s) | {i['n']} | "
            f"{i['rps']:.0f}/s | {_ms(i['p50'])} | {_ms(i['p95'])} | {i['erreurs']} |",
            "",
            f"Débit des inscriptions : {i['rps'] / p['rps'] * 100 if p['rps'] else 0:.0f} % de celui du plancher ; "
            f"p95 × {i['p95'] / p['p95'] if p['p95'] else 0:.1f} celui du plancher (cible : p95 ≤ "
            f"{CIBLES['inscription_p95_ms']} ms, 0 erreur : {_oui(atteinte)}).",
            "",
            f"En base ensuite : {b['total']} inscriptions pour {charge['reussies']} réponses 201 (+ {b['en_vol']} en "
            f"cours à l'arrêt de locust), {b['confirmees']} "
            f"confirmées pour {b['capacite']} places, {b['liste_attente']} en liste d'attente, "
            f"{b['emails_distincts']} adresses distinctes — cohérent : {_oui(b['coherent'])}.",
        ]
        if charge["inscriptions"]["erreurs"]:
            lignes += ["", "Erreurs : " + " ; ".join(charge["inscriptions"]["erreurs"][:5]) + "."]
    lat = r["latences"]
    lignes += [
        "",
        f"### Pages et API des événements (gunicorn, 1 worker, {contexte['requetes']} requêtes alternées par URL)",
        "",
        "| URL | médiane | p95 | rapport au plancher | cible |",
        "|---|---:|---:|---:|---|",
    ]
    plancher = lat["http"].get("plancher", {}).get("mediane") or 1.0
    for nom, libelle in LIBELLES.items():
        if nom in lat["absentes"]:
            lignes.append(f"| {libelle} | non mesuré : {lat['absentes'][nom]} | | | |")
            continue
        m = lat["http"][nom]
        rapport = m["mediane"] / plancher
        if nom == "plancher":
            verdict = "—"
        else:
            limite = CIBLES["api_plancher"] if nom.startswith("api") else CIBLES["page_plancher"]
            verdict = f"≤ × {limite} : {_oui(rapport <= limite)}"
        lignes.append(f"| {libelle} | {_ms(m['mediane'])} | {_ms(m['p95'])} | × {rapport:.1f} | {verdict} |")
    lignes += ["", f"Mémoire résidente maximale du worker après la série : {lat['memoire']} Mo.", ""]
    lignes += [f"### Invitations à {CONTACTS} contacts (tâches en base, 1 `db_worker`)", ""]
    envoi = r["envoi"]
    if "absent" in envoi:
        lignes.append(f"Non mesuré : {envoi['absent']}.")
    else:
        prep, suivi = envoi["preparation"], envoi["suivi"]
        envoyes = suivi["par_statut"].get("envoye", 0)
        debit = envoyes / suivi["duree_s"] if suivi["duree_s"] else 0
        lignes += [
            f"`envoi_creer` : {prep['destinataires']} destinataires en {prep['creation_s']:.1f} s (la requête du "
            f"pilote n'attend pas les envois). Envoi complet par un worker : **{suivi['duree_s']:.1f} s** "
            f"({debit:.0f} courriels/s, rendus en texte, HTML et iCalendar, remis au backend factice), statut final "
            f"« {suivi['statut']} », par statut : {json.dumps(suivi['par_statut'], ensure_ascii=False)}.",
            "",
        ]
        if envoi["pendant"]:
            a, p = envoi["avant"], envoi["pendant"]
            lignes += [
                f"Page `{envoi['page']}` pendant l'envoi : médiane {_ms(p['mediane'])}, p95 {_ms(p['p95'])}, max "
                f"{_ms(p['max'])} sur {p['n']} requêtes, contre {_ms(a['mediane'])} (p95 {_ms(a['p95'])}) juste "
                f"avant : les requêtes ne sont pas bloquées ({_oui(p['p95'] < 1000)}, p95 < 1 s).",
            ]
    return lignes


if __name__ == "__main__":
    _commande(sys.argv[1:])
