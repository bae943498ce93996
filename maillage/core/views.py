import logging
import re
import secrets
import time
from functools import lru_cache

from django.conf import settings
from django.core.cache import cache
from django.core.exceptions import PermissionDenied
from django.db import connection
from django.db.migrations.executor import MigrationExecutor
from django.http import HttpResponse, HttpResponseServerError, JsonResponse
from django.shortcuts import get_object_or_404, render
from django.template import loader
from django.views.decorators.cache import cache_control
from django.views.decorators.http import require_GET, require_safe

from .models import Travail
from .permissions import peut
from .stockage import stockage_pret

COULEUR_PAR_DEFAUT = "#0b5c8a"
COULEUR_HEX = re.compile(r"#(?:[0-9a-fA-F]{3}){1,2}")


# --- Probes of the load balancer (docs/exploitation.md, « Sondes ») ------------------------------------------
# No authentication, no session, no cookie, never cached, never redirected to HTTPS (SECURE_REDIRECT_EXEMPT), never
# a 500: a failed check answers 503 with a French reason. The details (host, error) go to the logs, not the answer.

logger_sondes = logging.getLogger("maillage.sondes")
# Once this process has seen every migration of its code applied, it trusts that for a while: loading the
# migration graph on every probe would be wasted work.
DUREE_CONFIANCE_MIGRATIONS = 300  # seconds
_migrations_appliquees_le = None  # time.monotonic() of the last successful check, per process
CACHES_LOCAUX = ("django.core.cache.backends.locmem.", "django.core.cache.backends.dummy.")


def _reponse_sonde(corps: dict, status: int = 200) -> JsonResponse:
    reponse = JsonResponse(corps, status=status, json_dumps_params={"ensure_ascii": False})
    reponse["Cache-Control"] = "no-store"
    return reponse


def _base_repond() -> bool:
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
        return True
    except Exception:
        logger_sondes.warning("Base de données injoignable", exc_info=True)
        return False


def _migrations_appliquees() -> bool:
    global _migrations_appliquees_le
    maintenant = time.monotonic()
    if _migrations_appliquees_le is not None and maintenant - _migrations_appliquees_le < DUREE_CONFIANCE_MIGRATIONS:
        return True
    executeur = MigrationExecutor(connection)
    if executeur.migration_plan(executeur.loader.graph.leaf_nodes()):
        return False
    _migrations_appliquees_le = maintenant
    return True


def _controle_cache() -> str:
    if settings.CACHES["default"]["BACKEND"].startswith(CACHES_LOCAUX):
        return "non configuré"
    cle, valeur = f"maillage:sonde:{secrets.token_hex(8)}", secrets.token_hex(8)
    try:
        cache.set(cle, valeur, timeout=10)
        lu = cache.get(cle)
        cache.delete(cle)
    except Exception:
        logger_sondes.warning("Cache partagé injoignable", exc_info=True)
        return "Le cache partagé ne répond pas."
    if lu != valeur:
        logger_sondes.warning("Cache partagé : la valeur écrite n'a pas été relue")
        return "Le cache partagé ne garde pas les valeurs écrites."
    return "ok"


def _controle_stockage() -> str:
    try:
        pret, raison = stockage_pret()
    except Exception:
        logger_sondes.warning("Contrôle du stockage en échec", exc_info=True)
        pret, raison = False, "erreur"
    if pret:
        return "ok"
    logger_sondes.warning("Stockage des fichiers indisponible : %s", raison)
    return "Le stockage des fichiers ne répond pas."


def sante(request):
    """Liveness: the process answers and reaches the database."""
    if not _base_repond():
        return _reponse_sonde({"statut": "indisponible", "raison": "La base de données ne répond pas."}, 503)
    return _reponse_sonde({"statut": "ok"})


