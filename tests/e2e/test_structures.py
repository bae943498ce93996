"""Browser journeys and accessibility of the registry and the dashboard."""

import datetime
from decimal import Decimal

import pytest
from axe_playwright_python.sync_playwright import Axe

from maillage.financements.models import LigneProduit
from maillage.structures.models import TypeStructure
from tests.e2e.conftest import BUREAU, TELEPHONE
from tests.financements.factories import BudgetFactory
from tests.structures.factories import AgrementFactory, StructureFactory

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def reseau(territoire_94, types_ps):
    creteil, vitry, _ = territoire_94.communes
    structures = []
    for nom, type_, commune in [
        ("Centre social des Bleuets (fictif)", TypeStructure.CENTRE_SOCIAL, creteil),
        ("Centre social du Port (fictif)", TypeStructure.CENTRE_SOCIAL, vitry),
        ("Espace de vie sociale des Lilas (fictif)", TypeStructure.EVS, creteil),
    ]:
        structure = StructureFactory(nom=nom, type=type_, commune=commune, longitude=2.42, latitude=48.82)
        AgrementFactory(structure=structure, debut=datetime.date(2014, 1, 1), fin=datetime.date(2017, 12, 31))
        budget = BudgetFactory(structure=structure, annee=2015, charges_totales=Decimal("400000"))
        LigneProduit.objects.create(budget=budget, financeur="communes", montant=Decimal("100000"))
        structures.append(structure)
    return structures


def test_annuaire_carte_et_fiche(ouvrir, reseau):
    onglet = ouvrir()
    page = onglet.page
    onglet.aller("/structures/?departement=94&date=31/12/2015")
    page.wait_for_selector("[data-annuaire-carte][data-carte-chargee]")
    # One marker per structure on the map, and the same structures in the list beside it.
    assert page.locator("[data-annuaire-carte]").get_attribute("data-carte-chargee") == "3"
    assert page.locator("main table tbody tr").count() == 3
    page.get_by_role("link", name="Centre social des Bleuets (fictif)").first.click()
    page.wait_for_load_state()
    assert page.locator("h1").inner_text().startswith("Centre social des Bleuets (fictif)")
    assert onglet.erreurs == []


def test_tableau_de_bord_phrase_du_departement(ouvrir, reseau):
    onglet = ouvrir()
    onglet.aller("/financements/departements/94/2015/")
    texte = onglet.page.locator("main").inner_text().replace("\xa0", " ")
    assert "comptait au 31 décembre 2015, 3 acteurs de l'animation de la vie sociale" in texte
    assert onglet.erreurs == []


@pytest.mark.parametrize("ecran", [BUREAU, TELEPHONE], ids=["bureau", "telephone"])
@pytest.mark.parametrize("chemin", ["annuaire", "fiche", "tableau"])
def test_pas_de_violation_grave(ouvrir, reseau, chemin, ecran):
    urls = {
        "annuaire": "/structures/?departement=94&date=31/12/2015",
        "fiche": f"/structures/{reseau[0].pk}/",
        "tableau": "/financements/departements/94/2015/",
    }
    onglet = ouvrir(viewport=ecran, bypass_csp=True)
    onglet.aller(urls[chemin])
    if onglet.page.locator("[data-annuaire-carte]").count():
        onglet.page.wait_for_selector("[data-annuaire-carte][data-carte-chargee]")
    violations = [
        f"{v['id']} ({v['impact']}) : {v['help']}"
        for v in Axe().run(onglet.page).response["violations"]
        if v["impact"] in {"serious", "critical"}
    ]
    assert violations == []
