"""Browser journeys: Playwright driving Debian's Chromium against pytest-django's live server.

No `playwright install`: the system Chromium is used. Without it the journeys are skipped, unless
MAILLAGE_E2E_REQUIS=1 (CI), where a missing browser is a failure.
"""

import os
from pathlib import Path

import pytest

CHROMIUM = Path(os.environ.get("MAILLAGE_CHROMIUM", "/usr/bin/chromium"))
ARGUMENTS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
BUREAU = {"width": 1280, "height": 900}
TELEPHONE = {"width": 375, "height": 800}


@pytest.fixture(scope="package", autouse=True)
def _orm_pendant_playwright():
    """Playwright's sync API runs an event loop in this thread; Django would otherwise refuse ORM calls.

    Only while the journeys run: left set, it would leak into other tests (`check --deploy` rejects it).
    """
    avant = os.environ.get("DJANGO_ALLOW_ASYNC_UNSAFE")
    os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = "true"
    yield
    if avant is None:
        del os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"]
    else:
        os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = avant


@pytest.fixture(scope="package")
def navigateur(_orm_pendant_playwright):
    if not CHROMIUM.exists():
        raison = f"Chromium introuvable ({CHROMIUM}) : installez le paquet Debian « chromium »."
        if os.environ.get("MAILLAGE_E2E_REQUIS") == "1":
            pytest.fail(f"Parcours navigateur exigés (MAILLAGE_E2E_REQUIS=1). {raison}")
        pytest.skip(raison)
    from playwright.sync_api import sync_playwright

    playwright = sync_playwright().start()
    navigateur = playwright.chromium.launch(executable_path=str(CHROMIUM), args=ARGUMENTS)
    yield navigateur
    navigateur.close()
    playwright.stop()


@pytest.fixture(autouse=True)
def _reglages_e2e(settings):
    # The live server answers on localhost over plain HTTP, whatever the environment says.
    settings.ALLOWED_HOSTS = ["localhost", "127.0.0.1", "testserver"]
    settings.SECURE_SSL_REDIRECT = False


class Onglet:
    """A page plus what went wrong in it (console errors, uncaught exceptions, CSP violations)."""

    def __init__(self, page, base_url):
        self.page = page
        self.base_url = base_url
        self.erreurs = []
        page.on("console", lambda m: m.type == "error" and self.erreurs.append(m.text))
        page.on("pageerror", lambda e: self.erreurs.append(str(e)))

    def aller(self, chemin):
        return self.page.goto(self.base_url + chemin)


@pytest.fixture
def ouvrir(navigateur, live_server):
    """ouvrir(viewport=..., bypass_csp=...) → a fresh context and page; closed after the test."""
    contextes = []

    def _ouvrir(viewport=None, bypass_csp=False, reduced_motion="reduce"):
        contexte = navigateur.new_context(
            viewport=viewport or BUREAU, locale="fr-FR", bypass_csp=bypass_csp, reduced_motion=reduced_motion
        )
        contexte.set_default_timeout(10_000)
        contextes.append(contexte)
        return Onglet(contexte.new_page(), live_server.url)

    yield _ouvrir
    for contexte in contextes:
        contexte.close()


@pytest.fixture
def captures(tmp_path):
    """Where screenshots go: MAILLAGE_E2E_CAPTURES if set (to look at them), else the test's temporary folder."""
    dossier = os.environ.get("MAILLAGE_E2E_CAPTURES")
    if not dossier:
        return tmp_path
    Path(dossier).mkdir(parents=True, exist_ok=True)
    return Path(dossier)
