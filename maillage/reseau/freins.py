"""Brakes against abuse of the public registration form and of the API's POST: at most `taux` requests per client
IP and group, counted in the default cache (Redis in production, so every server counts together).

Built on `django_ratelimit.core.is_ratelimited` (the package is used as a library, not as an app). The rates can
be changed per group with the setting `RESEAU_FREINS = {"inscription": "20/h", "api_inscription": "20/h"}`.
The client is `REMOTE_ADDR` (IPv6 by /64, as django-ratelimit does), or the request header named by
`RATELIMIT_IP_META_KEY` behind a reverse proxy that does not set it — else every visitor shares one count."""

import ipaddress

from django.conf import settings
from django_ratelimit import ALL
from django_ratelimit.core import is_ratelimited

TAUX_DEFAUT = "20/h"
MESSAGE = (
    "Trop de demandes ont été envoyées depuis votre connexion en peu de temps. "
    "Patientez un peu (une heure au plus) avant de réessayer."
)


def taux_de(groupe: str, taux: str | None = None) -> str:
    return taux or getattr(settings, "RESEAU_FREINS", {}).get(groupe) or TAUX_DEFAUT


def client(groupe, request) -> str:
    """The counted client: its IP address (IPv6 by /64 network); "inconnue" when the server gives none."""
    cle = getattr(settings, "RATELIMIT_IP_META_KEY", None)
    brute = request.META.get(cle if isinstance(cle, str) else "REMOTE_ADDR", "") or ""
    # A forwarded list: the last address is the one the (trusted) proxy saw; the first ones are the client's word.
    brute = brute.split(",")[-1].strip()
    try:
        adresse = ipaddress.ip_address(brute)
    except ValueError:
        return "inconnue"
    if adresse.version == 6:
        return str(ipaddress.ip_network(f"{adresse}/64", strict=False).network_address)
    return str(adresse)


def trop_de_requetes(request, groupe: str, taux: str | None = None) -> bool:
    """Count this request in `groupe` for its client; True once the rate is exceeded (answer 429)."""
    return is_ratelimited(
        request, group=f"reseau.{groupe}", key=client, rate=taux_de(groupe, taux), method=ALL, increment=True
    )
