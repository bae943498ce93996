"""API of the registry: /api/v1/structures and /api/v1/structures/{id}."""

import datetime

import pytest

from maillage.structures.models import Agrement
from tests.structures import test_echanges_export as jeu
from tests.structures.factories import AgrementFactory, StructureFactory
from tests.territoires.factories import CommuneFactory

# The shared data set (fixture) of the exports' tests.
registre = jeu.registre

URL = "/api/v1/structures"
CHAMPS = {"id", "nom", "type", "commune", "gestion", "siret", "adresse", "position", "agrement"}


def test_contrat_de_la_liste(client, registre):
    reponse = client.get(URL, {"departement": "94", "date": "2015-12-31"})
    assert reponse.status_code == 200
    donnees = reponse.json()
    assert donnees["count"] == 2
    assert [s["nom"] for s in donnees["items"]] == ["Centre social Ivry Port", "Centre social Les Bleuets"]
    bleuets = donnees["items"][1]
    assert set(bleuets) == CHAMPS
    assert bleuets == {
        "id": registre["bleuets"].pk,
        "nom": "Centre social Les Bleuets",
        "type": "centre_social",
        "commune": {"code": "94028", "nom": "Créteil"},
        "gestion": "associative",
        "siret": registre["bleuets"].siret,
        "adresse": "2 place des Bleuets",
        "position": [2.4612, 48.7801],
        # The animation globale agrément, not the ACF one.
        "agrement": {"type": "animation_globale", "debut": "2014-01-01", "fin": "2017-12-31"},
    }
    assert donnees["items"][0]["gestion"] == "collectivite"


def test_date_2012_et_2015_donnent_des_listes_differentes(client, registre):
    noms_2012 = {s["nom"] for s in client.get(URL, {"departement": "94", "date": "2012-06-30"}).json()["items"]}
    noms_2015 = {s["nom"] for s in client.get(URL, {"departement": "94", "date": "2015-12-31"}).json()["items"]}
    assert noms_2012 == {"Centre social Ivry Port", "Espace de vie sociale Balzac"}
    assert noms_2015 == {"Centre social Ivry Port", "Centre social Les Bleuets"}
    balzac = client.get(URL, {"departement": "94", "date": "2012-06-30", "type": "evs"}).json()["items"][0]
    assert balzac["position"] is None
    assert balzac["agrement"] == {"type": "animation_locale", "debut": "2010-01-01", "fin": "2012-12-31"}


def test_sans_date_toutes_les_structures_avec_l_agrement_du_jour(client, registre):
    donnees = client.get(URL, {"departement": "94"}).json()
    assert donnees["count"] == 3
    # No agrément covers today for any of them (the latest ends in 2017).
    assert all(s["agrement"] is None for s in donnees["items"])
    assert client.get(URL).json()["count"] == 4  # all départements


def test_filtres_type_commune_gestion(client, registre):
    assert [s["nom"] for s in client.get(URL, {"type": "evs"}).json()["items"]] == ["Espace de vie sociale Balzac"]
    assert [s["nom"] for s in client.get(URL, {"commune": "94041"}).json()["items"]] == ["Centre social Ivry Port"]
    noms = [s["nom"] for s in client.get(URL, {"departement": "94", "gestion": "associative"}).json()["items"]]
    assert noms == ["Centre social Les Bleuets"]


def test_pagination(client, registre):
    page = client.get(URL, {"departement": "94", "limit": 2, "offset": 0}).json()
    suite = client.get(URL, {"departement": "94", "limit": 2, "offset": 2}).json()
    assert page["count"] == suite["count"] == 3
    assert len(page["items"]) == 2 and len(suite["items"]) == 1
    assert {s["id"] for s in page["items"]}.isdisjoint({s["id"] for s in suite["items"]})
    # Far past the end (beyond the database's integers): an empty page, not a 500.
    loin = client.get(URL, {"departement": "94", "offset": 99999999999999999999})
    assert loin.status_code == 200 and loin.json() == {"count": 3, "items": []}


@pytest.mark.parametrize(
    ("parametres", "raison"),
    [
        ({"date": "31/12/2015"}, "Date invalide"),
        ({"date": "2015-02-30"}, "Date invalide"),
        ({"type": "creche"}, "Type inconnu"),
        ({"gestion": "privee"}, "Mode de gestion inconnu"),
        ({"limit": 501}, "limit doit être compris entre 1 et 500"),
        ({"limit": 0}, "limit doit être compris entre 1 et 500"),
        ({"offset": -1}, "offset doit être positif"),
    ],
)
def test_parametres_mal_formes_422(client, registre, parametres, raison):
    reponse = client.get(URL, {"departement": "94", **parametres})
    assert reponse.status_code == 422
    assert raison in reponse.json()["detail"]


