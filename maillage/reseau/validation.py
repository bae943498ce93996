"""Validation shared by the network's writers (services*.py): each helper records a French message by field in
`erreurs` and returns the cleaned value, so that a form shows every error at once; `lever_erreurs` raises them."""

import datetime

from django.core.exceptions import PermissionDenied, ValidationError
from django.core.validators import validate_email

from maillage.core.permissions import peut

from .models import SessionProgramme

REFUS = "Vous n'avez pas accès à cette ressource."
LONGUEUR_TITRE = 250
LONGUEUR_TEXTE = 20_000
LONGUEUR_NOM = 150


def valider_texte(erreurs: dict, champ: str, valeur, *, limite: int, obligatoire: str = "") -> str:
    texte = valeur.strip() if isinstance(valeur, str) else ""
    if obligatoire and not texte:
        erreurs[champ] = obligatoire
    elif len(texte) > limite:
        erreurs[champ] = f"Ce texte ne doit pas dépasser {limite:,} caractères.".replace(",", "\u202f")
    return texte


def normaliser_email(valeur) -> str:
    return valeur.strip().lower() if isinstance(valeur, str) else ""


def valider_email(erreurs: dict, champ: str, valeur, *, obligatoire: bool) -> str:
    email = normaliser_email(valeur)
    if not email:
        if obligatoire:
            erreurs[champ] = "Indiquez une adresse e-mail."
        return ""
    try:
        validate_email(email)
    except ValidationError:
        erreurs[champ] = "Cette adresse e-mail n'est pas valide (exemple : prenom.nom@exemple.fr)."
    return email


def valider_choix(erreurs: dict, champ: str, valeur, choix, *, message: str) -> str:
    if valeur not in {c for c, _ in choix}:
        erreurs[champ] = message
    return valeur


def lever_erreurs(erreurs: dict) -> None:
    if erreurs:
        raise ValidationError(erreurs)


def exiger_droit(par, action: str, obj) -> None:
    if not peut(par, action, obj):
        raise PermissionDenied(REFUS)


def valider_intervenants(erreurs: dict, intervenants) -> list[dict]:
    """Speakers of a session: dicts {nom, fonction, organisation}, the function required."""
    propres = []
    for i, intervenant in enumerate(intervenants):
        fonction = valider_texte(erreurs, f"intervenants.{i}.fonction", intervenant.get("fonction"), limite=250,
                                 obligatoire="Indiquez la fonction de chaque intervenant·e.")  # fmt: skip
        nom = valider_texte(erreurs, f"intervenants.{i}.nom", intervenant.get("nom", ""), limite=150)
        organisation = valider_texte(
            erreurs, f"intervenants.{i}.organisation", intervenant.get("organisation", ""), limite=200
        )
        propres.append({"fonction": fonction, "nom": nom, "organisation": organisation, "ordre": i})
    return propres


def valider_session(erreurs: dict, *, evenement, titre, type, salle, description, debut, fin, capacite) -> dict:
    """A session of the programme: its fields cleaned, its time within the event, its capacity at least 1."""
    propre = {
        "titre": valider_texte(
            erreurs, "titre", titre, limite=LONGUEUR_TITRE, obligatoire="Donnez un titre à cette session."
        ),  # fmt: skip
        "type": valider_choix(
            erreurs, "type", type, SessionProgramme.Type.choices, message="Choisissez un type de session."
        ),  # fmt: skip
        "salle": valider_texte(erreurs, "salle", salle, limite=150),
        "description": valider_texte(erreurs, "description", description, limite=LONGUEUR_TEXTE),
        "debut": debut,
        "fin": fin,
        "capacite": capacite,
    }
    if not isinstance(debut, datetime.datetime) or not isinstance(fin, datetime.datetime):
        erreurs["debut"] = "Indiquez l'heure de début et de fin."
    elif fin < debut:
        erreurs["fin"] = "La fin doit venir après le début."
    elif debut < evenement.debut or fin > evenement.fin:
        erreurs["debut"] = "La session doit se tenir pendant l'événement."
    if capacite is not None and (isinstance(capacite, bool) or not isinstance(capacite, int) or capacite < 1):
        erreurs["capacite"] = "La capacité est un nombre de places, au moins 1 (vide : pas de limite)."
    return propre
