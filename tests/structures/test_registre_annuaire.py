"""The public directory: filters, pagination, GeoJSON, query counts."""

import datetime

import pytest
from django.urls import reverse

from maillage.structures.models import Gestionnaire, TypeStructure
from tests.structures.factories import AgrementFactory, GestionnaireFactory, StructureFactory
from tests.territoires.factories import CommuneFactory, DepartementFactory

URL = reverse("structures:annuaire")
URL_GEOJSON = reverse("structures:annuaire_geojson")


def _noms(reponse) -> list[str]:
    return [s.nom for s in reponse.context["structures"]]


@pytest.fixture
def reseau(territoire_94):
    creteil, vitry, _ = territoire_94.communes
    commune = GestionnaireFactory(nom="Ville de Vitry", forme_juridique=Gestionnaire.FormeJuridique.COMMUNE)
    cs_creteil = StructureFactory(nom="CS Créteil", commune=creteil, longitude=2.46, latitude=48.80)
    evs_creteil = StructureFactory(nom="EVS Créteil", type=TypeStructure.EVS, commune=creteil)
    cs_vitry = StructureFactory(nom="CS Vitry", commune=vitry, gestionnaire=commune)
    # Active in 2012 only, then closed.
    ancien = StructureFactory(nom="CS Ancien", commune=vitry, date_fermeture=datetime.date(2013, 12, 31))
    sans_agrement = StructureFactory(nom="CS En projet", commune=creteil)
    for s in (cs_creteil, evs_creteil, cs_vitry):
        AgrementFactory(structure=s)  # 2014-2017
    AgrementFactory(structure=ancien, debut=datetime.date(2010, 1, 1), fin=datetime.date(2013, 12, 31))
    return type("Reseau", (), locals())


@pytest.mark.django_db
def test_liste_par_defaut_aujourdhui_et_filtres(client, reseau):
    # Today none of the agréments (ending 2017) is running.
    assert _noms(client.get(URL)) == []
    reponse = client.get(URL, {"date": "2015-12-31"})
    assert reponse.status_code == 200
    assert _noms(reponse) == ["CS Créteil", "CS Vitry", "EVS Créteil"]
    assert _noms(client.get(URL, {"date": "2015-12-31", "type": "evs"})) == ["EVS Créteil"]
    assert _noms(client.get(URL, {"date": "2015-12-31", "gestion": "collectivite"})) == ["CS Vitry"]
    assert _noms(client.get(URL, {"date": "2015-12-31", "departement": "94", "commune": "94028"})) == [
        "CS Créteil",
        "EVS Créteil",
    ]
    assert _noms(client.get(URL, {"date": "2015-12-31", "q": "vitry"})) == ["CS Vitry"]
    # An unknown département is ignored (with its error shown), never a 500.
    inconnu = client.get(URL, {"date": "2015-12-31", "departement": "999"})
    assert inconnu.context["filtre"].errors["departement"]
    assert _noms(inconnu) == ["CS Créteil", "CS Vitry", "EVS Créteil"]


@pytest.mark.django_db
def test_la_date_change_la_liste(client, reseau):
    assert _noms(client.get(URL, {"date": "2012-06-01"})) == ["CS Ancien"]
    assert _noms(client.get(URL, {"date": "2015-12-31"})) == ["CS Créteil", "CS Vitry", "EVS Créteil"]
    toutes = _noms(client.get(URL, {"date": "2015-12-31", "toutes": "on"}))
    assert toutes == ["CS Ancien", "CS Créteil", "CS En projet", "CS Vitry", "EVS Créteil"]


@pytest.mark.django_db
def test_page_affiche_agrement_et_lien(client, reseau):
    reponse = client.get(URL, {"date": "2015-12-31"})
    contenu = reponse.content.decode()
    assert "Animation globale (centre social), du 01/01/2014 au 31/12/2017" in contenu
    assert reverse("structures:structure", args=[reseau.cs_creteil.pk]) in contenu
    assert "3 structures" in contenu
    # The map's data URL keeps the filters.
    assert f'data-geojson="{URL_GEOJSON}?date=2015-12-31"' in contenu


@pytest.mark.django_db
def test_parametres_invalides_sans_erreur_500(client, reseau):
    reponse = client.get(URL, {"date": "31/31/2015", "type": "piscine", "departement": "ZZ", "page": "abc"})
    assert reponse.status_code == 200
    assert reponse.context["filtre"].errors
    assert _noms(reponse) == []  # the date falls back to today


