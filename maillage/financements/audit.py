"""Models of the budgets and the PS barème recorded by the audit trail (django-auditlog)."""

from auditlog.registry import auditlog

from .models import BaremePS, Budget, LigneProduit, TypePS

for modele in (TypePS, BaremePS, Budget, LigneProduit):
    auditlog.register(modele)
