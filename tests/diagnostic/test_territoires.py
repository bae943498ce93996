"""The diagnostic filtered and aggregated by périmètre (EPCI, EPT, a Caf's groupings): page, comparison, export,
API, and the caches keyed by the périmètre's communes."""

import datetime
import html
import io

import pytest
from django.urls import reverse
from openpyxl import load_workbook

from maillage.comptes.models import Role
from maillage.diagnostic import agregats, moteur, selectors
from maillage.territoires import perimetres
from maillage.territoires.models import Appartenance, Regroupement
from tests.comptes.factories import UtilisateurFactory
from tests.structures.factories import AgrementFactory, StructureFactory

pytestmark = pytest.mark.django_db

JOUR = "2016-10-15"
DATE = datetime.date(2016, 10, 15)
URL = "/diagnostic/departements/94/"
API = "/api/v1/diagnostic/departements/94"
DEBUT_EPT = datetime.date(2016, 1, 1)


def _texte(reponse) -> str:
    return html.unescape(reponse.content.decode()).replace("\u202f", " ").replace("\xa0", " ")


def _regroupement(type_, code, nom, communes, *, departement=None, debut=DEBUT_EPT):
    regroupement = Regroupement.objects.create(type=type_, code=code, nom=nom, departement=departement, debut=debut)
    for commune in communes:
        Appartenance.objects.create(regroupement=regroupement, commune=commune, debut=debut)
    return regroupement


@pytest.fixture
def ept(territoire_94):
    """Créteil and Ivry in one EPT, Vitry in none (a commune outside every EPT: the "hors périmètre" row); a centre
    social in Créteil active 2014-2017 serving Créteil's two QPV; Vitry's QPV without a structure."""
    creteil, vitry, ivry = territoire_94.communes
    cs = StructureFactory(nom="Centre social des Bleuets (fictif)", commune=creteil, longitude=2.46, latitude=48.80)
    AgrementFactory(structure=cs, debut=datetime.date(2014, 1, 1), fin=datetime.date(2017, 12, 31))
    grand_paris_sud_est = _regroupement(
        Regroupement.Type.EPT, "200058006", "Grand Paris Sud Est Avenir", [creteil, ivry]
    )
    return territoire_94, grand_paris_sud_est, cs


# --- Page --------------------------------------------------------------------------------------------------------


def test_filtre_par_ept_et_message_pour_un_perimetre_inconnu(client, ept):
    reponse = client.get(URL, {"date": JOUR, "perimetre": "ept:200058006"})
    assert reponse.status_code == 200
    assert reponse.context["perimetre"].nom == "Grand Paris Sud Est Avenir"
    assert [ligne["c"].code for ligne in reponse.context["lignes"]] == ["94028", "94041"]
    assert reponse.context["synthese"].population == 90_605 + 62_052
    texte = _texte(reponse)
    assert '<option value="ept:200058006" selected>Grand Paris Sud Est Avenir</option>' in texte
    assert "Diagnostic des 2 communes au 15/10/2016 (Grand Paris Sud Est Avenir)" in texte
    # Unknown, or not in force at the date (the EPT began on 1 January 2016): ignored, said so.
    for valeur, jour in [("ept:999999999", JOUR), ("ept:200058006", "2015-12-31"), ("n'importe quoi", JOUR)]:
        reponse = client.get(URL, {"date": jour, "perimetre": valeur})
        assert reponse.status_code == 200
        assert reponse.context["perimetre"] is None
        assert len(reponse.context["lignes"]) == 3
        assert "n'existe pas dans le département" in _texte(reponse)


