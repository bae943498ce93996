from django import template

from maillage.core import formats

register = template.Library()

register.filter("nombre", formats.nombre)
register.filter("euros", formats.euros)
register.filter("euros_compacts", formats.euros_compacts)
register.filter("pourcentage", formats.pourcentage)
