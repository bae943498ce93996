"""Models of the accounts recorded by the audit trail (django-auditlog)."""

from auditlog.registry import auditlog

from .models import Utilisateur

auditlog.register(Utilisateur, exclude_fields=["password", "last_login"], m2m_fields={"departements", "communes"})
