"""Registration journey on a 375 px phone, in Chromium: an event with one place; A registers (confirmed, code and
QR code), B registers (waiting list), A cancels from the personal page, B is promoted (page and e-mail). Every
page: no serious or critical axe violation, nothing wider than the screen."""

import re

import pytest
from django.core import mail
from django.urls import reverse

from tests.e2e.conftest import TELEPHONE
from tests.e2e.test_accessibilite import violations_graves
from tests.reseau.factories import EvenementFactory, SessionProgrammeFactory

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def evenement(territoire_94, settings):
    settings.ALLOWED_HOSTS = ["localhost", "127.0.0.1", "testserver"]
    settings.SECURE_SSL_REDIRECT = False
    ev = EvenementFactory(departement=territoire_94.departement, capacite=1, titre="Journée fictive du réseau")
    SessionProgrammeFactory(evenement=ev, titre="Atelier fictif jeunesse", capacite=10)
    # Read before the browser starts: no ORM once Playwright runs its event loop in this thread.
    return {"pk": ev.pk, "url": reverse("reseau:inscrire", args=[ev.pk])}


def _controler(page, problemes: list, nom: str) -> None:
    largeur = page.evaluate("document.documentElement.scrollWidth")
    if largeur > TELEPHONE["width"]:
        problemes.append(f"{nom} : page large de {largeur} px")
    problemes += [f"{nom} : {v}" for v in violations_graves(page)]


def _inscrire(page, base, url, nom, email, problemes):
    reponse = page.goto(base + url)
    assert reponse.status == 200, (reponse.status, reponse.headers, reponse.text()[:2000])
    _controler(page, problemes, f"formulaire ({nom})")
    assert page.locator("h1").inner_text() == "S'inscrire", page.content()[:3000]
    page.locator("#id_nom").fill(nom)
    page.locator("#id_prenom").fill("Camille")
    page.locator("#id_email").fill(email)
    page.locator("#id_categorie").select_option("evs")
    page.get_by_label(re.compile("recontacté·e par le réseau")).check()
    page.get_by_role("button", name="M'inscrire").click()
    page.wait_for_url(re.compile(r"/evenements/inscription/[^/]+/$"))
    _controler(page, problemes, f"page personnelle ({nom})")
    return page.url


def test_liste_d_attente_puis_promotion_au_telephone(evenement, live_server, navigateur):
    mail.outbox.clear()
    problemes: list[str] = []
    # axe is injected as a script: the CSP of the pages would refuse it.
    contexte_a = navigateur.new_context(viewport=TELEPHONE, locale="fr-FR", bypass_csp=True)
    contexte_b = navigateur.new_context(viewport=TELEPHONE, locale="fr-FR", bypass_csp=True)
    for contexte in (contexte_a, contexte_b):
        contexte.set_default_timeout(10_000)
    a, b = contexte_a.new_page(), contexte_b.new_page()
    try:
        page_a = _inscrire(a, live_server.url, evenement["url"], "Alpha", "alpha@exemple.fr", problemes)
        assert a.locator("#statut-inscription").inner_text() == "Confirmée"
        code = a.locator("#code-inscription").inner_text().strip()
        assert re.fullmatch(r"[A-Z0-9]{8}", code)
        qr = a.locator("img.qr-code")
        assert qr.count() == 1 and a.evaluate("document.querySelector('img.qr-code').naturalWidth") > 0

        page_b = _inscrire(b, live_server.url, evenement["url"], "Bravo", "bravo@exemple.fr", problemes)
        assert b.locator("#statut-inscription").inner_text() == "Liste d'attente"
        assert "1re sur la liste d'attente" in b.content()

        a.get_by_role("link", name="Annuler mon inscription").click()
        # Wait for the confirmation page itself: evaluating during the navigation finds no document.
        confirmer = a.get_by_role("button", name="Confirmer l'annulation")
        confirmer.wait_for()
        a.wait_for_load_state()
        _controler(a, problemes, "confirmation d'annulation")
        confirmer.click()
        a.wait_for_url(page_a)
        assert a.locator("#statut-inscription").inner_text() == "Annulée"

        b.goto(page_b)
        assert b.locator("#statut-inscription").inner_text() == "Confirmée"
        assert b.locator("img.qr-code").count() == 1
        _controler(b, problemes, "page personnelle promue")
    finally:
        contexte_a.close()
        contexte_b.close()
    assert not problemes, "\n".join(problemes)
    sujets = {(m.to[0], m.subject.split(" — ")[0]) for m in mail.outbox}
    assert ("bravo@exemple.fr", "Une place s'est libérée") in sujets
    assert any(dest == "alpha@exemple.fr" and "annulée" in sujet for dest, sujet in sujets)


@pytest.fixture
def pages_organisateur(territoire_94, settings):
    from django.conf import settings as reglages
    from django.test import Client

    from maillage.core.roles import Role
    from maillage.reseau.models import Inscription, Invitation
    from tests.comptes.factories import UtilisateurFactory
    from tests.reseau.factories import InscriptionFactory

    settings.ALLOWED_HOSTS = ["localhost", "127.0.0.1", "testserver"]
    settings.SECURE_SSL_REDIRECT = False
    ev = EvenementFactory(departement=territoire_94.departement, capacite=3)
    for n in range(3):
        InscriptionFactory(evenement=ev, organisation_nom=f"Centre social fictif au nom très long n° {n}")
    InscriptionFactory(evenement=ev, statut=Inscription.Statut.LISTE_ATTENTE)
    invitation = Invitation.objects.create(evenement=ev, email="invite@exemple.fr", nom="Invité fictif")
    pilote = UtilisateurFactory(role=Role.PILOTE, departements=[territoire_94.departement])
    client = Client()
    client.force_login(pilote)
    return {
        "session": client.cookies[reglages.SESSION_COOKIE_NAME].value,
        "pilote": [reverse("reseau:inscriptions", args=[ev.pk]), reverse("reseau:inscription_ajouter", args=[ev.pk]),
                   reverse("reseau:mes_inscriptions")],
        "anonyme": [reverse("reseau:invitation", args=[invitation.jeton])],
    }  # fmt: skip


def test_pages_organisateur_et_invitation_au_telephone(pages_organisateur, live_server, navigateur):
    from django.conf import settings as reglages

    problemes: list[str] = []
    for cle in ("pilote", "anonyme"):
        contexte = navigateur.new_context(viewport=TELEPHONE, locale="fr-FR", bypass_csp=True)
        contexte.set_default_timeout(10_000)
        if cle == "pilote":
            contexte.add_cookies([{"name": reglages.SESSION_COOKIE_NAME, "value": pages_organisateur["session"],
                                   "url": live_server.url}])  # fmt: skip
        page = contexte.new_page()
        for url in pages_organisateur[cle]:
            reponse = page.goto(live_server.url + url)
            assert reponse.status == 200, url
            _controler(page, problemes, url)
        contexte.close()
    assert not problemes, "\n".join(problemes)
