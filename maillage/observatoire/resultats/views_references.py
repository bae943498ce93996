"""The page of the published references: the imported figures, and the upload of a file (administrators and pilotes;
what each may import is checked line by line by the service: national and regional figures by an administrator,
a département's by its pilote)."""

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.shortcuts import redirect, render
from django.views.decorators.http import require_http_methods

from maillage.core.imports import ImportRefuse
from maillage.core.permissions import exiger, peut

from .. import references, selectors_references
from ..services_references import references_importer, resume_texte


class FichierReferencesForm(forms.Form):
    fichier = forms.FileField(
        label="Fichier CSV ou XLSX",
        help_text="Colonnes indicateur;annee;niveau;territoire;valeur;source;url (url facultative). 2 Mo au plus.",
        widget=forms.ClearableFileInput(
            attrs={"accept": ".csv,.xlsx,text/csv,application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"}
        ),
        error_messages={"required": "Choisissez le fichier à importer.", "empty": "Le fichier envoyé est vide."},
    )
    illustratif = forms.BooleanField(
        label="Valeurs illustratives, non officielles (démonstration, formation)",
        help_text="Elles seront signalées comme telles partout où elles apparaissent.",
        required=False,
    )

    def clean_fichier(self):
        fichier = self.cleaned_data["fichier"]
        if fichier.size > references.TAILLE_MAX:
            raise forms.ValidationError("Fichier trop volumineux : 2 Mo au plus.")
        return fichier


@login_required
@require_http_methods(["GET", "POST"])
def reperes(request):
    exiger(request.user, "references.gerer")
    form = FichierReferencesForm()
    contexte = {}
    statut = 200
    if request.method == "POST":
        form = FichierReferencesForm(request.POST, request.FILES)
        if form.is_valid():
            fichier = form.cleaned_data["fichier"]
            nom_fichier = (fichier.name or "reperes")[:200]
            try:
                resume = references_importer(
                    contenu=fichier.read(),
                    nom_fichier=nom_fichier,
                    par=request.user,
                    illustratif=form.cleaned_data["illustratif"],
                )
            except ImportRefuse as refus:
                contexte.update(refus=refus, nom_fichier=nom_fichier)
                statut = 400
            else:
                messages.success(request, resume_texte(resume))
                return redirect("observatoire:reperes")
        else:
            statut = 400
    contexte.update(
        form=form,
        valeurs=selectors_references.valeurs_importees(),
        indicateurs=references.INDICATEURS_REFERENCE,
        nationaux=peut(request.user, "reference.importer", None),
    )
    return render(request, "observatoire/resultats/reperes.html", contexte, status=statut)
