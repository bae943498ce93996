"""manage.py preparer_diagnostic [--departements 94 …] [--date AAAA-MM-JJ]"""

import datetime

from django.core.management.base import BaseCommand, CommandError

from maillage.diagnostic import selectors
from maillage.territoires.codes import normaliser_code_departement


class Command(BaseCommand):
    help = (
        "Calcule d'avance le diagnostic territorial de chaque département (ou de ceux donnés) à la date donnée "
        "(aujourd'hui par défaut) : le résultat et les entrées préparées du moteur sont déposés dans le cache "
        "partagé, si bien que le premier pilote qui ouvre le diagnostic après un import ne paie pas la préparation. "
        "À lancer après un chargement du référentiel, des QPV ou des indicateurs (docs/diagnostic.md § 8)."
    )

    def add_arguments(self, parser):
        parser.add_argument("--departements", nargs="+", help="Codes des départements (par défaut : tous).")
        parser.add_argument("--date", help="Date du diagnostic, AAAA-MM-JJ (par défaut : aujourd'hui).")

    def handle(self, *args, departements=None, date=None, **options):
        jour = None
        if date:
            try:
                jour = datetime.date.fromisoformat(date)
            except ValueError:
                raise CommandError(f"Date illisible : {date!r} (attendu : AAAA-MM-JJ).") from None
        codes = [normaliser_code_departement(code) for code in departements] if departements else None
        try:
            prepares = selectors.preparer_diagnostics(codes, jour)
        except selectors.Departement.DoesNotExist as erreur:
            raise CommandError(str(erreur)) from None
        self.stdout.write(f"Diagnostic préparé pour {len(prepares)} département(s) : {', '.join(prepares) or '—'}.")
