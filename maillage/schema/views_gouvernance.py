"""Pages of the schéma's governance: instances and their meetings, a meeting (attendance, minutes, decisions), the
committee's preparation, the follow-up board of decisions; the forms that create and edit them.

Read by the accounts of the schéma's département (`schema.voir_interne`: names of people, never public); written
by the pilote (`schema.gerer`); a decision's status also by its responsible organisation (`decision.mettre_a_jour`).
"""

from urllib.parse import urlencode

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import path, reverse
from django.utils.http import url_has_allowed_host_and_scheme
from django.views.decorators.http import require_http_methods, require_POST

from maillage.core.formulaires import ajouter_erreurs_du_service, creation_unique
from maillage.core.horloge import aujourdhui
from maillage.core.permissions import exiger, peut
from maillage.core.telechargements import servir_fichier

from . import selectors_gouvernance as selecteurs
from . import services_gouvernance as services
from .contexte import contexte_schema
from .forms_gouvernance import (
    DecisionForm,
    FiltresDecisionsForm,
    InstanceForm,
    ReunionForm,
    StatutDecisionForm,
    VersionForm,
    valeurs_decision,
    valeurs_instance,
    valeurs_reunion,
)
from .models import Decision, Instance, Reunion, Schema
from .selectors_indicateurs import indicateurs_du_schema

DECISIONS_PAR_PAGE = 50


# --- Loading with the permission check --------------------------------------------------------------------------


def _schema(request, pk, regle: str) -> Schema:
    schema = get_object_or_404(Schema.objects.select_related("departement"), pk=pk)
    exiger(request.user, regle, schema)
    return schema


def _instance(request, pk, regle: str) -> Instance:
    instance = get_object_or_404(Instance.objects.select_related("schema__departement"), pk=pk)
    exiger(request.user, regle, instance.schema)
    return instance


def _reunion(request, pk, regle: str) -> Reunion:
    try:
        reunion = selecteurs.reunion(pk)
    except Reunion.DoesNotExist:
        raise Http404("Réunion introuvable.") from None
    exiger(request.user, regle, reunion.instance.schema)
    return reunion


def _decision(request, pk) -> Decision:
    decision = get_object_or_404(
        Decision.objects.select_related("reunion__instance__schema__departement", "responsable"), pk=pk
    )
    exiger(request.user, "schema.voir_interne", decision.reunion.instance.schema)
    return decision


def _page(request, gabarit: str, schema: Schema, onglet: str, **contexte):
    return render(request, gabarit, {**contexte_schema(request, schema, onglet), **contexte})


def _retour(request, defaut: str) -> str:
    """Where to go back after a small action: the page that sent it when it is ours, else `defaut`."""
    suivant = request.POST.get("suivant") or request.GET.get("suivant") or ""
    if suivant.startswith("/") and url_has_allowed_host_and_scheme(suivant, allowed_hosts={request.get_host()}):
        return suivant
    return defaut


def _url_reunion(reunion: Reunion) -> str:
    return reverse("schema:reunion", args=[reunion.pk])


# --- Governance page and instances ------------------------------------------------------------------------------


@login_required
def gouvernance(request, pk):
    schema = _schema(request, pk, "schema.voir_interne")
    jour = aujourdhui()
    lignes = selecteurs.gouvernance(schema, jour=jour)
    return _page(
        request,
        "schema/gouvernance/gouvernance.html",
        schema,
        "gouvernance",
        lignes=lignes,
        prochaine=selecteurs.prochaine_reunion(lignes),
        jour=jour,
    )


@login_required
@require_http_methods(["GET", "POST"])
@creation_unique
def instance_creer(request, pk):
    schema = _schema(request, pk, "schema.gerer")
    form = InstanceForm(request.POST or None, schema=schema)
    if request.method == "POST" and form.is_valid():
        try:
            instance = services.instance_creer(par=request.user, schema=schema, **form.champs_saisis())
        except ValidationError as erreur:
            ajouter_erreurs_du_service(form, erreur)
        else:
            messages.success(request, f"L'instance « {instance.nom} » a été créée.")
            return redirect(reverse("schema:gouvernance", args=[schema.pk]) + f"#instance-{instance.pk}")
    return _page(
        request,
        "schema/gouvernance/formulaire.html",
        schema,
        "gouvernance",
        form=form,
        titre="Nouvelle instance de gouvernance",
        retour=reverse("schema:gouvernance", args=[schema.pk]),
        creation=True,
    )


