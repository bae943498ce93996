"""With the clock pinned (the demo), what a user writes at run time is dated on the story's day, not the real one."""

import datetime

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone

from maillage.reseau import services as services_reseau
from maillage.structures import services as services_structures
from tests.comptes.factories import UtilisateurFactory
from tests.reseau.factories import EvenementFactory
from tests.structures.factories import ProjetSocialFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def jour_fixe(settings):
    settings.MAILLAGE_AUJOURDHUI = "2016-10-15"
    return datetime.date(2016, 10, 15)


def test_inscription_datee_sur_l_horloge(jour_fixe):
    evenement = EvenementFactory(
        acces="public",
        debut=datetime.datetime(2016, 11, 17, 9, tzinfo=datetime.UTC),
        fin=datetime.datetime(2016, 11, 17, 17, tzinfo=datetime.UTC),
    )
    inscription, _ = services_reseau.inscription_creer(
        evenement=evenement, nom="Fictif", prenom="Alex", email="alex@exemple.fr"
    )
    inscription.refresh_from_db()
    # The instant is stored in UTC: its day is the local one (just after midnight in Paris is still yesterday in UTC).
    assert timezone.localdate(inscription.cree_le) == jour_fixe


def test_document_de_projet_date_sur_l_horloge(jour_fixe, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    projet = ProjetSocialFactory()
    pilote = UtilisateurFactory(role="pilote", departements=[projet.structure.commune.departement])
    document = services_structures.document_deposer(
        par=pilote, projet=projet, nature="projet_social", titre="Projet social",
        fichier=SimpleUploadedFile("projet.pdf", b"%PDF-1.4\n%%EOF", content_type="application/pdf"),
    )  # fmt: skip
    document.refresh_from_db()
    assert timezone.localdate(document.depose_le) == jour_fixe
