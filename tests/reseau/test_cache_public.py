"""The public agenda, event page and events API served from the cache per data version: a registration or an edit
shows at once, the common case costs the data version only, logged-in users keep their own (larger) view."""

import pytest
from django.urls import reverse

from maillage.comptes.models import Role
from maillage.reseau import services
from maillage.reseau.models import Evenement
from tests.comptes.factories import UtilisateurFactory
from tests.reseau.factories import EvenementFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def ev(territoire_94):
    return EvenementFactory(departement=territoire_94.departement, titre="Journée des lilas", capacite=3)


def test_agenda_public_une_inscription_se_voit_aussitot(client, ev, django_assert_max_num_queries):
    url = reverse("reseau:evenements") + "?departement=94"
    avant = client.get(url).content
    with django_assert_max_num_queries(1):  # the data version only
        assert client.get(url).content == avant
    services.inscription_creer(evenement=ev, nom="Durand", email="durand@exemple.fr")
    assert client.get(url).content != avant


def test_page_publique_d_un_evenement_suit_les_modifications(client, ev, territoire_94):
    url = reverse("reseau:evenement", args=[ev.pk])
    assert "Journée des lilas" in client.get(url).content.decode()
    pilote = UtilisateurFactory(role=Role.PILOTE, departements=[territoire_94.departement])
    services.evenement_modifier(par=pilote, evenement=ev, version=ev.version, titre="Journée des iris")
    page = client.get(url).content.decode()
    assert "Journée des iris" in page and "Journée des lilas" not in page


def test_le_pilote_ne_recoit_pas_la_vue_publique(client, ev, territoire_94):
    brouillon = EvenementFactory(
        departement=territoire_94.departement, titre="Comité en préparation", statut=Evenement.Statut.BROUILLON
    )
    url = reverse("reseau:evenements") + "?departement=94"
    assert brouillon.titre not in client.get(url).content.decode()  # cached for the public
    client.force_login(UtilisateurFactory(role=Role.PILOTE, departements=[territoire_94.departement]))
    assert brouillon.titre in client.get(url).content.decode()


def test_api_publique_en_cache_et_a_jour(client, ev, django_assert_max_num_queries):
    url = "/api/v1/evenements?departement=94"
    assert client.get(url).json()["items"][0]["inscrits"] == 0
    with django_assert_max_num_queries(2):  # the département's existence and the data version
        client.get(url)
    services.inscription_creer(evenement=ev, nom="Durand", email="durand@exemple.fr")
    assert client.get(url).json()["items"][0]["inscrits"] == 1
    detail = f"/api/v1/evenements/{ev.pk}"
    assert client.get(detail).json()["inscrits"] == 1
    with django_assert_max_num_queries(1):
        assert client.get(detail).json()["inscrits"] == 1