@login_required
@require_http_methods(["GET", "POST"])
def instance_modifier(request, pk):
    instance = _instance(request, pk, "schema.gerer")
    form = InstanceForm(
        request.POST or None, schema=instance.schema, initial=valeurs_instance(instance), version=instance.version
    )
    if request.method == "POST" and form.is_valid():
        try:
            services.instance_modifier(
                par=request.user, instance=instance, version=form.version_lue, **form.champs_saisis()
            )
        except ValidationError as erreur:
            ajouter_erreurs_du_service(form, erreur)
        else:
            messages.success(request, f"L'instance « {instance.nom} » a été enregistrée.")
            return redirect(reverse("schema:gouvernance", args=[instance.schema_id]) + f"#instance-{instance.pk}")
    return _page(
        request,
        "schema/gouvernance/formulaire.html",
        instance.schema,
        "gouvernance",
        form=form,
        titre=f"Modifier l'instance « {instance.nom} »",
        retour=reverse("schema:gouvernance", args=[instance.schema_id]),
    )


@login_required
@require_http_methods(["GET", "POST"])
def instance_supprimer(request, pk):
    instance = _instance(request, pk, "schema.gerer")
    retour = reverse("schema:gouvernance", args=[instance.schema_id])
    if request.method == "POST":
        try:
            services.instance_supprimer(par=request.user, instance=instance)
        except ValidationError as erreur:
            messages.error(request, " ".join(erreur.messages))
        else:
            messages.success(request, f"L'instance « {instance.nom} » a été supprimée.")
        return redirect(retour)
    return _page(
        request,
        "schema/gouvernance/supprimer.html",
        instance.schema,
        "gouvernance",
        titre=f"Supprimer l'instance « {instance.nom} »",
        objet=f"l'instance « {instance.nom} »",
        retour=retour,
    )


# --- Meetings ---------------------------------------------------------------------------------------------------


@login_required
@require_http_methods(["GET", "POST"])
@creation_unique
def reunion_creer(request, pk):
    instance = _instance(request, pk, "schema.gerer")
    form = ReunionForm(request.POST or None, schema=instance.schema)
    if request.method == "POST" and form.is_valid():
        try:
            reunion = services.reunion_creer(par=request.user, instance=instance, **form.valeurs())
        except ValidationError as erreur:
            ajouter_erreurs_du_service(form, erreur)
        else:
            messages.success(request, "La réunion a été enregistrée.")
            return redirect(_url_reunion(reunion))
    return _page(
        request,
        "schema/gouvernance/formulaire.html",
        instance.schema,
        "gouvernance",
        form=form,
        titre=f"Nouvelle réunion — {instance.nom}",
        retour=reverse("schema:gouvernance", args=[instance.schema_id]),
        creation=True,
    )


@login_required
def reunion(request, pk):
    reunion = _reunion(request, pk, "schema.voir_interne")
    schema = reunion.instance.schema
    organisations, comptes = selecteurs.presences(reunion)
    decisions = selecteurs.decisions_de_la_reunion(reunion)
    jour = aujourdhui()
    for decision in decisions:
        decision.peut_statut = peut(request.user, "decision.mettre_a_jour", decision)
        decision.en_retard = selecteurs.est_en_retard(decision, jour)
    return _page(
        request,
        "schema/gouvernance/reunion.html",
        schema,
        "gouvernance",
        reunion=reunion,
        titre_reunion=selecteurs.titre(reunion),
        date_figee=selecteurs.date_figee(reunion),
        nom_fichier=reunion.compte_rendu_fichier.name.rsplit("/", 1)[-1] if reunion.compte_rendu_fichier else "",
        a_venir=selecteurs.date_locale(reunion.date) > jour,
        du_jour=selecteurs.date_locale(reunion.date) == jour,
        organisations=organisations,
        comptes=comptes,
        decisions=decisions,
        statuts=Decision.Statut.choices,
        ici=request.get_full_path(),
    )


@login_required
@require_http_methods(["GET", "POST"])
def reunion_modifier(request, pk):
    reunion = _reunion(request, pk, "schema.gerer")
    schema = reunion.instance.schema
    form = ReunionForm(
        request.POST or None,
        request.FILES or None,
        schema=schema,
        reunion=reunion,
        initial=valeurs_reunion(reunion),
        version=reunion.version,
    )
    if request.method == "POST" and form.is_valid():
        try:
            services.reunion_modifier(par=request.user, reunion=reunion, version=form.version_lue, **form.valeurs())
        except ValidationError as erreur:
            ajouter_erreurs_du_service(form, erreur)
        else:
            messages.success(request, "La réunion a été enregistrée.")
            return redirect(_url_reunion(reunion))
    return _page(
        request,
        "schema/gouvernance/formulaire.html",
        schema,
        "gouvernance",
        form=form,
        reunion=reunion,
        titre=f"Modifier la réunion — {selecteurs.titre(reunion)}",
        retour=_url_reunion(reunion),
        fichiers=True,
    )


