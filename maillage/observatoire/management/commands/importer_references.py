"""manage.py importer_references FICHIER [--illustratif] [--auteur "…"]"""

import getpass
from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from maillage.core.imports import ImportRefuse
from maillage.observatoire.services_references import references_importer, refus_texte, resume_texte


class Command(BaseCommand):
    help = (
        "Importe des repères publiés (CSV ou XLSX : indicateur;annee;niveau;territoire;valeur;source[;url]) : "
        "chiffres nationaux, régionaux ou départementaux auxquels les résultats de l'observatoire sont comparés. "
        "Le fichier est entièrement validé avant toute écriture ; réimporter le même fichier ne change rien. "
        "Codes d'indicateurs acceptés : voir docs/observatoire.md."
    )

    def add_arguments(self, parser):
        parser.add_argument("fichier", help="Fichier CSV (séparateur ; , ou tabulation) ou XLSX.")
        parser.add_argument(
            "--illustratif",
            action="store_true",
            help="Valeurs illustratives, non officielles (démonstration) : signalées comme telles à l'écran.",
        )
        parser.add_argument("--auteur", default="", help="Auteur inscrit au journal des chargements.")

    def handle(self, *args, fichier, illustratif=False, auteur="", **options):
        chemin = Path(fichier)
        try:
            contenu = chemin.read_bytes()
        except OSError as erreur:
            raise CommandError(f"Fichier illisible : {erreur.strerror or erreur}.") from None
        try:
            resume = references_importer(
                contenu=contenu,
                nom_fichier=chemin.name,
                illustratif=illustratif,
                auteur=auteur or f"{getpass.getuser()} (ligne de commande)",
                annoncer=lambda message: self.stdout.write(f"  {message}"),
            )
        except ImportRefuse as refus:
            raise CommandError(refus_texte(refus)) from None
        self.stdout.write(self.style.SUCCESS(resume_texte(resume)))
