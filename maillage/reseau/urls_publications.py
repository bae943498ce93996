"""Routes of the network: publications (see urls.py)."""

from django.urls import path

from . import views_publications as vues

urlpatterns = [
    path("ressources/", vues.ressources, name="ressources"),
    path("ressources/nouvelle/", vues.ressource_creer, name="ressource_creer"),
    path("ressources/<int:pk>/", vues.ressource, name="ressource"),
    path("ressources/<int:pk>/modifier/", vues.ressource_modifier, name="ressource_modifier"),
    path("ressources/<int:pk>/supprimer/", vues.ressource_supprimer, name="ressource_supprimer"),
    path("ressources/<int:pk>/fichier/", vues.ressource_fichier, name="ressource_fichier"),
    path("actualites/", vues.actualites, name="actualites"),
    path("actualites/nouvelle/", vues.actualite_creer, name="actualite_creer"),
    path("actualites/<int:pk>/", vues.actualite, name="actualite"),
    path("actualites/<int:pk>/modifier/", vues.actualite_modifier, name="actualite_modifier"),
    path("actualites/<int:pk>/image/", vues.actualite_image, name="actualite_image"),
    path("actualites/flux.atom", vues.actualites_atom, name="actualites_atom"),
    path("actualites/flux.rss", vues.actualites_rss, name="actualites_rss"),
]