def test_limit_non_numerique_422(client, registre):
    assert client.get(URL, {"limit": "beaucoup"}).status_code == 422


def test_departement_ou_commune_inconnus_404(client, registre):
    reponse = client.get(URL, {"departement": "999"})
    assert reponse.status_code == 404 and "Département inconnu" in reponse.json()["detail"]
    reponse = client.get(URL, {"commune": "94999"})
    assert reponse.status_code == 404 and "Commune inconnue" in reponse.json()["detail"]


def test_detail(client, registre):
    reponse = client.get(f"{URL}/{registre['bleuets'].pk}", {"date": "2015-12-31"})
    assert reponse.status_code == 200
    donnees = reponse.json()
    assert set(donnees) >= CHAMPS
    assert donnees["agrement"] == {"type": "animation_globale", "debut": "2014-01-01", "fin": "2017-12-31"}
    assert donnees["zone_competence"] == {"communes": ["94028", "94081"], "qpv": ["QN09406I"]}
    assert donnees["departement"] == "94" and donnees["code_postal"] == "94000"
    assert donnees["gestionnaire"] == {
        "nom": "Association des Bleuets",
        "forme_juridique": "association",
        "designation": "association",
    }
    assert donnees["multi_sites"] is True and donnees["adherent_federation"] is True
    assert donnees["situation_qpv"] == "dans_qpv"
    assert donnees["date_premier_agrement"] == "2006-01-01" and donnees["date_ouverture"] == "2005-09-01"
    assert sorted((a["type"], a["statut"]) for a in donnees["agrements"]) == [
        ("acf", "accorde"),
        ("animation_globale", "accorde"),
    ]
    assert set(donnees["agrements"][0]) == {"type", "debut", "fin", "statut"}
    # Public fields only: no pilot's comment, no contact.
    texte = reponse.content.decode()
    assert "Appréciation" not in texte and "direction.secrete" not in texte and "commentaire" not in texte


def test_detail_sans_agrement_refuse(client, registre):
    donnees = client.get(f"{URL}/{registre['ivry'].pk}").json()
    assert [a["statut"] for a in donnees["agrements"]] == ["accorde"]
    assert Agrement.objects.filter(structure=registre["ivry"], statut="refuse").exists()


def test_detail_404_et_422(client, registre):
    assert client.get(f"{URL}/999999").status_code == 404
    assert client.get(f"{URL}/abc").status_code == 422
    assert client.get(f"{URL}/{registre['ivry'].pk}", {"date": "hier"}).status_code == 422


def _creer(nombre: int, commune):
    for numero in range(nombre):
        structure = StructureFactory(nom=f"Structure {numero:03d}", commune=commune)
        AgrementFactory(structure=structure)
        AgrementFactory(structure=structure, type="acf", debut=datetime.date(2014, 1, 1))


@pytest.mark.parametrize("nombre", [5, 60])
def test_requetes_constantes(client, territoire_94, django_assert_max_num_queries, nombre):
    _creer(nombre, territoire_94.communes[0])
    # Cold cache: the département, the data version, the count, the page, its agréments.
    with django_assert_max_num_queries(5):
        reponse = client.get(URL, {"departement": "94", "date": "2015-12-31", "limit": 100})
    assert reponse.json()["count"] == nombre
    assert all(s["agrement"]["type"] == "animation_globale" for s in reponse.json()["items"])


def test_page_de_500(client, territoire_94):
    autre = CommuneFactory(code="94046", nom="Maisons-Alfort", departement=territoire_94.departement)
    _creer(3, autre)
    donnees = client.get(URL, {"limit": 500}).json()
    assert donnees["count"] == 3 and len(donnees["items"]) == 3


def test_openapi_decrit_les_routes(client, db):
    chemins = client.get("/api/v1/openapi.json").json()["paths"]
    assert {"/api/v1/structures", "/api/v1/structures/{id}"} <= set(chemins)
    parametres = {p["name"] for p in chemins["/api/v1/structures"]["get"]["parameters"]}
    assert {"departement", "date", "type", "commune", "limit", "offset"} <= parametres
