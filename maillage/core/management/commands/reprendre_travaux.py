"""Queue again the background jobs whose worker stopped in the middle (core.travaux.travaux_reprendre)."""

from django.core.management.base import BaseCommand

from maillage.core.travaux import travaux_reprendre


class Command(BaseCommand):
    help = (
        "Relance les travaux en tâche de fond dont le travailleur s'est arrêté en cours (plus de signe de vie depuis"
        " 6 battements, MAILLAGE_TRAVAUX_BATTEMENT), ou les met en échec après MAILLAGE_TRAVAUX_TENTATIVES"
        " démarrages. À lancer par cron chaque minute, et au démarrage des travailleurs ; sans effet s'il n'y a rien"
        " à reprendre, sûr en plusieurs exemplaires."
    )

    def handle(self, *args, **options):
        bilan = travaux_reprendre()
        if bilan["relances"] or bilan["echecs"]:
            self.stdout.write(f"{bilan['relances']} travail(s) relancé(s), {bilan['echecs']} mis en échec.")
