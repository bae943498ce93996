"""Load questionnaire definition files (JSON): `charger_questionnaire FILE [FILE …]`, or `--tous` for the files
shipped under maillage/observatoire/questionnaires/. Idempotent: an unchanged file changes nothing."""

from pathlib import Path

from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError
from django.db import transaction

from maillage.observatoire.services import questionnaire_charger

DOSSIER = Path(__file__).resolve().parents[2] / "questionnaires"
ETATS = {"cree": "chargé", "inchange": "inchangé", "mis_a_jour": "mis à jour"}


class Command(BaseCommand):
    help = "Charge des définitions de questionnaire (fichiers JSON versionnés)."

    def add_arguments(self, parser):
        parser.add_argument("fichiers", nargs="*", help="Fichiers de définition JSON")
        parser.add_argument("--tous", action="store_true", help=f"Tous les fichiers de {DOSSIER}")

    def handle(self, *args, fichiers, tous, **options):
        chemins = [Path(f) for f in fichiers]
        if tous:
            chemins += sorted(DOSSIER.glob("*.json"))
        if not chemins:
            raise CommandError("Indiquez au moins un fichier de définition (ou --tous).")
        try:
            with transaction.atomic():
                resultats = [(chemin, *questionnaire_charger(chemin=chemin)) for chemin in chemins]
        except ValidationError as e:
            raise CommandError("\n".join(e.messages)) from None
        for chemin, questionnaire, etat in resultats:
            self.stdout.write(f"{chemin.name} : {questionnaire.code} v{questionnaire.version} {ETATS[etat]}.")
