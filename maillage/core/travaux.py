"""The one home of background work (DESIGN: reports, e-mails, imports run as django-tasks tasks).

A view calls `travail_lancer(...)` with a task and gets a `Travail` row back: with the immediate backend (demo,
tests) the task has already run; with the database backend a `db_worker` process runs it later and the page polls
the row. Inside a task, `executer` wraps the work: it marks the row running, hands a `Suivi` to report progress, and
turns any exception into a readable failure instead of a lost task. Who may follow a row is the rule `travail.voir`
(maillage.core.permissions).

A worker stopped in the middle of a job: on SIGTERM `db_worker` finishes it first; killed, the job falls silent (its
`Battement` thread writes a sign of life every MAILLAGE_TRAVAUX_BATTEMENT seconds) and `travaux_reprendre` (command
`reprendre_travaux`, cron every minute) queues it again, or fails it after MAILLAGE_TRAVAUX_TENTATIVES starts. A run
starts only from « en attente » and writes only while the row carries its token: never two runs of one job.
"""

import logging
import threading
import time
import uuid
from collections.abc import Callable
from datetime import timedelta

from django.conf import settings
from django.core.files.base import ContentFile
from django.db import connections, transaction
from django.db.models import F, Q
from django.utils import timezone

from .models import Travail

try:  # Django 6 ships the tasks API; 5.2 uses the django-tasks backport.
    from django.tasks import TaskResultStatus, task  # type: ignore[import-not-found]
except ImportError:  # pragma: no cover - depends on the Django version
    from django_tasks import TaskResultStatus, task

__all__ = [
    "ErreurTravail",
    "Suivi",
    "executer",
    "task",
    "travail_en_cours_ou_pret",
    "travail_lancer",
    "travaux_reprendre",
]

logger = logging.getLogger("maillage.travaux")
# A queued or running job older than this is considered lost (worker stopped): an equal request starts a new one.
ABANDON = timedelta(minutes=30)
# A running job silent for SILENCE heartbeat intervals is taken as orphaned (its worker stopped).
SILENCE = 6


def travail_lancer(
    *,
    tache,
    nature: str,
    libelle: str,
    demandeur=None,
    cle: str = "",
    public: bool = False,
    regle: str = "",
    departement_id: str | None = None,
    url_resultat: str = "",
    **arguments,
) -> Travail:
    """Record a job and enqueue `tache(travail_id=..., **arguments)`. Not inside a transaction on purpose: the worker
    must see the row, and the immediate backend runs the task right here."""
    travail = Travail.objects.create(
        nature=nature,
        cle=cle,
        libelle=libelle,
        demandeur=demandeur if getattr(demandeur, "is_authenticated", False) else None,
        public=public,
        regle=regle,
        departement_id=departement_id,
        url_resultat=url_resultat,
    )
    resultat = tache.enqueue(travail_id=str(travail.pk), **arguments)
    Travail.objects.filter(pk=travail.pk).update(tache_id=str(resultat.id)[:64])
    travail.refresh_from_db()
    return travail


def travail_en_cours_ou_pret(*, nature: str, cle: str) -> Travail | None:
    """The latest job with the same result that is done (with its file, if it made one) or still alive."""
    recents = Travail.objects.filter(nature=nature, cle=cle).exclude(statut=Travail.Statut.ECHEC).order_by("-cree_le")
    for travail in recents[:3]:
        if travail.statut == Travail.Statut.TERMINE:
            if not travail.fichier or travail.fichier.storage.exists(travail.fichier.name):
                return travail
        elif travail.cree_le > timezone.now() - ABANDON:
            return travail
    return None


class Suivi:
    """Progress of a running job, written at most every `intervalle` seconds (and always at the end)."""

    def __init__(self, travail: Travail, *, intervalle: float = 0.5, jeton: str = "", battement=None):
        self.travail = travail
        self.intervalle = intervalle
        self.jeton = jeton
        self.battement = battement
        self._derniere = 0.0

    def avancer(self, fait: int, total: int, etape: str = "") -> None:
        if self.battement is not None and self.battement.perdu:
            # Queued again by `reprendre_travaux` while we looked dead: the new run does the work, we stop.
            raise TravailRepris(f"Travail {self.travail.pk} repris par une autre exécution.")
        maintenant = time.monotonic()
        if maintenant - self._derniere < self.intervalle and fait < total:
            return
        self._derniere = maintenant
        total = max(total, 0)
        fait = min(max(fait, 0), total)
        lignes = Travail.objects.filter(pk=self.travail.pk)
        if self.jeton:
            lignes = lignes.filter(executant=self.jeton)
        lignes.update(fait=fait, total=total, etape=etape[:200])
        self.travail.fait, self.travail.total, self.travail.etape = fait, total, etape[:200]


