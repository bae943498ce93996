import pytest
from django.urls import reverse

from maillage.comptes.models import Role
from tests.comptes.factories import UtilisateurFactory

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
    assert "n'est rattaché à aucune structure" in contenu
    assert reverse("structures:ma_structure") not in contenu
    assert "Communes suivies" not in contenu


def test_structure_rattachee_met_a_jour_sa_fiche(client, val_de_marne):
    from tests.structures.factories import StructureFactory

    structure = StructureFactory(nom="Centre social des Tilleuls (fictif)", commune__departement=val_de_marne)
    compte = UtilisateurFactory(role=Role.STRUCTURE, departements=[val_de_marne], structure=structure)
    contenu = page(client, compte)
    assert reverse("structures:ma_structure") in contenu
    assert "Centre social des Tilleuls (fictif)" in contenu


def test_pilote_voit_ses_outils_de_pilotage(client, val_de_marne):
    contenu = page(client, UtilisateurFactory(role=Role.PILOTE, departements=[val_de_marne]))
    assert reverse("financements:tableau_de_bord_departement", args=["94"]) in contenu
    assert reverse("structures:renouvellements", args=["94"]) in contenu
    assert reverse("structures:import") in contenu
    assert reverse("financements:bareme") in contenu


def test_admin(client, admin_technique, val_de_marne):
    contenu = page(client, admin_technique)
    assert reverse("comptes:gestion") in contenu
    assert reverse("admin:index") in contenu


def test_liens_vers_l_observatoire(client, val_de_marne):
    from tests.structures.factories import StructureFactory

    pilote = page(client, UtilisateurFactory(role=Role.PILOTE, departements=[val_de_marne]))
    assert reverse("observatoire:campagnes", args=["94"]) in pilote
    structure = StructureFactory(commune__departement=val_de_marne)
    compte = page(client, UtilisateurFactory(role=Role.STRUCTURE, departements=[val_de_marne], structure=structure))
    assert reverse("observatoire:mes_reponses") in compte
    assert reverse("observatoire:campagnes", args=["94"]) not in compte
