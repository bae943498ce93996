from django.http import JsonResponse
from django.shortcuts import redirect
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme, urlencode

from . import deux_facteurs

# Reachable by a session that still owes its second factor (static files are served before any middleware here).
VUES_OUVERTES = {
    "comptes:connexion",
    "comptes:deconnexion",
    "comptes:otp_verifier",
    "comptes:otp_ajouter",
}


class DeuxFacteursMiddleware:
    """Hold a password-only session on the code step (account with a device) or on enrolment (pilote or admin
    account when `MAILLAGE_2FA_OBLIGATOIRE`): every other page, the API and the Django admin included, waits."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        return self.get_response(request)

    def process_view(self, request, view_func, view_args, view_kwargs):
        user = request.user
        if not user.is_authenticated or user.is_verified():
            return None
        if request.resolver_match and request.resolver_match.view_name in VUES_OUVERTES:
            return None
        if request.session.get(deux_facteurs.CLE_CODE_REQUIS):
            etape, message = "comptes:otp_verifier", "Saisissez le code de votre application d'authentification."
        elif deux_facteurs.obligatoire_pour(user):
            etape, message = "comptes:otp_ajouter", "La double authentification est obligatoire pour votre compte."
        else:
            return None
        if request.path.startswith("/api/"):
            return JsonResponse({"detail": message}, status=403)
        suite = request.get_full_path() if request.method == "GET" else ""
        url = reverse(etape)
        if suite and url_has_allowed_host_and_scheme(suite, allowed_hosts={request.get_host()}):
            url += "?" + urlencode({"next": suite})
        return redirect(url)
