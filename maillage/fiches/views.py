"""Pages of the fiches expérience: list with filters (public), detail, create/edit, propose, publish."""

from urllib.parse import urlencode

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.contrib.auth.views import redirect_to_login
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.shortcuts import get_object_or_404, redirect, render
from django.views.decorators.http import require_POST

from maillage.comptes.models import Role
from maillage.core.formulaires import ajouter_erreurs_du_service, creation_unique
from maillage.core.permissions import codes_departements, est_admin, exiger, peut

from . import selectors as selectors_fiches
from . import services as services_fiches
from .forms import FicheForm, FiltresForm, structures_du_pilote
from .models import FicheExperience

PAR_PAGE = 20


def fiches(request):
    visibles = selectors_fiches.fiches_visibles(request.user)
    filtres = FiltresForm(request.GET or None, communes=selectors_fiches.communes_des_fiches(visibles))
    criteres = filtres.cleaned_data if filtres.is_valid() else {}
    liste = selectors_fiches.filtrer(
        visibles,
        theme=criteres.get("theme", ""),
        commune=criteres.get("commune", ""),
        type_structure=criteres.get("type", ""),
    ).order_by("-publiee_le", "-modifie_le", "pk")
    page = Paginator(liste, PAR_PAGE).get_page(request.GET.get("page"))
    parametres = urlencode({k: v for k, v in criteres.items() if v})
    peut_ecrire = request.user.is_authenticated and (
        est_admin(request.user)
        or request.user.role == Role.PILOTE
        or (request.user.role == Role.STRUCTURE and request.user.structure_id)
    )
    return render(
        request,
        "fiches/liste.html",
        {
            "page": page,
            "filtres": filtres,
            "parametres": parametres,
            "peut_ecrire": peut_ecrire,
            "themes": dict(selectors_fiches.themes()[0]),
        },
    )


def _fiche(request, pk) -> FicheExperience:
    fiche = get_object_or_404(FicheExperience.objects.select_related("structure", "structure__commune"), pk=pk)
    if not peut(request.user, "fiche.voir", fiche):
        raise PermissionDenied("Vous n'avez pas accès à cette fiche.")
    return fiche


def fiche(request, pk):
    try:
        fiche = _fiche(request, pk)
    except PermissionDenied:
        if not request.user.is_authenticated:
            return redirect_to_login(request.get_full_path())
        raise
    return render(
        request,
        "fiches/detail.html",
        {
            "fiche": fiche,
            "theme": selectors_fiches.libelle_theme(fiche.theme),
            "peut_modifier": peut(request.user, "fiche.modifier", fiche),
            "peut_publier": peut(request.user, "fiche.publier", fiche),
        },
    )


@login_required
@creation_unique
def fiche_creer(request):
    user = request.user
    structures = None
    if est_admin(user):
        structures = selectors_fiches.structures_par_nom()
    elif user.role == Role.PILOTE:
        structures = structures_du_pilote(codes_departements(user))
    elif not (user.role == Role.STRUCTURE and user.structure_id):
        raise PermissionDenied("Seuls les comptes des structures et les pilotes écrivent des fiches.")
    form = FicheForm(request.POST or None, structures=structures)
    if request.method == "POST" and form.is_valid():
        structure = form.cleaned_data.get("structure") or user.structure
        try:
            cree = services_fiches.fiche_creer(par=user, structure=structure, donnees=form.cleaned_data)
        except ValidationError as e:
            ajouter_erreurs_du_service(form, e)
        else:
            messages.success(request, "Fiche enregistrée en brouillon.")
            return redirect("observatoire:fiche", pk=cree.pk)
    return render(request, "fiches/formulaire.html", {"form": form, "fiche": None})


@login_required
def fiche_modifier(request, pk):
    fiche = _fiche(request, pk)
    exiger(request.user, "fiche.modifier", fiche)
    initial = {champ: getattr(fiche, champ) for champ in services_fiches.CHAMPS}
    form = FicheForm(request.POST or None, initial=initial, version=fiche.version)
    if request.method == "POST" and form.is_valid():
        try:
            services_fiches.fiche_modifier(
                par=request.user, fiche=fiche, donnees=form.champs_saisis(), version=form.version_lue
            )
        except ValidationError as e:
            ajouter_erreurs_du_service(form, e)
        else:
            messages.success(request, "Fiche enregistrée.")
            return redirect("observatoire:fiche", pk=fiche.pk)
    return render(request, "fiches/formulaire.html", {"form": form, "fiche": fiche})


def _action(request, pk, faire, succes: str):
    fiche = _fiche(request, pk)
    try:
        faire(fiche)
    except ValidationError as e:
        messages.error(request, " ".join(e.messages))
    else:
        messages.success(request, succes)
    return redirect("observatoire:fiche", pk=fiche.pk)


@login_required
@require_POST
def fiche_proposer(request, pk):
    return _action(
        request,
        pk,
        lambda f: services_fiches.fiche_proposer(par=request.user, fiche=f),
        "Fiche proposée au pilote pour publication.",
    )


@login_required
@require_POST
def fiche_publier(request, pk):
    portee = request.POST.get("portee", "")
    if portee == "retirer":
        return _action(
            request, pk, lambda f: services_fiches.fiche_retirer(par=request.user, fiche=f), "Fiche retirée."
        )
    libelle = "au public" if portee == "public" else "au réseau"
    return _action(
        request,
        pk,
        lambda f: services_fiches.fiche_publier(par=request.user, fiche=f, portee=portee),
        f"Fiche publiée {libelle}.",
    )
