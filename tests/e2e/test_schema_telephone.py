"""The schéma and fiche pages on a 375 px phone, in Chromium: no page wider than the screen, no serious or critical
axe violation, and the filter of the long check-box lists works (schema/cases.js, under the pages' CSP)."""

import datetime

import pytest
from django.conf import settings
from django.test import Client
from django.urls import reverse

from tests.e2e.conftest import TELEPHONE
from tests.e2e.test_accessibilite import violations_graves
from tests.schema.factories import jeu_schema_94

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def jeu(territoire_94, settings, types_ps):
    settings.MAILLAGE_AUJOURDHUI = datetime.date(2016, 11, 15).isoformat()
    settings.ALLOWED_HOSTS = ["localhost", "127.0.0.1", "testserver"]
    settings.SECURE_SSL_REDIRECT = False
    return jeu_schema_94(territoire_94)


@pytest.fixture
def session_pilote(jeu):
    """The pilote's session cookie, made before the browser starts: the ORM is not used once Playwright runs its
    event loop in this thread (a connection opened then would outlive the test on PostgreSQL)."""
    client = Client()
    client.force_login(jeu.pilote)
    return client.cookies[settings.SESSION_COOKIE_NAME].value


def _page(navigateur, live_server, session=None, bypass_csp=True):
    # axe is injected as a script: the CSP of the pages would refuse it.
    contexte = navigateur.new_context(viewport=TELEPHONE, locale="fr-FR", bypass_csp=bypass_csp)
    contexte.set_default_timeout(10_000)
    if session is not None:
        contexte.add_cookies([{"name": settings.SESSION_COOKIE_NAME, "value": session, "url": live_server.url}])
    return contexte, contexte.new_page()


def test_pages_du_schema_au_telephone(jeu, session_pilote, live_server, navigateur):
    s, f = jeu.schema.pk, jeu.fiches[0].pk
    pages = {
        None: [reverse("schema:liste") + "?departement=94", reverse("schema:detail", args=[s]),
               reverse("schema:fiche", args=[f])],
        session_pilote: [
            reverse("schema:detail", args=[s]), reverse("schema:fiche", args=[f]),
            reverse("schema:fiche_modifier", args=[f]), reverse("schema:structure", args=[s]),
            reverse("schema:modifier", args=[s]), reverse("schema:statut", args=[jeu.brouillon.pk]),
            reverse("schema:copier", args=[s]),
        ],
    }  # fmt: skip
    problemes = []
    for session, urls in pages.items():
        contexte, page = _page(navigateur, live_server, session)
        for url in urls:
            reponse = page.goto(live_server.url + url)
            assert reponse.status == 200, url
            largeur = page.evaluate("document.documentElement.scrollWidth")
            if largeur > TELEPHONE["width"]:
                problemes.append(f"{url} : page large de {largeur} px")
            problemes += [f"{url} : {v}" for v in violations_graves(page)]
        contexte.close()
    assert not problemes, "\n".join(problemes)


@pytest.fixture
def communes_en_plus(jeu):
    from tests.territoires.factories import CommuneFactory

    for i in range(12):
        CommuneFactory(departement=jeu.dep, code=f"940{60 + i}", nom=f"Commune fictive {i}")


def test_filtrer_une_longue_liste_de_cases(jeu, communes_en_plus, session_pilote, live_server, navigateur):
    contexte, page = _page(navigateur, live_server, session_pilote, bypass_csp=False)  # the real CSP: a script file
    url = live_server.url + reverse("schema:fiche_modifier", args=[jeu.fiches[0].pk])
    erreurs = []
    page.on("pageerror", lambda e: erreurs.append(str(e)))
    page.goto(url)
    filtre = page.get_by_label("Filtrer : Communes")
    filtre.fill("creteil")
    visibles = page.locator("#id_communes label:visible")
    assert visibles.count() == 1 and "Créteil" in visibles.first.inner_text()
    assert "1 coché sur 15." in page.locator(".cases-filtre").filter(has_text="Communes").inner_text()
    filtre.fill("")
    assert page.locator("#id_communes label:visible").count() == 15
    assert not erreurs
    contexte.close()
