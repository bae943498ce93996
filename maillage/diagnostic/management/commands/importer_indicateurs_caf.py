"""manage.py importer_indicateurs_caf FICHIER [--millesime 2022] [--source "…"] [--departements 94 …]"""

from django.core.management.base import BaseCommand

from maillage.diagnostic.services_import import indicateurs_caf_importer

from .importer_populations import executer


class Command(BaseCommand):
    help = (
        "Importe les données ouvertes de la Caf par commune (CSV ou XLSX : Communes;Codes_Insee;ALL_bas_revenu;"
        "Pers_bas_revenu;NB_pers_couv_ress;NB_allocataires). Le millésime vient de --millesime, d'une colonne "
        "Date_ref ou Annee, ou du nom du fichier (…_2022.csv). Les cellules vides ou secrètes (ND, s…) ne sont pas "
        "enregistrées. Le fichier est entièrement validé avant toute écriture ; le référentiel des communes doit "
        "être chargé."
    )

    def add_arguments(self, parser):
        parser.add_argument("fichier", help="Fichier CSV (séparateur ; , ou tabulation ; UTF-8 ou Latin-1) ou XLSX.")
        parser.add_argument(
            "--millesime",
            type=int,
            help="Millésime des données (ex. 2022) ; avec une colonne Date_ref, seules ses lignes sont importées.",
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
        executer(self, indicateurs_caf_importer, fichier, millesime, source, departements, auteur)
