"""The dashboard by territory: a périmètre filter that restricts every figure, and the "par territoire" table of a
cut (the three EPT of the 94 by default), with the same figures in the indicator API."""

import datetime
import html
from decimal import Decimal

import pytest
from django.urls import reverse

from maillage.financements import selectors
from maillage.territoires import perimetres
from maillage.territoires.models import Appartenance, Regroupement
from tests.financements.conftest import budget_realise, produit
from tests.structures.factories import AgrementFactory, StructureFactory
from tests.territoires.factories import CommuneFactory

pytestmark = pytest.mark.django_db
DEBUT_EPT = datetime.date(2016, 1, 1)
URL = reverse("financements:tableau_de_bord", kwargs={"code": "94", "annee": 2016})
API = "/api/v1/indicateurs/departements/94"


def texte(reponse) -> str:
    assert reponse.status_code == 200
    return html.unescape(reponse.content.decode()).replace("\xa0", " ").replace("\u202f", " ")


def regroupement(type_, code, nom, communes, *, departement=None, debut=DEBUT_EPT):
    r = Regroupement.objects.create(type=type_, code=code, nom=nom, departement=departement, debut=debut)
    for commune in communes:
        Appartenance.objects.create(regroupement=r, commune=commune, debut=debut)
    return r


@pytest.fixture
def ept(jeu):
    """The 94's three EPT as the referential loads them (only the communes of the data set), and the 2016 figures of
    the data set: its 2015 budgets copied to 2016, plus one centre social in Vincennes (Paris-Est-Marne et Bois).

    2016: Grand Paris Sud Est Avenir (Créteil) 1 CS + 1 EVS, budgets 540 000, Caf 80 000, others 205 000;
    Grand-Orly Seine Bièvre (Vitry, Ivry) 2 CS (Gamma active from 2016, no budget), 300 000, Caf 55 000, others
    150 000; Paris-Est-Marne et Bois (Vincennes) 1 CS, 200 000, Caf 30 000, others 70 000 (a single budget)."""
    creteil, vitry, ivry = jeu.territoire.communes
    vincennes = CommuneFactory(code="94080", nom="Vincennes", departement=jeu.territoire.departement)
    regroupement("ept", "200058006", "Grand Paris Sud Est Avenir", [creteil])
    regroupement("ept", "200058014", "Grand-Orly Seine Bièvre", [vitry, ivry])
    regroupement("ept", "200057941", "Paris-Est-Marne et Bois", [vincennes])
    for structure, total, produits in [
        (
            jeu.cs1,
            500_000,
            [("caf_ps", 50_000, "agc"), ("caf_fonds_locaux", 10_000, None), ("communes", 200_000, None)],
        ),
        (jeu.cs2, 300_000, [("caf_ps", 40_000, "agc"), ("caf_ps", 15_000, "acf"), ("communes", 150_000, None)]),
        (jeu.evs1, 40_000, [("caf_ps", 20_000, "animation_locale"), ("usagers", 5_000, None)]),
    ]:
        b = budget_realise(structure, total, annee=2016)
        for financeur, montant, type_ps in produits:
            produit(b, financeur, montant, type_ps)
    zeta = StructureFactory(nom="Centre social Zêta", commune=vincennes)
    AgrementFactory(structure=zeta)
    b = budget_realise(zeta, 200_000, annee=2016)
    produit(b, "caf_ps", 30_000, "agc")
    produit(b, "communes", 70_000)
    return jeu


def lignes(tableau):
    return [
        (p.nom, v["centres_sociaux"], v["evs"], v["budget"], v["financement_caf"], v["autres_financeurs"])
        for p, v in tableau.lignes
    ]


def test_par_ept_une_ligne_par_ept_et_un_total_egal_a_la_consolidation(ept, django_assert_max_num_queries):
    decoupage = perimetres.decoupage("ept")
    with django_assert_max_num_queries(4):  # three grouped figures, the communes' EPT
        tableau = selectors.par_territoire(2016, departement="94", decoupage=decoupage)
    assert lignes(tableau) == [
        ("Grand Paris Sud Est Avenir", 1, 1, 540_000, 80_000, 205_000),
        ("Grand-Orly Seine Bièvre", 2, 0, 300_000, 55_000, 150_000),
        ("Paris-Est-Marne et Bois", 1, 0, 200_000, 30_000, 70_000),
    ]
    assert tableau.hors == {}
    c = selectors.consolidation(annee=2016, departement="94")
    assert tableau.total["budget"] == c.budget_total == Decimal(1_040_000)
    assert tableau.total["financement_caf"] == c.financement_caf
    assert tableau.total["centres_sociaux"] + tableau.total["evs"] == c.total_structures == 5


