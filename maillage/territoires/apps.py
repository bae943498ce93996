from django.apps import AppConfig


class TerritoiresConfig(AppConfig):
    name = "maillage.territoires"
    label = "territoires"
    verbose_name = "Territoires"

    def ready(self):
        from . import audit, permissions  # noqa: F401  (this app's audited models and access rules)
