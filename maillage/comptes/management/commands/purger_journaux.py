"""Delete or thin out the journals past their retention (MAILLAGE_RETENTION_*, docs/donnees-personnelles.md)."""

import datetime

from auditlog.models import LogEntry
from axes.models import AccessAttempt, AccessFailureLog, AccessLog
from django.conf import settings
from django.contrib.sessions.models import Session
from django.core.management.base import BaseCommand
from django.utils import timezone

from maillage.territoires.models import Chargement


class Command(BaseCommand):
    help = (
        "Purge les journaux au-delà de leur durée de conservation : tentatives et traces de connexion (axes),"
        " sessions expirées, détails des chargements de données, entrées du journal d'audit (si une durée est"
        " fixée). À lancer chaque nuit par cron. Durées : réglages MAILLAGE_RETENTION_*."
    )

    def add_arguments(self, parser):
        parser.add_argument("--simulation", action="store_true", help="Compter sans rien supprimer")

    def handle(self, *args, simulation=False, **options):
        maintenant = timezone.now()

        def avant(jours):
            return maintenant - datetime.timedelta(days=jours)

        connexions = avant(settings.MAILLAGE_RETENTION_CONNEXIONS_JOURS)
        lots = {
            "tentatives de connexion": AccessAttempt.objects.filter(attempt_time__lt=connexions),
            "connexions refusées": AccessFailureLog.objects.filter(attempt_time__lt=connexions),
            "connexions": AccessLog.objects.filter(attempt_time__lt=connexions),
            "sessions expirées": Session.objects.filter(expire_date__lt=maintenant),
        }
        if settings.MAILLAGE_RETENTION_AUDIT_JOURS:
            lots["entrées du journal d'audit"] = LogEntry.objects.filter(
                timestamp__lt=avant(settings.MAILLAGE_RETENTION_AUDIT_JOURS)
            )
        # Load journals keep their summary (who, when, what file, counts); their detailed errors quote the file.
        details = Chargement.objects.filter(debut__lt=avant(settings.MAILLAGE_RETENTION_CHARGEMENTS_JOURS)).exclude(
            erreurs=[]
        )
        for libelle, lot in lots.items():
            nombre = lot.count() if simulation else lot.delete()[0]
            self.stdout.write(f"{libelle} : {nombre} supprimée(s)")
        nombre = details.count() if simulation else details.update(erreurs=[])
        self.stdout.write(f"chargements de données : {nombre} détail(s) d'erreurs effacé(s)")
        self.stdout.write(self.style.SUCCESS("Simulation terminée." if simulation else "Purge terminée."))
