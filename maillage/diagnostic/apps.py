from django.apps import AppConfig


class DiagnosticConfig(AppConfig):
    name = "maillage.diagnostic"
    label = "diagnostic"
    verbose_name = "Diagnostic territorial"

    def ready(self):
        from django.db.models.signals import post_save

        from maillage.territoires.models import Chargement

        from . import audit, permissions, taches  # noqa: F401  (this app's audited models and access rules)

        post_save.connect(taches.apres_chargement, sender=Chargement, dispatch_uid="diagnostic_apres_chargement")
