"""manage.py importer_regroupements FICHIER --type territoire_caf --departement 94 --debut 2024-01-01 [--fin …]"""

import datetime
import getpass
from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from maillage.core.formats import nombre
from maillage.core.imports import ImportRefuse
from maillage.territoires.models import Regroupement
from maillage.territoires.services import regroupements_importer

TYPES = [v for v in Regroupement.Type.values if v != Regroupement.Type.EPT]


def _date(valeur: str) -> datetime.date:
    try:
        return datetime.date.fromisoformat(valeur)
    except ValueError:
        raise CommandError(f"Date « {valeur} » illisible : écrivez-la AAAA-MM-JJ.") from None


class Command(BaseCommand):
    help = (
        "Importe des regroupements de communes d'un département (territoires d'intervention de la Caf, périmètres "
        "de CTG, territoires d'action sociale du Département…) depuis un fichier CSV ou XLSX à une ligne par "
        "regroupement et commune : colonnes « regroupement » et « code_commune » (« code » facultative). Le fichier "
        "est vérifié en entier : à la moindre erreur, rien n'est écrit ; le réimporter ne change rien."
    )

    def add_arguments(self, parser):
        parser.add_argument("fichier", type=Path)
        parser.add_argument("--type", required=True, choices=TYPES)
        parser.add_argument("--departement", required=True, metavar="CODE")
        parser.add_argument("--debut", required=True, type=_date, help="En vigueur depuis (AAAA-MM-JJ).")
        parser.add_argument("--fin", type=_date, default=None, help="En vigueur jusqu'au (AAAA-MM-JJ), facultatif.")
        parser.add_argument("--auteur", default="", help="Auteur inscrit au journal des chargements.")

    def handle(self, *args, fichier, type, departement, debut, fin, auteur, **options):
        try:
            contenu = fichier.read_bytes()
        except OSError as erreur:
            raise CommandError(f"Fichier illisible : {erreur.strerror or erreur}.") from None
        try:
            resume = regroupements_importer(
                contenu=contenu,
                type=type,
                departement=departement,
                debut=debut,
                fin=fin,
                nom_fichier=fichier.name,
                auteur=auteur or f"{getpass.getuser()} (ligne de commande)",
            )
        except ImportRefuse as refus:
            details = "\n".join(f"  {e['message']}" for e in refus.erreurs[:50])
            raise CommandError(f"{refus.message}\n{details}") from None
        c = resume["regroupements"]
        self.stdout.write(
            self.style.SUCCESS(
                f"Regroupements : {nombre(c['crees'])} créé(s), {nombre(c['modifies'])} modifié(s), "
                f"{nombre(c['inchanges'])} inchangé(s) ; {nombre(c['communes'])} commune(s)."
            )
        )
