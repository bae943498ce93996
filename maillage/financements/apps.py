from django.apps import AppConfig


class FinancementsConfig(AppConfig):
    name = "maillage.financements"
    label = "financements"
    verbose_name = "Budgets et prestations de service"
    # Rows written by migration 0003 (the PS types and rates): a freshly migrated base is still empty to a restore.
    sauvegarde_donnees_initiales = ("TypePS", "BaremePS")

    def ready(self):
        from . import audit, permissions  # noqa: F401  (this app's audited models and access rules)