def intervalle_battement() -> float:
    return max(float(getattr(settings, "MAILLAGE_TRAVAUX_BATTEMENT", 10)), 0.05)


def silence_max() -> timedelta:
    """How long a running job may stay silent before its worker is taken as stopped."""
    return timedelta(seconds=SILENCE * intervalle_battement())


def battre(travail_id, jeton: str) -> bool:
    """One sign of life of the run `jeton`; False when the job is no longer ours (queued again, or gone)."""
    n = Travail.objects.filter(pk=travail_id, executant=jeton, statut=Travail.Statut.EN_COURS).update(
        battement=timezone.now()
    )
    if n:
        return True
    # Not visible from this connection (a test's open transaction) is not "taken over".
    return not Travail.objects.filter(pk=travail_id).exclude(executant=jeton).exists()


class Battement(threading.Thread):
    """Writes `battre` every interval while the job runs (its own thread and DB connection)."""

    def __init__(self, travail_id, jeton: str):
        super().__init__(name=f"battement-{travail_id}", daemon=True)
        self.travail_id, self.jeton = travail_id, jeton
        self.perdu = False
        self._fin = threading.Event()

    def run(self):
        try:
            while not self._fin.wait(intervalle_battement()):
                try:
                    if not battre(self.travail_id, self.jeton):
                        self.perdu = True
                        return
                except Exception:  # a DB hiccup: try again at the next beat
                    logger.warning("Battement du travail %s non écrit.", self.travail_id, exc_info=True)
        finally:
            connections.close_all()  # this thread's connections only

    def arreter(self):
        self._fin.set()
        self.join(timeout=5)


def executer(travail_id: str, travail_fn: Callable[[Suivi], dict | None]) -> str:
    """Run `travail_fn(suivi)` for the job `travail_id`. It returns None or a dict with any of `message`, `contenu`
    (bytes of the file), `nom_fichier`, `type_contenu`. Returns the final status (also the task's return value).

    Exactly once: the run first claims the row (a conditional UPDATE from « en attente » that writes its own token),
    so a job already running, done or failed is never run again by a duplicate task; every later write of the run
    is conditional on that token, so a run that `reprendre_travaux` gave up for dead (and queued again) cannot
    finish it a second time, and removes the file it may have written.
    """
    jeton = uuid.uuid4().hex
    debut = timezone.now()
    pris = Travail.objects.filter(pk=travail_id, statut=Travail.Statut.EN_ATTENTE).update(
        statut=Travail.Statut.EN_COURS,
        commence_le=debut,
        battement=debut,
        executant=jeton,
        tentatives=F("tentatives") + 1,
        fait=0,
    )
    travail = Travail.objects.filter(pk=travail_id).first()
    if travail is None:
        logger.warning("Travail %s introuvable : tâche ignorée.", travail_id)
        return "introuvable"
    if not pris:
        logger.warning("Travail %s déjà %s : exécution en double ignorée.", travail_id, travail.get_statut_display())
        return travail.statut
    a_nous = Travail.objects.filter(pk=travail.pk, executant=jeton, statut=Travail.Statut.EN_COURS)
    battement = Battement(travail.pk, jeton)
    battement.start()
    try:
        resultat = travail_fn(Suivi(travail, jeton=jeton, battement=battement)) or {}
    except TravailRepris:
        logger.warning("Travail %s repris par une autre exécution : celle-ci s'arrête.", travail.pk)
        return "repris"
    except Exception as e:  # a job must end in a readable state, whatever went wrong
        logger.exception("Échec du travail %s (%s)", travail.pk, travail.nature)
        message = str(e) if isinstance(e, ErreurTravail) else "Une erreur inattendue a interrompu ce travail."
        a_nous.update(statut=Travail.Statut.ECHEC, message=message, termine_le=timezone.now())
        return Travail.Statut.ECHEC
    finally:
        # Also on SystemExit (a worker told twice to stop): the row stays « en cours », falls silent and
        # `reprendre_travaux` queues it again.
        battement.arreter()
    fichier = ""
    if resultat.get("contenu") is not None:
        travail.nom_fichier = resultat.get("nom_fichier", "resultat")
        travail.fichier.save(travail.nom_fichier, ContentFile(resultat["contenu"]), save=False)
        fichier = travail.fichier.name
    fini = a_nous.update(
        statut=Travail.Statut.TERMINE,
        message=resultat.get("message", ""),
        fichier=fichier,
        nom_fichier=travail.nom_fichier if fichier else "",
        type_contenu=resultat.get("type_contenu", "application/octet-stream") if fichier else "",
        fait=F("total"),
        termine_le=timezone.now(),
    )
    if not fini:
        logger.warning("Travail %s repris pendant son exécution : résultat de celle-ci abandonné.", travail.pk)
        if fichier:
            travail.fichier.storage.delete(fichier)
        return "repris"
    return Travail.Statut.TERMINE


