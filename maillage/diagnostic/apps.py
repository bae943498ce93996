from django.apps import AppConfig


class DiagnosticConfig(AppConfig):
    name = "maillage.diagnostic"
    label = "diagnostic"
    verbose_name = "Diagnostic territorial"

    def ready(self):
        from . import audit, permissions  # noqa: F401  (this app's audited models and access rules)
