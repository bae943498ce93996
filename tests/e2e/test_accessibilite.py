"""Automatic accessibility check (axe-core, via axe-playwright-python): no serious or critical violation.

axe finds a part of WCAG issues only; it complements, never replaces, a manual RGAA audit.
"""

import pytest
from axe_playwright_python.sync_playwright import Axe

from tests.e2e.conftest import BUREAU, TELEPHONE

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]

GRAVES = {"serious", "critical"}
PAGES = {
    "accueil": "/",
    "departement": "/territoires/departements/94/",
    "departement-trie": "/territoires/departements/94/?tri=population&ordre=desc",
    "commune": "/territoires/communes/94028/",
    "commune-sans-qpv": "/territoires/communes/94041/",
    "introuvable": "/territoires/departements/99/",
}


def violations_graves(page) -> list[str]:
    resultats = Axe().run(page)
    return [
        f"{v['id']} ({v['impact']}) : {v['help']} — " + " | ".join(n["html"][:160] for n in v["nodes"][:3])
        for v in resultats.response["violations"]
        if v["impact"] in GRAVES
    ]


@pytest.mark.parametrize("ecran", [BUREAU, TELEPHONE], ids=["bureau", "telephone"])
@pytest.mark.parametrize("chemin", PAGES.values(), ids=PAGES.keys())
def test_pas_de_violation_grave(ouvrir, territoire_94, chemin, ecran):
    # axe is injected as a script: the CSP of the pages would refuse it.
    onglet = ouvrir(viewport=ecran, bypass_csp=True)
    page = onglet.page
    onglet.aller(chemin)
    if page.locator("[data-carte]").count():
        page.wait_for_selector("[data-carte][data-carte-chargee]")
    assert violations_graves(page) == []


def test_le_controle_detecte_une_violation(navigateur):
    # The check can fail: an image without text alternative and an unlabelled field are reported.
    contexte = navigateur.new_context()
    try:
        page = contexte.new_page()
        page.set_content('<html lang="fr"><body><main><img src="x.png"><input type="text"></main></body></html>')
        assert {v.split(" ")[0] for v in violations_graves(page)} >= {"image-alt", "label"}
    finally:
        contexte.close()
