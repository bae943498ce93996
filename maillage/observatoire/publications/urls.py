from django.urls import path

from . import views as views_publications

urlpatterns = [
    path("resultats/", views_publications.publications, name="publications"),
]
