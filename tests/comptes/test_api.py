import pytest

pytestmark = pytest.mark.django_db

URL = "/api/v1/comptes/moi"


def test_anonyme_401_en_francais(client):
    reponse = client.get(URL)
    assert reponse.status_code == 401
    assert reponse.json() == {"detail": "Authentification requise."}


def test_conseiller(client, conseiller):
    conseiller.first_name, conseiller.last_name, conseiller.organisme = "Karim", "Benali", "Caf du Val-de-Marne"
    conseiller.save()
    client.force_login(conseiller)
    reponse = client.get(URL)
    assert reponse.status_code == 200
    assert reponse.json() == {
        "email": "conseiller@caf94.fr",
        "nom": "Karim Benali",
        "prenom": "Karim",
        "nom_de_famille": "Benali",
        "role": "conseiller",
        "role_libelle": "Conseiller·e territorial·e",
        "organisme": "Caf du Val-de-Marne",
        "organisation": None,
        "mandats": [],
        "departements": [{"code": "94", "nom": "Val-de-Marne"}],
        "communes": [{"code": "94028", "nom": "Créteil"}],
    }


def test_compte_desactive_401(client, partenaire):
    client.force_login(partenaire)
    partenaire.is_active = False
    partenaire.save()
    assert client.get(URL).status_code == 401


def test_dans_l_openapi(client, db):
    schema = client.get("/api/v1/openapi.json").json()
    assert "/api/v1/comptes/moi" in schema["paths"]


@pytest.mark.django_db
def test_moi_donne_l_organisation_et_les_mandats_en_cours(client, territoire_94):
    from maillage.comptes.models import Mandat, Organisation, Role
    from tests.comptes.factories import MandatFactory, OrganisationFactory, UtilisateurFactory

    federation = OrganisationFactory(departement=territoire_94.departement, type=Organisation.Type.FEDERATION)
    MandatFactory(organisation=federation, nature=Mandat.Nature.CORRESPONDANT_OBSERVATOIRE)
    client.force_login(
        UtilisateurFactory(role=Role.PARTENAIRE, departements=[territoire_94.departement], organisation=federation)
    )
    donnees = client.get("/api/v1/comptes/moi").json()
    assert donnees["organisation"] == {
        "id": federation.pk,
        "nom": federation.nom,
        "type": "federation",
        "departement": "94",
    }
    assert donnees["mandats"] == [
        {"nature": "correspondant_observatoire", "departement": "94", "debut": "2016-01-01", "fin": None}
    ]
