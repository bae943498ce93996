from django.urls import path

from . import views

app_name = "financements"

urlpatterns = [
    path("bareme/", views.bareme, name="bareme"),
    path("structures/<int:pk>/budgets/", views.budgets, name="budgets"),
    path("structures/<int:pk>/budgets/<int:annee>/<str:nature>/", views.budget, name="budget"),
    path("departements/<str:code>/", views.tableau_de_bord_departement, name="tableau_de_bord_departement"),
    path("departements/<str:code>/<int:annee>/", views.tableau_de_bord, name="tableau_de_bord"),
]
