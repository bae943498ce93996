"""Models of the territorial referential recorded by the audit trail (django-auditlog)."""

from auditlog.registry import auditlog

from .models import EPCI, QPV, Appartenance, Commune, Departement, Region, Regroupement

for modele in (Region, Departement, EPCI, Regroupement, Appartenance):
    auditlog.register(modele)
# Outlines are large and come from bulk loads, journaled by Chargement; the rest is recorded.
auditlog.register(Commune, exclude_fields=["geometrie", "geometrie_empreinte"])
auditlog.register(QPV, exclude_fields=["geometrie"], m2m_fields={"communes"})