def test_les_communes_hors_de_tout_perimetre_font_une_ligne(ept):
    creteil = ept.territoire.communes[0]
    regroupement("territoire_caf", "94-est", "Territoire Est", [creteil], departement=ept.territoire.departement)
    tableau = selectors.par_territoire(2016, departement="94", decoupage=perimetres.decoupage("territoire_caf"))
    assert lignes(tableau) == [("Territoire Est", 1, 1, 540_000, 80_000, 205_000)]
    assert tableau.hors["centres_sociaux"] == 3 and tableau.hors["budget"] == 500_000


def test_le_filtre_par_perimetre_restreint_toute_la_consolidation(ept, django_assert_max_num_queries):
    with django_assert_max_num_queries(3):
        c = selectors.consolidation(annee=2016, departement="94", communes={"94081", "94041"})
    assert (c.centres_sociaux, c.evs, c.budget_total, c.financement_caf) == (2, 0, 300_000, 55_000)
    assert c.produits_par_financeur == {"caf_ps": 55_000, "communes": 150_000}
    assert selectors.consolidation(annee=2016, departement="94", communes=set()).total_structures == 0


def test_le_tableau_de_bord_montre_les_trois_ept_par_defaut(client, ept, pilote):
    client.force_login(pilote)
    page = texte(client.get(URL))
    assert 'id="tableau-territoires"' in page
    for valeur, nom in [
        ("200058006", "Grand Paris Sud Est Avenir"),
        ("200058014", "Grand-Orly Seine Bièvre"),
        ("200057941", "Paris-Est-Marne et Bois"),
    ]:
        # Each row links to the dashboard filtered on it.
        assert f'href="?perimetre=ept%3A{valeur}&decoupage=ept">{nom}</a>' in page
    assert "Hors périmètre" not in page
    # Another cut of the département: the EPCI, one row.
    page = texte(client.get(URL, {"decoupage": "epci"}))
    assert "Métropole du Grand Paris" in page and "1 040 000 €" in page


def test_filtre_par_ept_partageable(client, ept, pilote, partenaire):
    for qui in (pilote, partenaire):
        client.force_login(qui)
        page = texte(client.get(URL, {"perimetre": "ept:200058014"}))
        assert "Grand-Orly Seine Bièvre ·" in page  # in the title
        assert "300 000 €" in page and "1 040 000 €" not in page
        # The per-structure table keeps only the périmètre's structures.
        assert "Centre social Bêta" in page and "Centre social Alpha" not in page
        assert '<option value="ept:200058014" selected>' in page
    # The year selector keeps the territory and the cut.
    reponse = client.get(
        reverse("financements:tableau_de_bord_departement", kwargs={"code": "94"}),
        {"annee": "2016", "perimetre": "ept:200058014", "decoupage": "ept"},
    )
    assert reponse.status_code == 302
    assert reponse.url == URL + "?perimetre=ept%3A200058014&decoupage=ept"


def test_public_montants_d_un_seul_budget_caches(client, ept, pilote):
    page = texte(client.get(URL))  # not logged in
    assert "Paris-Est-Marne et Bois" in page
    assert "non publié" in page and "200 000 €" not in page
    assert "Centre social Zêta" not in page  # never the per-structure table
    page = texte(client.get(URL, {"perimetre": "ept:200057941"}))
    assert "200 000 €" not in page and "30 000 €" not in page and "Secret" in page
    assert "1 acteur de l'animation de la vie sociale" in page and "budget cumulé de" not in page
    # Two budgets: published.
    page = texte(client.get(URL, {"perimetre": "ept:200058006"}))
    assert "540 000 €" in page
    client.force_login(pilote)
    page = texte(client.get(URL, {"perimetre": "ept:200057941"}))
    assert "200 000 €" in page and "Centre social Zêta" in page and "non publié" not in page


