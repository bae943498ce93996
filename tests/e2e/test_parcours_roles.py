"""Each role, from its home to its main tasks, in Chromium at 1280 and 375 px (demo data).

From « Mon espace » the walk follows the home's task links (and its other pages), on a desktop and on a phone:
no page wider than the window, no serious or critical axe violation; the phone menu opens with its button
(aria-expanded) and its links lead to the pages; a pilote's navigation holds on one row at 1280 px; the password
change page has no field without a label. The demo is loaded once, inside the one test (browser tests empty the
tables after each test). Kept short: a few task pages per role, axe once per kind of page and width.
"""

from io import StringIO

import pytest
from django.conf import settings
from django.core.management import call_command
from django.test import Client, override_settings
from django.urls import resolve, reverse

from maillage.comptes.models import Utilisateur
from tests.e2e.conftest import BUREAU, TELEPHONE
from tests.e2e.test_accessibilite import violations_graves
from tests.e2e.test_pages_demo_telephone import CONNUS
from tests.transverse.conftest import COMPTES

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]

TACHES_PAR_ROLE = 3

# Every field a person fills, with its accessible name (label, aria-label or aria-labelledby).
SANS_LIBELLE = """() => Array.from(document.querySelectorAll('input:not([type=hidden]), select, textarea'))
    .filter(e => !(e.labels && e.labels.length) && !e.getAttribute('aria-label') && !e.getAttribute('aria-labelledby'))
    .map(e => e.outerHTML.slice(0, 160))"""


def route(url: str) -> str:
    return resolve(url.split("?")[0].split("#")[0]).view_name


def cookie_de(role: str) -> str:
    client = Client()
    client.force_login(Utilisateur.objects.get(email=COMPTES[role]))
    return client.cookies[settings.SESSION_COOKIE_NAME].value


def liens_des_taches(page) -> list[str]:
    """The home's task links (then its other pages), internal, without repeats."""
    urls = page.eval_on_selector_all(
        ".a-faire a[href^='/'], #titre-raccourcis ~ ul a[href^='/']", "liens => liens.map(a => a.getAttribute('href'))"
    )
    vues, resultat = set(), []
    for url in urls:
        if url not in vues and not url.startswith(("/admin/", "/api/")):
            vues.add(url)
            resultat.append(url)
    return resultat


def test_parcours_de_chaque_role(ouvrir, types_ps, live_server):
    with override_settings(DEBUG=True, MAILLAGE_DEMO=True):
        call_command("charger_demo", stdout=StringIO(), stderr=StringIO())
    problemes, auditees, connus_vus = [], set(), set()

    def signaler(role, ecran, url, controle, message):
        if (route(url), controle) in CONNUS:
            connus_vus.add((route(url), controle))
        else:
            problemes.append(f"{role} {ecran['width']} px {url} : {message}")

    def verifier(onglet, role, ecran, url):
        page = onglet.page
        reponse = onglet.aller(url)
        if reponse is None or reponse.status != 200:
            signaler(role, ecran, url, "statut", f"statut {reponse and reponse.status}")
            return
        if page.locator("[data-carte]").count():
            page.wait_for_selector("[data-carte][data-carte-chargee]")
        largeur = page.evaluate("document.documentElement.scrollWidth")
        if largeur > ecran["width"]:
            signaler(role, ecran, url, "largeur", f"page large de {largeur} px")
        if (route(url), ecran["width"]) not in auditees:
            auditees.add((route(url), ecran["width"]))
            for violation in violations_graves(page):
                signaler(role, ecran, url, violation.split(" ")[0], violation)

    with override_settings(MAILLAGE_AUJOURDHUI="2016-10-15"):
        for role in COMPTES:
            cookie = cookie_de(role)
            for ecran in (BUREAU, TELEPHONE):
                # axe is injected as a script: the CSP of the pages would refuse it.
                onglet = ouvrir(viewport=ecran, bypass_csp=True)
                page = onglet.page
                page.context.add_cookies([{"name": settings.SESSION_COOKIE_NAME, "value": cookie,
                                           "url": live_server.url}])  # fmt: skip
                verifier(onglet, role, ecran, reverse("accueil:espace"))
                assert page.get_by_role("heading", level=1).inner_text().startswith("Mon espace")
                taches = liens_des_taches(page)
                assert taches, f"{role} : aucune tâche ni page liée depuis l'accueil"
                for url in taches[:TACHES_PAR_ROLE]:
                    verifier(onglet, role, ecran, url)
                if ecran is TELEPHONE:
                    # The menu button (navigation.js) opens the navigation, whose links lead to the pages.
                    onglet.aller(reverse("accueil:espace"))
                    bouton = page.get_by_role("button", name="Menu")
                    navigation = page.get_by_role("navigation", name="Navigation principale")
                    assert bouton.get_attribute("aria-expanded") == "false"
                    assert not navigation.get_by_role("link", name="Annuaire", exact=True).is_visible()
                    bouton.click()
                    assert bouton.get_attribute("aria-expanded") == "true"
                    navigation.get_by_role("link", name="Annuaire", exact=True).click()
                    page.wait_for_url("**/structures/**")
                    assert page.evaluate("document.documentElement.scrollWidth") <= TELEPHONE["width"]
                elif role == "pilote":
                    # The longest navigation fits on one row at 1280 px.
                    hauteurs = page.eval_on_selector_all(
                        ".navigation__liste > li", "lis => lis.map(li => Math.round(li.getBoundingClientRect().top))"
                    )
                    assert len(set(hauteurs)) == 1, hauteurs
            # The password change page: every field has a label.
            onglet = ouvrir(viewport=TELEPHONE, bypass_csp=True)
            onglet.page.context.add_cookies([{"name": settings.SESSION_COOKIE_NAME, "value": cookie,
                                              "url": live_server.url}])  # fmt: skip
            onglet.aller(reverse("comptes:mot_de_passe_changer"))
            assert onglet.page.evaluate(SANS_LIBELLE) == [], role
    assert not problemes, f"{len(problemes)} problèmes :\n" + "\n".join(problemes)


def test_menu_sans_javascript(ouvrir, live_server):
    # Without JavaScript the « Menu » link opens the navigation through :target.
    onglet = ouvrir(viewport=TELEPHONE)
    page = onglet.page
    page.context.route("**/navigation.js", lambda r: r.abort())
    onglet.aller("/")
    lien = page.get_by_role("link", name="Menu")
    navigation = page.get_by_role("navigation", name="Navigation principale")
    assert not navigation.is_visible()
    lien.click()
    assert navigation.is_visible()
    assert navigation.get_by_role("link", name="Se connecter").is_visible()
    page.get_by_role("link", name="Fermer le menu").click()
    assert not navigation.is_visible()
