"""The demo campaign (charger_demo): SENACS 2016 for the 47 Val-de-Marne structures, consistent with the budgets.

Loaded once for the module on the real territories of département 94, then the tables are flushed (like
tests/demo/test_registre.py).
"""

import datetime
import time
from collections import Counter
from decimal import Decimal
from io import StringIO

import pytest
from django.core.management import call_command
from django.db.models import Sum
from django.test import override_settings
from django.urls import reverse

from maillage.comptes.models import Utilisateur
from maillage.demo import observatoire as demo
from maillage.fiches.models import FicheExperience
from maillage.financements.models import Budget, LigneProduit
from maillage.observatoire import selectors
from maillage.observatoire.models import Campagne, Commentaire, Reponse, Statut, Transition
from tests.bareme import remettre_bareme_initial


def charger():
    sortie = StringIO()
    with override_settings(DEBUG=True, MAILLAGE_DEMO=True):
        call_command("charger_demo", stdout=sortie, stderr=StringIO())
    return sortie.getvalue()


@pytest.fixture(scope="module")
def sortie_demo(django_db_setup, django_db_blocker):
    with django_db_blocker.unblock():
        remettre_bareme_initial()
        sortie = charger()
        yield sortie
        call_command("flush", interactive=False, verbosity=0)
        remettre_bareme_initial()


@pytest.fixture
def campagne(sortie_demo, db):
    return Campagne.objects.select_related("questionnaire", "bloc_thematique").get(departement_id="94", annee=2016)


def test_campagne_publiee_47_attendues_et_resume(campagne, sortie_demo):
    assert campagne.publiee and campagne.annee_donnees == 2015
    assert campagne.questionnaire.code == "senacs-socle" and campagne.bloc_thematique.code == "senacs-theme-2016"
    statuts = Counter(campagne.reponses.values_list("statut", flat=True))
    assert sum(statuts.values()) == 47
    assert statuts == {Statut.VALIDEE: 40, Statut.SOUMISE: 3, Statut.BROUILLON: 3, Statut.A_CORRIGER: 1}
    assert "47 réponses attendues, 44 reçues, 40 validées" in sortie_demo
    assert "FICTIVES" in sortie_demo


def test_finances_egales_aux_budgets_realises(campagne):
    for reponse in campagne.reponses.exclude(statut=Statut.BROUILLON).select_related("structure"):
        budget = Budget.objects.get(structure=reponse.structure, annee=2015, nature=Budget.Nature.REALISE)
        produits = LigneProduit.objects.filter(budget=budget).aggregate(t=Sum("montant"))["t"]
        v = reponse.valeurs
        assert Decimal(str(v["fin_charges_totales"])) == budget.charges_totales.quantize(Decimal("1"))
        assert Decimal(str(v["fin_produits_totaux"])) == produits.quantize(Decimal("1"))
        assert v["fin_resultat"] == v["fin_produits_totaux"] - v["fin_charges_totales"]
        communes = LigneProduit.objects.filter(budget=budget, financeur="communes").aggregate(t=Sum("montant"))["t"]
        assert Decimal(str(v.get("fin_produit_communes", 0))) == (communes or Decimal(0)).quantize(Decimal("1"))


def test_regles_sans_erreur_bloquante_et_ordres_de_grandeur(campagne):
    reponses = list(campagne.reponses.exclude(statut=Statut.BROUILLON).select_related("structure", "campagne"))
    assert len(reponses) == 44
    for reponse in reponses:
        resultat = selectors.controle(reponse)
        assert not resultat.bloquant, (reponse.structure.nom, resultat.erreurs, resultat.anomalies)
        v = reponse.valeurs
        assert v["pers_etp"] <= v["pers_effectif"]
        assert v["gouv_habitants_instance"] <= v["gouv_membres_instance"]
    cs = [r.valeurs for r in reponses if r.structure.type == "centre_social"]
    evs = [r.valeurs for r in reponses if r.structure.type == "evs"]
    moyenne = lambda liste, code: sum(v[code] for v in liste) / len(liste)  # noqa: E731
    assert 25 <= moyenne(cs, "gouv_benevoles_activite") <= 35
    assert 15 <= moyenne(cs, "gouv_habitants_instance") <= 19
    assert 28 <= moyenne(cs, "pers_effectif") <= 38 and 14 <= moyenne(cs, "pers_etp") <= 20
    assert moyenne(evs, "pers_effectif") < 5 and moyenne(evs, "gouv_benevoles_activite") < 20


