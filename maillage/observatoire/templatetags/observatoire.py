"""Template helpers of the observatoire: answers and figures as they read (`affichage`), the portrait's link."""

from django import template
from django.urls import reverse

from maillage.observatoire import affichage
from maillage.observatoire.relecture import selectors as selectors_relecture

register = template.Library()


@register.filter
def valeur_obs(valeur, unite="decimal"):
    """A figure by unit or question type (entier/nombre, decimal, euros, pourcentage), « — » when missing."""
    return affichage.nombre(valeur, unite)


@register.simple_tag(takes_context=True)
def url_portrait(context, reponse):
    """The URL of the structure's portrait for the answer's campaign year, or "" when it is not offered (answer not
    validated yet, or the reader may not see it)."""
    request = context.get("request")
    user = getattr(request, "user", None)
    if reponse is None or user is None or not selectors_relecture.portrait_visible(user, reponse):
        return ""
    return reverse("observatoire:portrait", args=[reponse.campagne.annee, reponse.structure_id])
