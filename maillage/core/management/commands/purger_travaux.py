"""Delete finished background jobs older than N days, with their files (reports are regenerated on demand)."""

import datetime

from django.core.management.base import BaseCommand, CommandError
from django.utils import timezone

from maillage.core.models import Travail


class Command(BaseCommand):
    help = (
        "Supprime les travaux en tâche de fond terminés ou en échec depuis plus de N jours, et leurs fichiers"
        " (les rapports se régénèrent à la demande). À lancer chaque jour par cron, avec prune_db_task_results."
    )

    def add_arguments(self, parser):
        parser.add_argument("--jours", type=int, default=30, help="Âge minimal en jours (30 par défaut)")

    def handle(self, *args, jours, **options):
        if jours < 1:
            raise CommandError("--jours doit valoir au moins 1.")
        limite = timezone.now() - datetime.timedelta(days=jours)
        anciens = Travail.objects.filter(
            statut__in=[Travail.Statut.TERMINE, Travail.Statut.ECHEC], termine_le__lt=limite
        )
        fichiers = 0
        for travail in anciens.exclude(fichier=""):
            travail.fichier.delete(save=False)
            fichiers += 1
        supprimes, _ = anciens.delete()
        self.stdout.write(self.style.SUCCESS(f"{supprimes} travail(aux) supprimé(s), {fichiers} fichier(s) effacé(s)."))
