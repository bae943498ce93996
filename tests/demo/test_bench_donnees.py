"""bench/observatoire.py: the campaigns and answers generated for the benchmarks pass the rules engine.

A small national set (`jeu_national.generer` on the Val-de-Marne fixture), then two campaigns: 2016 (data 2015, the
last generated budgets: the finances are the budgets réalisés) and 2017, the current one (extrapolated budgets)."""

import datetime
import importlib.util
from pathlib import Path
from urllib.parse import urlencode

import pytest

from maillage.comptes.models import Role, Utilisateur
from maillage.demo import jeu_national
from maillage.financements.models import Budget
from maillage.observatoire import selectors
from maillage.observatoire.models import Campagne, Reponse, Statut, Transition
from maillage.observatoire.resultats import selectors as selectors_resultats
from maillage.structures.selectors import structures_actives

pytestmark = pytest.mark.django_db
CHEMIN = Path(__file__).resolve().parents[2] / "bench" / "observatoire.py"
ANNEES = (2016, 2017)


def _bench():
    spec = importlib.util.spec_from_file_location("bench_observatoire", CHEMIN)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


@pytest.fixture
def bench():
    return _bench()


@pytest.fixture
def jeu(territoire_94, types_ps, bench):
    jeu_national.generer(echelle=0.02, departements=["94"], annoncer=lambda *a: None)
    return bench.generer_reponses(annees=ANNEES, controle=1, annoncer=lambda *a: None)


def test_une_reponse_par_structure_active_et_campagne_courante_ouverte(jeu):
    for annee in ANNEES:
        campagne = Campagne.objects.get(departement_id="94", annee=annee)
        actives = structures_actives(datetime.date(annee - 1, 12, 31), departement="94")
        attendues = set(actives.values_list("pk", flat=True))
        assert set(campagne.reponses.values_list("structure_id", flat=True)) == attendues
    close, courante = (Campagne.objects.get(annee=a) for a in ANNEES)
    assert close.publiee and close.bloc_thematique.code == "senacs-theme-2016" and not courante.publiee
    assert courante.date_limite_relecture > datetime.date.today()  # the autosave is still allowed
    assert (
        jeu["reponses"] == Reponse.objects.count()
        and jeu["controlees"] == Reponse.objects.exclude(statut=Statut.BROUILLON).count()
    )


def test_reponses_envoyees_sans_erreur_bloquante(jeu):
    """Checked again here with the contexts and last year's answers read from the database, one by one."""
    envoyees = Reponse.objects.exclude(statut=Statut.BROUILLON).select_related(
        "structure", "campagne__questionnaire", "campagne__bloc_thematique"
    )
    assert envoyees.count() > 50
    for reponse in envoyees:
        resultat = selectors.controle(reponse)
        definition = selectors.definition_campagne(reponse.campagne)
        assert not resultat.bloquant, (reponse.structure.nom, resultat.messages_bloquants(definition))
        assert reponse.soumise_le is not None
    for reponse in envoyees.filter(statut=Statut.VALIDEE):
        assert reponse.verrouillee and list(
            Transition.objects.filter(reponse=reponse).values_list("de", "vers").order_by("pk")
        ) == [(Statut.BROUILLON, Statut.SOUMISE), (Statut.SOUMISE, Statut.VALIDEE)]


def test_finances_egales_aux_budgets_puis_extrapolees(jeu, bench):
    for reponse in Reponse.objects.filter(campagne__annee=2016).exclude(statut=Statut.BROUILLON):
        budget = Budget.objects.get(structure=reponse.structure, annee=2015, nature=Budget.Nature.REALISE)
        assert reponse.valeurs["fin_charges_totales"] == budget.charges_totales
        assert reponse.valeurs["fin_resultat"] == reponse.valeurs["fin_produits_totaux"] - budget.charges_totales
    sources = {"structure.multi_sites": False, "budget.charges_totales": 1000, "budget.produit.communes": 700}
    sources |= {"budget.produit.caf_ps.agc": 400, "budget.produits_totaux": 1100, "budget.resultat": 100}
    extrapolees = bench.sources_extrapolees(sources, 1.1)
    assert extrapolees["budget.produits_totaux"] == 770 + 440 and extrapolees["budget.resultat"] == 1210 - 1100
    assert extrapolees["structure.multi_sites"] is False


def test_sources_en_masse_egales_au_prefill_d_une_structure(jeu, bench):
    structures = list(jeu_national.generes().select_related("gestionnaire"))
    en_masse = bench.sources_prefill_en_masse(structures, 2015)
    for structure in structures:
        assert en_masse[structure.pk] == selectors.sources_prefill(structure, 2015)


def test_relance_idempotente_et_synthese(bench, jeu):
    nombre = Reponse.objects.count()
    resume = bench.generer_reponses(annees=ANNEES, controle=5, annoncer=lambda *a: None)
    assert resume["supprimees"] == nombre == Reponse.objects.count()
    assert Campagne.objects.count() == len(ANNEES)
    campagne = Campagne.objects.get(annee=2016)
    synthese = selectors_resultats.synthese(campagne)
    assert synthese["ensemble"].structures == campagne.reponses.filter(statut=Statut.VALIDEE).count() > 0


def test_compte_de_saisie_et_enregistrement_automatique(jeu, bench, client):
    """What the bench posts (the form's fields as htmx sends them) is saved for the structure's draft."""
    cible = bench.preparer_saisie(annee=2016, annee_courante=2017)
    utilisateur = Utilisateur.objects.get(email=bench.EMAIL_SAISIE)
    reponse = Reponse.objects.get(pk=cible["reponse"])
    assert utilisateur.role == Role.STRUCTURE and utilisateur.structure_id == reponse.structure_id
    assert reponse.statut == Statut.BROUILLON and reponse.campagne.annee == 2017
    client.cookies[cible["cookie_session"]] = cible["session"]
    url = bench.urls(cible)["section"]
    champs = bench.champs_formulaire(client.get(url).content.decode())
    assert "csrfmiddlewaretoken" in dict(champs) and ("codes", "fin_charges_totales") in champs
    corps = urlencode(bench.corps_saisie(champs, reponse.version, 1234))
    page = client.post(url, corps, content_type="application/x-www-form-urlencoded", headers={"HX-Request": "true"})
    assert "Enregistré à" in page.content.decode()
    reponse.refresh_from_db()
    assert reponse.valeurs["fin_benevolat_valorise"] == 1234
    assert bench.version_de(page.content.decode()) == reponse.version


def test_le_jeu_national_se_regenere_par_dessus_les_reponses(jeu):
    """`generer_jeu_national` replaces its structures: their answers must go first (they protect them)."""
    assert Reponse.objects.exists()
    jeu_national.supprimer()
    assert not Reponse.objects.exists() and not jeu_national.generes().exists()
    jeu_national.generer(echelle=0.02, departements=["94"], annoncer=lambda *a: None)
    assert jeu_national.generes().exists()
