"""Agrément pages: a structure's history, add / modify / decide, and the renewal follow-up board."""

from django.urls import path

from . import views_agrements as views

urlpatterns = [
    path("<int:pk>/agrements/", views.agrements, name="agrements"),
    path("<int:pk>/agrements/ajouter/", views.agrement_ajouter, name="agrement_ajouter"),
    path("agrements/<int:pk>/modifier/", views.agrement_modifier, name="agrement_modifier"),
    path("agrements/<int:pk>/decider/", views.agrement_decider, name="agrement_decider"),
    path("renouvellements/<str:code>/", views.renouvellements, name="renouvellements"),
    path("agrements/regles/<str:code>/", views.regles_transition, name="agrements_regles"),
    path("renouvellements/<str:code>/export/", views.renouvellements_export, name="renouvellements_export"),
]
