"""Two-factor authentication (django-otp): TOTP devices, recovery codes, who must use them.

A TOTP device is confirmed once its owner typed a first code; recovery codes are one StaticDevice per user whose
tokens are deleted when used. After the password, an account with a confirmed device is held on the code step;
under `MAILLAGE_2FA_OBLIGATOIRE`, a pilote or admin account without one is held on enrolment
(`maillage.comptes.middleware.DeuxFacteursMiddleware`).
"""

import base64
import io

import qrcode
import qrcode.image.svg
from django.conf import settings
from django.contrib.auth.signals import user_logged_in
from django.core.exceptions import ValidationError
from django.db import transaction
from django.dispatch import receiver
from django_otp import login as otp_login
from django_otp.plugins.otp_static.models import StaticDevice, StaticToken
from django_otp.plugins.otp_totp.models import TOTPDevice

from maillage.core.roles import Role

# Session flag set at login: the account had a confirmed device, so the code step applies.
CLE_CODE_REQUIS = "maillage_2fa_code_requis"
NOMBRE_CODES_SECOURS = 10
NOM_CODES_SECOURS = "codes de secours"


def obligatoire_pour(user) -> bool:
    """Whether `user` may not use the platform without a second factor."""
    if not settings.MAILLAGE_2FA_OBLIGATOIRE or not getattr(user, "is_authenticated", False):
        return False
    return user.is_superuser or user.is_staff or user.role in {Role.PILOTE, Role.ADMIN}


def appareils(user) -> list[TOTPDevice]:
    return list(TOTPDevice.objects.filter(user=user, confirmed=True).order_by("created_at", "pk"))


def a_un_appareil(user) -> bool:
    return TOTPDevice.objects.filter(user=user, confirmed=True).exists()


def codes_secours_restants(user) -> int:
    return StaticToken.objects.filter(device__user=user, device__confirmed=True).count()


@receiver(user_logged_in)
def _marquer_etape_code(sender, request, user, **kwargs):
    # Whatever the login page (ours, the Django admin's, a test client), remember whether a code is due.
    if request is not None and hasattr(request, "session"):
        request.session[CLE_CODE_REQUIS] = a_un_appareil(user)


# --- Enrolment -------------------------------------------------------------------------------------------------


def appareil_en_attente(user, *, pk=None) -> TOTPDevice:
    """The unconfirmed device being enrolled (the one of this session when `pk` names it), created if needed."""
    if pk is not None:
        appareil = TOTPDevice.objects.filter(user=user, confirmed=False, pk=pk).first()
        if appareil is not None:
            return appareil
    nom = f"Application d'authentification {TOTPDevice.objects.filter(user=user).count() + 1}"
    return TOTPDevice.objects.create(user=user, name=nom, confirmed=False)


def cle_base32(appareil: TOTPDevice) -> str:
    """The secret as authenticator apps expect it when typed by hand, in groups of four."""
    cle = base64.b32encode(appareil.bin_key).decode().rstrip("=")
    return " ".join(cle[i : i + 4] for i in range(0, len(cle), 4))


def qr_code_svg(appareil: TOTPDevice) -> str:
    """The otpauth:// URL as an SVG data URI (served with the page: no CDN, no inline script or style)."""
    image = qrcode.make(appareil.config_url, image_factory=qrcode.image.svg.SvgPathFillImage, border=2)
    tampon = io.BytesIO()
    image.save(tampon)
    return "data:image/svg+xml;base64," + base64.b64encode(tampon.getvalue()).decode()


def _code_propre(code: str) -> str:
    return "".join((code or "").split()).lower()


def appareil_confirmer(*, request, appareil: TOTPDevice, code: str, nom: str = "") -> list[str] | None:
    """Confirm the device with its first code and verify the session; returns fresh recovery codes when the
    account had none (shown once), else None."""
    if appareil.user_id != request.user.pk or appareil.confirmed:
        raise ValidationError({"code": "Cet appareil n'est plus en attente : recommencez."})
    autorise, _ = appareil.verify_is_allowed()
    if not autorise:
        raise ValidationError({"code": "Trop d'essais : patientez quelques secondes avant de réessayer."})
    if not appareil.verify_token(_code_propre(code)):
        raise ValidationError({"code": "Code incorrect. Vérifiez l'heure de votre téléphone et réessayez."})
    with transaction.atomic():
        appareil.confirmed = True
        if nom.strip():
            appareil.name = nom.strip()[:64]
        appareil.save()
        codes = None if codes_secours_restants(request.user) else _codes_secours_creer(request.user)
    otp_login(request, appareil)
    request.session[CLE_CODE_REQUIS] = True
    return codes


# --- Code step, removal, recovery codes ------------------------------------------------------------------------


def _verifier(user, code: str):
    """The device that accepts `code` (a TOTP code, or a recovery code which is then used up), else an error."""
    code = _code_propre(code)
    if not code:
        raise ValidationError({"code": "Saisissez un code."})
    candidats = [*appareils(user), *StaticDevice.objects.filter(user=user, confirmed=True)]
    autorises = [a for a in candidats if a.verify_is_allowed()[0]]
    if candidats and not autorises:
        raise ValidationError({"code": "Trop d'essais : patientez quelques secondes avant de réessayer."})
    for appareil in autorises:
        # TOTP codes are digits; a recovery code is tried only on the recovery device, and vice versa.
        if isinstance(appareil, TOTPDevice) != code.isdigit():
            # Still counted as a failure, so that alternating kinds of code does not escape throttling.
            appareil.throttle_increment()
        elif appareil.verify_token(code):
            return appareil
    raise ValidationError({"code": "Code incorrect."})


def session_verifier(*, request, code: str):
    """The code step after the password: accept a current code or an unused recovery code."""
    # No enclosing transaction: a failed attempt must stay counted (throttling).
    appareil = _verifier(request.user, code)
    otp_login(request, appareil)
    return appareil


def appareil_supprimer(*, user, appareil_pk: int, code: str) -> None:
    """Remove a device; a current code (or a recovery code) proves the owner's presence. The last device takes the
    recovery codes with it."""
    appareil = TOTPDevice.objects.filter(user=user, pk=appareil_pk, confirmed=True).first()
    if appareil is None:
        raise ValidationError("Cet appareil n'existe pas ou plus.")
    _verifier(user, code)  # outside the transaction: a failure stays counted
    with transaction.atomic():
        appareil.delete()
        if not a_un_appareil(user):
            StaticDevice.objects.filter(user=user).delete()


def _codes_secours_creer(user) -> list[str]:
    StaticDevice.objects.filter(user=user).delete()
    appareil = StaticDevice.objects.create(user=user, name=NOM_CODES_SECOURS, confirmed=True)
    codes = [StaticToken.random_token() for _ in range(NOMBRE_CODES_SECOURS)]
    StaticToken.objects.bulk_create([StaticToken(device=appareil, token=c) for c in codes])
    return codes


def codes_secours_regenerer(*, user, code: str) -> list[str]:
    """Replace every recovery code (the old ones stop working); the new ones are shown once."""
    if not a_un_appareil(user):
        raise ValidationError("Ajoutez d'abord une application d'authentification.")
    _verifier(user, code)  # outside the transaction: a failure stays counted
    with transaction.atomic():
        return _codes_secours_creer(user)
