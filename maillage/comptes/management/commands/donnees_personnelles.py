"""Export or erase one person's personal data from the command line (journaled as "ligne de commande")."""

import json

from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError

from maillage.comptes import services_donnees


class Command(BaseCommand):
    help = (
        "Exporte (JSON) ou efface les données personnelles d'une personne, désignée par son adresse e-mail."
        " Chaque opération est journalisée. Voir docs/donnees-personnelles.md."
    )

    def add_arguments(self, parser):
        parser.add_argument("action", choices=["exporter", "effacer"])
        parser.add_argument("email")
        parser.add_argument("--sortie", help="Fichier JSON de l'export (sortie standard sinon)")
        parser.add_argument("--oui", action="store_true", help="Effacer sans demander de confirmation")

    def handle(self, *args, action, email, sortie=None, oui=False, **options):
        try:
            if action == "exporter":
                self._exporter(email, sortie)
            else:
                self._effacer(email, oui)
        except ValidationError as erreur:
            raise CommandError(" ".join(erreur.messages)) from None

    def _exporter(self, email, sortie):
        texte = json.dumps(
            services_donnees.donnees_exporter(par=None, email=email), ensure_ascii=False, indent=2, default=str
        )
        if sortie:
            with open(sortie, "w", encoding="utf-8") as fichier:
                fichier.write(texte + "\n")
            self.stderr.write(f"Export écrit dans {sortie}.")
        else:
            self.stdout.write(texte)

    def _effacer(self, email, oui):
        if not oui:
            reponse = input(f"Effacer les données personnelles de {email} ? C'est irréversible. [oui/non] ")
            if reponse.strip().lower() != "oui":
                raise CommandError("Effacement annulé.")
        for cle, phrase in services_donnees.donnees_effacer(par=None, email=email).items():
            self.stdout.write(f"{cle} : {phrase}")
        self.stdout.write(self.style.SUCCESS(f"Données de {email} effacées."))
