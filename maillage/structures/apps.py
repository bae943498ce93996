from django.apps import AppConfig


class StructuresConfig(AppConfig):
    name = "maillage.structures"
    label = "structures"
    verbose_name = "Structures et agréments"

    def ready(self):
        from . import permissions  # noqa: F401  (registers this app's rules)
