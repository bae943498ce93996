"""Pages of the network's events: the public agenda, an event (place, map, programme, restitutions), its forms and
programme for the organisers, the series of workshops, and the iCalendar files (one event, a département's feed).

Read by whoever may see the event (`evenement.voir`: a draft is a 404 for the others); written by its organisers
(`evenement.organiser`: the Caf's pilotes and conseillers of the département)."""

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.views.decorators.http import require_GET, require_http_methods

from maillage.core.formulaires import ajouter_erreurs_du_service, creation_unique
from maillage.core.horloge import maintenant
from maillage.core.permissions import codes_departements, exiger, peut
from maillage.territoires.selectors import departement_par_code, departements_pour_choix

from . import calendrier, services, services_programme
from . import selectors_evenements as selecteurs
from .cache import page_publique_en_cache
from .forms_evenements import (
    EvenementForm,
    FiltresForm,
    SerieForm,
    SessionForm,
    erreurs_intervenants,
    valeurs_evenement,
    valeurs_session,
)
from .models import Evenement, SessionProgramme

ICAL = "text/calendar; charset=utf-8"


# --- Loading with the permission check --------------------------------------------------------------------------


def _evenement(request, pk) -> Evenement:
    """The event if the user may see it: a 404 when it is a draft or the visitor is anonymous, a 403 otherwise."""
    evenement = selecteurs.evenement_page(pk)
    if evenement is None:
        raise Http404("Événement introuvable.")
    if not peut(request.user, "evenement.voir", evenement):
        if evenement.statut == Evenement.Statut.BROUILLON or not request.user.is_authenticated:
            raise Http404("Événement introuvable.")
        raise PermissionDenied("Cet événement est réservé au réseau de son département.")
    return evenement


def _organise(request, pk) -> Evenement:
    evenement = selecteurs.evenement_page(pk)
    if evenement is None:
        raise Http404("Événement introuvable.")
    exiger(request.user, "evenement.organiser", evenement)
    return evenement


def _session(request, pk, session_pk) -> tuple[Evenement, SessionProgramme]:
    evenement = _organise(request, pk)
    session = get_object_or_404(
        SessionProgramme.objects.select_related("evenement"), pk=session_pk, evenement=evenement
    )
    return evenement, session


def _departement_a_organiser(request):
    """The département of a creation form: `?departement=`, else the user's only one; organisers only."""
    code = request.GET.get("departement", "")
    if code:
        departement = departement_par_code(code)
    else:
        codes = sorted(codes_departements(request.user))
        if len(codes) != 1:
            raise Http404("Précisez le département (?departement=94).")
        departement = departement_par_code(codes[0])
    exiger(request.user, "evenement.organiser", departement)
    return departement


def _tuiles() -> dict:
    return {"tuiles_url": settings.MAILLAGE_TUILES_URL, "tuiles_attribution": settings.MAILLAGE_TUILES_ATTRIBUTION}


def _url_evenement(evenement) -> str:
    return reverse("reseau:evenement", args=[evenement.pk])


# --- Agenda and event -------------------------------------------------------------------------------------------


@require_GET
@page_publique_en_cache
def evenements(request):
    filtres = FiltresForm(request.GET or None, departements=departements_pour_choix())
    filtres.is_valid()  # an invalid filter is dropped, the others still apply
    valeurs = getattr(filtres, "cleaned_data", {})
    departement = None
    if code := valeurs.get("departement"):
        departement = departement_par_code(code)
    periode = valeurs.get("periode") or "tous"
    a_venir, passes = selecteurs.agenda(
        request.user, departement=departement, periode=periode, type=valeurs.get("type") or ""
    )
    instant = maintenant()
    for e in (*a_venir, *passes):
        e.raison = selecteurs.raison_fermeture(e, a=instant)
    if departement is not None:
        organiser = [departement] if peut(request.user, "evenement.organiser", departement) else []
    else:
        organiser = [
            c for c in sorted(codes_departements(request.user)) if peut(request.user, "evenement.organiser", c)
        ]
    return render(
        request,
        "reseau/evenements/liste.html",
        {
            "filtres": filtres,
            "departement": departement,
            "a_venir": a_venir,
            "passes": passes,
            "organiser": [getattr(d, "code", d) for d in organiser],
        },
    )


