"""manage.py recalculer_indicateurs [--departement 94 ...] [--forcer]

Brings the computed indicators of the schémas up to date (all schémas, or those of the départements given): the
same recomputation the indicator pages and the API make when the data changed. Meant for a nightly cron, so that
the first reader of the day does not wait, e.g.:

    15 1 * * *  cd /srv/maillage && .venv/bin/python manage.py recalculer_indicateurs

Values at 31 December of a closed year, once frozen, are never recomputed, even with --forcer.
"""

import time

from django.core.management.base import BaseCommand, CommandError

from maillage.schema.models import Schema
from maillage.schema.services_indicateurs import indicateurs_recalculer
from maillage.territoires.codes import normaliser_code_departement
from maillage.territoires.models import Departement


class Command(BaseCommand):
    help = "Recalcule les indicateurs calculés des schémas directeurs dont les données ont changé."

    def add_arguments(self, parser):
        parser.add_argument("--departement", nargs="*", default=[], help="Codes des départements (par défaut : tous).")
        parser.add_argument(
            "--forcer", action="store_true", help="Recalculer aussi ce qui est à jour (sauf les valeurs figées)."
        )

    def handle(self, *args, departement=(), forcer=False, **options):
        schemas = Schema.objects.select_related("departement").order_by("departement_id", "debut", "pk")
        if departement:
            codes = [normaliser_code_departement(code) for code in departement]
            connus = set(Departement.objects.filter(code__in=codes).values_list("code", flat=True))
            inconnus = [code for code in codes if code not in connus]
            if inconnus:
                raise CommandError(f"Département inconnu : {', '.join(inconnus)}.")
            schemas = schemas.filter(departement_id__in=codes)
        total = 0
        for schema in schemas:
            debut = time.perf_counter()
            nombre = indicateurs_recalculer(schema=schema, force=forcer)
            duree = time.perf_counter() - debut
            total += nombre
            self.stdout.write(
                f"{schema.departement_id} — {schema.titre} : {nombre} indicateur(s) recalculé(s) en "
                f"{duree:.2f} s".replace(".", ",")
            )
        self.stdout.write(self.style.SUCCESS(f"Terminé : {total} indicateur(s) recalculé(s)."))