@require_safe
def pret(request):
    """Readiness: this server can serve requests — database reachable with every migration of its code applied,
    shared cache (when configured) and file storage answering. 200 when all are, 503 naming what is not."""
    controles = {}
    if _base_repond():
        controles["base"] = "ok"
        try:
            migrations = _migrations_appliquees()
        except Exception:
            logger_sondes.warning("Lecture des migrations appliquées en échec", exc_info=True)
            controles["migrations"] = "La liste des migrations appliquées n'a pas pu être lue."
        else:
            controles["migrations"] = "ok" if migrations else "Des migrations ne sont pas appliquées."
    else:
        controles["base"] = "La base de données ne répond pas."
        controles["migrations"] = "non vérifiées"
    controles["cache"] = _controle_cache()
    controles["stockage"] = _controle_stockage()
    if all(valeur in ("ok", "non configuré") for valeur in controles.values()):
        return _reponse_sonde({"statut": "pret", "controles": controles})
    return _reponse_sonde({"statut": "indisponible", "controles": controles}, 503)


# --- White-label theme ------------------------------------------------------


def _rgb(couleur: str) -> tuple[int, int, int]:
    hexa = couleur.lstrip("#")
    if len(hexa) == 3:
        hexa = "".join(c * 2 for c in hexa)
    return int(hexa[0:2], 16), int(hexa[2:4], 16), int(hexa[4:6], 16)


def _hex(rgb: tuple[float, float, float]) -> str:
    return "#" + "".join(f"{max(0, min(255, round(c))):02x}" for c in rgb)


def _luminance(rgb) -> float:
    def canal(c):
        c = c / 255
        return c / 12.92 if c <= 0.03928 else ((c + 0.055) / 1.055) ** 2.4

    r, g, b = (canal(c) for c in rgb)
    return 0.2126 * r + 0.7152 * g + 0.0722 * b


def contraste(a, b) -> float:
    """WCAG contrast ratio of two RGB colours."""
    la, lb = sorted((_luminance(a), _luminance(b)), reverse=True)
    return (la + 0.05) / (lb + 0.05)


def _assombrir_jusqua(rgb, ratio: float, fond=(255, 255, 255)):
    """Darken a colour until it reaches `ratio` against `fond`: a light brand colour stays readable."""
    couleur = tuple(float(c) for c in rgb)
    for _ in range(60):
        if contraste(couleur, fond) >= ratio:
            break
        couleur = tuple(c * 0.93 for c in couleur)
    return couleur


@lru_cache(maxsize=16)
def theme_css(couleur: str) -> str:
    """CSS custom properties from the configured brand colour, with AA-safe derived colours."""
    if not COULEUR_HEX.fullmatch(couleur or ""):
        couleur = COULEUR_PAR_DEFAUT
    rgb = _rgb(couleur)
    # Links, and buttons with white text, need 4.5:1 against white: a light brand colour is darkened.
    lisible = _assombrir_jusqua(rgb, 4.5)
    survol = _assombrir_jusqua(tuple(c * 0.8 for c in lisible), 7)
    return (
        ":root{"
        f"--couleur-primaire:{couleur.lower()};"
        f"--couleur-primaire-contraste:{_hex(lisible)};"
        f"--couleur-primaire-survol:{_hex(survol)};"
        "}\n"
    )


@require_GET
@cache_control(public=True, max_age=24 * 60 * 60)
def theme(request):
    """Served as a file because the CSP forbids inline styles; the link carries the colour as a version."""
    return HttpResponse(
        theme_css(settings.MAILLAGE_PLATEFORME.get("couleur_primaire", "")), content_type="text/css; charset=utf-8"
    )


# --- Error pages ----------------------------------------------------------------


def erreur_403(request, exception=None):
    return render(request, "403.html", status=403)


def erreur_404(request, exception=None):
    return render(request, "404.html", status=404)


def erreur_500(request):
    # No request context: context processors may hit the database, which may be what failed.
    page = loader.get_template("500.html").render({"plateforme": settings.MAILLAGE_PLATEFORME})
    return HttpResponseServerError(page)


def travail(request, pk):
    """Progress of a background job (a report being generated, reminders being sent). htmx polls the fragment
    until the job ends; the page itself works without JavaScript (reload)."""
    objet = get_object_or_404(Travail.objects.select_related("departement"), pk=pk)
    if not peut(request.user, "travail.voir", objet):
        raise PermissionDenied("Vous n'avez pas accès à ce travail.")
    gabarit = "core/_travail_etat.html" if request.htmx else "core/travail.html"
    return render(request, gabarit, {"travail": objet})