@pytest.mark.parametrize(
    ("parametres", "message"),
    [
        ({"perimetre": "ept:999999999"}, "Territoire « ept:999999999 » inconnu"),
        ({"perimetre": "<script>x</script>"}, "inconnu dans ce département"),
        ({"perimetre": "ept:" + "9" * 500}, "inconnu dans ce département"),
        ({"decoupage": "canton"}, "Découpage « canton » inconnu"),
    ],
)
def test_valeurs_invalides_ignorees_avec_un_message(client, ept, parametres, message):
    reponse = client.get(URL, parametres)
    page = texte(reponse)
    assert message in page
    assert "<script>x" not in reponse.content.decode()
    assert "1 040 000 €" in page  # the whole département, EPT rows by default
    assert "Grand Paris Sud Est Avenir" in page


def test_un_decoupage_absent_du_departement_le_dit(client, ept):
    page = texte(client.get(URL, {"decoupage": "ctg"}))
    assert "Le découpage « Périmètres de CTG » n'existe pas dans ce département" in page


def test_un_perimetre_d_un_autre_departement_est_ignore(client, ept, bobigny):
    regroupement("ept", "200057875", "Est Ensemble", [bobigny])
    page = texte(client.get(URL, {"perimetre": "ept:200057875"}))
    assert "inconnu dans ce département" in page and "Est Ensemble" not in page


def test_decoupage_chevauchant_signale(client, ept):
    creteil, vitry, _ = ept.territoire.communes
    dep = ept.territoire.departement
    regroupement("ctg", "94-ctg-a", "CTG A", [creteil, vitry], departement=dep)
    regroupement("ctg", "94-ctg-b", "CTG B", [creteil], departement=dep)
    page = texte(client.get(URL, {"decoupage": "ctg"}))
    assert "Périmètres chevauchants" in page and "CTG A" in page and "CTG B" in page


def test_une_commune_ajoutee_a_un_ept_se_voit_aussitot(client, ept):
    vincennes = ept.territoire.departement.communes.get(code="94080")
    avant = texte(client.get(URL, {"perimetre": "ept:200058006"}))
    assert "Centre social Zêta" not in avant and "540 000 €" in avant
    gpsea = Regroupement.objects.get(code="200058006")
    Appartenance.objects.create(regroupement=gpsea, commune=vincennes, debut=DEBUT_EPT)  # audited: new version
    apres = texte(client.get(URL, {"perimetre": "ept:200058006"}))
    assert "740 000 €" in apres


def test_cas_courant_filtre_trois_requetes(client, ept, django_assert_max_num_queries):
    client.get(URL, {"perimetre": "ept:200058006", "decoupage": "ept"})
    with django_assert_max_num_queries(3):  # the département, the périmètre, the data version
        assert "540 000 €" in texte(client.get(URL, {"perimetre": "ept:200058006", "decoupage": "ept"}))


def test_rendu_en_nombre_de_requetes_borne(client, ept, pilote, django_assert_max_num_queries):
    client.force_login(pilote)
    with django_assert_max_num_queries(22):
        texte(client.get(URL, {"perimetre": "ept:200058014"}))
    # More périmètres do not cost more queries.
    dep = ept.territoire.departement
    for n in range(10):
        regroupement("territoire_caf", f"94-t{n}", f"Territoire {n}", ept.territoire.communes[:1], departement=dep)
    with django_assert_max_num_queries(22):
        texte(client.get(URL, {"perimetre": "ept:200058014", "decoupage": "territoire_caf"}))


# --- The indicator API ------------------------------------------------------------------------------


