"""Write a backup of the whole instance (database and media) to one archive (maillage.core.sauvegarde)."""

from django.core.management.base import BaseCommand, CommandError
from django.utils import timezone

from maillage.core.sauvegarde import SauvegardeRefusee, sauvegarder


class Command(BaseCommand):
    help = (
        "Sauvegarde la base (toutes les tables, lecture cohérente) et les fichiers déposés dans une archive ZIP,"
        " avec la version du schéma. Se restaure avec « restaurer ». Voir docs/exploitation.md."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--sortie",
            help="Fichier à écrire (par défaut maillage-AAAA-MM-JJTHHMMSS.zip dans le dossier courant)",
        )

    def handle(self, *args, sortie=None, verbosity=1, **options):
        sortie = sortie or f"maillage-{timezone.localtime():%Y-%m-%dT%H%M%S}.zip"
        progression = self.stdout.write if verbosity >= 2 else None
        try:
            bilan = sauvegarder(sortie, progression=progression)
        except SauvegardeRefusee as erreur:
            raise CommandError(str(erreur)) from None
        except OSError as erreur:
            raise CommandError(f"Écriture impossible de {sortie} : {erreur}") from None
        taille = bilan.chemin.stat().st_size
        self.stdout.write(
            self.style.SUCCESS(
                f"Sauvegarde écrite : {bilan.chemin} ({taille / 1e6:.1f} Mo) — {len(bilan.tables)} tables,"
                f" {bilan.lignes} lignes, {bilan.fichiers} fichier(s) ({bilan.octets_media / 1e6:.1f} Mo)."
            )
        )
