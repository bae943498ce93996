from django.urls import path

from . import views

app_name = "territoires"

urlpatterns = [
    path("chargements/", views.chargements, name="chargements"),
    path("chargements/<int:pk>/", views.chargement, name="chargement"),
    path("choisir/", views.choisir, name="choisir"),
    path("departements/<str:code>/", views.departement, name="departement"),
    path("departements/<str:code>/communes.geojson", views.departement_geojson, name="departement_geojson"),
    path("communes/<str:code>/", views.commune, name="commune"),
    path("communes/<str:code>/contour.geojson", views.commune_geojson, name="commune_geojson"),
]
