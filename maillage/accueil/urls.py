from django.urls import path

from . import views, views_recherche

app_name = "accueil"

urlpatterns = [
    path("", views.accueil, name="accueil"),
    path("recherche/", views_recherche.recherche, name="recherche"),
]
