from django.apps import AppConfig


class TerritoiresConfig(AppConfig):
    name = "maillage.territoires"
    label = "territoires"
    verbose_name = "Territoires"
