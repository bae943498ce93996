"""API of the agréments (`GET /api/v1/agrements`): scope of the pilote, filters, pagination, denials."""

import datetime

import pytest

from maillage.comptes.models import Role
from maillage.structures.models import Agrement, TypeStructure
from tests.comptes.factories import UtilisateurFactory
from tests.structures.factories import AgrementFactory, StructureFactory
from tests.territoires.factories import CommuneFactory, DepartementFactory

pytestmark = pytest.mark.django_db

D = datetime.date
URL = "/api/v1/agrements"


@pytest.fixture
def donnees(db):
    vdm = DepartementFactory(code="94", nom="Val-de-Marne")
    ssd = DepartementFactory(code="93", nom="Seine-Saint-Denis")
    creteil = CommuneFactory(code="94028", nom="Créteil", departement=vdm)
    bobigny = CommuneFactory(code="93008", nom="Bobigny", departement=ssd)
    bleuets = StructureFactory(nom="Centre social des Bleuets", commune=creteil)
    balzac = StructureFactory(nom="EVS Balzac", type=TypeStructure.EVS, commune=creteil)
    ailleurs = StructureFactory(nom="Centre social de Bobigny", commune=bobigny)
    ancien = AgrementFactory(
        structure=bleuets, debut=D(2010, 1, 1), fin=D(2013, 12, 31), statut=Agrement.Statut.EXPIRE, commentaire="Secret"
    )
    courant = AgrementFactory(structure=bleuets)  # 2014-2017, accordé
    evs = AgrementFactory(
        structure=balzac, debut=D(2016, 1, 1), fin=D(2017, 12, 31), statut="en_instruction", date_decision=None
    )
    AgrementFactory(structure=ailleurs)
    return {"vdm": vdm, "ssd": ssd, "creteil": creteil, "ancien": ancien, "courant": courant, "evs": evs}


@pytest.fixture
def pilote(donnees):
    return UtilisateurFactory(role=Role.PILOTE, departements=[donnees["vdm"]])


def test_liste_du_departement(client, pilote, donnees):
    client.force_login(pilote)
    reponse = client.get(URL, {"departement": "94"})
    assert reponse.status_code == 200
    corps = reponse.json()
    assert corps["count"] == 3
    premier = corps["items"][0]
    assert premier == {
        "id": donnees["courant"].pk,
        "structure": {"id": donnees["courant"].structure_id, "nom": "Centre social des Bleuets"},
        "type": "animation_globale",
        "debut": "2014-01-01",
        "fin": "2017-12-31",
        "statut": "accorde",
    }
    assert "Secret" not in reponse.content.decode()
    assert {i["structure"]["nom"] for i in corps["items"]} == {"Centre social des Bleuets", "EVS Balzac"}


def test_sans_departement_ceux_du_pilote(client, pilote, donnees):
    client.force_login(pilote)
    assert client.get(URL).json()["count"] == 3


def test_admin_tous_les_departements(client, donnees):
    client.force_login(UtilisateurFactory(role=Role.ADMIN, is_superuser=True, is_staff=True))
    assert client.get(URL).json()["count"] == 4
    assert client.get(URL, {"departement": "93"}).json()["count"] == 1


def test_filtres_date_et_statut(client, pilote, donnees):
    client.force_login(pilote)
    a_date = client.get(URL, {"departement": "94", "date": "2016-06-30"}).json()
    assert {i["id"] for i in a_date["items"]} == {donnees["courant"].pk, donnees["evs"].pk}
    assert client.get(URL, {"date": "2012-01-01"}).json()["items"][0]["id"] == donnees["ancien"].pk
    expires = client.get(URL, {"statut": "expire"}).json()
    assert [i["id"] for i in expires["items"]] == [donnees["ancien"].pk]
    combine = client.get(URL, {"date": "2016-06-30", "statut": "en_instruction"}).json()
    assert [i["id"] for i in combine["items"]] == [donnees["evs"].pk]


def test_pagination(client, pilote, donnees):
    client.force_login(pilote)
    page = client.get(URL, {"limit": 2, "offset": 2}).json()
    assert page["count"] == 3 and len(page["items"]) == 1
    assert client.get(URL, {"offset": 10**12}).json() == {"count": 3, "items": []}


@pytest.mark.parametrize(
    "parametres, message",
    [
        ({"date": "31/12/2016"}, "Date invalide"),
        ({"date": "0001-01-01"}, "Date hors limites"),
        ({"statut": "perime"}, "Statut inconnu"),
        ({"limit": 0}, "limit"),
        ({"limit": 501}, "limit"),
        ({"offset": -1}, "offset"),
    ],
)
def test_parametres_invalides_422(client, pilote, parametres, message):
    client.force_login(pilote)
    reponse = client.get(URL, parametres)
    assert reponse.status_code == 422
    assert message in reponse.json()["detail"]


def test_departement_inconnu_404(client, pilote):
    client.force_login(pilote)
    reponse = client.get(URL, {"departement": "99"})
    assert reponse.status_code == 404
    assert "Département inconnu" in reponse.json()["detail"]


def test_anonyme_401(client, donnees):
    reponse = client.get(URL, {"departement": "94"})
    assert reponse.status_code == 401
    assert reponse.json()["detail"] == "Authentification requise."


def test_autre_departement_403(client, pilote):
    client.force_login(pilote)
    reponse = client.get(URL, {"departement": "93"})
    assert reponse.status_code == 403
    assert "93" in reponse.json()["detail"]


@pytest.mark.parametrize("role", [Role.STRUCTURE, Role.CONSEILLER, Role.PARTENAIRE])
def test_autres_roles_403(client, donnees, role):
    user = UtilisateurFactory(role=role, departements=[donnees["vdm"]], communes=[donnees["creteil"]])
    if role == Role.STRUCTURE:
        user.structure = donnees["courant"].structure
        user.save()
    client.force_login(user)
    for parametres in ({"departement": "94"}, {}):
        reponse = client.get(URL, parametres)
        assert reponse.status_code == 403, parametres
        assert reponse.json()["detail"]


def test_nombre_de_requetes_constant(client, pilote, donnees, django_assert_max_num_queries):
    structure = donnees["courant"].structure
    for annee in range(1990, 2010, 4):
        AgrementFactory(structure=structure, debut=D(annee, 1, 1), fin=D(annee + 3, 12, 31))
    client.force_login(pilote)
    with django_assert_max_num_queries(8):
        assert client.get(URL, {"departement": "94"}).json()["count"] == 8
