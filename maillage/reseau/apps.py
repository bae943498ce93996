from django.apps import AppConfig


class ReseauConfig(AppConfig):
    name = "maillage.reseau"
    label = "reseau"
    verbose_name = "Réseau et événements"

    def ready(self):
        from . import audit, donnees_personnelles, permissions  # noqa: F401  (audit, GDPR registry, access rules)
