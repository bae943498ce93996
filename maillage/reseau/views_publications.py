"""Pages of the network's library and news: the resources a visitor may see (filters by tag, nature, event, series,
words of the title), a resource and its file (served here after the rule, never from a public media URL), their
publication (create, change, delete); the news (list, post, writing) and their RSS and Atom feeds (`flux.py`).

Rules: `ressource.voir`, `actualite.voir`, `reseau.publier`. A resource or a file the visitor may not see answers 404
to an anonymous visitor (nothing to learn) and 403 to an account; a draft answers 404 to those who may not read it.
"""

import urllib.parse

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.views.decorators.http import require_http_methods

from maillage.core.formulaires import ajouter_erreurs_du_service, creation_unique
from maillage.core.horloge import aujourdhui
from maillage.core.permissions import exiger, peut
from maillage.core.telechargements import servir_fichier
from maillage.territoires.models import Departement

from . import flux
from . import selectors_publications as selectors
from . import services_publications as services
from .forms_publications import ActualiteForm, FiltresActualitesForm, FiltresRessourcesForm, RessourceForm
from .models import Actualite, Evenement, Ressource, SerieAteliers

PAR_PAGE_RESSOURCES = 25
PAR_PAGE_ACTUALITES = 10
REFUS_RESSOURCE = "Vous n'avez pas accès à cette ressource."


def _departements() -> list[Departement]:
    return list(Departement.objects.only("code", "nom").order_by("code"))


def _departement_defaut() -> str:
    return settings.MAILLAGE_PLATEFORME.get("departement_defaut") or ""


def _page(request, qs, par_page: int):
    return Paginator(qs, par_page).get_page(request.GET.get("page"))


def _parametres(request) -> str:
    """The query string without `page`, for the pagination links."""
    return urllib.parse.urlencode([(k, v) for k, v in request.GET.items() if k != "page" and v])


def _objet_demande(request, parametre: str, modele, introuvable: str):
    """The row named by `?<parametre>=<pk>` (None without the parameter); a bad or unknown pk is a 404."""
    valeur = request.GET.get(parametre, "")
    if not valeur:
        return None
    objet = None
    if valeur.isascii() and valeur.isdigit() and 0 < int(valeur) < 2**63:
        objet = modele.objects.select_related("departement").filter(pk=int(valeur)).first()
    if objet is None:
        raise Http404(introuvable)
    return objet


def _departement_de_la_requete(request) -> Departement:
    code = request.GET.get("departement") or _departement_defaut()
    return get_object_or_404(Departement, code=code)


# --- Resources ----------------------------------------------------------------------------------------------------


def ressources(request):
    departements = _departements()
    donnees = request.GET.copy()
    if "departement" not in donnees:
        donnees["departement"] = _departement_defaut()
    code = donnees.get("departement") or ""
    departement = next((d for d in departements if d.code == code), None)
    visibles = selectors.ressources_visibles(request.user, departement=departement)
    form = FiltresRessourcesForm(
        donnees,
        departements=departements,
        etiquettes=selectors.etiquettes_des_ressources(visibles),
        evenements=selectors.evenements_des_ressources(request.user, visibles),
        series=selectors.series_des_ressources(visibles),
    )
    criteres = form.cleaned_data if form.is_valid() else {}
    liste = selectors.ressources_filtrees(
        visibles,
        etiquette=criteres.get("etiquette"),
        nature=criteres.get("nature") or "",
        evenement=criteres.get("evenement"),
        serie=criteres.get("serie"),
        recherche=criteres.get("q") or "",
    )
    return render(
        request,
        "reseau/ressources/liste.html",
        {
            "form": form,
            "departement": departement,
            "page": _page(request, liste, PAR_PAGE_RESSOURCES),
            "parametres": _parametres(request),
            "filtre_actif": any(criteres.get(c) for c in ("q", "etiquette", "nature", "evenement", "serie")),
            "peut_publier": departement is not None and peut(request.user, "reseau.publier", departement),
        },
        status=200 if form.is_valid() else 400,
    )


def _ressource_lisible(request, pk) -> Ressource:
    ressource = selectors.ressource_detaillee(pk)
    if ressource is None:
        raise Http404("Ressource introuvable.")
    if not peut(request.user, "ressource.voir", ressource):
        if not request.user.is_authenticated:
            raise Http404("Ressource introuvable.")
        raise PermissionDenied(REFUS_RESSOURCE)
    return ressource


def ressource(request, pk):
    ressource = _ressource_lisible(request, pk)
    evenement = ressource.evenement
    try:
        taille = ressource.fichier.size if ressource.fichier else None
    except OSError:  # a file missing from the storage: the page still shows
        taille = None
    return render(
        request,
        "reseau/ressources/detail.html",
        {
            "ressource": ressource,
            # Short forms: a long file name or address without spaces would overflow a phone's screen.
            "format_fichier": services.extension(ressource.fichier.name).upper() if ressource.fichier else "",
            "taille_fichier": taille,
            "domaine_lien": urllib.parse.urlsplit(ressource.lien).hostname or "" if ressource.lien else "",
            "evenement": evenement if evenement and peut(request.user, "evenement.voir", evenement) else None,
            "peut_publier": peut(request.user, "reseau.publier", ressource),
        },
    )


