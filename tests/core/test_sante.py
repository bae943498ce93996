"""Probes of the load balancer: `/sante/` (liveness) and `/pret/` (readiness), never a 500, never a cookie."""

import os
import socket
import subprocess
import sys
from pathlib import Path

import pytest
from django.db import OperationalError, connection
from django.db.migrations.recorder import MigrationRecorder
from django.test import override_settings

from maillage.core import views

pytestmark = pytest.mark.django_db

RACINE = Path(__file__).resolve().parent.parent.parent
REDIS_DU_HELPER = "redis://127.0.0.1:6379/2"


@pytest.fixture(autouse=True)
def _migrations_a_reverifier(monkeypatch):
    # Each test sees the migrations checked again (the per-process trust would hide a change).
    monkeypatch.setattr(views, "_migrations_appliquees_le", None)


def port_ferme() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def redis_joignable() -> bool:
    try:
        with socket.create_connection(("127.0.0.1", 6379), timeout=1):
            return True
    except OSError:
        return False


def redis_cache(url: str) -> dict:
    return {
        "default": {
            "BACKEND": "django.core.cache.backends.redis.RedisCache",
            "LOCATION": url,
            "OPTIONS": {"socket_connect_timeout": 2, "socket_timeout": 2},
        }
    }


class CurseurEnPanne:
    def __enter__(self):
        raise OperationalError('connection to server at "base.interne" (10.0.0.5), port 5432 failed')

    def __exit__(self, *args):
        return False


class ConnexionEnPanne:
    def cursor(self):
        return CurseurEnPanne()


def test_pret_quand_tout_repond(client):
    reponse = client.get("/pret/")
    assert reponse.status_code == 200
    assert reponse.json() == {
        "statut": "pret",
        "controles": {"base": "ok", "migrations": "ok", "cache": "non configuré", "stockage": "ok"},
    }
    assert reponse["Cache-Control"] == "no-store"
    assert reponse["Content-Type"] == "application/json"


def test_sante_repond(client):
    reponse = client.get("/sante/")
    assert reponse.status_code == 200
    assert reponse.json() == {"statut": "ok"}
    assert reponse["Cache-Control"] == "no-store"


@pytest.mark.parametrize("chemin", ["/sante/", "/pret/"])
def test_aucun_cookie_ni_session(client, chemin):
    reponse = client.get(chemin)
    assert reponse.status_code == 200
    assert not reponse.cookies
    assert "Set-Cookie" not in reponse.headers


def test_pret_accepte_head_et_refuse_post(client):
    assert client.head("/pret/").status_code == 200
    assert client.post("/pret/").status_code in (403, 405)  # CSRF refuses before the view's 405


def test_base_en_panne(client, monkeypatch):
    monkeypatch.setattr(views, "connection", ConnexionEnPanne())
    reponse = client.get("/pret/")
    assert reponse.status_code == 503
    corps = reponse.json()
    assert corps["statut"] == "indisponible"
    assert corps["controles"]["base"] == "La base de données ne répond pas."
    assert corps["controles"]["migrations"] == "non vérifiées"
    # The other checks still run: the answer says everything that is wrong at once.
    assert corps["controles"]["stockage"] == "ok"
    assert "base.interne" not in reponse.content.decode()
    assert "10.0.0.5" not in reponse.content.decode()

    sante = client.get("/sante/")
    assert sante.status_code == 503
    assert sante.json() == {"statut": "indisponible", "raison": "La base de données ne répond pas."}


def test_migration_non_appliquee(client):
    assert client.get("/pret/").status_code == 200
    derniere = MigrationRecorder.Migration.objects.filter(app="core").order_by("-id").first()
    MigrationRecorder(connection).record_unapplied("core", derniere.name)
    # Within the trust period a process does not read the migrations again…
    assert client.get("/pret/").status_code == 200
    # …afterwards it does: a database behind the code is not ready.
    views._migrations_appliquees_le = None
    reponse = client.get("/pret/")
    assert reponse.status_code == 503
    assert reponse.json()["controles"]["migrations"] == "Des migrations ne sont pas appliquées."
    assert derniere.name not in reponse.content.decode()


