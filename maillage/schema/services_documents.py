"""Writes of a schéma's uploaded documents (the signed schéma, annexes, evaluations): deposit and deletion by the
pilote (rule `schema.gerer`). The file is checked like a projet social's document (type by content, 20 Mo at most),
before anything is written; each change is audited."""

import os

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.text import get_valid_filename

from maillage.core.audit import acteur
from maillage.core.horloge import dater
from maillage.core.permissions import exiger
from maillage.structures.services import TAILLE_MAX_DOCUMENT, TYPES_DOCUMENTS, erreur_document, extension

from .models import DocumentSchema, Schema

__all__ = [
    "TAILLE_MAX_DOCUMENT",
    "TYPES_DOCUMENTS",
    "document_deposer",
    "document_supprimer",
    "erreur_document",
    "extension",
]

LONGUEUR_TITRE = DocumentSchema._meta.get_field("titre").max_length


def valider_document(*, nature: str, titre: str, fichier) -> dict[str, list[str]]:
    """{field: [French messages]} of what is wrong with a deposit (empty when it is acceptable)."""
    erreurs: dict[str, list[str]] = {}
    if nature not in DocumentSchema.Nature.values:
        erreurs["nature"] = ["Choisissez une nature de document de la liste."]
    titre = (titre or "").strip()
    if not titre:
        erreurs["titre"] = ["Donnez un titre au document."]
    elif len(titre) > LONGUEUR_TITRE:
        erreurs["titre"] = [f"Le titre ne doit pas dépasser {LONGUEUR_TITRE} caractères."]
    if fichier is None:
        erreurs["fichier"] = ["Choisissez un fichier."]
    elif raison := erreur_document(fichier):
        erreurs["fichier"] = [raison]
    return erreurs


def document_deposer(*, par, schema: Schema, nature: str, titre: str, fichier, public: bool = False) -> DocumentSchema:
    """Attach a file to the schéma. `public`: shown on the public page once the schéma is adopted."""
    exiger(par, "schema.gerer", schema)
    if erreurs := valider_document(nature=nature, titre=titre, fichier=fichier):
        raise ValidationError(erreurs)
    nom = get_valid_filename(os.path.basename(fichier.name)) or f"document.{extension(fichier.name)}"
    with transaction.atomic(), acteur(par):
        document = DocumentSchema(
            schema=schema, nature=nature, titre=titre.strip(), public=bool(public), depose_par=par
        )
        document.fichier.save(nom, fichier, save=False)
        try:
            document.save()
        except BaseException:
            # The row was not written: do not leave its file behind.
            document.fichier.storage.delete(document.fichier.name)
            raise
    return dater(document, "depose_le")


def document_supprimer(*, par, document: DocumentSchema) -> None:
    exiger(par, "schema.gerer", document.schema)
    fichier = document.fichier
    with transaction.atomic(), acteur(par):
        document.delete()
        # The file goes only once the row is gone for good.
        transaction.on_commit(lambda: fichier.storage.delete(fichier.name) if fichier.name else None)
