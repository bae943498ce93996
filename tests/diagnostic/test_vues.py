"""Pages of the diagnostic territorial: public aggregates, Caf indicators by role, exports, comparison,
parameters, simulation and scenarios (permissions, forged input, nothing written), query counts."""

import csv
import datetime
import html
import io
import json
from decimal import Decimal

import pytest
from django.urls import reverse
from openpyxl import load_workbook

from maillage.comptes.models import Role
from maillage.diagnostic.models import Indicateur, IndicateurCommune, ParametresDiagnostic, Scenario
from maillage.structures.models import TypeStructure
from tests.comptes.factories import UtilisateurFactory
from tests.conftest import carre, enregistrer_deux_fois, message_conflit
from tests.structures.factories import AgrementFactory, StructureFactory
from tests.territoires.factories import CommuneFactory, DepartementFactory

pytestmark = pytest.mark.django_db

DATE = "2015-12-31"
URL = "/diagnostic/departements/94/"


@pytest.fixture
def reseau(territoire_94):
    """One centre social in Créteil, active 2014-2017: Créteil covered, Vitry and Ivry not (2.9 km and 5.9 km)."""
    creteil, vitry, ivry = territoire_94.communes
    cs = StructureFactory(
        nom="Centre social des Bleuets (fictif)",
        type=TypeStructure.CENTRE_SOCIAL,
        commune=creteil,
        longitude=2.46,
        latitude=48.80,
    )
    AgrementFactory(structure=cs, debut=datetime.date(2014, 1, 1), fin=datetime.date(2017, 12, 31))
    return territoire_94, cs


@pytest.fixture
def autre_departement(db):
    seine_saint_denis = DepartementFactory(code="93", nom="Seine-Saint-Denis")
    bobigny = CommuneFactory(
        departement=seine_saint_denis,
        code="93008",
        nom="Bobigny",
        geometrie=carre(2.44, 48.90),
        longitude=2.45,
        latitude=48.91,
    )
    structure = StructureFactory(
        nom="Centre social de Bobigny (fictif)", commune=bobigny, longitude=2.45, latitude=48.91
    )
    AgrementFactory(structure=structure, debut=datetime.date(2014, 1, 1), fin=datetime.date(2017, 12, 31))
    return seine_saint_denis, bobigny, structure


@pytest.fixture
def pilote(reseau):
    return UtilisateurFactory(role=Role.PILOTE, departements=[reseau[0].departement])


@pytest.fixture
def partenaire(reseau):
    return UtilisateurFactory(role=Role.PARTENAIRE, departements=[reseau[0].departement])


@pytest.fixture
def bas_revenus(reseau):
    creteil = reseau[0].communes[0]
    return IndicateurCommune.objects.create(
        commune=creteil,
        indicateur=Indicateur.PERSONNES_BAS_REVENUS,
        millesime=2015,
        valeur=Decimal("24680"),
        source="Caf open data (fictif)",
    )


def _texte(reponse) -> str:
    return html.unescape(reponse.content.decode()).replace("\u202f", " ").replace("\xa0", " ")


# --- Département page ---------------------------------------------------------------------------------------


def test_page_publique_synthese_carte_et_tableau(client, reseau):
    reponse = client.get(URL, {"date": DATE})
    assert reponse.status_code == 200
    contexte = reponse.context
    synthese = contexte["synthese"]
    assert synthese.population == 90_605 + 93_557 + 62_052
    assert synthese.population_couverte == 90_605
    assert synthese.communes_sans_structure == 2
    assert synthese.structures == 1
    texte = _texte(reponse)
    assert "246 214" in texte  # the population, French format
    # The accessible table lists every commune; the ranked table the two uncovered ones.
    assert [ligne["c"].code for ligne in contexte["lignes"]] == ["94028", "94041", "94081"]
    assert {ligne["c"].code for ligne in contexte["prioritaires"]} == {"94041", "94081"}
    assert [ligne["c"].rang for ligne in contexte["prioritaires"]] == [1, 2]
    # The map's compact JSON: one class per commune, the structure's marker.
    donnees = json.loads(texte.split('id="donnees-carte" type="application/json">')[1].split("</script>")[0])
    assert donnees["communes"]["94028"][0] == 0 and donnees["communes"]["94081"][0] == 4
    assert donnees["structures"][0][2:4] == ["centre_social", "Centre social des Bleuets (fictif)"]
    assert 'data-geojson="/territoires/departements/94/communes.geojson"' in texte