@login_required
@require_POST
def reunion_figer(request, pk):
    reunion = _reunion(request, pk, "schema.gerer")
    form = VersionForm(request.POST, version=reunion.version)
    if not form.is_valid():
        messages.error(request, " ".join(form.non_field_errors()))
        return redirect(_url_reunion(reunion))
    try:
        services.reunion_figer(par=request.user, reunion=reunion, version=form.version_lue)
    except ValidationError as erreur:
        messages.error(request, " ".join(erreur.messages))
    else:
        messages.success(request, "La réunion est enregistrée comme tenue : l'avancement du schéma y est figé.")
    return redirect(_url_reunion(reunion))


@login_required
@require_http_methods(["GET", "POST"])
def reunion_supprimer(request, pk):
    reunion = _reunion(request, pk, "schema.gerer")
    schema = reunion.instance.schema
    if request.method == "POST":
        try:
            services.reunion_supprimer(par=request.user, reunion=reunion)
        except ValidationError as erreur:
            messages.error(request, " ".join(erreur.messages))
            return redirect(_url_reunion(reunion))
        messages.success(request, "La réunion a été supprimée.")
        return redirect("schema:gouvernance", pk=schema.pk)
    return _page(
        request,
        "schema/gouvernance/supprimer.html",
        schema,
        "gouvernance",
        reunion=reunion,
        titre=f"Supprimer la réunion — {selecteurs.titre(reunion)}",
        objet=f"la réunion « {selecteurs.titre(reunion)} »",
        retour=_url_reunion(reunion),
    )


@login_required
def reunion_compte_rendu(request, pk):
    """The minutes file, served after the permission check (never through a public media URL)."""
    reunion = _reunion(request, pk, "schema.voir_interne")
    if not reunion.compte_rendu_fichier:
        raise Http404("Cette réunion n'a pas de compte rendu déposé.")
    nom = reunion.compte_rendu_fichier.name.rsplit("/", 1)[-1]
    return servir_fichier(
        reunion.compte_rendu_fichier,
        type_mime=services.type_compte_rendu(nom),
        introuvable="Le fichier du compte rendu est introuvable.",
    )


@login_required
def reunion_preparer(request, pk):
    reunion = _reunion(request, pk, "schema.voir_interne")
    schema = reunion.instance.schema
    preparation = selecteurs.preparation(reunion, indicateurs=indicateurs_du_schema(schema))
    precedente = preparation.precedente
    return _page(
        request,
        "schema/gouvernance/preparer.html",
        schema,
        "gouvernance",
        reunion=reunion,
        titre_reunion=selecteurs.titre(reunion),
        titre_precedente=selecteurs.titre(precedente) if precedente else "",
        date_precedente=selecteurs.date_figee(precedente) if precedente else None,
        p=preparation,
    )


# --- Decisions --------------------------------------------------------------------------------------------------


@login_required
@require_http_methods(["GET", "POST"])
@creation_unique
def decision_creer(request, pk):
    reunion = _reunion(request, pk, "schema.gerer")
    schema = reunion.instance.schema
    form = DecisionForm(request.POST or None, schema=schema)
    if request.method == "POST" and form.is_valid():
        try:
            decision = services.decision_creer(par=request.user, reunion=reunion, **form.valeurs())
        except ValidationError as erreur:
            ajouter_erreurs_du_service(form, erreur)
        else:
            messages.success(request, "La décision a été enregistrée.")
            return redirect(_url_reunion(reunion) + f"#decision-{decision.pk}")
    return _page(
        request,
        "schema/gouvernance/formulaire.html",
        schema,
        "gouvernance",
        form=form,
        reunion=reunion,
        titre=f"Nouvelle décision — {selecteurs.titre(reunion)}",
        retour=_url_reunion(reunion),
        creation=True,
    )


@login_required
@require_http_methods(["GET", "POST"])
def decision_modifier(request, pk):
    decision = _decision(request, pk)
    schema = decision.reunion.instance.schema
    exiger(request.user, "schema.gerer", schema)
    form = DecisionForm(
        request.POST or None, schema=schema, initial=valeurs_decision(decision), version=decision.version
    )
    if request.method == "POST" and form.is_valid():
        try:
            services.decision_modifier(par=request.user, decision=decision, version=form.version_lue, **form.valeurs())
        except ValidationError as erreur:
            ajouter_erreurs_du_service(form, erreur)
        else:
            messages.success(request, "La décision a été enregistrée.")
            return redirect(_url_reunion(decision.reunion) + f"#decision-{decision.pk}")
    return _page(
        request,
        "schema/gouvernance/formulaire.html",
        schema,
        "gouvernance",
        form=form,
        reunion=decision.reunion,
        titre="Modifier la décision",
        retour=_url_reunion(decision.reunion),
    )


