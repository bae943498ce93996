"""Pages of the door and after the event: check-in on a phone (search by name or code, QR code read by the camera
where the browser can), walk-ins, the feuille d'émargement (PDF), attendance statistics (tables, charts, CSV/XLSX)
and the satisfaction survey (organisers create, open, close and read it; attendees answer through their personal
link).

Access: rule `evenement.organiser` everywhere, except the survey's answer page, whose access is the registration's
secret token (anonymous allowed, only for registrations marked present, once)."""

from urllib.parse import urlencode

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.views import redirect_to_login
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.http import require_http_methods, require_POST

from maillage.core.formulaires import ajouter_erreurs_du_service, creation_unique
from maillage.core.horloge import maintenant
from maillage.core.permissions import peut

from . import graphiques, selectors_pointage, services, services_enquete, sorties
from .forms_pointage import ReponseEnqueteForm, SurPlaceForm
from .models import EnqueteSatisfaction

REFUS = "Seuls les organisateurs de l'événement (Caf du département) ont accès à cette page."
LONGUEUR_RECHERCHE = 100


def _refuser(request, message: str = REFUS):
    """Anonymous visitors are sent to the login page; others get a 403."""
    if not request.user.is_authenticated:
        return redirect_to_login(request.get_full_path())
    raise PermissionDenied(message)


def _evenement(pk):
    evenement = selectors_pointage.evenement(pk)
    if evenement is None:
        raise Http404("Événement introuvable.")
    return evenement


def _permissions_camera(reponse):
    # The site refuses the camera to every page; the door page reads QR codes with it (same origin only).
    politique = dict(getattr(settings, "PERMISSIONS_POLICY", {}))
    if not politique:
        return reponse
    politique["camera"] = ["self"]
    reponse.headers["Permissions-Policy"] = ", ".join(f"{f}=({' '.join(o)})" for f, o in politique.items())
    return reponse


def _recherche(request) -> str:
    return (request.GET.get("q") or request.POST.get("q") or "").strip()[:LONGUEUR_RECHERCHE]


def _resultats(evenement, q: str) -> dict:
    trouvee = services.inscription_par_code(evenement, q) if q and len(q) <= 20 else None
    if trouvee is not None:
        return {"resultats": [trouvee], "total": 1, "par_code": True}
    resultats, total = selectors_pointage.recherche(evenement, q)
    return {"resultats": resultats, "total": total, "par_code": False}


@require_http_methods(["GET"])
def pointage(request, pk):
    evenement = _evenement(pk)
    if not peut(request.user, "evenement.organiser", evenement):
        return _refuser(request)
    q = _recherche(request)
    contexte = {"evenement": evenement, "q": q, "compteur": selectors_pointage.compteur(evenement),
                **_resultats(evenement, q)}  # fmt: skip
    partiel = request.htmx and request.htmx.target == "resultats" and not request.htmx.history_restore_request
    gabarit = "reseau/pointage/_resultats.html" if partiel else "reseau/pointage/pointage.html"
    return _permissions_camera(render(request, gabarit, contexte))


def _retour_pointage(evenement, q: str) -> str:
    url = reverse("reseau:pointage", args=[evenement.pk])
    return f"{url}?{urlencode({'q': q})}" if q else url


@require_POST
def pointer(request, pk, inscription_pk):
    evenement = _evenement(pk)
    if not peut(request.user, "evenement.organiser", evenement):
        return _refuser(request)
    inscription = selectors_pointage.inscription(evenement, inscription_pk)
    if inscription is None:
        raise Http404("Inscription introuvable.")
    present = request.POST.get("present") != "0"
    etait_confirmee = inscription.statut == inscription.Statut.CONFIRMEE
    services.presence_pointer(par=request.user, inscription=inscription, present=present)
    if present and not etait_confirmee:
        message = f"{inscription.nom_complet} : présence pointée, inscription confirmée."
    elif present:
        message = f"{inscription.nom_complet} : présence pointée."
    else:
        message = f"{inscription.nom_complet} : pointage annulé."
    q = _recherche(request)
    if request.htmx:
        contexte = {"evenement": evenement, "i": inscription, "q": q, "annonce": message,
                    "compteur": selectors_pointage.compteur(evenement), "oob": True}  # fmt: skip
        return render(request, "reseau/pointage/_ligne.html", contexte)
    messages.success(request, message)
    return redirect(_retour_pointage(evenement, q))


@require_http_methods(["GET", "POST"])
@creation_unique
def sur_place(request, pk):
    evenement = _evenement(pk)
    if not peut(request.user, "evenement.organiser", evenement):
        return _refuser(request)
    form = SurPlaceForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            inscription, cree = services.inscription_sur_place(par=request.user, evenement=evenement,
                                                               **form.cleaned_data)  # fmt: skip
        except ValidationError as e:
            ajouter_erreurs_du_service(form, e)
        except services.InscriptionImpossible as e:
            form.add_error(None, e.raison)
        else:
            if cree:
                messages.success(request, f"{inscription.nom_complet} : inscrit·e sur place et présent·e.")
            else:
                messages.success(request, f"{inscription.nom_complet} était déjà inscrit·e : présence pointée.")
            return redirect(_retour_pointage(evenement, inscription.code))
    status = 400 if form.errors else 200
    return render(request, "reseau/pointage/sur_place.html", {"evenement": evenement, "form": form}, status=status)


