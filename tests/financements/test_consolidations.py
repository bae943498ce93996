import datetime
from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from maillage.financements import selectors
from maillage.financements.models import Budget
from maillage.structures.models import TypeStructure
from tests.financements.factories import BudgetFactory
from tests.structures.factories import AgrementFactory, StructureFactory

pytestmark = pytest.mark.django_db
D = Decimal


def test_consolidation_departement(jeu, django_assert_num_queries):
    with django_assert_num_queries(3):
        c = selectors.consolidation(annee=2015, departement="94")
    assert c.date_reference == datetime.date(2015, 12, 31)
    assert c.structures_par_type == {"centre_social": 2, "evs": 1}
    assert (c.total_structures, c.centres_sociaux, c.evs) == (3, 2, 1)
    assert c.cs_par_mode == {"associative": 1, "collectivite": 1}
    assert c.evs_par_mode == {"associative": 1}
    assert c.cs_associatifs == 1 and c.part_cs_associatifs == 0.5
    assert (c.budget_total, c.budget_cs, c.budget_evs) == (D(840_000), D(800_000), D(40_000))
    assert c.budgets_renseignes == {"centre_social": 2, "evs": 1}
    assert c.ps_par_type == {"agc": D(90_000), "acf": D(15_000), "animation_locale": D(20_000)}
    assert (c.prestations_service, c.fonds_locaux, c.financement_caf) == (D(125_000), D(10_000), D(135_000))
    assert c.produits_par_financeur == {
        "caf_ps": D(125_000),
        "caf_fonds_locaux": D(10_000),
        "communes": D(350_000),
        "usagers": D(5_000),
    }
    financeurs = {code: (total, cs, evs) for code, _, total, cs, evs in c.financeurs()}
    assert financeurs["caf_ps"] == (D(125_000), D(105_000), D(20_000))
    assert financeurs["region"] == (0, 0, 0)
    assert c.modes(TypeStructure.CENTRE_SOCIAL) == [
        ("associative", "Associatif", 1),
        ("collectivite", "Collectivité locale", 1),
        ("autre", "Autre (dont délégation)", 0),
    ]


def test_consolidation_autres_annees_et_territoires(jeu):
    # 2016: CS3 becomes active, EVS1 and CS1, CS2 still are; no budget réalisé 2016.
    c = selectors.consolidation(annee=2016, departement="94")
    assert (c.centres_sociaux, c.evs, c.budget_total, c.financement_caf) == (3, 1, 0, 0)
    # 2014: EVS2 was still active (agrément 2012-2015), CS1's réalisé 2014 counts.
    c = selectors.consolidation(annee=2014, departement="94")
    assert (c.centres_sociaux, c.evs, c.budget_total, c.prestations_service) == (2, 2, D(480_000), D(48_000))
    creteil = jeu.territoire.communes[0]
    c = selectors.consolidation(annee=2015, commune=creteil.code)
    assert (c.centres_sociaux, c.evs, c.budget_total) == (1, 1, D(540_000))
    c = selectors.consolidation(annee=2015, epci=jeu.territoire.epci.code)
    assert c.total_structures == 3 and c.budget_total == D(840_000)
    assert selectors.consolidation(annee=2015, departement="93").budget_total == D(999_999)


def test_structures_avec_finances(jeu, django_assert_num_queries):
    with django_assert_num_queries(1):
        lignes = list(selectors.structures_avec_finances(2015, departement="94"))
        valeurs = [(s.nom, s.budget_realise, s.ps, s.fonds_locaux, s.commune.nom) for s in lignes]
    assert valeurs == [
        ("Centre social Alpha", D(500_000), D(50_000), D(10_000), "Créteil"),
        ("Centre social Bêta", D(300_000), D(55_000), None, "Vitry-sur-Seine"),
        ("Espace Delta", D(40_000), D(20_000), None, "Créteil"),
    ]


def test_annee_par_defaut(jeu):
    assert selectors.annee_par_defaut("94") == 2015
    assert selectors.annees_disponibles("94") == [2015, 2014]
    assert selectors.annee_par_defaut("93") == 2015
    assert selectors.annee_par_defaut("75") == datetime.date.today().year - 1


def test_calcul_ps_du_budget(jeu):
    """CS2 in 2015: AGC all year, ACF from 1 July (184 days of 365); rates 40 % / 60 %, no plafond entered."""
    budget = Budget.objects.get(structure=jeu.cs2, annee=2015, nature="realise")
    calcul = selectors.calcul_ps(
        structure=jeu.cs2,
        annee=2015,
        charges=selectors.charges_du_budget(budget),
        enregistres=selectors.ps_enregistrees(budget),
    )
    assert calcul.proratas == {"agc": D(1), "acf": D("0.5041")}
    agc, acf = calcul.resultat.lignes
    assert (agc.type_ps, agc.montant, agc.ecart) == ("agc", D("40000.00"), D("0.00"))  # 100 000 × 40 %
    assert (acf.type_ps, acf.montant) == ("acf", D("12098.40"))  # 40 000 × 60 % × 0,5041
    assert acf.ecart == D("2901.60")
    assert acf.libelle == "Animation collective familles (ACF)"
    assert [ligne.type_ps for ligne in calcul.resultat.ecarts] == ["acf"]


def test_calcul_ps_bareme_manquant_et_sans_droit(jeu):
    from maillage.financements.models import BaremePS

    BaremePS.objects.filter(annee=2015, type_ps_id="acf").delete()
    budget = Budget.objects.get(structure=jeu.cs2, annee=2015, nature="realise")
    calcul = selectors.calcul_ps(
        structure=jeu.cs2, annee=2015, charges=selectors.charges_du_budget(budget), enregistres={"acf": D(15_000)}
    )
    assert [t.code for t in calcul.sans_bareme] == ["acf"]
    # The recorded ACF has no computable line: it shows as a gap of its whole amount.
    assert [(ligne.type_ps, ligne.ecart) for ligne in calcul.resultat.ecarts] == [("acf", D(15_000))]


def test_requetes_constantes(territoire_94, types_ps):
    creteil = territoire_94.communes[0]

    def ajouter(n):
        for _ in range(n):
            s = StructureFactory(commune=creteil)
            AgrementFactory(structure=s)
            BudgetFactory(structure=s)

    def compter():
        with CaptureQueriesContext(connection) as requetes:
            selectors.consolidation(annee=2015, departement="94")
            list(selectors.structures_avec_finances(2015, departement="94"))
        return len(requetes)

    ajouter(2)
    peu = compter()
    ajouter(10)
    assert compter() == peu == 4
    assert selectors.consolidation(annee=2015, departement="94").centres_sociaux == 12
