from django.apps import AppConfig


class TerritoiresConfig(AppConfig):
    name = "maillage.territoires"
    label = "territoires"
    verbose_name = "Territoires"

    def ready(self):
        from . import permissions  # noqa: F401  (registers this app's rules)
