"""Routes of the network: inscriptions (see urls.py)."""

from django.urls import path

from . import views_inscriptions as vues

urlpatterns = [
    path("evenements/<int:pk>/inscription/", vues.inscrire, name="inscrire"),
    path("evenements/invitation/<str:jeton>/", vues.invitation, name="invitation"),
    path("evenements/inscription/<str:jeton>/", vues.inscription, name="inscription"),
    path("evenements/inscription/<str:jeton>/annuler/", vues.inscription_annuler, name="inscription_annuler"),
    path("evenements/inscription/<str:jeton>/qr.svg", vues.inscription_qr, name="inscription_qr"),
    path("evenements/<int:pk>/inscriptions/", vues.inscriptions, name="inscriptions"),
    path("evenements/<int:pk>/inscriptions/export.<str:format>", vues.inscriptions_export, name="inscriptions_export"),
    path("evenements/<int:pk>/inscriptions/ajouter/", vues.inscription_ajouter, name="inscription_ajouter"),
    path("evenements/mes-inscriptions/", vues.mes_inscriptions, name="mes_inscriptions"),
]
