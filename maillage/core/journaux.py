"""Structured logs: one JSON object per line when `LOG_FORMAT=json` (production), readable text otherwise.

Read by a log collector (journald, Loki, Elasticsearch…): time in ISO 8601 UTC, level, logger, message, the
exception's traceback, and, for a line written while a request is served, its method, path, status, duration and
the user's id. Never the e-mail or the IP address (personal data with no use in a technical log); the secret parts
of a path (invitation or registration token, password reset link) are masked.

No Django import at module level: gunicorn's own logging (deploiement/gunicorn.conf.py) uses the formatter before
Django is set up.
"""

import contextvars
import datetime
import json
import logging
import time

FORMATS = ("texte", "json")
# URL parameters that are secrets (a personal link): their value never reaches the logs.
PARAMETRES_SECRETS = frozenset({"jeton", "token", "uidb64"})
MASQUE = "…"
# The load balancer's probes, every few seconds on every server: their access line only when they fail.
CHEMINS_SONDES = frozenset({"/sante/", "/pret/"})

_requete_en_cours: contextvars.ContextVar = contextvars.ContextVar("maillage_requete", default=None)


def format_des_journaux(valeur: str | None, *, debug: bool) -> str:
    """`LOG_FORMAT` read: "texte" (default) or "json"; JSON only when asked and DEBUG is off (a developer reads
    the console). Anything else is refused, so that a typo does not silently give text to a JSON collector."""
    choix = (valeur or "texte").strip().lower()
    if choix not in FORMATS:
        raise ValueError(f"LOG_FORMAT vaut « texte » ou « json » (reçu : « {valeur} »).")
    return "texte" if debug else choix


def _secrets(request) -> list[str]:
    correspondance = getattr(request, "resolver_match", None)
    if correspondance is None:
        return []
    return [str(valeur) for nom, valeur in correspondance.kwargs.items() if nom in PARAMETRES_SECRETS and valeur]


def masquer(texte: str, request) -> str:
    """`texte` with the values of the request's secret URL parameters masked."""
    for secret in _secrets(request):
        texte = texte.replace(secret, MASQUE)
    return texte


def chemin_journalise(request) -> str:
    """The request's path with the values of secret URL parameters masked."""
    return masquer(request.path, request)


def _identifiant_utilisateur(request):
    """The user's id if authentication already ran for this request; never triggers a session or database read."""
    utilisateur = getattr(request, "_cached_user", None)
    if utilisateur is not None and getattr(utilisateur, "is_authenticated", False):
        return utilisateur.pk
    return None


def contexte_requete(request) -> dict:
    if not hasattr(request, "method") or not hasattr(request, "path"):
        return {}  # the development server's records carry a socket, not a request
    contexte = {"method": request.method, "path": chemin_journalise(request)}
    identifiant = _identifiant_utilisateur(request)
    if identifiant is not None:
        contexte["user_id"] = identifiant
    return contexte


class FormateurJSON(logging.Formatter):
    """One JSON object per line (a multi-line message or traceback stays on one line, escaped)."""

    def format(self, record: logging.LogRecord) -> str:
        horodatage = datetime.datetime.fromtimestamp(record.created, tz=datetime.UTC)
        entree = {
            "time": horodatage.isoformat(timespec="milliseconds").replace("+00:00", "Z"),
            "level": record.levelname,
            "logger": record.name,
            "message": record.getMessage(),
        }
        requete = getattr(record, "request", None) or _requete_en_cours.get()
        if requete is not None and hasattr(requete, "path"):
            entree.update(contexte_requete(requete))
            # Django's own lines quote the path ("Not Found: /evenements/invitation/<jeton>/").
            entree["message"] = masquer(entree["message"], requete)
        status = getattr(record, "status_code", None)
        if status is not None:
            entree["status"] = status
        duree = getattr(record, "duration_ms", None)
        if duree is not None:
            entree["duration_ms"] = duree
        if record.exc_info:
            entree["exception"] = self.formatException(record.exc_info)
        elif record.exc_text:
            entree["exception"] = record.exc_text
        if "exception" in entree and requete is not None and hasattr(requete, "path"):
            entree["exception"] = masquer(entree["exception"], requete)
        if record.stack_info:
            entree["stack"] = self.formatStack(record.stack_info)
        return json.dumps(entree, ensure_ascii=False, default=str)


journal_requetes = logging.getLogger("maillage.requetes")


class JournalRequetesMiddleware:
    """Remember the request being served (for the context of every line logged meanwhile) and write one access
    line per request: method, path, status, duration. Installed only with `LOG_FORMAT=json` (settings.py); with
    text logs, gunicorn's access log is the one to read."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        debut = time.perf_counter()
        jeton = _requete_en_cours.set(request)
        try:
            reponse = self.get_response(request)
            duree = round((time.perf_counter() - debut) * 1000, 1)
            if request.path in CHEMINS_SONDES and reponse.status_code < 400:
                return reponse
            journal_requetes.info(
                "%s %s %s",
                request.method,
                chemin_journalise(request),
                reponse.status_code,
                extra={"status_code": reponse.status_code, "duration_ms": duree},
            )
            return reponse
        finally:
            _requete_en_cours.reset(jeton)
