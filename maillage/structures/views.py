"""Pages of the registry: public directory and structure page, back-office forms, documents.

Views stay thin: they check the permission (`exiger`), bind a form, call a service and render.
"""

import hashlib
import json

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.cache import cache
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme
from django.views.decorators.http import require_http_methods

from maillage.comptes.models import Role
from maillage.core import horloge
from maillage.core.formulaires import ajouter_erreurs_du_service, creation_unique
from maillage.core.permissions import codes_departements, est_admin, exiger, peut
from maillage.core.telechargements import servir_fichier
from maillage.territoires.models import Departement
from maillage.territoires.selectors import departement_par_code, departements_par_codes

from . import selectors, services
from .forms import (
    ContactForm,
    DocumentForm,
    FermetureForm,
    FiltreAnnuaireForm,
    GestionnaireForm,
    ProjetSocialForm,
    StructureForm,
)
from .models import Contact, DocumentProjet, ProjetSocial, Structure, TypeAgrement

TYPE_GEOJSON = "application/geo+json"


def _tuiles() -> dict:
    return {"tuiles_url": settings.MAILLAGE_TUILES_URL, "tuiles_attribution": settings.MAILLAGE_TUILES_ATTRIBUTION}


# --- Public directory -----------------------------------------------------------------------------


def _parametres(request, *exclus: str) -> str:
    params = request.GET.copy()
    for nom in ("page", *exclus):
        params.pop(nom, None)
    return params.urlencode()


def _departements_creation(user, code: str | None) -> list[Departement]:
    """Where the user may add a structure: the filtered département, or their own ones."""
    if not user.is_authenticated:
        return []
    if code:
        codes = [code]
    elif est_admin(user):
        return []
    else:
        codes = codes_departements(user)
    return [d for d in departements_par_codes(codes) if peut(user, "structure.creer", d)]


def annuaire(request):
    # The list, its filters and its links depend only on the query and the registry's data: rendered once per query
    # string, day (the default date) and data version, then served from the cache. Only the "add" links depend
    # on the user.
    requete = hashlib.sha256(request.GET.urlencode().encode()).hexdigest()[:32]
    cle = f"structures:annuaire:{requete}:{horloge.aujourdhui().isoformat()}:{selectors.version_annuaire()}"
    en_cache = cache.get(cle)
    if en_cache is None:
        contexte = _contexte_annuaire(request)
        filtres = contexte["filtres"]
        en_cache = {
            "corps": render_to_string("structures/_annuaire.html", contexte),
            "filtres": {cle: filtres[cle] for cle in ("date", "toutes", "departement")},
        }
        cache.set(cle, en_cache, selectors.DUREE_CACHE)
    contexte = {
        **en_cache,
        "departements_creation": _departements_creation(request.user, en_cache["filtres"]["departement"]),
        **_tuiles(),
    }
    return render(request, "structures/annuaire.html", contexte)


def _contexte_annuaire(request) -> dict:
    filtre = FiltreAnnuaireForm(request.GET)
    filtres = filtre.filtres()
    paginator = Paginator(selectors.annuaire(**filtres), filtre.nombre_par_page())
    page = paginator.get_page(request.GET.get("page"))
    structures = list(page.object_list)
    libelles = dict(TypeAgrement.choices)
    for s in structures:
        s.agrement_libelle = libelles.get(s.agrement_type, s.agrement_type)
    parametres = _parametres(request)
    url_export = reverse("structures:export")
    return {
        "filtre": filtre,
        "filtres": filtres,
        "page": page,
        "structures": structures,
        "parametres": parametres,
        "url_geojson": reverse("structures:annuaire_geojson") + (f"?{parametres}" if parametres else ""),
        "exports": [
            (libelle, f"{url_export}?{parametres}{'&' if parametres else ''}format={code}")
            for code, libelle in (
                ("csv", "CSV"),
                ("xlsx", "Tableur (XLSX)"),
                # Raw data for programs and re-import: codes as headers and values, ISO dates.
                ("csv&variante=codes", "Données brutes (CSV, codes)"),
                ("geojson", "GeoJSON"),
                ("datainclusion", "Schéma data·inclusion"),
            )
        ],
        **_tuiles(),
    }


