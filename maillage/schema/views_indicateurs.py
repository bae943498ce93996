"""Pages of a schéma's indicators: the list grouped by attachment with charts, one indicator with its dated
history and the entry of typed values, the pilote's forms (create, edit, delete an indicator; correct or delete a
typed value). Readable by all for an adopted schéma (rule `schema.voir`), without authors nor comments for readers
outside the département (`schema.voir_interne`)."""

from itertools import groupby

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.contrib.auth.views import redirect_to_login
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import path
from django.utils.safestring import mark_safe

from maillage.core.formulaires import ajouter_erreurs_du_service, creation_unique
from maillage.core.permissions import exiger, peut

from . import graphiques
from . import indicateurs as catalogue
from . import selectors_indicateurs as selectors
from . import services_indicateurs as services
from .contexte import contexte_schema
from .forms_indicateurs import IndicateurForm, ValeurForm
from .models import Indicateur, Schema, ValeurIndicateur

# Service error keys → the form field that shows them.
CHAMPS_DU_FORMULAIRE = {"parametres": "type_structure", "axe": "rattachement", "fiche": "rattachement"}


def _refuser(request, message="Vous n'avez pas accès à cette page."):
    if not request.user.is_authenticated:
        return redirect_to_login(request.get_full_path())
    raise PermissionDenied(message)


def _schema(request, pk) -> Schema | None:
    schema = get_object_or_404(Schema.objects.select_related("departement"), pk=pk)
    return schema if peut(request.user, "schema.voir", schema) else None


def _indicateur(request, pk) -> Indicateur | None:
    indicateur = selectors.indicateur_detaille(pk)
    if indicateur is None:
        raise Http404("Indicateur inconnu.")
    return indicateur if peut(request.user, "schema.voir", indicateur.schema) else None


def _svg(ligne) -> str:
    # graphiques escapes every text it writes.
    return mark_safe(graphiques.svg_indicateur(ligne, identifiant=f"graphique-{ligne.indicateur.pk}"))


def indicateurs(request, pk):
    schema = _schema(request, pk)
    if schema is None:
        return _refuser(request)
    lignes = selectors.indicateurs_du_schema(schema)
    for ligne in lignes:
        ligne.svg = _svg(ligne)
    groupes = [(texte, list(membres)) for texte, membres in groupby(lignes, key=lambda x: x.rattachement)]
    en_bonne_voie = sum(1 for x in lignes if x.en_bonne_voie)
    hors_trajectoire = sum(1 for x in lignes if x.en_bonne_voie is False)
    return render(
        request,
        "schema/indicateurs/liste.html",
        {
            **contexte_schema(request, schema, "indicateurs"),
            "groupes": groupes,
            "nombre": len(lignes),
            "en_bonne_voie": en_bonne_voie,
            "hors_trajectoire": hors_trajectoire,
        },
    )


@creation_unique
def indicateur(request, pk):
    indicateur = _indicateur(request, pk)
    if indicateur is None:
        return _refuser(request)
    schema = indicateur.schema
    peut_saisir = indicateur.source == Indicateur.Source.MANUEL and peut(request.user, "indicateur.saisir", indicateur)
    form = None
    if peut_saisir:
        form = ValeurForm(request.POST if request.method == "POST" else None)
        if request.method == "POST" and form.is_valid():
            try:
                services.valeur_saisir(
                    par=request.user,
                    indicateur=indicateur,
                    date=form.cleaned_data["date"],
                    valeur=form.cleaned_data["valeur"],
                    commentaire=form.cleaned_data["commentaire"],
                )
            except ValidationError as e:
                ajouter_erreurs_du_service(form, e)
            else:
                messages.success(request, "Valeur enregistrée.")
                return redirect("schema:indicateur", pk=indicateur.pk)
    elif request.method == "POST":
        return _refuser(request, "Vous ne pouvez pas saisir de valeur pour cet indicateur.")
    ligne = selectors.ligne_indicateur(indicateur)
    contexte = contexte_schema(request, schema, "indicateurs")
    historique = list(reversed(ligne.indicateur.valeurs.all()))
    for valeur in historique:
        valeur.texte = ligne.texte(valeur.valeur)
    return render(
        request,
        "schema/indicateurs/detail.html",
        {
            **contexte,
            "ligne": ligne,
            "indicateur": indicateur,
            "svg": _svg(ligne),
            "historique": historique,
            "definition": ligne.definition,
            "form": form,
            "peut_saisir": peut_saisir,
        },
    )


def _enregistrer_indicateur(request, schema, form, faire):
    if request.method == "POST" and form.is_valid():
        try:
            cree = faire(form)
        except ValidationError as e:
            if hasattr(e, "error_dict"):
                e = ValidationError({CHAMPS_DU_FORMULAIRE.get(k, k): v for k, v in e.error_dict.items()})
            ajouter_erreurs_du_service(form, e)
        else:
            messages.success(request, "Indicateur enregistré.")
            return redirect("schema:indicateur", pk=cree.pk)
    return None


@login_required
@creation_unique
def indicateur_creer(request, pk):
    schema = get_object_or_404(Schema.objects.select_related("departement"), pk=pk)
    exiger(request.user, "schema.gerer", schema)
    form = IndicateurForm(request.POST or None, schema=schema, initial={"source": Indicateur.Source.CALCULE})
    reponse = _enregistrer_indicateur(
        request,
        schema,
        form,
        lambda f: services.indicateur_creer(par=request.user, schema=schema, donnees=f.donnees()),
    )
    return reponse or render(
        request,
        "schema/indicateurs/formulaire.html",
        {
            **contexte_schema(request, schema, "indicateurs"),
            "form": form,
            "indicateur": None,
            "catalogue": catalogue.CATALOGUE.values(),
        },
    )


