"""The reviewer's workbench in a browser: section menu, the decision with its confirmation, and moving from one
answer to the next of the follow-up list with the links and the j / k shortcuts."""

import re

import pytest
from django.test import Client
from django.utils import timezone

from maillage.comptes.models import Role
from maillage.observatoire.models import Statut
from tests.comptes.factories import UtilisateurFactory
from tests.e2e.conftest import BUREAU, TELEPHONE
from tests.e2e.test_accessibilite import violations_graves
from tests.observatoire.factories import CampagneFactory, ReponseFactory
from tests.structures.factories import StructureFactory

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def suivi(territoire_94):
    campagne = CampagneFactory(departement=territoire_94.departement, annee=2016)
    reponses = [
        ReponseFactory(
            campagne=campagne,
            structure=StructureFactory(nom=nom, commune=territoire_94.communes[0]),
            statut=Statut.SOUMISE,
            soumise_le=timezone.now(),
            valeurs={"q_nombre": valeur},
        )
        for nom, valeur in (("Centre A", 100), ("Centre B", 120), ("Centre C", 5000), ("Centre D", 110))
    ]
    pilote = UtilisateurFactory(role=Role.PILOTE, departements=[territoire_94.departement])
    return campagne, reponses, pilote


def _connecte(ouvrir, utilisateur, **options):
    onglet = ouvrir(**options)
    client = Client()
    client.force_login(utilisateur)
    onglet.page.context.add_cookies(
        [{"name": "sessionid", "value": client.cookies["sessionid"].value, "url": onglet.base_url}]
    )
    return onglet


def _chemin(reponse):
    return f"/observatoire/reponses/{reponse.pk}/relire/"


def test_suivante_precedente_au_clavier_et_validation_confirmee(ouvrir, suivi):
    campagne, (a, b, c, _), pilote = suivi
    onglet = _connecte(ouvrir, pilote)
    page = onglet.page
    onglet.aller(f"/observatoire/campagnes/{campagne.pk}/suivi/")
    page.get_by_role("link", name="Centre A").click()
    page.wait_for_load_state()
    assert page.get_by_text("Réponse 1 sur 4 de la liste de suivi").is_visible()
    assert page.get_by_text("j réponse suivante, k réponse précédente").is_visible()  # documented once JS runs
    page.keyboard.press("j")
    page.wait_for_url(re.compile(_chemin(b) + "$"))
    page.keyboard.press("j")
    page.wait_for_url(re.compile(_chemin(c) + "$"))
    page.keyboard.press("k")
    page.wait_for_url(re.compile(_chemin(b) + "$"))
    # Typing a "j" in a field does not navigate.
    page.get_by_label("Motif").fill("j")
    page.get_by_label("Motif").press("j")
    assert page.url.endswith(_chemin(b))
    # The shortcuts can be turned off (single-key shortcuts, WCAG 2.1.4); the choice is remembered.
    page.get_by_label("Activer les raccourcis clavier j et k").uncheck()
    page.locator("h1").click()
    page.keyboard.press("j")
    page.wait_for_timeout(300)
    assert page.url.endswith(_chemin(b))
    page.reload()
    assert not page.get_by_label("Activer les raccourcis clavier j et k").is_checked()
    page.get_by_role("link", name="Réponse suivante →").click()
    page.wait_for_url(re.compile(_chemin(c) + "$"))

    # C (5 000 against a median of 110) is flagged: validating needs the box ticked first.
    assert page.get_by_text("Médiane du département").first.is_visible()
    page.get_by_role("button", name="Valider la réponse").click()
    c.refresh_from_db()
    assert c.statut == Statut.SOUMISE  # the required box stopped the form in the browser
    page.get_by_label(re.compile("J'ai vu le signalement et je valide quand même")).check()
    page.get_by_role("button", name="Valider la réponse").click()
    page.wait_for_load_state()
    c.refresh_from_db()
    assert c.statut == Statut.VALIDEE
    assert onglet.erreurs == []


@pytest.mark.parametrize("ecran", [BUREAU, TELEPHONE], ids=["bureau", "telephone"])
def test_page_de_relecture_sans_debordement_ni_violation(ouvrir, suivi, ecran, captures):
    campagne, (a, b, c, _), pilote = suivi
    onglet = _connecte(ouvrir, pilote, viewport=ecran, bypass_csp=True)
    page = onglet.page
    onglet.aller(_chemin(c))
    menu = page.get_by_role("navigation", name="Sections de la réponse")
    if ecran == TELEPHONE:
        # Folded on a phone: the summary opens it.
        page.get_by_text("Aller à une section").click()
    else:
        # Beside the answer on a wide screen, and it stays in view while scrolling.
        assert menu.evaluate("element => getComputedStyle(element).position") == "sticky"
    lien = menu.get_by_role("link", name="Section", exact=True).locator("visible=true")
    assert lien.count() == 1
    lien.click()
    assert page.url.endswith("#section-s1")
    assert page.evaluate("document.documentElement.scrollWidth <= window.innerWidth")
    assert violations_graves(page) == []
    page.screenshot(path=str(captures / f"observatoire-relecture-{ecran['width']}.png"), full_page=True)
