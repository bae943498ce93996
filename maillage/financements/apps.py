from django.apps import AppConfig


class FinancementsConfig(AppConfig):
    name = "maillage.financements"
    label = "financements"
    verbose_name = "Budgets et prestations de service"

    def ready(self):
        from . import audit, permissions  # noqa: F401  (this app's audited models and access rules)