@login_required
def indicateur_modifier(request, pk):
    indicateur = get_object_or_404(Indicateur.objects.select_related("schema", "schema__departement"), pk=pk)
    schema = indicateur.schema
    exiger(request.user, "schema.gerer", schema)
    form = IndicateurForm(
        request.POST or None, schema=schema, initial=IndicateurForm.initial_de(indicateur), version=indicateur.version
    )
    reponse = _enregistrer_indicateur(
        request,
        schema,
        form,
        lambda f: services.indicateur_modifier(
            par=request.user, indicateur=indicateur, donnees=f.donnees(), version=f.version_lue
        ),
    )
    return reponse or render(
        request,
        "schema/indicateurs/formulaire.html",
        {
            **contexte_schema(request, schema, "indicateurs"),
            "form": form,
            "indicateur": indicateur,
            "catalogue": catalogue.CATALOGUE.values(),
        },
    )


@login_required
def indicateur_supprimer(request, pk):
    indicateur = get_object_or_404(Indicateur.objects.select_related("schema", "schema__departement"), pk=pk)
    schema = indicateur.schema
    exiger(request.user, "schema.gerer", schema)
    if request.method == "POST":
        services.indicateur_supprimer(par=request.user, indicateur=indicateur)
        messages.success(request, f"Indicateur {indicateur.code} supprimé.")
        return redirect("schema:indicateurs", pk=schema.pk)
    return render(
        request,
        "schema/indicateurs/confirmer.html",
        {
            **contexte_schema(request, schema, "indicateurs"),
            "titre": f"Supprimer l'indicateur {indicateur.code}",
            "texte": f"L'indicateur « {indicateur.libelle} » et toutes ses valeurs seront supprimés.",
            "retour": indicateur,
        },
    )


def _valeur_saisie(request, pk) -> ValeurIndicateur:
    valeur = get_object_or_404(
        ValeurIndicateur.objects.select_related(
            "indicateur", "indicateur__schema", "indicateur__schema__departement", "indicateur__fiche"
        ),
        pk=pk,
    )
    exiger(request.user, "indicateur.saisir", valeur.indicateur)
    if valeur.source != Indicateur.Source.MANUEL:
        raise PermissionDenied("Une valeur calculée ne se modifie pas : elle suit les données.")
    return valeur


@login_required
def valeur_modifier(request, pk):
    valeur = _valeur_saisie(request, pk)
    indicateur = valeur.indicateur
    initial = {
        "date": valeur.date,
        "valeur": str(valeur.valeur.normalize()).replace(".", ","),
        "commentaire": valeur.commentaire,
    }
    form = ValeurForm(request.POST or None, initial=initial, version=valeur.version)
    if request.method == "POST" and form.is_valid():
        try:
            services.valeur_modifier(
                par=request.user,
                valeur_indicateur=valeur,
                date=form.cleaned_data["date"],
                valeur=form.cleaned_data["valeur"],
                commentaire=form.cleaned_data["commentaire"],
                version=form.version_lue,
            )
        except ValidationError as e:
            ajouter_erreurs_du_service(form, e)
        else:
            messages.success(request, "Valeur corrigée.")
            return redirect("schema:indicateur", pk=indicateur.pk)
    return render(
        request,
        "schema/indicateurs/valeur.html",
        {
            **contexte_schema(request, indicateur.schema, "indicateurs"),
            "form": form,
            "indicateur": indicateur,
            "valeur": valeur,
        },
    )


@login_required
def valeur_supprimer(request, pk):
    valeur = _valeur_saisie(request, pk)
    indicateur = valeur.indicateur
    if request.method == "POST":
        services.valeur_supprimer(par=request.user, valeur_indicateur=valeur)
        messages.success(request, "Valeur supprimée.")
        return redirect("schema:indicateur", pk=indicateur.pk)
    return render(
        request,
        "schema/indicateurs/confirmer.html",
        {
            **contexte_schema(request, indicateur.schema, "indicateurs"),
            "titre": f"Supprimer la valeur du {valeur.date:%d/%m/%Y}",
            "texte": (
                f"La valeur saisie du {valeur.date:%d/%m/%Y} de l'indicateur « {indicateur.libelle} » sera supprimée."
            ),
            "retour": indicateur,
        },
    )


urlpatterns = [
    path("<int:pk>/indicateurs/", indicateurs, name="indicateurs"),
    path("<int:pk>/indicateurs/nouveau/", indicateur_creer, name="indicateur_creer"),
    path("indicateurs/<int:pk>/", indicateur, name="indicateur"),
    path("indicateurs/<int:pk>/modifier/", indicateur_modifier, name="indicateur_modifier"),
    path("indicateurs/<int:pk>/supprimer/", indicateur_supprimer, name="indicateur_supprimer"),
    path("indicateurs/valeurs/<int:pk>/modifier/", valeur_modifier, name="valeur_modifier"),
    path("indicateurs/valeurs/<int:pk>/supprimer/", valeur_supprimer, name="valeur_supprimer"),
]