def annuaire_geojson(request):
    """The directory's structures as points, with the same filters as the page (all pages at once)."""
    filtres = FiltreAnnuaireForm(request.GET).filtres()
    lignes = selectors.annuaire_points(**filtres)
    modele_url = reverse("structures:structure", args=[0]).replace("/0/", "/__pk__/")
    features = [
        {
            "type": "Feature",
            "geometry": {"type": "Point", "coordinates": [round(lon, 6), round(lat, 6)]},
            "properties": {
                "id": pk,
                "nom": nom,
                "type": type_,
                "commune": commune,
                "url": modele_url.replace("__pk__", str(pk)),
            },
        }
        for pk, nom, type_, commune, lon, lat in lignes
    ]
    contenu = json.dumps({"type": "FeatureCollection", "features": features}, ensure_ascii=False)
    return HttpResponse(contenu, content_type=TYPE_GEOJSON)


# --- Public structure page ----------------------------------------------------------------------


def structure(request, pk):
    try:
        s = selectors.structure_detaillee(pk)
    except Structure.DoesNotExist:
        raise Http404("Structure inconnue.") from None
    aujourdhui = horloge.aujourdhui()
    agrements = selectors.agrements_en_cours(s, aujourdhui)
    voir_prive = peut(request.user, "structure.voir_prive", s)
    voir_contacts = peut(request.user, "structure.voir_contacts", s)
    contexte = {
        "structure": s,
        "agrements": agrements,
        "active": any(a.type != "acf" for a in agrements),
        "aujourdhui": aujourdhui,
        "contacts_publics": list(selectors.contacts_publics(s)),
        "voir_prive": voir_prive,
        "voir_contacts": voir_contacts,
        "voir_budgets": peut(request.user, "structure.voir_budgets", s),
        "contacts": list(s.contacts.all()) if voir_contacts else [],
        "projets": list(selectors.projets_avec_documents(s)) if voir_prive else [],
        "peut_modifier": peut(request.user, "structure.modifier", s),
        "peut_gerer": peut(request.user, "structure.gerer", s),
        **_tuiles(),
    }
    return render(request, "structures/structure.html", contexte)


# --- Back-office: structures ----------------------------------------------------------------------

GROUPES = (
    ("Identité", ("type", "nom", "siret", "gestionnaire")),
    ("Adresse et position", ("adresse", "code_postal", "commune", "longitude", "latitude")),
    ("Territoire d'intervention", ("communes_competence", "qpv_competence")),
    ("Coordonnées publiques et présentation", ("telephone", "email", "site_web", "presentation")),
    (
        "Caractéristiques (SENACS)",
        ("multi_sites", "itinerante", "gens_du_voyage", "situation_qpv", "adherent_federation"),
    ),
    ("Dates (pilotage)", ("date_premier_agrement", "date_ouverture", "date_fermeture")),
)


def _avertir_position(request, structure) -> None:
    """A position saved but worth a look (outside the département, far from the commune) is said, not refused."""
    for avertissement in services.avertissements_position(structure.commune, structure.longitude, structure.latitude):
        messages.warning(request, avertissement)


def _groupes(form) -> list[tuple[str, list]]:
    groupes = []
    for legende, noms in GROUPES:
        champs = [form[nom] for nom in noms if nom in form.fields]
        if champs:
            groupes.append((legende, champs))
    return groupes


@login_required
@require_http_methods(["GET", "POST"])
@creation_unique
def structure_creer(request, code):
    departement = departement_par_code(code)
    exiger(request.user, "structure.creer", departement)
    form = StructureForm(request.POST or None, user=request.user, departement=departement.code)
    if request.method == "POST" and form.is_valid():
        try:
            s = services.structure_creer(par=request.user, **form.champs())
        except ValidationError as erreur:
            ajouter_erreurs_du_service(form, erreur)
        else:
            messages.success(request, f"La structure « {s.nom} » a été créée.")
            _avertir_position(request, s)
            return redirect("structures:structure", pk=s.pk)
    return render(
        request,
        "structures/formulaire_structure.html",
        {"form": form, "groupes": _groupes(form), "departement": departement, "structure": None},
    )


@login_required
@require_http_methods(["GET", "POST"])
def structure_modifier(request, pk):
    s = get_object_or_404(Structure.objects.select_related("departement"), pk=pk)
    exiger(request.user, "structure.modifier", s)
    form = StructureForm(request.POST or None, instance=s, user=request.user, departement=s.departement_id)
    if request.method == "POST" and form.is_valid():
        try:
            services.structure_modifier(par=request.user, structure=s, version=form.version_lue, **form.champs())
        except ValidationError as erreur:
            ajouter_erreurs_du_service(form, erreur)
        else:
            messages.success(request, "La fiche de la structure a été enregistrée.")
            _avertir_position(request, Structure.objects.select_related("commune").get(pk=s.pk))
            return redirect("structures:structure", pk=s.pk)
    return render(
        request,
        "structures/formulaire_structure.html",
        {
            "form": form,
            "groupes": _groupes(form),
            "departement": s.departement,
            "structure": s,
            "profil_seulement": not peut(request.user, "structure.gerer", s),
        },
    )


