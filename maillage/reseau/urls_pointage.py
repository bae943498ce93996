"""Routes of the network: pointage (see urls.py)."""

from django.urls import path

from . import views_pointage as vues

urlpatterns = [
    path("evenements/<int:pk>/pointage/", vues.pointage, name="pointage"),
    path("evenements/<int:pk>/pointage/<int:inscription_pk>/", vues.pointer, name="pointer"),
    path("evenements/<int:pk>/pointage/sur-place/", vues.sur_place, name="sur_place"),
    path("evenements/<int:pk>/emargement.pdf", vues.emargement, name="emargement"),
    path("evenements/<int:pk>/statistiques/", vues.statistiques, name="statistiques"),
    path("evenements/<int:pk>/enquete/", vues.enquete, name="enquete"),
    path("evenements/enquete/<str:jeton>/", vues.enquete_repondre, name="enquete_repondre"),
]
