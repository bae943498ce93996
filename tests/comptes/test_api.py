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
