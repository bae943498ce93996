"""Models of the diagnostic recorded by the audit trail (django-auditlog)."""

from auditlog.registry import auditlog

from .models import ParametresDiagnostic, Scenario

# Imported indicators are journaled by Chargement (bulk writes); settings and scenarios per object.
auditlog.register(ParametresDiagnostic)
auditlog.register(Scenario, m2m_fields={"fermetures"})
