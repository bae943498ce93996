"""JSON logs (`LOG_FORMAT=json`): one parseable object per line, with the request's context and no personal data
beyond the user's id."""

import datetime
import io
import json
import logging
import os
import subprocess
import sys
from pathlib import Path

import pytest

from maillage.core.journaux import FormateurJSON, format_des_journaux

RACINE = Path(__file__).resolve().parent.parent.parent
MIDDLEWARE_JSON = "maillage.core.journaux.JournalRequetesMiddleware"


def enregistrement(message="Bonjour %s", args=("Créteil",), exc_info=None, **extra):
    record = logging.LogRecord("maillage.essai", logging.WARNING, __file__, 10, message, args, exc_info)
    record.__dict__.update(extra)
    return record


def test_un_enregistrement_devient_un_objet_json():
    ligne = FormateurJSON().format(enregistrement())
    objet = json.loads(ligne)
    assert objet["level"] == "WARNING"
    assert objet["logger"] == "maillage.essai"
    assert objet["message"] == "Bonjour Créteil"
    assert objet["time"].endswith("Z")
    horodatage = datetime.datetime.fromisoformat(objet["time"].replace("Z", "+00:00"))
    assert horodatage.utcoffset() == datetime.timedelta(0)
    assert abs((datetime.datetime.now(datetime.UTC) - horodatage).total_seconds()) < 60
    assert "exception" not in objet and "method" not in objet


def test_exception_et_message_sur_plusieurs_lignes_restent_sur_une_ligne():
    try:
        raise ValueError("valeur « refusée »")
    except ValueError:
        exc_info = sys.exc_info()
    ligne = FormateurJSON().format(enregistrement("première\nseconde", (), exc_info=exc_info))
    assert "\n" not in ligne
    objet = json.loads(ligne)
    assert objet["message"] == "première\nseconde"
    assert objet["exception"].startswith("Traceback (most recent call last):")
    assert "ValueError: valeur « refusée »" in objet["exception"]


def test_valeurs_non_serialisables():
    objet = json.loads(FormateurJSON().format(enregistrement("%s", (object(),), status_code=500, duration_ms=1.5)))
    assert objet["message"].startswith("<object object")
    assert objet["status"] == 500
    assert objet["duration_ms"] == 1.5


@pytest.mark.parametrize(
    ("valeur", "debug", "attendu"),
    [
        (None, False, "texte"),
        ("", False, "texte"),
        ("json", False, "json"),
        (" JSON ", False, "json"),
        ("texte", False, "texte"),
        ("json", True, "texte"),  # a developer reads the console
    ],
)
def test_lecture_de_log_format(valeur, debug, attendu):
    assert format_des_journaux(valeur, debug=debug) == attendu


def test_log_format_inconnu_refuse():
    with pytest.raises(ValueError, match="LOG_FORMAT vaut « texte » ou « json »"):
        format_des_journaux("xml", debug=False)


@pytest.fixture
def journal_json():
    """The lines written meanwhile by any logger, formatted as in production."""
    flux = io.StringIO()
    gestionnaire = logging.StreamHandler(flux)
    gestionnaire.setFormatter(FormateurJSON())
    racine = logging.getLogger()
    racine.addHandler(gestionnaire)
    niveau = racine.level
    racine.setLevel(logging.INFO)
    try:
        yield lambda: [json.loads(ligne) for ligne in flux.getvalue().splitlines()]
    finally:
        racine.removeHandler(gestionnaire)
        racine.setLevel(niveau)


@pytest.fixture
def avec_journal_des_requetes(settings):
    settings.MIDDLEWARE = [MIDDLEWARE_JSON, *settings.MIDDLEWARE]


@pytest.mark.django_db
def test_ligne_d_acces_avec_l_identifiant_de_l_utilisateur(client, journal_json, avec_journal_des_requetes):
    from tests.comptes.factories import UtilisateurFactory

    utilisateur = UtilisateurFactory(email="camille.martin@exemple.fr")
    client.force_login(utilisateur)
    assert client.get("/espace/", REMOTE_ADDR="203.0.113.7").status_code == 200
    acces = [ligne for ligne in journal_json() if ligne["logger"] == "maillage.requetes"]
    assert len(acces) == 1
    ligne = acces[0]
    assert ligne["method"] == "GET"
    assert ligne["path"] == "/espace/"
    assert ligne["status"] == 200
    assert ligne["user_id"] == utilisateur.pk
    assert isinstance(ligne["duration_ms"], float)
    texte = json.dumps(journal_json())
    assert "camille.martin" not in texte
    assert "203.0.113.7" not in texte


@pytest.mark.django_db
def test_jeton_d_un_lien_personnel_masque(client, journal_json, avec_journal_des_requetes):
    jeton = "jeton-secret-d-invitation-123"
    client.get(f"/evenements/invitation/{jeton}/")
    lignes = journal_json()
    assert any(ligne["logger"] == "maillage.requetes" for ligne in lignes)
    assert jeton not in json.dumps(lignes)
    acces = next(ligne for ligne in lignes if ligne["logger"] == "maillage.requetes")
    assert acces["path"] == "/evenements/invitation/…/"
    assert "user_id" not in acces  # anonymous


