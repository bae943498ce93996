"""The audit trail's one home: which models django-auditlog records, and which fields it ignores."""

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


_register()
