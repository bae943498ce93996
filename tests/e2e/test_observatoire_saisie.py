"""Browser journey of the observatoire's answering pages: autosave of a section, and accessibility."""

import datetime

import pytest
from django.test import Client

from maillage.comptes.models import Role
from maillage.observatoire import services
from maillage.observatoire.models import Reponse
from tests.comptes.factories import UtilisateurFactory
from tests.e2e.conftest import BUREAU, TELEPHONE
from tests.e2e.test_accessibilite import violations_graves
from tests.observatoire.conftest import SOCLE, THEME
from tests.observatoire.factories import dates_campagne_en_cours
from tests.structures.factories import AgrementFactory, StructureFactory

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def reponse(territoire_94):
    creteil = territoire_94.communes[0]
    structure = StructureFactory(nom="Centre social des Bleuets (fictif)", commune=creteil)
    AgrementFactory(structure=structure, debut=datetime.date(2014, 1, 1), fin=datetime.date(2017, 12, 31))
    socle, _ = services.questionnaire_charger(chemin=SOCLE)
    theme, _ = services.questionnaire_charger(chemin=THEME)
    pilote = UtilisateurFactory(role=Role.PILOTE, departements=[territoire_94.departement])
    campagne = services.campagne_creer(
        par=pilote,
        departement="94",
        annee=2016,
        questionnaire=socle,
        bloc_thematique=theme,
        **dates_campagne_en_cours(),
    )
    compte = UtilisateurFactory(role=Role.STRUCTURE, departements=[territoire_94.departement], structure=structure)
    return Reponse.objects.get(campagne=campagne, structure=structure), compte


def _connecter(onglet, utilisateur):
    client = Client()
    client.force_login(utilisateur)
    onglet.page.context.add_cookies(
        [{"name": "sessionid", "value": client.cookies["sessionid"].value, "url": onglet.base_url}]
    )


def test_saisie_enregistree_automatiquement(ouvrir, reponse, captures):
    objet, compte = reponse
    onglet = ouvrir(viewport=TELEPHONE)
    _connecter(onglet, compte)
    page = onglet.page
    onglet.aller("/observatoire/mes-questionnaires/")
    page.get_by_role("link", name="Campagne 2016 (données 2015)").click()
    page.get_by_role("link", name="Publics").click()
    page.wait_for_load_state()
    page.get_by_label("Personnes différentes touchées dans l'année").fill("1 250")
    page.get_by_role("textbox", name="26 à 59 ans Personnes").fill("600")
    page.get_by_label("Adhérents (personnes)").focus()  # leaves the cell: "change" fires, then the autosave
    page.wait_for_selector("#statut-enregistrement:has-text('Enregistré à')")
    objet.refresh_from_db()
    assert objet.valeurs["pub_personnes"] == 1250
    assert objet.valeurs["pub_tranches_age"] == {"26-59": {"personnes": 600}}
    page.reload()
    assert page.get_by_label("Personnes différentes touchées dans l'année").input_value() == "1 250"
    assert page.get_by_role("textbox", name="26 à 59 ans Personnes").input_value() == "600"
    # One column on a phone: nothing wider than the screen.
    assert page.evaluate("document.documentElement.scrollWidth <= window.innerWidth")
    page.screenshot(path=str(captures / "observatoire-saisie-telephone.png"), full_page=True)
    assert onglet.erreurs == []


@pytest.mark.parametrize("ecran", [BUREAU, TELEPHONE], ids=["bureau", "telephone"])
def test_pages_de_saisie_accessibles(ouvrir, reponse, ecran):
    objet, compte = reponse
    onglet = ouvrir(viewport=ecran, bypass_csp=True)
    _connecter(onglet, compte)
    for chemin in (f"/observatoire/reponses/{objet.pk}/", f"/observatoire/reponses/{objet.pk}/sections/publics/"):
        onglet.aller(chemin)
        assert violations_graves(onglet.page) == [], chemin


def test_alerte_de_coherence_apres_l_enregistrement_automatique(ouvrir, reponse):
    objet, compte = reponse
    onglet = ouvrir(viewport=TELEPHONE)
    _connecter(onglet, compte)
    page = onglet.page
    onglet.aller(f"/observatoire/reponses/{objet.pk}/sections/publics/")
    page.get_by_label("Personnes différentes touchées dans l'année").fill("500")
    page.get_by_role("textbox", name="26 à 59 ans Personnes").fill("600")
    page.get_by_label("Adhérents (personnes)").focus()
    statut = page.locator("#statut-enregistrement")
    statut.get_by_text("incohérence bloque la soumission").wait_for()
    # Saved, beside the age bands, with the reviewer's wording; the indicator is not the green "saved".
    objet.refresh_from_db()
    assert objet.valeurs["pub_personnes"] == 500
    alerte = page.locator("#q-pub_tranches_age-alerte")
    assert "La somme des tranches d'âge (600) dépasse le nombre de personnes touchées (500)." in alerte.inner_text()
    assert "saisie-statut--succes" not in (statut.get_attribute("class") or "")
    assert onglet.erreurs == []
