from django.apps import AppConfig


class ComptesConfig(AppConfig):
    name = "maillage.comptes"
    label = "comptes"
    verbose_name = "Comptes et habilitations"

    def ready(self):
        from . import audit, deux_facteurs, donnees_personnelles, permissions  # noqa: F401  (audit, 2FA, GDPR, rules)
