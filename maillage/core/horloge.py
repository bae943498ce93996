"""The one clock: every default date of the application ("today", "late since N days") comes from `aujourdhui()`.

In production it is the real date. `MAILLAGE_AUJOURDHUI` (ISO date, settings or environment) pins it, so that a
demo or a test tells one consistent story."""

import datetime

from django.conf import settings
from django.utils import timezone


def aujourdhui() -> datetime.date:
    fixe = getattr(settings, "MAILLAGE_AUJOURDHUI", None)
    if fixe:
        return fixe if isinstance(fixe, datetime.date) else datetime.date.fromisoformat(str(fixe))
    return timezone.localdate()


def maintenant() -> datetime.datetime:
    """The current instant on the same clock: pinned to `aujourdhui()` at the real time of day when the date is
    pinned (so that "is this event past, is registration still open" agrees with the pinned date)."""
    reel = timezone.localtime()
    fixe = aujourdhui()
    if fixe == reel.date():
        return reel
    return reel.replace(year=fixe.year, month=fixe.month, day=fixe.day)


def fixee() -> bool:
    """True when the date is pinned (the demo, a test): the real instant is then not the story's."""
    return bool(getattr(settings, "MAILLAGE_AUJOURDHUI", None))


def dater(objet, champ: str = "le"):
    """Date a record just created on the clock. `auto_now_add` stamps the real instant, and ignores a value given
    on creation: with a pinned clock (the demo) the record's business instant (a status change, a comment) is
    rewritten to `maintenant()`, so that it tells the same story as the dates around it. Nothing to do otherwise."""
    if fixee():
        moment = maintenant()
        type(objet)._default_manager.filter(pk=objet.pk).update(**{champ: moment})
        setattr(objet, champ, moment)
    return objet