@pytest.mark.django_db
def test_lignes_ecrites_pendant_une_requete_portent_son_contexte(client, journal_json, avec_journal_des_requetes):
    # A 404 is logged by Django (logger django.request) while the request is served.
    client.get("/territoires/departements/00/")
    lignes = journal_json()
    pendant = [ligne for ligne in lignes if ligne["logger"] == "django.request"]
    assert pendant and pendant[0]["path"] == "/territoires/departements/00/"
    assert pendant[0]["method"] == "GET"
    # Once the request is over, a line carries no request context any more.
    logging.getLogger("maillage.essai").warning("après")
    assert "path" not in journal_json()[-1]


@pytest.mark.django_db
def test_sondes_qui_reussissent_sans_ligne_d_acces(client, journal_json, avec_journal_des_requetes):
    client.get("/sante/")
    client.get("/pret/")
    assert not [ligne for ligne in journal_json() if ligne["logger"] == "maillage.requetes"]


def manage(code: str, *, commande=("shell", "-c"), **env) -> subprocess.CompletedProcess:
    environnement = {k: v for k, v in os.environ.items() if not k.startswith(("MAILLAGE_", "SECURE_", "LOG_"))}
    environnement.update(env)
    return subprocess.run(
        [sys.executable, "manage.py", *commande, code],
        cwd=RACINE,
        env=environnement,
        capture_output=True,
        text=True,
        timeout=120,
    )


PRODUCTION = {"DEBUG": "0", "SECRET_KEY": "k" * 60, "ALLOWED_HOSTS": "maillage.exemple"}
ECRIRE = "import logging; logging.getLogger('maillage.essai').warning('bonjour « %s »', 94)"


def test_production_en_json_sur_demande():
    resultat = manage(ECRIRE, LOG_FORMAT="json", **PRODUCTION)
    assert resultat.returncode == 0, resultat.stderr
    objet = json.loads(resultat.stdout.strip().splitlines()[-1])
    assert objet["logger"] == "maillage.essai"
    assert objet["message"] == "bonjour « 94 »"
    assert objet["level"] == "WARNING"

    premier = "from django.conf import settings; print(settings.MIDDLEWARE[0])"
    reglages = manage(premier, LOG_FORMAT="json", **PRODUCTION)
    assert reglages.stdout.strip().splitlines()[-1] == MIDDLEWARE_JSON


def test_texte_par_defaut_et_en_developpement():
    for env in ({**PRODUCTION}, {"DEBUG": "1", "LOG_FORMAT": "json"}):
        resultat = manage(ECRIRE, **env)
        assert resultat.returncode == 0, resultat.stderr
        ligne = resultat.stdout.strip().splitlines()[-1]
        assert ligne.endswith("WARNING maillage.essai bonjour « 94 »")
        with pytest.raises(json.JSONDecodeError):
            json.loads(ligne)


def test_log_format_inconnu_arrete_le_demarrage():
    # `shell` would swallow the settings' error; `check`, like gunicorn and the worker, stops on it.
    resultat = manage("--deploy", commande=("check",), LOG_FORMAT="xml", **PRODUCTION)
    assert resultat.returncode != 0
    assert "LOG_FORMAT vaut « texte » ou « json »" in resultat.stderr


def test_middleware_absent_sans_json(settings):
    assert MIDDLEWARE_JSON not in settings.MIDDLEWARE


def test_journal_d_acces_texte_de_gunicorn_sans_jeton_ni_adresse_ip():
    """With text logs gunicorn writes the access lines: the tokens of personal links are masked in the request
    line, the path and the referrer, and the client's IP address is not written."""
    import datetime as dt
    from types import SimpleNamespace

    from gunicorn.config import Config

    from maillage.core.journal_gunicorn import FORMAT_ACCES, JournalAcces

    config = Config()
    config.set("access_log_format", FORMAT_ACCES)
    journal = JournalAcces(config)
    chemin = "/comptes/activation/MQ/cf3k2-a1b2c3d4e5f6/"
    environ = {
        "REQUEST_METHOD": "GET",
        "RAW_URI": chemin + "?suite=1",
        "PATH_INFO": chemin,
        "SERVER_PROTOCOL": "HTTP/1.1",
        "REMOTE_ADDR": "203.0.113.7",
        "HTTP_REFERER": "https://maillage.example/evenements/invitation/jeton-secret-123/",
    }
    reponse = SimpleNamespace(status="200 OK", sent=512, headers=[])
    atomes = journal.atoms(reponse, SimpleNamespace(headers=[]), environ, dt.timedelta(milliseconds=42))
    ligne = FORMAT_ACCES % atomes
    assert '"GET /comptes/activation/…/…/?suite=1 HTTP/1.1" 200 512 42ms' in ligne
    assert "cf3k2" not in str(atomes) and "jeton-secret" not in str(atomes) and "MQ/" not in atomes["U"]
    assert atomes["f"] == "https://maillage.example/evenements/invitation/…/"
    assert "203.0.113.7" not in str(atomes) and atomes["h"] == "-"
    # A path of no route, or without secret, is written as it is.
    environ.update(RAW_URI="/structures/12/", PATH_INFO="/structures/12/", HTTP_REFERER="-")
    atomes = journal.atoms(reponse, SimpleNamespace(headers=[]), environ, dt.timedelta(milliseconds=3))
    assert atomes["r"] == "GET /structures/12/ HTTP/1.1" and atomes["f"] == "-"
