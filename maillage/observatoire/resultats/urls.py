from django.urls import path

from . import views as v
from . import views_commentaires, views_references

urlpatterns = [
    path("resultats/reperes/", views_references.reperes, name="reperes"),
    path("resultats/<int:annee>/", v.fiche_nationale, name="fiche_nationale"),
    path("resultats/<int:annee>/fiche-nationale.xlsx", v.fiche_nationale_xlsx, name="fiche_nationale_xlsx"),
    path("resultats/<int:annee>/structures/<int:pk>/", v.portrait, name="portrait"),
    path("resultats/<int:annee>/structures/<int:pk>/portrait.pdf", v.portrait_pdf, name="portrait_pdf"),
    path("resultats/<int:annee>/<str:code>/", v.synthese, name="synthese"),
    path("resultats/<int:annee>/<str:code>/rapport.pdf", v.rapport_pdf, name="rapport_pdf"),
    path("resultats/<int:annee>/<str:code>/reponses.xlsx", v.rapport_xlsx, name="rapport_xlsx"),
    path(
        "resultats/<int:annee>/<str:code>/commentaires/",
        views_commentaires.commentaires_rapport,
        name="commentaires_rapport",
    ),
]
