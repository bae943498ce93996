"""The schéma directeur in a browser: the pilote prepares the COPIL (from the schéma to its governance, to the
preparation page: progress by axe since the last meeting, late actions, decisions due), the partner whose
organisation pilots an action updates it on its phone (and finds no form on an action it does not pilot), and the
pilote's preparation page shows the new progress. Every page is checked with axe (no serious or critical
violation) and, on the phone, for horizontal overflow."""

import datetime

import pytest
from django.conf import settings
from django.test import Client
from django.urls import reverse

from maillage.schema.models import CommentaireAction, FicheAction
from tests.e2e.conftest import BUREAU, TELEPHONE
from tests.e2e.test_accessibilite import violations_graves
from tests.schema.factories import DecisionFactory, InstanceFactory, ReunionFactory, jeu_schema_94

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]

AUJOURDHUI = datetime.date(2016, 11, 15)


@pytest.fixture
def jeu(territoire_94, settings, types_ps):
    settings.MAILLAGE_AUJOURDHUI = AUJOURDHUI.isoformat()
    jeu = jeu_schema_94(territoire_94)
    copil = InstanceFactory(schema=jeu.schema, nom="COPIL du schéma fictif")
    copil.organisations.set([jeu.caf, jeu.federation])
    # The June meeting was held: the progress then (axe 1 at 50 %, axe 2 at 0 %) is what the next one compares.
    ReunionFactory(
        instance=copil,
        date=datetime.datetime(2016, 6, 20, 14, tzinfo=datetime.UTC),
        avancements_figes={"date": "2016-06-20", "schema": 30.0, "axes": {"1": 50.0, "2": 0.0}},
    )
    prochaine = ReunionFactory(instance=copil, date=datetime.datetime(2016, 11, 25, 14, tzinfo=datetime.UTC))
    decision = DecisionFactory(
        reunion=ReunionFactory(instance=copil, date=datetime.datetime(2016, 9, 12, 14, tzinfo=datetime.UTC)),
        texte="Présenter la grille d'évaluation fictive au prochain COPIL",
        responsable=jeu.federation,
        echeance=datetime.date(2016, 11, 20),
    )
    decision.fiches.set([FicheAction.objects.get(schema=jeu.schema, numero="1.1.1")])
    jeu.prochaine = prochaine
    return jeu


def _connecter(ouvrir, live_server, compte, viewport):
    client = Client()
    client.force_login(compte)
    onglet = ouvrir(viewport=viewport)
    onglet.page.context.add_cookies(
        [{"name": settings.SESSION_COOKIE_NAME, "value": client.cookies[settings.SESSION_COOKIE_NAME].value,
          "url": live_server.url}]
    )  # fmt: skip
    return onglet


def _verifier(onglet, *, telephone=False):
    page = onglet.page
    assert not violations_graves(page), (page.url, violations_graves(page))
    if telephone:
        largeur = page.evaluate("document.documentElement.scrollWidth")
        assert largeur <= TELEPHONE["width"], (page.url, largeur)
    assert not onglet.erreurs, (page.url, onglet.erreurs)


def _ligne(page, libelle: str) -> list[str]:
    return [
        c.strip()
        for c in page.locator("tr", has=page.locator("th", has_text=libelle)).first.locator("td").all_inner_texts()
    ]


def test_le_pilote_prepare_le_copil_et_le_partenaire_tient_son_action(jeu, ouvrir, live_server):
    # 1. The pilote, on a desktop, from the list of schémas to the preparation of the next COPIL.
    pilote = _connecter(ouvrir, live_server, jeu.pilote, BUREAU)
    page = pilote.page
    pilote.aller(reverse("schema:liste") + "?departement=94")
    page.get_by_role("link", name="Schéma directeur fictif 2016-2020").first.click()
    page.wait_for_url(f"**{reverse('schema:detail', args=[jeu.schema.pk])}")
    assert page.get_by_role("heading", name="Organiser l'action publique").count()
    _verifier(pilote)
    page.get_by_role("navigation", name="Rubriques du schéma").get_by_role("link", name="Gouvernance").click()
    page.get_by_role("link", name="Préparer cette réunion").click()
    page.wait_for_url(f"**{reverse('schema:reunion_preparer', args=[jeu.prochaine.pk])}")
    # Axe 1: fiches at 40 % and 80 % → 60 %, 50 % at the June meeting.
    assert _ligne(page, "Organiser l'action publique")[:3] == ["60,0 %", "50,0 %", "+10,0"]
    retards = page.locator("section", has=page.get_by_role("heading", name="Actions en retard"))
    assert "Comité des financeurs fictif" in retards.inner_text()
    dues = page.locator("section", has=page.get_by_role("heading", name="Décisions dues"))
    assert "Présenter la grille d'évaluation fictive" in dues.inner_text()
    _verifier(pilote)

    # 2. The Fédération's partner, on a phone, updates the action its organisation pilots.
    partenaire = _connecter(ouvrir, live_server, jeu.partenaire, TELEPHONE)
    page_p = partenaire.page
    partenaire.aller(reverse("schema:detail", args=[jeu.schema.pk]))
    _verifier(partenaire, telephone=True)
    page_p.get_by_role("link", name="Comité des financeurs fictif").first.click()
    _verifier(partenaire, telephone=True)
    page_p.get_by_label("Avancement (%)").fill("70")
    page_p.get_by_label("Commentaire").fill("Deux réunions du comité tenues, la troisième est fixée.")
    page_p.get_by_role("button", name="Enregistrer la mise à jour").click()
    page_p.wait_for_load_state()
    assert "Deux réunions du comité tenues" in page_p.content()
    _verifier(partenaire, telephone=True)
    fiche = FicheAction.objects.get(schema=jeu.schema, numero="1.1.1")
    assert (fiche.avancement, fiche.version) == (70, 2)
    assert CommentaireAction.objects.filter(fiche=fiche, auteur=jeu.partenaire, avancement=70).exists()
    # An action piloted by another organisation: readable, but no update form.
    partenaire.aller(reverse("schema:fiche", args=[FicheAction.objects.get(schema=jeu.schema, numero="1.1.2").pk]))
    assert page_p.get_by_role("button", name="Enregistrer la mise à jour").count() == 0

    # 3. Back on the pilote's preparation page: axe 1 moved with the partner's update (70 % and 80 % → 75 %).
    page.reload()
    assert _ligne(page, "Organiser l'action publique")[:3] == ["75,0 %", "50,0 %", "+25,0"]
