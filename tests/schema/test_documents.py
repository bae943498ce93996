"""Uploaded documents of a schéma: deposit by the pilote (type and size checked, French messages, nothing written on
a refusal, audited), list, download through the rights check (public documents of an adopted schéma for everyone,
the others for the département's accounts), deletion."""

import io
import zipfile
from types import SimpleNamespace

import pytest
from auditlog.models import LogEntry
from django.core import signals
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import close_old_connections
from django.urls import reverse

from maillage.comptes.models import Organisation, Role
from maillage.schema.models import DocumentSchema, Schema
from tests.comptes.factories import OrganisationFactory, UtilisateurFactory
from tests.schema.factories import SchemaFactory
from tests.territoires.factories import DepartementFactory

PDF = b"%PDF-1.4\n% document de test\n"


def docx() -> bytes:
    tampon = io.BytesIO()
    with zipfile.ZipFile(tampon, "w") as archive:
        archive.writestr("[Content_Types].xml", "<Types/>")
        archive.writestr("word/document.xml", "<document/>")
    return tampon.getvalue()


@pytest.fixture
def monde(db):
    dep = DepartementFactory(code="94", nom="Val-de-Marne")
    autre = DepartementFactory(code="93", nom="Seine-Saint-Denis")
    federation = OrganisationFactory(departement=dep, type=Organisation.Type.FEDERATION)
    return SimpleNamespace(
        dep=dep,
        adopte=SchemaFactory(departement=dep, statut=Schema.Statut.EN_COURS),
        brouillon=SchemaFactory(departement=dep, statut=Schema.Statut.EN_ELABORATION, date_adoption=None),
        pilote=UtilisateurFactory(role=Role.PILOTE, departements=[dep]),
        partenaire=UtilisateurFactory(role=Role.PARTENAIRE, departements=[dep], organisation=federation),
        structure=UtilisateurFactory(role=Role.STRUCTURE, departements=[dep]),
        pilote93=UtilisateurFactory(role=Role.PILOTE, departements=[autre]),
    )


def deposer(client, schema, *, nom="schema.pdf", contenu=PDF, titre="Schéma signé", public=False, **autres):
    donnees = {"nature": "schema_signe", "titre": titre, "fichier": SimpleUploadedFile(nom, contenu), **autres}
    if public:
        donnees["public"] = "on"
    return client.post(reverse("schema:documents", args=[schema.pk]), donnees)


def document(schema, *, public: bool, titre="Annexe") -> DocumentSchema:
    return DocumentSchema.objects.create(
        schema=schema, nature="annexe", titre=titre, public=public, fichier=SimpleUploadedFile("annexe.pdf", PDF)
    )


@pytest.mark.parametrize("nom, contenu", [("schema.pdf", PDF), ("annexe.docx", None)])
def test_le_pilote_depose_un_document_trace_dans_le_journal(client, monde, nom, contenu):
    contenu = contenu or docx()
    client.force_login(monde.pilote)
    reponse = deposer(client, monde.adopte, nom=nom, contenu=contenu, public=True)
    assert reponse.status_code == 302 and reponse.url == reverse("schema:documents", args=[monde.adopte.pk])
    doc = DocumentSchema.objects.get()
    assert (doc.schema, doc.public, doc.depose_par, doc.titre) == (monde.adopte, True, monde.pilote, "Schéma signé")
    with doc.fichier.open("rb") as fichier:
        assert fichier.read() == contenu
    entree = LogEntry.objects.get_for_object(doc).get()
    assert entree.actor == monde.pilote and entree.action == LogEntry.Action.CREATE
    page = client.get(reponse.url).content.decode()
    assert "Le document « Schéma signé » a été déposé." in page


@pytest.mark.parametrize(
    "nom, contenu, message",
    [
        ("virus.exe", b"MZ...", "Format refusé : déposez un fichier PDF, ODT, ODS, DOCX ou XLSX."),
        ("faux.pdf", b"<html></html>", "Ce fichier n&#x27;est pas un PDF valide."),
        ("faux.xlsx", None, "Le contenu du fichier ne correspond pas à un document XLSX."),
        ("vide.pdf", b"", "Le fichier soumis est vide."),
    ],
)
def test_fichier_refuse_avec_un_message_clair_et_rien_d_ecrit(client, monde, settings, nom, contenu, message):
    client.force_login(monde.pilote)
    reponse = deposer(client, monde.adopte, nom=nom, contenu=docx() if contenu is None else contenu)
    assert reponse.status_code == 400
    assert message in reponse.content.decode()
    assert not DocumentSchema.objects.exists()
    assert not (settings.MEDIA_ROOT / "schemas").exists()


def test_fichier_trop_volumineux_refuse(client, monde, monkeypatch):
    monkeypatch.setattr("maillage.structures.services.TAILLE_MAX_DOCUMENT", 20)
    client.force_login(monde.pilote)
    reponse = deposer(client, monde.adopte, contenu=PDF + b"x" * 30)
    assert reponse.status_code == 400
    assert "Le fichier dépasse la taille maximale" in reponse.content.decode()
    assert not DocumentSchema.objects.exists()


def test_titre_obligatoire(client, monde):
    client.force_login(monde.pilote)
    reponse = deposer(client, monde.adopte, titre="   ")
    assert reponse.status_code == 400 and not DocumentSchema.objects.exists()
    assert "Ce champ est obligatoire." in reponse.content.decode()


def test_seul_le_pilote_du_departement_depose(client, monde):
    for compte in (monde.partenaire, monde.structure, monde.pilote93):
        client.force_login(compte)
        assert deposer(client, monde.adopte).status_code == 403
    client.logout()
    assert deposer(client, monde.adopte).status_code == 403
    assert not DocumentSchema.objects.exists()
    # The form is shown to the pilote only.
    client.force_login(monde.partenaire)
    assert "Déposer un document" not in client.get(reverse("schema:documents", args=[monde.adopte.pk])).content.decode()


