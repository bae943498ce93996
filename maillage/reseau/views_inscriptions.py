"""Pages of the registrations: the public form (one click for an account, prefilled from an invitation), the
personal page reached by its secret link (status, code and QR code, change, cancel), my registrations, and the
organisers' list, export and addition.

The secret token of a personal link (or of an invitation) IS the access: those pages are never cached, never
indexed, and send no referrer. Someone who types an e-mail already registered never sees that registration: the
personal link is sent again to that address."""

import functools
import io

import qrcode
import qrcode.image.svg
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.http import urlencode

from maillage.core.formulaires import ajouter_erreurs_du_service, creation_unique
from maillage.core.horloge import maintenant
from maillage.core.permissions import exiger, peut
from maillage.core.tableurs import classeur_octets, ecrire_csv, ecrire_feuille, nouveau_classeur, texte_csv_francais

from . import freins, notifications, services
from . import selectors_inscriptions as lectures
from .forms_inscriptions import FiltresForm, InscriptionForm, ModificationForm
from .models import Evenement, Inscription

PAR_PAGE = 50
DEJA_INSCRIT_NEUTRE = (
    "Si cette adresse est déjà inscrite à l'événement, le lien personnel de l'inscription vient de lui être "
    "envoyé à nouveau par e-mail : il permet de la consulter, de la modifier ou de l'annuler."
)


# --- Helpers -------------------------------------------------------------------------------------------------------


def _page_secrete(vue):
    """A page reached by a secret token: not cached, not indexed. Its address goes to no other site: the site-wide
    `Referrer-Policy: same-origin` sends it only to this server (unlike `no-referrer`, it keeps the `Origin` of
    the page's own forms, so the CSRF check stays on)."""

    @functools.wraps(vue)
    def envelopper(request, *args, **kwargs):
        try:
            reponse = vue(request, *args, **kwargs)
        except Http404 as e:  # an unknown link: say what to do, in French
            contexte = {"message": str(e) or "Ce lien n'existe pas ou plus."}
            reponse = render(request, "reseau/inscriptions/lien_inconnu.html", contexte, status=404)
        reponse["Referrer-Policy"] = "same-origin"
        reponse["Cache-Control"] = "private, no-store"
        reponse["X-Robots-Tag"] = "noindex, nofollow"
        return reponse

    return envelopper


class _ReserveAuReseau(Exception):
    """A published network event asked by an anonymous visitor: they are told to log in, nothing more."""


def _evenement(request, pk) -> Evenement:
    evenement = get_object_or_404(Evenement.objects.select_related("departement", "lieu_commune"), pk=pk)
    if not peut(request.user, "evenement.voir", evenement):
        if not request.user.is_authenticated and evenement.statut == Evenement.Statut.PUBLIE:
            raise _ReserveAuReseau
        raise Http404("Événement introuvable.")
    return evenement


def _organise(request, pk) -> Evenement:
    evenement = get_object_or_404(Evenement.objects.select_related("departement", "lieu_commune"), pk=pk)
    exiger(request.user, "evenement.organiser", evenement)
    return evenement


def _trop(request):
    return render(request, "reseau/inscriptions/trop_de_requetes.html", {"message": freins.MESSAGE}, status=429)


def _refus(request, evenement, raison: str):
    return render(request, "reseau/inscriptions/refus.html", {"evenement": evenement, "raison": raison}, status=403)


def _ferme(request, evenement, raison: str):
    return render(request, "reseau/inscriptions/ferme.html", {"evenement": evenement, "raison": raison})


def _raison_acces(evenement) -> str:
    if evenement is not None and evenement.acces == Evenement.Acces.INVITATION:
        return (
            "Cet événement est sur invitation : inscrivez-vous avec le lien personnel reçu par e-mail, "
            "ou connectez-vous à votre compte."
        )
    return "Cet événement est réservé au réseau du département : connectez-vous à votre compte pour vous inscrire."


def _complet_sans_attente(evenement) -> bool:
    return not evenement.liste_attente and lectures.places_restantes(evenement) == 0


def _par(request, inscription=None):
    """Who acts on a registration: the account when its rule allows it, else nobody (the secret link is the
    access, checked by the view)."""
    user = request.user
    if user.is_authenticated and (inscription is None or peut(user, "inscription.gerer", inscription)):
        return user
    return None


def _annoncer(request, inscription, creee: bool) -> None:
    if not creee:
        messages.info(request, "Vous étiez déjà inscrit·e : voici votre inscription.")
    elif inscription.statut == Inscription.Statut.CONFIRMEE:
        messages.success(request, "Inscription confirmée. Un e-mail de confirmation vous a été envoyé.")
    else:
        messages.info(
            request,
            "L'événement est complet : vous êtes sur la liste d'attente. Un e-mail vous préviendra si une place "
            "se libère.",
        )


