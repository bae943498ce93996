"""Models of the schéma directeur recorded by the audit trail (django-auditlog): every change, who and when."""

from auditlog.registry import auditlog

from .models import (
    Axe,
    Decision,
    DirectionProgres,
    DocumentSchema,
    Enjeu,
    FicheAction,
    Indicateur,
    Instance,
    Jalon,
    Orientation,
    Reunion,
    Schema,
    ValeurIndicateur,
)

auditlog.register(Schema, m2m_fields={"signataires"})
auditlog.register(
    FicheAction, m2m_fields={"partenaires", "referents", "structures", "communes", "epci", "regroupements", "qpv"}
)
auditlog.register(Reunion, m2m_fields={"organisations_presentes", "presents"})
auditlog.register(Decision, m2m_fields={"fiches"})
auditlog.register(Instance, m2m_fields={"organisations", "membres"})
for modele in (Axe, DirectionProgres, DocumentSchema, Enjeu, Indicateur, Jalon, Orientation):
    auditlog.register(modele)
# Typed-in values get their entry; the recomputation writes computed values with the automatic trail off
# (core.audit.sans_journal_automatique): each value row keeps its method and data version instead.
auditlog.register(ValeurIndicateur, exclude_fields=["le", "version_donnees"])
