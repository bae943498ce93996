"""API of the observatoire: campaigns list and a département's synthesis (contract, access, 404)."""

from django.urls import reverse

from maillage.observatoire.models import Statut
from tests.structures.factories import StructureFactory

from .resultats import test_resultats as base

jeu = base.jeu  # the shared dataset fixture
publier, repondre = base.publier, base.repondre

URL_CAMPAGNES = "/api/v1/observatoire/campagnes"


def url_synthese(annee, code):
    return f"/api/v1/observatoire/campagnes/{annee}/departements/{code}/synthese"


def test_liste_des_campagnes_publiques_puis_du_perimetre(client, jeu):
    anonyme = client.get(URL_CAMPAGNES).json()
    assert [(c["annee"], c["departement"]) for c in anonyme] == [(2016, "93"), (2015, "94")]
    assert anonyme[0] == {
        "annee": 2016,
        "annee_donnees": 2015,
        "departement": "93",
        "publiee": True,
        "ouverture": jeu.c93.ouverture.isoformat(),
        "date_limite_reponse": jeu.c93.date_limite_reponse.isoformat(),
        "date_limite_relecture": jeu.c93.date_limite_relecture.isoformat(),
    }
    client.force_login(jeu.pilote)
    pilote = client.get(URL_CAMPAGNES).json()
    assert [(c["annee"], c["departement"], c["publiee"]) for c in pilote] == [
        (2016, "93", True),
        (2016, "94", False),
        (2015, "94", True),
    ]


def test_synthese_contrat(client, jeu):
    client.force_login(jeu.pilote)
    reponse = client.get(url_synthese(2016, "94"))
    assert reponse.status_code == 200
    donnees = reponse.json()
    assert donnees["departement"] == "94" and donnees["annee_donnees"] == 2015 and donnees["publiee"] is False
    assert donnees["reponses"] == {"attendues": 7, "recues": 6, "validees": 4, "taux_reponse": 0.8571}
    ind = donnees["indicateurs"]
    assert ind["benevoles"]["total"] == 48
    assert ind["benevoles"]["moyenne_par_structure"] == 12
    assert ind["salaries_etp"]["total"] == 10.5
    assert ind["habitants_instances"]["total"] == 8
    assert ind["budget"]["total"] == 600000
    assert ind["budget"]["mediane"] == 125000
    assert ind["parts_financeurs"]["produit_caf"] == 0.2727


def test_synthese_non_publiee_403_publiee_publique(client, jeu):
    reponse = client.get(url_synthese(2016, "94"))
    assert reponse.status_code == 403
    assert reponse.json()["detail"] == "Cette campagne n'est pas publiée."
    client.force_login(jeu.structure_cs1)
    assert client.get(url_synthese(2016, "94")).status_code == 403
    client.force_login(jeu.pilote93)
    assert client.get(url_synthese(2016, "94")).status_code == 403
    client.logout()
    publier(jeu.c2016)
    assert client.get(url_synthese(2016, "94")).json()["reponses"]["attendues"] == 7


def test_synthese_404(client, jeu):
    reponse = client.get(url_synthese(2016, "75"))
    assert reponse.status_code == 404
    assert reponse.json()["detail"] == "Département inconnu : 75."
    reponse = client.get(url_synthese(2012, "93"))
    assert reponse.status_code == 404
    assert reponse.json()["detail"] == "Aucune campagne 2012 pour le département 93."


def test_synthese_nombre_de_requetes_borne(client, jeu, django_assert_max_num_queries):
    publier(jeu.c2016)
    for i in range(5):
        repondre(jeu.c2016, StructureFactory(commune=jeu.vitry), Statut.VALIDEE, {"pub_personnes": i})
    with django_assert_max_num_queries(6):
        assert client.get(url_synthese(2016, "94")).status_code == 200
    with django_assert_max_num_queries(3):
        assert client.get(URL_CAMPAGNES).status_code == 200


def test_route_nommee(jeu):
    assert reverse("api:observatoire_synthese", kwargs={"annee": 2016, "code": "94"}) == url_synthese(2016, "94")


def test_annee_hors_de_toute_campagne_404(client, jeu):
    # Read with the N-1 campaign in one query: a year beyond SQLite's integers must not reach the database.
    assert client.get(url_synthese(2**63, "94")).status_code == 404
    assert client.get(reverse("observatoire:synthese", args=[2**63, "94"])).status_code == 404
