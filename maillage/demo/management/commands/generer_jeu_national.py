"""`manage.py generer_jeu_national [--graine 1] [--echelle 1.0] [--departements 94 75] [--force]`.

Writes a fictional national dataset for benchmarks (see `maillage.demo.jeu_national`). Refused with
DEBUG=0 unless --force: the data is invented and must not mix with a real registry by accident.
"""

import time

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError

from maillage.demo import jeu_national


class Command(BaseCommand):
    help = "Génère un jeu national fictif de centres sociaux et d'EVS (agréments, budgets) pour les mesures."

    def add_arguments(self, parser):
        parser.add_argument("--graine", type=int, default=1, help="Graine du tirage (même graine, même jeu).")
        parser.add_argument(
            "--echelle",
            type=float,
            default=1.0,
            help="Facteur sur les effectifs (1,0 : environ 2 400 CS et 1 700 EVS).",
        )
        parser.add_argument(
            "--departements", nargs="+", metavar="CODE", help="Limiter aux départements donnés (codes INSEE)."
        )
        parser.add_argument("--force", action="store_true", help="Autoriser la génération avec DEBUG=0.")

    def handle(self, *args, graine, echelle, departements, force, **options):
        if not settings.DEBUG and not force:
            raise CommandError(
                "generer_jeu_national écrit des données fictives : refusé avec DEBUG=0 sans --force "
                "(ne le lancez jamais sur une base de production)."
            )
        if echelle <= 0:
            raise CommandError("--echelle doit être strictement positive (par exemple 0.1 ou 1).")
        debut = time.monotonic()
        try:
            resume = jeu_national.generer(
                graine=graine, echelle=echelle, departements=departements, annoncer=self.stdout.write
            )
        except ValueError as erreur:
            raise CommandError(str(erreur)) from erreur
        self.stdout.write(
            self.style.SUCCESS(
                f"Jeu national FICTIF généré en {time.monotonic() - debut:.1f} s : {resume['structures']} structures "
                f"({resume['centres_sociaux']} CS, {resume['evs']} EVS) dans {resume['departements']} départements, "
                f"{resume['agrements']} agréments, {resume['budgets']} budgets, {resume['produits']} produits."
            )
        )
