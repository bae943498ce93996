"""Models of the network recorded by the audit trail (django-auditlog): every change, who and when.

Registrations are audited (a partner's lawyer may ask who changed or checked in whom); the per-recipient rows of
a batch are not (the batch itself and its statuses are the record)."""

from auditlog.registry import auditlog

from .models import (
    Actualite,
    EnqueteSatisfaction,
    Evenement,
    Inscription,
    Intervenant,
    Invitation,
    ListeDiffusion,
    Personne,
    Ressource,
    SerieAteliers,
    SessionProgramme,
)

auditlog.register(Evenement, m2m_fields={"coorganisateurs"})
auditlog.register(Personne)
auditlog.register(ListeDiffusion, m2m_fields={"communes", "epci", "personnes"})
auditlog.register(Inscription, exclude_fields=["modifie_le"])
auditlog.register(Ressource, m2m_fields={"etiquettes"})
auditlog.register(Actualite, m2m_fields={"etiquettes"})
for modele in (EnqueteSatisfaction, Intervenant, Invitation, SerieAteliers, SessionProgramme):
    auditlog.register(modele)
