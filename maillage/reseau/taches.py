"""Background tasks of the network (django-tasks): the sending of an e-mail batch.

`envoyer_envoi` sends each recipient still « à envoyer » through the one home of e-mails (`core.courriels`), over one
SMTP connection, and records « envoyé » or « échec » (with the error) per recipient, a batch of rows at a time.

Never twice: before sending a slice, the task claims its rows (a conditional UPDATE that writes its own mark), sends
them, then records the outcome. A second run only takes rows still « à envoyer » and unclaimed. A row left claimed by
a worker that stopped in the middle (its job finished, failed, lost, or queued again) may or may not have left: it
becomes an « échec » saying so, to be sent again on purpose (« renvoyer les échecs »), never automatically.
"""

import logging
import smtplib
import uuid

from django.core.mail import get_connection
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone
from django.utils.safestring import mark_safe

from maillage.core.courriels import courriel_envoyer, lien_absolu
from maillage.core.models import Travail
from maillage.core.travaux import ABANDON, executer, task

from . import notifications
from .models import Destinataire, Envoi

logger = logging.getLogger("maillage.reseau")

TRANCHE = 200
MARQUE = "envoi en cours — travail "
INTERROMPU = "Envoi interrompu : ce courriel est peut-être parti. Renvoyez-le si besoin."
GABARITS = {
    Envoi.Nature.INVITATION: "reseau/courriels/invitation",
    Envoi.Nature.RAPPEL: "reseau/courriels/rappel",
    Envoi.Nature.ENQUETE: "reseau/courriels/enquete",
    Envoi.Nature.MESSAGE: "reseau/courriels/message",
}
AVEC_ICS = {Envoi.Nature.INVITATION, Envoi.Nature.RAPPEL}


@task()
def envoyer_envoi(*, travail_id: str, envoi_id: int) -> str:
    return executer(travail_id, lambda suivi: envoyer(envoi_id, travail_id=travail_id, suivi=suivi))


def _liberer_les_abandonnes(envoi_id: int, travail_id: str) -> None:
    """Rows claimed by another run that is no longer alive become « uncertain » failures."""
    marques = set(
        Destinataire.objects.filter(
            envoi_id=envoi_id, statut=Destinataire.Statut.A_ENVOYER, erreur__startswith=MARQUE
        ).values_list("erreur", flat=True)
    )
    vivants = Travail.Statut.EN_ATTENTE, Travail.Statut.EN_COURS
    for marque in marques:
        autre = marque[len(MARQUE) :]
        # Our own mark before we claimed anything: an earlier start of this same job, stopped in the middle and
        # queued again (core.travaux.travaux_reprendre).
        travail = Travail.objects.filter(pk=autre).first() if _uuid(autre) and autre != travail_id else None
        if (
            autre == travail_id
            or travail is None
            or travail.statut not in vivants
            or travail.cree_le < timezone.now() - ABANDON
        ):
            Destinataire.objects.filter(envoi_id=envoi_id, statut=Destinataire.Statut.A_ENVOYER, erreur=marque).update(
                statut=Destinataire.Statut.ECHEC, erreur=INTERROMPU
            )


def _uuid(texte: str) -> bool:
    try:
        uuid.UUID(texte)
    except ValueError:
        return False
    return True


def _contexte(envoi: Envoi, destinataire: Destinataire, commun: dict) -> dict:
    contexte = {**commun, "destinataire": destinataire, "nom": destinataire.nom}
    if destinataire.invitation_id:
        contexte["lien_invitation"] = lien_absolu(reverse("reseau:invitation", args=[destinataire.invitation.jeton]))
    inscription = destinataire.inscription
    if inscription is not None:
        contexte["inscription"] = inscription
        contexte["lien_inscription"] = notifications.lien_inscription(inscription)
        if envoi.nature == Envoi.Nature.ENQUETE:
            contexte["lien_enquete"] = lien_absolu(reverse("reseau:enquete_repondre", args=[inscription.jeton]))
    return contexte


