from django.apps import AppConfig


class FichesConfig(AppConfig):
    name = "maillage.fiches"
    label = "fiches"
    verbose_name = "Fiches expérience"
