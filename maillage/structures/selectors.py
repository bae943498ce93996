"""Reads of the registry used by views, the API, exports and reports."""

import datetime

from django.db.models import Exists, OuterRef, Q

from .models import Agrement, Structure

# An agrément that was granted covers its period, even once it has expired since.
STATUTS_ACTIFS = (Agrement.Statut.ACCORDE, Agrement.Statut.EXPIRE)


def agrements_couvrant(date: datetime.date):
    return Agrement.objects.filter(statut__in=STATUTS_ACTIFS, debut__lte=date, fin__gte=date)


def structures_actives(date: datetime.date, *, departement: str | None = None):
    """Structures holding an agrément that covers `date`: the definition of "active" everywhere."""
    structures = Structure.objects.filter(Exists(agrements_couvrant(date).filter(structure=OuterRef("pk"))))
    if departement is not None:
        structures = structures.filter(departement_id=departement)
    return structures


def agrement_principal(date: datetime.date):
    """Filter for the agrément that makes a structure active at `date` (animation globale or locale)."""
    return Q(statut__in=STATUTS_ACTIFS, debut__lte=date, fin__gte=date) & ~Q(type="acf")
