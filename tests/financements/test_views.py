import html
import re
from decimal import Decimal

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from maillage.comptes.models import Role
from maillage.financements.models import BaremePS, Budget, LigneProduit
from tests.comptes.factories import UtilisateurFactory
from tests.conftest import enregistrer_deux_fois, message_conflit
from tests.financements.factories import BudgetFactory
from tests.structures.factories import AgrementFactory, StructureFactory

pytestmark = pytest.mark.django_db
NBSP, NNBSP = "\xa0", "\u202f"


def texte(reponse) -> str:
    return html.unescape(reponse.content.decode()).replace(NBSP, " ").replace(NNBSP, " ")


def tableau_de_bord(annee=2015, code="94"):
    return reverse("financements:tableau_de_bord", kwargs={"code": code, "annee": annee})


# --- Dashboard ---------------------------------------------------------------------------------


def test_tableau_de_bord_public(client, jeu, settings):
    settings.MAILLAGE_PLATEFORME = {**settings.MAILLAGE_PLATEFORME, "organisme": "Caf du Val-de-Marne"}
    reponse = client.get(tableau_de_bord())
    assert reponse.status_code == 200
    page = texte(reponse)
    assert (
        "Le département du Val-de-Marne comptait au 31 décembre 2015, 3 acteurs de l'animation de la vie sociale, "
        "dont 2 centres sociaux et 1 espace de vie sociale, pour un budget cumulé de 840 000 euros "
        "(dont 40 000 euros pour l'espace de vie sociale). La Caf du Val-de-Marne apporte un soutien financier "
        "à hauteur de 135 000 euros."
    ) in page
    assert "840 000 €" in page and "125 000 €" in page and "350 000 €" in page  # budget, PS, communes
    assert "50 %" in page  # associative CS
    assert page.count('<figure class="barres"') == 4 and page.count("<caption") >= 4
    assert "PS Animation globale et coordination (AGC)" in page
    # Public: aggregates only, never one structure's money.
    assert "Budgets par structure" not in page
    assert "Centre social Alpha" not in page


@pytest.mark.parametrize(
    "qui", ["anonyme", "structure", "conseiller", "pilote_93", "partenaire_93", "partenaire_sans_mandat"]
)
def test_tableau_par_structure_cache(client, jeu, qui, request):
    if qui != "anonyme":
        client.force_login(request.getfixturevalue({"structure": "compte_structure"}.get(qui, qui)))
    page = texte(client.get(tableau_de_bord()))
    assert "840 000 €" in page
    assert "Budgets par structure" not in page
    assert "Centre social Alpha" not in page


@pytest.mark.parametrize("qui", ["pilote", "partenaire"])
def test_tableau_par_structure_visible_dans_le_perimetre(client, jeu, qui, request):
    client.force_login(request.getfixturevalue(qui))
    page = texte(client.get(tableau_de_bord()))
    assert "Budgets par structure" in page
    ligne = re.search(r"Centre social Alpha</a></th>.*?</tr>", page, re.S).group(0)
    assert "500 000 €" in ligne and "50 000 €" in ligne and "10 000 €" in ligne
    assert "Centre social Gamma" not in page  # not active on 31/12/2015
    assert reverse("financements:budgets", args=[jeu.cs1.pk]) in page
    # In another département, the same person sees aggregates only.
    page_93 = texte(client.get(tableau_de_bord(code="93")))
    assert "Budgets par structure" not in page_93 and "Centre social Bobigny" not in page_93


def test_annee_par_defaut_et_selecteur(client, jeu):
    url = reverse("financements:tableau_de_bord_departement", kwargs={"code": "94"})
    assert client.get(url).url == tableau_de_bord(2015)
    assert client.get(url, {"annee": "2014"}).url == tableau_de_bord(2014)
    assert client.get(url, {"annee": "deux"}).status_code == 404
    assert client.get(tableau_de_bord(1800)).status_code == 404
    assert client.get(tableau_de_bord(code="99")).status_code == 404
    assert client.get(reverse("financements:tableau_de_bord_departement", kwargs={"code": "99"})).status_code == 404
    page = texte(client.get(tableau_de_bord(2014)))
    assert '<option value="2015">' in page and '<option value="2014" selected>' in page