@login_required
def ma_structure(request):
    """ "Ma structure" from Mon espace: a structure account goes to its own structure's form."""
    if request.user.role != Role.STRUCTURE or not request.user.structure_id:
        raise Http404("Votre compte n'est rattaché à aucune structure.")
    return redirect("structures:structure_modifier", pk=request.user.structure_id)


@login_required
@require_http_methods(["GET", "POST"])
def structure_fermer(request, pk):
    s = get_object_or_404(Structure, pk=pk)
    exiger(request.user, "structure.gerer", s)
    form = FermetureForm(request.POST or None, initial={"date": s.date_fermeture})
    if request.method == "POST" and form.is_valid():
        try:
            services.structure_fermer(par=request.user, structure=s, date=form.cleaned_data["date"])
        except ValidationError as erreur:
            ajouter_erreurs_du_service(form, erreur)
        else:
            messages.success(request, "La fermeture de la structure a été enregistrée.")
            return redirect("structures:structure", pk=s.pk)
    return _formulaire(
        request,
        form,
        titre=f"Fermeture de {s.nom}",
        retour=reverse("structures:structure", args=[s.pk]),
        intro="La fermeture est refusée tant qu'un agrément accordé court au-delà de cette date.",
    )


@login_required
@require_http_methods(["GET", "POST"])
@creation_unique
def gestionnaire_creer(request, code):
    departement = departement_par_code(code)
    exiger(request.user, "structure.creer", departement)
    form = GestionnaireForm(request.POST or None, departement=departement.code)
    suite = request.POST.get("suite") or request.GET.get("suite") or ""
    if not url_has_allowed_host_and_scheme(suite, allowed_hosts={request.get_host()}, require_https=False):
        suite = ""
    if request.method == "POST" and form.is_valid():
        try:
            g = services.gestionnaire_creer(par=request.user, departement=departement.code, **form.cleaned_data)
        except ValidationError as erreur:
            ajouter_erreurs_du_service(form, erreur)
        else:
            messages.success(request, f"Le gestionnaire « {g.nom} » a été créé.")
            return redirect(suite or reverse("structures:structure_creer", args=[departement.code]))
    return _formulaire(
        request,
        form,
        titre=f"Nouveau gestionnaire — {departement.nom}",
        retour=suite or reverse("structures:structure_creer", args=[departement.code]),
        suite=suite,
    )


# --- Back-office: contacts, projets sociaux, documents ------------------------------------------------


def _formulaire(request, form, *, titre, retour, intro="", suite="", fichiers=False):
    return render(
        request,
        "structures/formulaire.html",
        {"form": form, "titre": titre, "retour": retour, "intro": intro, "suite": suite, "fichiers": fichiers},
    )


def _retour_prive(structure) -> str:
    return reverse("structures:structure", args=[structure.pk]) + "#prive"


@login_required
@require_http_methods(["GET", "POST"])
@creation_unique
def contact_creer(request, pk):
    s = get_object_or_404(Structure, pk=pk)
    exiger(request.user, "structure.modifier", s)
    form = ContactForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            services.contact_creer(par=request.user, structure=s, **form.champs())
        except ValidationError as erreur:
            ajouter_erreurs_du_service(form, erreur)
        else:
            messages.success(request, "Le contact a été ajouté.")
            return redirect(_retour_prive(s))
    return _formulaire(
        request,
        form,
        titre=f"Nouveau contact — {s.nom}",
        retour=_retour_prive(s),
        intro="Ne saisissez que les coordonnées professionnelles nécessaires. Un contact n'apparaît sur la fiche "
        "publique que si la personne y a consenti, à une date enregistrée.",
    )


@login_required
@require_http_methods(["GET", "POST"])
def contact_modifier(request, pk):
    contact = get_object_or_404(Contact.objects.select_related("structure"), pk=pk)
    exiger(request.user, "structure.modifier", contact.structure)
    form = ContactForm(request.POST or None, instance=contact)
    if request.method == "POST" and form.is_valid():
        try:
            services.contact_modifier(
                par=request.user,
                contact=Contact.objects.get(pk=contact.pk),
                version=form.version_lue,
                **form.champs(),
            )
        except ValidationError as erreur:
            ajouter_erreurs_du_service(form, erreur)
        else:
            messages.success(request, "Le contact a été enregistré.")
            return redirect(_retour_prive(contact.structure))
    return _formulaire(
        request, form, titre=f"Modifier le contact — {contact.structure.nom}", retour=_retour_prive(contact.structure)
    )