def test_tableau_par_territoire_par_ept_par_defaut_avec_hors_perimetre(client, ept):
    reponse = client.get(URL, {"date": JOUR})
    agregat = reponse.context["par_territoire"]
    assert agregat.decoupage.cle == "ept"
    [ligne] = agregat.lignes
    assert (ligne.nom, ligne.code, ligne.communes, ligne.population) == (
        "Grand Paris Sud Est Avenir",
        "200058006",
        2,
        152_657,
    )
    assert ligne.population_couverte == 90_605 and ligne.part_population_couverte == round(90_605 / 152_657, 4)
    assert (ligne.structures, ligne.communes_sans_structure) == (1, 1)
    assert (ligne.qpv, ligne.qpv_sans_structure) == (2, 0)
    hors = agregat.hors_perimetre
    assert (hors.communes, hors.population, hors.structures, hors.qpv, hors.qpv_sans_structure) == (1, 93_557, 0, 1, 1)
    texte = _texte(reponse)
    assert "Diagnostic au 15/10/2016 par EPT (1 territoire et les communes hors périmètre)" in texte
    assert 'id="tableau-par-territoire"' in texte and "Hors périmètre" in texte
    assert 'id="note-chevauchant"' not in texte
    # Another cut: the EPCI, one row holding the whole département.
    agregat = client.get(URL, {"date": JOUR, "decoupage": "epci"}).context["par_territoire"]
    assert [(ligne.nom, ligne.communes) for ligne in agregat.lignes] == [("Métropole du Grand Paris", 3)]
    assert agregat.hors_perimetre is None
    # The chosen cut is kept by the filter form and the export links.
    texte = _texte(client.get(URL, {"date": JOUR, "decoupage": "epci"}))
    assert '<input type="hidden" name="decoupage" value="epci">' in texte
    assert "export/?date=2016-10-15&decoupage=epci&format=xlsx" in texte
    # An unknown cut: the default one, said so.
    reponse = client.get(URL, {"date": JOUR, "decoupage": "canton"})
    assert reponse.context["par_territoire"].decoupage.cle == "ept"
    assert "Ce découpage n'existe pas dans le département à cette date" in _texte(reponse)
    # Before the EPT: the EPCI by default.
    assert client.get(URL, {"date": "2015-12-31"}).context["par_territoire"].decoupage.cle == "epci"


def test_tableau_par_territoire_d_un_decoupage_chevauchant(client, ept):
    creteil, vitry, ivry = ept[0].communes
    departement = ept[0].departement
    _regroupement(Regroupement.Type.CTG, "94-ctg-a", "CTG A", [creteil, vitry], departement=departement)
    _regroupement(Regroupement.Type.CTG, "94-ctg-b", "CTG B", [creteil, ivry], departement=departement)
    reponse = client.get(URL, {"date": JOUR, "decoupage": "ctg"})
    agregat = reponse.context["par_territoire"]
    assert [(ligne.nom, ligne.communes) for ligne in agregat.lignes] == [("CTG A", 2), ("CTG B", 2)]
    assert agregat.hors_perimetre is None
    assert 'id="note-chevauchant"' in _texte(reponse)


def test_agregat_filtre_garde_le_departement_entier(client, ept):
    """With a périmètre chosen, the table still covers the whole département (the chosen row marked)."""
    reponse = client.get(URL, {"date": JOUR, "perimetre": "ept:200058006"})
    agregat = reponse.context["par_territoire"]
    assert agregat.hors_perimetre.communes == 1
    assert 'class="ligne--courante"' in _texte(reponse)


def test_agreger_pur_qpv_a_cheval_et_communes_hors_departement():
    """A QPV on two périmètres counts in each; its communes outside the département are ignored."""
    decoupage = perimetres.decoupage("ept")
    a, b = (perimetres.Perimetre(f"ept:{n}", nom, "ept") for n, nom in [("1", "A"), ("2", "B")])

    def commune(code, population, couverte, structures):
        return moteur.ResultatCommune(
            code=code,
            nom=code,
            population=population,
            epci=None,
            structures=structures,
            structures_situees=structures,
            structures_pour_10000_habitants=None,
            distance_structure_km=None,
            couverte=couverte,
            qpv=0,
            qpv_sans_structure=0,
            score_priorite=0.0,
            score_detail={},
        )

    def qpv(code, communes, servi):
        return moteur.ResultatQPV(code=code, nom=code, communes=communes, servi=servi, regle="communes", structures=())

    resultat = moteur.Resultat(
        synthese=None,
        communes=[commune("1", 100, True, 1), commune("2", 50, False, 0), commune("3", 10, False, 0)],
        qpv=[qpv("Q1", ("1", "2"), False), qpv("Q2", ("2", "77001"), True), qpv("Q3", ("3",), False)],
        parametres=moteur.Parametres(),
    )
    agregat = agregats.agreger(resultat, {"1": [a], "2": [b]}, decoupage, [a, b])
    assert [(x.nom, x.population, x.population_couverte, x.qpv, x.qpv_sans_structure) for x in agregat.lignes] == [
        ("A", 100, 100, 1, 1),
        ("B", 50, 0, 2, 1),
    ]
    assert agregat.lignes[1].part_population_couverte == 0.0
    assert (agregat.hors_perimetre.communes, agregat.hors_perimetre.qpv) == (1, 1)


# --- Cache ---------------------------------------------------------------------------------------------------------