def test_la_synthese_et_le_tableau_disent_leur_perimetre(client, reseau):
    """Without a competent structure (the card) is not the same count as not covered (the ranked table): each says
    its scope and the card gives both."""
    texte = _texte(client.get(URL, {"date": DATE}))
    assert "Communes sans structure compétente" in texte
    assert "aucune structure ne les a dans sa zone de compétence" in texte
    assert "Dont 2 non couvertes (aucune structure à moins de 2,0 km)" in texte
    assert "La synthèse compte 2 communes sans structure compétente, dont 2 non couvertes" in texte
    assert "(2 communes non couvertes ou avec un QPV sans structure)" in texte


def test_la_date_change_la_reponse(client, reseau):
    reponse = client.get(URL, {"date": "2013-06-30"})
    assert reponse.context["synthese"].communes_sans_structure == 3
    assert reponse.context["synthese"].structures == 0
    # French dates are accepted in shared links too.
    assert client.get(URL, {"date": "31/12/2015"}).context["synthese"].structures == 1


def test_filtre_epci_des_anciens_liens(client, reseau):
    """`?epci=SIREN` of links shared before the périmètres is read as `?perimetre=epci:SIREN`."""
    reponse = client.get(URL, {"date": DATE, "epci": "200054781"})
    assert reponse.status_code == 200
    assert reponse.context["perimetre"].valeur == "epci:200054781"
    assert len(reponse.context["lignes"]) == 3
    reponse = client.get(URL, {"date": DATE, "epci": "999999999"})
    assert reponse.context["perimetre"] is None
    assert "Ce territoire n'existe pas dans le département au 31/12/2015 : le filtre est ignoré." in _texte(reponse)


def test_departement_inconnu_404_en_francais(client, db):
    reponse = client.get("/diagnostic/departements/99/")
    assert reponse.status_code == 404
    assert "introuvable" in _texte(reponse).lower() or "inconnu" in _texte(reponse).lower()


@pytest.mark.parametrize("date", ["2015-13-45", "demain", "31/02/2015", "0001-01-01"])
def test_date_invalide_message_en_francais(client, reseau, date):
    reponse = client.get(URL, {"date": date})
    assert reponse.status_code == 400
    assert "n'est pas valide : utilisez le format JJ/MM/AAAA" in _texte(reponse)


def test_indicateurs_caf_caches_au_public(client, reseau, bas_revenus):
    reponse = client.get(URL, {"date": DATE, "indicateur": "bas_revenus"})
    texte = _texte(reponse)
    assert "Personnes couvertes à bas revenus" not in texte
    assert "24 680" not in texte
    assert reponse.context["indicateur"] == "couverture"  # a forged choice falls back


def test_indicateurs_caf_visibles_du_pilote(client, reseau, bas_revenus, pilote):
    client.force_login(pilote)
    reponse = client.get(URL, {"date": DATE, "indicateur": "bas_revenus"})
    texte = _texte(reponse)
    assert reponse.context["indicateur"] == "bas_revenus"
    assert "Personnes couvertes à bas revenus" in texte
    assert "24 680" in texte
    assert "Caf open data (fictif) (2015)" in texte
    assert "Modifier les paramètres" in texte


def test_indicateurs_caf_caches_au_pilote_d_un_autre_departement(client, reseau, bas_revenus, autre_departement):
    client.force_login(UtilisateurFactory(role=Role.PILOTE, departements=[autre_departement[0]]))
    texte = _texte(client.get(URL, {"date": DATE}))
    assert "24 680" not in texte
    assert "Modifier les paramètres" not in texte


def test_nombre_de_requetes_borne_cache_chaud(client, reseau, django_assert_max_num_queries):
    client.get(URL, {"date": DATE})  # warms the cache
    with django_assert_max_num_queries(12) as requetes:
        client.get(URL, {"date": DATE})
    premier = len(requetes.captured_queries)
    # More communes and structures: the count does not grow.
    dep = reseau[0].departement
    for i in range(10):
        commune = CommuneFactory(
            departement=dep,
            code=f"9430{i}",
            nom=f"Commune {i}",
            geometrie=carre(2.5 + i / 10, 48.7),
            longitude=2.52 + i / 10,
            latitude=48.72,
            population=1000,
        )
        s = StructureFactory(commune=commune, longitude=2.52 + i / 10, latitude=48.72)
        AgrementFactory(structure=s, debut=datetime.date(2014, 1, 1), fin=datetime.date(2017, 12, 31))
    client.get(URL, {"date": DATE})
    with django_assert_max_num_queries(premier) as requetes:
        reponse = client.get(URL, {"date": DATE})
    assert len(reponse.context["lignes"]) == 13


