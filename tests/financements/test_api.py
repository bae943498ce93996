import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from tests.financements.factories import BudgetFactory
from tests.structures.factories import AgrementFactory, StructureFactory

pytestmark = pytest.mark.django_db
URL = "/api/v1/indicateurs/departements/{}"


def test_contrat(client, jeu):
    reponse = client.get(URL.format("94"), {"annee": 2015})
    assert reponse.status_code == 200
    assert reponse.json() == {
        "departement": "94",
        "annee": 2015,
        "date_reference": "2015-12-31",
        "perimetre": None,
        "structures": {"total": 3, "centres_sociaux": 2, "evs": 1},
        "gestion": {"centres_sociaux_associatifs": 1, "part_centres_sociaux_associatifs": 0.5},
        "budget": {"total": 840000.0, "centres_sociaux": 800000.0, "evs": 40000.0},
        "financement_caf": {"total": 135000.0, "prestations_service": 125000.0, "autres": 10000.0},
        "par_territoire": None,
    }


def test_sans_centre_social_part_nulle(client, jeu):
    donnees = client.get(URL.format("94"), {"annee": 2005}).json()
    assert donnees["structures"] == {"total": 0, "centres_sociaux": 0, "evs": 0}
    assert donnees["gestion"]["part_centres_sociaux_associatifs"] is None
    assert donnees["budget"]["total"] == 0


def test_departement_inconnu(client, jeu):
    reponse = client.get(URL.format("99"), {"annee": 2015})
    assert reponse.status_code == 404
    assert "99" in reponse.json()["detail"]


@pytest.mark.parametrize(
    ("parametres", "statut"),
    [({}, 422), ({"annee": "deux-mille"}, 422), ({"annee": 1850}, 400), ({"annee": 3000}, 400)],
)
def test_annee_invalide(client, jeu, parametres, statut):
    reponse = client.get(URL.format("94"), parametres)
    assert reponse.status_code == statut
    assert reponse.json()["detail"]


def test_dans_openapi(client):
    schema = client.get("/api/v1/openapi.json").json()
    assert "/api/v1/indicateurs/departements/{code}" in schema["paths"]


def test_requetes_constantes(client, territoire_94, types_ps):
    creteil = territoire_94.communes[0]

    def ajouter(n):
        for _ in range(n):
            s = StructureFactory(commune=creteil)
            AgrementFactory(structure=s)
            BudgetFactory(structure=s)

    def compter():
        with CaptureQueriesContext(connection) as requetes:
            assert client.get(URL.format("94"), {"annee": 2015}).status_code == 200
        return len(requetes)

    ajouter(1)
    peu = compter()
    ajouter(8)
    assert compter() == peu <= 5
