from django.apps import AppConfig


class ObservatoireConfig(AppConfig):
    name = "maillage.observatoire"
    label = "observatoire"
    verbose_name = "Observatoire et évaluation"

    def ready(self):
        from . import permissions  # noqa: F401  (registers this app's rules)