def ressource_fichier(request, pk):
    """The resource's file, after the rule; named as uploaded, never sniffed into another type."""
    ressource = _ressource_lisible(request, pk)
    if not ressource.fichier:
        raise Http404("Cette ressource n'a pas de fichier.")
    return servir_fichier(
        ressource.fichier,
        nom=ressource.nom_fichier,
        type_mime=services.TYPES_DOCUMENTS.get(services.extension(ressource.fichier.name)),
        public=ressource.visibilite == "public",
        introuvable="Le fichier de cette ressource est introuvable.",
    )


def _choix_du_departement(departement):
    # Only publishers (the Caf of the département) reach the forms: every event of the département is theirs.
    return selectors.series_du_departement(departement), selectors.evenements_du_departement(departement)


@login_required
@creation_unique
@require_http_methods(["GET", "POST"])
def ressource_creer(request):
    serie = _objet_demande(request, "serie", SerieAteliers, "Série d'ateliers introuvable.")
    evenement = _objet_demande(request, "evenement", Evenement, "Événement introuvable.")
    lie = serie or evenement
    departement = lie.departement if lie is not None else _departement_de_la_requete(request)
    exiger(request.user, "reseau.publier", departement)
    if serie and evenement and serie.departement_id != evenement.departement_id:
        raise Http404("Cette série et cet événement ne sont pas du même département.")
    series, evenements = _choix_du_departement(departement)
    initial = {"visibilite": "reseau", "nature": "document", "serie": serie, "evenement": evenement}
    if serie is not None:
        initial.update(nature=Ressource.Nature.RESTITUTION, titre=f"Restitution — {serie.titre}"[:250])
    form = RessourceForm(
        request.POST or None, request.FILES or None, initial=initial, series=series, evenements=evenements
    )
    if request.method == "POST" and form.is_valid():
        try:
            ressource = services.ressource_creer(par=request.user, departement=departement, **form.cleaned_data)
        except ValidationError as e:
            ajouter_erreurs_du_service(form, e)
        else:
            messages.success(request, f"La ressource « {ressource.titre} » a été ajoutée.")
            return redirect("reseau:ressource", pk=ressource.pk)
    return render(
        request,
        "reseau/ressources/formulaire.html",
        {"form": form, "departement": departement, "serie": serie, "evenement": evenement},
        status=400 if form.errors else 200,
    )


def _ressource_a_publier(request, pk) -> Ressource:
    ressource = selectors.ressource_detaillee(pk)
    if ressource is None:
        raise Http404("Ressource introuvable.")
    exiger(request.user, "reseau.publier", ressource)
    return ressource


@login_required
@require_http_methods(["GET", "POST"])
def ressource_modifier(request, pk):
    ressource = _ressource_a_publier(request, pk)
    series, evenements = _choix_du_departement(ressource.departement)
    initial = {
        "titre": ressource.titre,
        "nature": ressource.nature,
        "visibilite": ressource.visibilite,
        "resume": ressource.resume,
        "lien": ressource.lien,
        "date": ressource.date,
        "etiquettes": ", ".join(e.nom for e in ressource.etiquettes.all()),
        "serie": ressource.serie_id,
        "evenement": ressource.evenement_id,
    }
    form = RessourceForm(
        request.POST or None,
        request.FILES or None,
        initial=initial,
        version=ressource.version,
        series=series,
        evenements=evenements,
        fichier_actuel=ressource.nom_fichier if ressource.fichier else "",
    )
    if request.method == "POST" and form.is_valid():
        try:
            services.ressource_modifier(
                par=request.user, ressource=ressource, version=form.version_lue, **form.champs_saisis()
            )
        except ValidationError as e:
            ajouter_erreurs_du_service(form, e)
        else:
            messages.success(request, "Ressource enregistrée.")
            return redirect("reseau:ressource", pk=ressource.pk)
    return render(
        request,
        "reseau/ressources/formulaire.html",
        {"form": form, "departement": ressource.departement, "ressource": ressource},
        status=400 if form.errors else 200,
    )


@login_required
@require_http_methods(["GET", "POST"])
def ressource_supprimer(request, pk):
    ressource = _ressource_a_publier(request, pk)
    if request.method == "POST":
        services.ressource_supprimer(par=request.user, ressource=ressource)
        messages.success(request, f"La ressource « {ressource.titre} » a été supprimée.")
        return redirect(f"{reverse('reseau:ressources')}?departement={ressource.departement_id}")
    return render(request, "reseau/ressources/supprimer.html", {"ressource": ressource})


# --- News ---------------------------------------------------------------------------------------------------------


