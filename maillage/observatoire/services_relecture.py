"""Reminders of a campaign's late structures, by e-mail.

One e-mail per active structure account (role « structure », with an address) of each late answer; every sending is
logged (logger `maillage.observatoire.relances`). Idempotent per day: a structure reminded today for a campaign is
not reminded again the same day — the mark is a cache key `observatoire:relance:<campagne>:<structure>:<date>`
(no new model). Limit: with the default local-memory cache the mark lives in one process and is lost on restart, so
two processes (or a restart) may send a second reminder the same day; with REDIS_URL set the cache is shared.
Background sending (django-tasks) is planned later; for now the view and `manage.py relancer_campagne` send inline.
"""

import logging

from django.conf import settings
from django.core.exceptions import PermissionDenied
from django.core.mail import send_mail
from django.template.loader import render_to_string
from django.utils import timezone

from maillage.comptes.models import Role, Utilisateur
from maillage.comptes.permissions import exiger, peut

from . import selectors_relecture
from .models import Campagne

logger = logging.getLogger("maillage.observatoire.relances")
DUREE_MARQUE = 2 * 24 * 3600


def cle_relance(campagne, structure_id, jour) -> str:
    return f"observatoire:relance:{campagne.pk}:{structure_id}:{jour.isoformat()}"


def relancer(*, par, campagne: Campagne, reponses, simulation: bool = False, aujourd_hui=None) -> list[dict]:
    """Remind the structures of `reponses` that are late (others are ignored). `par=None` is the system (the
    management command); a user must be allowed to follow the campaign and to review each answer.
    Returns one entry per structure reminded (or that would be, with `simulation`): structure, destinataires, retard.
    """
    from django.core.cache import cache

    if par is not None:
        exiger(par, "campagne.suivre", campagne)
    aujourd_hui = aujourd_hui or timezone.localdate()
    retenues = []
    for reponse in reponses:
        if reponse.campagne_id != campagne.pk:
            continue
        if par is not None and not peut(par, "reponse.relire", reponse):
            raise PermissionDenied("Vous n'avez pas accès à cette ressource.")
        renvoyee = getattr(reponse, "renvoyee_le", None)
        retard = selectors_relecture.est_en_retard(
            reponse, aujourd_hui, timezone.localdate(renvoyee) if renvoyee else None
        )
        if retard and not cache.get(cle_relance(campagne, reponse.structure_id, aujourd_hui)):
            retenues.append((reponse, retard))
    comptes = {}
    for compte in Utilisateur.objects.filter(
        role=Role.STRUCTURE, is_active=True, structure_id__in=[r.structure_id for r, _ in retenues]
    ).exclude(email=""):
        comptes.setdefault(compte.structure_id, []).append(compte)
    envois = []
    for reponse, retard in retenues:
        destinataires = comptes.get(reponse.structure_id, [])
        if not destinataires:
            logger.warning("Relance impossible : aucun compte pour %s (campagne %s)", reponse.structure, campagne.pk)
            continue
        contexte = {"campagne": campagne, "reponse": reponse, "structure": reponse.structure, "retard": retard}
        sujet = render_to_string("observatoire/email/relance_sujet.txt", contexte).strip()
        if not simulation:
            for compte in destinataires:
                corps = render_to_string("observatoire/email/relance.txt", {**contexte, "compte": compte})
                send_mail(sujet, corps, settings.DEFAULT_FROM_EMAIL, [compte.email])
                logger.info(
                    "Relance envoyée à %s (%s, campagne %s, %s) par %s",
                    compte.email,
                    reponse.structure,
                    campagne.pk,
                    retard,
                    par or "système",
                )
            cache.set(cle_relance(campagne, reponse.structure_id, aujourd_hui), True, DUREE_MARQUE)
        envois.append(
            {"structure": reponse.structure, "destinataires": [c.email for c in destinataires], "retard": retard}
        )
    return envois