def _renvoyer_lien(inscription) -> None:
    # The confirmation (or waiting-list) e-mail carries the personal link.
    notifications.planifier("inscription_enregistree", inscription.pk)


def _enregistrer(request, form, evenement, *, origine, invitation=None, par=None):
    """Create the registration from a valid form; the response, or None when the form now carries errors."""
    try:
        inscription, creee = services.inscription_creer(
            evenement=evenement, par=par, origine=origine, invitation=invitation,
            sessions=form.sessions_choisies(), consentement=form.cleaned_data.get("consentement", False),
            commune=form.cleaned_data.get("commune"), **form.identite(),
        )  # fmt: skip
    except ValidationError as e:
        ajouter_erreurs_du_service(form, e)
        return None
    except services.InscriptionImpossible as e:
        return _ferme(request, evenement, e.raison)
    except PermissionDenied as e:
        return _refus(request, evenement, str(e))
    return inscription, creee


def _contexte_formulaire(request, evenement, form, **extra) -> dict:
    return {
        "evenement": evenement,
        "form": form,
        "places": lectures.places_restantes(evenement),
        **extra,
    }


# --- Public form, one click, invitation ---------------------------------------------------------------------------


@creation_unique
def inscrire(request, pk):
    try:
        evenement = _evenement(request, pk)
    except _ReserveAuReseau:
        return _refus(request, None, _raison_acces(None))
    compte = request.user.is_authenticated and peut(request.user, "evenement.s_inscrire", evenement)
    public = evenement.acces == Evenement.Acces.PUBLIC and evenement.statut == Evenement.Statut.PUBLIE
    if not compte and not public:
        return _refus(request, evenement, _raison_acces(evenement))
    if raison := services.raison_fermeture(evenement):
        return _ferme(request, evenement, raison)
    if _complet_sans_attente(evenement):
        return _ferme(request, evenement, "L'événement est complet.")
    if request.method == "POST" and freins.trop_de_requetes(request, "inscription"):
        return _trop(request)
    initial = {}
    if compte:
        user = request.user
        organisation = getattr(user, "organisation", None)
        initial = {"nom": user.last_name or user.get_full_name() or user.email, "prenom": user.first_name,
                   "organisation_nom": organisation.nom if organisation else getattr(user, "organisme", ""),
                   "type_organisation": organisation.type if organisation else ""}  # fmt: skip
    form = InscriptionForm(
        request.POST or None, evenement=evenement, sessions=lectures.sessions_au_choix(evenement), initial=initial,
        email_fixe=request.user.email if compte else "",
    )  # fmt: skip
    if request.method == "POST" and form.is_valid():
        origine = Inscription.Origine.COMPTE if compte else Inscription.Origine.FORMULAIRE
        resultat = _enregistrer(request, form, evenement, origine=origine, par=request.user)
        if isinstance(resultat, HttpResponse):
            return resultat
        if resultat is not None:
            inscription, creee = resultat
            if creee or (compte and inscription.email == request.user.email.strip().lower()):
                _annoncer(request, inscription, creee)
                return redirect("reseau:inscription", jeton=inscription.jeton)
            _renvoyer_lien(inscription)
            return render(request, "reseau/inscriptions/lien_envoye.html",
                          {"evenement": evenement, "message": DEJA_INSCRIT_NEUTRE})  # fmt: skip
    return render(
        request, "reseau/inscriptions/formulaire.html", _contexte_formulaire(request, evenement, form, compte=compte)
    )