def actualites(request):
    departements = _departements()
    donnees = request.GET.copy()
    if "departement" not in donnees:
        donnees["departement"] = _departement_defaut()
    code = donnees.get("departement") or ""
    departement = next((d for d in departements if d.code == code), None)
    visibles = selectors.actualites_visibles(request.user, departement=departement)
    form = FiltresActualitesForm(
        donnees, departements=departements, etiquettes=selectors.etiquettes_des_actualites(visibles)
    )
    criteres = form.cleaned_data if form.is_valid() else {}
    liste = visibles
    if criteres.get("etiquette") is not None:
        liste = liste.filter(etiquettes=criteres["etiquette"])
    return render(
        request,
        "reseau/actualites/liste.html",
        {
            "form": form,
            "departement": departement,
            "page": _page(request, liste, PAR_PAGE_ACTUALITES),
            "parametres": _parametres(request),
            "filtre_actif": criteres.get("etiquette") is not None,
            "peut_publier": departement is not None and peut(request.user, "reseau.publier", departement),
        },
        status=200 if form.is_valid() else 400,
    )


def _actualite_lisible(request, pk) -> Actualite:
    actualite = selectors.actualite_detaillee(pk)
    # A draft is not known to those who may not read it.
    if actualite is None or not peut(request.user, "actualite.voir", actualite):
        raise Http404("Actualité introuvable.")
    return actualite


def actualite(request, pk):
    actualite = _actualite_lisible(request, pk)
    evenement = actualite.evenement
    return render(
        request,
        "reseau/actualites/detail.html",
        {
            "actualite": actualite,
            "evenement": evenement if evenement and peut(request.user, "evenement.voir", evenement) else None,
            "peut_publier": peut(request.user, "reseau.publier", actualite),
        },
    )


def actualite_image(request, pk):
    """A news post's image, after the rule `actualite.voir` (a draft's image is not public)."""
    actualite = _actualite_lisible(request, pk)
    if not actualite.image:
        raise Http404("Cette actualité n'a pas d'image.")
    return servir_fichier(
        actualite.image,
        piece_jointe=False,
        public=actualite.statut == Actualite.Statut.PUBLIEE,
        introuvable="L'image de cette actualité est introuvable.",
    )


def _initial_actualite(request) -> dict:
    return {
        "date": aujourdhui(),
        "statut": Actualite.Statut.BROUILLON,
        "auteur_libelle": request.user.get_full_name() or request.user.email,
    }


@login_required
@creation_unique
@require_http_methods(["GET", "POST"])
def actualite_creer(request):
    evenement = _objet_demande(request, "evenement", Evenement, "Événement introuvable.")
    departement = evenement.departement if evenement is not None else _departement_de_la_requete(request)
    exiger(request.user, "reseau.publier", departement)
    form = ActualiteForm(
        request.POST or None,
        request.FILES or None,
        initial={**_initial_actualite(request), "evenement": evenement},
        evenements=selectors.evenements_du_departement(departement),
    )
    if request.method == "POST" and form.is_valid():
        try:
            actualite = services.actualite_creer(par=request.user, departement=departement, **form.cleaned_data)
        except ValidationError as e:
            ajouter_erreurs_du_service(form, e)
        else:
            etat = "publiée" if actualite.statut == Actualite.Statut.PUBLIEE else "enregistrée comme brouillon"
            messages.success(request, f"L'actualité « {actualite.titre} » a été {etat}.")
            return redirect("reseau:actualite", pk=actualite.pk)
    return render(
        request,
        "reseau/actualites/formulaire.html",
        {"form": form, "departement": departement},
        status=400 if form.errors else 200,
    )


@login_required
@require_http_methods(["GET", "POST"])
def actualite_modifier(request, pk):
    actualite = selectors.actualite_detaillee(pk)
    if actualite is None:
        raise Http404("Actualité introuvable.")
    exiger(request.user, "reseau.publier", actualite)
    evenements = selectors.evenements_du_departement(actualite.departement)
    initial = {
        "titre": actualite.titre,
        "date": actualite.date,
        "statut": actualite.statut,
        "auteur_libelle": actualite.auteur_libelle,
        "resume": actualite.resume,
        "texte": actualite.texte,
        "etiquettes": ", ".join(e.nom for e in actualite.etiquettes.all()),
        "image_description": actualite.image_description,
        "evenement": actualite.evenement_id,
    }
    form = ActualiteForm(
        request.POST or None,
        request.FILES or None,
        initial=initial,
        version=actualite.version,
        evenements=evenements,
        image_actuelle=bool(actualite.image),
    )
    if request.method == "POST" and form.is_valid():
        try:
            services.actualite_modifier(
                par=request.user, actualite=actualite, version=form.version_lue, **form.champs_saisis()
            )
        except ValidationError as e:
            ajouter_erreurs_du_service(form, e)
        else:
            messages.success(request, "Actualité enregistrée.")
            return redirect("reseau:actualite", pk=actualite.pk)
    return render(
        request,
        "reseau/actualites/formulaire.html",
        {"form": form, "departement": actualite.departement, "actualite": actualite},
        status=400 if form.errors else 200,
    )


actualites_atom = flux.ActualitesAtom()
actualites_rss = flux.ActualitesRSS()
