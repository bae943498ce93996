from django.urls import path

from . import views

app_name = "core"

urlpatterns = [
    path("sante/", views.sante, name="sante"),
    path("pret/", views.pret, name="pret"),
    path("theme.css", views.theme, name="theme"),
    path("travaux/<uuid:pk>/", views.travail, name="travail"),
]
