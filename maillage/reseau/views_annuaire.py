"""Pages of the annuaire of the network (see urls_annuaire.py): people with filters and counts, a person's entry
(legal basis and consent), creation and editing, erasure and export of a person's data through the personal-data
registry (`comptes.services_donnees`), import with preview then confirmation, CSV/XLSX export, mailing lists and
the export of their members.

Rules: `annuaire.voir` (the Caf staff of the département; a person reads their own entry), `annuaire.gerer` for
every write and every export. An anonymous visitor refused a page is sent to the login page; an account out of
scope gets 403."""

import datetime
import functools
import json
import re

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.views import redirect_to_login
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.core.paginator import Paginator
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.html import format_html
from django.utils.http import urlencode
from django.views.decorators.http import require_http_methods

from maillage.comptes import services_donnees
from maillage.core import donnees_personnelles as registre
from maillage.core.formulaires import ajouter_erreurs_du_service, creation_unique
from maillage.core.imports import ImportRefuse
from maillage.core.permissions import codes_departements, exiger, peut
from maillage.territoires.models import Departement

from . import echanges_annuaire, selectors_annuaire, services, services_annuaire
from .forms_annuaire import (
    FiltreAnnuaireForm,
    ImportForm,
    ListeForm,
    PersonneForm,
    initial_liste,
    initial_personne,
)
from .models import ListeDiffusion, Personne

PAR_PAGE = 50
MEMBRES_PAR_PAGE = 100
FORMATS = ("csv", "xlsx")
MOTIF_EMPREINTE = re.compile(r"[0-9a-f]{64}")
DOSSIER_IMPORTS = "imports/annuaire"
DUREE_CONSERVATION = datetime.timedelta(days=1)


def _connexion_si_anonyme(vue):
    """A refused anonymous visitor is sent to the login page (then back here); a refused account gets 403."""

    @functools.wraps(vue)
    def envelopper(request, *args, **kwargs):
        try:
            return vue(request, *args, **kwargs)
        except PermissionDenied:
            if not request.user.is_authenticated:
                return redirect_to_login(request.get_full_path())
            raise

    return envelopper


def _departement(request, regle: str) -> Departement:
    """The département asked (`?departement=`, or the form's), else the account's only one, else the platform's."""
    code = request.GET.get("departement") or request.POST.get("departement") or ""
    if not code:
        codes = sorted(codes_departements(request.user))
        code = codes[0] if len(codes) == 1 else settings.MAILLAGE_PLATEFORME.get("departement_defaut") or ""
    departement = Departement.objects.filter(code=str(code)[:3]).first()
    exiger(request.user, regle, departement)  # refused (None) when unknown: no hint that a code exists
    return departement


def _personne(request, pk, regle: str) -> Personne:
    try:
        personne = selectors_annuaire.personne(pk)
    except Personne.DoesNotExist:
        raise Http404("Personne introuvable.") from None
    exiger(request.user, regle, personne)
    return personne


def _liste(request, pk, regle: str = "annuaire.gerer") -> ListeDiffusion:
    try:
        liste = selectors_annuaire.liste(pk)
    except ListeDiffusion.DoesNotExist:
        raise Http404("Liste introuvable.") from None
    exiger(request.user, regle, liste)
    return liste


def _parametres(request, *exclus) -> str:
    return urlencode([(k, v) for k, v in request.GET.items() if k not in ("page", *exclus) and v])


# --- The annuaire -----------------------------------------------------------------------------------------------


@_connexion_si_anonyme
def annuaire(request):
    departement = _departement(request, "annuaire.voir")
    filtre = FiltreAnnuaireForm(request.GET or None, departement=departement)
    qs = selectors_annuaire.personnes(departement, **filtre.criteres())
    page = Paginator(qs, PAR_PAGE).get_page(request.GET.get("page"))
    return render(
        request,
        "reseau/annuaire/annuaire.html",
        {
            "departement": departement,
            "filtre": filtre,
            "page": page,
            "personnes": list(page.object_list),
            "compteurs": selectors_annuaire.compteurs_categories(qs),
            "parametres": _parametres(request),
            "parametres_export": _parametres(request, "departement"),
            "peut_gerer": peut(request.user, "annuaire.gerer", departement),
        },
    )


@_connexion_si_anonyme
def personne(request, pk):
    personne = _personne(request, pk, "annuaire.voir")
    gerer = peut(request.user, "annuaire.gerer", personne)
    listes = list(personne.listes.order_by("nom")) if gerer else []
    return render(
        request, "reseau/annuaire/personne.html", {"personne": personne, "peut_gerer": gerer, "listes": listes}
    )


