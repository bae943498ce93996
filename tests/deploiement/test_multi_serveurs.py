"""Several processes against the same PostgreSQL, Redis and object storage, as a production with two application
servers and two task workers (issue 15).

Two gunicorn servers (A and B) on loopback ports and two `db_worker` processes run on a database of their own
(`maillage_multi_<pid>`, made and migrated here, dropped at the end: the servers cannot see pytest-django's test
transaction), a fresh bucket of the S3-compatible test server, and a Redis database number (MAILLAGE_TEST_REDIS_URL,
default redis://127.0.0.1:6379/3, flushed at the start and the end). They show:
- a change saved through A is seen at once through B, pages and API, even after B cached the old data;
- a report asked on A is made once by one worker, downloads from B, and B's request reuses it;
- a document uploaded through A (to the bucket, not the local disk) opens through B;
- login failures on A and B lock the account together; the throttled public form counts both servers;
- a worker killed (SIGKILL) in the middle of a job: the job is queued again and done exactly once; a worker asked to
  stop (SIGTERM) finishes its job first.

Skipped off PostgreSQL; on PostgreSQL, a missing Redis or gunicorn skips it locally but fails it in CI
(MAILLAGE_E2E_REQUIS=1, set by .ci/run).
"""

import contextlib
import json
import os
import re
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

RACINE = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(RACINE / "bench"))

import outils  # bench/outils.py: the production-like environment of a server, free ports  # noqa: E402
from observatoire import champs_formulaire  # bench/observatoire.py: the fields a browser posts  # noqa: E402

pytestmark = pytest.mark.lent

PYTHON = sys.executable
GUNICORN = Path(PYTHON).parent / "gunicorn"
REQUIS = os.environ.get("MAILLAGE_E2E_REQUIS", "") not in ("", "0")
BATTEMENT = 0.5  # s: a killed worker's job is taken as orphaned after 6 × this
SEUIL_CONNEXION = 4  # AXES_FAILURE_LIMIT of the servers
TAUX_INSCRIPTION = 4  # RESEAU_FREINS inscription: so many posts per hour and client


def _manque(raison: str):
    if REQUIS:
        pytest.fail(f"Test multi-serveurs exigé en CI (MAILLAGE_E2E_REQUIS=1) : {raison}")
    pytest.skip(raison)


def _base_postgres() -> str:
    url = os.environ.get("DATABASE_URL", "")
    if not url.startswith(("postgres://", "postgresql://")):
        pytest.skip(
            "Test multi-serveurs sur PostgreSQL seulement (DATABASE_URL=postgres://…) : SQLite est mono-serveur."
        )
    return url


def _redis(url: str):
    try:
        import redis

        client = redis.Redis.from_url(url, socket_connect_timeout=2)
        client.ping()
    except Exception as e:
        _manque(f"Redis injoignable à {url} ({e}) : lancez redis-server.")
    return client


class Processus:
    """A server or worker process with its output in a log file (printed when a test fails)."""

    def __init__(self, nom: str, args: list[str], env: dict, dossier: Path):
        self.nom, self.args, self.env = nom, args, env
        self.journal = dossier / f"{nom}.log"
        with self.journal.open("ab") as sortie:
            # Its own process group: the teardown can kill it with its children (gunicorn's worker).
            self.popen = subprocess.Popen(
                args, cwd=RACINE, env=env, stdout=sortie, stderr=subprocess.STDOUT, start_new_session=True
            )

    def vivant(self) -> bool:
        return self.popen.poll() is None

    def arreter(self, sig=signal.SIGTERM, attente: float = 10) -> int:
        if self.vivant():
            self.popen.send_signal(sig)
            try:
                return self.popen.wait(timeout=attente)
            except subprocess.TimeoutExpired:
                self.popen.kill()
        return self.popen.wait()

    def finir(self):
        """Teardown: a graceful stop, then SIGKILL to the whole group (children included)."""
        self.arreter(signal.SIGTERM, attente=10)
        with contextlib.suppress(ProcessLookupError):
            os.killpg(self.popen.pid, signal.SIGKILL)

    def texte(self) -> str:
        return self.journal.read_text(errors="replace") if self.journal.exists() else ""


