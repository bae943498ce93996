"""Reads of the territorial referential used by views, the API and reports."""

from django.db.models import Count, Sum

from .models import Commune, Departement


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


def communes_du_departement(code: str):
    """Communes of a département with their EPCI, in one query (no geometry: lists stay light)."""
    return (
        Commune.objects.filter(departement_id=code)
        .select_related("epci")
        .defer("geometrie", "geometrie_empreinte")
        .annotate(nombre_qpv=Count("qpv"))
        .order_by("nom")
    )


def commune_detaillee(code: str) -> Commune:
    return Commune.objects.select_related("departement__region", "epci").defer("geometrie_empreinte").get(code=code)