# --- Exports -----------------------------------------------------------------------------------------------------


def test_export_csv_public_sans_indicateurs_caf(client, reseau, bas_revenus):
    reponse = client.get(reverse("diagnostic:export", args=["94"]), {"date": DATE, "format": "csv"})
    assert reponse.status_code == 200
    assert reponse["Content-Type"].startswith("text/csv")
    assert 'filename="diagnostic-94-2015-12-31.csv"' in reponse["Content-Disposition"]
    lignes = list(csv.reader(io.StringIO(reponse.content.decode("utf-8-sig")), delimiter=";"))
    entetes = lignes[0]
    assert entetes[:4] == ["Code INSEE", "Commune", "EPCI (SIREN)", "Population"]
    assert "Personnes couvertes à bas revenus" not in entetes
    par_code = {ligne[0]: dict(zip(entetes, ligne, strict=True)) for ligne in lignes[1:]}
    assert set(par_code) == {"94028", "94081", "94041"}
    assert par_code["94028"]["Couverte"] == "Oui" and par_code["94081"]["Couverte"] == "Non"
    assert par_code["94028"]["Population"] == "90605"


def test_export_xlsx_une_feuille_par_tableau_et_caf_pour_le_pilote(client, reseau, bas_revenus, pilote):
    client.force_login(pilote)
    reponse = client.get(reverse("diagnostic:export", args=["94"]), {"date": DATE, "format": "xlsx"})
    assert reponse.status_code == 200
    classeur = load_workbook(io.BytesIO(reponse.content))
    # The "par territoire" sheet by the département's only cut here, its EPCI.
    assert classeur.sheetnames == ["Synthèse", "Communes", "QPV", "Par EPCI"]
    assert list(classeur["Par EPCI"].values)[1][:4] == ("Métropole du Grand Paris", "200054781", 3, 246_214)
    communes = list(classeur["Communes"].values)
    assert "Personnes couvertes à bas revenus" in communes[0]
    colonne = communes[0].index("Personnes couvertes à bas revenus")
    assert {ligne[0]: ligne[colonne] for ligne in communes[1:]}["94028"] == 24680
    synthese = {ligne[0]: ligne[1] for ligne in classeur["Synthèse"].values}
    assert synthese["Population couverte"] == 90_605
    assert len(list(classeur["QPV"].values)) == 1 + 3


def test_export_geojson(client, reseau):
    reponse = client.get(reverse("diagnostic:export", args=["94"]), {"date": DATE, "format": "geojson"})
    donnees = json.loads(reponse.content)
    assert len(donnees["features"]) == 3
    creteil = next(f for f in donnees["features"] if f["properties"]["Code INSEE"] == "94028")
    assert creteil["geometry"]["type"] == "Polygon"
    assert creteil["properties"]["Couverte"] == "Oui"


def test_export_refuse_un_format_ou_une_date_invalide(client, reseau):
    url = reverse("diagnostic:export", args=["94"])
    assert client.get(url, {"date": DATE, "format": "pdf"}).status_code == 400
    reponse = client.get(url, {"date": "hier", "format": "csv"})
    assert reponse.status_code == 400 and "n'est pas valide" in reponse.content.decode()
    assert client.get(reverse("diagnostic:export", args=["99"]), {"format": "csv"}).status_code == 404


# --- Comparison -------------------------------------------------------------------------------------------------


def test_comparer_deux_dates(client, reseau):
    reponse = client.get(reverse("diagnostic:comparer", args=["94"]), {"date_a": "2013-12-31", "date_b": DATE})
    assert reponse.status_code == 200
    ecarts = {e["cle"]: e for e in reponse.context["ecarts"]}
    assert (ecarts["communes_sans_structure"]["avant"], ecarts["communes_sans_structure"]["apres"]) == (3, 2)
    assert ecarts["communes_sans_structure"]["difference"] == -1
    assert [c["code"] for c in reponse.context["comparaison"].communes if c["couverte_b"]] == ["94028"]
    assert "Créteil" in _texte(reponse)
    assert client.get(reverse("diagnostic:comparer", args=["94"]), {"date_a": "x"}).status_code == 400