def test_tableau_de_bord_requetes_constantes(client, jeu, pilote):
    client.force_login(pilote)
    creteil = jeu.territoire.communes[0]

    def compter():
        with CaptureQueriesContext(connection) as requetes:
            assert client.get(tableau_de_bord()).status_code == 200
        return len(requetes)

    peu = compter()
    for _ in range(6):
        s = StructureFactory(commune=creteil)
        AgrementFactory(structure=s)
        LigneProduit.objects.create(budget=BudgetFactory(structure=s), financeur="communes", montant=Decimal(1))
    assert compter() == peu


# --- Budgets of a structure ------------------------------------------------------------------------


def test_budgets_refus(client, jeu, pilote_93, compte_structure):
    url = reverse("financements:budgets", args=[jeu.cs2.pk])
    assert client.get(url).status_code == 302  # anonymous → login
    client.force_login(pilote_93)
    assert client.get(url).status_code == 403
    client.force_login(compte_structure)  # CS1's account, on CS2
    assert client.get(url).status_code == 403
    assert client.get(reverse("financements:budget", args=[jeu.cs2.pk, 2015, "realise"])).status_code == 403


def test_budgets_cote_a_cote(client, jeu, compte_structure):
    client.force_login(compte_structure)
    reponse = client.get(reverse("financements:budgets", args=[jeu.cs1.pk]))
    assert reponse.status_code == 200
    page = texte(reponse)
    ligne = re.search(r'<th scope="row">2015</th>.*?</tr>', page, re.S).group(0)
    assert "450 000 €" in ligne and "500 000 €" in ligne and "260 000 €" in ligne and "60 000 €" in ligne
    assert "Saisir" not in page  # a structure account reads its budgets, the Caf's pilot writes them


def test_budget_calcul_explique(client, jeu, partenaire):
    BaremePS.objects.filter(annee=2015, type_ps_id="agc").update(prix_plafond=Decimal(60_000), illustratif=True)
    client.force_login(partenaire)
    reponse = client.get(reverse("financements:budget", args=[jeu.cs2.pk, 2015, "realise"]))
    assert reponse.status_code == 200
    page = texte(reponse)
    assert "Dépenses éligibles (charges de pilotage et de logistique) : 100 000 €" in page
    assert "Prix plafond : 60 000 € — valeur illustrative" in page
    assert "× prorata de l'année couverte par l'agrément 50,41 %" in page
    assert "Prestation calculée : 24 000,00 €" in page  # min(100 000, 60 000) × 40 %
    assert "écart : 16 000,00 €" in page
    assert '<form method="post" class="formulaire"' not in page  # a partner reads, does not write
    assert client.post(reverse("financements:budget", args=[jeu.cs2.pk, 2015, "realise"]), {}).status_code == 403


def test_budgets_fermes_au_partenaire_sans_mandat(client, jeu, partenaire_sans_mandat):
    client.force_login(partenaire_sans_mandat)
    assert client.get(reverse("financements:budgets", args=[jeu.cs2.pk])).status_code == 403
    assert client.get(reverse("financements:budget", args=[jeu.cs2.pk, 2015, "realise"])).status_code == 403


def test_budget_saisie(client, jeu, pilote):
    client.force_login(pilote)
    url = reverse("financements:budget", args=[jeu.cs2.pk, 2016, "previsionnel"])
    page = texte(client.get(url))
    assert 'name="ps_agc"' in page and 'name="ps_acf"' in page and 'name="ps_animation_locale"' not in page
    reponse = client.post(
        url,
        {
            "charges_totales": "310 000",
            "charges_pilotage": "80000",
            "charges_logistique": "20000",
            "charges_referent_familles": "40000",
            "ps_agc": "40000",
            "produit_communes": "150000,50",
            "version": "0",
        },
    )
    assert reponse.status_code == 302
    budget = Budget.objects.get(structure=jeu.cs2, annee=2016, nature="previsionnel")
    assert budget.charges_totales == Decimal(310_000)
    assert {(p.financeur, p.montant) for p in budget.produits.all()} == {
        ("caf_ps", Decimal(40_000)),
        ("communes", Decimal("150000.50")),
    }


def test_budget_saisie_invalide(client, jeu, pilote):
    client.force_login(pilote)
    url = reverse("financements:budget", args=[jeu.cs1.pk, 2016, "realise"])
    reponse = client.post(
        url,
        {
            "charges_totales": "1000",
            "charges_pilotage": "5000",
            "ps_acf": "10",
            "produit_usagers": "-3",
            "version": "0",
        },
    )
    assert reponse.status_code == 200
    page = texte(reponse)
    assert "ne peuvent pas dépasser le total des charges" in page
    assert "ne peut pas être négatif" in page
    assert 'aria-describedby="id_produit_usagers_error"' in page
    # The summary on top lists every error, each linked to its field.
    assert '<a href="#id_produit_usagers">' in reponse.content.decode()
    assert '<a href="#id_charges_totales">' in reponse.content.decode()
    assert not Budget.objects.filter(annee=2016).exists()


