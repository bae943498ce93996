"""Writes of the fiches expérience: a structure writes and proposes, the pilote publishes to the network or the
public (or withdraws). Keyword-only arguments, permission checks (`fiche.modifier`, `fiche.publier`), validation
before writing, French messages, one transaction."""

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction

from maillage.core import horloge
from maillage.core.audit import acteur
from maillage.core.permissions import exiger, peut
from maillage.core.versions import verifier_version

from . import selectors as selectors_fiches
from .models import FicheExperience

Statut = FicheExperience.Statut
CHAMPS = ("titre", "theme", "public_concerne", "partenaires", "moyens", "resultats", "limites")
OBLIGATOIRES = {"titre": "Donnez un titre à la fiche.", "theme": "Choisissez un thème.",
                "public_concerne": "Indiquez le public concerné."}  # fmt: skip
PORTEES = {"reseau": Statut.PUBLIEE_RESEAU, "public": Statut.PUBLIEE_PUBLIC}


def _nettoyer(donnees: dict) -> dict:
    propres, erreurs = {}, {}
    for champ in CHAMPS:
        valeur = donnees.get(champ, "")
        valeur = valeur.strip() if isinstance(valeur, str) else ""
        limite = FicheExperience._meta.get_field(champ).max_length
        if limite and len(valeur) > limite:
            erreurs[champ] = f"Ce texte ne doit pas dépasser {limite} caractères."
        propres[champ] = valeur
    for champ, message in OBLIGATOIRES.items():
        if not propres[champ] and champ not in erreurs:
            erreurs[champ] = message
    codes = {code for code, _ in selectors_fiches.themes()[0]}
    if propres["theme"] and propres["theme"] not in codes:
        erreurs["theme"] = "Choisissez un thème de la liste."
    if erreurs:
        raise ValidationError(erreurs)
    return propres


def fiche_creer(*, par, structure, donnees: dict) -> FicheExperience:
    """A new draft fiche of `structure` (its own account or a pilote in scope)."""
    exiger(par, "fiche.modifier", structure)
    propres = _nettoyer(donnees)
    with transaction.atomic(), acteur(par):
        return FicheExperience.objects.create(structure=structure, auteur=par, **propres)


def fiche_modifier(*, par, fiche: FicheExperience, donnees: dict, version: int | None = None) -> FicheExperience:
    """Edit a fiche: the structure until it is published, the pilote at any time. `version` is the one the form
    read: a stale one is refused with ConflitVersion (None only for scripts)."""
    if not peut(par, "fiche.modifier", fiche):
        if peut(par, "fiche.voir", fiche) and fiche.structure_id == getattr(par, "structure_id", None):
            raise ValidationError("Cette fiche est publiée : seul le pilote peut encore la modifier.")
        raise PermissionDenied("Vous n'avez pas accès à cette ressource.")
    propres = _nettoyer(donnees)
    with transaction.atomic(), acteur(par):
        if version is not None:
            verifier_version(fiche, version, nom="cette fiche")
        for champ, valeur in propres.items():
            setattr(fiche, champ, valeur)
        fiche.save()
        return fiche


def fiche_proposer(*, par, fiche: FicheExperience) -> FicheExperience:
    """The structure proposes its draft for publication."""
    exiger(par, "fiche.modifier", fiche)
    if fiche.statut != Statut.BROUILLON:
        raise ValidationError(
            f"Seul un brouillon peut être proposé ; cette fiche est « {fiche.get_statut_display()} »."
        )
    with transaction.atomic(), acteur(par):
        fiche.statut, fiche.proposee_le = Statut.PROPOSEE, horloge.maintenant()
        fiche.save(update_fields=["statut", "proposee_le", "modifie_le"])
        return fiche


def fiche_publier(*, par, fiche: FicheExperience, portee: str) -> FicheExperience:
    """The pilote publishes a proposed (or already published) fiche to the network ("reseau") or the public."""
    exiger(par, "fiche.publier", fiche)
    if portee not in PORTEES:
        raise ValidationError({"portee": "Choisissez la publication au réseau ou au public."})
    if fiche.statut == Statut.BROUILLON:
        raise ValidationError("Ce brouillon n'a pas encore été proposé par la structure.")
    with transaction.atomic(), acteur(par):
        fiche.statut = PORTEES[portee]
        fiche.publiee_le, fiche.publiee_par = horloge.maintenant(), par
        fiche.save(update_fields=["statut", "publiee_le", "publiee_par", "modifie_le"])
        return fiche


def fiche_retirer(*, par, fiche: FicheExperience) -> FicheExperience:
    """The pilote withdraws a published fiche (back to « proposée »)."""
    exiger(par, "fiche.publier", fiche)
    if not fiche.publiee:
        raise ValidationError("Cette fiche n'est pas publiée.")
    with transaction.atomic(), acteur(par):
        fiche.statut, fiche.publiee_le, fiche.publiee_par = Statut.PROPOSEE, None, None
        fiche.save(update_fields=["statut", "publiee_le", "publiee_par", "modifie_le"])
        return fiche
