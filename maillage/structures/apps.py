from django.apps import AppConfig


class StructuresConfig(AppConfig):
    name = "maillage.structures"
    label = "structures"
    verbose_name = "Structures et agréments"

    def ready(self):
        from . import audit, donnees_personnelles, permissions  # noqa: F401  (audit, personal data, access rules)
