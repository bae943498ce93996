import pytest

from tests.territoires.factories import CommuneFactory

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize(
    "url",
    [
        "/territoires/departements/%00/",
        "/territoires/communes/94%0028/",
        "/territoires/choisir/?departement=%00",
        "/api/v1/territoires/departements/%00",
        "/api/v1/territoires/communes/%00/",
    ],
)
def test_octet_nul_refuse_sans_erreur_serveur(client, url):
    CommuneFactory(code="94028")
    reponse = client.get(url)
    assert reponse.status_code == 400
    assert "caractère nul" in reponse.content.decode()
