from django.contrib import messages
from django.contrib.auth import views as auth_views
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse, reverse_lazy
from django.utils.http import urlencode
from django.views.decorators.http import require_POST

from maillage.core import horloge
from maillage.core.formulaires import ajouter_erreurs_du_service, creation_unique
from maillage.core.permissions import exiger, peut
from maillage.territoires.models import Departement
from maillage.territoires.selectors import departement_par_code

from . import deux_facteurs, selectors, services
from .forms import CompteForm, ConnexionForm, FiltreComptesForm, MandatForm, MotDePasseOublieForm, OrganisationForm
from .models import Mandat, Organisation, Role, Utilisateur

PAR_PAGE = 50


# --- Connexion and passwords --------------------------------------------------


class Connexion(auth_views.LoginView):
    template_name = "comptes/connexion.html"
    form_class = ConnexionForm
    redirect_authenticated_user = True

    def form_valid(self, form):
        reponse = super().form_valid(form)
        # The password is right: an account with a device now owes its code, a pilote without one its enrolment.
        etape = None
        if self.request.session.get(deux_facteurs.CLE_CODE_REQUIS):
            etape = "comptes:otp_verifier"
        elif deux_facteurs.obligatoire_pour(form.get_user()):
            etape = "comptes:otp_ajouter"
        if etape is None:
            return reponse
        return redirect(f"{reverse(etape)}?{urlencode({'next': self.get_success_url()})}")


class MotDePasseOublie(auth_views.PasswordResetView):
    template_name = "comptes/mot_de_passe_oublie.html"
    form_class = MotDePasseOublieForm
    subject_template_name = "comptes/email/mot_de_passe_sujet.txt"
    email_template_name = "comptes/email/mot_de_passe.txt"
    success_url = reverse_lazy("comptes:mot_de_passe_envoye")

    @property
    def extra_email_context(self):
        return services.contexte_des_emails()


class NouveauMotDePasse(auth_views.PasswordResetConfirmView):
    """The link of a reset e-mail; `Activation` is the same for the link of an invitation."""

    template_name = "comptes/mot_de_passe_nouveau.html"
    success_url = reverse_lazy("comptes:mot_de_passe_termine")
    extra_context = {"invitation": False}

    def get_user(self, uidb64):
        # A deactivated account keeps its old links: they must not work any more.
        user = super().get_user(uidb64)
        return user if user is not None and user.is_active else None

    def form_valid(self, form):
        reponse = super().form_valid(form)
        services.connexions_echouees_effacer(email=form.user.email)
        return reponse


class Activation(NouveauMotDePasse):
    extra_context = {"invitation": True}


# --- Mon compte ----------------------------------------------------------------


@login_required
def espace(request):
    user = request.user
    contexte = {
        "profil": selectors.profil(user),
        "mandats": selectors.mandats_en_cours_du_compte(user) if user.role == Role.PARTENAIRE else [],
        "departements_geres": list(selectors.departements_geres(user)) if user.role == Role.PILOTE else [],
        "gere_des_comptes": selectors.departements_geres(user).exists(),
        "peut_voir_chargements": peut(user, "chargement.voir"),
        "peut_voir_bareme": peut(user, "bareme.voir"),
        "appareils": deux_facteurs.appareils(user),
        "codes_secours_restants": deux_facteurs.codes_secours_restants(user),
        "deux_facteurs_obligatoire": deux_facteurs.obligatoire_pour(user),
        "peut_gerer_donnees_personnelles": peut(user, "donnees_personnelles.gerer"),
    }
    return render(request, "comptes/espace.html", contexte)


# --- Gestion des comptes ------------------------------------------------------------


@login_required
def gestion(request):
    departements = list(selectors.departements_geres(request.user))
    if not departements:
        raise PermissionDenied
    if len(departements) == 1:
        return redirect("comptes:liste", code=departements[0].code)
    return render(request, "comptes/gestion.html", {"departements": departements})


def _departement_gere(user, code: str) -> Departement:
    departement = departement_par_code(code)
    exiger(user, "comptes.gerer", departement)
    return departement


