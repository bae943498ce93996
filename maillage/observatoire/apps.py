from django.apps import AppConfig


class ObservatoireConfig(AppConfig):
    name = "maillage.observatoire"
    label = "observatoire"
    verbose_name = "Observatoire et évaluation"

    def ready(self):
        from . import audit, permissions  # noqa: F401  (this app's audited models and access rules)