def test_double_envoi_ne_depose_qu_un_document(client, monde):
    client.force_login(monde.pilote)
    jeton = "a" * 32
    assert deposer(client, monde.adopte, jeton_formulaire=jeton).status_code == 302
    assert deposer(client, monde.adopte, jeton_formulaire=jeton).status_code == 302
    assert DocumentSchema.objects.count() == 1


def telecharger(client, doc):
    """The response, its file read and closed (FileResponse keeps it open until then)."""
    reponse = client.get(reverse("schema:document", args=[doc.pk]))
    reponse.contenu = b"".join(reponse.streaming_content) if reponse.streaming else reponse.content
    # Closing also signals the end of the request, which must not close the connection holding the test's
    # transaction (PostgreSQL), as the test client itself ensures.
    signals.request_finished.disconnect(close_old_connections)
    try:
        reponse.close()
    finally:
        signals.request_finished.connect(close_old_connections)
    return reponse


def test_document_public_d_un_schema_adopte_pour_tous(client, monde):
    doc = document(monde.adopte, public=True)
    reponse = telecharger(client, doc)
    assert reponse.status_code == 200 and reponse.contenu == PDF
    assert reponse["Content-Type"] == "application/pdf"
    client.force_login(monde.pilote93)
    assert telecharger(client, doc).status_code == 200


def test_document_interne_reserve_au_departement(client, monde):
    doc = document(monde.adopte, public=False)
    reponse = telecharger(client, doc)
    assert reponse.status_code == 302 and reponse.url.startswith(reverse("comptes:connexion"))
    client.force_login(monde.pilote93)
    assert telecharger(client, doc).status_code == 403
    for compte in (monde.pilote, monde.partenaire):
        client.force_login(compte)
        reponse = telecharger(client, doc)
        assert reponse.status_code == 200 and reponse["Cache-Control"] == "private, no-store"
    # A structure account reads the schéma as published: not its internal documents.
    client.force_login(monde.structure)
    assert telecharger(client, doc).status_code == 403


def test_document_public_d_un_schema_en_elaboration_reste_interne(client, monde):
    doc = document(monde.brouillon, public=True)
    assert telecharger(client, doc).status_code == 302
    client.force_login(monde.pilote93)
    assert telecharger(client, doc).status_code == 403
    client.force_login(monde.partenaire)
    assert telecharger(client, doc).status_code == 200


def test_document_inconnu_ou_fichier_manquant_404(client, monde):
    client.force_login(monde.pilote)
    assert client.get(reverse("schema:document", args=[999999])).status_code == 404
    doc = document(monde.adopte, public=True)
    doc.fichier.storage.delete(doc.fichier.name)
    assert telecharger(client, doc).status_code == 404


def test_liste_selon_les_droits(client, monde, django_assert_max_num_queries):
    publics = [document(monde.adopte, public=True, titre=f"Annexe publique {n}") for n in range(3)]
    internes = [document(monde.adopte, public=False, titre=f"Note interne {n}") for n in range(3)]
    adresse = reverse("schema:documents", args=[monde.adopte.pk])
    page = client.get(adresse).content.decode()
    assert all(d.titre in page for d in publics) and not any(d.titre in page for d in internes)
    assert "Déposer un document" not in page and "classeur XLSX" not in page
    client.force_login(monde.pilote93)
    assert "Note interne" not in client.get(adresse).content.decode()
    client.force_login(monde.pilote)
    with django_assert_max_num_queries(20):
        page = client.get(adresse).content.decode()
    assert all(d.titre in page for d in publics + internes)
    assert "Déposer un document" in page and '<caption id="legende-documents">' in page
    assert 'class="tableau-defilant"' in page and 'aria-current="page">Documents</a>' in page
    # More documents, the same queries.
    for n in range(10):
        document(monde.adopte, public=False, titre=f"Autre {n}")
    with django_assert_max_num_queries(20):
        assert client.get(adresse).status_code == 200


def test_page_d_un_schema_en_elaboration(client, monde):
    adresse = reverse("schema:documents", args=[monde.brouillon.pk])
    reponse = client.get(adresse)
    assert reponse.status_code == 302 and reponse.url.startswith(reverse("comptes:connexion"))
    client.force_login(monde.pilote93)
    assert client.get(adresse).status_code == 403
    client.force_login(monde.structure)
    assert client.get(adresse).status_code == 200
    assert client.get(reverse("schema:documents", args=[999999])).status_code == 404


def test_suppression_par_le_pilote(client, monde, django_capture_on_commit_callbacks):
    doc = document(monde.adopte, public=True)
    nom = doc.fichier.name
    adresse = reverse("schema:document_supprimer", args=[doc.pk])
    client.force_login(monde.partenaire)
    assert client.get(adresse).status_code == 403 and client.post(adresse).status_code == 403
    client.logout()
    assert client.post(adresse).status_code == 302
    assert DocumentSchema.objects.filter(pk=doc.pk).exists()
    client.force_login(monde.pilote)
    assert "Supprimer le document « Annexe »" in client.get(adresse).content.decode()
    with django_capture_on_commit_callbacks(execute=True):
        reponse = client.post(adresse)
    assert reponse.status_code == 302 and not DocumentSchema.objects.filter(pk=doc.pk).exists()
    assert not doc.fichier.storage.exists(nom)
    assert LogEntry.objects.filter(object_pk=str(doc.pk), action=LogEntry.Action.DELETE, actor=monde.pilote).exists()
