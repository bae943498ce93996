from django.urls import path

from . import views, views_recherche

app_name = "accueil"

urlpatterns = [
    path("", views.accueil, name="accueil"),
    path("recherche/", views_recherche.recherche, name="recherche"),
    path("espace/", views.espace, name="espace"),
    path("accessibilite/", views.accessibilite, name="accessibilite"),
    path("mentions-legales/", views.mentions_legales, name="mentions_legales"),
    path("donnees-personnelles/", views.donnees_personnelles, name="donnees_personnelles"),
    path("plan-du-site/", views.plan_du_site, name="plan_du_site"),
    path("aide/", views.aide, name="aide"),
    path("contact/", views.contact, name="contact"),
]
