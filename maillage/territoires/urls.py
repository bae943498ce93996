from django.urls import path

from . import views, views_regroupements

app_name = "territoires"

urlpatterns = [
    path("chargements/", views.chargements, name="chargements"),
    path("chargements/<int:pk>/", views.chargement, name="chargement"),
    path("choisir/", views.choisir, name="choisir"),
    path("departements/<str:code>/", views.departement, name="departement"),
    path("departements/<str:code>/communes.geojson", views.departement_geojson, name="departement_geojson"),
    path("departements/<str:code>/regroupements/", views_regroupements.liste, name="regroupements"),
    path("departements/<str:code>/regroupements/nouveau/", views_regroupements.creer, name="regroupement_creer"),
    path(
        "departements/<str:code>/regroupements/importer/", views_regroupements.importer, name="regroupements_importer"
    ),
    path("departements/<str:code>/regroupements/<int:pk>/", views_regroupements.modifier, name="regroupement_modifier"),
    path(
        "departements/<str:code>/regroupements/<int:pk>/cloturer/",
        views_regroupements.cloturer,
        name="regroupement_cloturer",
    ),
    path(
        "departements/<str:code>/regroupements/<int:pk>/supprimer/",
        views_regroupements.supprimer,
        name="regroupement_supprimer",
    ),
    path("communes/<str:code>/", views.commune, name="commune"),
    path("communes/<str:code>/contour.geojson", views.commune_geojson, name="commune_geojson"),
]