@pytest.mark.django_db
def test_pagination(client, territoire_94):
    communes = territoire_94.communes
    for i in range(30):
        AgrementFactory(structure=StructureFactory(nom=f"Structure {i:02d}", commune=communes[i % 3]))
    reponse = client.get(URL, {"date": "2015-12-31"})
    assert len(reponse.context["structures"]) == 25
    assert reponse.context["page"].paginator.count == 30
    assert "Page 1 sur 2" in reponse.content.decode()
    assert "?date=2015-12-31&amp;page=2" in reponse.content.decode()
    page2 = client.get(URL, {"date": "2015-12-31", "page": "2"})
    assert _noms(page2) == [f"Structure {i:02d}" for i in range(25, 30)]
    assert len(client.get(URL, {"date": "2015-12-31", "par_page": "50"}).context["structures"]) == 30


@pytest.mark.django_db
def test_geojson_memes_filtres(client, reseau):
    reponse = client.get(URL_GEOJSON, {"date": "2015-12-31", "type": "centre_social"})
    assert reponse.status_code == 200
    assert reponse["Content-Type"] == "application/geo+json"
    donnees = reponse.json()
    assert donnees["type"] == "FeatureCollection"
    par_nom = {f["properties"]["nom"]: f for f in donnees["features"]}
    assert set(par_nom) == {"CS Créteil", "CS Vitry"}
    assert par_nom["CS Créteil"]["geometry"] == {"type": "Point", "coordinates": [2.46, 48.8]}
    assert par_nom["CS Créteil"]["properties"]["url"] == reverse("structures:structure", args=[reseau.cs_creteil.pk])
    assert par_nom["CS Créteil"]["properties"]["commune"] == "Créteil"
    # Public fields only.
    assert set(par_nom["CS Créteil"]["properties"]) == {"id", "nom", "type", "commune", "url"}


def _reseau_de(n: int, commune):
    for i in range(n):
        AgrementFactory(structure=StructureFactory(nom=f"S{i:03d}", commune=commune))


@pytest.mark.django_db
def test_requetes_constantes(client, territoire_94, django_assert_num_queries):
    creteil = territoire_94.communes[0]
    _reseau_de(5, creteil)
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    params = {"date": "2015-12-31", "departement": "94", "par_page": "50"}
    with CaptureQueriesContext(connection) as petit:
        assert len(client.get(URL, params).context["structures"]) == 5
    with CaptureQueriesContext(connection) as petit_geo:
        assert len(client.get(URL_GEOJSON, params).json()["features"]) == 5
    _reseau_de(35, creteil)
    with django_assert_num_queries(len(petit)):
        assert len(client.get(URL, params).context["structures"]) == 40
    with django_assert_num_queries(len(petit_geo)):
        assert len(client.get(URL_GEOJSON, params).json()["features"]) == 40
    assert len(petit) <= 8  # with the département's territories (EPCI, groupings) offered as a filter


@pytest.mark.django_db
def test_departement_ou_commune_sans_structure_liste_vide(client, reseau):
    DepartementFactory(code="93", nom="Seine-Saint-Denis")
    CommuneFactory(code="93008", nom="Bobigny", departement_id="93")
    reponse = client.get(URL, {"date": "2015-12-31", "departement": "93", "commune": "93008"})
    assert not reponse.context["filtre"].errors
    assert _noms(reponse) == []
    reponse = client.get(URL, {"date": "2015-12-31", "departement": "94", "commune": "94041"})
    assert not reponse.context["filtre"].errors
    assert _noms(reponse) == []


@pytest.mark.django_db
def test_bloc_export_garde_les_filtres(client, reseau):
    export = reverse("structures:export")
    contenu = client.get(URL, {"date": "2015-12-31", "type": "evs"}).content.decode()
    assert f"{export}?date=2015-12-31&amp;type=evs&amp;format=csv" in contenu
    assert f"{export}?date=2015-12-31&amp;type=evs&amp;format=datainclusion" in contenu


@pytest.mark.django_db
def test_lien_d_ajout_pour_le_pilote_seulement(client, reseau):
    from maillage.comptes.models import Role
    from tests.comptes.factories import UtilisateurFactory

    ajout = reverse("structures:structure_creer", args=["94"])
    assert ajout not in client.get(URL).content.decode()
    client.force_login(UtilisateurFactory(role=Role.CONSEILLER, departements=[reseau.cs_creteil.departement]))
    assert ajout not in client.get(URL).content.decode()
    client.force_login(UtilisateurFactory(role=Role.PILOTE, departements=[reseau.cs_creteil.departement]))
    assert ajout in client.get(URL).content.decode()
