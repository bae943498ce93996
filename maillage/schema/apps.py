from django.apps import AppConfig


class SchemaConfig(AppConfig):
    name = "maillage.schema"
    label = "schema"
    verbose_name = "Schéma directeur"

    def ready(self):
        from . import audit, permissions  # noqa: F401  (this app's audited models and access rules)
