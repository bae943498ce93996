"""Page « Mise à jour en masse » of a schéma: export of its fiches actions (CSV, XLSX) and their import back.

The import is a two-step flow, as the registry's: the uploaded file is checked and previewed (every change, fiche
by fiche, before → after), and kept server-side under its SHA-256 hash, per schéma and per user; the confirmation
re-reads that file, checks it again, and writes it only if its changes are still those previewed. Nothing is
written while any row is wrong. Export: rule `schema.voir_interne`; import: anyone who may update at least one fiche
of the schéma (`echanges.peut_importer`), each row being checked against `fiche_action.mettre_a_jour`.
"""

import datetime
import re

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.http import HttpResponse, HttpResponseBadRequest
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import path
from django.utils import timezone
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from maillage.core.formats import nombre
from maillage.core.imports import ImportRefuse
from maillage.core.permissions import exiger

from . import echanges
from .contexte import contexte_schema
from .models import FicheAction, Schema

MOTIF_EMPREINTE = re.compile(r"[0-9a-f]{64}")
DOSSIER = "imports/schemas"
DUREE_CONSERVATION = datetime.timedelta(days=1)
REFUS_IMPORT = "Vous ne pilotez ni ne suivez aucune fiche action de ce schéma : l'import ne vous est pas ouvert."


class ImportFichesForm(forms.Form):
    fichier = forms.FileField(
        label="Fichier CSV ou XLSX",
        help_text="L'export de cette page, modifié. 5 Mo au plus.",
        widget=forms.ClearableFileInput(
            attrs={"accept": ".csv,.xlsx,text/csv,application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"}
        ),
        error_messages={"required": "Choisissez le fichier à importer.", "empty": "Le fichier envoyé est vide."},
    )

    def clean_fichier(self):
        fichier = self.cleaned_data["fichier"]
        if fichier.size > echanges.TAILLE_MAX:
            raise forms.ValidationError("Fichier trop volumineux : 5 Mo au plus.")
        return fichier


def _schema(request, pk) -> Schema:
    schema = get_object_or_404(Schema.objects.select_related("departement"), pk=pk)
    exiger(request.user, "schema.voir_interne", schema)
    return schema


def _chemin(schema, user, empreinte: str) -> str:
    return f"{DOSSIER}/{schema.pk}/{user.pk}/{empreinte}"


def _nettoyer(schema, user) -> None:
    """Forget the user's previewed files of this schéma that were never confirmed (kept one day at most)."""
    dossier = f"{DOSSIER}/{schema.pk}/{user.pk}"
    try:
        _, fichiers = default_storage.listdir(dossier)
    except (FileNotFoundError, NotImplementedError):
        return
    limite = timezone.now() - DUREE_CONSERVATION
    for nom in fichiers:
        try:
            if default_storage.get_modified_time(f"{dossier}/{nom}") < limite:
                default_storage.delete(f"{dossier}/{nom}")
        except (FileNotFoundError, NotImplementedError):
            pass


def _page(request, schema, *, form=None, statut=200, **extra):
    modifiables = echanges.fiches_modifiables(request.user, schema)
    contexte = {
        **contexte_schema(request, schema, "mise_a_jour"),
        "form": form or ImportFichesForm(),
        "colonnes": echanges.COLONNES,
        "statuts": FicheAction.Statut.labels,
        "nombre_modifiables": len(modifiables),
        "peut_importer": bool(modifiables),
        **extra,
    }
    return render(request, "schema/echanges/mise_a_jour.html", contexte, status=statut)


@login_required
@require_http_methods(["GET", "POST"])
def mise_a_jour(request, pk):
    schema = _schema(request, pk)
    if request.method != "POST":
        return _page(request, schema)
    if not echanges.peut_importer(request.user, schema):
        raise PermissionDenied(REFUS_IMPORT)
    form = ImportFichesForm(request.POST, request.FILES)
    if not form.is_valid():
        return _page(request, schema, form=form, statut=400)
    fichier = form.cleaned_data["fichier"]
    contenu = fichier.read()
    nom_fichier = (fichier.name or "import")[:200]
    try:
        apercu = echanges.analyser(par=request.user, schema=schema, contenu=contenu)
    except ImportRefuse as refus:
        return _page(request, schema, form=form, statut=400, refus=refus, nom_fichier=nom_fichier)
    if apercu.modifiees:
        _nettoyer(schema, request.user)
        chemin = _chemin(schema, request.user, apercu.empreinte)
        if not default_storage.exists(chemin):
            default_storage.save(chemin, ContentFile(contenu))
    return _page(request, schema, apercu=apercu, nom_fichier=nom_fichier)


@login_required
@require_POST
def mise_a_jour_confirmer(request, pk):
    schema = _schema(request, pk)
    if not echanges.peut_importer(request.user, schema):
        raise PermissionDenied(REFUS_IMPORT)
    empreinte = request.POST.get("empreinte", "")
    empreinte_plan = request.POST.get("empreinte_plan", "")
    nom_fichier = (request.POST.get("nom_fichier") or "import")[:200]
    if not (MOTIF_EMPREINTE.fullmatch(empreinte) and MOTIF_EMPREINTE.fullmatch(empreinte_plan)):
        return HttpResponseBadRequest(
            "Confirmation incomplète : déposez à nouveau le fichier.".encode(), content_type="text/plain; charset=utf-8"
        )
    chemin = _chemin(schema, request.user, empreinte)
    if not default_storage.exists(chemin):
        messages.error(request, "Le fichier à confirmer n'est plus disponible : déposez-le à nouveau.")
        return redirect("schema:mise_a_jour", pk=schema.pk)
    with default_storage.open(chemin, "rb") as fichier:
        contenu = fichier.read()
    try:
        apercu = echanges.importer(
            par=request.user, schema=schema, contenu=contenu, nom_fichier=nom_fichier, empreinte_plan=empreinte_plan
        )
    except ImportRefuse as refus:
        return _page(request, schema, statut=400, refus=refus, nom_fichier=nom_fichier)
    default_storage.delete(chemin)
    fiches = len(apercu.modifiees)
    messages.success(
        request,
        f"Mise à jour enregistrée : {nombre(fiches)} fiche{'s' if fiches > 1 else ''} action"
        f"{'s' if fiches > 1 else ''} modifiée{'s' if fiches > 1 else ''} ({nombre(apercu.changements)} "
        f"changement{'s' if apercu.changements > 1 else ''}), {nombre(apercu.inchangees)} ligne"
        f"{'s' if apercu.inchangees > 1 else ''} sans changement.",
    )
    return redirect("schema:mise_a_jour", pk=schema.pk)


@login_required
@require_GET
def mise_a_jour_export(request, pk):
    schema = _schema(request, pk)
    format = request.GET.get("format") or "xlsx"
    if format not in echanges.FORMATS:
        return HttpResponseBadRequest(
            f"Format inconnu « {format[:20]} » : csv ou xlsx.".encode(), content_type="text/plain; charset=utf-8"
        )
    reponse = HttpResponse(echanges.exporter(schema, format), content_type=echanges.TYPES_CONTENU[format])
    reponse["Content-Disposition"] = f'attachment; filename="{echanges.nom_export(schema, format)}"'
    return reponse


urlpatterns = [
    path("<int:pk>/mise-a-jour/", mise_a_jour, name="mise_a_jour"),
    path("<int:pk>/mise-a-jour/export/", mise_a_jour_export, name="mise_a_jour_export"),
    path("<int:pk>/mise-a-jour/confirmer/", mise_a_jour_confirmer, name="mise_a_jour_confirmer"),
]
