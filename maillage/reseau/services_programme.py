"""Writes of an event's programme (change or remove a session) and of a series of workshops (change it).

Same rules as `services.session_ajouter` / `services.serie_creer`: the permission first (`evenement.organiser`),
everything validated before writing with French messages by field, one transaction audited through `acteur`."""

import datetime

from django.core.exceptions import ValidationError
from django.db import transaction

from maillage.core.audit import acteur
from maillage.core.versions import verifier_version

from .models import Evenement, Inscription, InscriptionSession, Intervenant, SerieAteliers, SessionProgramme
from .validation import (
    LONGUEUR_TEXTE,
    LONGUEUR_TITRE,
    exiger_droit,
    lever_erreurs,
    valider_intervenants,
    valider_session,
    valider_texte,
)


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
    exiger_droit(par, "evenement.organiser", evenement)
    erreurs: dict[str, str] = {}
    propre = valider_session(
        erreurs, evenement=evenement, titre=titre, type=type, salle=salle, description=description, debut=debut,
        fin=fin, capacite=capacite,
    )  # fmt: skip
    propres = valider_intervenants(erreurs, intervenants) if intervenants is not None else None
    lever_erreurs(erreurs)
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
        for champ, valeur in propre.items():
            setattr(session, champ, valeur)
        session.au_choix = au_choix
        session.save()
        if propres is not None:
            session.intervenants.all().delete()
            Intervenant.objects.bulk_create([Intervenant(session=session, **p) for p in propres])
    return session


def session_supprimer(*, par, session: SessionProgramme) -> None:
    """Remove a session from the programme; registrants' choices of it go with it."""
    exiger_droit(par, "evenement.organiser", session.evenement)
    with transaction.atomic(), acteur(par):
        session.delete()


def serie_modifier(*, par, serie: SerieAteliers, version, titre: str, description: str = "") -> SerieAteliers:
    exiger_droit(par, "evenement.organiser", serie)
    erreurs: dict[str, str] = {}
    titre = valider_texte(erreurs, "titre", titre, limite=LONGUEUR_TITRE, obligatoire="Donnez un titre à la série.")
    description = valider_texte(erreurs, "description", description, limite=LONGUEUR_TEXTE)
    lever_erreurs(erreurs)
    with transaction.atomic(), acteur(par):
        verifier_version(serie, version, nom="cette série")
        serie.titre, serie.description = titre, description
        serie.save()
    return serie
