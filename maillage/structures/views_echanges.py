"""Exports of the directory (public fields, public) and the back-office import with a dry-run preview.

The import is a two-step flow: the uploaded file is validated and previewed (what would be created or
updated, row by row) and kept server-side under its SHA-256 hash, per user; the confirmation re-reads the
same file, validates it again and writes it. Nothing is written while any row is wrong.
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
from django.shortcuts import redirect, render
from django.utils import timezone
from django.views.decorators.http import require_http_methods, require_POST

from maillage.core.imports import ImportRefuse
from maillage.core.permissions import departements_autorises, exiger
from maillage.territoires.models import Departement

from . import exports, selectors
from .forms import FiltreAnnuaireForm
from .imports import TAILLE_MAX_IMPORT
from .services_import import structures_importer

# --- Export -----------------------------------------------------------------------------------------


def export(request):
    """The directory's structures, with the directory's filters, as CSV, XLSX, GeoJSON or data·inclusion.

    Public: the exported columns are public fields only (no budget, assessment, contact or document).
    """
    format = request.GET.get("format") or "csv"
    if format not in exports.FORMATS:
        return HttpResponseBadRequest(
            f"Format inconnu « {format} » : formats possibles {', '.join(exports.FORMATS)}.".encode(),
            content_type="text/plain; charset=utf-8",
        )
    variante = request.GET.get("variante") or "personnes"
    if variante not in exports.VARIANTES:
        return HttpResponseBadRequest(
            f"Variante inconnue « {variante} » : variantes possibles {', '.join(exports.VARIANTES)}.".encode(),
            content_type="text/plain; charset=utf-8",
        )
    filtre = FiltreAnnuaireForm(request.GET)
    if not filtre.is_valid():
        raisons = "; ".join(
            f"{filtre.fields[c].label if c in filtre.fields else c} : {' '.join(e)}" for c, e in filtre.errors.items()
        )
        return HttpResponseBadRequest(
            f"Filtres invalides — {raisons}".encode(), content_type="text/plain; charset=utf-8"
        )
    filtres = filtre.filtres()
    structures = exports.structures_publiques(date_agrement=filtres["date"]).filter(
        pk__in=selectors.annuaire(**filtres).values("pk")
    )
    if format == "xlsx":
        structures = list(structures.prefetch_related("communes_competence", "qpv_competence"))
        contenu = exports.exporter_xlsx(
            [exports.ligne_export(s) for s in structures], exports.liens_zone(structures), variante=variante
        )
    elif format == "datainclusion":
        contenu = exports.exporter_datainclusion(structures)
    elif format == "geojson":
        contenu = exports.exporter_geojson(exports.ligne_export(s) for s in structures)
    else:
        contenu = exports.exporter_csv((exports.ligne_export(s) for s in structures), variante=variante)
    brutes = "codes" if variante == "codes" and format in ("csv", "xlsx") else ""
    nom = "-".join(
        filter(None, ["structures", filtres["departement"], filtres["commune"], filtres["date"].isoformat(), brutes])
    )
    reponse = HttpResponse(contenu, content_type=exports.TYPES_CONTENU[format])
    reponse["Content-Disposition"] = f'attachment; filename="{nom}.{exports.EXTENSIONS[format]}"'
    return reponse


# --- Import -----------------------------------------------------------------------------------------

MOTIF_EMPREINTE = re.compile(r"[0-9a-f]{64}")


class ImportForm(forms.Form):
    departement = forms.ChoiceField(label="Département")
    fichier = forms.FileField(
        label="Fichier CSV ou XLSX",
        help_text=(
            "Les colonnes de l'export de l'annuaire. Une ligne dont l'identifiant est connu met la structure "
            "à jour ; une ligne sans identifiant crée une structure. 5 Mo au plus."
        ),
        widget=forms.ClearableFileInput(attrs={"accept": ".csv,.xlsx,text/csv"}),
    )

    def __init__(self, *args, departements, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["departement"].choices = [(d.code, f"{d.code} — {d.nom}") for d in departements]

    def clean_fichier(self):
        fichier = self.cleaned_data["fichier"]
        if fichier.size > TAILLE_MAX_IMPORT:
            raise forms.ValidationError("Fichier trop volumineux : 5 Mo au plus.")
        return fichier


def _departements(user):
    departements = list(departements_autorises(user, "structure.creer", Departement.objects.all()))
    if not departements:
        raise PermissionDenied("Vous n'avez pas accès à l'import de structures.")
    return departements


DOSSIER_IMPORTS = "imports/structures"
DUREE_CONSERVATION = datetime.timedelta(days=1)


def _chemin(user, empreinte: str) -> str:
    return f"{DOSSIER_IMPORTS}/{user.pk}/{empreinte}"


def _nettoyer(user) -> None:
    """Forget the user's previewed files that were never confirmed (kept one day at most)."""
    dossier = f"{DOSSIER_IMPORTS}/{user.pk}"
    try:
        _, fichiers = default_storage.listdir(dossier)
    except (FileNotFoundError, NotImplementedError):
        return
    limite = timezone.now() - DUREE_CONSERVATION
    for nom in fichiers:
        chemin = f"{dossier}/{nom}"
        try:
            if default_storage.get_modified_time(chemin) < limite:
                default_storage.delete(chemin)
        except (FileNotFoundError, NotImplementedError):
            pass


