"""The demo's pages on a phone, for every role: nothing wider than 375 px, no serious or critical axe violation.

Every kind of page each role reaches (found by the crawl of tests/transverse/exploration.py: one page per route,
then other pages up to PAGES_PAR_ROLE), opened in Chromium at 375 px: the forms of account editing and the
import journal, reached by one role only, are not left out of a sample. The demo is loaded once, inside the one
test (browser tests empty the tables after each test).
"""

from io import StringIO

import pytest
from django.conf import settings
from django.core.management import call_command
from django.test import Client, override_settings
from django.urls import resolve

from maillage.comptes.models import Utilisateur
from maillage.structures.models import Structure
from tests.e2e.conftest import TELEPHONE
from tests.e2e.test_accessibilite import violations_graves
from tests.transverse import exploration
from tests.transverse.conftest import COMPTES, ROLES

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]

PAGES_PAR_ROLE = 25

# Defects found by this test and not fixed yet, by (route, check): "largeur" or the axe rule. Each must still
# be found (a fixed one is to be removed from here); anything else fails the test.
CONNUS = {}
# Pages once wider than the phone (issue 13): the crawl must reach them, for the role named, or the check is void.
# The crawl of the pilote also starts from the lists that lead to them (deep in a breadth-first walk otherwise), from
# the diagnostic at a date (the anonymous crawl, first, takes the plain URL) and from a structure's form.
DEPARTS = {
    "pilote": (
        "/",
        "/territoires/chargements/",
        "/comptes/departements/94/",
        "/diagnostic/departements/94/?date=2016-10-15",
    )
}
ROUTES_EXIGEES = {
    "pilote": {"diagnostic:departement", "comptes:modifier", "territoires:chargement", "structures:structure_modifier"},
    "anonyme": {"diagnostic:departement"},
}


def route(url: str) -> str:
    return resolve(url.split("?")[0]).view_name


def echantillon(urls: list[str], taille: int, deja_vues: set[str]) -> list[str]:
    """One URL per route (in crawl order, every route), then the others up to `taille`; none seen by another role."""
    premieres, autres, routes = [], [], set()
    for url in urls:
        if url in deja_vues:
            continue
        (autres if route(url) in routes else premieres).append(url)
        routes.add(route(url))
    return premieres + autres[: max(0, taille - len(premieres))]


def session_de(role):
    """A test client for `role` and its session cookie (None when anonymous)."""
    client = Client(raise_request_exception=False)
    if role == "anonyme":
        return client, None
    client.force_login(Utilisateur.objects.get(email=COMPTES[role]))
    return client, client.cookies[settings.SESSION_COOKIE_NAME].value


def test_pages_de_la_demo_au_telephone(ouvrir, types_ps, live_server):
    with override_settings(DEBUG=True, MAILLAGE_DEMO=True):
        call_command("charger_demo", stdout=StringIO(), stderr=StringIO())
    problemes, deja_vues, routes_auditees, connus_vus = [], set(), set(), set()

    def signaler(role, url, controle, message):
        if (route(url), controle) in CONNUS:
            connus_vus.add((route(url), controle))
        else:
            problemes.append(f"{role} {url} : {message}")

    for role in ROLES:
        client, session = session_de(role)
        depart = DEPARTS.get(role, ("/",))
        if role == "pilote":
            depart = (*depart, f"/structures/{Structure.objects.order_by('pk').first().pk}/modifier/")
        exploration_du_role = exploration.explorer(client, depart=depart)
        urls = echantillon(exploration_du_role.pages_html, PAGES_PAR_ROLE, deja_vues)
        deja_vues.update(urls)
        if manquantes := ROUTES_EXIGEES.get(role, set()) - {route(url) for url in urls}:
            problemes.append(f"{role} : pages jamais atteintes par l'exploration : {sorted(manquantes)}")
        # axe is injected as a script: the CSP of the pages would refuse it.
        onglet = ouvrir(viewport=TELEPHONE, bypass_csp=True)
        page = onglet.page
        if session:
            page.context.add_cookies([{"name": settings.SESSION_COOKIE_NAME, "value": session, "url": live_server.url}])
        for url in urls:
            reponse = onglet.aller(url)
            if reponse is None or reponse.status >= 500:
                signaler(role, url, "erreur", f"erreur {reponse and reponse.status}")
                continue
            if page.locator("[data-carte]").count():
                page.wait_for_selector("[data-carte][data-carte-chargee]")
            largeur = page.evaluate("document.documentElement.scrollWidth")
            if largeur > TELEPHONE["width"]:
                signaler(role, url, "largeur", f"page large de {largeur} px sur un écran de 375 px")
            # axe is the slow part (a second or more a page): once per kind of page, whatever the role.
            if route(url) not in routes_auditees:
                routes_auditees.add(route(url))
                for violation in violations_graves(page):
                    signaler(role, url, violation.split(" ")[0], violation)
    problemes += [
        f"{nom} : « {raison} » n'est plus constaté : retirez-le de CONNUS"
        for (nom, controle), raison in CONNUS.items()
        if (nom, controle) not in connus_vus
    ]
    assert not problemes, f"{len(problemes)} problèmes :\n" + "\n".join(problemes)