def envoyer(envoi_id: int, *, travail_id: str = "", suivi=None) -> dict:
    """Send the recipients of the batch still « à envoyer ». Returns {"message": …} for the job's page."""
    envoi = Envoi.objects.select_related("evenement", "evenement__lieu_commune", "evenement__organisateur").get(
        pk=envoi_id
    )
    evenement = envoi.evenement
    marque = f"{MARQUE}{travail_id or 'direct'}"
    _liberer_les_abandonnes(envoi_id, travail_id)
    Envoi.objects.filter(pk=envoi_id).update(statut=Envoi.Statut.EN_COURS)
    a_envoyer = list(
        Destinataire.objects.filter(envoi_id=envoi_id, statut=Destinataire.Statut.A_ENVOYER, erreur="")
        .order_by("pk")
        .values_list("pk", flat=True)
    )
    total = len(a_envoyer)
    commun = {
        "envoi": envoi,
        "evenement": evenement,
        "objet": envoi.objet,
        "message": envoi.message,
        "lien_evenement": notifications.lien_evenement(evenement),
    }
    # The event's block (dates, place, link) is the same for everyone: rendered once, not 5,000 times.
    commun["bloc_evenement_txt"] = render_to_string("reseau/courriels/_evenement.txt", commun).strip()
    commun["bloc_evenement_html"] = mark_safe(render_to_string("reseau/courriels/_evenement.html", commun))
    pieces = [notifications.piece_ics(evenement)] if envoi.nature in AVEC_ICS else []
    gabarit = GABARITS[envoi.nature]
    envoyes = echecs = 0
    connexion = get_connection()
    try:
        connexion.open()
        for debut in range(0, total, TRANCHE):
            tranche = a_envoyer[debut : debut + TRANCHE]
            # Claim: only rows still unclaimed are ours (a concurrent run takes the others).
            Destinataire.objects.filter(
                pk__in=tranche, statut=Destinataire.Statut.A_ENVOYER, erreur=""
            ).update(erreur=marque)  # fmt: skip
            lignes = list(
                Destinataire.objects.filter(pk__in=tranche, statut=Destinataire.Statut.A_ENVOYER, erreur=marque)
                .select_related("invitation", "inscription")
                .order_by("pk")
            )
            partis, rates = [], []
            for destinataire in lignes:
                try:
                    courriel_envoyer(
                        a=destinataire.email,
                        gabarit=gabarit,
                        contexte=_contexte(envoi, destinataire, commun),
                        pieces_jointes=pieces,
                        connexion=connexion,
                    )
                except Exception as e:  # one bad address must not stop the batch
                    logger.warning("Courriel non envoyé à %s (envoi %s) : %s", destinataire.pk, envoi_id, e)
                    destinataire.statut = Destinataire.Statut.ECHEC
                    destinataire.erreur = (str(e) or e.__class__.__name__)[:300]
                    rates.append(destinataire)
                    if isinstance(e, smtplib.SMTPServerDisconnected | ConnectionError):
                        # The server dropped us: a fresh session for the next recipients.
                        connexion.close()
                        connexion.open()
                else:
                    partis.append(destinataire.pk)
            Destinataire.objects.filter(pk__in=partis).update(
                statut=Destinataire.Statut.ENVOYE, erreur="", envoye_le=timezone.now()
            )
            Destinataire.objects.bulk_update(rates, ["statut", "erreur"], batch_size=TRANCHE)
            envoyes += len(partis)
            echecs += len(rates)
            if suivi is not None:
                suivi.avancer(debut + len(tranche), total, "Envoi des courriels")
    except Exception:
        Envoi.objects.filter(pk=envoi_id).update(statut=Envoi.Statut.ECHEC, termine_le=timezone.now())
        raise
    finally:
        connexion.close()
    reste = Destinataire.objects.filter(envoi_id=envoi_id, statut=Destinataire.Statut.A_ENVOYER).exists()
    if not reste:
        Envoi.objects.filter(pk=envoi_id).update(statut=Envoi.Statut.TERMINE, termine_le=timezone.now())
    message = f"{envoyes} courriel(s) envoyé(s)"
    message += f", {echecs} échec(s)." if echecs else "."
    return {"message": message, "envoyes": envoyes, "echecs": echecs}
