"""The audit trail's one home: which models django-auditlog records, and which fields it ignores."""

from contextlib import contextmanager

from auditlog.context import auditlog_value, set_actor
from auditlog.registry import auditlog
from django.apps import apps


def _register():
    Utilisateur = apps.get_model("comptes", "Utilisateur")
    auditlog.register(
        Utilisateur,
        exclude_fields=["password", "last_login"],
        m2m_fields={"departements", "communes"},
    )
    for name in ("Region", "Departement", "EPCI"):
        auditlog.register(apps.get_model("territoires", name))
    # Outlines are large and come from bulk loads, journaled by Chargement; the rest is recorded.
    auditlog.register(apps.get_model("territoires", "Commune"), exclude_fields=["geometrie", "geometrie_empreinte"])
    auditlog.register(apps.get_model("territoires", "QPV"), exclude_fields=["geometrie"], m2m_fields={"communes"})
    auditlog.register(apps.get_model("structures", "Gestionnaire"))
    auditlog.register(apps.get_model("structures", "Structure"), m2m_fields={"communes_competence", "qpv_competence"})
    for name in ("Contact", "ProjetSocial", "DocumentProjet", "Agrement", "EvaluationCritere"):
        auditlog.register(apps.get_model("structures", name))
    for name in ("TypePS", "BaremePS", "Budget", "LigneProduit"):
        auditlog.register(apps.get_model("financements", name))
    # Imported indicators are journaled by Chargement (bulk writes); settings and scenarios per object.
    auditlog.register(apps.get_model("diagnostic", "ParametresDiagnostic"))
    auditlog.register(apps.get_model("diagnostic", "Scenario"), m2m_fields={"fermetures"})
    # Observatoire: campaigns and answers per object (the answers' bulk creation at campaign opening is not
    # recorded, the campaign's creation is); transitions and comments are themselves a journal.
    for name in ("Questionnaire", "Campagne", "Reponse"):
        auditlog.register(apps.get_model("observatoire", name))
    auditlog.register(apps.get_model("fiches", "FicheExperience"))


_register()


@contextmanager
def acteur(utilisateur):
    """Attribute the audit entries written in the block to `utilisateur`, in a request or not.

    auditlog's set_actor does not restore the enclosing context when it exits, which would leave the
    request's own receiver (set by AuditlogMiddleware) without its context: restore it ourselves.
    """
    precedent = auditlog_value.get(None)
    meme_personne = precedent is not None and precedent.get("actor") == utilisateur
    adresse = precedent.get("remote_addr") if meme_personne else None
    try:
        with set_actor(utilisateur, remote_addr=adresse):
            yield
    finally:
        if precedent is not None:
            auditlog_value.set(precedent)
