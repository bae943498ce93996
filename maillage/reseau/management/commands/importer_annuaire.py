"""manage.py importer_annuaire FICHIER --departement 94 [--simulation] [--auteur NOM]"""

import getpass
from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from maillage.core.imports import ImportRefuse
from maillage.reseau.services_annuaire import annuaire_importer
from maillage.territoires.models import Departement


def resume_texte(resume: dict) -> str:
    c = resume["compteurs"]
    verbe = "Import terminé" if resume["applique"] else "Simulation (rien n'a été écrit)"
    lignes = [
        f"{verbe} ({resume['format']}, {resume['lignes']} ligne(s)) : {c['creer']} personne(s) ajoutée(s), "
        f"{c['modifier']} modifiée(s), {c['inchange']} inchangée(s)."
    ]
    for nom, _type in resume["organisations_a_creer"].values():
        lignes.append(f"  organisation créée : {nom}")
    for etape in resume["plan"]:
        if etape["action"] == "modifier":
            lignes.append(
                f"  ligne {etape['ligne']} : {etape['nom']} (fiche {etape['id']}) — {', '.join(etape['libelles'])}"
            )
        elif etape["action"] == "creer":
            lignes.append(f"  ligne {etape['ligne']} : {etape['nom']} — ajout")
    if resume["ignorees"]:
        lignes.append(f"  colonnes ignorées : {', '.join(resume['ignorees'])}")
    return "\n".join(lignes)


class Command(BaseCommand):
    help = (
        "Importe des personnes dans l'annuaire du réseau d'un département depuis un fichier CSV ou XLSX (colonnes "
        "Nom, Prénom, Fonction, Organisation, Type d'organisation, Catégorie, E-mail, Téléphone, Commune, Base "
        "légale, Date de consentement, Objet du consentement). Tout le fichier est vérifié avant d'écrire : rien "
        "n'est écrit si une ligne est fausse ; une personne de même e-mail est mise à jour ; réimporter le même "
        "fichier ne change rien."
    )

    def add_arguments(self, parser):
        parser.add_argument("fichier", help="Fichier CSV (séparateur ; , ou tabulation) ou XLSX.")
        parser.add_argument("--departement", required=True, help="Code du département de l'annuaire (ex. 94).")
        parser.add_argument("--simulation", action="store_true", help="Vérifier et afficher le plan sans rien écrire.")
        parser.add_argument("--auteur", default="", help="Auteur inscrit au journal des chargements.")

    def handle(self, *args, fichier, departement, simulation=False, auteur="", **options):
        code = departement.strip().upper()
        dep = Departement.objects.filter(code=code).first()
        if dep is None:
            raise CommandError(f"Département inconnu : {code!r}.")
        chemin = Path(fichier)
        try:
            contenu = chemin.read_bytes()
        except OSError as erreur:
            raise CommandError(f"Fichier illisible : {erreur.strerror or erreur}.") from None
        try:
            resume = annuaire_importer(
                par=None,
                departement=dep,
                contenu=contenu,
                nom_fichier=chemin.name,
                appliquer=not simulation,
                auteur=auteur or f"{getpass.getuser()} (ligne de commande)",
            )
        except ImportRefuse as refus:
            details = "\n".join(f"  - {erreur['message']}" for erreur in refus.erreurs)
            journal = (
                f"\n(Refus inscrit au journal des chargements, n° {refus.chargement.pk}.)" if refus.chargement else ""
            )
            raise CommandError(f"{refus.message}\n{details}{journal}") from None
        self.stdout.write(self.style.SUCCESS(resume_texte(resume)))
