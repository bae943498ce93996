from urllib.parse import quote

import pytest

from tests.territoires.factories import CommuneFactory, DepartementFactory, EPCIFactory, QPVFactory, RegionFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def val_de_marne():
    dep = DepartementFactory(code="94", nom="Val-de-Marne", region=RegionFactory(code="11", nom="Île-de-France"))
    epci = EPCIFactory(code="200054781", nom="Métropole du Grand Paris")
    creteil = CommuneFactory(code="94028", nom="Créteil", departement=dep, epci=epci, population=90_739)
    vitry = CommuneFactory(code="94081", nom="Vitry-sur-Seine", departement=dep, epci=epci, population=93_556)
    isolee = CommuneFactory(code="94999", nom="Commune sans EPCI", departement=dep, epci=None, population=None)
    QPVFactory(code="QN09420M", nom="Quartier du Mont-Mesly", communes=[creteil])
    return dep, creteil, vitry, isolee


def test_departement(client, val_de_marne):
    reponse = client.get("/api/v1/territoires/departements/94")
    assert reponse.status_code == 200
    assert reponse.json() == {
        "code": "94",
        "nom": "Val-de-Marne",
        "population": 90_739 + 93_556,
        "nombre_communes": 3,
        "region": {"code": "11", "nom": "Île-de-France"},
    }


def test_departement_sans_commune_a_une_population_nulle(client):
    DepartementFactory(code="2A", nom="Corse-du-Sud", region=RegionFactory(code="94", nom="Corse"))
    reponse = client.get("/api/v1/territoires/departements/2A")
    assert reponse.json()["population"] == 0
    assert reponse.json()["nombre_communes"] == 0


@pytest.mark.parametrize("code", ["99", "abc", "9" * 40])
def test_departement_inconnu(client, val_de_marne, code):
    reponse = client.get(f"/api/v1/territoires/departements/{code}")
    assert reponse.status_code == 404
    assert "Département inconnu" in reponse.json()["detail"]


@pytest.mark.parametrize("code", ["9 4", "94 ", "9\t4", "é" * 300])
def test_communes_d_un_code_illisible_404_sans_toucher_au_cache(client, val_de_marne, code):
    # The typed code used to enter the cache key as is: a CacheKeyWarning (an error under pytest, a refusal by
    # memcached) answered 500.
    reponse = client.get(f"/api/v1/territoires/departements/{quote(code)}/communes")
    assert reponse.status_code in (200, 404)
    if reponse.status_code == 404:
        assert "Département inconnu" in reponse.json()["detail"]


def test_communes_du_departement(client, val_de_marne, django_assert_max_num_queries):
    with django_assert_max_num_queries(5):  # data version (2), département, communes, their EPT
        reponse = client.get("/api/v1/territoires/departements/94/communes")
    assert reponse.status_code == 200
    donnees = reponse.json()
    assert [c["code"] for c in donnees] == ["94999", "94028", "94081"]  # ordered by name
    assert donnees[1] == {
        "code": "94028",
        "nom": "Créteil",
        "population": 90_739,
        "epci": {"code": "200054781", "nom": "Métropole du Grand Paris"},
        "ept": None,
    }
    assert donnees[0]["epci"] is None
    assert donnees[0]["population"] is None


def test_communes_en_cache_jusqu_au_prochain_changement(client, val_de_marne, django_assert_num_queries):
    client.get("/api/v1/territoires/departements/94/communes")
    with django_assert_num_queries(2):  # the data version only
        client.get("/api/v1/territoires/departements/94/communes")
    _, creteil, _, _ = val_de_marne
    creteil.population = 91_000
    creteil.save()
    donnees = client.get("/api/v1/territoires/departements/94/communes").json()
    assert {c["code"]: c["population"] for c in donnees}["94028"] == 91_000


def test_communes_departement_inconnu(client):
    reponse = client.get("/api/v1/territoires/departements/99/communes")
    assert reponse.status_code == 404


def test_commune(client, val_de_marne):
    reponse = client.get("/api/v1/territoires/communes/94028")
    assert reponse.status_code == 200
    donnees = reponse.json()
    assert donnees["code"] == "94028"
    assert donnees["departement"] == {"code": "94", "nom": "Val-de-Marne"}
    assert donnees["region"] == {"code": "11", "nom": "Île-de-France"}
    assert donnees["population_millesime"] == 2017
    assert donnees["position"] == [2.425, 48.825]
    assert donnees["qpv"] == [{"code": "QN09420M", "nom": "Quartier du Mont-Mesly"}]


def test_commune_inconnue(client, val_de_marne):
    reponse = client.get("/api/v1/territoires/communes/00000")
    assert reponse.status_code == 404
    assert reponse.json()["detail"] == "Commune inconnue : '00000'."


def test_openapi_publie_les_routes_du_contrat(client):
    reponse = client.get("/api/v1/openapi.json")
    assert reponse.status_code == 200
    chemins = reponse.json()["paths"]
    assert "/api/v1/territoires/departements/{code}" in chemins
    assert "/api/v1/territoires/departements/{code}/communes" in chemins
    assert "/api/v1/territoires/communes/{code}" in chemins


def test_documentation_interactive(client):
    reponse = client.get("/api/v1/docs")
    assert reponse.status_code == 200
