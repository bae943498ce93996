"""URLs of the error-page tests: the real ones, plus views that fail on purpose."""

from django.core.exceptions import PermissionDenied
from django.urls import include, path


def interdit(request):
    raise PermissionDenied("Hors de votre périmètre.")


def panne(request):
    raise RuntimeError("Panne simulée")


urlpatterns = [
    path("interdit/", interdit),
    path("panne/", panne),
    path("", include("maillage.urls")),
]

handler403 = "maillage.core.views.erreur_403"
handler404 = "maillage.core.views.erreur_404"
handler500 = "maillage.core.views.erreur_500"