@login_required
def liste(request, code):
    departement = _departement_gere(request.user, code)
    filtre = FiltreComptesForm(request.GET)
    criteres = filtre.cleaned_data if filtre.is_valid() else {}
    comptes = selectors.comptes_du_departement(departement.code, **criteres)
    page = Paginator(comptes, PAR_PAGE).get_page(request.GET.get("page"))
    lignes = [
        {"compte": c, "statut": selectors.statut(c), "modifiable": peut(request.user, "compte.modifier", c)}
        for c in page
    ]
    parametres = request.GET.copy()
    parametres.pop("page", None)
    contexte = {
        "departement": departement,
        "filtre": filtre,
        "page": page,
        "lignes": lignes,
        "parametres": parametres.urlencode(),
        "peut_voir_journal": peut(request.user, "audit.voir", departement),
    }
    return render(request, "comptes/liste.html", contexte)


def _url_site(request) -> str:
    return request.build_absolute_uri("/")


@login_required
@creation_unique
def inviter(request, code):
    departement = _departement_gere(request.user, code)
    form = CompteForm(
        request.POST or None, par=request.user, departement=departement, initial={"departements": [departement]}
    )
    if request.method == "POST" and form.is_valid():
        try:
            compte = services.compte_inviter(
                par=request.user, **_donnees(form), email=form.cleaned_data["email"], url_site=_url_site(request)
            )
        except ValidationError as erreur:
            ajouter_erreurs_du_service(form, erreur)
        else:
            messages.success(request, f"Invitation envoyée à {compte.email}.")
            return redirect("comptes:liste", code=departement.code)
    return render(request, "comptes/formulaire.html", {"form": form, "departement": departement, "cible": None})


def _donnees(form) -> dict:
    d = form.cleaned_data
    return {
        "prenom": d["prenom"],
        "nom": d["nom"],
        "organisme": d["organisme"],
        "organisation": d["organisation"],
        "role": d["role"],
        "departements": list(d["departements"]),
        "communes": list(d["communes"]),
    }


def _cible_modifiable(user, pk) -> Utilisateur:
    cible = get_object_or_404(Utilisateur.objects.prefetch_related("departements", "communes"), pk=pk)
    exiger(user, "compte.modifier", cible)
    return cible


def _departement_de_retour(user, cible) -> Departement | None:
    return next((d for d in cible.departements.all() if peut(user, "comptes.gerer", d)), None)


@login_required
def modifier(request, pk):
    cible = _cible_modifiable(request.user, pk)
    form = CompteForm(
        request.POST or None,
        par=request.user,
        cible=cible,
        initial=CompteForm.initial_pour(cible),
        version=cible.version,
    )
    if request.method == "POST" and form.is_valid():
        try:
            services.compte_modifier(par=request.user, cible=cible, version=form.version_lue, **_donnees(form))
        except ValidationError as erreur:
            ajouter_erreurs_du_service(form, erreur)
        else:
            messages.success(request, f"Le compte de {cible.email} est modifié.")
            retour = _departement_de_retour(request.user, cible)
            return redirect("comptes:liste", code=retour.code) if retour else redirect("comptes:gestion")
    contexte = {
        "form": form,
        "cible": cible,
        "statut": selectors.statut(cible),
        "departement": _departement_de_retour(request.user, cible),
        "historique": selectors.entrees_lisibles(selectors.journal_du_compte(cible)[:20]),
    }
    return render(request, "comptes/formulaire.html", contexte)


@login_required
def desactiver(request, pk):
    cible = _cible_modifiable(request.user, pk)
    if request.method == "POST":
        services.compte_desactiver(par=request.user, cible=cible)
        messages.success(request, f"Le compte de {cible.email} est désactivé : il ne peut plus se connecter.")
        return redirect("comptes:modifier", pk=cible.pk)
    return render(request, "comptes/desactiver.html", {"cible": cible})


@require_POST
@login_required
def reactiver(request, pk):
    cible = _cible_modifiable(request.user, pk)
    services.compte_reactiver(par=request.user, cible=cible)
    messages.success(request, f"Le compte de {cible.email} est réactivé.")
    return redirect("comptes:modifier", pk=cible.pk)


@require_POST
@login_required
def reinviter(request, pk):
    cible = _cible_modifiable(request.user, pk)
    try:
        services.compte_reinviter(par=request.user, cible=cible, url_site=_url_site(request))
    except ValidationError as erreur:
        messages.error(request, " ".join(erreur.messages))
    else:
        messages.success(request, f"Invitation renvoyée à {cible.email}.")
    return redirect("comptes:modifier", pk=cible.pk)


# --- Journal ----------------------------------------------------------------


