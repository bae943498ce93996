"""manage.py importer_structures FICHIER [--departement 94] [--simulation]"""

import getpass
from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from maillage.core.imports import ImportRefuse
from maillage.structures.services_import import resume_texte, structures_importer
from maillage.territoires.models import Departement


class Command(BaseCommand):
    help = (
        "Importe des structures depuis un fichier CSV ou XLSX aux colonnes de l'export : une ligne dont "
        "l'identifiant est connu met la structure à jour, les autres en créent une. Le fichier est entièrement "
        "validé avant toute écriture ; réimporter un export ne change rien."
    )

    def add_arguments(self, parser):
        parser.add_argument("fichier", help="Fichier CSV (séparateur ; , ou tabulation) ou XLSX.")
        parser.add_argument("--departement", help="N'accepter que des structures de ce département.")
        parser.add_argument("--simulation", action="store_true", help="Valider et afficher le plan sans rien écrire.")
        parser.add_argument("--auteur", default="", help="Auteur inscrit au journal des chargements.")

    def handle(self, *args, fichier, departement=None, simulation=False, auteur="", **options):
        if departement:
            departement = departement.strip().upper()
            if not Departement.objects.filter(code=departement).exists():
                raise CommandError(f"Département inconnu : {departement!r}.")
        chemin = Path(fichier)
        try:
            contenu = chemin.read_bytes()
        except OSError as erreur:
            raise CommandError(f"Fichier illisible : {erreur.strerror or erreur}.") from None
        try:
            resume = structures_importer(
                contenu=contenu,
                nom_fichier=chemin.name,
                auteur=auteur or f"{getpass.getuser()} (ligne de commande)",
                departement=departement,
                appliquer=not simulation,
            )
        except ImportRefuse as refus:
            details = "\n".join(f"  - {erreur['message']}" for erreur in refus.erreurs)
            journal = (
                f"\n(Refus inscrit au journal des chargements, n° {refus.chargement.pk}.)" if refus.chargement else ""
            )
            raise CommandError(f"{refus.message}\n{details}{journal}") from None
        self.stdout.write(self.style.SUCCESS(resume_texte(resume)))
