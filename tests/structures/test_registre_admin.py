"""The registry's admin: lists with search and filters, read-only where the services are the writers."""

import datetime

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from maillage.comptes.models import Role
from maillage.structures import services
from maillage.structures.models import ProjetSocial
from tests.comptes.factories import UtilisateurFactory
from tests.structures.factories import AgrementFactory, StructureFactory


@pytest.fixture
def admin_client(client, db):
    client.force_login(UtilisateurFactory(role=Role.ADMIN, is_staff=True, is_superuser=True))
    return client


@pytest.mark.django_db
def test_listes_et_fiches(admin_client):
    structure = StructureFactory(nom="Centre social des Lilas")
    agrement = AgrementFactory(structure=structure)
    projet = ProjetSocial.objects.create(
        structure=structure, intitule="Projet", debut=datetime.date(2014, 1, 1), fin=datetime.date(2017, 12, 31)
    )
    document = services.document_deposer(
        par=UtilisateurFactory(role=Role.ADMIN, is_superuser=True),
        projet=projet,
        nature="autre",
        titre="Doc",
        fichier=SimpleUploadedFile("doc.pdf", b"%PDF-1.4"),
    )
    for modele in (
        "gestionnaire",
        "structure",
        "contact",
        "projetsocial",
        "documentprojet",
        "agrement",
        "evaluationcritere",
    ):
        reponse = admin_client.get(reverse(f"admin:structures_{modele}_changelist"), {"q": "Lilas"})
        assert reponse.status_code == 200, modele
    assert (
        "Centre social des Lilas" in admin_client.get(reverse("admin:structures_structure_changelist")).content.decode()
    )
    fiche = admin_client.get(reverse("admin:structures_structure_change", args=[structure.pk]))
    assert fiche.status_code == 200
    # Read-only: no add button, no save button.
    assert admin_client.get(reverse("admin:structures_structure_add")).status_code == 403
    assert admin_client.get(reverse("admin:structures_agrement_change", args=[agrement.pk])).status_code == 200
    # The document is downloaded through the checked view, never through a media URL.
    contenu = admin_client.get(reverse("admin:structures_documentprojet_change", args=[document.pk])).content.decode()
    assert reverse("structures:document", args=[document.pk]) in contenu
    assert "/media/" not in contenu
