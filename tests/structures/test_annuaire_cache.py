"""The directory served from the cache per data version: an edit shows at once, the common case costs one query."""

import pytest
from django.urls import reverse

from maillage.comptes.models import Role
from maillage.structures import services
from tests.comptes.factories import UtilisateurFactory
from tests.structures.factories import AgrementFactory, StructureFactory

URL = reverse("structures:annuaire")
PARAMS = {"date": "2015-12-31", "departement": "94"}

pytestmark = pytest.mark.django_db


@pytest.fixture
def structure(territoire_94):
    s = StructureFactory(nom="Centre social des Lilas", commune=territoire_94.communes[0])
    AgrementFactory(structure=s)  # 2014-2017
    return s


def test_une_modification_se_voit_aussitot(client, structure):
    assert "Centre social des Lilas" in client.get(URL, PARAMS).content.decode()
    pilote = UtilisateurFactory(role=Role.PILOTE, departements=[structure.departement])
    services.structure_modifier(par=pilote, structure=structure, version=structure.version, nom="Centre social Iris")
    page = client.get(URL, PARAMS).content.decode()
    assert "Centre social Iris" in page and "Centre social des Lilas" not in page


def test_un_agrement_ajoute_se_voit_aussitot(client, structure):
    autre = StructureFactory(nom="Espace des Tilleuls", commune=structure.commune)
    assert "Espace des Tilleuls" not in client.get(URL, PARAMS).content.decode()  # no agrément yet
    AgrementFactory(structure=autre)
    assert "Espace des Tilleuls" in client.get(URL, PARAMS).content.decode()


def test_le_lien_d_ajout_reste_propre_a_chacun(client, structure):
    ajout = reverse("structures:structure_creer", args=["94"])
    assert ajout not in client.get(URL, PARAMS).content.decode()
    client.force_login(UtilisateurFactory(role=Role.PILOTE, departements=[structure.departement]))
    assert ajout in client.get(URL, PARAMS).content.decode()  # same query, same cached list, own link


def test_cas_courant_une_requete(client, structure, django_assert_max_num_queries):
    client.get(URL, PARAMS)
    with django_assert_max_num_queries(1):  # the data version only
        assert "Centre social des Lilas" in client.get(URL, PARAMS).content.decode()
