"""Browser journeys of the diagnostic territorial: map and table, simulation by a pilote, accessibility."""

import datetime

import pytest
from axe_playwright_python.sync_playwright import Axe
from django.test import Client

from maillage.comptes.models import Role
from maillage.structures.models import TypeStructure
from tests.comptes.factories import UtilisateurFactory
from tests.e2e.conftest import BUREAU, TELEPHONE
from tests.structures.factories import AgrementFactory, StructureFactory

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]

DIAGNOSTIC = "/diagnostic/departements/94/?date=2015-12-31"
SIMULATION = "/diagnostic/departements/94/simulation/?date=2015-12-31"


@pytest.fixture
def reseau(territoire_94):
    """A centre social and an EVS in Créteil: Vitry and Ivry have no structure."""
    creteil = territoire_94.communes[0]
    structures = []
    for nom, type_ in [
        ("Centre social des Bleuets (fictif)", TypeStructure.CENTRE_SOCIAL),
        ("Espace de vie sociale des Lilas (fictif)", TypeStructure.EVS),
    ]:
        structure = StructureFactory(nom=nom, type=type_, commune=creteil, longitude=2.46, latitude=48.80)
        AgrementFactory(structure=structure, debut=datetime.date(2014, 1, 1), fin=datetime.date(2017, 12, 31))
        structures.append(structure)
    return structures


@pytest.fixture
def pilote(territoire_94):
    return UtilisateurFactory(role=Role.PILOTE, departements=[territoire_94.departement])


def _connecter(onglet, utilisateur):
    """The session cookie of a logged-in test client, given to the browser."""
    client = Client()
    client.force_login(utilisateur)
    onglet.page.context.add_cookies(
        [{"name": "sessionid", "value": client.cookies["sessionid"].value, "url": onglet.base_url}]
    )


def _chiffre(page, nom):
    return page.locator(f"[data-chiffre={nom}]").inner_text().replace("\u202f", "").replace("\xa0", "")


def test_diagnostic_carte_et_tableau(ouvrir, reseau):
    onglet = ouvrir()
    page = onglet.page
    onglet.aller(DIAGNOSTIC)
    page.wait_for_selector("[data-diagnostic-carte][data-carte-chargee]")
    carte = page.locator("[data-diagnostic-carte]")
    assert carte.get_attribute("data-carte-chargee") == "3"
    assert page.locator("[data-diagnostic-carte] path.carte__commune").count() == 3
    # Created coloured by coverage: one covered commune, two not.
    assert page.locator("[data-diagnostic-carte] path.diag-c0").count() == 1
    assert page.locator("[data-diagnostic-carte] path.diag-c4").count() == 2
    assert page.locator("[data-diagnostic-carte] .carte__structure").count() == 2
    assert carte.get_attribute("data-marqueurs") == "2"
    assert page.locator("#tableau-communes tbody tr").count() == 3
    assert _chiffre(page, "communes_sans_structure") == "2"
    # Another indicator through the filter form: a linkable URL.
    page.select_option("#filtre-indicateur", "distance")
    page.get_by_role("button", name="Afficher").click()
    page.wait_for_selector("[data-diagnostic-carte][data-carte-chargee]")
    assert "indicateur=distance" in page.url
    assert page.locator("[data-diagnostic-carte] path.diag-c0").count() == 1  # the commune hosting them
    assert onglet.erreurs == []


def test_simulation_par_la_carte(ouvrir, reseau, pilote):
    onglet = ouvrir()
    page = onglet.page
    _connecter(onglet, pilote)
    onglet.aller(SIMULATION)
    page.wait_for_selector("[data-diagnostic-carte][data-carte-chargee]")
    assert _chiffre(page, "communes_sans_structure") == "2"
    # Vitry is the westernmost square: a click on it fills the first free row of the form.
    page.locator("[data-diagnostic-carte]").scroll_into_view_if_needed()
    chemins = page.locator("[data-diagnostic-carte] path.carte__commune")
    boites = [chemins.nth(i).bounding_box() for i in range(chemins.count())]
    ouest = min(boites, key=lambda b: b["x"])
    page.mouse.click(ouest["x"] + ouest["width"] / 2, ouest["y"] + ouest["height"] / 2)
    assert page.locator("#id_ajout-0-commune").input_value() == "94081"
    assert page.locator("#id_ajout-0-longitude").input_value() != ""
    page.select_option("#id_ajout-0-type", "evs")
    page.get_by_role("button", name="Lancer la simulation").click()
    page.wait_for_selector("#ecarts")
    assert _chiffre(page, "communes_sans_structure") == "1"
    ligne = page.locator("#ecarts tr[data-ecart=communes_sans_structure]").inner_text()
    assert "-1" in ligne.replace("\u202f", "").replace("\xa0", "")
    page.wait_for_selector("[data-diagnostic-carte][data-carte-chargee]")
    assert page.locator("[data-diagnostic-carte]").get_attribute("data-marqueurs") == "3"
    assert onglet.erreurs == []


def test_simulation_sans_la_carte_et_ligne_ajoutee(ouvrir, reseau, pilote):
    onglet = ouvrir(viewport=TELEPHONE)
    page = onglet.page
    _connecter(onglet, pilote)
    onglet.aller(SIMULATION)
    page.get_by_role("button", name="Ajouter une structure hypothétique").click()
    assert page.locator("[data-ajout]").count() == 4
    page.select_option("#id_ajout-3-commune", "94041")
    page.get_by_role("button", name="Lancer la simulation").click()
    page.wait_for_selector("#ecarts")
    assert _chiffre(page, "communes_sans_structure") == "1"
    assert onglet.erreurs == []


@pytest.mark.parametrize("ecran", [BUREAU, TELEPHONE], ids=["bureau", "telephone"])
@pytest.mark.parametrize("chemin", ["diagnostic", "simulation", "comparer"])
def test_pas_de_violation_grave(ouvrir, reseau, pilote, chemin, ecran):
    urls = {
        "diagnostic": DIAGNOSTIC,
        "simulation": SIMULATION,
        "comparer": "/diagnostic/departements/94/comparer/?date_a=2013-12-31&date_b=2015-12-31",
    }
    onglet = ouvrir(viewport=ecran, bypass_csp=True)
    _connecter(onglet, pilote)
    onglet.aller(urls[chemin])
    if onglet.page.locator("[data-diagnostic-carte]").count():
        onglet.page.wait_for_selector("[data-diagnostic-carte][data-carte-chargee]")
    violations = [
        f"{v['id']} ({v['impact']}) : {v['help']}"
        for v in Axe().run(onglet.page).response["violations"]
        if v["impact"] in {"serious", "critical"}
    ]
    assert violations == []