@require_http_methods(["GET"])
def emargement(request, pk):
    evenement = _evenement(pk)
    if not peut(request.user, "evenement.organiser", evenement):
        return _refuser(request)
    try:
        sorties.verifier_pdf()
        contenu = sorties.emargement_pdf(evenement)
    except sorties.PDFIndisponible as e:
        contexte = {"evenement": evenement, "message": str(e)}
        return render(request, "reseau/pointage/pdf_indisponible.html", contexte, status=503)
    reponse = HttpResponse(contenu, content_type="application/pdf")
    reponse["Content-Disposition"] = f'inline; filename="{sorties.nom_fichier(evenement, "emargement", "pdf")}"'
    return reponse


@require_http_methods(["GET"])
def statistiques(request, pk):
    evenement = _evenement(pk)
    if not peut(request.user, "evenement.organiser", evenement):
        return _refuser(request)
    format_ = request.GET.get("format", "")
    if format_ == "csv":
        reponse = HttpResponse(sorties.statistiques_csv(evenement), content_type="text/csv; charset=utf-8")
    elif format_ == "xlsx":
        reponse = HttpResponse(sorties.statistiques_xlsx(evenement), content_type=sorties.XLSX)
    elif format_:
        return HttpResponse("Format inconnu : csv ou xlsx.", status=400, content_type="text/plain; charset=utf-8")
    else:
        stats = selectors_pointage.statistiques(evenement)
        ventilations = [
            {"cle": cle, "titre": titre, "colonne": colonne, "parts": stats[cle],
             "graphique": graphiques.barres_presence(f"graphique-{cle}", titre, stats[cle])}
            for cle, titre, colonne in (
                ("par_categorie", "Par catégorie de participants", "Catégorie"),
                ("par_type_organisation", "Par type d'organisation", "Type d'organisation"),
                ("par_commune", "Par commune", "Commune"),
            )
        ]  # fmt: skip
        contexte = {"evenement": evenement, "stats": stats, "ventilations": ventilations,
                    "phrase": graphiques.phrase_presence(stats)}  # fmt: skip
        return render(request, "reseau/pointage/statistiques.html", contexte)
    reponse["Content-Disposition"] = f'attachment; filename="{sorties.nom_fichier(evenement, "statistiques", format_)}"'
    return reponse


@require_http_methods(["GET", "POST"])
def enquete(request, pk):
    evenement = _evenement(pk)
    if not peut(request.user, "evenement.organiser", evenement):
        return _refuser(request)
    existante = EnqueteSatisfaction.objects.filter(evenement=evenement).first()
    erreur = ""
    if request.method == "POST":
        action = request.POST.get("action", "")
        try:
            if action == "creer":
                services_enquete.enquete_creer(par=request.user, evenement=evenement)
                messages.success(request, "L'enquête de satisfaction est créée et ouverte aux réponses.")
            elif action in {"ouvrir", "fermer"} and existante is not None:
                services_enquete.enquete_ouvrir(par=request.user, enquete=existante, ouverte=action == "ouvrir")
                messages.success(request, "L'enquête est ouverte." if action == "ouvrir" else "L'enquête est close.")
            else:
                erreur = "Action inconnue."
        except ValidationError as e:
            erreur = " ".join(e.messages)
        if not erreur:
            return redirect("reseau:enquete", pk=evenement.pk)
    contexte = {
        "evenement": evenement,
        "enquete": existante,
        "erreur": erreur,
        "commence": evenement.debut <= maintenant(),
        "questions_par_defaut": services_enquete.QUESTIONS_PAR_DEFAUT,
    }
    if existante is not None:
        contexte["resultats"] = selectors_pointage.resultats_enquete(existante)
        contexte["sans_reponse"] = selectors_pointage.presents_sans_reponse(existante)
    return render(request, "reseau/pointage/enquete.html", contexte, status=400 if erreur else 200)


@require_http_methods(["GET", "POST"])
def enquete_repondre(request, jeton):
    inscription = selectors_pointage.inscription_par_jeton(jeton)
    if inscription is None:
        raise Http404("Ce lien d'enquête n'est pas valide.")
    evenement = inscription.evenement
    raison = services_enquete.raison_refus(inscription)
    contexte = {"evenement": evenement, "inscription": inscription, "raison": raison}
    if raison:
        status = 403 if not inscription.present else 200
        return render(request, "reseau/pointage/enquete_repondre.html", contexte, status=status)
    questions = evenement.enquete.questions
    form = ReponseEnqueteForm(questions, request.POST or None)
    if request.method == "POST":
        form.is_valid()  # shows the form's own errors beside the service's
        try:
            services_enquete.reponse_enregistrer(inscription=inscription, donnees=request.POST)
        except ValidationError as e:
            form.errors.clear()
            ajouter_erreurs_du_service(form, e)
        except services_enquete.ReponseImpossible as e:
            contexte["raison"] = e.raison
            return render(request, "reseau/pointage/enquete_repondre.html", contexte)
        else:
            messages.success(request, "Merci, votre réponse est enregistrée.")
            return redirect("reseau:enquete_repondre", jeton=jeton)
    contexte["form"] = form
    status = 400 if request.method == "POST" else 200
    return render(request, "reseau/pointage/enquete_repondre.html", contexte, status=status)
