"""The demo tells one story on its clock (15/10/2016): the key pages, read as each role, show the demo's dates.

Loaded once for the module with the clock pinned as `MAILLAGE_DEMO` pins it in settings, then the tables are
flushed (like tests/demo/test_registre.py). The real year (this test runs after 2016) must appear on none of these
pages: a page that reads the real date instead of `core.horloge` shows it.
"""

import datetime
import html
import re
from io import StringIO

import pytest
from django.core.management import call_command
from django.test import override_settings
from django.urls import reverse

from maillage.comptes.models import Utilisateur
from maillage.fiches.models import FicheExperience
from maillage.financements import bareme_initial
from maillage.financements.models import BaremePS, TypePS
from maillage.observatoire.models import Campagne, Reponse, Statut
from maillage.structures.models import Structure

JOUR_DEMO = "2016-10-15"
ANNEE_REELLE = str(datetime.date.today().year)


@pytest.fixture(scope="module")
def demo(django_db_setup, django_db_blocker):
    with django_db_blocker.unblock():
        bareme_initial.ecrire(modele_type_ps=TypePS, modele_bareme_ps=BaremePS)
        with override_settings(DEBUG=True, MAILLAGE_DEMO=True, MAILLAGE_AUJOURDHUI=JOUR_DEMO):
            call_command("charger_demo", stdout=StringIO(), stderr=StringIO())
        yield
        call_command("flush", interactive=False, verbosity=0)
        bareme_initial.ecrire(modele_type_ps=TypePS, modele_bareme_ps=BaremePS)


@pytest.fixture
def lire(demo, db, client, settings):
    settings.MAILLAGE_AUJOURDHUI = JOUR_DEMO

    def lire(email, url):
        client.force_login(Utilisateur.objects.get(email=email))
        reponse = client.get(url)
        assert reponse.status_code == 200, url
        texte = re.sub(r"<[^>]+>", " ", reponse.content.decode())
        texte = re.sub(r"\s+", " ", html.unescape(texte))
        assert ANNEE_REELLE not in texte, (url, texte[texte.index(ANNEE_REELLE) - 120 :][:240])
        return texte

    return lire


def test_annuaire_47_structures_au_jour_de_la_demo(lire):
    for email in ("pilote@demo.maillage.fr", "partenaire@demo.maillage.fr", "structure@demo.maillage.fr"):
        texte = lire(email, reverse("structures:annuaire") + "?departement=94")
        assert "47 structures" in texte
        assert "au 15/10/2016" in texte


def test_renouvellements_en_cours_et_quelques_retards(lire):
    texte = lire("pilote@demo.maillage.fr", reverse("structures:renouvellements", args=["94"]))
    trouve = re.search(r"(\d+) agréments à renouveler, dont (\d+) en retard", texte)
    assert trouve, texte[:500]
    a_renouveler, en_retard = map(int, trouve.groups())
    assert a_renouveler >= 10 and 0 < en_retard <= a_renouveler // 3


def test_reponse_soumise_et_suivi_en_2016(lire):
    campagne = Campagne.objects.get(departement_id="94", annee=2016)
    a_corriger = Reponse.objects.get(campagne=campagne, statut=Statut.A_CORRIGER)
    texte = lire("pilote@demo.maillage.fr", reverse("observatoire:relire", args=[a_corriger.pk]))
    assert re.search(r"soumise le \d+(er)? \w+ 2016", texte)
    suivi = lire("pilote@demo.maillage.fr", reverse("observatoire:suivi", args=[campagne.pk]))
    durees = [int(n) for n in re.findall(r"depuis (\d+) jours", suivi)]
    assert durees and max(durees) < 300
    structure = lire("structure@demo.maillage.fr", reverse("observatoire:reponse", args=[a_corriger.pk]))
    assert re.search(r"Le \d+(er)? \w+ 2016 par", structure)


def test_diagnostic_budgets_et_fiches_datees_de_la_demo(lire):
    assert "au 15/10/2016" in lire("conseiller@demo.maillage.fr", reverse("diagnostic:departement", args=["94"]))
    tilleuls = Structure.objects.get(nom="Centre social des Tilleuls (fictif)")
    budgets = lire("pilote@demo.maillage.fr", reverse("financements:budgets", args=[tilleuls.pk]))
    assert "Prévisionnel 2016" in budgets and "Réalisé 2015" in budgets
    fiche = FicheExperience.objects.filter(publiee_le__isnull=False).first()
    assert fiche.publiee_le.year == 2016 and fiche.proposee_le < fiche.publiee_le
    lire("pilote@demo.maillage.fr", reverse("observatoire:fiche", args=[fiche.pk]))
