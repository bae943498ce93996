"""Forms and tables on a phone, in Chromium: the filterable checkbox lists, the summary of errors, the scroll hint."""

import pytest
from axe_playwright_python.sync_playwright import Axe
from django.test import Client

from maillage.comptes.models import Role
from maillage.structures.models import Structure
from tests.comptes.factories import UtilisateurFactory
from tests.e2e.conftest import TELEPHONE
from tests.e2e.test_accessibilite import violations_graves
from tests.structures.factories import GestionnaireFactory, StructureFactory

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def pilote(territoire_94):
    return UtilisateurFactory(role=Role.PILOTE, departements=[territoire_94.departement])


def _connecter(onglet, utilisateur):
    client = Client()
    client.force_login(utilisateur)
    onglet.page.context.add_cookies(
        [{"name": "sessionid", "value": client.cookies["sessionid"].value, "url": onglet.base_url}]
    )


def _largeur(page):
    return page.evaluate("document.documentElement.scrollWidth")


def test_liste_de_communes_filtrable_au_telephone(ouvrir, territoire_94, pilote):
    creteil, vitry, ivry = territoire_94.communes
    structure = StructureFactory(nom="Centre social du Port", commune=vitry, longitude=2.38, latitude=48.80)
    structure.communes_competence.set([vitry])
    onglet = ouvrir(viewport=TELEPHONE)
    _connecter(onglet, pilote)
    onglet.aller(f"/structures/{structure.pk}/modifier/")
    page = onglet.page
    assert _largeur(page) <= TELEPHONE["width"]
    compte = page.locator("#id_communes_competence_compte")
    assert compte.inner_text() == "1 commune cochée"
    # The filter added by the script: accents and case ignored.
    filtre = page.get_by_label("Filtrer les communes")
    filtre.fill("CRETEIL")
    options = page.locator("#id_communes_competence .cases-filtrables__option")
    assert [options.nth(i).is_visible() for i in range(options.count())] == [False, True, False]
    assert page.locator(".cases-filtrables__resultat").first.inner_text() == "1 sur 3 affiché."
    # Enter in the filter does not send the form.
    filtre.press("Enter")
    assert page.url.endswith(f"/structures/{structure.pk}/modifier/")
    page.get_by_label("Créteil (94028)").check()
    assert compte.inner_text() == "2 communes cochées"
    filtre.fill("")
    assert all(options.nth(i).is_visible() for i in range(options.count()))
    page.get_by_role("button", name="Enregistrer").click()
    page.wait_for_load_state()
    assert set(structure.communes_competence.values_list("code", flat=True)) == {"94081", "94028"}
    assert onglet.erreurs == []


def test_resume_des_erreurs_prend_le_focus_et_mene_au_champ(ouvrir, territoire_94, pilote):
    GestionnaireFactory(nom="Association du Port", commune=territoire_94.communes[0])
    # axe is injected as a script: the CSP of the pages would refuse it.
    onglet = ouvrir(viewport=TELEPHONE, bypass_csp=True)
    _connecter(onglet, pilote)
    onglet.aller("/structures/departements/94/nouvelle/")
    page = onglet.page
    page.get_by_label("Nom").first.fill("EVS du Port")
    page.get_by_label("Code postal").fill("9400")
    page.get_by_label("E-mail").fill("pas-une-adresse")
    page.get_by_role("button", name="Créer la structure").click()
    page.wait_for_load_state()
    resume = page.locator("#erreurs-formulaire")
    assert resume.is_visible()
    assert page.evaluate("document.activeElement.id") == "erreurs-formulaire"
    assert resume.get_by_role("link").count() >= 3  # postal code, e-mail and the required fields left empty
    resume.get_by_role("link", name="Code postal", exact=False).click()
    assert page.evaluate("location.hash") == "#id_code_postal"
    assert not Structure.objects.filter(nom="EVS du Port").exists()
    assert _largeur(page) <= TELEPHONE["width"]
    assert violations_graves(page) == []
    assert onglet.erreurs == []


def test_tableau_defilant_dit_qu_il_defile(ouvrir, territoire_94, pilote):
    """The diagnostic's table of communes is wider than a phone: the hint says so; on a desktop it may not."""
    onglet = ouvrir(viewport=TELEPHONE, bypass_csp=True)
    _connecter(onglet, pilote)
    onglet.aller("/diagnostic/departements/94/?date=31/12/2015")
    page = onglet.page
    if page.locator("[data-carte]").count():
        page.wait_for_selector("[data-carte][data-carte-chargee]")
    assert _largeur(page) <= TELEPHONE["width"]
    boite = page.locator(".tableau-defilant").filter(has=page.locator("#tableau-communes")).first
    aide_id = boite.get_attribute("aria-describedby").split()[-1]
    aide = page.locator(f"#{aide_id}")
    assert aide.is_visible()
    assert aide.inner_text() == "Faites défiler le tableau horizontalement pour voir toutes les colonnes."
    assert boite.get_attribute("tabindex") == "0" and boite.get_attribute("role") == "region"
    assert boite.get_attribute("aria-labelledby")
    regles = Axe().run(page).response["violations"]
    assert [v["id"] for v in regles if v["id"] in ("scrollable-region-focusable", "aria-allowed-attr")] == []
    # The table of QPV overflows a phone, not a desktop: its hint follows the width of its box.
    qpv = page.locator(".tableau-defilant").filter(has_text="Quartiers prioritaires et leur desserte").first
    aide_qpv = qpv.get_attribute("aria-describedby").split()[-1]
    assert page.locator(f"#{aide_qpv}").is_visible()
    page.set_viewport_size({"width": 1280, "height": 900})
    page.wait_for_function(f"document.getElementById('{aide_qpv}').hidden")
    assert aide.is_visible()  # 47 communes by 20 columns: wider than a desktop too