@require_GET
@page_publique_en_cache
def evenement(request, pk):
    evenement = _evenement(request, pk)
    organisateur = peut(request.user, "evenement.organiser", evenement)
    return render(
        request,
        "reseau/evenements/detail.html",
        {
            "evenement": evenement,
            "sessions": selecteurs.sessions(evenement),
            "ressources": selecteurs.ressources_evenement(request.user, evenement),
            "raison": selecteurs.raison_fermeture(evenement),
            "organisateur": organisateur,
            "onglet": "evenement",
            **_tuiles(),
        },
    )


@login_required
@require_http_methods(["GET", "POST"])
@creation_unique
def evenement_creer(request):
    departement = _departement_a_organiser(request)
    form = EvenementForm(
        request.POST or None,
        departement_id=departement.pk,
        initial={"statut": Evenement.Statut.BROUILLON, "acces": Evenement.Acces.INVITATION, "liste_attente": True},
    )
    if request.method == "POST" and form.is_valid():
        donnees = form.champs_saisis()
        coorganisateurs = donnees.pop("coorganisateurs")
        try:
            evenement = services.evenement_creer(
                par=request.user, departement=departement, coorganisateurs=coorganisateurs, **donnees
            )
        except ValidationError as erreur:
            ajouter_erreurs_du_service(form, erreur)
        else:
            messages.success(request, f"L'événement « {evenement.titre} » a été créé.")
            return redirect(_url_evenement(evenement))
    return render(
        request,
        "reseau/evenements/formulaire.html",
        {
            "form": form,
            "titre": f"Nouvel événement — {departement.nom}",
            "retour": reverse("reseau:evenements") + f"?departement={departement.code}",
            "creation": True,
        },
    )


@login_required
@require_http_methods(["GET", "POST"])
def evenement_modifier(request, pk):
    evenement = _organise(request, pk)
    form = EvenementForm(
        request.POST or None,
        departement_id=evenement.departement_id,
        initial=valeurs_evenement(evenement),
        version=evenement.version,
    )
    if request.method == "POST" and form.is_valid():
        donnees = form.champs_saisis()
        coorganisateurs = donnees.pop("coorganisateurs")
        try:
            services.evenement_modifier(
                par=request.user,
                evenement=evenement,
                version=form.version_lue,
                coorganisateurs=coorganisateurs,
                **donnees,
            )
        except ValidationError as erreur:
            ajouter_erreurs_du_service(form, erreur)
        else:
            messages.success(request, "L'événement a été modifié.")
            return redirect(_url_evenement(evenement))
    return render(
        request,
        "reseau/evenements/formulaire.html",
        {"form": form, "titre": "Modifier l'événement", "evenement": evenement, "retour": _url_evenement(evenement)},
    )


# --- Programme --------------------------------------------------------------------------------------------------


@login_required
@require_http_methods(["GET", "POST"])
@creation_unique
def programme(request, pk):
    evenement = _organise(request, pk)
    form = SessionForm(request.POST or None, initial={"debut": evenement.debut, "fin": evenement.debut})
    if request.method == "POST" and form.is_valid():
        try:
            session = services.session_ajouter(par=request.user, evenement=evenement, **form.champs_saisis())
        except ValidationError as erreur:
            erreurs_intervenants(form, erreur)
        else:
            messages.success(request, f"La session « {session.titre} » a été ajoutée au programme.")
            return redirect(reverse("reseau:programme", args=[evenement.pk]))
    return render(
        request,
        "reseau/evenements/programme.html",
        {"evenement": evenement, "sessions": selecteurs.sessions(evenement), "form": form, "onglet": "programme",
         "organisateur": True},
    )  # fmt: skip


@login_required
@require_http_methods(["GET", "POST"])
def session_modifier(request, pk, session_pk):
    evenement, session = _session(request, pk, session_pk)
    form = SessionForm(request.POST or None, initial=valeurs_session(session))
    if request.method == "POST" and form.is_valid():
        try:
            services_programme.session_modifier(par=request.user, session=session, **form.champs_saisis())
        except ValidationError as erreur:
            erreurs_intervenants(form, erreur)
        else:
            messages.success(request, "La session a été modifiée.")
            return redirect(reverse("reseau:programme", args=[evenement.pk]))
    return render(
        request,
        "reseau/evenements/session.html",
        {"evenement": evenement, "session": session, "form": form, "onglet": "programme", "organisateur": True},
    )


