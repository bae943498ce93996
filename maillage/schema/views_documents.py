"""The documents page of a schéma (`schema:documents`): its uploaded documents (list, deposit, download through a
rights check, deletion) and its outputs, the PDF and the XLSX workbook, made in the background and reused while the
data do not change (`sorties`).

Access: the page and the public PDF follow `schema.voir` (an adopted schéma is public); documents not marked public,
the internal PDF and the workbook need `schema.voir_interne`; deposit and deletion, `schema.gerer`.
"""

from django import forms
from django.contrib import messages
from django.contrib.auth.views import redirect_to_login
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.urls import path
from django.views.decorators.http import require_http_methods

from maillage.core import travaux
from maillage.core.formulaires import ajouter_erreurs_du_service, creation_unique
from maillage.core.models import Travail
from maillage.core.permissions import peut
from maillage.core.telechargements import servir_fichier

from . import selectors_documents, services_documents, sorties
from .contexte import contexte_schema
from .models import DocumentSchema, Schema

MEGA = 1024 * 1024


class DocumentForm(forms.Form):
    nature = forms.ChoiceField(label="Nature", choices=DocumentSchema.Nature.choices)
    titre = forms.CharField(label="Titre", max_length=services_documents.LONGUEUR_TITRE)
    fichier = forms.FileField(
        label="Fichier",
        help_text=f"PDF, ODT, ODS, DOCX ou XLSX, {services_documents.TAILLE_MAX_DOCUMENT // MEGA} Mo au plus.",
        widget=forms.ClearableFileInput(attrs={"accept": ".pdf,.odt,.ods,.docx,.xlsx"}),
    )
    public = forms.BooleanField(
        label="Visible sur la page publique",
        required=False,
        help_text="Une fois le schéma adopté, tout le monde peut alors le télécharger.",
    )

    def clean_fichier(self):
        fichier = self.cleaned_data.get("fichier")
        if fichier and (raison := services_documents.erreur_document(fichier)):
            raise ValidationError(raison)
        return fichier


def _refuser(request, message: str):
    """Anonymous readers are sent to the login page; others get a 403."""
    if not request.user.is_authenticated:
        return redirect_to_login(request.get_full_path())
    raise PermissionDenied(message)


def _schema(pk) -> Schema:
    schema = selectors_documents.schema_des_documents(pk)
    if schema is None:
        raise Http404("Schéma introuvable.")
    return schema


@require_http_methods(["GET", "POST"])
@creation_unique
def documents(request, pk):
    schema = _schema(pk)
    if not peut(request.user, "schema.voir", schema):
        return _refuser(request, "Vous n'avez pas accès à ce schéma.")
    contexte = contexte_schema(request, schema, "documents")
    form = None
    if contexte["gerer"]:
        form = DocumentForm(request.POST or None, request.FILES or None)
        if request.method == "POST" and form.is_valid():
            try:
                document = services_documents.document_deposer(
                    par=request.user, schema=schema, **{k: form.cleaned_data[k] for k in form.fields}
                )
            except ValidationError as erreur:
                ajouter_erreurs_du_service(form, erreur)
            else:
                messages.success(request, f"Le document « {document.titre} » a été déposé.")
                return redirect("schema:documents", pk=schema.pk)
    elif request.method == "POST":
        raise PermissionDenied("Seul le pilote du schéma dépose des documents.")
    contexte.update(
        {
            "documents": selectors_documents.documents_visibles(request.user, schema),
            "form": form,
            "pdf_disponible": sorties.pdf_disponible(),
            "taille_max": services_documents.TAILLE_MAX_DOCUMENT // MEGA,
        }
    )
    return render(request, "schema/documents/documents.html", contexte, status=400 if form and form.errors else 200)


def document(request, pk):
    """A deposited document, served after the rights check (never through a public media URL)."""
    doc = selectors_documents.document_avec_schema(pk)
    if doc is None:
        raise Http404("Document introuvable.")
    if not selectors_documents.document_lisible(request.user, doc):
        return _refuser(request, "Vous n'avez pas accès à ce document.")
    return servir_fichier(
        doc.fichier,
        type_mime=services_documents.TYPES_DOCUMENTS.get(services_documents.extension(doc.fichier.name)),
        public=doc.public and doc.schema.public,
        introuvable="Le fichier de ce document est introuvable.",
    )


