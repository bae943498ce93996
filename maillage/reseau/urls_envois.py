"""Routes of the network: envois (see urls.py)."""

from django.urls import path

from . import views_envois as vues

urlpatterns = [
    path("evenements/<int:pk>/invitations/", vues.envois, name="envois"),
    path("evenements/<int:pk>/invitations/nouvel-envoi/", vues.envoi_creer, name="envoi_creer"),
    path("evenements/<int:pk>/invitations/<int:envoi_pk>/", vues.envoi, name="envoi"),
]
