from django.apps import AppConfig


class DemoConfig(AppConfig):
    """Everything that fabricates data: the Val-de-Marne demo and the national set for benchmarks.

    No model. Domain apps never import it; it imports them."""

    name = "maillage.demo"
    label = "demo"
    verbose_name = "Démonstration et jeux de données fictifs"
