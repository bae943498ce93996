"""manage.py expirer_agrements [--date AAAA-MM-JJ]

Marks "expiré" every agrément "accordé" whose end date has passed. Meant for a daily cron, e.g.:

    5 1 * * *  cd /srv/maillage && .venv/bin/python manage.py expirer_agrements

Idempotent: running it twice (or missing a day) is harmless. Structures stay *active* on the dates
their expired agrément covered: "expiré" only says the period is over.
"""

import datetime

from django.core.management.base import BaseCommand, CommandError

from maillage.structures.services_agrements import agrements_expirer


class Command(BaseCommand):
    help = (
        "Passe à « expiré » les agréments accordés dont la date de fin est passée. "
        "À lancer chaque jour (cron) ; relancer la commande ne change rien."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--date",
            help="Date du jour à retenir (AAAA-MM-JJ), par défaut aujourd'hui : expire les agréments finis avant.",
        )

    def handle(self, *args, date=None, **options):
        aujourd_hui = None
        if date:
            try:
                aujourd_hui = datetime.date.fromisoformat(date)
            except ValueError:
                raise CommandError(f"Date invalide : « {date} » (format attendu : AAAA-MM-JJ).") from None
        nombre = agrements_expirer(aujourd_hui=aujourd_hui)
        if nombre:
            self.stdout.write(
                self.style.SUCCESS(
                    f"{nombre} agrément{'s' if nombre > 1 else ''} passé{'s' if nombre > 1 else ''} à « expiré »."
                )
            )
        else:
            self.stdout.write("Aucun agrément à expirer.")