@login_required
@require_http_methods(["GET", "POST"])
def session_supprimer(request, pk, session_pk):
    evenement, session = _session(request, pk, session_pk)
    retour = reverse("reseau:programme", args=[evenement.pk])
    if request.method == "POST":
        services_programme.session_supprimer(par=request.user, session=session)
        messages.success(request, f"La session « {session.titre} » a été retirée du programme.")
        return redirect(retour)
    return render(
        request,
        "reseau/evenements/confirmer_suppression.html",
        {"evenement": evenement, "objet": session, "retour": retour},
    )


# --- iCalendar --------------------------------------------------------------------------------------------------


def _ics(contenu: bytes, nom: str) -> HttpResponse:
    reponse = HttpResponse(contenu, content_type=ICAL)
    reponse["Content-Disposition"] = f'inline; filename="{nom}"'
    return reponse


@require_GET
def evenement_ics(request, pk):
    evenement = _evenement(request, pk)
    url = request.build_absolute_uri(_url_evenement(evenement))
    return _ics(calendrier.ics_evenement(evenement, url=url), f"evenement-{evenement.pk}.ics")


@require_GET
def evenements_ics(request, code):
    departement = departement_par_code(code)
    contenu = calendrier.ics_evenements(
        selecteurs.evenements_du_flux(departement),
        nom=f"Événements du réseau — {departement.nom}",
        url_de=lambda e: request.build_absolute_uri(_url_evenement(e)),
    )
    return _ics(contenu, f"evenements-{departement.code}.ics")


# --- Series of workshops ----------------------------------------------------------------------------------------


def _serie(request, pk, *, organiser: bool = False):
    serie = selecteurs.serie_page(pk)
    if serie is None:
        raise Http404("Série introuvable.")
    if organiser:
        exiger(request.user, "evenement.organiser", serie)
    return serie


@require_GET
def series(request):
    code = request.GET.get("departement", "")
    if not code:
        codes = sorted(codes_departements(request.user))
        if len(codes) == 1:
            return redirect(reverse("reseau:series") + f"?departement={codes[0]}")
        raise Http404("Précisez le département (?departement=94).")
    departement = departement_par_code(code)
    return render(
        request,
        "reseau/evenements/series.html",
        {
            "departement": departement,
            "series": selecteurs.series_du_departement(departement.pk),
            "organisateur": peut(request.user, "evenement.organiser", departement),
        },
    )


@require_GET
def serie(request, pk):
    serie = _serie(request, pk)
    return render(
        request,
        "reseau/evenements/serie.html",
        {
            "serie": serie,
            "seances": selecteurs.seances(request.user, serie),
            "restitutions": selecteurs.ressources_serie(request.user, serie),
            "organisateur": peut(request.user, "evenement.organiser", serie),
        },
    )


@login_required
@require_http_methods(["GET", "POST"])
@creation_unique
def serie_creer(request):
    departement = _departement_a_organiser(request)
    form = SerieForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            serie = services.serie_creer(par=request.user, departement=departement, **form.champs_saisis())
        except ValidationError as erreur:
            ajouter_erreurs_du_service(form, erreur)
        else:
            messages.success(request, f"La série « {serie.titre} » a été créée.")
            return redirect(reverse("reseau:serie", args=[serie.pk]))
    return render(
        request,
        "reseau/evenements/formulaire.html",
        {
            "form": form,
            "titre": f"Nouvelle série d'ateliers — {departement.nom}",
            "retour": reverse("reseau:series") + f"?departement={departement.code}",
            "creation": True,
        },
    )


@login_required
@require_http_methods(["GET", "POST"])
def serie_modifier(request, pk):
    serie = _serie(request, pk, organiser=True)
    form = SerieForm(
        request.POST or None, initial={"titre": serie.titre, "description": serie.description}, version=serie.version
    )
    if request.method == "POST" and form.is_valid():
        try:
            services_programme.serie_modifier(
                par=request.user, serie=serie, version=form.version_lue, **form.champs_saisis()
            )
        except ValidationError as erreur:
            ajouter_erreurs_du_service(form, erreur)
        else:
            messages.success(request, "La série a été modifiée.")
            return redirect(reverse("reseau:serie", args=[serie.pk]))
    return render(
        request,
        "reseau/evenements/formulaire.html",
        {"form": form, "titre": "Modifier la série", "retour": reverse("reseau:serie", args=[serie.pk])},
    )