class Client:
    """A browser session on one server (cookies sent over the loopback's plain HTTP even if marked Secure)."""

    def __init__(self, port: int):
        import requests

        self.base = f"http://127.0.0.1:{port}"
        self.session = requests.Session()

    def _apres(self, reponse):
        for cookie in self.session.cookies:
            cookie.secure = False
        return reponse

    def get(self, chemin: str, **kw):
        return self._apres(self.session.get(self.base + chemin, timeout=60, allow_redirects=False, **kw))

    def post(self, chemin: str, donnees, **kw):
        jeton = self.session.cookies.get("csrftoken", "")
        entetes = {"X-CSRFToken": jeton, "Referer": self.base + chemin}
        return self._apres(
            self.session.post(
                self.base + chemin, data=donnees, headers=entetes, timeout=60, allow_redirects=False, **kw
            )
        )

    def formulaire(self, chemin: str) -> list[tuple[str, str]]:
        """The fields of the page's POST form (the search box of the header left out)."""
        page = self.get(chemin)
        assert page.status_code == 200, (chemin, page.status_code)
        return [(n, v) for n, v in champs_formulaire(page.text, identifiant=None) if n != "q"]

    def connecter(self, email: str, mot_de_passe: str):
        champs = dict(self.formulaire("/comptes/connexion/"))
        return self.post(
            "/comptes/connexion/",
            {"csrfmiddlewaretoken": champs["csrfmiddlewaretoken"], "username": email, "password": mot_de_passe},
        )


def _attendre(condition, *, delai: float, message: str, pas: float = 0.2):
    fin = time.monotonic() + delai
    while time.monotonic() < fin:
        valeur = condition()
        if valeur:
            return valeur
        time.sleep(pas)
    raise AssertionError(f"{message} (après {delai:.0f} s)")


class Grappe:
    """The processes and the shared services of the test."""

    def __init__(self, *, env: dict, dossier: Path, base_url: str, s3, bucket: str, redis):
        self.env, self.dossier, self.base_url = env, dossier, base_url
        self.s3, self.bucket, self.redis = s3, bucket, redis
        self.serveurs: dict[str, Processus] = {}
        self.ports: dict[str, int] = {}
        self.travailleurs: dict[str, Processus] = {}
        self.tous: list[Processus] = []

    # --- processes

    def manage(self, *args: str, delai: float = 180) -> str:
        fin = subprocess.run(
            [PYTHON, "manage.py", *args], cwd=RACINE, env=self.env, capture_output=True, text=True, timeout=delai
        )
        assert fin.returncode == 0, f"manage.py {' '.join(args)} :\n{fin.stdout}\n{fin.stderr}"
        return fin.stdout

    def django(self, commande: str, **arguments):
        fin = subprocess.run(
            [PYTHON, "-m", "tests.deploiement.preparer", commande, json.dumps(arguments)],
            cwd=RACINE,
            env=self.env,
            capture_output=True,
            text=True,
            timeout=120,
        )
        assert fin.returncode == 0, f"{commande} :\n{fin.stdout}\n{fin.stderr}"
        return json.loads(fin.stdout.strip().splitlines()[-1])

    def demarrer_serveur(self, nom: str):
        port = outils.port_libre()
        args = [
            str(GUNICORN),
            "maillage.wsgi",
            "-b",
            f"127.0.0.1:{port}",
            "-w",
            "1",
            "--timeout",
            "60",
            "--no-control-socket",
        ]
        processus = Processus(f"serveur-{nom}", args, self.env, self.dossier)
        self.serveurs[nom], self.ports[nom] = processus, port
        self.tous.append(processus)

    def attendre_serveurs(self):
        import requests

        for nom, port in self.ports.items():

            def pret(nom=nom, port=port):
                assert self.serveurs[nom].vivant(), f"Le serveur {nom} s'est arrêté :\n{self.serveurs[nom].texte()}"
                with contextlib.suppress(requests.RequestException):
                    return requests.get(f"http://127.0.0.1:{port}/sante/", timeout=2).status_code == 200
                return False

            _attendre(pret, delai=60, message=f"Le serveur {nom} ne répond pas sur /sante/")

    def demarrer_travailleur(self, nom: str) -> Processus:
        args = [PYTHON, "manage.py", "db_worker", "--worker-id", nom, "--interval", "0.2", "--no-reload", "-v", "2"]
        processus = Processus(f"travailleur-{nom}", args, self.env, self.dossier)
        self.travailleurs[nom] = processus
        self.tous.append(processus)
        return processus

    def deux_travailleurs(self):
        """Two live workers, whatever an earlier test stopped."""
        vivants = [n for n, p in self.travailleurs.items() if p.vivant()]
        for i in range(2 - len(vivants)):
            self.demarrer_travailleur(f"t{len(self.travailleurs) + 1}-{i}")

    def client(self, nom: str) -> Client:
        return Client(self.ports[nom])

    # --- the shared database, read directly

    def sql(self, requete: str, *parametres):
        import psycopg

        with psycopg.connect(_libpq(self.base_url), autocommit=True) as connexion:
            return connexion.execute(requete, parametres).fetchall()

    def travail(self, pk: str) -> dict:
        lignes = self.sql(
            "SELECT statut, tentatives, executant, tache_id, fichier, message FROM core_travail WHERE id = %s", pk
        )
        return dict(
            zip(["statut", "tentatives", "executant", "tache_id", "fichier", "message"], lignes[0], strict=True)
        )

    def taches_du_travail(self, pk: str) -> list[tuple]:
        return self.sql(
            "SELECT status, worker_ids, exception_class_path FROM django_tasks_database_dbtaskresult"
            " WHERE args_kwargs->'kwargs'->>'travail_id' = %s ORDER BY enqueued_at",
            pk,
        )

    def journaux(self) -> str:
        return "\n".join(f"===== {p.nom} ({' '.join(p.args[-6:])})\n{p.texte()[-6000:]}" for p in self.tous)


