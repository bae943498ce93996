from django.apps import AppConfig


class ComptesConfig(AppConfig):
    name = "maillage.comptes"
    label = "comptes"
    verbose_name = "Comptes et habilitations"

    def ready(self):
        from . import audit, permissions  # noqa: F401  (this app's audited models and access rules)
