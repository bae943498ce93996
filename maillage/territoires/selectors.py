"""Reads of the territorial referential used by views, the API and reports."""

from django.db.models import Count, Sum

from .models import Departement


def departements_pour_choix():
    """Départements that have communes loaded, for the home page's choice."""
    return (
        Departement.objects.select_related("region")
        .annotate(nombre_communes=Count("communes"))
        .filter(nombre_communes__gt=0)
        .order_by("code")
    )


def departement_avec_chiffres(code: str) -> Departement:
    return (
        Departement.objects.select_related("region")
        .annotate(population=Sum("communes__population"), nombre_communes=Count("communes"))
        .get(code=code)
    )