def _libpq(url: str) -> str:
    return re.sub(r"^postgres(ql)?://", "postgresql://", url)


@pytest.fixture(scope="module")
def grappe(serveur_s3, tmp_path_factory):
    url = _base_postgres()
    if not GUNICORN.exists():
        _manque(f"gunicorn introuvable ({GUNICORN}) : make install.")
    redis_url = os.environ.get("MAILLAGE_TEST_REDIS_URL", "redis://127.0.0.1:6379/3")
    redis = _redis(redis_url)
    import psycopg

    nom_base = f"maillage_multi_{os.getpid()}"
    serveur_pg = _libpq(url).rsplit("/", 1)[0]
    with psycopg.connect(f"{serveur_pg}/postgres", autocommit=True) as connexion:
        connexion.execute(f"DROP DATABASE IF EXISTS {nom_base}")
        connexion.execute(f"CREATE DATABASE {nom_base}")
    base_url = f"{serveur_pg}/{nom_base}"
    redis.flushdb()
    bucket = serveur_s3.creer_bucket()
    dossier = tmp_path_factory.mktemp("multi_serveurs")
    env = outils.environnement(base_url) | serveur_s3.environnement(bucket)
    # DEBUG=1 spares collectstatic (minutes on a busy machine: compressed manifest storage); everything this test is
    # about is set as in production: tasks in the database, cache in Redis, files in the bucket, no demo.
    env |= {
        "DEBUG": "1",
        "REDIS_URL": redis_url,
        "MAILLAGE_TACHES": "base",
        "MAILLAGE_2FA_OBLIGATOIRE": "0",
        "MAILLAGE_TRAVAUX_BATTEMENT": str(BATTEMENT),
        "AXES_FAILURE_LIMIT": str(SEUIL_CONNEXION),
        "RESEAU_FREINS": json.dumps({"inscription": f"{TAUX_INSCRIPTION}/h"}),
        "MEDIA_ROOT": str(dossier / "media"),
        "PYTHONUNBUFFERED": "1",
        "LOG_LEVEL": "INFO",
    }
    grappe = Grappe(env=env, dossier=dossier, base_url=base_url, s3=serveur_s3, bucket=bucket, redis=redis)
    try:
        grappe.manage("migrate", "--noinput", "-v0")
        grappe.donnees = grappe.django("donnees")
        grappe.demarrer_serveur("A")
        grappe.demarrer_serveur("B")
        grappe.deux_travailleurs()
        grappe.attendre_serveurs()
        yield grappe
    finally:
        for processus in grappe.tous:
            processus.finir()
        redis.flushdb()
        with psycopg.connect(f"{serveur_pg}/postgres", autocommit=True) as connexion:
            connexion.execute(f"DROP DATABASE IF EXISTS {nom_base} WITH (FORCE)")


@pytest.fixture
def g(grappe, request):
    """The cluster, with two live workers; its processes' logs printed when the test fails."""
    grappe.deux_travailleurs()
    yield grappe
    rapport = getattr(request.node, "rapport_call", None)
    if rapport is not None and rapport.failed:
        print(grappe.journaux())


def _connecte(g, nom: str) -> Client:
    client = g.client(nom)
    reponse = client.connecter(g.donnees["pilote"], g.donnees["mot_de_passe"])
    assert reponse.status_code == 302, (reponse.status_code, reponse.text[:2000])
    return client


