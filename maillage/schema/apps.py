from django.apps import AppConfig


class SchemaConfig(AppConfig):
    name = "maillage.schema"
    label = "schema"
    verbose_name = "Schéma directeur"

    def ready(self):
        from . import audit, donnees_personnelles, permissions  # noqa: F401  (audit, GDPR registry, access rules)
