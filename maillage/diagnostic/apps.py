from django.apps import AppConfig


class DiagnosticConfig(AppConfig):
    name = "maillage.diagnostic"
    label = "diagnostic"
    verbose_name = "Diagnostic territorial"

    def ready(self):
        from . import permissions  # noqa: F401  (registers this app's rules)
