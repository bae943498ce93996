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
