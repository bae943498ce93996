import pytest
from django.urls import reverse

from maillage.comptes.models import Role, Utilisateur

pytestmark = pytest.mark.django_db


def test_liste_ajout_et_fiche(client, admin_technique, conseiller):
    client.force_login(admin_technique)
    assert client.get(reverse("admin:comptes_utilisateur_changelist")).status_code == 200
    assert client.get(reverse("admin:comptes_utilisateur_changelist"), {"q": "conseiller"}).status_code == 200
    fiche = client.get(reverse("admin:comptes_utilisateur_change", args=[conseiller.pk]))
    assert fiche.status_code == 200
    assert "est_demo" not in fiche.context["adminform"].form.fields  # shown read-only
    assert "username" not in fiche.content.decode()
    assert client.get(reverse("admin:comptes_utilisateur_add")).status_code == 200


def test_creation_par_l_admin(client, admin_technique, val_de_marne):
    client.force_login(admin_technique)
    reponse = client.post(
        reverse("admin:comptes_utilisateur_add"),
        {
            "email": "Nouvelle.Pilote@caf94.fr",
            "usable_password": "true",
            "password1": "un-mot-de-passe-long-94",
            "password2": "un-mot-de-passe-long-94",
            "first_name": "Anne",
            "last_name": "Petit",
            "organisme": "Caf du Val-de-Marne",
            "role": Role.PILOTE,
            "departements": ["94"],
        },
    )
    assert reponse.status_code == 302, reponse.context["adminform"].form.errors
    compte = Utilisateur.objects.get(email="nouvelle.pilote@caf94.fr")
    assert compte.role == Role.PILOTE
    assert list(compte.departements.all()) == [val_de_marne]
    assert compte.check_password("un-mot-de-passe-long-94")


def test_refusee_a_un_pilote(client, pilote):
    client.force_login(pilote)
    reponse = client.get(reverse("admin:comptes_utilisateur_changelist"))
    assert reponse.status_code == 302
    assert "/admin/login/" in reponse.url