@_page_secrete
@creation_unique
def invitation(request, jeton):
    invitation = lectures.invitation_par_jeton(jeton)
    if invitation is None:
        raise Http404("Ce lien d'invitation n'existe pas ou plus. Vérifiez l'adresse reçue par e-mail.")
    evenement = invitation.evenement
    if evenement.statut == Evenement.Statut.BROUILLON:
        raise Http404("Ce lien d'invitation n'existe pas ou plus. Vérifiez l'adresse reçue par e-mail.")
    deja = (
        evenement.inscriptions.filter(email=services.normaliser_email(invitation.email))
        .exclude(statut=Inscription.Statut.ANNULEE)
        .first()
    )
    if deja is not None:  # the invitation proves the address: its registration is theirs
        messages.info(request, "Vous êtes déjà inscrit·e : voici votre inscription.")
        return redirect("reseau:inscription", jeton=deja.jeton)
    if raison := services.raison_fermeture(evenement):
        return _ferme(request, evenement, raison)
    if _complet_sans_attente(evenement):
        return _ferme(request, evenement, "L'événement est complet.")
    if request.method == "POST" and freins.trop_de_requetes(request, "inscription"):
        return _trop(request)
    personne = invitation.personne
    if personne is not None:
        initial = {"nom": personne.nom, "prenom": personne.prenom, "fonction": personne.fonction,
                   "categorie": personne.categorie, "telephone": personne.telephone,
                   "organisation_nom": personne.organisation.nom if personne.organisation else "",
                   "type_organisation": personne.organisation.type if personne.organisation else ""}  # fmt: skip
    else:
        initial = {"nom": invitation.nom}
    form = InscriptionForm(
        request.POST or None, evenement=evenement, sessions=lectures.sessions_au_choix(evenement), initial=initial,
        email_fixe=invitation.email,
    )  # fmt: skip
    if request.method == "POST" and form.is_valid():
        resultat = _enregistrer(
            request, form, evenement, origine=Inscription.Origine.INVITATION, invitation=invitation,
            par=request.user,
        )  # fmt: skip
        if isinstance(resultat, HttpResponse):
            return resultat
        if resultat is not None:
            inscription, creee = resultat
            _annoncer(request, inscription, creee)
            return redirect("reseau:inscription", jeton=inscription.jeton)
    return render(
        request, "reseau/inscriptions/formulaire.html",
        _contexte_formulaire(request, evenement, form, invitation=invitation),
    )  # fmt: skip


# --- Personal page --------------------------------------------------------------------------------------------------


def _inscription(jeton) -> Inscription:
    inscription = lectures.inscription_par_jeton(jeton)
    if inscription is None:
        raise Http404("Ce lien d'inscription n'existe pas ou plus. Vérifiez l'adresse reçue par e-mail.")
    return inscription


def _passe(evenement) -> bool:
    return evenement.fin < maintenant()


def _modifiable(inscription) -> bool:
    return inscription.statut != Inscription.Statut.ANNULEE and not _passe(inscription.evenement)


@_page_secrete
def inscription(request, jeton):
    inscription = _inscription(jeton)
    evenement = inscription.evenement
    form = None
    if _modifiable(inscription):
        form = ModificationForm(
            request.POST or None, evenement=evenement, inscription=inscription,
            sessions=lectures.sessions_au_choix(evenement, sauf=inscription),
        )  # fmt: skip
        if request.method == "POST" and form.is_valid():
            try:
                services.inscription_modifier(
                    inscription=inscription, par=_par(request, inscription), version=form.version_lue,
                    sessions=form.sessions_choisies(), **form.identite(),
                )  # fmt: skip
            except ValidationError as e:
                ajouter_erreurs_du_service(form, e)
            except services.InscriptionImpossible as e:
                form.add_error(None, e.raison)
            else:
                messages.success(request, "Vos modifications sont enregistrées.")
                return redirect("reseau:inscription", jeton=inscription.jeton)
    elif request.method == "POST":
        messages.error(request, "Cette inscription ne peut plus être modifiée.")
        return redirect("reseau:inscription", jeton=inscription.jeton)
    contexte = {
        "inscription": inscription,
        "evenement": evenement,
        "position": lectures.position_attente(inscription),
        "choix": lectures.sessions_choisies(inscription),
        "form": form,
    }
    return render(request, "reseau/inscriptions/page.html", contexte)


@_page_secrete
def inscription_annuler(request, jeton):
    inscription = _inscription(jeton)
    if inscription.statut == Inscription.Statut.ANNULEE:
        messages.info(request, "Cette inscription est déjà annulée.")
        return redirect("reseau:inscription", jeton=inscription.jeton)
    if _passe(inscription.evenement):
        messages.error(request, "L'événement est passé : l'inscription ne s'annule plus.")
        return redirect("reseau:inscription", jeton=inscription.jeton)
    if request.method == "POST":
        services.inscription_annuler(inscription=inscription, par=_par(request, inscription))
        messages.success(request, "Votre inscription est annulée. Merci d'avoir libéré votre place.")
        return redirect("reseau:inscription", jeton=inscription.jeton)
    return render(
        request, "reseau/inscriptions/annuler.html", {"inscription": inscription, "evenement": inscription.evenement}
    )


@_page_secrete
def inscription_qr(request, jeton):
    inscription = _inscription(jeton)
    image = qrcode.make(inscription.code, image_factory=qrcode.image.svg.SvgPathFillImage, border=2)
    tampon = io.BytesIO()
    image.save(tampon)
    return HttpResponse(tampon.getvalue(), content_type="image/svg+xml")


