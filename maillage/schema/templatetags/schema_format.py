"""Display of the schéma's numbers in French: progress (45 %, 45,5 %, "—" when no action counts) and the
diagnostic's figures by their format."""

from django import template

from maillage.core import formats

register = template.Library()


@register.filter
def avancement(valeur) -> str:
    """0-100 → "45 %" or "45,5 %"; None (no action counted) → "—"."""
    if valeur is None or valeur == "":
        return "—"
    valeur = float(valeur)
    return f"{formats.nombre(valeur, 0 if valeur == int(valeur) else 1)}{formats.NBSP}%"


@register.filter
def chiffre(valeur, format_: str) -> str:
    """A figure of the diagnostic table, by its format: "nombre", "decimal", "pourcentage" (share 0-1), "euros"."""
    if valeur is None or valeur == "":
        return "—"
    if format_ == "pourcentage":
        return formats.pourcentage(valeur)
    if format_ == "euros":
        return formats.euros_compacts(valeur)
    if format_ == "decimal":
        return formats.nombre(valeur, 2)
    return formats.nombre(valeur)