def test_un_changement_sur_a_se_voit_aussitot_sur_b(g):
    pk = g.donnees["structure"]
    ancien, nouveau = "Centre social des Bleuets", "Centre social des Bleuets et du Port"
    pages = ["/structures/?departement=94", f"/structures/{pk}/"]
    api = "/api/v1/structures?departement=94"
    b = g.client("B")
    # B reads (and caches, in the shared Redis) the data before the change.
    for page in pages:
        reponse = b.get(page)
        assert reponse.status_code == 200 and ancien in reponse.text and nouveau not in reponse.text
    assert [s["nom"] for s in b.get(api).json()["items"]] == [ancien]
    assert g.redis.dbsize() > 0

    a = _connecte(g, "A")
    champs = [(n, v) for n, v in a.formulaire(f"/structures/{pk}/modifier/") if n != "nom"]
    reponse = a.post(f"/structures/{pk}/modifier/", [*champs, ("nom", nouveau)])
    assert reponse.status_code == 302, reponse.text[:3000]

    for page in pages:
        assert nouveau in b.get(page).text, page
    assert [s["nom"] for s in b.get(api).json()["items"]] == [nouveau]
    assert nouveau in _connecte(g, "B").get(f"/structures/{pk}/").text  # logged in as well


def test_un_rapport_demande_sur_a_est_fait_une_fois_et_se_telecharge_sur_b(g):
    url = f"/observatoire/resultats/{g.donnees['annee']}/{g.donnees['departement']}/reponses.xlsx"
    a = _connecte(g, "A")
    reponse = a.get(url)
    assert reponse.status_code == 302 and reponse.headers["Location"].startswith("/travaux/"), reponse.status_code
    pk = reponse.headers["Location"].split("/")[2]
    _attendre(lambda: g.travail(pk)["statut"] == "termine", delai=60, message="Rapport jamais terminé")

    b = _connecte(g, "B")
    assert "Terminé" in b.get(f"/travaux/{pk}/").text
    fichier = b.get(url)
    assert fichier.status_code == 200 and fichier.content[:2] == b"PK", fichier.status_code
    assert "attachment" in fichier.headers["Content-Disposition"]
    assert b.get(url).content == fichier.content  # asked again: the same file, not a new job

    assert g.sql("SELECT count(*) FROM core_travail WHERE nature = 'observatoire.rapport_xlsx'") == [(1,)]
    taches = g.taches_du_travail(pk)
    assert len(taches) == 1 and taches[0][0] == "SUCCESSFUL", taches
    assert len(taches[0][1]) == 1 and taches[0][1][0] in g.travailleurs  # taken once, by one worker
    assert g.travail(pk)["fichier"] in g.s3.objets(g.bucket)


def test_un_document_depose_sur_a_s_ouvre_sur_b(g):
    a = _connecte(g, "A")
    chemin = f"/structures/projets/{g.donnees['projet']}/documents/nouveau/"
    champs = [(n, v) for n, v in a.formulaire(chemin) if n not in {"nature", "titre"}]
    contenu = b"%PDF-1.4\n% projet social depose par le serveur A\n"
    reponse = a.post(
        chemin,
        [*champs, ("nature", "projet_social"), ("titre", "Projet social 2024-2027")],
        files={"fichier": ("projet-social.pdf", contenu, "application/pdf")},
    )
    assert reponse.status_code == 302, reponse.text[:3000]
    [(pk, nom)] = g.sql("SELECT id, fichier FROM structures_documentprojet")

    b = _connecte(g, "B")
    document = b.get(f"/structures/documents/{pk}/")
    assert document.status_code == 200 and document.content == contenu
    assert nom in g.s3.objets(g.bucket)
    media = g.dossier / "media"
    assert not media.exists() or not any(p.is_file() for p in media.rglob("*"))  # nothing on a server's disk
    assert g.client("B").get(f"/structures/documents/{pk}/").status_code == 302  # anonymous: to the login page


