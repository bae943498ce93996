from django.apps import AppConfig


class FichesConfig(AppConfig):
    name = "maillage.fiches"
    label = "fiches"
    verbose_name = "Fiches expérience"

    def ready(self):
        from . import audit, permissions  # noqa: F401  (this app's audited models and access rules)