def _erreur_doublon(form, departement, erreur: ValidationError) -> None:
    """The service's refusal, the « same e-mail » one with a link to the existing entry."""
    email = form.cleaned_data.get("email")  # read first: add_error drops it from cleaned_data
    ajouter_erreurs_du_service(form, erreur)
    existante = Personne.objects.filter(departement=departement, email=(email or "").strip().lower()).first()
    if existante is not None and "email" in getattr(erreur, "error_dict", {}):
        form.add_error(
            "email",
            format_html(
                'Voir la fiche existante : <a href="{}">{}</a>.',
                reverse("reseau:personne", args=[existante.pk]),
                existante.nom_complet,
            ),
        )


@_connexion_si_anonyme
@creation_unique
@require_http_methods(["GET", "POST"])
def personne_creer(request):
    departement = _departement(request, "annuaire.gerer")
    form = PersonneForm(request.POST or None, departement=departement)
    if request.method == "POST" and form.is_valid():
        champs = form.champs_service(avec_opposition=False)
        try:
            nouvelle = services.personne_creer(par=request.user, departement=departement, **champs)
        except ValidationError as erreur:
            _erreur_doublon(form, departement, erreur)
        else:
            if form.cleaned_data.get("oppose"):
                services_annuaire.personne_opposer(par=request.user, personne=nouvelle)
            messages.success(request, f"{nouvelle.nom_complet} a été ajouté·e à l'annuaire.")
            return redirect("reseau:personne", nouvelle.pk)
    statut = 400 if request.method == "POST" else 200
    return render(
        request, "reseau/annuaire/formulaire_personne.html", {"form": form, "departement": departement}, status=statut
    )


@_connexion_si_anonyme
@require_http_methods(["GET", "POST"])
def personne_modifier(request, pk):
    personne = _personne(request, pk, "annuaire.gerer")
    departement = personne.departement
    if request.method == "POST":
        form = PersonneForm(request.POST, departement=departement, version=personne.version)
        if form.is_valid():
            try:
                services_annuaire.personne_modifier(
                    par=request.user,
                    personne=personne,
                    version=form.cleaned_data.get("version"),
                    **form.champs_service(avec_opposition=True),
                )
            except ValidationError as erreur:
                _erreur_doublon(form, departement, erreur)
            else:
                messages.success(request, "Fiche enregistrée.")
                return redirect("reseau:personne", personne.pk)
        contexte = {"form": form, "departement": departement, "personne": personne}
        return render(request, "reseau/annuaire/formulaire_personne.html", contexte, status=400)
    form = PersonneForm(initial=initial_personne(personne), departement=departement, version=personne.version)
    contexte = {"form": form, "departement": departement, "personne": personne}
    return render(request, "reseau/annuaire/formulaire_personne.html", contexte)


@_connexion_si_anonyme
@require_http_methods(["GET", "POST"])
def personne_effacer(request, pk):
    """Export (JSON) or erase the person's data: with an e-mail, everything the registry holds for it (annuaire,
    registrations, invitations, e-mails…) through `comptes.services_donnees`, journaled; without, the entry alone."""
    personne = _personne(request, pk, "annuaire.gerer")
    email = personne.email
    if request.method == "POST":
        action = request.POST.get("action")
        if action == "exporter" and email:
            try:
                export = services_donnees.donnees_exporter(par=request.user, email=email)
            except PermissionDenied:
                messages.error(
                    request, "L'export des données d'une personne est réservé aux pilotes de ses départements."
                )
                return redirect("reseau:personne_effacer", personne.pk)
            reponse = HttpResponse(
                json.dumps(export, ensure_ascii=False, indent=2, default=str),
                content_type="application/json; charset=utf-8",
            )
            reponse["Content-Disposition"] = f'attachment; filename="donnees-personnelles-{personne.pk}.json"'
            return reponse
        if action == "effacer":
            if request.POST.get("confirmation") != "oui":
                messages.error(request, "Cochez la confirmation pour effacer les données.")
                return redirect("reseau:personne_effacer", personne.pk)
            annuaire_url = f"{reverse('reseau:annuaire')}?departement={personne.departement_id}"
            try:
                if email:
                    resultat = services_donnees.donnees_effacer(par=request.user, email=email)
                    detail = " ; ".join(f"{cle} : {phrase}" for cle, phrase in resultat.items())
                else:
                    services_annuaire.personne_supprimer(par=request.user, personne=personne)
                    detail = "fiche supprimée"
            except PermissionDenied:
                messages.error(
                    request,
                    "L'effacement des données d'une personne est réservé aux pilotes de tous les départements où "
                    "elle a des données.",
                )
                return redirect("reseau:personne_effacer", personne.pk)
            except ValidationError as erreur:
                messages.error(request, " ".join(erreur.messages))
                return redirect("reseau:personne_effacer", personne.pk)
            messages.success(request, f"Données de {personne.nom_complet} effacées ({detail}).")
            return redirect(annuaire_url)
        messages.error(request, "Action inconnue.")
        return redirect("reseau:personne_effacer", personne.pk)
    sources = registre.exporter(email) if email else {}
    detenues = [(s["libelle"], len(s["donnees"])) for s in sources.values() if s["donnees"]]
    return render(
        request,
        "reseau/annuaire/effacer.html",
        {
            "personne": personne,
            "detenues": detenues,
            "peut_donnees": peut(request.user, "donnees_personnelles.gerer"),
            # A long address may break before its « @ » on a narrow screen.
            "email_coupable": format_html("{}<wbr>@{}", *email.partition("@")[::2]) if email else "",
            "lien_donnees": f"{reverse('comptes:donnees_personnelles')}?{urlencode({'email': email})}" if email else "",
        },
    )


