"""Review of one answer (read-only answer, checks, outliers, comments, history, actions) and a campaign's board."""

from urllib.parse import urlencode

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.template.defaultfilters import pluralize
from django.urls import reverse
from django.views.decorators.http import require_POST

from maillage.core import travaux
from maillage.core.models import Travail
from maillage.core.permissions import exiger, peut

from .. import services, taches
from ..models import Campagne, Reponse, Statut
from . import selectors as selectors_relecture
from .forms import CommentaireForm, FiltreSuiviForm, MotifForm

ACTIONS = {
    "renvoyer": ("Réponse renvoyée à la structure pour correction.", True),
    "valider": ("Réponse validée et verrouillée.", False),
    "rouvrir": ("Réponse rouverte : la structure peut de nouveau la modifier.", True),
    "commenter": ("Commentaire ajouté.", False),
}


def _reponse(pk):
    return get_object_or_404(
        Reponse.objects.select_related(
            "campagne", "campagne__departement", "campagne__questionnaire", "campagne__bloc_thematique", "structure"
        ),
        pk=pk,
    )


def _messages_erreur(erreur: ValidationError) -> list[str]:
    if hasattr(erreur, "error_dict"):
        return [m for liste in erreur.message_dict.values() for m in liste]
    return list(erreur.messages)


def _filtre_suivi(request) -> dict:
    """The follow-up list's filters carried along the review pages (`?statut=…&commune=…`), known statuses only."""
    statut = request.GET.get("statut", "")
    commune = request.GET.get("commune", "")
    return {
        "statut": statut if statut in Statut.values else "",
        "commune": commune if commune.isalnum() and len(commune) <= 10 else "",
    }


def _avec_filtre(url: str, filtre: dict) -> str:
    actifs = {cle: valeur for cle, valeur in filtre.items() if valeur}
    return f"{url}?{urlencode(actifs)}" if actifs else url


def _page(request, reponse, *, status=200, erreurs=(), formulaires=None, donnees=None):
    formulaires = formulaires or {}
    donnees = donnees or selectors_relecture.relecture(reponse)
    filtre = _filtre_suivi(request)
    peut_suivre = peut(request.user, "campagne.suivre", reponse.campagne)
    voisines = selectors_relecture.voisines(request.user, reponse, **filtre) if peut_suivre else {}
    contexte = {
        "reponse": reponse,
        "campagne": reponse.campagne,
        "peut_valider": reponse.statut == Statut.SOUMISE,
        "peut_renvoyer": reponse.statut == Statut.SOUMISE,
        "peut_rouvrir": reponse.statut == Statut.VALIDEE,
        "form_renvoyer": formulaires.get("renvoyer") or MotifForm(prefix="renvoyer"),
        "form_rouvrir": formulaires.get("rouvrir") or MotifForm(prefix="rouvrir"),
        "form_commenter": formulaires.get("commenter") or CommentaireForm(prefix="commenter"),
        "erreurs_action": list(erreurs),
        "peut_suivre": peut_suivre,
        "filtre_qs": _avec_filtre("", filtre),
        "url_suivi": _avec_filtre(reverse("observatoire:suivi", args=[reponse.campagne_id]), filtre),
        "voisines": voisines,
        "url_precedente": _avec_filtre(reverse("observatoire:relire", args=[voisines["precedente"]]), filtre)
        if voisines.get("precedente")
        else None,
        "url_suivante": _avec_filtre(reverse("observatoire:relire", args=[voisines["suivante"]]), filtre)
        if voisines.get("suivante")
        else None,
        "url_portrait": (
            reverse("observatoire:portrait", args=[reponse.campagne.annee, reponse.structure_id])
            if selectors_relecture.portrait_visible(request.user, reponse)
            else None
        ),
        **donnees,
    }
    return render(request, "observatoire/relecture/relire.html", contexte, status=status)


@login_required
def relire(request, pk):
    reponse = _reponse(pk)
    exiger(request.user, "reponse.relire", reponse)
    return _page(request, reponse)