def test_verrouillage_et_frein_comptent_les_deux_serveurs(g):
    victime, bon = g.donnees["victime"], g.donnees["mot_de_passe"]
    serveurs = ["A", "B"]
    for i in range(SEUIL_CONNEXION - 1):
        reponse = g.client(serveurs[i % 2]).connecter(victime, "mauvais-mot-de-passe")
        assert reponse.status_code == 200, (i, reponse.status_code)  # the form again, with its error
    verrou = g.client(serveurs[(SEUIL_CONNEXION - 1) % 2]).connecter(victime, "mauvais-mot-de-passe")
    assert verrou.status_code == 429, verrou.status_code
    for nom in serveurs:  # locked everywhere, even with the right password
        reponse = g.client(nom).connecter(victime, bon)
        assert reponse.status_code == 429 and "sessionid" not in reponse.cookies, nom

    chemin = f"/evenements/{g.donnees['evenement']}/inscription/"
    for i in range(TAUX_INSCRIPTION):
        client = g.client(serveurs[i % 2])
        champs = client.formulaire(chemin)
        reponse = client.post(chemin, [*champs, ("nom", ""), ("email", "pas-une-adresse")])
        assert reponse.status_code == 200, (i, reponse.status_code)  # counted, the form shown with its errors
    for nom in serveurs:
        client = g.client(nom)
        reponse = client.post(chemin, client.formulaire(chemin))
        assert reponse.status_code == 429 and "Trop de demandes" in reponse.text, nom


def test_deux_travailleurs_se_partagent_la_file_sans_doublon(g, tmp_path):
    journal = tmp_path / "journal.txt"
    travaux = g.django("lent", secondes=0.3, journal=str(journal), nombre=8)
    _attendre(
        lambda: all(g.travail(pk)["statut"] == "termine" for pk in travaux), delai=60, message="File jamais vidée"
    )
    lignes = journal.read_text().splitlines()
    assert (
        sum(ligne.startswith("debut") for ligne in lignes) == 8
        and sum(ligne.startswith("fin") for ligne in lignes) == 8
    )
    for pk in travaux:
        [(statut, travailleurs, _)] = g.taches_du_travail(pk)  # one task, taken once, by one worker
        assert statut == "SUCCESSFUL" and len(travailleurs) == 1 and g.travail(pk)["tentatives"] == 1


def _travailleur_du(g, pk: str) -> str:
    """The worker running the job `pk` (its task's claim)."""

    def pris():
        taches = g.taches_du_travail(pk)
        return g.travail(pk)["statut"] == "en_cours" and taches and taches[-1][1] and taches[-1][1][-1]

    return _attendre(pris, delai=30, message=f"Travail {pk} jamais commencé")


def test_travailleur_tue_en_plein_travail_le_travail_est_repris_et_fait_une_fois(g, tmp_path):
    journal = tmp_path / "journal.txt"
    pk = g.django("lent", secondes=3, journal=str(journal))
    nom = _travailleur_du(g, pk)
    time.sleep(0.5)
    assert g.travailleurs[nom].arreter(signal.SIGKILL) == -signal.SIGKILL
    assert journal.read_text().count("debut") == 1 and "fin" not in journal.read_text()
    assert g.travail(pk)["statut"] == "en_cours"  # what SIGKILL leaves: nobody will finish it by itself

    # cron's `reprendre_travaux`, every minute in production; here until the job's silence is noticed.
    _attendre(
        lambda: "1 travail(s) relancé(s)" in g.manage("reprendre_travaux"),
        delai=30,
        pas=0.5,
        message="Travail arrêté jamais relancé",
    )
    _attendre(lambda: g.travail(pk)["statut"] == "termine", delai=30, message="Travail relancé jamais terminé")

    lignes = journal.read_text().split()
    assert lignes.count("debut") == 2 and lignes.count("fin") == 1  # started again once, finished once
    travail = g.travail(pk)
    assert travail["tentatives"] == 2 and travail["message"] == ""
    assert [o for o in g.s3.objets(g.bucket) if f"lent-{pk}" in o] == [travail["fichier"]]  # one file
    (perdue, _, erreur), (faite, travailleurs, _) = g.taches_du_travail(pk)
    assert perdue == "FAILED" and erreur.endswith("TravailInterrompu")
    assert faite == "SUCCESSFUL" and nom not in travailleurs
    assert g.manage("reprendre_travaux") == ""  # nothing more to do
    assert g.travail(pk)["statut"] == "termine"


def test_travailleur_arrete_proprement_finit_son_travail(g, tmp_path):
    journal = tmp_path / "journal.txt"
    pk = g.django("lent", secondes=2, journal=str(journal))
    nom = _travailleur_du(g, pk)
    assert g.travailleurs[nom].arreter(signal.SIGTERM, attente=30) == 0
    travail = g.travail(pk)
    assert travail["statut"] == "termine" and travail["tentatives"] == 1
    assert journal.read_text().split().count("fin") == 1
    [(statut, travailleurs, _)] = g.taches_du_travail(pk)
    assert statut == "SUCCESSFUL" and travailleurs == [nom]
