"""Models of the fiches expérience recorded by the audit trail (django-auditlog)."""

from auditlog.registry import auditlog

from .models import FicheExperience

auditlog.register(FicheExperience)