@login_required
def mes_inscriptions(request):
    inscriptions = list(lectures.mes_inscriptions(request.user))
    return render(request, "reseau/inscriptions/mes_inscriptions.html", {"inscriptions": inscriptions})


# --- Organisers -----------------------------------------------------------------------------------------------------


def _action_organisateur(request, evenement):
    action = request.POST.get("action", "")
    try:
        cible = evenement.inscriptions.get(pk=int(request.POST.get("inscription", "")))
    except (ValueError, Inscription.DoesNotExist):
        messages.error(request, "Inscription introuvable dans cet événement.")
        return
    try:
        if action == "annuler":
            promues = services.inscription_annuler(inscription=cible, par=request.user)
            texte = f"Inscription de {cible.nom_complet} annulée."
            if promues:
                texte += " Sortie de la liste d'attente : " + ", ".join(p.nom_complet for p in promues) + "."
            messages.success(request, texte)
        elif action == "promouvoir":
            services.inscription_promouvoir(par=request.user, inscription=cible)
            messages.success(request, f"{cible.nom_complet} est confirmé·e (sortie de la liste d'attente).")
        else:
            messages.error(request, "Action inconnue.")
    except services.InscriptionImpossible as e:
        messages.error(request, e.raison)


@login_required
def inscriptions(request, pk):
    evenement = _organise(request, pk)
    if request.method == "POST":
        _action_organisateur(request, evenement)
        retour = reverse("reseau:inscriptions", args=[evenement.pk])
        return redirect(f"{retour}?{request.GET.urlencode()}" if request.GET else retour)
    filtres = FiltresForm(request.GET or None)
    criteres = filtres.criteres()
    page = Paginator(lectures.inscriptions_filtrees(evenement, **criteres), PAR_PAGE).get_page(request.GET.get("page"))
    positions = lectures.positions_attente(evenement)
    lignes = list(page.object_list)
    for ligne in lignes:
        ligne.position = positions.get(ligne.pk)
    parametres = urlencode({k: v for k, v in request.GET.items() if k != "page" and v})
    contexte = {
        "evenement": evenement,
        "filtres": filtres,
        "page": page,
        "lignes": lignes,
        "parametres": parametres,
        "compteurs": lectures.compteurs(evenement),
        "places": None if evenement.capacite is None else evenement.capacite,
    }
    return render(request, "reseau/inscriptions/liste.html", contexte)


@login_required
def inscriptions_export(request, pk, format):
    evenement = _organise(request, pk)
    if format not in {"csv", "xlsx"}:
        raise Http404("Format inconnu : csv ou xlsx.")
    coordonnees = request.GET.get("coordonnees") == "1"
    entetes, lignes = lectures.lignes_export(evenement, coordonnees=coordonnees)
    nom = f"inscriptions-evenement-{evenement.pk}{'-coordonnees' if coordonnees else ''}"
    if format == "csv":
        reponse = HttpResponse(
            ecrire_csv(entetes, lignes, convertir=texte_csv_francais), content_type="text/csv; charset=utf-8"
        )
    else:
        classeur = nouveau_classeur()
        ecrire_feuille(classeur.active, entetes, lignes)
        classeur.active.title = "Inscriptions"
        reponse = HttpResponse(
            classeur_octets(classeur),
            content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
        )
    reponse["Content-Disposition"] = f'attachment; filename="{nom}.{format}"'
    reponse["Cache-Control"] = "private, no-store"
    return reponse


@login_required
@creation_unique
def inscription_ajouter(request, pk):
    evenement = _organise(request, pk)
    form = InscriptionForm(
        request.POST or None, evenement=evenement, sessions=lectures.sessions_au_choix(evenement),
        avec_consentement=True,
    )  # fmt: skip
    form.fields["consentement"].label = "La personne accepte d'être recontactée par le réseau"
    if request.method == "POST" and form.is_valid():
        resultat = _enregistrer(request, form, evenement, origine=Inscription.Origine.ORGANISATEUR, par=request.user)
        if isinstance(resultat, HttpResponse):
            return resultat
        if resultat is not None:
            inscription, creee = resultat
            if creee:
                etat = "confirmée" if inscription.statut == Inscription.Statut.CONFIRMEE else "en liste d'attente"
                messages.success(request, f"Inscription de {inscription.nom_complet} ajoutée ({etat}).")
            else:
                messages.info(request, f"{inscription.nom_complet} était déjà inscrit·e avec cette adresse.")
            return redirect("reseau:inscriptions", pk=evenement.pk)
    contexte = _contexte_formulaire(request, evenement, form, organisateur=True)
    return render(request, "reseau/inscriptions/formulaire.html", contexte)
