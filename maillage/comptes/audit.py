"""Models of the accounts recorded by the audit trail (django-auditlog)."""

from auditlog.registry import auditlog

from .models import Mandat, Organisation, Utilisateur

# Reverse relations of the mandates are not the account's own fields: each Mandat has its own trail.
auditlog.register(
    Utilisateur,
    exclude_fields=["password", "last_login", "mandats", "mandats_accordes", "mandats_revoques"],
    m2m_fields={"departements", "communes"},
)
auditlog.register(Organisation, m2m_fields={"communes"})
auditlog.register(Mandat)