def test_api_par_perimetre_et_par_ept(client, ept):
    donnees = client.get(API, {"annee": 2016, "perimetre": "ept:200058006"}).json()
    assert donnees["perimetre"] == {"valeur": "ept:200058006", "nom": "Grand Paris Sud Est Avenir", "decoupage": "ept"}
    assert donnees["structures"] == {"total": 2, "centres_sociaux": 1, "evs": 1}
    assert donnees["budget"] == {"total": 540_000.0, "centres_sociaux": 500_000.0, "evs": 40_000.0}
    donnees = client.get(API, {"annee": 2016, "decoupage": "ept"}).json()
    territoires = donnees["par_territoire"]["territoires"]
    assert [(t["perimetre"]["nom"], t["centres_sociaux"], t["budget"]) for t in territoires] == [
        ("Grand Paris Sud Est Avenir", 1, 540_000.0),
        ("Grand-Orly Seine Bièvre", 2, None),  # a single budget (Gamma has none): not public
        ("Paris-Est-Marne et Bois", 1, None),
    ]
    assert territoires[2]["financement_caf"] is None and territoires[2]["budgets_realises"] == 1
    assert donnees["budget"]["total"] == 1_040_000.0
    # A single budget in the périmètre: its money is left out.
    donnees = client.get(API, {"annee": 2016, "perimetre": "ept:200057941"}).json()
    assert donnees["budget"] is None and donnees["financement_caf"] is None
    assert donnees["structures"]["total"] == 1


@pytest.mark.parametrize(
    ("parametres", "raison"),
    [
        ({"perimetre": "ept:999999999"}, "Périmètre inconnu dans le département 94 au 01/01/2017"),
        ({"perimetre": "n'importe quoi"}, "Périmètre inconnu"),
        ({"decoupage": "canton"}, "Découpage inconnu dans le département 94 au 01/01/2017"),
        ({"decoupage": "ctg"}, "possibles : epci, ept"),
    ],
)
def test_api_perimetre_ou_decoupage_inconnu_422(client, ept, parametres, raison):
    reponse = client.get(API, {"annee": 2016, **parametres})
    assert reponse.status_code == 422
    assert raison in reponse.json()["detail"]


def test_api_avant_les_ept_ils_sont_inconnus(client, ept):
    # The 2015 figures are framed by the cuts of 1 January 2016 (the EPT are there); those of 2014 are not.
    assert client.get(API, {"annee": 2015, "perimetre": "ept:200058014"}).status_code == 200
    reponse = client.get(API, {"annee": 2014, "perimetre": "ept:200058014"})
    assert reponse.status_code == 422


def test_les_chiffres_2015_se_decoupent_par_les_ept_du_1er_janvier_2016(client, ept):
    """The EPT were created on 1 January 2016: the situation at 31/12/2015 is framed by them (INSEE's convention)."""
    assert selectors.date_decoupage(2015) == DEBUT_EPT
    tableau = selectors.par_territoire(2015, departement="94", decoupage=perimetres.decoupage("ept"))
    assert lignes(tableau) == [
        ("Grand Paris Sud Est Avenir", 1, 1, 540_000, 80_000, 205_000),
        ("Grand-Orly Seine Bièvre", 1, 0, 300_000, 55_000, 150_000),
        ("Paris-Est-Marne et Bois", 1, 0, 0, 0, 0),
    ]
    page = texte(client.get(reverse("financements:tableau_de_bord", kwargs={"code": "94", "annee": 2015})))
    assert "Établissements publics territoriaux (EPT) : structures actives au 31/12/2015" in page
    assert "territoires en vigueur au 01/01/2016" in page


def test_secret_des_lignes_d_une_seule_structure_et_secret_secondaire():
    # Two single-budget rows hide each other; a lone one drags the smallest other row with it (the public total
    # minus the rest would give it away); rows without any budget say nothing.
    assert selectors.lignes_secretes([2, 1, 1]) == [False, True, True]
    assert selectors.lignes_secretes([5, 1, 3, 0]) == [False, True, True, False]
    assert selectors.lignes_secretes([4, 0, 7]) == [False, False, False]
    assert selectors.lignes_secretes([1]) == [True]


def test_public_une_seule_ligne_secrete_en_cache_une_autre(client, ept, pilote):
    # Ivry's CS (Gamma) gets a 2016 budget: Grand-Orly Seine Bièvre now has two, Paris-Est-Marne et Bois stays alone.
    produit(budget_realise(ept.cs3, 100_000, annee=2016), "communes", 100_000)
    page = texte(client.get(URL))
    # Paris-Est-Marne et Bois, and the first other row with fewest budgets: Grand Paris Sud Est Avenir (two, by name).
    assert page.count("non publié</td>") == 2
    assert "540 000 €" not in page and "400 000 €" in page and "1 140 000 €" in page
    client.force_login(pilote)
    page = texte(client.get(URL))
    assert "non publié</td>" not in page and "540 000 €" in page and "200 000 €" in page
