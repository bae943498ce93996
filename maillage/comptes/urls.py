from django.contrib.auth import views as auth_views
from django.urls import path, reverse_lazy

from . import views, views_deux_facteurs, views_donnees

app_name = "comptes"

urlpatterns = [
    path("connexion/", views.Connexion.as_view(), name="connexion"),
    # POST only (Django ≥ 5): the button in base.html is a form.
    path("deconnexion/", auth_views.LogoutView.as_view(), name="deconnexion"),
    path("espace/", views.espace, name="espace"),
    path("double-authentification/code/", views_deux_facteurs.verifier, name="otp_verifier"),
    path("double-authentification/ajouter/", views_deux_facteurs.ajouter, name="otp_ajouter"),
    path("double-authentification/<int:pk>/supprimer/", views_deux_facteurs.supprimer, name="otp_supprimer"),
    path(
        "double-authentification/codes-de-secours/",
        views_deux_facteurs.codes_regenerer,
        name="otp_codes_regenerer",
    ),
    path("mot-de-passe/oublie/", views.MotDePasseOublie.as_view(), name="mot_de_passe_oublie"),
    path(
        "mot-de-passe/envoye/",
        auth_views.PasswordResetDoneView.as_view(template_name="comptes/mot_de_passe_envoye.html"),
        name="mot_de_passe_envoye",
    ),
    path("mot-de-passe/nouveau/<uidb64>/<token>/", views.NouveauMotDePasse.as_view(), name="mot_de_passe_nouveau"),
    path(
        "mot-de-passe/termine/",
        auth_views.PasswordResetCompleteView.as_view(template_name="comptes/mot_de_passe_termine.html"),
        name="mot_de_passe_termine",
    ),
    path("activation/<uidb64>/<token>/", views.Activation.as_view(), name="activation"),
    path(
        "mot-de-passe/changer/",
        auth_views.PasswordChangeView.as_view(
            template_name="comptes/mot_de_passe_changer.html", success_url=reverse_lazy("comptes:mot_de_passe_change")
        ),
        name="mot_de_passe_changer",
    ),
    path(
        "mot-de-passe/change/",
        auth_views.PasswordChangeDoneView.as_view(template_name="comptes/mot_de_passe_change.html"),
        name="mot_de_passe_change",
    ),
    path("donnees-personnelles/", views_donnees.donnees_personnelles, name="donnees_personnelles"),
    path("donnees-personnelles/export/", views_donnees.donnees_exporter, name="donnees_exporter"),
    path("donnees-personnelles/effacement/", views_donnees.donnees_effacer, name="donnees_effacer"),
    path("gestion/", views.gestion, name="gestion"),
    path("departements/<str:code>/", views.liste, name="liste"),
    path("departements/<str:code>/inviter/", views.inviter, name="inviter"),
    path("departements/<str:code>/journal/", views.journal, name="journal"),
    path("departements/<str:code>/organisations/", views.organisations, name="organisations"),
    path("departements/<str:code>/organisations/nouvelle/", views.organisation_creer, name="organisation_creer"),
    path("organisations/<int:pk>/", views.organisation, name="organisation"),
    path("organisations/<int:pk>/modifier/", views.organisation_modifier, name="organisation_modifier"),
    path("mandats/<int:pk>/revoquer/", views.mandat_revoquer, name="mandat_revoquer"),
    path("<int:pk>/modifier/", views.modifier, name="modifier"),
    path("<int:pk>/desactiver/", views.desactiver, name="desactiver"),
    path("<int:pk>/reactiver/", views.reactiver, name="reactiver"),
    path("<int:pk>/reinviter/", views.reinviter, name="reinviter"),
]
