"""`manage.py generer_schemas_nationaux [--graine 1] [--actions 200] [--departements 94 75] [--force]`.

Writes a fictional schéma directeur for every département of the national set (see
`maillage.demo.jeu_national_schema`); run `generer_jeu_national` first. Refused with DEBUG=0 unless --force, like
that command: the data is invented and must not mix with real schémas by accident.
"""

import time

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError

from maillage.demo import jeu_national_schema


class Command(BaseCommand):
    help = (
        "Génère un schéma directeur fictif (fiches actions, jalons, gouvernance, indicateurs) par département "
        "du jeu national, pour les mesures."
    )

    def add_arguments(self, parser):
        parser.add_argument("--graine", type=int, default=1, help="Graine du tirage (même graine, même jeu).")
        parser.add_argument(
            "--actions", type=int, default=jeu_national_schema.ACTIONS, help="Fiches actions par schéma (200)."
        )
        parser.add_argument(
            "--departements", nargs="+", metavar="CODE", help="Limiter aux départements donnés (codes INSEE)."
        )
        parser.add_argument("--force", action="store_true", help="Autoriser la génération avec DEBUG=0.")

    def handle(self, *args, graine, actions, departements, force, **options):
        if not settings.DEBUG and not force:
            raise CommandError(
                "generer_schemas_nationaux écrit des données fictives : refusé avec DEBUG=0 sans --force "
                "(ne le lancez jamais sur une base de production)."
            )
        debut = time.monotonic()
        try:
            resume = jeu_national_schema.generer(
                graine=graine, actions=actions, departements=departements, annoncer=self.stdout.write
            )
        except ValueError as erreur:
            raise CommandError(str(erreur)) from erreur
        self.stdout.write(
            self.style.SUCCESS(
                f"Schémas nationaux FICTIFS générés en {time.monotonic() - debut:.1f} s : {resume['schemas']} schémas, "
                f"{resume['fiches']} fiches actions, {resume['jalons']} jalons, {resume['commentaires']} commentaires, "
                f"{resume['decisions']} décisions, {resume['indicateurs']} indicateurs, "
                f"{resume['valeurs']} valeurs saisies."
            )
        )