# --- Parameters ----------------------------------------------------------------------------------------------------


def _poids(**valeurs):
    return {
        f"poids_{k}": v
        for k, v in {"population": "1", "distance": "1", "qpv": "1", "bas_revenus": "0", **valeurs}.items()
    }


def test_parametres_modifies_par_le_pilote(client, reseau, pilote):
    client.force_login(pilote)
    url = reverse("diagnostic:parametres", args=["94"])
    assert client.get(url).status_code == 200
    reponse = client.post(url, {"distance_couverture_km": "4", "tampon_qpv_m": "300", "version": 0, **_poids()})
    assert reponse.status_code == 302
    ligne = ParametresDiagnostic.objects.get(departement_id="94")
    assert ligne.distance_couverture_km == Decimal("4") and ligne.tampon_qpv_m == 300
    # The page uses them at once: with 4 km, Ivry (2.9 km away) is covered (it still has no structure of its own).
    synthese = client.get(URL, {"date": DATE}).context["synthese"]
    assert synthese.population_couverte == 90_605 + 62_052
    assert synthese.communes_sans_structure == 2


def test_parametres_deux_pilotes_le_second_refuse(reseau, pilote):
    autre = UtilisateurFactory(role=Role.PILOTE, departements=[reseau[0].departement], first_name="Jo", last_name="Bis")
    url = reverse("diagnostic:parametres", args=["94"])
    reponse = enregistrer_deux_fois(
        url,
        (autre, {"distance_couverture_km": "4", "tampon_qpv_m": "300", **_poids()}),
        (pilote, {"distance_couverture_km": "2", "tampon_qpv_m": "800", **_poids()}),
    )
    message = message_conflit(reponse)
    assert "Jo Bis" in message and "Distance de couverture (km) : « (vide) » → « 4,00 »" in message
    ligne = ParametresDiagnostic.objects.get(departement_id="94")
    assert (ligne.distance_couverture_km, ligne.tampon_qpv_m, ligne.version) == (Decimal(4), 300, 1)
    # Opened again, the form reads the current version: its save works and makes the next one.
    reponse = enregistrer_deux_fois(
        url,
        (pilote, {"distance_couverture_km": "3", "tampon_qpv_m": "300", **_poids()}),
        (autre, {"distance_couverture_km": "5", "tampon_qpv_m": "300", **_poids()}),
    )
    assert "« 4,00 » → « 3,00 »" in message_conflit(reponse)
    ligne.refresh_from_db()
    assert (ligne.distance_couverture_km, ligne.version) == (Decimal(3), 2)


def test_parametres_invalides_rien_n_est_ecrit(client, reseau, pilote):
    client.force_login(pilote)
    url = reverse("diagnostic:parametres", args=["94"])
    reponse = client.post(url, {"distance_couverture_km": "80", "tampon_qpv_m": "300", **_poids()})
    assert reponse.status_code == 200
    assert "50" in _texte(reponse)
    reponse = client.post(
        url, {"distance_couverture_km": "2", "tampon_qpv_m": "300", **_poids(population="0", distance="0", qpv="0")}
    )
    assert reponse.status_code == 200
    assert not ParametresDiagnostic.objects.exists()


def test_parametres_refuses_hors_role(client, reseau, partenaire):
    url = reverse("diagnostic:parametres", args=["94"])
    assert client.get(url).status_code == 302  # anonymous: to the login page
    client.force_login(partenaire)
    assert client.get(url).status_code == 403
    assert client.post(url, {"distance_couverture_km": "4", "tampon_qpv_m": "300", **_poids()}).status_code == 403
    assert not ParametresDiagnostic.objects.exists()


# --- Simulation -------------------------------------------------------------------------------------------------------


def _simulation(**valeurs):
    donnees = {
        "date": DATE,
        "ajout-TOTAL_FORMS": "3",
        "ajout-INITIAL_FORMS": "0",
        "ajout-MIN_NUM_FORMS": "0",
        "ajout-MAX_NUM_FORMS": "50",
        "ajout-0-nom": "",
        "ajout-0-type": "evs",
        "ajout-0-commune": "",
        "ajout-1-type": "evs",
        "ajout-2-type": "evs",
        "action": "simuler",
    }
    donnees.update(valeurs)
    return donnees


URL_SIMULATION = "/diagnostic/departements/94/simulation/"


