"""A campaign answer's journey in a browser: a structure submits, the pilote sends it back, the structure corrects and
resubmits, the pilote validates, and the département synthesis counts it."""

import datetime
import re
from decimal import Decimal

import pytest
from django.test import Client

from maillage.comptes.models import Role
from maillage.demo import observatoire as demo
from maillage.financements.models import LigneProduit
from maillage.observatoire import selectors, services
from maillage.observatoire.models import Reponse, Statut
from tests.comptes.factories import UtilisateurFactory
from tests.financements.factories import BudgetFactory
from tests.observatoire.conftest import SOCLE, THEME
from tests.observatoire.factories import dates_campagne_en_cours
from tests.structures.factories import AgrementFactory, StructureFactory

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]

SYNTHESE = "/api/v1/observatoire/campagnes/2016/departements/94/synthese"


@pytest.fixture
def monde(territoire_94, types_ps):
    structure = StructureFactory(nom="Centre social des Bleuets (fictif)", commune=territoire_94.communes[0])
    AgrementFactory(structure=structure, debut=datetime.date(2014, 1, 1), fin=datetime.date(2017, 12, 31))
    # The finances section starts from the budget réalisé of the data year.
    budget = BudgetFactory(structure=structure, annee=2015, charges_totales=Decimal("500000"))
    LigneProduit.objects.create(budget=budget, financeur="caf_ps", type_ps=types_ps["agc"], montant=Decimal("72000"))
    LigneProduit.objects.create(budget=budget, financeur="communes", montant=Decimal("428000"))
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
    reponse = Reponse.objects.get(campagne=campagne, structure=structure)
    # A complete, consistent answer typed beforehand (the demo's generator): the journey is about the workflow.
    valeurs = demo.valeurs_structure(
        structure, selectors.definition_campagne(campagne), selectors.contexte_reponse(reponse)
    )
    services.reponse_enregistrer(par=compte, reponse=reponse, valeurs=valeurs, version=reponse.version)
    reponse.refresh_from_db()
    assert not selectors.controle(reponse).bloquant, selectors.controle(reponse).messages_bloquants()
    return reponse, compte, pilote


def _connecte(ouvrir, utilisateur):
    onglet = ouvrir()
    client = Client()
    client.force_login(utilisateur)
    onglet.page.context.add_cookies(
        [{"name": "sessionid", "value": client.cookies["sessionid"].value, "url": onglet.base_url}]
    )
    return onglet


def _validees(onglet):
    reponse = onglet.page.request.get(onglet.base_url + SYNTHESE)
    assert reponse.ok, reponse.text()
    return reponse.json()["reponses"]["validees"]


def test_soumettre_renvoyer_corriger_valider(ouvrir, monde):
    reponse, compte, pilote = monde
    structure = _connecte(ouvrir, compte)
    caf = _connecte(ouvrir, pilote)
    assert _validees(caf) == 0

    structure.aller(f"/observatoire/reponses/{reponse.pk}/")
    structure.page.get_by_role("button", name="Soumettre à la Caf").click()
    structure.page.wait_for_load_state()
    reponse.refresh_from_db()
    assert reponse.statut == Statut.SOUMISE

    caf.aller(f"/observatoire/reponses/{reponse.pk}/relire/")
    caf.page.locator("textarea[name='renvoyer-motif']").fill("Le nombre de bénévoles paraît bas : à vérifier.")
    caf.page.get_by_role("button", name="Renvoyer à corriger").click()
    caf.page.wait_for_load_state()
    reponse.refresh_from_db()
    assert reponse.statut == Statut.A_CORRIGER

    # The structure sees why, corrects a figure (autosaved) and submits again.
    structure.aller(f"/observatoire/reponses/{reponse.pk}/")
    assert "Le nombre de bénévoles paraît bas" in structure.page.locator("main").inner_text()
    structure.page.get_by_role("link", name="Publics").click()
    structure.page.wait_for_load_state()
    champ = structure.page.get_by_label("Personnes différentes touchées dans l'année")
    champ.fill("2 400")
    champ.press("Tab")
    structure.page.wait_for_selector("#statut-enregistrement:has-text('Enregistré à')")
    structure.aller(f"/observatoire/reponses/{reponse.pk}/")
    structure.page.get_by_role("button", name="Soumettre à la Caf").click()
    structure.page.wait_for_load_state()
    reponse.refresh_from_db()
    assert reponse.statut == Statut.SOUMISE
    assert reponse.valeurs["pub_personnes"] == 2400

    caf.aller(f"/observatoire/reponses/{reponse.pk}/relire/")
    confirmation = caf.page.get_by_label(re.compile("^J'ai vu .*je valide quand même$"))
    if confirmation.count():  # open alerts (e.g. the figure changed since last year): the box comes first
        confirmation.check()
    caf.page.get_by_role("button", name="Valider la réponse").click()
    caf.page.wait_for_load_state()
    reponse.refresh_from_db()
    assert reponse.statut == Statut.VALIDEE
    assert _validees(caf) == 1
    assert structure.erreurs == [] and caf.erreurs == []