def _contexte(form, **extra) -> dict:
    return {
        "form": form,
        "libelles_actions": {"creer": "Création", "modifier": "Modification", "inchange": "Inchangée"},
        **extra,
    }


@login_required
@require_http_methods(["GET", "POST"])
def importer(request):
    departements = _departements(request.user)
    if request.method != "POST":
        initial = {"departement": departements[0].code} if len(departements) == 1 else {}
        form = ImportForm(departements=departements, initial=initial)
        return render(request, "structures/echanges/import.html", _contexte(form))
    form = ImportForm(request.POST, request.FILES, departements=departements)
    if not form.is_valid():
        return render(request, "structures/echanges/import.html", _contexte(form), status=400)
    code = form.cleaned_data["departement"]
    exiger(request.user, "structure.creer", code)
    fichier = form.cleaned_data["fichier"]
    contenu = fichier.read()
    nom_fichier = (fichier.name or "import")[:200]
    try:
        resume = structures_importer(
            contenu=contenu, nom_fichier=nom_fichier, departement=code, utilisateur=request.user, appliquer=False
        )
    except ImportRefuse as refus:
        contexte = _contexte(
            form, refus=refus, avertissements=getattr(refus, "avertissements", []), nom_fichier=nom_fichier
        )
        return render(request, "structures/echanges/import.html", contexte, status=400)
    _nettoyer(request.user)
    chemin = _chemin(request.user, resume["empreinte"])
    if not default_storage.exists(chemin):
        default_storage.save(chemin, ContentFile(contenu))
    contexte = _contexte(form, apercu=resume, departement=code, nom_fichier=nom_fichier)
    return render(request, "structures/echanges/import.html", contexte)


@login_required
@require_POST
def importer_confirmer(request):
    departements = _departements(request.user)
    code = request.POST.get("departement", "")
    empreinte = request.POST.get("empreinte", "")
    nom_fichier = (request.POST.get("nom_fichier") or "import")[:200]
    if code not in {d.code for d in departements} or not MOTIF_EMPREINTE.fullmatch(empreinte):
        raise PermissionDenied("Import hors de votre périmètre.")
    exiger(request.user, "structure.creer", code)
    chemin = _chemin(request.user, empreinte)
    if not default_storage.exists(chemin):
        messages.error(request, "Le fichier à confirmer n'est plus disponible : déposez-le à nouveau.")
        return redirect("structures:import")
    with default_storage.open(chemin, "rb") as fichier:
        contenu = fichier.read()
    form = ImportForm(departements=departements, initial={"departement": code})
    try:
        resume = structures_importer(
            contenu=contenu,
            nom_fichier=nom_fichier,
            departement=code,
            utilisateur=request.user,
            auteur=request.user.email,
            appliquer=True,
        )
    except ImportRefuse as refus:
        # The registry changed since the preview (a commune, an id): show why, nothing was written.
        contexte = _contexte(
            form, refus=refus, avertissements=getattr(refus, "avertissements", []), nom_fichier=nom_fichier
        )
        return render(request, "structures/echanges/import.html", contexte, status=400)
    default_storage.delete(chemin)
    compteurs = resume["compteurs"]
    messages.success(
        request,
        f"Import enregistré le {datetime.date.today():%d/%m/%Y} : {compteurs['creer']} structure(s) créée(s), "
        f"{compteurs['modifier']} modifiée(s), {compteurs['inchange']} inchangée(s).",
    )
    return render(request, "structures/echanges/resultat.html", _contexte(form, resultat=resume, departement=code))
