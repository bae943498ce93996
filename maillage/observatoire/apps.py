from django.apps import AppConfig


class ObservatoireConfig(AppConfig):
    name = "maillage.observatoire"
    label = "observatoire"
    verbose_name = "Observatoire et évaluation"
