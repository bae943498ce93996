"""gunicorn's text access log with the same discretion as the application's JSON log (maillage.core.journaux):
the secret parts of a path (password reset or activation link, invitation or registration token) masked in the
request line, the path and the referrer, and no IP address (personal data with no use in a technical log).

Used by deploiement/gunicorn.conf.py when logs are text; with `LOG_FORMAT=json` the application writes the access
lines itself.
"""

from urllib.parse import urlsplit

from gunicorn.glogging import Logger

from maillage.core.journaux import MASQUE, PARAMETRES_SECRETS

# Time, request line, status, bytes sent, duration: enough to follow traffic and errors.
FORMAT_ACCES = '%(t)s "%(r)s" %(s)s %(b)s %(M)sms'


def secrets_du_chemin(chemin: str) -> list[str]:
    """Values of the secret URL parameters in `chemin` (its route's `jeton`, `token`, `uidb64`), by Django's
    resolver (loaded in the worker with the application); none for an unknown path."""
    from django.urls import Resolver404, resolve

    try:
        correspondance = resolve(chemin)
    except (Resolver404, ValueError):
        return []
    return [str(v) for nom, v in correspondance.kwargs.items() if nom in PARAMETRES_SECRETS and v]


class JournalAcces(Logger):
    def atoms(self, resp, req, environ, request_time):
        atomes = super().atoms(resp, req, environ, request_time)
        # Every atom may quote the path or the referrer (request line, {raw_uri}e, {http_referer}e, headers).
        secrets = secrets_du_chemin(environ.get("PATH_INFO") or "")
        referent = environ.get("HTTP_REFERER") or ""
        if referent:
            secrets += secrets_du_chemin(urlsplit(referent).path)
        for cle, valeur in atomes.items():
            if isinstance(valeur, str):
                for secret in secrets:
                    valeur = valeur.replace(secret, MASQUE)
                atomes[cle] = valeur
        for cle in ("h", "{remote_addr}e", "{x-forwarded-for}i", "{x-real-ip}i"):
            if cle in atomes:
                atomes[cle] = "-"
        return atomes
