"""iCalendar (RFC 5545) of the network's events, built with the `icalendar` package: one event (the file attached to
invitations and served at /evenements/<id>.ics) or a feed (the public events of a département).

Plain objects in, bytes out: the callers pass the events and the absolute address of each page."""

import datetime
from collections.abc import Iterable

from icalendar import Calendar, Event, vCalAddress, vText

PRODID = "-//Maillage//Réseau et événements//FR"
DOMAINE_UID = "maillage"


def _uid(evenement) -> str:
    return f"evenement-{evenement.pk}@{DOMAINE_UID}"


def _lieu(evenement) -> str:
    return evenement.lieu_complet


def _vevent(evenement, *, url: str, sequence: int | None = None, organisateur_email: str = "") -> Event:
    ev = Event()
    ev.add("uid", _uid(evenement))
    ev.add("dtstamp", datetime.datetime.now(datetime.UTC))
    ev.add("dtstart", evenement.debut)
    ev.add("dtend", evenement.fin)
    ev.add("summary", evenement.titre)
    if evenement.description:
        ev.add("description", f"{evenement.description}\n\n{url}")
    else:
        ev.add("description", url)
    if lieu := _lieu(evenement):
        ev.add("location", lieu)
    if evenement.latitude is not None and evenement.longitude is not None:
        ev.add("geo", (evenement.latitude, evenement.longitude))
    ev.add("url", url)
    ev.add("sequence", sequence if sequence is not None else max(0, (getattr(evenement, "version", 1) or 1) - 1))
    ev.add("status", "CANCELLED" if evenement.statut == "annule" else "CONFIRMED")
    if organisateur_email:
        organisateur = vCalAddress(f"mailto:{organisateur_email}")
        if evenement.organisateur_id and getattr(evenement, "organisateur", None):
            organisateur.params["cn"] = vText(evenement.organisateur.nom)
        ev.add("organizer", organisateur)
    return ev


def _calendrier(nom: str, *, methode: str = "") -> Calendar:
    cal = Calendar()
    cal.add("prodid", PRODID)
    cal.add("version", "2.0")
    cal.add("calscale", "GREGORIAN")
    cal.add("x-wr-calname", nom)
    if methode:
        cal.add("method", methode)
    return cal


def ics_evenement(evenement, *, url: str, methode: str = "PUBLISH", organisateur_email: str = "") -> bytes:
    """One event; `methode="REQUEST"` for the invitation attached to an e-mail (with the organiser's address)."""
    cal = _calendrier(evenement.titre, methode=methode)
    cal.add_component(_vevent(evenement, url=url, organisateur_email=organisateur_email))
    return cal.to_ical()


def ics_evenements(evenements: Iterable, *, nom: str, url_de) -> bytes:
    """A feed: every event given, `url_de(evenement)` its absolute address."""
    cal = _calendrier(nom, methode="PUBLISH")
    for evenement in evenements:
        cal.add_component(_vevent(evenement, url=url_de(evenement)))
    return cal.to_ical()
