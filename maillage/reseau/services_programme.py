"""Writes of an event's programme (change or remove a session) and of a series of workshops (change it).

Same rules as `services.session_ajouter` / `services.serie_creer`: the permission first (`evenement.organiser`),
everything validated before writing with French messages by field, one transaction audited through `acteur`."""

import datetime

from django.core.exceptions import ValidationError
from django.db import transaction

from maillage.core.audit import acteur
from maillage.core.versions import verifier_version

from .models import Evenement, Inscription, InscriptionSession, Intervenant, SerieAteliers, SessionProgramme
from .services import LONGUEUR_TEXTE, LONGUEUR_TITRE, _choix, _exiger, _lever, _texte


def _valider_intervenants(erreurs: dict, intervenants) -> list[dict]:
    propres = []
    for i, intervenant in enumerate(intervenants):
        fonction = _texte(erreurs, f"intervenants.{i}.fonction", intervenant.get("fonction"), limite=250,
                          obligatoire="Indiquez la fonction de chaque intervenant·e.")  # fmt: skip
        nom = _texte(erreurs, f"intervenants.{i}.nom", intervenant.get("nom", ""), limite=150)
        organisation = _texte(
            erreurs, f"intervenants.{i}.organisation", intervenant.get("organisation", ""), limite=200
        )
        propres.append({"fonction": fonction, "nom": nom, "organisation": organisation, "ordre": i})
    return propres


def session_modifier(
    *,
    par,
    session: SessionProgramme,
    titre: str,
    debut: datetime.datetime,
    fin: datetime.datetime,
    type: str = SessionProgramme.Type.PLENIERE,
    salle: str = "",
    description: str = "",
    capacite: int | None = None,
    au_choix: bool = False,
    intervenants=None,
) -> SessionProgramme:
    """Change a session. Its time stays within the event; its capacity never below the places already reserved.
    `intervenants` (dicts {nom, fonction, organisation}) replaces the speakers; None keeps them."""
    evenement = session.evenement
    _exiger(par, "evenement.organiser", evenement)
    erreurs: dict[str, str] = {}
    titre = _texte(erreurs, "titre", titre, limite=LONGUEUR_TITRE, obligatoire="Donnez un titre à cette session.")
    _choix(erreurs, "type", type, SessionProgramme.Type.choices, message="Choisissez un type de session.")
    salle = _texte(erreurs, "salle", salle, limite=150)
    description = _texte(erreurs, "description", description, limite=LONGUEUR_TEXTE)
    if not isinstance(debut, datetime.datetime) or not isinstance(fin, datetime.datetime):
        erreurs["debut"] = "Indiquez l'heure de début et de fin."
    elif fin < debut:
        erreurs["fin"] = "La fin doit venir après le début."
    elif debut < evenement.debut or fin > evenement.fin:
        erreurs["debut"] = "La session doit se tenir pendant l'événement."
    if capacite is not None and (isinstance(capacite, bool) or not isinstance(capacite, int) or capacite < 1):
        erreurs["capacite"] = "La capacité est un nombre de places, au moins 1 (vide : pas de limite)."
    propres = _valider_intervenants(erreurs, intervenants) if intervenants is not None else None
    _lever(erreurs)
    with transaction.atomic(), acteur(par):
        # The event's lock: registrations reserve session places under it.
        Evenement.objects.select_for_update().filter(pk=evenement.pk).first()
        if capacite is not None:
            prises = InscriptionSession.objects.filter(
                session=session, reservee=True, inscription__statut=Inscription.Statut.CONFIRMEE
            ).count()
            if capacite < prises:
                raise ValidationError(
                    {"capacite": f"{prises} places sont déjà réservées : la capacité ne peut pas descendre en dessous."}
                )
        session.titre, session.type, session.debut, session.fin = titre, type, debut, fin
        session.salle, session.description, session.capacite, session.au_choix = salle, description, capacite, au_choix
        session.save()
        if propres is not None:
            session.intervenants.all().delete()
            Intervenant.objects.bulk_create([Intervenant(session=session, **p) for p in propres])
    return session


def session_supprimer(*, par, session: SessionProgramme) -> None:
    """Remove a session from the programme; registrants' choices of it go with it."""
    _exiger(par, "evenement.organiser", session.evenement)
    with transaction.atomic(), acteur(par):
        session.delete()


def serie_modifier(*, par, serie: SerieAteliers, version, titre: str, description: str = "") -> SerieAteliers:
    _exiger(par, "evenement.organiser", serie)
    erreurs: dict[str, str] = {}
    titre = _texte(erreurs, "titre", titre, limite=LONGUEUR_TITRE, obligatoire="Donnez un titre à la série.")
    description = _texte(erreurs, "description", description, limite=LONGUEUR_TEXTE)
    _lever(erreurs)
    with transaction.atomic(), acteur(par):
        verifier_version(serie, version, nom="cette série")
        serie.titre, serie.description = titre, description
        serie.save()
    return serie
