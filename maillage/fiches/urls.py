"""URLs of the fiches expérience, mounted by `maillage.observatoire.urls` under `/observatoire/` and the
`observatoire:` namespace (their paths and names predate the app)."""

from django.urls import path

from . import views as views_fiches

urlpatterns = [
    path("fiches/", views_fiches.fiches, name="fiches"),
    path("fiches/nouvelle/", views_fiches.fiche_creer, name="fiche_creer"),
    path("fiches/<int:pk>/", views_fiches.fiche, name="fiche"),
    path("fiches/<int:pk>/modifier/", views_fiches.fiche_modifier, name="fiche_modifier"),
    path("fiches/<int:pk>/proposer/", views_fiches.fiche_proposer, name="fiche_proposer"),
    path("fiches/<int:pk>/publier/", views_fiches.fiche_publier, name="fiche_publier"),
]