def test_cache_redis_injoignable(client):
    with override_settings(CACHES=redis_cache(f"redis://127.0.0.1:{port_ferme()}/0")):
        reponse = client.get("/pret/")
    assert reponse.status_code == 503
    corps = reponse.json()
    assert corps["controles"]["cache"] == "Le cache partagé ne répond pas."
    assert corps["controles"]["base"] == "ok"
    assert "127.0.0.1" not in reponse.content.decode()


@pytest.mark.skipif(not redis_joignable(), reason="pas de serveur Redis sur 127.0.0.1:6379")
def test_cache_redis_joignable(client):
    with override_settings(CACHES=redis_cache(REDIS_DU_HELPER)):
        reponse = client.get("/pret/")
        from django.core.cache import cache

        cle_restante = list(cache._cache.get_client().keys("*maillage:sonde:*"))
    assert reponse.status_code == 200
    assert reponse.json()["controles"]["cache"] == "ok"
    assert cle_restante == []  # the probe cleans up after itself


def test_stockage_en_panne(client, monkeypatch):
    monkeypatch.setattr(views, "stockage_pret", lambda: (False, "Compartiment s3.interne.exemple introuvable"))
    reponse = client.get("/pret/")
    assert reponse.status_code == 503
    assert reponse.json()["controles"]["stockage"] == "Le stockage des fichiers ne répond pas."
    assert "s3.interne" not in reponse.content.decode()


def test_stockage_qui_leve_une_exception(client, monkeypatch):
    def en_panne():
        raise RuntimeError("inattendu")

    monkeypatch.setattr(views, "stockage_pret", en_panne)
    reponse = client.get("/pret/")
    assert reponse.status_code == 503
    assert reponse.json()["controles"]["stockage"] == "Le stockage des fichiers ne répond pas."


def test_tout_en_panne_jamais_de_500(client, monkeypatch):
    monkeypatch.setattr(views, "connection", ConnexionEnPanne())
    monkeypatch.setattr(views, "stockage_pret", lambda: (False, "non"))
    with override_settings(CACHES=redis_cache(f"redis://127.0.0.1:{port_ferme()}/0")):
        reponse = client.get("/pret/")
    assert reponse.status_code == 503
    assert all(valeur not in ("ok", "non configuré") for valeur in reponse.json()["controles"].values())


def test_stockage_local_pret(settings, tmp_path):
    from maillage.core.stockage import stockage_pret

    settings.MEDIA_ROOT = tmp_path / "pas-encore-cree"
    assert stockage_pret()[0] is True


def test_sondes_non_redirigees_vers_https_en_production(tmp_path):
    """With the production settings (DEBUG=0, SECURE_SSL_REDIRECT), the load balancer's plain-HTTP probes are
    answered; every other page is redirected to HTTPS."""
    code = (
        "from django.test import Client; c = Client();"
        "print(c.get('/sante/').status_code, c.get('/pret/').status_code, c.get('/structures/').status_code)"
    )
    environnement = {k: v for k, v in os.environ.items() if not k.startswith(("MAILLAGE_", "SECURE_", "REDIS_"))}
    environnement.update(
        DEBUG="0",
        SECRET_KEY="k" * 60,
        ALLOWED_HOSTS="testserver",
        DATABASE_URL=f"sqlite:///{tmp_path / 'vide.sqlite3'}",
        MEDIA_ROOT=str(tmp_path / "media"),
    )
    resultat = subprocess.run(
        [sys.executable, "manage.py", "shell", "-c", code],
        cwd=RACINE,
        env=environnement,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert resultat.returncode == 0, resultat.stderr
    # An empty database: alive (200), not ready (503: no migration applied), never redirected (301).
    assert resultat.stdout.split()[-3:] == ["200", "503", "301"]


def test_pret_avec_le_stockage_objet(client, stockage_s3):
    reponse = client.get("/pret/")
    assert reponse.status_code == 200
    assert reponse.json()["controles"]["stockage"] == "ok"
    assert stockage_s3.objets() == []  # the probe writes nothing
    texte = reponse.content.decode()
    assert stockage_s3.bucket not in texte and str(stockage_s3.serveur.port) not in texte
