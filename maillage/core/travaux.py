"""The one home of background work (DESIGN: reports, e-mails, imports run as django-tasks tasks).

A view calls `travail_lancer(...)` with a task and gets a `Travail` row back: with the immediate backend (demo,
tests) the task has already run; with the database backend a `db_worker` process runs it later and the page polls
the row. Inside a task, `executer` wraps the work: it marks the row running, hands a `Suivi` to report progress, and
turns any exception into a readable failure instead of a lost task. Who may follow a row is the rule `travail.voir`
(maillage.core.permissions).
"""

import logging
import time
from collections.abc import Callable
from datetime import timedelta

from django.core.files.base import ContentFile
from django.utils import timezone

from .models import Travail

try:  # Django 6 ships the tasks API; 5.2 uses the django-tasks backport.
    from django.tasks import task  # type: ignore[import-not-found]
except ImportError:  # pragma: no cover - depends on the Django version
    from django_tasks import task

__all__ = [
    "ErreurTravail",
    "Suivi",
    "executer",
    "task",
    "travail_en_cours_ou_pret",
    "travail_lancer",
]

logger = logging.getLogger("maillage.travaux")
# A queued or running job older than this is considered lost (worker stopped): an equal request starts a new one.
ABANDON = timedelta(minutes=30)


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

    def __init__(self, travail: Travail, *, intervalle: float = 0.5):
        self.travail = travail
        self.intervalle = intervalle
        self._derniere = 0.0

    def avancer(self, fait: int, total: int, etape: str = "") -> None:
        maintenant = time.monotonic()
        if maintenant - self._derniere < self.intervalle and fait < total:
            return
        self._derniere = maintenant
        total = max(total, 0)
        fait = min(max(fait, 0), total)
        Travail.objects.filter(pk=self.travail.pk).update(fait=fait, total=total, etape=etape[:200])
        self.travail.fait, self.travail.total, self.travail.etape = fait, total, etape[:200]


def executer(travail_id: str, travail_fn: Callable[[Suivi], dict | None]) -> str:
    """Run `travail_fn(suivi)` for the job `travail_id`. It returns None or a dict with any of `message`, `contenu`
    (bytes of the file), `nom_fichier`, `type_contenu`. Returns the final status (also the task's return value)."""
    travail = Travail.objects.filter(pk=travail_id).first()
    if travail is None:
        logger.warning("Travail %s introuvable : tâche ignorée.", travail_id)
        return "introuvable"
    Travail.objects.filter(pk=travail.pk).update(statut=Travail.Statut.EN_COURS, commence_le=timezone.now())
    try:
        resultat = travail_fn(Suivi(travail)) or {}
    except Exception as e:  # a job must end in a readable state, whatever went wrong
        logger.exception("Échec du travail %s (%s)", travail.pk, travail.nature)
        message = str(e) if isinstance(e, ErreurTravail) else "Une erreur inattendue a interrompu ce travail."
        Travail.objects.filter(pk=travail.pk).update(
            statut=Travail.Statut.ECHEC, message=message, termine_le=timezone.now()
        )
        return Travail.Statut.ECHEC
    travail.refresh_from_db()
    travail.message = resultat.get("message", "")
    if resultat.get("contenu") is not None:
        travail.nom_fichier = resultat.get("nom_fichier", "resultat")
        travail.type_contenu = resultat.get("type_contenu", "application/octet-stream")
        travail.fichier.save(travail.nom_fichier, ContentFile(resultat["contenu"]), save=False)
    travail.statut = Travail.Statut.TERMINE
    travail.fait = travail.total
    travail.termine_le = timezone.now()
    travail.save()
    return Travail.Statut.TERMINE


class ErreurTravail(Exception):
    """A failure whose message (in French) is meant for the user, e.g. « PDF indisponible sur ce serveur »."""
