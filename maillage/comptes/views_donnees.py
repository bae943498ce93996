"""Pilote page: find what is held about a person, export it (JSON) or erase it (services_donnees)."""

import json

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_POST

from maillage.core.formulaires import ajouter_erreurs_du_service
from maillage.core.permissions import exiger

from . import services_donnees
from .forms import PersonneForm
from .models import OperationDonneesPersonnelles


@login_required
def donnees_personnelles(request):
    exiger(request.user, "donnees_personnelles.gerer")
    form = PersonneForm(request.GET or None)
    personne = None
    if request.GET and form.is_valid():
        try:
            personne = services_donnees.personne_trouver(par=request.user, email=form.cleaned_data["email"])
        except ValidationError as erreur:
            ajouter_erreurs_du_service(form, erreur)
    operations = OperationDonneesPersonnelles.objects.filter(par=request.user)[:20]
    return render(
        request, "comptes/donnees_personnelles.html", {"form": form, "personne": personne, "operations": operations}
    )


@require_POST
@login_required
def donnees_exporter(request):
    form = PersonneForm(request.POST)
    if not form.is_valid():
        return redirect("comptes:donnees_personnelles")
    export = services_donnees.donnees_exporter(par=request.user, email=form.cleaned_data["email"])
    reponse = HttpResponse(
        json.dumps(export, ensure_ascii=False, indent=2, default=str), content_type="application/json; charset=utf-8"
    )
    reponse["Content-Disposition"] = 'attachment; filename="donnees-personnelles.json"'
    return reponse


@require_POST
@login_required
def donnees_effacer(request):
    form = PersonneForm(request.POST)
    if not form.is_valid() or request.POST.get("confirmation") != "oui":
        messages.error(request, "Cochez la confirmation pour effacer les données.")
        return redirect("comptes:donnees_personnelles")
    email = form.cleaned_data["email"]
    try:
        resultat = services_donnees.donnees_effacer(par=request.user, email=email)
    except ValidationError as erreur:
        messages.error(request, " ".join(erreur.messages))
    else:
        detail = " ; ".join(f"{cle} : {phrase}" for cle, phrase in resultat.items())
        messages.success(request, f"Données de {email} effacées ({detail}).")
    return redirect("comptes:donnees_personnelles")
