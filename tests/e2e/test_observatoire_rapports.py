"""The report as a background job in a browser: the pilot asks for the workbook, waits on the progress page
(htmx polling, under the strict CSP), a worker makes it, the page offers the download. Plus axe on the new pages."""

import datetime

import pytest
from django.core.management import call_command
from django.utils import timezone

from maillage.comptes.models import Role
from maillage.observatoire import services
from maillage.observatoire.models import Statut
from tests.comptes.factories import UtilisateurFactory
from tests.e2e.conftest import BUREAU, TELEPHONE
from tests.e2e.test_accessibilite import violations_graves
from tests.e2e.test_observatoire_cycle import _connecte
from tests.observatoire.conftest import SOCLE
from tests.observatoire.factories import CampagneFactory, ReponseFactory
from tests.structures.factories import StructureFactory

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def campagne(territoire_94):
    socle, _ = services.questionnaire_charger(chemin=SOCLE)
    campagne = CampagneFactory(
        departement=territoire_94.departement, questionnaire=socle, publiee=True, publiee_le=timezone.now()
    )
    maintenant = timezone.now() - datetime.timedelta(days=1)
    for i, commune in enumerate(territoire_94.communes):
        ReponseFactory(
            campagne=campagne,
            structure=StructureFactory(nom=f"Centre social {i} (fictif)", commune=commune),
            statut=Statut.VALIDEE,
            valeurs={"pub_personnes": 100 * (i + 1), "gouv_benevoles_activite": 10 + i},
            soumise_le=maintenant,
            validee_le=maintenant,
            verrouillee=True,
        )
    return campagne


def test_classeur_prepare_en_tache_de_fond(ouvrir, campagne, settings):
    settings.TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend", "QUEUES": ["default"]}}
    pilote = UtilisateurFactory(role=Role.PILOTE, departements=[campagne.departement])
    onglet = _connecte(ouvrir, pilote)
    page = onglet.page
    onglet.aller("/observatoire/resultats/2016/94/reponses.xlsx")
    assert "/travaux/" in page.url
    page.get_by_text("Le travail attend son tour").wait_for()
    call_command("db_worker", batch=True, no_startup_delay=True, verbosity=0)
    lien = page.get_by_role("link", name="Télécharger observatoire-94-2016.xlsx")
    lien.wait_for(timeout=15_000)  # the fragment is polled every 2 s
    with page.expect_download() as telechargement:
        lien.click()
    assert telechargement.value.suggested_filename == "observatoire-94-2016.xlsx"
    assert onglet.erreurs == []  # no CSP violation, no script error


@pytest.mark.parametrize("ecran", [BUREAU, TELEPHONE], ids=["bureau", "telephone"])
def test_pages_accessibles(ouvrir, campagne, settings, ecran):
    settings.TASKS = {"default": {"BACKEND": "django_tasks.backends.dummy.DummyBackend"}}
    onglet = ouvrir(viewport=ecran, bypass_csp=True)
    onglet.aller("/observatoire/resultats/")
    assert violations_graves(onglet.page) == []
    onglet.aller("/observatoire/resultats/2016/94/rapport.pdf")  # published: anyone may ask; the job waits
    assert "/travaux/" in onglet.page.url
    assert violations_graves(onglet.page) == []