def test_budget_adresses_invalides(client, jeu, pilote):
    client.force_login(pilote)
    assert client.get(reverse("financements:budget", args=[jeu.cs1.pk, 2015, "reve"])).status_code == 404
    assert client.get(reverse("financements:budget", args=[jeu.cs1.pk, 1900, "realise"])).status_code == 404
    assert client.get(reverse("financements:budgets", args=[999999])).status_code == 404


# --- Barème -------------------------------------------------------------------------------------


def test_bareme(client, types_ps, territoire_94):
    url = reverse("financements:bareme")
    assert client.get(url).status_code == 302
    client.force_login(UtilisateurFactory(role=Role.STRUCTURE, departements=[territoire_94.departement]))
    assert client.get(url).status_code == 403
    BaremePS.objects.filter(annee=2023, type_ps_id="agc").update(prix_plafond=Decimal(75_000), illustratif=True)
    client.force_login(UtilisateurFactory(role=Role.PILOTE, departements=[territoire_94.departement]))
    page = texte(client.get(url))
    bloc = re.search(r"<caption[^>]*>Barème 2023</caption>.*?</table>", page, re.S).group(0)
    assert "42,4 %" in bloc and "75 000 €" in bloc and "valeur illustrative" in bloc
    assert "63,6 %" in bloc
    assert "40,0 %" in re.search(r"<caption[^>]*>Barème 2022</caption>.*?</table>", page, re.S).group(0)


def test_admin_bareme(admin_client, types_ps):
    reponse = admin_client.get(reverse("admin:financements_baremeps_changelist"), {"annee": 2023})
    assert reponse.status_code == 200
    assert "valeur illustrative" in reponse.content.decode().lower()


def test_donnees_partielles_signalees(client, jeu):
    assert "Données partielles" not in texte(client.get(tableau_de_bord()))
    AgrementFactory(structure=StructureFactory(commune=jeu.territoire.communes[0]))
    page = texte(client.get(tableau_de_bord()))
    assert "Données partielles" in page
    assert "Budgets réalisés 2015 enregistrés : 3 sur 4 structures actives." in page


# --- No lost update -------------------------------------------------------------------------------


def test_budget_deux_saisies_du_meme_budget_nouveau(jeu, pilote):
    """Both opened the empty budget: the first creates it, the second would replace it silently: refused."""
    url = reverse("financements:budget", args=[jeu.cs2.pk, 2016, "previsionnel"])
    reponse = enregistrer_deux_fois(
        url,
        (pilote, {"charges_totales": "300000", "produit_communes": "1000"}),
        (pilote, {"charges_totales": "250000"}),
    )
    assert "Total des charges : « (vide) » → « 300000,00 »" in message_conflit(reponse)
    budget = Budget.objects.get(structure=jeu.cs2, annee=2016, nature="previsionnel")
    assert budget.charges_totales == Decimal(300_000) and budget.produits.count() == 1


def test_budget_modifie_entre_deux(jeu, pilote):
    url = reverse("financements:budget", args=[jeu.cs2.pk, 2016, "previsionnel"])
    enregistrer = {"charges_totales": "300000", "version": "0"}
    client = Client()
    client.force_login(pilote)
    assert client.post(url, enregistrer).status_code == 302
    reponse = enregistrer_deux_fois(
        url,
        (pilote, {"charges_totales": "310000", "produit_communes": "5"}),
        (pilote, {"charges_totales": "300000", "commentaire": "Vu"}),
    )
    assert "« 300000,00 » → « 310000,00 »" in message_conflit(reponse)
    budget = Budget.objects.get(structure=jeu.cs2, annee=2016, nature="previsionnel")
    assert (budget.charges_totales, budget.commentaire, budget.version) == (Decimal(310_000), "", 2)
    # A fresh save works and raises the version; a change of a produit alone raises it too.
    assert client.post(url, {"charges_totales": "310000", "produit_communes": "6", "version": "2"}).status_code == 302
    budget.refresh_from_db()
    assert budget.version == 3 and budget.produits.get().montant == Decimal(6)
