"""Pages of an event's e-mail batches (rule `evenement.organiser`): the batches with their counts, a new batch
(nature, recipients, text, preview before confirming) and one batch (progress while it is sent, per-recipient
status, « renvoyer les échecs »)."""

from django.contrib import messages
from django.contrib.auth.views import redirect_to_login
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.http import Http404
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.http import require_http_methods

from maillage.core.formulaires import ajouter_erreurs_du_service, creation_unique
from maillage.core.permissions import peut

from . import selectors_envois, services_envois
from .forms_envois import EnvoiForm, FiltreDestinatairesForm, textes_par_defaut
from .models import Destinataire, Envoi

APERCU = 20
PAR_PAGE = 50
REFUS = "Vous n'avez pas accès aux envois de cet événement."


def _evenement(request, pk):
    evenement = selectors_envois.evenement_des_envois(pk)
    if evenement is None:
        raise Http404("Événement introuvable.")
    if not peut(request.user, "evenement.organiser", evenement):
        if not request.user.is_authenticated:
            return None
        raise PermissionDenied(REFUS)
    return evenement


@require_http_methods(["GET"])
def envois(request, pk):
    evenement = _evenement(request, pk)
    if evenement is None:
        return redirect_to_login(request.get_full_path())
    return render(
        request,
        "reseau/envois/envois.html",
        {"evenement": evenement, "envois": selectors_envois.envois_liste(evenement)},
    )


def _initial(request, evenement) -> dict:
    nature = request.GET.get("nature", "")
    if nature not in Envoi.Nature.values:
        nature = Envoi.Nature.INVITATION
    return {"nature": nature, **textes_par_defaut(evenement, nature)}


def _initial_depuis(donnees) -> dict:
    """A bound form's input as initial values (a search must not show errors for fields not filled yet)."""
    multiples = ("categories", "communes", "epci", "listes", "personnes")
    initial = {k: donnees.getlist(k) for k in multiples}
    for champ in ("nature", "recherche", "objet", "message"):
        initial[champ] = donnees.get(champ, "")
    initial["avec_attente"] = bool(donnees.get("avec_attente"))
    return initial


@require_http_methods(["GET", "POST"])
@creation_unique
def envoi_creer(request, pk):
    evenement = _evenement(request, pk)
    if evenement is None:
        return redirect_to_login(request.get_full_path())
    action = request.POST.get("action", "apercu") if request.method == "POST" else ""
    selection = None
    if request.method == "GET":
        form = EnvoiForm(evenement=evenement, initial=_initial(request, evenement))
    elif action == "rechercher":
        form = EnvoiForm(evenement=evenement, initial=_initial_depuis(request.POST))
    else:
        form = EnvoiForm(request.POST, evenement=evenement)
        if form.is_valid():
            try:
                if action == "envoyer":
                    envoi = services_envois.envoi_creer(par=request.user, evenement=evenement, **form.donnees_service())
                    messages.success(request, "L'envoi est lancé : suivez sa progression ci-dessous.")
                    return redirect("reseau:envoi", evenement.pk, envoi.pk)
                selection = services_envois.apercu(par=request.user, evenement=evenement, **form.donnees_service())
            except ValidationError as e:
                ajouter_erreurs_du_service(form, e)
    return render(
        request,
        "reseau/envois/envoi_creer.html",
        {
            "evenement": evenement,
            "form": form,
            "selection": selection,
            "premiers": selection.retenus[:APERCU] if selection else [],
            "ecartes_par_raison": selection.ecartes_par_raison() if selection else {},
            "natures": Envoi.Nature.choices,
        },
        status=422 if request.method == "POST" and form.is_bound and form.errors else 200,
    )


@require_http_methods(["GET", "POST"])
def envoi(request, pk, envoi_pk):
    evenement = _evenement(request, pk)
    if evenement is None:
        return redirect_to_login(request.get_full_path())
    lot = selectors_envois.envoi_de(evenement, envoi_pk)
    if lot is None:
        raise Http404("Envoi introuvable.")
    url = reverse("reseau:envoi", args=[evenement.pk, lot.pk])
    if request.method == "POST":
        if request.POST.get("action") != "renvoyer":
            messages.error(request, "Action inconnue.")
            return redirect(url)
        nombre = services_envois.echecs_renvoyer(par=request.user, envoi=lot)
        if nombre:
            messages.success(request, f"{nombre} courriel(s) en échec remis dans la file d'envoi.")
        else:
            messages.info(request, "Aucun échec à renvoyer.")
        return redirect(url)
    contexte = {"evenement": evenement, "envoi": lot, "travail": selectors_envois.travail_de(lot)}
    if request.htmx and request.GET.get("etat"):
        return render(request, "reseau/envois/_etat.html", contexte)
    filtre = FiltreDestinatairesForm(request.GET or None)
    statut = filtre.cleaned_data["statut"] if filtre.is_valid() else ""
    page = Paginator(selectors_envois.destinataires_de(lot, statut=statut), PAR_PAGE).get_page(request.GET.get("page"))
    contexte.update(
        {
            "filtre": filtre,
            "page": page,
            "parametres": f"statut={statut}" if statut else "",
            "statuts": Destinataire.Statut.choices,
        }
    )
    return render(request, "reseau/envois/envoi.html", contexte)
