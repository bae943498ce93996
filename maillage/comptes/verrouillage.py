"""Login lockout (django-axes) with one threshold per counter.

django-axes counts the failures of each lockout parameter set (settings.AXES_LOCKOUT_PARAMETERS) over the cool-off
window and compares the largest count with one limit. Three counters need three limits:
- an e-mail from one address: AXES_FAILURE_LIMIT (5), the usual typing mistakes;
- an e-mail from any address: VERROUILLAGE_LIMITE_COMPTE (20), guessing one account from many machines;
- an address for any e-mail: VERROUILLAGE_LIMITE_ADRESSE (50), trying many accounts from one machine.
Each count is scaled to AXES_FAILURE_LIMIT so that axes's single comparison applies each counter's own limit.

A lock lasts AXES_COOLOFF_TIME after the failure that set it; attempts made while locked are not counted
(AXES_RESET_COOL_OFF_ON_FAILURE_DURING_LOCKOUT = False), so nobody can keep an account locked by knocking on it:
an attacker must make VERROUILLAGE_LIMITE_COMPTE fresh failures for every account and every cool-off, each
address being itself capped by VERROUILLAGE_LIMITE_ADRESSE. The owner can always choose a new password through
« mot de passe oublié », which lifts the lock on their e-mail.
"""

from axes.handlers.database import AxesDatabaseHandler
from axes.helpers import get_failure_limit, get_lockout_parameters
from django.conf import settings
from django.db.models import Sum


def _champs(parametre) -> tuple[str, ...]:
    return (parametre,) if isinstance(parametre, str) else tuple(parametre)


class VerrouillageParSeuils(AxesDatabaseHandler):
    def _seuils(self) -> dict[tuple[str, ...], int]:
        return {
            ("username",): settings.VERROUILLAGE_LIMITE_COMPTE,
            ("ip_address",): settings.VERROUILLAGE_LIMITE_ADRESSE,
        }

    def get_failures(self, request, credentials=None) -> int:
        limite = get_failure_limit(request, credentials)
        seuils = self._seuils()
        parametres = get_lockout_parameters(request, credentials)
        echecs = 0
        for parametre, tentatives in zip(parametres, self.get_user_attempts(request, credentials), strict=True):
            nombre = tentatives.aggregate(n=Sum("failures_since_start"))["n"] or 0
            # Scaled: reaches `limite` exactly when this counter reaches its own threshold.
            echecs = max(echecs, nombre * limite // seuils.get(_champs(parametre), limite))
        return echecs

    def reset_user_attempts(self, request, credentials=None) -> int:
        # A successful login clears its account's counters only: the address's counter stays, else an attacker
        # holding one account could reset it between two series of guesses on other accounts.
        parametres = get_lockout_parameters(request, credentials)
        effacees = 0
        for parametre, tentatives in zip(parametres, self.filter_user_attempts(request, credentials), strict=True):
            if "username" in _champs(parametre):
                effacees += tentatives.delete()[0]
        return effacees