def test_workflow_journalise(campagne):
    renvoyee = campagne.reponses.get(statut=Statut.A_CORRIGER)
    assert renvoyee.structure.nom == "Centre social des Tilleuls (fictif)"
    transitions = list(renvoyee.transitions.order_by("pk"))
    assert [(t.de, t.vers) for t in transitions] == [
        (Statut.BROUILLON, Statut.SOUMISE),
        (Statut.SOUMISE, Statut.A_CORRIGER),
    ]
    assert transitions[0].par.email == "structure@demo.maillage.fr"
    assert transitions[1].par.email == "pilote@demo.maillage.fr" and transitions[1].motif
    assert Commentaire.objects.filter(reponse=renvoyee, question="gouv_benevoles_activite").exists()
    for reponse in campagne.reponses.filter(statut=Statut.VALIDEE):
        assert reponse.verrouillee
        assert list(reponse.transitions.values_list("vers", flat=True)) == [Statut.SOUMISE, Statut.VALIDEE]
    assert not Transition.objects.filter(reponse__statut=Statut.BROUILLON).exists()


def test_toutes_les_pages_de_relecture_s_ouvrent(campagne, client):
    """Most demo answers were submitted by a structure without account (no author): their review page, which
    shows the history of statuses, used to answer 500."""
    assert Transition.objects.filter(reponse__campagne=campagne, par__isnull=True).exists()
    client.force_login(Utilisateur.objects.get(email="pilote@demo.maillage.fr"))
    for pk in campagne.reponses.exclude(statut=Statut.BROUILLON).values_list("pk", flat=True):
        assert client.get(reverse("observatoire:relire", args=[pk])).status_code == 200, pk


def test_historique_date_comme_en_2016(campagne):
    """Submissions, reviews and publication happen during the 2016 campaign, not on the day the demo is loaded."""
    debut = datetime.datetime.combine(campagne.ouverture, datetime.time(), tzinfo=datetime.UTC)
    fin = datetime.datetime.combine(campagne.date_limite_relecture, datetime.time(23, 59), tzinfo=datetime.UTC)
    dates = list(Transition.objects.filter(reponse__campagne=campagne).values_list("le", flat=True))
    dates += list(Commentaire.objects.filter(reponse__campagne=campagne).values_list("le", flat=True))
    dates += [r.soumise_le for r in campagne.reponses.exclude(statut=Statut.BROUILLON)]
    dates += [r.validee_le for r in campagne.reponses.filter(statut=Statut.VALIDEE)]
    assert dates and all(debut <= d <= fin for d in dates)
    assert campagne.date_limite_relecture < campagne.publiee_le.date() < datetime.date(2016, 9, 29)


def test_fiches_experience(campagne):
    assert FicheExperience.objects.filter(statut=FicheExperience.Statut.PUBLIEE_PUBLIC).count() == 1
    assert all(f.titre.endswith("(fictif)") for f in FicheExperience.objects.all())


def test_idempotent_et_rapide(campagne):
    avant = (
        list(Reponse.objects.order_by("pk").values_list("pk", "statut", "valeurs", "version")),
        Transition.objects.count(),
        FicheExperience.objects.count(),
    )
    debut = time.perf_counter()
    sortie = StringIO()
    resume = demo.charger(annoncer=sortie.write)
    assert time.perf_counter() - debut < 5
    assert resume["ignore"] and resume["attendues"] == 47
    apres = (
        list(Reponse.objects.order_by("pk").values_list("pk", "statut", "valeurs", "version")),
        Transition.objects.count(),
        FicheExperience.objects.count(),
    )
    assert apres == avant
    assert Campagne.objects.count() == 1


def test_creation_rapide_et_deterministe(campagne):
    # Rolled back at the end of the test (the module's data is loaded outside the test transaction).
    avant = dict(campagne.reponses.values_list("structure__nom", "valeurs"))
    Transition.objects.all().delete()
    Commentaire.objects.all().delete()
    FicheExperience.objects.all().delete()
    Reponse.objects.all().delete()
    Campagne.objects.all().delete()
    debut = time.perf_counter()
    resume = demo.charger(annoncer=StringIO().write)
    assert time.perf_counter() - debut < 5
    assert resume == {"attendues": 47, "recues": 44, "validees": 40, "fiches": 3}
    nouvelle = Campagne.objects.get(departement_id="94", annee=2016)
    assert dict(nouvelle.reponses.values_list("structure__nom", "valeurs")) == avant
