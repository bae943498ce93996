"""Load the demo: Val-de-Marne territories and QPV, then one account per role (fictional people).

Only with MAILLAGE_DEMO on, which settings allow only with DEBUG on. Each step is idempotent and
skips what is already loaded, so a re-run is quick. Later capabilities add their steps to `etapes()`.
"""

import os
from dataclasses import dataclass
from pathlib import Path

from django.conf import settings
from django.core.management import call_command
from django.core.management.base import BaseCommand, CommandError
from django.db import transaction
from django.urls import reverse

from maillage.comptes.models import Role, Utilisateur
from maillage.territoires.models import QPV, Commune, Departement

DEPARTEMENT = "94"
FICHIER_QPV = Path(settings.BASE_DIR) / "data" / "qpv2024_liste_94.csv"
MOT_DE_PASSE = "demo-maillage-94"
AUTEUR = "démonstration (charger_demo)"


@dataclass(frozen=True)
class CompteDemo:
    role: str
    email: str
    prenom: str
    nom: str
    organisme: str
    communes: tuple[str, ...] = ()
    note: str = ""


COMPTES = [
    CompteDemo(Role.PILOTE, "pilote@demo.maillage.fr", "Claire", "Fontaine", "Caf du Val-de-Marne"),
    CompteDemo(
        Role.CONSEILLER,
        "conseiller@demo.maillage.fr",
        "Karim",
        "Benali",
        "Caf du Val-de-Marne",
        communes=("94028", "94081", "94041"),  # Créteil, Vitry-sur-Seine, Ivry-sur-Seine
    ),
    CompteDemo(Role.PARTENAIRE, "partenaire@demo.maillage.fr", "Sophie", "Marchand", "Conseil départemental"),
    CompteDemo(
        Role.STRUCTURE,
        "structure@demo.maillage.fr",
        "Julien",
        "Morel",
        "Centre social (fictif)",
        note="compte pas encore rattaché à une structure (le registre des structures viendra)",
    ),
    CompteDemo(Role.ADMIN, "admin@demo.maillage.fr", "Alex", "Durand", "Administration technique"),
]


@dataclass(frozen=True)
class Etape:
    libelle: str
    methode: str
    # Steps that load the territorial referential, skipped with --sans-territoires.
    territoires: bool = False


class Command(BaseCommand):
    help = "Charge la démonstration (Val-de-Marne) : territoires, QPV et comptes de démonstration par rôle."

    def add_arguments(self, parser):
        parser.add_argument(
            "--sans-territoires",
            action="store_true",
            help="Ne charge ni les territoires ni les QPV (ils doivent déjà être en base, ou manqueront).",
        )

    def etapes(self) -> list[Etape]:
        return [
            Etape("Territoires du Val-de-Marne", "charger_territoires", territoires=True),
            Etape("Quartiers prioritaires 2024 du Val-de-Marne", "importer_qpv", territoires=True),
            Etape("Comptes de démonstration", "creer_comptes"),
        ]

    def handle(self, *args, **options):
        if not (settings.MAILLAGE_DEMO and settings.DEBUG):
            raise CommandError(
                "La démonstration ne se charge qu'avec MAILLAGE_DEMO=1 et DEBUG=1 : "
                "ses comptes ont un mot de passe connu de tous et ne doivent jamais exister en production."
            )
        for etape in self.etapes():
            if etape.territoires and options["sans_territoires"]:
                self.stdout.write(f"· {etape.libelle} : ignoré (--sans-territoires)")
                continue
            self.stdout.write(f"· {etape.libelle}…")
            getattr(self, etape.methode)()
        self.afficher_comptes()

    # --- Steps ---------------------------------------------------------------

    def charger_territoires(self):
        if Commune.objects.filter(departement_id=DEPARTEMENT).exists():
            self.stdout.write("  déjà chargés.")
            return
        call_command(
            "charger_territoires", departements=[DEPARTEMENT], auteur=AUTEUR, stdout=self.stdout, stderr=self.stderr
        )

    def importer_qpv(self):
        if QPV.objects.filter(communes__departement_id=DEPARTEMENT).exists():
            self.stdout.write("  déjà importés.")
            return
        if not FICHIER_QPV.exists():
            raise CommandError(f"Fichier des QPV introuvable : {FICHIER_QPV}.")
        call_command("importer_qpv", str(FICHIER_QPV), auteur=AUTEUR, stdout=self.stdout, stderr=self.stderr)

    @transaction.atomic
    def creer_comptes(self):
        departement = Departement.objects.filter(code=DEPARTEMENT).first()
        if departement is None:
            self.stderr.write(f"  Département {DEPARTEMENT} absent : comptes créés sans périmètre.")
        for modele in COMPTES:
            compte = Utilisateur.objects.filter(email=modele.email).first() or Utilisateur(email=modele.email)
            compte.first_name, compte.last_name, compte.organisme = modele.prenom, modele.nom, modele.organisme
            compte.role = modele.role
            compte.est_demo = True
            compte.is_active = True
            compte.is_staff = compte.is_superuser = modele.role == Role.ADMIN
            compte.set_password(MOT_DE_PASSE)
            compte.save()
            compte.departements.set([departement] if departement else [])
            communes = list(Commune.objects.filter(code__in=modele.communes))
            if manquantes := set(modele.communes) - {c.code for c in communes}:
                self.stderr.write(f"  Communes absentes pour {modele.email} : {', '.join(sorted(manquantes))}.")
            compte.communes.set(communes)

    # --- Summary -------------------------------------------------------------

    def afficher_comptes(self):
        lignes = [("Rôle", "Adresse e-mail", "Mot de passe")]
        lignes += [(Role(modele.role).label, modele.email, MOT_DE_PASSE) for modele in COMPTES]
        largeurs = [max(len(ligne[i]) for ligne in lignes) for i in range(3)]
        self.stdout.write("")
        self.stdout.write(self.style.SUCCESS("Comptes de démonstration (fictifs) :"))
        for i, ligne in enumerate(lignes):
            cellules = (valeur.ljust(largeur) for valeur, largeur in zip(ligne, largeurs, strict=True))
            self.stdout.write("  " + "  ".join(cellules).rstrip())
            if i == 0:
                self.stdout.write("  " + "  ".join("-" * largeur for largeur in largeurs))
        for modele in COMPTES:
            if modele.note:
                self.stdout.write(f"  Note : {modele.email} : {modele.note}.")
        port = os.environ.get("PORT", "8000")
        self.stdout.write(f"\nConnexion : http://127.0.0.1:{port}{reverse('comptes:connexion')}")
