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
