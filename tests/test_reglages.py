"""Production settings: `check --deploy` passes with DEBUG=0, and unsafe set-ups are refused."""

import os
import subprocess
import sys
from pathlib import Path

RACINE = Path(__file__).resolve().parent.parent
CLE = "k" * 20 + "a-long-and-random-enough-production-secret-key-0123456789"


def manage(*args, **env):
    environnement = {k: v for k, v in os.environ.items() if not k.startswith(("MAILLAGE_", "SECURE_"))}
    environnement.pop("DEBUG", None)
    environnement.update(env)
    return subprocess.run(
        [sys.executable, "manage.py", *args], cwd=RACINE, env=environnement, capture_output=True, text=True
    )


def test_check_deploy_passe_en_production():
    resultat = manage(
        "check", "--deploy", "--fail-level", "WARNING", DEBUG="0", SECRET_KEY=CLE, ALLOWED_HOSTS="maillage.example"
    )
    assert resultat.returncode == 0, resultat.stdout + resultat.stderr


def test_check_deploy_derriere_un_proxy_tls():
    resultat = manage(
        "check",
        "--deploy",
        "--fail-level",
        "WARNING",
        DEBUG="0",
        SECRET_KEY=CLE,
        ALLOWED_HOSTS="maillage.example",
        SECURE_SSL_REDIRECT="0",
        SECURE_PROXY_SSL_HEADER="1",
    )
    assert resultat.returncode == 0, resultat.stdout + resultat.stderr


def test_production_sans_cle_secrete_refusee():
    resultat = manage("check", DEBUG="0", SECRET_KEY="", ALLOWED_HOSTS="maillage.example")
    assert resultat.returncode != 0
    assert "SECRET_KEY doit être défini" in resultat.stderr


def test_pas_de_demo_en_production():
    code = "from django.conf import settings; print(settings.MAILLAGE_DEMO, settings.DEBUG)"
    resultat = manage(
        "shell", "-c", code, DEBUG="0", SECRET_KEY=CLE, ALLOWED_HOSTS="maillage.example", MAILLAGE_DEMO="1"
    )
    assert resultat.returncode == 0, resultat.stderr
    assert resultat.stdout.strip().splitlines()[-1] == "False False"


def test_developpement_par_defaut_avec_sqlite():
    code = "from django.conf import settings; print(settings.DATABASES['default']['ENGINE'], settings.DEBUG)"
    resultat = manage("shell", "-c", code, DATABASE_URL="")
    assert resultat.stdout.strip().splitlines()[-1] == "django.db.backends.sqlite3 True", resultat.stderr
