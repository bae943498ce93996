import json
from types import SimpleNamespace

import pytest


@pytest.fixture(autouse=True)
def _reglages_de_test(settings, tmp_path):
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    settings.MEDIA_ROOT = tmp_path / "media"
    settings.STORAGES = {
        **settings.STORAGES,
        "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
    }
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    # Whatever DEBUG the suite runs under; the two-factor tests turn enforcement on themselves.
    settings.MAILLAGE_2FA_OBLIGATOIRE = False


@pytest.fixture(autouse=True)
def _cache_vide():
    from django.core.cache import cache

    cache.clear()
    yield
    cache.clear()


def carre(lon: float, lat: float, cote: float = 0.04) -> str:
    """A square outline as stored GeoJSON text (compact, like the loader writes it)."""
    anneau = [[lon, lat], [lon + cote, lat], [lon + cote, lat + cote], [lon, lat + cote], [lon, lat]]
    return json.dumps({"type": "Polygon", "coordinates": [anneau]}, separators=(",", ":"))


@pytest.fixture
def territoire_94(db):
    """Val-de-Marne with three communes side by side (distinct squares), one EPCI and three QPV."""
    from maillage.territoires.models import EPCI
    from tests.territoires.factories import CommuneFactory, DepartementFactory, EPCIFactory, QPVFactory, RegionFactory

    region = RegionFactory(code="11", nom="Île-de-France")
    dep = DepartementFactory(code="94", nom="Val-de-Marne", region=region)
    epci = EPCIFactory(code="200054781", nom="Métropole du Grand Paris", type=EPCI.Type.METRO)
    communes = [
        CommuneFactory(
            departement=dep,
            code=code,
            nom=nom,
            population=population,
            epci=epci,
            geometrie=carre(lon, 48.78),
            longitude=lon + 0.02,
            latitude=48.80,
        )
        for code, nom, population, lon in [
            ("94028", "Créteil", 90_605, 2.44),
            ("94081", "Vitry-sur-Seine", 93_557, 2.36),
            ("94041", "Ivry-sur-Seine", 62_052, 2.40),
        ]
    ]
    creteil, vitry, _ = communes
    QPVFactory(
        code="QN09405M",
        nom="Mont Mesly - La Habette - Coteaux du Sud",
        communes=[creteil],
        geometrie=carre(2.45, 48.79, 0.01),
    )
    QPVFactory(code="QN09406I", nom="Les Bleuets", communes=[creteil])
    QPVFactory(code="QN09414M", nom="Balzac", communes=[vitry])
    return SimpleNamespace(region=region, departement=dep, epci=epci, communes=communes)


@pytest.fixture
def types_ps(db):
    """The PS types and yearly rates that migration 0003 seeds (`maillage.financements.bareme_initial`).

    Browser tests (transaction=True) empty every table after them, data migrations included: tests
    that need the barème ask for it here rather than trusting the migration's rows.
    """
    from maillage.financements import bareme_initial
    from maillage.financements.models import BaremePS, TypePS

    bareme_initial.ecrire(modele_type_ps=TypePS, modele_bareme_ps=BaremePS)
    return {t.code: t for t in TypePS.objects.all()}


def enregistrer_deux_fois(url: str, premier: tuple, second: tuple, *, attendu_premier: int = 302):
    """Two sessions open the form at `url`, the first saves, then the second: returns the second's answer.

    `premier` and `second` are (user, POST data); each POST carries the version its session read on opening.
    """
    from django.test import Client

    sessions = []
    for utilisateur, donnees in (premier, second):
        session = Client()
        session.force_login(utilisateur)
        ouverture = session.get(url)
        assert ouverture.status_code == 200
        version = ouverture.context["form"]["version"].value()
        assert version is not None
        sessions.append((session, {**donnees, "version": version}))
    (a, donnees_a), (b, donnees_b) = sessions
    reponse = a.post(url, donnees_a)
    assert reponse.status_code == attendu_premier, reponse.context and reponse.context["form"].errors
    return b.post(url, donnees_b)


def message_conflit(reponse) -> str:
    """The conflict message a refused save shows on top of its form (nothing saved: no redirection)."""
    import html

    assert reponse.status_code in (200, 400), reponse.status_code
    erreurs = [str(e) for e in reponse.context["form"].non_field_errors()]
    conflits = [e for e in erreurs if "Depuis que vous avez ouvert ce formulaire" in e]
    assert conflits, erreurs
    assert conflits[0] in html.unescape(reponse.content.decode())
    return conflits[0]


@pytest.fixture(scope="session")
def serveur_s3():
    """moto's S3-compatible server on the loopback, one for the session (tests/s3.py)."""
    from tests.s3 import serveur_s3 as demarrer

    with demarrer() as serveur:
        yield serveur


@pytest.fixture
def stockage_s3(serveur_s3, settings):
    """Uploaded files and reports on a fresh bucket of the S3-compatible server for this test."""
    bucket = serveur_s3.creer_bucket()
    settings.STORAGES = {**settings.STORAGES, "default": serveur_s3.stockage(bucket)}
    settings.MAILLAGE_S3_BUCKET = bucket
    return SimpleNamespace(serveur=serveur_s3, bucket=bucket, objets=lambda: serveur_s3.objets(bucket))
