"""Personal data of structure contacts (registered with maillage.core.donnees_personnelles, loaded by
StructuresConfig.ready()). Erasure deletes the contact rows and blanks their values in the audit trail."""

from maillage.core import donnees_personnelles as registre
from maillage.core.audit import entrees_anonymiser

from .models import Contact

CHAMPS_PERSONNELS = ["prenom", "nom", "email", "telephone"]


def _contacts(email):
    return Contact.objects.filter(email__iexact=email).select_related("structure")


def _exporter(email) -> list[dict]:
    return [
        {
            "type": "contact d'une structure",
            "structure": c.structure.nom,
            "fonction": c.get_fonction_display(),
            "prenom": c.prenom,
            "nom": c.nom,
            "email": c.email,
            "telephone": c.telephone,
            "base_legale": c.get_base_legale_display(),
            "consentement_le": c.consentement_le.isoformat() if c.consentement_le else None,
            "visible_publiquement": c.public,
        }
        for c in _contacts(email)
    ]


def _departements(email) -> set[str]:
    return {c.structure.departement_id for c in _contacts(email)}


def _effacer(email) -> str:
    contacts = list(_contacts(email))
    if not contacts:
        return "aucune donnée"
    entrees_anonymiser(Contact, [c.pk for c in contacts], CHAMPS_PERSONNELS)
    Contact.objects.filter(pk__in=[c.pk for c in contacts]).delete()
    return f"{len(contacts)} contact(s) supprimé(s)"


registre.source(
    "contacts",
    libelle="Contacts des structures",
    exporter=_exporter,
    departements=_departements,
    effacer=_effacer,
)