@login_required
@require_http_methods(["GET", "POST"])
def decision_statut(request, pk):
    """Move a decision on: a small form on the meeting page and on the board, or this page (also where a refusal,
    such as a stale version, is shown)."""
    decision = _decision(request, pk)
    exiger(request.user, "decision.mettre_a_jour", decision)
    schema = decision.reunion.instance.schema
    retour = _retour(request, _url_reunion(decision.reunion) + f"#decision-{decision.pk}")
    form = StatutDecisionForm(request.POST or None, initial={"statut": decision.statut}, version=decision.version)
    if request.method == "POST" and form.is_valid():
        try:
            services.decision_changer_statut(
                par=request.user, decision=decision, statut=form.cleaned_data["statut"], version=form.version_lue
            )
        except ValidationError as erreur:
            ajouter_erreurs_du_service(form, erreur)
        else:
            messages.success(request, f"Statut de la décision : {decision.get_statut_display()}.")
            return redirect(retour)
    return _page(
        request,
        "schema/gouvernance/statut.html",
        schema,
        "decisions",
        form=form,
        decision=decision,
        retour=retour,
    )


@login_required
@require_http_methods(["GET", "POST"])
def decision_supprimer(request, pk):
    decision = _decision(request, pk)
    schema = decision.reunion.instance.schema
    exiger(request.user, "schema.gerer", schema)
    retour = _url_reunion(decision.reunion)
    if request.method == "POST":
        services.decision_supprimer(par=request.user, decision=decision)
        messages.success(request, "La décision a été supprimée.")
        return redirect(retour)
    return _page(
        request,
        "schema/gouvernance/supprimer.html",
        schema,
        "gouvernance",
        reunion=decision.reunion,
        titre="Supprimer la décision",
        objet=f"la décision « {decision} »",
        retour=retour,
    )


@login_required
def decisions(request, pk):
    """The follow-up board of the schéma's decisions: filters (status, responsible, late only), counts, links that
    keep the filters."""
    schema = _schema(request, pk, "schema.voir_interne")
    jour = aujourdhui()
    filtres = FiltresDecisionsForm(request.GET or None, schema=schema)
    criteres = filtres.criteres()
    liste = selecteurs.decisions_du_schema(schema, jour=jour, **criteres)
    parametres = urlencode(
        {
            cle: valeur
            for cle, valeur in {
                "statut": criteres["statut"],
                "responsable": criteres["responsable"].pk if criteres["responsable"] else "",
                "en_retard": "on" if criteres["en_retard"] else "",
            }.items()
            if valeur
        }
    )
    page = Paginator(liste, DECISIONS_PAR_PAGE).get_page(request.GET.get("page"))
    comptes = selecteurs.compter_decisions(schema, jour=jour)
    for decision in page:
        decision.peut_statut = peut(request.user, "decision.mettre_a_jour", decision)
        decision.en_retard = selecteurs.est_en_retard(decision, jour)
    return _page(
        request,
        "schema/gouvernance/decisions.html",
        schema,
        "decisions",
        filtres=filtres,
        filtre=any(criteres.values()),
        page=page,
        parametres=parametres,
        comptes=comptes,
        compteurs=[(code, libelle, comptes[code]) for code, libelle in Decision.Statut.choices],
        statuts=Decision.Statut.choices,
        jour=jour,
        ici=request.get_full_path(),
    )


urlpatterns = [
    path("<int:pk>/gouvernance/", gouvernance, name="gouvernance"),
    path("<int:pk>/gouvernance/instances/nouvelle/", instance_creer, name="instance_creer"),
    path("<int:pk>/decisions/", decisions, name="decisions"),
    path("instances/<int:pk>/modifier/", instance_modifier, name="instance_modifier"),
    path("instances/<int:pk>/supprimer/", instance_supprimer, name="instance_supprimer"),
    path("instances/<int:pk>/reunions/nouvelle/", reunion_creer, name="reunion_creer"),
    path("reunions/<int:pk>/", reunion, name="reunion"),
    path("reunions/<int:pk>/modifier/", reunion_modifier, name="reunion_modifier"),
    path("reunions/<int:pk>/supprimer/", reunion_supprimer, name="reunion_supprimer"),
    path("reunions/<int:pk>/figer/", reunion_figer, name="reunion_figer"),
    path("reunions/<int:pk>/compte-rendu/", reunion_compte_rendu, name="reunion_compte_rendu"),
    path("reunions/<int:pk>/preparer/", reunion_preparer, name="reunion_preparer"),
    path("reunions/<int:pk>/decisions/nouvelle/", decision_creer, name="decision_creer"),
    path("decisions/<int:pk>/modifier/", decision_modifier, name="decision_modifier"),
    path("decisions/<int:pk>/statut/", decision_statut, name="decision_statut"),
    path("decisions/<int:pk>/supprimer/", decision_supprimer, name="decision_supprimer"),
]
