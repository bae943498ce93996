import pytest
from django.core.files.base import ContentFile
from django.core.files.storage import FileSystemStorage
from django.db.models.fields.files import FieldFile, FileField
from django.http import Http404

from maillage.core.telechargements import servir_fichier

# Closing a response sends `request_finished`, which checks the database connection.
pytestmark = pytest.mark.django_db


@pytest.fixture
def champ(tmp_path):
    stockage = FileSystemStorage(location=tmp_path)
    nom = stockage.save("docs/compte-rendu.pdf", ContentFile(b"%PDF-1.4 contenu"))
    field = FileField(storage=stockage)
    field.name = "fichier"
    return FieldFile(None, field, nom)


def test_fichier_prive_par_defaut_en_piece_jointe(champ):
    reponse = servir_fichier(champ)
    assert reponse["Cache-Control"] == "private, no-store"
    assert reponse["X-Content-Type-Options"] == "nosniff"
    assert reponse["Content-Type"] == "application/pdf"
    assert reponse["Content-Disposition"] == 'attachment; filename="compte-rendu.pdf"'
    assert reponse["Content-Length"] == str(len(b"%PDF-1.4 contenu"))
    assert b"".join(reponse.streaming_content) == b"%PDF-1.4 contenu"
    reponse.close()


def test_fichier_public_nomme_et_type_impose(champ):
    reponse = servir_fichier(champ, nom="Synthèse.pdf", type_mime="application/x-test", public=True, piece_jointe=False)
    assert reponse["Cache-Control"] == "public, max-age=300"
    assert reponse["Content-Type"] == "application/x-test"
    assert "attachment" not in reponse.get("Content-Disposition", "")
    reponse.close()


def test_fichier_absent_du_stockage_404_avec_message(champ):
    champ.storage.delete(champ.name)
    with pytest.raises(Http404, match="introuvable exprès"):
        servir_fichier(champ, introuvable="introuvable exprès")


def test_champ_vide_404(champ):
    champ.name = ""
    with pytest.raises(Http404):
        servir_fichier(champ)
