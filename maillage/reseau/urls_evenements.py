"""Routes of the network: evenements (see urls.py)."""

from django.urls import path

from . import views_evenements as vues

urlpatterns = [
    path("evenements/", vues.evenements, name="evenements"),
    path("evenements/nouveau/", vues.evenement_creer, name="evenement_creer"),
    path("evenements/<int:pk>/", vues.evenement, name="evenement"),
    path("evenements/<int:pk>/modifier/", vues.evenement_modifier, name="evenement_modifier"),
    path("evenements/<int:pk>/programme/", vues.programme, name="programme"),
    path("evenements/<int:pk>/programme/<int:session_pk>/", vues.session_modifier, name="session_modifier"),
    path("evenements/<int:pk>/programme/<int:session_pk>/supprimer/", vues.session_supprimer, name="session_supprimer"),
    path("evenements/<int:pk>.ics", vues.evenement_ics, name="evenement_ics"),
    path("evenements/departements/<str:code>.ics", vues.evenements_ics, name="evenements_ics"),
    path("evenements/series/", vues.series, name="series"),
    path("evenements/series/nouvelle/", vues.serie_creer, name="serie_creer"),
    path("evenements/series/<int:pk>/", vues.serie, name="serie"),
    path("evenements/series/<int:pk>/modifier/", vues.serie_modifier, name="serie_modifier"),
]
