"""manage.py importer_populations FICHIER [--millesime 2021] [--source "…"] [--departements 94 …]"""

import getpass

from django.core.management.base import BaseCommand, CommandError

from maillage.core.imports import ImportRefuse
from maillage.diagnostic.services_import import populations_importer, refus_texte, resume_texte
from maillage.territoires.codes import normaliser_code_departement


class Command(BaseCommand):
    help = (
        "Importe les populations légales de l'INSEE par commune (CSV ou XLSX : fichier « communes » avec Code "
        "département + Code commune + Population municipale, ou CODGEO + PMUN21). Chaque valeur garde sa source "
        "et son millésime ; elle devient la population de référence de la commune quand son millésime est au moins "
        "aussi récent que l'actuel. Le fichier est entièrement validé avant toute écriture ; le référentiel des "
        "communes doit être chargé."
    )

    def add_arguments(self, parser):
        parser.add_argument("fichier", help="Fichier CSV (séparateur ; , ou tabulation ; UTF-8 ou Latin-1) ou XLSX.")
        parser.add_argument(
            "--millesime",
            type=int,
            help="Millésime des populations (ex. 2021) ; par défaut, lu dans le nom de la colonne (PMUN21).",
        )
        parser.add_argument(
            "--source", default="", help="Source inscrite avec chaque valeur (par défaut : le fichier)."
        )
        parser.add_argument(
            "--departements",
            nargs="+",
            help="N'importer que les communes de ces départements (les autres lignes sont ignorées).",
        )
        parser.add_argument("--auteur", default="", help="Auteur inscrit au journal des chargements.")

    def handle(self, *args, fichier, millesime=None, source="", departements=None, auteur="", **options):
        executer(self, populations_importer, fichier, millesime, source, departements, auteur)


def executer(commande: BaseCommand, importer, fichier, millesime, source, departements, auteur) -> None:
    """Shared by importer_populations and importer_indicateurs_caf."""
    if millesime is not None and not 1900 <= millesime <= 2100:
        raise CommandError(f"Millésime invalide : {millesime} (une année, ex. 2021).")
    source = " ".join(source.split())
    if len(source) > 200:
        raise CommandError("Source trop longue : 200 caractères au plus.")
    try:
        resume = importer(
            fichier=fichier,
            millesime=millesime,
            source=source,
            departements=[normaliser_code_departement(code) for code in departements] if departements else None,
            auteur=auteur or f"{getpass.getuser()} (ligne de commande)",
            progression=commande.stdout.write,
        )
    except ImportRefuse as refus:
        raise CommandError(refus_texte(refus)) from None
    commande.stdout.write(commande.style.SUCCESS(resume_texte(resume)))
