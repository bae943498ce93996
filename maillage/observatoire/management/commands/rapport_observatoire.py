"""Produce a campaign's departmental report as a file:
`rapport_observatoire --annee 2016 --departement 94 --format pdf|xlsx --sortie FILE` (same files as the web page)."""

from pathlib import Path

from django.core.management.base import BaseCommand, CommandError
from django.http import Http404

from maillage.observatoire.resultats import rapports
from maillage.observatoire.resultats import selectors as selectors_resultats


class Command(BaseCommand):
    help = "Produit le rapport départemental d'une campagne de l'observatoire (PDF ou XLSX)."

    def add_arguments(self, parser):
        parser.add_argument("--annee", type=int, required=True, help="Année de collecte de la campagne")
        parser.add_argument("--departement", required=True, help="Code du département (ex. 94)")
        parser.add_argument("--format", choices=["pdf", "xlsx"], required=True)
        parser.add_argument("--sortie", required=True, help="Fichier à écrire")

    def handle(self, *args, annee, departement, format, sortie, **options):
        try:
            campagne = selectors_resultats.campagne_de(annee, departement.strip().upper())
        except Http404 as e:
            raise CommandError(str(e)) from None
        try:
            contenu = rapports.rapport_pdf(campagne) if format == "pdf" else rapports.rapport_xlsx(campagne)
        except rapports.PDFIndisponible as e:
            raise CommandError(str(e)) from None
        chemin = Path(sortie)
        if not chemin.parent.is_dir():
            raise CommandError(f"Le dossier de sortie n'existe pas : {chemin.parent}.")
        chemin.write_bytes(contenu)
        self.stdout.write(f"Rapport {format.upper()} écrit : {chemin} ({len(contenu)} octets).")
