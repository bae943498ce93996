import re

from django import template
from django.utils import dateformat
from django.utils.html import format_html

from maillage.core import formats, horloge
from maillage.core.formulaires import CHAMP_JETON, nouveau_jeton

register = template.Library()

register.filter("nombre", formats.nombre)
register.filter("euros", formats.euros)
register.filter("euros_compacts", formats.euros_compacts)
register.filter("pourcentage", formats.pourcentage)
register.filter("points", formats.points)

# The day token `j` of a Django date format, when not escaped by a backslash.
_JOUR = re.compile(r"(?<!\\)j")


@register.filter(expects_localtime=True, is_safe=False)
def date_fr(value, format_: str = "j F Y") -> str:
    """Django's `date` filter, with the French ordinal of the first day: "1er décembre 2026", "jeudi 1er décembre".
    Use it wherever a day is written in words (the numeric "d/m/Y" needs nothing)."""
    if value in (None, ""):
        return ""
    try:
        if value.day == 1:
            format_ = _JOUR.sub(r"1\\e\\r", format_)
        return dateformat.format(value, format_)
    except (AttributeError, TypeError, ValueError):
        return ""


@register.simple_tag
def aujourdhui():
    """The application's clock (`core.horloge`) in a template: `{% aujourdhui as jour %}` (never `{% now %}`)."""
    return horloge.aujourdhui()


@register.filter
def personne(utilisateur, absent: str = "—") -> str:
    """Who did something, for display: full name, else e-mail, else `absent`. Author keys are nullable (SET_NULL
    when an account is deleted, None for imports and system actions): a template must never dereference them."""
    if utilisateur is None:
        return absent
    nom = utilisateur.get_full_name() if hasattr(utilisateur, "get_full_name") else ""
    return nom or getattr(utilisateur, "email", "") or absent


@register.simple_tag
def jeton_formulaire():
    """The hidden one-time token of a creation form (see `core.formulaires.creation_unique`)."""
    return format_html('<input type="hidden" name="{}" value="{}">', CHAMP_JETON, nouveau_jeton())
