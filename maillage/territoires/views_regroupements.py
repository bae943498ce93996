"""A département's groupings of communes, for its pilotes: list them (EPT read-only), import a file, draw one, edit
its communes (dated), close it, delete it. Every page checks `departement.gerer` on the département."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render

from maillage.core import horloge
from maillage.core.formulaires import ajouter_erreurs_du_service, creation_unique
from maillage.core.imports import ImportRefuse
from maillage.core.permissions import exiger

from . import perimetres, selectors, services
from .forms_regroupements import ClotureForm, ImportRegroupementsForm, RegroupementForm, SuppressionForm
from .models import Regroupement


def _departement(request, code):
    departement = selectors.departement_par_code(code)
    exiger(request.user, "departement.gerer", departement)
    return departement


def _regroupement_local(departement, pk) -> Regroupement:
    regroupement = get_object_or_404(Regroupement, pk=pk)
    if regroupement.departement_id != departement.code:
        raise Http404("Ce regroupement n'est pas un regroupement du département.")
    return regroupement


@login_required
def liste(request, code):
    departement = _departement(request, code)
    aujourdhui = horloge.aujourdhui()
    regroupements = selectors.regroupements_a_gerer(departement.code, date=aujourdhui)
    par_type = []
    for cle, libelle in perimetres.LIBELLES.items():
        if cle == perimetres.EPCI_CLE:
            continue
        elements = [r for r in regroupements if r.type == cle]
        if elements:
            par_type.append({"cle": cle, "libelle": libelle, "regroupements": elements})
    contexte = {"departement": departement, "par_type": par_type, "aujourdhui": aujourdhui}
    return render(request, "territoires/regroupements/liste.html", contexte)


@login_required
@creation_unique
def creer(request, code):
    departement = _departement(request, code)
    form = RegroupementForm(request.POST or None, departement=departement.code)
    if request.method == "POST" and form.is_valid():
        d = form.cleaned_data
        try:
            regroupement = services.regroupement_creer(
                par=request.user,
                departement=departement.code,
                type=d["type"],
                nom=d["nom"],
                debut=d["debut"],
                fin=d["fin"],
                communes=d["communes"],
            )
        except ValidationError as erreur:
            ajouter_erreurs_du_service(form, erreur)
        else:
            messages.success(
                request,
                f"Le regroupement « {regroupement.nom} » est créé avec {len(d['communes'])} commune(s) ; il est "
                "proposé dans les filtres et agrégats par territoire.",
            )
            return redirect("territoires:regroupements", code=departement.code)
    return render(
        request,
        "territoires/regroupements/formulaire.html",
        {"departement": departement, "form": form, "regroupement": None},
    )


@login_required
def modifier(request, code, pk):
    departement = _departement(request, code)
    regroupement = _regroupement_local(departement, pk)
    # The communes shown checked, and the default date of the changes: today, within the grouping's validity.
    jour = max(horloge.aujourdhui(), regroupement.debut)
    if regroupement.fin is not None:
        jour = min(jour, regroupement.fin)
    membres = services.membres_a_la_date(regroupement, jour)
    form = RegroupementForm(
        request.POST or None,
        departement=departement.code,
        regroupement=regroupement,
        initial={"nom": regroupement.nom, "communes": sorted(membres), "date_effet": jour},
    )
    if request.method == "POST" and form.is_valid():
        d = form.cleaned_data
        try:
            changes = services.regroupement_modifier(
                par=request.user,
                regroupement=regroupement,
                nom=d["nom"],
                communes=d["communes"],
                date_effet=d["date_effet"],
                version=d.get("version"),
            )
        except ValidationError as erreur:
            ajouter_erreurs_du_service(form, erreur)
        else:
            messages.success(
                request,
                f"Le regroupement « {regroupement.nom} » est enregistré : {len(changes['ajoutees'])} commune(s) "
                f"ajoutée(s), {len(changes['retirees'])} retirée(s) au {d['date_effet']:%d/%m/%Y}.",
            )
            return redirect("territoires:regroupements", code=departement.code)
    contexte = {
        "departement": departement,
        "form": form,
        "regroupement": regroupement,
        "historique": selectors.historique_du_regroupement(regroupement),
    }
    return render(request, "territoires/regroupements/formulaire.html", contexte)


@login_required
def cloturer(request, code, pk):
    departement = _departement(request, code)
    regroupement = _regroupement_local(departement, pk)
    form = ClotureForm(
        request.POST or None, initial={"fin": regroupement.fin or horloge.aujourdhui()}, version=regroupement.version
    )
    if request.method == "POST" and form.is_valid():
        try:
            services.regroupement_cloturer(
                par=request.user,
                regroupement=regroupement,
                fin=form.cleaned_data["fin"],
                version=form.cleaned_data.get("version"),
            )
        except ValidationError as erreur:
            ajouter_erreurs_du_service(form, erreur)
        else:
            messages.success(
                request, f"Le regroupement « {regroupement.nom} » prend fin le {regroupement.fin:%d/%m/%Y}."
            )
            return redirect("territoires:regroupements", code=departement.code)
    contexte = {"departement": departement, "form": form, "regroupement": regroupement}
    return render(request, "territoires/regroupements/cloturer.html", contexte)


@login_required
def supprimer(request, code, pk):
    departement = _departement(request, code)
    regroupement = _regroupement_local(departement, pk)
    deja = services.regroupement_deja_en_vigueur(regroupement, aujourdhui=horloge.aujourdhui())
    form = SuppressionForm(request.POST if request.method == "POST" else None)
    if request.method == "POST" and form.is_valid():
        nom = regroupement.nom
        try:
            services.regroupement_supprimer(
                par=request.user, regroupement=regroupement, confirme=form.cleaned_data["confirme"]
            )
        except ValidationError as erreur:
            ajouter_erreurs_du_service(form, erreur)
        else:
            messages.success(request, f"Le regroupement « {nom} » est supprimé.")
            return redirect("territoires:regroupements", code=departement.code)
    contexte = {"departement": departement, "form": form, "regroupement": regroupement, "deja_en_vigueur": deja}
    return render(request, "territoires/regroupements/supprimer.html", contexte)


@login_required
def importer(request, code):
    departement = _departement(request, code)
    form = ImportRegroupementsForm(request.POST or None, request.FILES or None)
    refus = None
    if request.method == "POST" and form.is_valid():
        d = form.cleaned_data
        try:
            resume = services.regroupements_importer_par(
                par=request.user,
                departement=departement.code,
                type=d["type"],
                debut=d["debut"],
                fin=d["fin"],
                contenu=d["fichier"].read(),
                nom_fichier=d["fichier"].name,
            )
        except ImportRefuse as erreur:
            refus = erreur
        else:
            c = resume["regroupements"]
            messages.success(
                request,
                f"Import réussi : {c['crees']} regroupement(s) créé(s), {c['modifies']} modifié(s), "
                f"{c['inchanges']} inchangé(s) ; {c['communes']} commune(s).",
            )
            return redirect("territoires:regroupements", code=departement.code)
    contexte = {"departement": departement, "form": form, "refus": refus}
    return render(request, "territoires/regroupements/importer.html", contexte, status=422 if refus else 200)