def test_simulation_refusee_hors_pilote(client, reseau, partenaire, autre_departement):
    assert client.get(URL_SIMULATION).status_code == 302
    client.force_login(partenaire)
    assert client.get(URL_SIMULATION).status_code == 403
    assert client.post(URL_SIMULATION, _simulation(**{"ajout-0-commune": "94081"})).status_code == 403
    client.force_login(UtilisateurFactory(role=Role.PILOTE, departements=[autre_departement[0]]))
    assert client.get(URL_SIMULATION).status_code == 403
    client.force_login(UtilisateurFactory(role=Role.CONSEILLER, departements=[reseau[0].departement]))
    assert client.get(URL_SIMULATION).status_code == 403


def test_simulation_ajout_d_un_evs(client, reseau, pilote):
    client.force_login(pilote)
    reponse = client.get(URL_SIMULATION, {"date": DATE})
    assert reponse.status_code == 200
    assert reponse.context["synthese"].communes_sans_structure == 2
    reponse = client.post(URL_SIMULATION, _simulation(**{"ajout-0-nom": "EVS projeté", "ajout-0-commune": "94081"}))
    assert reponse.status_code == 200
    ecarts = {e["cle"]: e for e in reponse.context["ecarts"]}
    assert (ecarts["communes_sans_structure"]["avant"], ecarts["communes_sans_structure"]["apres"]) == (2, 1)
    assert ecarts["population_couverte"]["difference"] == 93_557
    # A difference of shares is in points, from the unrounded shares, rounded once.
    points = f"+{93_557 / 246_214 * 100:.1f} points".replace(".", ",")
    ligne = _texte(reponse).split('data-ecart="part_population_couverte"')[1].split("</tr>")[0]
    assert points in ligne and "%</td>" in ligne.replace(" ", "") and ligne.count("points") == 1
    assert reponse.context["synthese"].communes_sans_structure == 1
    # Like the diagnostic, the result says which QPV generation and populations it used.
    sources = _texte(reponse).split('id="sources-diagnostic"')[1].split("</ul>")[0]
    assert "QPV" in sources and reponse.context["sources"].population_source in sources
    # Vitry leaves the ranking of territoires prioritaires.
    assert {c["code"]: c["rang_apres"] for c in reponse.context["classement"]}["94081"] is None
    assert not Scenario.objects.exists()


def test_simulation_fermeture_et_position_cliquee(client, reseau, pilote):
    _, cs = reseau
    client.force_login(pilote)
    reponse = client.post(
        URL_SIMULATION,
        _simulation(
            fermetures=[str(cs.pk)],
            **{"ajout-0-commune": "94041", "ajout-0-longitude": "2.42", "ajout-0-latitude": "48.80"},
        ),
    )
    assert reponse.status_code == 200
    ecarts = {e["cle"]: e for e in reponse.context["ecarts"]}
    assert ecarts["structures"]["apres"] == 1
    # The hypothetical structure is at the clicked point, on the map of the result.
    assert reponse.context["donnees_carte"]["hypothetiques"][0][:2] == [2.42, 48.8]
    assert reponse.context["donnees_carte"]["structures"] == []


@pytest.mark.parametrize(
    "valeurs, message",
    [
        ({"ajout-0-commune": "93008"}, "Sélectionnez un choix valide"),
        ({"ajout-0-commune": "94081", "ajout-0-type": "creche"}, "Sélectionnez un choix valide"),
        ({"ajout-0-commune": "94081", "ajout-0-longitude": "2.4"}, "la longitude et la latitude"),
        ({"ajout-0-commune": "94081", "ajout-0-longitude": "999", "ajout-0-latitude": "48"}, "inférieure ou égale"),
        # A preview checks positions like saving does: this point is in the Alps, not in the commune.
        ({"ajout-0-commune": "94081", "ajout-0-longitude": "6.5", "ajout-0-latitude": "45.5"}, "ajoutée n° 1"),
        ({"date": "31/02/2015"}, "Saisissez une date valide"),
    ],
)
def test_simulation_entrees_forgees(client, reseau, pilote, autre_departement, valeurs, message):
    client.force_login(pilote)
    reponse = client.post(URL_SIMULATION, _simulation(**valeurs))
    assert reponse.status_code == 400
    assert message in _texte(reponse)
    assert reponse.context["simulation"] is None


