"""The registry's pages: public directory and structure page, back-office forms, documents."""

from django.urls import path

from . import views

urlpatterns = [
    path("", views.annuaire, name="annuaire"),
    path("annuaire.geojson", views.annuaire_geojson, name="annuaire_geojson"),
    path("ma-structure/", views.ma_structure, name="ma_structure"),
    path("<int:pk>/", views.structure, name="structure"),
    path("<int:pk>/modifier/", views.structure_modifier, name="structure_modifier"),
    path("<int:pk>/fermer/", views.structure_fermer, name="structure_fermer"),
    path("<int:pk>/contacts/nouveau/", views.contact_creer, name="contact_creer"),
    path("<int:pk>/projets/nouveau/", views.projet_creer, name="projet_creer"),
    path("departements/<str:code>/nouvelle/", views.structure_creer, name="structure_creer"),
    path("departements/<str:code>/gestionnaires/nouveau/", views.gestionnaire_creer, name="gestionnaire_creer"),
    path("contacts/<int:pk>/modifier/", views.contact_modifier, name="contact_modifier"),
    path("contacts/<int:pk>/supprimer/", views.contact_supprimer, name="contact_supprimer"),
    path("projets/<int:pk>/modifier/", views.projet_modifier, name="projet_modifier"),
    path("projets/<int:pk>/documents/nouveau/", views.document_deposer, name="document_deposer"),
    path("documents/<int:pk>/", views.document, name="document"),
    path("documents/<int:pk>/supprimer/", views.document_supprimer, name="document_supprimer"),
]
