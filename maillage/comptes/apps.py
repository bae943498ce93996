from django.apps import AppConfig


class ComptesConfig(AppConfig):
    name = "maillage.comptes"
    label = "comptes"
    verbose_name = "Comptes et habilitations"

    def ready(self):
        from . import audit, deux_facteurs, permissions  # noqa: F401  (audited models, login signal, access rules)
