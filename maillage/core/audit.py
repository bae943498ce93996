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


def entrees_anonymiser(modele, pks, champs, *, remplacement: str = "[effacé]") -> int:
    """Blank the values of `champs` in the audit entries of `modele`'s objects `pks` (erasure of personal data),
    keeping who changed what field and when: the trail stays, the person's values go."""
    from auditlog.models import LogEntry
    from django.contrib.contenttypes.models import ContentType

    pks = [str(pk) for pk in pks]
    if not pks:
        return 0
    entrees = LogEntry.objects.filter(content_type=ContentType.objects.get_for_model(modele), object_pk__in=pks)
    nombre = 0
    for entree in entrees:
        changements = entree.changes if isinstance(entree.changes, dict) else {}
        for champ in champs:
            if champ in changements:
                valeurs = changements[champ]
                changements[champ] = [remplacement for _ in valeurs] if isinstance(valeurs, list) else remplacement
        entree.changes = changements
        entree.object_repr = remplacement
        entree.serialized_data = None
        entree.changes_text = ""
        entree.save(update_fields=["changes", "object_repr", "serialized_data", "changes_text"])
        nombre += 1
    return nombre