def test_modifier_un_regroupement_change_le_diagnostic_filtre(ept):
    """The key holds the périmètre's communes: a pilote adding a commune to a grouping is seen at once."""
    territoire_94, regroupement, _ = ept
    perimetre = perimetres.perimetre_lu("94", "ept:200058006", date=DATE)
    assert len(selectors.diagnostic_departement("94", DATE, perimetre=perimetre).communes) == 2
    Appartenance.objects.create(regroupement=regroupement, commune=territoire_94.communes[1], debut=DEBUT_EPT)
    resultat = selectors.diagnostic_departement("94", DATE, perimetre=perimetre)
    assert sorted(c.code for c in resultat.communes) == ["94028", "94041", "94081"]
    # The département's own diagnostic and the filtered one do not share keys.
    cle_departement = selectors._cle_preparation(selectors.Territoire(departement="94"), DATE)
    cle_perimetre = selectors._cle_preparation(selectors.territoire_du_perimetre("94", perimetre, DATE), DATE)
    assert cle_departement != cle_perimetre and "ept:200058006" in cle_perimetre


def test_les_communes_du_perimetre_ont_les_memes_chiffres_que_dans_le_departement(ept):
    perimetre = perimetres.perimetre_lu("94", "ept:200058006", date=DATE)
    filtre = {c.code: c for c in selectors.diagnostic_departement("94", DATE, perimetre=perimetre).communes}
    entier = {c.code: c for c in selectors.diagnostic_departement("94", DATE).communes}
    for code, commune in filtre.items():
        assert (commune.couverte, commune.structures, commune.distance_structure_km) == (
            entier[code].couverte,
            entier[code].structures,
            entier[code].distance_structure_km,
        )


# --- Comparison and exports -----------------------------------------------------------------------------------------


def test_comparer_par_perimetre(client, ept):
    url = reverse("diagnostic:comparer", args=["94"])
    reponse = client.get(url, {"date_a": "2013-06-30", "date_b": JOUR, "perimetre": "ept:200058006"})
    assert reponse.status_code == 200
    comparaison = reponse.context["comparaison"]
    # The EPT's communes at the second date, at both dates (it did not exist in 2013).
    assert len(comparaison.a.communes) == len(comparaison.b.communes) == 2
    assert comparaison.b.synthese.structures == 1 and comparaison.a.synthese.structures == 0
    assert "Les communes de « Grand Paris Sud Est Avenir » au 15/10/2016" in _texte(reponse)
    reponse = client.get(url, {"date_a": "2013-06-30", "date_b": JOUR, "epci": "200054781"})
    assert reponse.context["perimetre"].valeur == "epci:200054781"
    reponse = client.get(url, {"date_a": "2013-06-30", "date_b": JOUR, "perimetre": "ept:1"})
    assert reponse.context["perimetre"] is None and "le filtre est ignoré" in _texte(reponse)


def test_export_par_perimetre_nom_de_fichier_et_feuille_par_territoire(client, ept):
    url = reverse("diagnostic:export", args=["94"])
    reponse = client.get(url, {"date": JOUR, "format": "csv", "perimetre": "ept:200058006"})
    assert 'filename="diagnostic-94-2016-10-15-ept-200058006.csv"' in reponse["Content-Disposition"]
    assert len(reponse.content.decode("utf-8-sig").strip().splitlines()) == 1 + 2
    reponse = client.get(url, {"date": JOUR, "format": "csv", "epci": "200054781"})
    assert 'filename="diagnostic-94-2016-10-15-epci-200054781.csv"' in reponse["Content-Disposition"]
    assert client.get(url, {"date": JOUR, "format": "csv", "perimetre": "ept:1"}).status_code == 400
    classeur = load_workbook(io.BytesIO(client.get(url, {"date": JOUR, "format": "xlsx"}).content))
    lignes = list(classeur["Par EPT"].values)
    assert lignes[0][:3] == ("EPT", "Code", "Communes")
    assert [ligne[:3] for ligne in lignes[1:]] == [
        ("Grand Paris Sud Est Avenir", "200058006", 2),
        ("Hors périmètre", None, 1),
    ]
    synthese = {ligne[0]: ligne[1] for ligne in classeur["Synthèse"].values}
    assert synthese["Génération des QPV"] == 2024
    assert "la génération 2015 n'est pas chargée" in synthese["Génération des QPV : raison"]


# --- API -----------------------------------------------------------------------------------------------------------


