"""manage.py importer_campagne FICHIER --annee 2015 --departement 94 [--questionnaire CODE:VERSION]"""

import getpass
from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from maillage.core.imports import ImportRefuse
from maillage.observatoire.services_import import campagne_importer


class Command(BaseCommand):
    help = (
        "Importe l'export d'une campagne passée (CSV ou XLSX, une ligne par structure repérée par « siret » ou "
        "« structure_id », une colonne par code de question). Le fichier est entièrement validé avant toute "
        "écriture ; les réponses sont enregistrées validées ; réimporter le même fichier ne change rien."
    )

    def add_arguments(self, parser):
        parser.add_argument("fichier", help="Fichier CSV (séparateur ; , ou tabulation) ou XLSX.")
        parser.add_argument("--annee", type=int, required=True, help="Année de collecte de la campagne.")
        parser.add_argument("--departement", required=True, help="Code du département.")
        parser.add_argument(
            "--questionnaire", help="Questionnaire socle CODE:VERSION (par défaut le SENACS le plus récent)."
        )
        parser.add_argument("--auteur", default="", help="Auteur inscrit au journal des chargements.")

    def handle(self, *args, fichier, annee, departement, questionnaire=None, auteur="", **options):
        chemin = Path(fichier)
        try:
            contenu = chemin.read_bytes()
        except OSError as erreur:
            raise CommandError(f"Fichier illisible : {erreur.strerror or erreur}.") from None
        try:
            resume = campagne_importer(
                contenu=contenu,
                nom_fichier=chemin.name,
                annee=annee,
                departement=departement,
                questionnaire=questionnaire,
                auteur=auteur or f"{getpass.getuser()} (ligne de commande)",
            )
        except ImportRefuse as refus:
            details = "\n".join(f"  - {erreur['message']}" for erreur in refus.erreurs)
            journal = (
                f"\n(Refus inscrit au journal des chargements, n° {refus.chargement.pk}.)" if refus.chargement else ""
            )
            raise CommandError(f"{refus.message}\n{details}{journal}") from None
        creee = " (campagne créée)" if resume["campagne_creee"] else ""
        self.stdout.write(
            self.style.SUCCESS(
                f"Campagne {annee} — {departement}{creee} : {resume['importees']} réponses importées et validées, "
                f"{resume['inchangees']} déjà identiques."
            )
        )
