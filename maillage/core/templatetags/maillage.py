from django import template
from django.utils.html import format_html

from maillage.core import formats
from maillage.core.formulaires import CHAMP_JETON, nouveau_jeton

register = template.Library()

register.filter("nombre", formats.nombre)
register.filter("euros", formats.euros)
register.filter("euros_compacts", formats.euros_compacts)
register.filter("pourcentage", formats.pourcentage)


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
