"""Journeys of a visitor: home → département → map → commune."""

import re

import pytest
from playwright.sync_api import expect

from tests.e2e.conftest import TELEPHONE

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]

CHEMINS_DE_LA_CARTE = ".leaflet-overlay-pane svg path"


def attendre_la_carte(page):
    page.wait_for_selector("[data-carte][data-carte-chargee]")


def test_accueil_departement_carte_commune(ouvrir, territoire_94):
    onglet = ouvrir()
    page = onglet.page
    onglet.aller("/")
    expect(page.get_by_role("heading", level=1)).to_contain_text("Maillage")

    # Choose Val-de-Marne with the accessible select and its button.
    page.get_by_label("Département", exact=True).select_option("94")
    page.get_by_role("button", name="Afficher").click()
    expect(page).to_have_url(re.compile(r"/territoires/departements/94/$"))
    expect(page.get_by_role("heading", level=1)).to_contain_text("Val-de-Marne")

    # The map draws one outline per commune, from the GeoJSON, with no tile server.
    attendre_la_carte(page)
    expect(page.locator(CHEMINS_DE_LA_CARTE)).to_have_count(len(territoire_94.communes))
    assert page.locator(".leaflet-tile").count() == 0
    carte = page.get_by_role("region", name="Carte des communes du département Val-de-Marne")
    expect(carte).to_be_visible()
    expect(carte.get_by_role("button", name="Zoom avant")).to_be_visible()
    # Shading by number of QPV: Créteil has 2, Vitry 1, Ivry none.
    classes = page.locator(CHEMINS_DE_LA_CARTE).evaluate_all("els => els.map(e => e.getAttribute('class'))")
    nuances = sorted(next((m for m in c.split() if "--qpv-" in m), "aucun QPV") for c in classes)
    assert nuances == ["aucun QPV", "carte__commune--qpv-1", "carte__commune--qpv-2"]

    # The first outline is Créteil (features by code): its tooltip names it, a click opens its page.
    creteil = page.locator(CHEMINS_DE_LA_CARTE).first
    creteil.hover()
    expect(page.locator(".leaflet-tooltip")).to_contain_text("Créteil")
    creteil.click()
    expect(page).to_have_url(re.compile(r"/territoires/communes/94028/$"))
    expect(page.get_by_role("heading", level=1)).to_contain_text("Créteil")

    # The commune's small map: its outline and the one QPV that has an outline.
    attendre_la_carte(page)
    expect(page.locator(CHEMINS_DE_LA_CARTE)).to_have_count(2)
    expect(page.locator(f"{CHEMINS_DE_LA_CARTE}.carte__qpv")).to_have_count(1)

    # The breadcrumb leads back to the département.
    page.get_by_role("navigation", name="Fil d'Ariane").get_by_role("link", name="Val-de-Marne").click()
    expect(page).to_have_url(re.compile(r"/territoires/departements/94/$"))

    # Nothing went wrong on the way, CSP included (no inline script or style).
    assert onglet.erreurs == []


def test_liste_des_departements_par_region(ouvrir, territoire_94):
    onglet = ouvrir()
    onglet.aller("/")
    onglet.page.get_by_role("link", name="Val-de-Marne (94)").click()
    expect(onglet.page.get_by_role("heading", level=1)).to_contain_text("Val-de-Marne")


def test_tri_du_tableau_sans_recharger_la_carte(ouvrir, territoire_94):
    onglet = ouvrir()
    page = onglet.page
    onglet.aller("/territoires/departements/94/")
    attendre_la_carte(page)
    page.evaluate("window.__meme_page = true")

    page.locator("#tri-population").click()
    expect(page.locator("#tableau-communes tbody th").first).to_have_text("Vitry-sur-Seine")
    expect(page.locator("th[aria-sort='descending']")).to_contain_text("Population")
    expect(page).to_have_url(re.compile(r"\?tri=population&ordre=desc$"))
    expect(page.locator("#annonce-tri")).to_have_text("Tableau trié par population, ordre décroissant.")
    # Same document (htmx swapped the table only), and focus stays on the sort link.
    assert page.evaluate("window.__meme_page") is True
    assert page.evaluate("document.activeElement.id") == "tri-population"
    expect(page.locator(CHEMINS_DE_LA_CARTE)).to_have_count(3)

    # Keyboard: Enter on the focused link sorts again, the other way.
    page.keyboard.press("Enter")
    expect(page.locator("th[aria-sort='ascending']")).to_contain_text("Population")
    expect(page.locator("#tableau-communes tbody th").first).to_have_text("Ivry-sur-Seine")
    assert onglet.erreurs == []


def test_tri_sans_javascript(navigateur, live_server, territoire_94):
    contexte = navigateur.new_context(java_script_enabled=False)
    try:
        page = contexte.new_page()
        page.goto(live_server.url + "/territoires/departements/94/")
        expect(page.locator("[data-carte-etat]")).to_contain_text("tableau des communes")
        page.locator("#tri-population").click()
        expect(page.locator("#tableau-communes tbody th").first).to_have_text("Vitry-sur-Seine")
    finally:
        contexte.close()


def test_lien_d_evitement(ouvrir, territoire_94):
    onglet = ouvrir()
    page = onglet.page
    onglet.aller("/")
    page.keyboard.press("Tab")
    lien = page.get_by_role("link", name="Aller au contenu")
    expect(lien).to_be_focused()
    boite = lien.bounding_box()
    assert boite and boite["y"] >= 0, "le lien d'évitement doit être visible quand il a le focus"
    page.keyboard.press("Enter")
    assert page.evaluate("document.activeElement.id") == "contenu"


@pytest.mark.parametrize("chemin", ["/", "/territoires/departements/94/", "/territoires/communes/94028/"])
def test_utilisable_sur_un_telephone(ouvrir, territoire_94, captures, chemin):
    onglet = ouvrir(viewport=TELEPHONE)
    page = onglet.page
    onglet.aller(chemin)
    if "departements" in chemin or "communes" in chemin:
        attendre_la_carte(page)
    # No sideways scrolling of the page: wide tables scroll inside their own box.
    largeurs = page.evaluate("[document.documentElement.scrollWidth, document.documentElement.clientWidth]")
    assert largeurs[0] <= largeurs[1], largeurs
    # Under 800 px the navigation folds behind « Menu »: opening it shows the links.
    page.get_by_role("button", name="Menu").click()
    expect(
        page.get_by_role("navigation", name="Navigation principale").get_by_role("link", name="Accueil")
    ).to_be_visible()
    nom = chemin.strip("/").replace("/", "-") or "accueil"
    page.screenshot(path=str(captures / f"telephone-{nom}.png"), full_page=True)


def test_capture_de_la_page_departement(ouvrir, territoire_94, captures):
    onglet = ouvrir()
    page = onglet.page
    onglet.aller("/territoires/departements/94/")
    attendre_la_carte(page)
    carte = page.locator("[data-carte]").bounding_box()
    chemins = page.locator(CHEMINS_DE_LA_CARTE)
    # The outlines fill the map (fitBounds), not a dot in a corner.
    boites = [chemins.nth(i).bounding_box() for i in range(chemins.count())]
    largeur = max(b["x"] + b["width"] for b in boites) - min(b["x"] for b in boites)
    hauteur = max(b["y"] + b["height"] for b in boites) - min(b["y"] for b in boites)
    assert largeur > 0.6 * carte["width"] or hauteur > 0.6 * carte["height"]
    page.screenshot(path=str(captures / "bureau-departement-94.png"), full_page=True)
