from django.apps import AppConfig


class StructuresConfig(AppConfig):
    name = "maillage.structures"
    label = "structures"
    verbose_name = "Structures et agréments"

    def ready(self):
        from . import audit, permissions  # noqa: F401  (this app's audited models and access rules)