@login_required
@require_http_methods(["GET", "POST"])
def contact_supprimer(request, pk):
    contact = get_object_or_404(Contact.objects.select_related("structure"), pk=pk)
    exiger(request.user, "structure.modifier", contact.structure)
    if request.method == "POST":
        services.contact_supprimer(par=request.user, contact=contact)
        messages.success(request, "Le contact a été supprimé.")
        return redirect(_retour_prive(contact.structure))
    return render(
        request,
        "structures/confirmer_suppression.html",
        {"objet": f"le contact {contact}", "retour": _retour_prive(contact.structure)},
    )


@login_required
@require_http_methods(["GET", "POST"])
@creation_unique
def projet_creer(request, pk):
    s = get_object_or_404(Structure, pk=pk)
    exiger(request.user, "structure.modifier", s)
    form = ProjetSocialForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            services.projet_social_creer(par=request.user, structure=s, **form.champs())
        except ValidationError as erreur:
            ajouter_erreurs_du_service(form, erreur)
        else:
            messages.success(request, "Le projet social a été ajouté.")
            return redirect(_retour_prive(s))
    return _formulaire(request, form, titre=f"Nouveau projet social — {s.nom}", retour=_retour_prive(s))


@login_required
@require_http_methods(["GET", "POST"])
def projet_modifier(request, pk):
    projet = get_object_or_404(ProjetSocial.objects.select_related("structure"), pk=pk)
    exiger(request.user, "structure.modifier", projet.structure)
    form = ProjetSocialForm(request.POST or None, instance=projet)
    if request.method == "POST" and form.is_valid():
        try:
            services.projet_social_modifier(
                par=request.user,
                projet=ProjetSocial.objects.get(pk=projet.pk),
                version=form.version_lue,
                **form.champs(),
            )
        except ValidationError as erreur:
            ajouter_erreurs_du_service(form, erreur)
        else:
            messages.success(request, "Le projet social a été enregistré.")
            return redirect(_retour_prive(projet.structure))
    return _formulaire(
        request,
        form,
        titre=f"Modifier le projet social — {projet.structure.nom}",
        retour=_retour_prive(projet.structure),
    )


@login_required
@require_http_methods(["GET", "POST"])
@creation_unique
def document_deposer(request, pk):
    projet = get_object_or_404(ProjetSocial.objects.select_related("structure"), pk=pk)
    exiger(request.user, "structure.modifier", projet.structure)
    form = DocumentForm(request.POST or None, request.FILES or None)
    if request.method == "POST" and form.is_valid():
        try:
            services.document_deposer(
                par=request.user,
                projet=projet,
                nature=form.cleaned_data["nature"],
                titre=form.cleaned_data["titre"],
                fichier=form.cleaned_data["fichier"],
            )
        except ValidationError as erreur:
            ajouter_erreurs_du_service(form, erreur)
        else:
            messages.success(request, "Le document a été déposé.")
            return redirect(_retour_prive(projet.structure))
    return _formulaire(
        request,
        form,
        titre=f"Déposer un document — {projet.intitule}",
        retour=_retour_prive(projet.structure),
        intro="Les documents ne sont visibles que des personnes habilitées à voir les données non publiques "
        "de la structure.",
        fichiers=True,
    )


@login_required
def document(request, pk):
    """A projet social's document, served after the permission check (never through a public media URL)."""
    doc = get_object_or_404(DocumentProjet.objects.select_related("projet__structure"), pk=pk)
    exiger(request.user, "structure.voir_prive", doc.projet.structure)
    return servir_fichier(
        doc.fichier,
        type_mime=services.TYPES_DOCUMENTS.get(services.extension(doc.fichier.name)),
        introuvable="Le fichier de ce document est introuvable.",
    )


@login_required
@require_http_methods(["GET", "POST"])
def document_supprimer(request, pk):
    doc = get_object_or_404(DocumentProjet.objects.select_related("projet__structure"), pk=pk)
    structure = doc.projet.structure
    exiger(request.user, "structure.modifier", structure)
    if request.method == "POST":
        services.document_supprimer(par=request.user, document=doc)
        messages.success(request, "Le document a été supprimé.")
        return redirect(_retour_prive(structure))
    return render(
        request,
        "structures/confirmer_suppression.html",
        {"objet": f"le document « {doc.titre} »", "retour": _retour_prive(structure)},
    )
