"""The door on a 375 px phone, in Chromium: find a registrant by part of the name then by code (htmx under the
real CSP), mark them present, register a walk-in; no serious or critical axe violation, no page wider than the
screen."""

import pytest
from django.conf import settings
from django.test import Client
from django.urls import reverse

from maillage.core.roles import Role
from maillage.reseau.models import Categorie, EnqueteSatisfaction, Inscription, ReponseSatisfaction
from maillage.reseau.services_enquete import QUESTIONS_PAR_DEFAUT
from tests.comptes.factories import UtilisateurFactory
from tests.e2e.conftest import TELEPHONE
from tests.e2e.test_accessibilite import violations_graves
from tests.reseau.factories import EvenementFactory, InscriptionFactory, dans

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def jeu(territoire_94, settings):
    settings.ALLOWED_HOSTS = ["localhost", "127.0.0.1", "testserver"]
    settings.SECURE_SSL_REDIRECT = False
    dep = territoire_94.departement
    ev = EvenementFactory(departement=dep, titre="Journée départementale fictive des centres sociaux", capacite=4)
    gens = [
        InscriptionFactory(evenement=ev, nom="Dupont-Delacroix-Montmorency", prenom="Marie-Charlotte",
                           organisation_nom="Centre social intercommunal fictif des Bords de Marne",
                           categorie=Categorie.CENTRE_SOCIAL),
        InscriptionFactory(evenement=ev, nom="Martin", prenom="Émile", categorie=Categorie.ELU),
        InscriptionFactory(evenement=ev, nom="Durand", prenom="Inès", categorie=Categorie.CAF),
        InscriptionFactory(evenement=ev, nom="Attente", prenom="Paul", statut=Inscription.Statut.LISTE_ATTENTE),
    ]  # fmt: skip
    # A past event with its survey: one answer given, one to give.
    passe = EvenementFactory(departement=dep, debut=dans(-3, 9), fin=dans(-3, 17))
    repondu, a_repondre = (InscriptionFactory(evenement=passe, present_le=passe.debut) for _ in range(2))
    enquete = EnqueteSatisfaction.objects.create(evenement=passe, questions=QUESTIONS_PAR_DEFAUT)
    ReponseSatisfaction.objects.create(
        enquete=enquete,
        inscription=repondu,
        reponses={"satisfaction": 4, "revenir": "Oui", "ameliorer": "Plus de temps."},
    )
    pilote = UtilisateurFactory(role=Role.PILOTE, departements=[dep])
    client = Client()
    client.force_login(pilote)
    # The ORM is not used once Playwright runs its event loop: everything read now.
    return {"ev": ev.pk, "martin": (gens[1].pk, gens[1].code), "passe": passe.pk, "jeton": a_repondre.jeton,
            "session": client.cookies[settings.SESSION_COOKIE_NAME].value}  # fmt: skip


def _page(navigateur, live_server, session, bypass_csp):
    contexte = navigateur.new_context(viewport=TELEPHONE, locale="fr-FR", bypass_csp=bypass_csp)
    contexte.set_default_timeout(10_000)
    contexte.add_cookies([{"name": settings.SESSION_COOKIE_NAME, "value": session, "url": live_server.url}])
    return contexte, contexte.new_page()


def test_pointage_au_telephone(jeu, live_server, navigateur):
    contexte, page = _page(navigateur, live_server, jeu["session"], bypass_csp=False)  # the real CSP
    erreurs = []
    page.on("pageerror", lambda e: erreurs.append(str(e)))
    page.on("console", lambda m: m.type == "error" and erreurs.append(m.text))
    page.goto(live_server.url + reverse("reseau:pointage", args=[jeu["ev"]]))
    assert page.locator("#compteur").inner_text() == "0 présent / 3 inscrits"
    # Part of the name: the list refreshes without reloading the page.
    page.get_by_label("Nom ou code de la personne").fill("mart")
    page.wait_for_selector("text=1 résultat pour « mart »")
    assert "Martin" in page.locator("#resultats").inner_text()
    assert "Dupont" not in page.locator("#resultats").inner_text()
    # The code, typed in lower case.
    page.get_by_label("Nom ou code de la personne").fill(jeu["martin"][1].lower())
    page.wait_for_selector("text=Code reconnu")
    assert "?q=" in page.url
    page.get_by_role("button", name="Présent·e : Émile Martin").click()
    page.wait_for_selector(f"#i{jeu['martin'][0]}.present")
    assert page.locator("#compteur").inner_text() == "1 présent / 3 inscrits"
    assert page.get_by_role("button", name="Annuler la présence de Émile Martin").is_visible()
    # A walk-in.
    page.get_by_role("link", name="Inscrire une personne venue sans inscription").click()
    page.wait_for_url("**/sur-place/")
    page.locator("#id_nom").fill("Nouvelle")
    page.get_by_label("Prénom").fill("Zoé")
    page.get_by_label("Adresse e-mail").fill("zoe.nouvelle@exemple.fr")
    page.get_by_label("Organisation").fill("EVS fictif")
    page.get_by_label("Catégorie").select_option(Categorie.EVS)
    page.get_by_role("button", name="Inscrire et pointer présent·e").click()
    page.wait_for_selector("text=inscrit·e sur place et présent·e")
    assert "Nouvelle Zoé" in page.locator("#resultats").inner_text()
    assert page.locator("#compteur").inner_text() == "2 présents / 4 inscrits"
    assert not erreurs, erreurs
    contexte.close()


def test_pages_au_telephone_sans_violation_ni_debordement(jeu, live_server, navigateur):
    contexte, page = _page(navigateur, live_server, jeu["session"], bypass_csp=True)  # axe is an injected script
    ev = jeu["ev"]
    problemes = []
    for url in (
        reverse("reseau:pointage", args=[ev]) + "?q=d",
        reverse("reseau:sur_place", args=[ev]),
        reverse("reseau:statistiques", args=[ev]),
        reverse("reseau:enquete", args=[ev]),
        reverse("reseau:statistiques", args=[jeu["passe"]]),
        reverse("reseau:enquete", args=[jeu["passe"]]),
        reverse("reseau:enquete_repondre", args=[jeu["jeton"]]),
    ):
        reponse = page.goto(live_server.url + url)
        assert reponse.status == 200, url
        largeur = page.evaluate("document.documentElement.scrollWidth")
        if largeur > TELEPHONE["width"]:
            problemes.append(f"{url} : page large de {largeur} px")
        problemes += [f"{url} : {v}" for v in violations_graves(page)]
    # The camera button stays hidden where the browser cannot read QR codes (headless Chromium on Linux).
    page.goto(live_server.url + reverse("reseau:pointage", args=[ev]))
    if not page.evaluate("'BarcodeDetector' in window"):
        assert not page.locator("#camera").is_visible()
    contexte.close()
    assert not problemes, "\n".join(problemes)
