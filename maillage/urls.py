from django.conf import settings
from django.contrib import admin
from django.urls import include, path

from maillage.api import api

admin.site.site_header = f"{settings.MAILLAGE_PLATEFORME['nom']} — administration"
admin.site.site_title = settings.MAILLAGE_PLATEFORME["nom"]

urlpatterns = [
    path("", include("maillage.accueil.urls")),
    path("", include("maillage.core.urls")),
    path("comptes/", include("maillage.comptes.urls")),
    path("territoires/", include("maillage.territoires.urls")),
    path("structures/", include("maillage.structures.urls")),
    path("financements/", include("maillage.financements.urls")),
    path("diagnostic/", include("maillage.diagnostic.urls")),
    path("observatoire/", include("maillage.observatoire.urls")),
    path("schemas/", include("maillage.schema.urls")),
    path("", include("maillage.reseau.urls")),
    path("api/v1/", api.urls),
    path("admin/", admin.site.urls),
]

handler403 = "maillage.core.views.erreur_403"
handler404 = "maillage.core.views.erreur_404"
handler500 = "maillage.core.views.erreur_500"