def test_simulation_fermeture_d_une_structure_d_un_autre_departement(client, reseau, pilote, autre_departement):
    client.force_login(pilote)
    donnees = _simulation(fermetures=[str(autre_departement[2].pk)], action="enregistrer", nom="Forgé")
    reponse = client.post(URL_SIMULATION, donnees)
    assert reponse.status_code == 400
    assert "Sélectionnez un choix valide" in _texte(reponse)
    assert not Scenario.objects.exists()


def test_enregistrer_un_scenario_puis_l_ouvrir(client, reseau, pilote, partenaire):
    client.force_login(pilote)
    reponse = client.post(
        URL_SIMULATION,
        _simulation(
            action="enregistrer",
            nom="EVS à Vitry",
            description="Hypothèse 2016",
            partage="on",
            **{"ajout-0-commune": "94081", "ajout-0-nom": "EVS projeté"},
        ),
    )
    scenario = Scenario.objects.get()
    assert reponse.status_code == 302 and reponse["Location"] == f"/diagnostic/scenarios/{scenario.pk}/"
    assert scenario.nom == "EVS à Vitry" and scenario.partage and scenario.auteur == pilote
    assert scenario.ajouts[0]["commune"] == "94081" and scenario.ajouts[0]["type"] == "evs"
    assert scenario.date_reference == datetime.date(2015, 12, 31)
    page = client.get(reponse["Location"])
    assert page.status_code == 200
    assert page.context["synthese"].communes_sans_structure == 1
    assert "Supprimer ce scénario" in _texte(page)
    # Listed, exported.
    assert "EVS à Vitry" in _texte(client.get("/diagnostic/departements/94/scenarios/"))
    export = client.get(f"/diagnostic/scenarios/{scenario.pk}/export/", {"format": "csv"})
    lignes = list(csv.reader(io.StringIO(export.content.decode("utf-8-sig")), delimiter=";"))
    assert lignes[0] == ["Indicateur", "Avant", "Après", "Différence"]
    assert ["Communes sans structure", "2", "1", "-1"] in lignes
    classeur = load_workbook(
        io.BytesIO(client.get(f"/diagnostic/scenarios/{scenario.pk}/export/", {"format": "xlsx"}).content)
    )
    assert classeur.sheetnames[:3] == ["Synthèse avant-après", "Sources", "Classement"]
    sources = {ligne[0]: ligne[1] for ligne in classeur["Sources"].iter_rows(min_row=2, values_only=True)}
    assert sources["Date de référence"].date() == datetime.date(2015, 12, 31)
    assert sources["Population : source"] == page.context["sources"].population_source
    # Edit through the simulator: the form is prefilled.
    edition = client.get(URL_SIMULATION, {"scenario": scenario.pk})
    assert edition.context["form"].initial["nom"] == "EVS à Vitry"
    # A partner of the département sees it read-only once shared.
    client.force_login(partenaire)
    page = client.get(f"/diagnostic/scenarios/{scenario.pk}/")
    assert page.status_code == 200 and "Supprimer ce scénario" not in _texte(page)
    assert client.post(f"/diagnostic/scenarios/{scenario.pk}/supprimer/").status_code == 403
    assert Scenario.objects.exists()


def test_scenario_non_partage_refuse_aux_partenaires(client, reseau, pilote, partenaire, autre_departement):
    client.force_login(pilote)
    client.post(URL_SIMULATION, _simulation(action="enregistrer", nom="Privé", **{"ajout-0-commune": "94081"}))
    scenario = Scenario.objects.get()
    assert not scenario.partage
    client.force_login(partenaire)
    assert client.get(f"/diagnostic/scenarios/{scenario.pk}/").status_code == 403
    assert client.get(f"/diagnostic/scenarios/{scenario.pk}/export/").status_code == 403
    assert "Privé" not in _texte(client.get("/diagnostic/departements/94/scenarios/"))
    client.force_login(UtilisateurFactory(role=Role.PILOTE, departements=[autre_departement[0]]))
    assert client.get(f"/diagnostic/scenarios/{scenario.pk}/").status_code == 403
    assert client.get("/diagnostic/departements/94/scenarios/").status_code == 403
    client.logout()
    assert client.get(f"/diagnostic/scenarios/{scenario.pk}/").status_code == 302
    assert client.get("/diagnostic/scenarios/999999/").status_code in (302, 404)


