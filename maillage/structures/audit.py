"""Models of the registry recorded by the audit trail (django-auditlog)."""

from auditlog.registry import auditlog

from .models import (
    Agrement,
    Contact,
    DocumentProjet,
    EvaluationCritere,
    Gestionnaire,
    ParametresAgrements,
    ProjetSocial,
    Structure,
)

auditlog.register(Gestionnaire)
auditlog.register(Structure, m2m_fields={"communes_competence", "qpv_competence"})
for modele in (Contact, ProjetSocial, DocumentProjet, Agrement, EvaluationCritere, ParametresAgrements):
    auditlog.register(modele)