def test_api_filtre_par_perimetre_et_422_pour_un_inconnu(client, ept):
    reponse = client.get(API, {"date": JOUR, "perimetre": "ept:200058006"})
    assert reponse.status_code == 200
    donnees = reponse.json()
    assert donnees["perimetre"] == {
        "valeur": "ept:200058006",
        "code": "200058006",
        "nom": "Grand Paris Sud Est Avenir",
        "decoupage": "ept",
    }
    assert sorted(c["code"] for c in donnees["communes"]) == ["94028", "94041"]
    assert client.get(API, {"date": JOUR}).json()["perimetre"] is None
    for valeur in ("ept:999999999", "ept:200058006&date=2015-01-01", "x" * 500):
        reponse = client.get(API, {"date": JOUR, "perimetre": valeur})
        assert reponse.status_code == 422
        assert reponse.json()["detail"].startswith("Périmètre inconnu dans le département 94 au 15/10/2016")
    assert client.get(API, {"date": "2015-12-31", "perimetre": "ept:200058006"}).status_code == 422


def test_api_par_territoire(client, ept, django_assert_max_num_queries):
    reponse = client.get(f"{API}/territoires", {"date": JOUR})
    assert reponse.status_code == 200
    donnees = reponse.json()
    assert donnees["decoupage"] == {
        "cle": "ept",
        "libelle": "Établissements publics territoriaux (EPT)",
        "chevauchant": False,
    }
    assert [d["cle"] for d in donnees["decoupages"]] == ["epci", "ept"]
    assert donnees["items"] == [
        {
            "code": "200058006",
            "nom": "Grand Paris Sud Est Avenir",
            "communes": 2,
            "population": 152_657,
            "population_couverte": 90_605,
            "part_population_couverte": round(90_605 / 152_657, 4),
            "structures": 1,
            "communes_sans_structure": 1,
            "qpv": 2,
            "qpv_sans_structure": 0,
        }
    ]
    assert donnees["hors_perimetre"]["communes"] == 1 and donnees["hors_perimetre"]["code"] is None
    epci = client.get(f"{API}/territoires", {"date": JOUR, "decoupage": "epci"}).json()
    assert [i["communes"] for i in epci["items"]] == [3] and epci["hors_perimetre"] is None
    reponse = client.get(f"{API}/territoires", {"date": JOUR, "decoupage": "canton"})
    assert reponse.status_code == 422
    assert reponse.json()["detail"] == (
        "Découpage inconnu dans le département 94 au 15/10/2016 : 'canton' (découpages disponibles : epci, ept)."
    )
    assert client.get(f"{API}/territoires", {"date": "hier"}).status_code == 422
    assert client.get("/api/v1/diagnostic/departements/99/territoires").status_code == 404
    with django_assert_max_num_queries(8):  # warm: data version, département, cuts (2), communes' périmètres
        client.get(f"{API}/territoires", {"date": JOUR})


def test_api_sans_decoupage(client, ept):
    """A département without any EPCI or grouping: no cut, no rows."""
    for commune in ept[0].communes:
        commune.epci = None
        commune.save()
    Regroupement.objects.all().delete()
    donnees = client.get(f"{API}/territoires", {"date": JOUR}).json()
    assert (donnees["decoupage"], donnees["decoupages"], donnees["items"], donnees["hors_perimetre"]) == (
        None,
        [],
        [],
        None,
    )


def test_page_par_territoire_pour_pilote_et_partenaire(client, ept):
    for role in (Role.PILOTE, Role.PARTENAIRE):
        client.force_login(UtilisateurFactory(role=role, departements=[ept[0].departement]))
        reponse = client.get(URL, {"date": JOUR, "perimetre": "ept:200058006"})
        assert reponse.status_code == 200 and reponse.context["par_territoire"] is not None


def test_nombre_de_requetes_de_la_page_filtree(client, ept, django_assert_max_num_queries):
    client.get(URL, {"date": JOUR, "perimetre": "ept:200058006"})  # warms the cache
    # Warm: the périmètre read and its communes, the cuts and the communes' périmètres come on top of the page's.
    with django_assert_max_num_queries(14) as requetes:
        client.get(URL, {"date": JOUR, "perimetre": "ept:200058006"})
    premier = len(requetes.captured_queries)
    creteil, vitry, ivry = ept[0].communes
    Appartenance.objects.create(regroupement=ept[1], commune=vitry, debut=DEBUT_EPT)
    client.get(URL, {"date": JOUR, "perimetre": "ept:200058006"})
    with django_assert_max_num_queries(premier):
        reponse = client.get(URL, {"date": JOUR, "perimetre": "ept:200058006"})
    assert len(reponse.context["lignes"]) == 3
