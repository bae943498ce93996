import pytest
from django.urls import reverse

from maillage.comptes.models import Role
from tests.factories import UtilisateurFactory

pytestmark = pytest.mark.django_db

ESPACE = reverse("comptes:espace")


def page(client, user):
    client.force_login(user)
    reponse = client.get(ESPACE)
    assert reponse.status_code == 200
    return reponse.content.decode()


def test_anonyme_redirige(client):
    reponse = client.get(ESPACE)
    assert reponse.url == f"{reverse('comptes:connexion')}?next={ESPACE}"


def test_pilote(client, pilote):
    contenu = page(client, pilote)
    assert "Pilote Caf" in contenu
    assert "Caf du Val-de-Marne" in contenu
    assert reverse("territoires:departement", args=["94"]) in contenu
    assert reverse("comptes:liste", args=["94"]) in contenu
    assert reverse("comptes:journal", args=["94"]) in contenu
    assert reverse("admin:index") not in contenu


def test_conseiller_voit_ses_communes_sans_gestion(client, conseiller):
    contenu = page(client, conseiller)
    assert "Communes suivies" in contenu
    assert reverse("territoires:commune", args=["94028"]) in contenu
    assert reverse("comptes:gestion") not in contenu
    assert reverse("comptes:liste", args=["94"]) not in contenu


def test_structure_pas_encore_rattachee(client, val_de_marne):
    contenu = page(client, UtilisateurFactory(role=Role.STRUCTURE, departements=[val_de_marne]))
    assert "pas encore rattaché à une structure" in contenu
    assert "Communes suivies" not in contenu


def test_admin(client, admin_technique, val_de_marne):
    contenu = page(client, admin_technique)
    assert reverse("comptes:gestion") in contenu
    assert reverse("admin:index") in contenu
