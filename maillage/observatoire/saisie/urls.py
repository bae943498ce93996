from django.urls import path

from . import views as views_saisie

urlpatterns = [
    path("departements/<str:code>/campagnes/", views_saisie.campagnes, name="campagnes"),
    path("departements/<str:code>/campagnes/nouvelle/", views_saisie.campagne_creer, name="campagne_creer"),
    path("campagnes/<int:pk>/modifier/", views_saisie.campagne_modifier, name="campagne_modifier"),
    path("campagnes/<int:pk>/publication/", views_saisie.campagne_publication, name="campagne_publication"),
    path("mes-questionnaires/", views_saisie.mes_reponses, name="mes_reponses"),
    path("reponses/<int:pk>/", views_saisie.reponse, name="reponse"),
    path("reponses/<int:pk>/sections/<slug:section>/", views_saisie.section, name="section"),
    path("reponses/<int:pk>/preremplir/", views_saisie.reponse_prefill, name="reponse_prefill"),
    path("reponses/<int:pk>/soumettre/", views_saisie.reponse_soumettre, name="reponse_soumettre"),
]
