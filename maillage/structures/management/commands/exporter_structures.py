"""manage.py exporter_structures [--departement 94] [--date 2015-12-31] [--format csv|xlsx|geojson|datainclusion]
[--variante personnes|codes]"""

import datetime

from django.core.management.base import BaseCommand, CommandError

from maillage.structures import exports
from maillage.territoires.models import Departement


class Command(BaseCommand):
    help = (
        "Exporte le registre des structures (champs publics) en CSV, XLSX, GeoJSON ou au schéma data·inclusion. "
        "Avec --date, seules les structures actives à cette date (agrément couvrant la date) ; sans, toutes, "
        "avec l'agrément en cours aujourd'hui."
    )

    def add_arguments(self, parser):
        parser.add_argument("--departement", help="Code INSEE du département (94, 2A…) ; par défaut, tous.")
        parser.add_argument("--date", help="Date AAAA-MM-JJ : structures actives à cette date.")
        parser.add_argument("--format", choices=exports.FORMATS, default="csv")
        parser.add_argument(
            "--variante",
            choices=exports.VARIANTES,
            default="personnes",
            help="CSV et XLSX : « personnes » (libellés et valeurs en français, par défaut) ou « codes » (données "
            "brutes : codes stables, dates AAAA-MM-JJ).",
        )
        parser.add_argument("--sortie", help="Fichier à écrire ; par défaut, la sortie standard.")

    def handle(self, *args, departement=None, date=None, format="csv", sortie=None, variante="personnes", **options):
        if departement:
            departement = departement.strip().upper()
            if not Departement.objects.filter(code=departement).exists():
                raise CommandError(f"Département inconnu : {departement!r}.")
        jour = None
        if date:
            try:
                jour = datetime.date.fromisoformat(date)
            except ValueError:
                raise CommandError(f"Date invalide {date!r} : attendu AAAA-MM-JJ, par exemple 2015-12-31.") from None
        structures = exports.structures_publiques(date=jour, departement=departement)
        if format == "xlsx":
            structures = list(structures.prefetch_related("communes_competence", "qpv_competence"))
            contenu = exports.exporter_xlsx(
                [exports.ligne_export(s) for s in structures], exports.liens_zone(structures), variante=variante
            )
        elif format == "datainclusion":
            contenu = exports.exporter_datainclusion(structures)
        elif format == "geojson":
            contenu = exports.exporter_geojson(exports.ligne_export(s) for s in structures)
        else:
            contenu = exports.exporter_csv((exports.ligne_export(s) for s in structures), variante=variante)

        if sortie:
            mode = "wb" if isinstance(contenu, bytes) else "w"
            with open(sortie, mode, **({} if mode == "wb" else {"encoding": "utf-8", "newline": ""})) as fichier:
                fichier.write(contenu)
            self.stderr.write(f"Export {format} écrit dans {sortie}.")
        elif isinstance(contenu, bytes):
            flux = getattr(getattr(self.stdout, "_out", None), "buffer", None)
            if flux is None:
                raise CommandError("Le format xlsx est binaire : indiquez un fichier avec --sortie.")
            flux.write(contenu)
            flux.flush()
        else:
            self.stdout.write(contenu, ending="")