def test_scenario_sans_nom_ou_vide_n_est_pas_enregistre(client, reseau, pilote):
    client.force_login(pilote)
    reponse = client.post(URL_SIMULATION, _simulation(action="enregistrer", **{"ajout-0-commune": "94081"}))
    assert reponse.status_code == 400 and "Donnez un nom au scénario" in _texte(reponse)
    reponse = client.post(URL_SIMULATION, _simulation(action="enregistrer", nom="Vide"))
    assert reponse.status_code == 400 and "Ajoutez au moins une structure" in _texte(reponse)
    assert not Scenario.objects.exists()


def test_supprimer_un_scenario(client, reseau, pilote):
    client.force_login(pilote)
    client.post(URL_SIMULATION, _simulation(action="enregistrer", nom="À jeter", **{"ajout-0-commune": "94081"}))
    scenario = Scenario.objects.get()
    assert client.get(f"/diagnostic/scenarios/{scenario.pk}/supprimer/").status_code == 405
    reponse = client.post(f"/diagnostic/scenarios/{scenario.pk}/supprimer/")
    assert reponse.status_code == 302
    assert not Scenario.objects.exists()


def test_qpv_geojson(client, reseau):
    reponse = client.get(reverse("diagnostic:qpv_geojson", args=["94"]), {"date": DATE})
    assert reponse.status_code == 200
    donnees = json.loads(reponse.content)
    types = sorted(f["geometry"]["type"] for f in donnees["features"])
    assert "Polygon" in types
    assert client.get(reverse("diagnostic:qpv_geojson", args=["99"])).status_code == 404


def test_scenario_devenu_incalculable_message_sans_500(client, reseau, pilote):
    """A saved scenario whose commune is no longer of the département: a French message, not a 500."""
    scenario = Scenario.objects.create(
        departement=reseau[0].departement,
        nom="Ancien",
        date_reference=datetime.date(2015, 12, 31),
        ajouts=[{"nom": "EVS", "type": "evs", "commune": "93008"}],
        auteur=pilote,
    )
    client.force_login(pilote)
    reponse = client.get(f"/diagnostic/scenarios/{scenario.pk}/")
    assert reponse.status_code == 409
    assert "Ce scénario ne peut plus être calculé" in _texte(reponse)


def test_carte_connait_l_etat_des_qpv(client, reseau):
    donnees = client.get(URL, {"date": DATE}).context["donnees_carte"]
    assert donnees["qpv"] == {"QN09405M": True, "QN09406I": True, "QN09414M": False}


def test_scenario_modifie_par_deux_pilotes_le_second_refuse(client, reseau, pilote):
    client.force_login(pilote)
    enregistrer = _simulation(action="enregistrer", nom="EVS à Vitry", **{"ajout-0-commune": "94081"})
    client.post(URL_SIMULATION, enregistrer)
    scenario = Scenario.objects.get()
    autre = UtilisateurFactory(role=Role.PILOTE, departements=[reseau[0].departement], first_name="Lu", last_name="Bis")
    reponse = enregistrer_deux_fois(
        f"{URL_SIMULATION}?scenario={scenario.pk}",
        (autre, {**enregistrer, "scenario": scenario.pk, "nom": "EVS à Vitry (variante)"}),
        (pilote, {**enregistrer, "scenario": scenario.pk, "description": "Autre hypothèse"}),
        attendu_premier=302,
    )
    assert reponse.status_code == 400
    assert "Nom : « EVS à Vitry » → « EVS à Vitry (variante) »" in message_conflit(reponse)
    scenario.refresh_from_db()
    assert (scenario.nom, scenario.description, scenario.version) == ("EVS à Vitry (variante)", "", 2)


def test_simulation_resume_des_erreurs_avec_les_lignes(client, reseau, pilote, autre_departement):
    """The summary on top lists the errors of the form and of each hypothetical structure, linked to the fields."""
    client.force_login(pilote)
    reponse = client.post(
        URL_SIMULATION,
        _simulation(**{"date": "31/02/2015", "ajout-0-commune": "94081", "ajout-0-longitude": "2.4"}),
    )
    assert reponse.status_code == 400
    page = reponse.content.decode()
    resume = page[page.index('id="erreurs-formulaire"') : page.index("</ul>", page.index('id="erreurs-formulaire"'))]
    assert '<a href="#id_date">' in resume
    assert '<a href="#id_ajout-0-latitude">Latitude (ligne 1) : Indiquez la longitude et la latitude' in resume
