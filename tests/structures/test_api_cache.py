"""The public API of the directory and the departmental indicators served from the cache per data version: an
edit shows at once, the common case costs the data version and the parameter checks only."""

import pytest

from maillage.comptes.models import Role
from maillage.structures import services
from tests.comptes.factories import UtilisateurFactory
from tests.structures.factories import AgrementFactory, StructureFactory

pytestmark = pytest.mark.django_db
STRUCTURES = "/api/v1/structures"
PARAMS = {"departement": "94", "date": "2015-12-31"}


@pytest.fixture
def structure(territoire_94):
    s = StructureFactory(nom="Centre social des Lilas", commune=territoire_94.communes[0])
    AgrementFactory(structure=s)  # 2014-2017
    return s


def _noms(client, params=PARAMS):
    return [i["nom"] for i in client.get(STRUCTURES, params).json()["items"]]


def test_api_structures_une_modification_se_voit_aussitot(client, structure):
    assert _noms(client) == ["Centre social des Lilas"]
    pilote = UtilisateurFactory(role=Role.PILOTE, departements=[structure.departement])
    services.structure_modifier(par=pilote, structure=structure, version=structure.version, nom="Centre social Iris")
    assert _noms(client) == ["Centre social Iris"]


def test_api_structures_parametres_distincts_reponses_distinctes(client, structure):
    autre = StructureFactory(nom="Espace des Tilleuls", commune=structure.commune, type="evs")
    AgrementFactory(structure=autre, type="animation_locale")
    assert _noms(client, {**PARAMS, "type": "evs"}) == ["Espace des Tilleuls"]
    assert _noms(client, {**PARAMS, "type": "centre_social"}) == ["Centre social des Lilas"]
    assert client.get(STRUCTURES, {**PARAMS, "limit": 1, "offset": 1}).json()["count"] == 2


def test_api_structures_cas_courant_sans_requete_de_liste(client, structure, django_assert_max_num_queries):
    client.get(STRUCTURES, PARAMS)
    with django_assert_max_num_queries(2):  # the département's existence and the data version
        assert client.get(STRUCTURES, PARAMS).json()["count"] == 1


def test_api_indicateurs_un_agrement_ajoute_se_voit_aussitot(client, structure, django_assert_max_num_queries):
    url = "/api/v1/indicateurs/departements/94"
    assert client.get(url, {"annee": 2015}).json()["structures"]["total"] == 1
    with django_assert_max_num_queries(2):
        client.get(url, {"annee": 2015})
    autre = StructureFactory(nom="Espace des Tilleuls", commune=structure.commune, type="evs")
    AgrementFactory(structure=autre, type="animation_locale")
    assert client.get(url, {"annee": 2015}).json()["structures"]["total"] == 2