# --- Import and export ------------------------------------------------------------------------------------------


def _chemin(user, empreinte: str) -> str:
    return f"{DOSSIER_IMPORTS}/{user.pk}/{empreinte}"


def _nettoyer(user) -> None:
    """Forget the user's previewed files never confirmed (kept one day at most)."""
    dossier = f"{DOSSIER_IMPORTS}/{user.pk}"
    try:
        _, fichiers = default_storage.listdir(dossier)
    except (FileNotFoundError, NotImplementedError):
        return
    limite = timezone.now() - DUREE_CONSERVATION
    for nom in fichiers:
        try:
            if default_storage.get_modified_time(f"{dossier}/{nom}") < limite:
                default_storage.delete(f"{dossier}/{nom}")
        except (FileNotFoundError, NotImplementedError):
            pass


@_connexion_si_anonyme
@require_http_methods(["GET", "POST"])
def annuaire_importer(request):
    """Step 1: the file is checked whole and previewed (kept under its SHA-256, per user). Step 2 (`empreinte`
    posted): the same file is checked again and written, all or nothing."""
    departement = _departement(request, "annuaire.gerer")
    gabarit = "reseau/annuaire/import.html"
    contexte = {"departement": departement, "libelles_actions": {"creer": "Création", "modifier": "Modification",
                                                                  "inchange": "Inchangée"}}  # fmt: skip
    if request.method != "POST":
        return render(request, gabarit, {**contexte, "form": ImportForm()})
    empreinte = request.POST.get("empreinte", "")
    nom_fichier = (request.POST.get("nom_fichier") or "import")[:200]
    if empreinte:
        if not MOTIF_EMPREINTE.fullmatch(empreinte):
            raise PermissionDenied("Import inconnu.")
        chemin = _chemin(request.user, empreinte)
        if not default_storage.exists(chemin):
            messages.error(request, "Le fichier à confirmer n'est plus disponible : déposez-le à nouveau.")
            return redirect(f"{reverse('reseau:annuaire_importer')}?departement={departement.pk}")
        with default_storage.open(chemin, "rb") as fichier:
            contenu = fichier.read()
        try:
            resume = services_annuaire.annuaire_importer(
                par=request.user, departement=departement, contenu=contenu, nom_fichier=nom_fichier, appliquer=True
            )
        except ImportRefuse as refus:
            return render(request, gabarit, {**contexte, "form": ImportForm(), "refus": refus,
                                             "nom_fichier": nom_fichier}, status=400)  # fmt: skip
        default_storage.delete(chemin)
        c = resume["compteurs"]
        messages.success(
            request,
            f"Import enregistré : {c['creer']} personne(s) ajoutée(s), {c['modifier']} modifiée(s), "
            f"{c['inchange']} inchangée(s).",
        )
        return redirect(f"{reverse('reseau:annuaire')}?departement={departement.pk}")
    form = ImportForm(request.POST, request.FILES)
    if not form.is_valid():
        return render(request, gabarit, {**contexte, "form": form}, status=400)
    fichier = form.cleaned_data["fichier"]
    contenu = fichier.read()
    nom_fichier = (fichier.name or "import")[:200]
    try:
        resume = services_annuaire.annuaire_importer(
            par=request.user, departement=departement, contenu=contenu, nom_fichier=nom_fichier, appliquer=False
        )
    except ImportRefuse as refus:
        return render(request, gabarit, {**contexte, "form": form, "refus": refus, "nom_fichier": nom_fichier},
                      status=400)  # fmt: skip
    _nettoyer(request.user)
    chemin = _chemin(request.user, resume["empreinte"])
    if not default_storage.exists(chemin):
        default_storage.save(chemin, ContentFile(contenu))
    return render(request, gabarit, {**contexte, "form": ImportForm(), "apercu": resume, "nom_fichier": nom_fichier})