@login_required
@require_POST
def relire_action(request, pk, action):
    if action not in ACTIONS:
        raise Http404("Action inconnue.")
    reponse = _reponse(pk)
    exiger(request.user, "reponse.relire", reponse)
    succes, avec_motif = ACTIONS[action]
    formulaire = None
    if action == "commenter":
        formulaire = CommentaireForm(request.POST, prefix="commenter")
    elif avec_motif:
        formulaire = MotifForm(request.POST, prefix=action)
    if formulaire is not None and not formulaire.is_valid():
        return _page(request, reponse, status=400, formulaires={action: formulaire})
    if action == "valider":
        # Validating over open alerts takes a second, explicit step (a checkbox posted with the form): no JS needed.
        donnees = selectors_relecture.relecture(reponse)
        nombre = donnees["nb_signalements"]
        if nombre and request.POST.get("valider-confirme") != "oui":
            return _page(
                request,
                reponse,
                status=400,
                donnees=donnees,
                erreurs=[
                    f"Cette réponse a {nombre} signalement{pluralize(nombre)} ouvert{pluralize(nombre)} : cochez"
                    f" « J'ai vu {'le signalement' if nombre == 1 else f'les {nombre} signalements'} » pour la"
                    " valider quand même, ou renvoyez-la à corriger."
                ],
            )
    try:
        if action == "renvoyer":
            services.reponse_renvoyer(par=request.user, reponse=reponse, motif=formulaire.cleaned_data["motif"])
        elif action == "valider":
            services.reponse_valider(par=request.user, reponse=reponse)
        elif action == "rouvrir":
            services.reponse_rouvrir(par=request.user, reponse=reponse, motif=formulaire.cleaned_data["motif"])
        else:
            services.reponse_commenter(
                par=request.user,
                reponse=reponse,
                texte=formulaire.cleaned_data["texte"],
                question=formulaire.cleaned_data["question"],
            )
    except ValidationError as e:
        reponse.refresh_from_db()
        return _page(request, reponse, status=400, erreurs=_messages_erreur(e), formulaires={action: formulaire})
    messages.success(request, succes)
    ancre = ""
    if action == "commenter":
        question = formulaire.cleaned_data["question"]
        ancre = f"#question-{question}" if question else "#commentaires"
    return redirect(_avec_filtre(reverse("observatoire:relire", args=[reponse.pk]), _filtre_suivi(request)) + ancre)


def _campagne(request, pk):
    campagne = get_object_or_404(Campagne.objects.select_related("departement"), pk=pk)
    exiger(request.user, "campagne.suivre", campagne)
    return campagne


@login_required
def suivi(request, pk):
    campagne = _campagne(request, pk)
    filtre = FiltreSuiviForm(request.GET or None)
    statut = commune = ""
    if filtre.is_bound:
        # The commune choices are only known after the query: read the raw filters, checked against known values.
        statut = request.GET.get("statut", "") if request.GET.get("statut", "") in Statut.values else ""
        commune = request.GET.get("commune", "")
    tableau = selectors_relecture.suivi_campagne(request.user, campagne, statut=statut, commune=commune)
    if commune and commune not in dict(tableau.communes):
        commune = ""
        tableau = selectors_relecture.suivi_campagne(request.user, campagne, statut=statut)
    filtre = FiltreSuiviForm(initial={"statut": statut, "commune": commune}, communes=tableau.communes)
    contexte = {
        "campagne": campagne,
        "suivi": tableau,
        "filtre": filtre,
        "filtre_actif": bool(statut or commune),
        "filtre_qs": _avec_filtre("", {"statut": statut, "commune": commune}),
        "seuil_correction": selectors_relecture.RETARD_CORRECTION_JOURS,
    }
    return render(request, "observatoire/relecture/suivi.html", contexte)


@login_required
@require_POST
def relancer(request, pk):
    campagne = _campagne(request, pk)
    tableau = selectors_relecture.suivi_campagne(request.user, campagne)
    choisies = set(request.POST.getlist("reponse"))
    retard = [r for r in tableau.en_retard if not choisies or str(r.pk) in choisies]
    if not retard:
        messages.info(request, "Aucune structure en retard à relancer.")
        return redirect("observatoire:suivi", pk=campagne.pk)
    # Refuse now what the task would refuse later: the pilot gets the 403, not a failed job.
    for reponse in retard:
        exiger(request.user, "reponse.relire", reponse)
    travail = travaux.travail_lancer(
        tache=taches.envoyer_relances,
        nature="observatoire.relances",
        libelle=f"Relances de la campagne {campagne.annee} — {campagne.departement.nom}",
        demandeur=request.user,
        url_resultat=reverse("observatoire:suivi", args=[campagne.pk]),
        campagne_id=campagne.pk,
        reponse_ids=[r.pk for r in retard],
        par_id=request.user.pk,
    )
    if not travail.fini:
        return redirect("core:travail", pk=travail.pk)
    if travail.statut == Travail.Statut.TERMINE:
        messages.success(request, travail.message)
    else:
        messages.error(request, travail.message)
    return redirect("observatoire:suivi", pk=campagne.pk)
