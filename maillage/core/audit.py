"""The audit trail's context: who acts. Each app registers its own models in its `audit.py` (loaded by its AppConfig);
django-auditlog records their changes with the actor set here."""

from contextlib import contextmanager

from auditlog.context import auditlog_value, set_actor


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
