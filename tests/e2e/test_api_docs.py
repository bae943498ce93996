"""/api/v1/docs in a browser, under the site's real CSP: Swagger UI renders the operations, nothing is refused,
no serious or critical axe violation."""

import pytest

from tests.e2e.conftest import BUREAU, TELEPHONE
from tests.e2e.test_accessibilite import violations_graves

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]


@pytest.mark.parametrize("ecran", [BUREAU, TELEPHONE], ids=["bureau", "telephone"])
def test_la_documentation_affiche_les_operations(ouvrir, ecran):
    onglet = ouvrir(viewport=ecran)
    page = onglet.page
    refus = []
    page.on("console", lambda m: "Content Security Policy" in m.text and refus.append(m.text))
    externes = []
    page.on("request", lambda r: not r.url.startswith(onglet.base_url) and externes.append(r.url))
    onglet.aller("/api/v1/docs")
    page.wait_for_selector(".opblock", timeout=20_000)
    # The operations list, grouped by router, with a known route.
    assert page.locator(".opblock").count() > 10
    assert page.get_by_text("/api/v1/territoires/departements/{code}", exact=True).first.is_visible()
    assert refus == []
    assert externes == []
    assert onglet.erreurs == []
    assert page.evaluate("document.documentElement.lang") == "fr"


def test_la_documentation_sans_violation_grave(ouvrir):
    # axe is injected as a script: only this check bypasses the CSP (the test above runs under it).
    onglet = ouvrir(bypass_csp=True)
    page = onglet.page
    onglet.aller("/api/v1/docs")
    page.wait_for_selector(".opblock", timeout=20_000)
    assert violations_graves(page) == []
