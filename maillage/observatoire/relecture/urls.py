from django.urls import path

from . import views as views_relecture

urlpatterns = [
    path("reponses/<int:pk>/relire/", views_relecture.relire, name="relire"),
    path("reponses/<int:pk>/relire/<str:action>/", views_relecture.relire_action, name="relire_action"),
    path("campagnes/<int:pk>/suivi/", views_relecture.suivi, name="suivi"),
    path("campagnes/<int:pk>/suivi/relancer/", views_relecture.relancer, name="suivi_relancer"),
]
