"""Pages of two-factor authentication: code step, enrolment, removal, recovery codes (rules in deux_facteurs)."""

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.shortcuts import redirect, render
from django.utils.http import url_has_allowed_host_and_scheme
from django.views.decorators.http import require_POST

from maillage.core.formulaires import ajouter_erreurs_du_service

from . import deux_facteurs
from .forms import AppareilForm, CodeForm

CLE_APPAREIL_EN_ATTENTE = "maillage_2fa_appareil_en_attente"


def _suite(request) -> str:
    suite = request.POST.get("next") or request.GET.get("next") or ""
    if suite and url_has_allowed_host_and_scheme(
        suite, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        return suite
    return settings.LOGIN_REDIRECT_URL


@login_required
def verifier(request):
    """The code step after the password."""
    if request.user.is_verified() or not deux_facteurs.a_un_appareil(request.user):
        request.session[deux_facteurs.CLE_CODE_REQUIS] = deux_facteurs.a_un_appareil(request.user)
        return redirect(_suite(request))
    form = CodeForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            appareil = deux_facteurs.session_verifier(request=request, code=form.cleaned_data["code"])
        except ValidationError as erreur:
            ajouter_erreurs_du_service(form, erreur)
        else:
            if appareil.__class__.__name__ == "StaticDevice":
                restants = deux_facteurs.codes_secours_restants(request.user)
                messages.warning(
                    request,
                    f"Vous avez utilisé un code de secours ; il vous en reste {restants}. "
                    "Pensez à en générer de nouveaux depuis « Mon espace ».",
                )
            return redirect(_suite(request))
    return render(request, "comptes/otp_verifier.html", {"form": form, "next": _suite(request)})


@login_required
def ajouter(request):
    """Enrol an authenticator app: scan the QR code (or type the key), then confirm with a first code."""
    user = request.user
    if not user.is_verified() and deux_facteurs.a_un_appareil(user):
        # A password alone never adds a device to an account that has one.
        return redirect("comptes:otp_verifier")
    appareil = deux_facteurs.appareil_en_attente(user, pk=request.session.get(CLE_APPAREIL_EN_ATTENTE))
    request.session[CLE_APPAREIL_EN_ATTENTE] = appareil.pk
    form = AppareilForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            codes = deux_facteurs.appareil_confirmer(
                request=request, appareil=appareil, code=form.cleaned_data["code"], nom=form.cleaned_data["nom"]
            )
        except ValidationError as erreur:
            ajouter_erreurs_du_service(form, erreur)
        else:
            request.session.pop(CLE_APPAREIL_EN_ATTENTE, None)
            messages.success(request, "La double authentification est activée sur votre compte.")
            if codes:
                return render(request, "comptes/otp_codes.html", {"codes": codes, "suite": _suite(request)})
            return redirect(_suite(request))
    contexte = {
        "form": form,
        "qr_code": deux_facteurs.qr_code_svg(appareil),
        "cle": deux_facteurs.cle_base32(appareil),
        "obligatoire": deux_facteurs.obligatoire_pour(user) and not deux_facteurs.a_un_appareil(user),
        "next": _suite(request),
    }
    return render(request, "comptes/otp_ajouter.html", contexte)


@require_POST
@login_required
def supprimer(request, pk):
    form = CodeForm(request.POST)
    try:
        if not form.is_valid():
            raise ValidationError("Saisissez un code pour confirmer.")
        deux_facteurs.appareil_supprimer(user=request.user, appareil_pk=pk, code=form.cleaned_data["code"])
    except ValidationError as erreur:
        messages.error(request, "L'appareil n'est pas supprimé : " + " ".join(erreur.messages))
    else:
        messages.success(request, "L'appareil est supprimé.")
    return redirect("comptes:espace")


@require_POST
@login_required
def codes_regenerer(request):
    form = CodeForm(request.POST)
    try:
        if not form.is_valid():
            raise ValidationError("Saisissez un code pour confirmer.")
        codes = deux_facteurs.codes_secours_regenerer(user=request.user, code=form.cleaned_data["code"])
    except ValidationError as erreur:
        messages.error(request, "Les codes de secours ne sont pas renouvelés : " + " ".join(erreur.messages))
        return redirect("comptes:espace")
    return render(request, "comptes/otp_codes.html", {"codes": codes, "suite": settings.LOGIN_REDIRECT_URL})
