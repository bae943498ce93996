"""Reminders of a campaign's late structures, by e-mail.

One e-mail per active structure account (role « structure », with an address) of each late answer; every sending is
recorded as a `Relance` row (shown on the follow-up board) and logged (logger `maillage.observatoire.relances`).
At most one reminder per campaign, structure and day: the row is created before the e-mails go, under a unique
constraint, so two workers (or the daily command and a pilot's click) cannot both send; if sending fails the row is
rolled back and a later run may try again. The view sends through a background task (`taches.envoyer_relances`),
the command `relancer_campagne` runs inline (it is itself run by cron).
"""

import logging

from django.conf import settings
from django.core.exceptions import PermissionDenied
from django.core.mail import send_mail
from django.db import transaction
from django.template.loader import render_to_string
from django.utils import timezone

from maillage.comptes.models import Role, Utilisateur
from maillage.core import horloge
from maillage.core.permissions import exiger, peut

from ..models import Campagne, Relance
from . import selectors as selectors_relecture

logger = logging.getLogger("maillage.observatoire.relances")


def relancees_le(campagne: Campagne, jour) -> set[int]:
    return set(Relance.objects.filter(campagne=campagne, jour=jour).values_list("structure_id", flat=True))


def relancer(
    *, par, campagne: Campagne, reponses, simulation: bool = False, aujourd_hui=None, progression=None
) -> list[dict]:
    """Remind the structures of `reponses` that are late (others are ignored). `par=None` is the system (the
    management command); a user must be allowed to follow the campaign and to review each answer.
    Returns one entry per structure reminded (or that would be, with `simulation`): structure, destinataires, retard.
    `progression(fait, total, etape)` is told of each structure handled.
    """
    if par is not None:
        exiger(par, "campagne.suivre", campagne)
    aujourd_hui = aujourd_hui or horloge.aujourdhui()
    deja = relancees_le(campagne, aujourd_hui)
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
        if retard and reponse.structure_id not in deja:
            retenues.append((reponse, retard))
    comptes = {}
    for compte in Utilisateur.objects.filter(
        role=Role.STRUCTURE, is_active=True, structure_id__in=[r.structure_id for r, _ in retenues]
    ).exclude(email=""):
        comptes.setdefault(compte.structure_id, []).append(compte)
    envois = []
    for rang, (reponse, retard) in enumerate(retenues, start=1):
        if progression:
            progression(rang - 1, len(retenues), f"Relance de {reponse.structure}")
        destinataires = comptes.get(reponse.structure_id, [])
        if not destinataires:
            logger.warning("Relance impossible : aucun compte pour %s (campagne %s)", reponse.structure, campagne.pk)
            continue
        if not simulation and not _envoyer(par, campagne, reponse, retard, destinataires, aujourd_hui):
            continue
        envois.append(
            {"structure": reponse.structure, "destinataires": [c.email for c in destinataires], "retard": retard}
        )
    if progression:
        progression(len(retenues), len(retenues), "Relances terminées")
    return envois


def _envoyer(par, campagne, reponse, retard, destinataires, aujourd_hui) -> bool:
    """Record the day's reminder then send it, in one transaction; False when another process got there first."""
    contexte = {"campagne": campagne, "reponse": reponse, "structure": reponse.structure, "retard": retard}
    sujet = render_to_string("observatoire/email/relance_sujet.txt", contexte).strip()
    with transaction.atomic():
        _, creee = Relance.objects.get_or_create(
            campagne=campagne,
            structure_id=reponse.structure_id,
            jour=aujourd_hui,
            defaults={
                "retard": retard[:200],
                "destinataires": [c.email for c in destinataires],
                "par": par if par is not None and par.is_authenticated else None,
            },
        )
        if not creee:
            return False
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
    return True
