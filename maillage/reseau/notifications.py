"""E-mails to registrants, sent after the commit of the write that causes them (services call these through
`transaction.on_commit`). Each takes a registration id (it may run in a worker later) and goes through the one
home of e-mails (`maillage.core.courriels`): French text part, HTML part, iCalendar invitation attached.

A failure to send is logged and does not undo the registration: the personal page shows the same information."""

import contextlib
import contextvars
import logging

from django.urls import reverse

from maillage.core.courriels import PieceJointe, courriel_envoyer, lien_absolu
from maillage.core.travaux import task

from . import calendrier
from .models import Inscription

logger = logging.getLogger("maillage.reseau")

_en_silence = contextvars.ContextVar("reseau_notifications_en_silence", default=False)


@contextlib.contextmanager
def en_silence():
    """No e-mail to registrants from the writes of this block (the demo's fictional people, a benchmark's set-up).
    Services send after the commit: keep the transaction inside the block."""
    jeton = _en_silence.set(True)
    try:
        yield
    finally:
        _en_silence.reset(jeton)


def lien_inscription(inscription: Inscription) -> str:
    return lien_absolu(reverse("reseau:inscription", args=[inscription.jeton]))


def lien_evenement(evenement) -> str:
    return lien_absolu(reverse("reseau:evenement", args=[evenement.pk]))


def piece_ics(evenement, *, methode: str = "REQUEST") -> PieceJointe:
    contenu = calendrier.ics_evenement(evenement, url=lien_evenement(evenement), methode=methode)
    return PieceJointe(f"evenement-{evenement.pk}.ics", contenu, f"text/calendar; charset=utf-8; method={methode}")


def _envoyer(inscription_id: int, gabarit: str, *, avec_ics: bool) -> None:
    if _en_silence.get():
        return
    inscription = (
        Inscription.objects.select_related("evenement", "evenement__lieu_commune", "evenement__organisateur")
        .prefetch_related("choix__session")
        .filter(pk=inscription_id)
        .first()
    )
    if inscription is None:
        return
    evenement = inscription.evenement
    try:
        contexte = {
            "inscription": inscription,
            "evenement": evenement,
            "lien_inscription": lien_inscription(inscription),
            "lien_evenement": lien_evenement(evenement),
            "sessions": [c.session for c in inscription.choix.all() if c.reservee],
        }
        courriel_envoyer(
            a=inscription.email,
            gabarit=f"reseau/courriels/{gabarit}",
            contexte=contexte,
            pieces_jointes=[piece_ics(evenement)] if avec_ics else (),
        )
    except Exception:
        logger.exception("Courriel « %s » non envoyé pour l'inscription %s", gabarit, inscription_id)


# --- Background work ------------------------------------------------------------------------------------------------
# Rendering an e-mail (text, HTML, iCalendar) costs as much as the registration itself: the request only records
# the job; a worker sends it (`db_worker` in production; at once with the immediate backend: demo, tests).


@task()
def envoyer_notification(*, nom: str, inscription_id: int) -> None:
    {
        "inscription_enregistree": inscription_enregistree,
        "inscription_promue": inscription_promue,
        "inscription_annulee": inscription_annulee,
    }[nom](inscription_id)


def planifier(nom: str, inscription_id: int) -> None:
    """Queue the e-mail `nom` about a registration (called after the commit of the write that causes it)."""
    if _en_silence.get():
        return
    try:
        envoyer_notification.enqueue(nom=nom, inscription_id=inscription_id)
    except Exception:  # a queue failure must not undo a registration (the personal page has it all)
        logger.exception("Courriel « %s » non planifié pour l'inscription %s", nom, inscription_id)


def inscription_enregistree(inscription_id: int) -> None:
    """Confirmation (with code, QR link and .ics) or "you are on the waiting list"."""
    statut = Inscription.objects.filter(pk=inscription_id).values_list("statut", flat=True).first()
    if statut == Inscription.Statut.CONFIRMEE:
        _envoyer(inscription_id, "confirmation", avec_ics=True)
    elif statut == Inscription.Statut.LISTE_ATTENTE:
        _envoyer(inscription_id, "liste_attente", avec_ics=False)


def inscription_promue(inscription_id: int) -> None:
    """A place freed up: the registrant leaves the waiting list."""
    _envoyer(inscription_id, "promotion", avec_ics=True)


def inscription_annulee(inscription_id: int) -> None:
    _envoyer(inscription_id, "annulation", avec_ics=False)
