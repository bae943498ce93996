from django.urls import path

from . import views

app_name = "diagnostic"

urlpatterns = [
    path("departements/<str:code>/", views.departement, name="departement"),
    path("departements/<str:code>/qpv.geojson", views.qpv_geojson, name="qpv_geojson"),
    path("departements/<str:code>/comparer/", views.comparer, name="comparer"),
    path("departements/<str:code>/export/", views.export, name="export"),
    path("departements/<str:code>/parametres/", views.parametres, name="parametres"),
    path("departements/<str:code>/simulation/", views.simulation, name="simulation"),
    path("departements/<str:code>/scenarios/", views.scenarios, name="scenarios"),
    path("scenarios/<int:pk>/", views.scenario, name="scenario"),
    path("scenarios/<int:pk>/export/", views.scenario_export, name="scenario_export"),
    path("scenarios/<int:pk>/supprimer/", views.scenario_supprimer, name="scenario_supprimer"),
]
