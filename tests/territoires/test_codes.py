"""One reading of département codes for every page and API route (territoires.codes, territoires.selectors)."""

import pytest
from django.core.exceptions import ValidationError
from django.http import Http404
from django.urls import reverse

from maillage.comptes.models import Role
from maillage.diagnostic import services as services_diagnostic
from maillage.territoires import codes, selectors
from tests.comptes.factories import UtilisateurFactory
from tests.territoires.factories import DepartementFactory


@pytest.mark.parametrize(
    ("texte", "attendu"),
    [
        ("94", "94"),
        ("01", "01"),
        ("19", "19"),
        ("2A", "2A"),
        ("2a", "2A"),
        ("2b", "2B"),
        (" 2b ", "2B"),
        ("21", "21"),
        ("95", "95"),
        ("971", "971"),
        ("976", "976"),
    ],
)
def test_code_departement_valide(texte, attendu):
    assert codes.code_departement(texte) == attendu


@pytest.mark.parametrize(
    "texte",
    ["", "  ", "0", "1", "00", "20", "2C", "96", "99", "970", "977", "9400", "abc", "9a", "٩٤", "94\x00", None, 94],
)
def test_code_departement_refuse(texte):
    assert codes.code_departement(texte) is None


@pytest.mark.django_db
def test_departement_par_code_normalise():
    corse = DepartementFactory(code="2A", nom="Corse-du-Sud")
    assert selectors.departement_par_code("2a") == corse
    assert selectors.departement_du_code(" 2A ") == corse


@pytest.mark.django_db
@pytest.mark.parametrize("texte", ["93", "00", "abc", "9400", ""])
def test_departement_par_code_inconnu(texte):
    DepartementFactory(code="94")
    assert selectors.departement_du_code(texte) is None
    with pytest.raises(Http404, match="Département inconnu"):
        selectors.departement_par_code(texte)


# --- Every former lookup: an unknown code is a 404 with a reason ----------------------------------------------


@pytest.fixture
def connecte(client, db):
    val_de_marne = DepartementFactory(code="94")
    client.force_login(UtilisateurFactory(role=Role.PILOTE, departements=[val_de_marne]))
    return client


PAGES = [
    "observatoire:campagnes",
    "financements:tableau_de_bord_departement",
    "comptes:liste",
    "structures:renouvellements",
    "diagnostic:departement",
    "territoires:departement",
    "structures:structure_creer",
    "structures:gestionnaire_creer",
]


@pytest.mark.parametrize("nom", PAGES)
@pytest.mark.parametrize("code", ["93", "00", "abc", "9400"])
def test_page_departement_inconnu(connecte, nom, code):
    assert connecte.get(reverse(nom, args=[code])).status_code == 404


@pytest.mark.parametrize(
    "url",
    [
        "/api/v1/territoires/departements/{}",
        "/api/v1/diagnostic/departements/{}",
        "/api/v1/territoires/departements/{}/communes",
        "/api/v1/indicateurs/departements/{}?annee=2020",
        "/api/v1/structures?departement={}",
    ],
)
@pytest.mark.parametrize("code", ["93", "00", "abc", "9400"])
def test_api_departement_inconnu(connecte, url, code):
    reponse = connecte.get(url.format(code))
    assert reponse.status_code == 404
    assert reponse.json()["detail"] == f"Département inconnu : {code!r}."


@pytest.mark.parametrize("code", ["93", "abc"])
def test_resultats_observatoire_departement_inconnu(connecte, code):
    assert connecte.get(reverse("observatoire:synthese", args=[2016, code])).status_code == 404


def test_api_code_en_minuscules(client, db):
    DepartementFactory(code="2A", nom="Corse-du-Sud")
    reponse = client.get("/api/v1/territoires/departements/2a")
    assert reponse.status_code == 200
    assert reponse.json()["code"] == "2A"


def test_choisir_en_minuscules(client, db):
    DepartementFactory(code="2B", nom="Haute-Corse")
    reponse = client.get("/territoires/choisir/", {"departement": " 2b "})
    assert reponse.status_code == 302
    assert reponse["Location"] == reverse("territoires:departement", args=["2B"])


def test_service_departement_inconnu(db):
    admin = UtilisateurFactory(role=Role.ADMIN, is_superuser=True)
    with pytest.raises(ValidationError) as e:
        services_diagnostic.parametres_modifier(
            par=admin, departement="00", distance_couverture_km=2, tampon_qpv_m=100, poids={"population": 1}
        )
    assert e.value.message_dict == {"departement": ["Département inconnu : '00'."]}
