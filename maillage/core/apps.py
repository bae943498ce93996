from django.apps import AppConfig


class CoreConfig(AppConfig):
    name = "maillage.core"
    label = "core"
    verbose_name = "Socle"

    def ready(self):
        from . import permissions  # noqa: F401  (registers this app's rules)
