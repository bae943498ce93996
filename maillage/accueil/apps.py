from django.apps import AppConfig


class AccueilConfig(AppConfig):
    name = "maillage.accueil"
    label = "accueil"
    verbose_name = "Accueil"