@require_http_methods(["GET", "POST"])
def document_supprimer(request, pk):
    doc = selectors_documents.document_avec_schema(pk)
    if doc is None:
        raise Http404("Document introuvable.")
    if not peut(request.user, "schema.gerer", doc.schema):
        return _refuser(request, "Seul le pilote du schéma supprime ses documents.")
    if request.method == "POST":
        services_documents.document_supprimer(par=request.user, document=doc)
        messages.success(request, f"Le document « {doc.titre} » a été supprimé.")
        return redirect("schema:documents", pk=doc.schema_id)
    contexte = contexte_schema(request, doc.schema, "documents")
    contexte["document"] = doc
    return render(request, "schema/documents/supprimer.html", contexte)


# --- Outputs ---------------------------------------------------------------------------------------------------


def _version_demandee(request, schema: Schema) -> str:
    """The internal version for readers of the internal follow-up (the public one on request), else the public
    one, which needs a public schéma."""
    interne = peut(request.user, "schema.voir_interne", schema)
    if interne:
        return sorties.PUBLIQUE if request.GET.get("version") == sorties.PUBLIQUE else sorties.INTERNE
    return sorties.PUBLIQUE


def _sortie(request, schema: Schema, format: str, version: str):
    """Serve the file when a job for the current data is done; else start one and show its progress page. With the
    immediate backend (demo, tests) the file comes at once."""
    nature = f"schema.{format}_{version}"
    cle = f"{schema.pk}:{sorties.empreinte_donnees(schema)}"
    travail = travaux.travail_en_cours_ou_pret(nature=nature, cle=cle)
    if travail is None:
        public = version == sorties.PUBLIQUE and schema.public
        libelle = "Schéma directeur en PDF" if format == "pdf" else "Schéma directeur en classeur XLSX"
        if format == "pdf":
            libelle += f" ({'version publique' if version == sorties.PUBLIQUE else 'version interne'})"
        travail = travaux.travail_lancer(
            tache=sorties.generer_sortie,
            nature=nature,
            cle=cle,
            libelle=f"{libelle} — {schema.titre}"[:250],
            demandeur=request.user,
            url_resultat=request.get_full_path(),
            public=public,
            regle="" if public else "schema.voir_interne",
            departement_id=schema.departement_id,
            schema_id=schema.pk,
            format=format,
            version=version,
        )
    if travail.statut == Travail.Statut.TERMINE and travail.fichier:
        # A few hundred kilobytes: read whole, the file is closed at once.
        with travail.fichier.open("rb") as fichier:
            reponse = HttpResponse(fichier.read(), content_type=travail.type_contenu)
        reponse["Content-Disposition"] = f'attachment; filename="{sorties.nom_fichier(schema, format, version)}"'
        return reponse
    return redirect("core:travail", pk=travail.pk)


def export_pdf(request, pk):
    """The schéma as a PDF document: the public version for all once adopted, the internal one in scope."""
    schema = _schema(pk)
    if not peut(request.user, "schema.voir", schema):
        return _refuser(request, "Vous n'avez pas accès à ce schéma.")
    try:
        sorties.verifier_pdf()
    except sorties.PDFIndisponible as e:
        contexte = contexte_schema(request, schema, "documents")
        contexte["message"] = str(e)
        return render(request, "schema/documents/pdf_indisponible.html", contexte, status=503)
    return _sortie(request, schema, "pdf", _version_demandee(request, schema))


def export_xlsx(request, pk):
    """The schéma as a workbook (one sheet per table, with the comments): internal follow-up."""
    schema = _schema(pk)
    if not peut(request.user, "schema.voir_interne", schema):
        return _refuser(request, "Le classeur du schéma est réservé aux comptes du département.")
    return _sortie(request, schema, "xlsx", sorties.INTERNE)


urlpatterns = [
    path("<int:pk>/documents/", documents, name="documents"),
    path("<int:pk>/schema.pdf", export_pdf, name="export_pdf"),
    path("<int:pk>/schema.xlsx", export_xlsx, name="export_xlsx"),
    path("documents/<int:pk>/", document, name="document"),
    path("documents/<int:pk>/supprimer/", document_supprimer, name="document_supprimer"),
]
