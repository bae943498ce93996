from django.apps import AppConfig


class FichesConfig(AppConfig):
    name = "maillage.fiches"
    label = "fiches"
    verbose_name = "Fiches expérience"

    def ready(self):
        from . import permissions  # noqa: F401  (registers this app's rules)
