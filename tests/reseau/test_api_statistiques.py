"""GET /api/v1/evenements/{id}/statistiques: organisers only (401 anonymous, 403 others, 404 unknown)."""

import pytest

from maillage.comptes.models import Organisation
from maillage.reseau.models import Categorie, Inscription
from tests.reseau.factories import EvenementFactory, InscriptionFactory
from tests.reseau.test_pointage import acteurs


@pytest.fixture
def jeu(territoire_94):
    dep = territoire_94.departement
    ev = EvenementFactory(departement=dep, capacite=2)
    InscriptionFactory(evenement=ev, categorie=Categorie.ELU, present_le=ev.debut,
                       type_organisation=Organisation.Type.CAF)  # fmt: skip
    InscriptionFactory(evenement=ev, categorie=Categorie.ELU)
    InscriptionFactory(evenement=ev, categorie=Categorie.EVS, statut=Inscription.Statut.LISTE_ATTENTE)
    return ev, acteurs(dep)


def _url(pk):
    return f"/api/v1/evenements/{pk}/statistiques"


def test_statistiques_pour_l_organisateur(client, jeu):
    ev, gens = jeu
    client.force_login(gens.pilote)
    reponse = client.get(_url(ev.pk))
    assert reponse.status_code == 200
    corps = reponse.json()
    assert (corps["inscrits"], corps["presents"], corps["liste_attente"]) == (2, 1, 1)
    assert corps["annulees"] == 0 and corps["sur_place"] == 0 and corps["taux_presence"] == 50.0
    assert corps["par_categorie"]["elu"] == {"inscrits": 2, "presents": 1}
    assert corps["par_categorie"]["evs"] == {"inscrits": 0, "presents": 0}
    assert corps["par_type_organisation"]["caf"]["presents"] == 1


def test_refus(client, jeu):
    ev, gens = jeu
    reponse = client.get(_url(ev.pk))
    assert reponse.status_code == 401 and reponse.json()["detail"]
    for qui in ("partenaire", "structure", "pilote_autre"):
        client.force_login(getattr(gens, qui))
        reponse = client.get(_url(ev.pk))
        assert reponse.status_code == 403, qui
        assert "organisateurs" in reponse.json()["detail"]
    client.force_login(gens.conseiller)
    assert client.get(_url(ev.pk)).status_code == 200
    reponse = client.get(_url(999999))
    assert reponse.status_code == 404 and "inconnu" in reponse.json()["detail"]
    assert client.get("/api/v1/evenements/abc/statistiques").status_code == 422


def test_schema_openapi(client, db):
    schemas = client.get("/api/v1/openapi.json").json()["components"]["schemas"]
    assert "StatistiquesEvenementOut" in schemas
