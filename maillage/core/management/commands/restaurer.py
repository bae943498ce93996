"""Restore a backup written by `sauvegarder` (maillage.core.sauvegarde): same schema version only."""

from django.core.management.base import BaseCommand, CommandError

from maillage.core.sauvegarde import SauvegardeRefusee, restaurer


class Command(BaseCommand):
    help = (
        "Restaure une archive écrite par « sauvegarder » dans une base migrée avec la même version du code."
        " Refuse une autre version du schéma, une archive corrompue, et une base qui contient déjà des données"
        " sans --force. Tout ou rien : en cas de refus ou d'erreur, la base est inchangée."
    )

    def add_arguments(self, parser):
        parser.add_argument("archive", help="Archive ZIP écrite par « manage.py sauvegarder »")
        parser.add_argument(
            "--force",
            action="store_true",
            help="Effacer les données de la base avant de restaurer (sinon refusé si la base n'est pas vide)",
        )

    def handle(self, *args, archive, force=False, verbosity=1, **options):
        progression = self.stdout.write if verbosity >= 2 else None
        try:
            bilan = restaurer(archive, force=force, progression=progression)
        except SauvegardeRefusee as erreur:
            raise CommandError(str(erreur)) from None
        manifeste = bilan.manifeste
        self.stdout.write(
            self.style.SUCCESS(
                f"Sauvegarde du {manifeste.get('date', '?')} ({manifeste.get('moteur', '?')}) restaurée :"
                f" {len(bilan.tables)} tables, {bilan.lignes} lignes, {bilan.fichiers} fichier(s)."
            )
        )
