from django.apps import AppConfig


class FinancementsConfig(AppConfig):
    name = "maillage.financements"
    label = "financements"
    verbose_name = "Budgets et prestations de service"

    def ready(self):
        from . import permissions  # noqa: F401  (registers this app's rules)