def travaux_reprendre() -> dict:
    """Jobs whose worker stopped (killed, crashed, machine lost) are queued again, or failed after
    MAILLAGE_TRAVAUX_TENTATIVES starts; returns {"relances": n, "echecs": n}.

    A job is taken as orphaned when it runs (« en cours ») with no sign of life for `silence_max()`, or waits while
    its task was taken by a worker that long ago (stopped before starting it). Each is handled under a row lock and
    only if unchanged since it was seen, so two runs of this command (cron, several machines) act once.
    """
    from django_tasks_db.models import DBTaskResult

    limite = timezone.now() - silence_max()
    muets = Travail.objects.filter(statut=Travail.Statut.EN_COURS).filter(
        Q(battement__lt=limite) | Q(battement__isnull=True, commence_le__lt=limite)
    )
    candidats = list(muets.values_list("pk", "tache_id"))
    en_attente = dict(
        Travail.objects.filter(statut=Travail.Statut.EN_ATTENTE, cree_le__lt=limite)
        .exclude(tache_id="")
        .values_list("tache_id", "pk")
    )
    if en_attente:
        prises = DBTaskResult.objects.filter(pk__in=[t for t in en_attente if _uuid(t)]).exclude(
            status=TaskResultStatus.READY
        )
        for tache in prises.filter(Q(started_at__lt=limite) | Q(started_at__isnull=True)):
            candidats.append((en_attente[str(tache.pk)], str(tache.pk)))
    bilan = {"relances": 0, "echecs": 0}
    for pk, tache_id in candidats:
        issue = _reprendre(pk, tache_id, limite)
        if issue:
            bilan[issue] += 1
    return bilan


def _reprendre(pk, tache_id: str, limite) -> str:
    from django_tasks_db.models import DBTaskResult

    with transaction.atomic():
        travail = (
            Travail.objects.select_for_update(skip_locked=True)
            .filter(pk=pk, tache_id=tache_id, statut__in=[Travail.Statut.EN_ATTENTE, Travail.Statut.EN_COURS])
            .first()
        )
        if travail is None:  # handled meanwhile (or locked by another run of this command)
            return ""
        if travail.statut == Travail.Statut.EN_COURS and travail.battement and travail.battement >= limite:
            return ""  # alive again
        ancienne = DBTaskResult.objects.filter(pk=tache_id).first() if _uuid(tache_id) else None
        if ancienne is not None and ancienne.status in {TaskResultStatus.READY, TaskResultStatus.RUNNING}:
            # The stopped worker's task will never finish: say so in the queue too (admin, pruning).
            ancienne.status = TaskResultStatus.FAILED
            ancienne.finished_at = timezone.now()
            ancienne.exception_class_path = f"{TravailInterrompu.__module__}.{TravailInterrompu.__qualname__}"
            ancienne.traceback = "Travailleur arrêté pendant la tâche (plus de signe de vie) : tâche reprise."
            ancienne.save(update_fields=["status", "finished_at", "exception_class_path", "traceback"])
        maximum = int(getattr(settings, "MAILLAGE_TRAVAUX_TENTATIVES", 3))
        if ancienne is None or travail.tentatives >= maximum:
            if ancienne is None:
                message = "Ce travail a été interrompu et ne peut pas être relancé automatiquement : redemandez-le."
            else:
                message = (
                    f"Ce travail a été interrompu {travail.tentatives} fois (arrêt du serveur de tâches) : "
                    "il n'est plus relancé automatiquement. Redemandez-le, ou signalez-le s'il échoue encore."
                )
            Travail.objects.filter(pk=pk).update(
                statut=Travail.Statut.ECHEC, message=message, termine_le=timezone.now(), executant=""
            )
            logger.error("Travail %s interrompu, abandonné après %s tentative(s).", pk, travail.tentatives)
            return "echecs"
        nouvelle = ancienne.task.enqueue(*ancienne.args_kwargs["args"], **ancienne.args_kwargs["kwargs"])
        Travail.objects.filter(pk=pk).update(
            statut=Travail.Statut.EN_ATTENTE,
            tache_id=str(nouvelle.id)[:64],
            executant="",
            battement=None,
            fait=0,
            etape="Relancé après l'arrêt d'un serveur de tâches",
        )
        logger.warning("Travail %s interrompu (tentative %s) : relancé.", pk, travail.tentatives)
        return "relances"


def _uuid(texte: str) -> bool:
    try:
        uuid.UUID(str(texte))
    except ValueError:
        return False
    return True


class TravailRepris(Exception):
    """This run was given up for dead and the job queued again: it must stop without writing anything."""


class TravailInterrompu(Exception):
    """Recorded on a queued task whose worker stopped in the middle (never raised)."""


class ErreurTravail(Exception):
    """A failure whose message (in French) is meant for the user, e.g. « PDF indisponible sur ce serveur »."""
