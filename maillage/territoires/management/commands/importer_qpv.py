"""manage.py importer_qpv FICHIER [--generation 2015|2024]"""

import getpass

from django.core.management.base import BaseCommand, CommandError

from maillage.core.imports import ImportRefuse
from maillage.territoires.services import qpv_importer, qpv_resume_texte


class Command(BaseCommand):
    help = (
        "Importe un fichier officiel des quartiers prioritaires (QPV) : GeoJSON ou liste CSV, génération 2015 "
        "ou 2024. Le fichier est entièrement validé avant toute écriture ; les territoires doivent être chargés."
    )

    def add_arguments(self, parser):
        parser.add_argument("fichier", help="Fichier GeoJSON (.geojson, .json) ou CSV (séparateur , ou ;).")
        parser.add_argument(
            "--generation",
            type=int,
            choices=[2015, 2024],
            help="Génération attendue ; par défaut, déduite des codes (QP094001 : 2015, QN09401M : 2024).",
        )
        parser.add_argument("--auteur", default="", help="Auteur inscrit au journal des chargements.")

    def handle(self, *args, fichier, generation=None, auteur="", **options):
        auteur = auteur or f"{getpass.getuser()} (ligne de commande)"
        try:
            resume = qpv_importer(fichier=fichier, auteur=auteur, generation=generation, progression=self.stdout.write)
        except ImportRefuse as refus:
            details = "\n".join(f"  - {erreur['message']}" for erreur in refus.erreurs)
            journal = (
                f"\n(Refus inscrit au journal des chargements, n° {refus.chargement.pk}.)" if refus.chargement else ""
            )
            raise CommandError(f"{refus.message}\n{details}{journal}") from None
        self.stdout.write(self.style.SUCCESS(qpv_resume_texte(resume)))