def _reponse_fichier(format, entetes, lignes, nom: str, feuille: str) -> HttpResponse:
    contenu, type_contenu = echanges_annuaire.fichier(format, entetes, lignes, feuille=feuille)
    reponse = HttpResponse(contenu, content_type=type_contenu)
    reponse["Content-Disposition"] = f'attachment; filename="{nom}.{format}"'
    return reponse


@_connexion_si_anonyme
def annuaire_export(request, format):
    if format not in FORMATS:
        raise Http404("Format inconnu : csv ou xlsx.")
    departement = _departement(request, "annuaire.gerer")
    filtre = FiltreAnnuaireForm(request.GET or None, departement=departement)
    personnes = selectors_annuaire.personnes(departement, **filtre.criteres())
    lignes = echanges_annuaire.lignes_export(personnes)
    nom = f"annuaire-reseau-{departement.pk}-{timezone.localdate().isoformat()}"
    return _reponse_fichier(format, echanges_annuaire.ENTETES_EXPORT, lignes, nom, "Annuaire")


# --- Mailing lists ----------------------------------------------------------------------------------------------


@_connexion_si_anonyme
def listes(request):
    departement = _departement(request, "annuaire.gerer")
    listes_ = list(selectors_annuaire.listes(departement).prefetch_related("communes", "epci"))
    nombres = selectors_annuaire.nombres_membres(departement, listes_)
    lignes = [(liste, nombres[liste.pk]) for liste in listes_]
    return render(request, "reseau/annuaire/listes.html", {"departement": departement, "lignes": lignes})


@_connexion_si_anonyme
@creation_unique
@require_http_methods(["GET", "POST"])
def liste_creer(request):
    departement = _departement(request, "annuaire.gerer")
    form = ListeForm(request.POST or None, departement=departement)
    if request.method == "POST" and form.is_valid():
        try:
            nouvelle = services_annuaire.liste_creer(par=request.user, departement=departement, **form.cleaned_data)
        except ValidationError as erreur:
            ajouter_erreurs_du_service(form, erreur)
        else:
            messages.success(request, f"Liste « {nouvelle.nom} » créée.")
            return redirect("reseau:liste", nouvelle.pk)
    statut = 400 if request.method == "POST" else 200
    return render(
        request, "reseau/annuaire/formulaire_liste.html", {"form": form, "departement": departement}, status=statut
    )


@_connexion_si_anonyme
def liste(request, pk):
    liste = _liste(request, pk)
    membres = selectors_annuaire.membres_liste(liste)
    page = Paginator(membres, MEMBRES_PAR_PAGE).get_page(request.GET.get("page"))
    return render(
        request,
        "reseau/annuaire/liste.html",
        {
            "liste": liste,
            "page": page,
            "membres": list(page.object_list),
            "nombre": page.paginator.count,
            "categories": [libelle for code, libelle in Personne._meta.get_field("categorie").choices
                           if code in liste.categories],
            "parametres": "",
        },
    )  # fmt: skip


@_connexion_si_anonyme
@require_http_methods(["GET", "POST"])
def liste_modifier(request, pk):
    liste = _liste(request, pk)
    departement = liste.departement
    if request.method == "POST":
        form = ListeForm(request.POST, departement=departement, version=liste.version)
        if form.is_valid():
            donnees = dict(form.cleaned_data)
            version = donnees.pop("version", None)
            try:
                services_annuaire.liste_modifier(par=request.user, liste=liste, version=version, **donnees)
            except ValidationError as erreur:
                ajouter_erreurs_du_service(form, erreur)
            else:
                messages.success(request, "Liste enregistrée.")
                return redirect("reseau:liste", liste.pk)
        contexte = {"form": form, "departement": departement, "liste": liste}
        return render(request, "reseau/annuaire/formulaire_liste.html", contexte, status=400)
    form = ListeForm(initial=initial_liste(liste), departement=departement, version=liste.version)
    contexte = {"form": form, "departement": departement, "liste": liste}
    return render(request, "reseau/annuaire/formulaire_liste.html", contexte)


@_connexion_si_anonyme
def liste_export(request, pk, format):
    if format not in FORMATS:
        raise Http404("Format inconnu : csv ou xlsx.")
    liste = _liste(request, pk)
    # For a mailing tool: only members with an address.
    membres = selectors_annuaire.membres_liste(liste).exclude(email="")
    lignes = echanges_annuaire.lignes_liste(membres)
    nom = f"liste-{liste.pk}-{timezone.localdate().isoformat()}"
    return _reponse_fichier(format, echanges_annuaire.ENTETES_LISTE, lignes, nom, "Liste")