@login_required
def journal(request, code):
    departement = departement_par_code(code)
    exiger(request.user, "audit.voir", departement)
    page = Paginator(selectors.journal_des_comptes(departement.code), PAR_PAGE).get_page(request.GET.get("page"))
    entrees = selectors.entrees_lisibles(page)
    return render(request, "comptes/journal.html", {"departement": departement, "page": page, "entrees": entrees})


# --- Organisations and mandates -----------------------------------------------------------------------------------


@login_required
def organisations(request, code):
    departement = departement_par_code(code)
    exiger(request.user, "organisation.gerer", departement)
    contexte = {"departement": departement, "organisations": selectors.organisations_du_departement(code)}
    return render(request, "comptes/organisations.html", contexte)


@login_required
@creation_unique
def organisation_creer(request, code):
    departement = departement_par_code(code)
    exiger(request.user, "organisation.gerer", departement)
    form = OrganisationForm(request.POST or None, departement=departement)
    if request.method == "POST" and form.is_valid():
        d = form.cleaned_data
        try:
            organisation = services.organisation_creer(
                par=request.user,
                nom=d["nom"],
                type=d["type"],
                departement=departement,
                communes=d["communes"],
                epci=d["epci"],
                siret=d["siret"],
            )
        except ValidationError as erreur:
            ajouter_erreurs_du_service(form, erreur)
        else:
            messages.success(request, f"L'organisation « {organisation.nom} » est créée.")
            return redirect("comptes:organisation", pk=organisation.pk)
    return render(
        request, "comptes/organisation_formulaire.html", {"form": form, "departement": departement, "cible": None}
    )


def _organisation_geree(user, pk) -> Organisation:
    organisation = get_object_or_404(Organisation.objects.select_related("departement", "epci"), pk=pk)
    exiger(user, "organisation.gerer", organisation)
    return organisation


@login_required
def organisation_modifier(request, pk):
    organisation = _organisation_geree(request.user, pk)
    form = OrganisationForm(
        request.POST or None, departement=organisation.departement, initial=OrganisationForm.initial_pour(organisation)
    )
    if request.method == "POST" and form.is_valid():
        d = form.cleaned_data
        try:
            services.organisation_modifier(
                par=request.user,
                organisation=organisation,
                nom=d["nom"],
                type=d["type"],
                communes=d["communes"],
                epci=d["epci"],
                siret=d["siret"],
                actif=d["actif"],
            )
        except ValidationError as erreur:
            ajouter_erreurs_du_service(form, erreur)
        else:
            messages.success(request, f"L'organisation « {organisation.nom} » est modifiée.")
            return redirect("comptes:organisation", pk=organisation.pk)
    contexte = {"form": form, "departement": organisation.departement, "cible": organisation}
    return render(request, "comptes/organisation_formulaire.html", contexte)


@login_required
@creation_unique  # its form grants a mandate: sent twice, one mandate
def organisation(request, pk):
    """An organisation: its accounts, its mandates (live, ended, revoked) and the form to grant one."""
    organisation = _organisation_geree(request.user, pk)
    form = MandatForm(request.POST or None, organisation=organisation)
    if request.method == "POST" and form.is_valid():
        d = form.cleaned_data
        try:
            mandat = services.mandat_accorder(
                par=request.user,
                organisation=organisation,
                nature=d["nature"],
                debut=d["debut"],
                fin=d["fin"],
                motif=d["motif"],
                utilisateur=d["utilisateur"],
            )
        except ValidationError as erreur:
            ajouter_erreurs_du_service(form, erreur)
        else:
            messages.success(request, f"Mandat « {mandat.get_nature_display()} » accordé.")
            return redirect("comptes:organisation", pk=organisation.pk)
    contexte = {
        "organisation": organisation,
        "departement": organisation.departement,
        "comptes": organisation.comptes.order_by("last_name", "first_name", "email"),
        "mandats": selectors.mandats_de_l_organisation(organisation),
        "form": form,
        "aujourdhui": horloge.aujourdhui(),
    }
    return render(request, "comptes/organisation.html", contexte)


@require_POST
@login_required
def mandat_revoquer(request, pk):
    mandat = get_object_or_404(Mandat.objects.select_related("organisation"), pk=pk)
    try:
        services.mandat_revoquer(par=request.user, mandat=mandat)
    except ValidationError as erreur:
        messages.error(request, " ".join(erreur.messages))
    else:
        messages.success(request, f"Mandat « {mandat.get_nature_display()} » révoqué.")
    return redirect("comptes:organisation", pk=mandat.organisation_id)
