"""Routes of the network: annuaire (see urls.py)."""

from django.urls import path

from . import views_annuaire as vues

urlpatterns = [
    path("reseau/annuaire/", vues.annuaire, name="annuaire"),
    path("reseau/annuaire/nouvelle/", vues.personne_creer, name="personne_creer"),
    path("reseau/annuaire/<int:pk>/", vues.personne, name="personne"),
    path("reseau/annuaire/<int:pk>/modifier/", vues.personne_modifier, name="personne_modifier"),
    path("reseau/annuaire/<int:pk>/effacer/", vues.personne_effacer, name="personne_effacer"),
    path("reseau/annuaire/importer/", vues.annuaire_importer, name="annuaire_importer"),
    path("reseau/annuaire/export.<str:format>", vues.annuaire_export, name="annuaire_export"),
    path("reseau/listes/", vues.listes, name="listes"),
    path("reseau/listes/nouvelle/", vues.liste_creer, name="liste_creer"),
    path("reseau/listes/<int:pk>/", vues.liste, name="liste"),
    path("reseau/listes/<int:pk>/modifier/", vues.liste_modifier, name="liste_modifier"),
    path("reseau/listes/<int:pk>/export.<str:format>", vues.liste_export, name="liste_export"),
]
