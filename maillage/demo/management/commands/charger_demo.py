"""Load the demo: Val-de-Marne territories and QPV, one account per role (fictional people), then the
fictional registry of 2015 (structures, agréments, budgets: `maillage.demo.registre`) and its accounts,
then the observatoire's 2016 campaign (`maillage.demo.observatoire`), then the schéma directeur 2016-2020 with its
fictional fiches actions (`maillage.demo.schema`), then the network: the departmental day of 29/09/2016 with its
programme and fictional registrants, the 2016 evaluation workshops, the annuaire, resources and news
(`maillage.demo.reseau`).

Only with MAILLAGE_DEMO on, which settings allow only with DEBUG on. Each step is idempotent and
skips what is already loaded, so a re-run is quick. Later capabilities add their steps to `etapes()`.
"""

import datetime
import os
from dataclasses import dataclass
from pathlib import Path

from django.conf import settings
from django.core.management import call_command
from django.core.management.base import BaseCommand, CommandError
from django.db import transaction
from django.urls import reverse

from maillage.comptes.models import Role, Utilisateur
from maillage.core.formats import euros, euros_compacts, nombre, pourcentage
from maillage.core.imports import ImportRefuse
from maillage.demo import observatoire, organisations, registre
from maillage.demo import reseau as reseau_demo
from maillage.demo import schema as schema_demo
from maillage.observatoire.services_references import references_importer, refus_texte, resume_texte
from maillage.territoires.models import QPV, Commune, Departement, Regroupement
from maillage.territoires.services import regroupements_importer

DEPARTEMENT = "94"
FICHIER_QPV = Path(settings.BASE_DIR) / "data" / "qpv2024_liste_94.csv"
FICHIER_TERRITOIRES_CAF = Path(__file__).resolve().parents[2] / "territoires_caf_94_fictifs.csv"
FICHIER_REFERENCES = Path(settings.BASE_DIR) / "data" / "references_exemple_illustratif.csv"  # not official figures
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
    CompteDemo(
        Role.PARTENAIRE,
        "partenaire@demo.maillage.fr",
        "Sophie",
        "Marchand",
        "Fédération des centres sociaux du Val-de-Marne",
        note="correspondante observatoire de la fédération (mandat fictif) : relit les réponses de la campagne 2016",
    ),
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
            Etape(
                "Territoires d'intervention de la Caf (découpage fictif)", "importer_territoires_caf", territoires=True
            ),
            Etape("Comptes de démonstration", "creer_comptes"),
            Etape("Organisations partenaires et mandats (fictifs)", "charger_organisations"),
            Etape("Structures, agréments et budgets du Val-de-Marne (fictifs)", "charger_structures"),
            Etape("Comptes des structures de démonstration", "lier_comptes_structures"),
            Etape("Observatoire : campagne SENACS 2016, données 2015 (fictives)", "charger_observatoire"),
            Etape("Schéma directeur AVS 2016-2020 (fiches fictives)", "charger_schema"),
            Etape(
                "Réseau : journée départementale du 29/09/2016 et ateliers 2016 (inscrits fictifs)", "charger_reseau"
            ),
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
        self.afficher_resume()

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

    def importer_territoires_caf(self):
        """A fictional cut of the 94 into three sectors of the Caf's conseillers, imported through the same
        service as a pilote's file: the filters and aggregates by grouping show it."""
        if Regroupement.objects.filter(departement_id=DEPARTEMENT, type=Regroupement.Type.TERRITOIRE_CAF).exists():
            self.stdout.write("  déjà importés.")
            return
        try:
            resume = regroupements_importer(
                contenu=FICHIER_TERRITOIRES_CAF.read_bytes(),
                type=Regroupement.Type.TERRITOIRE_CAF,
                departement=DEPARTEMENT,
                debut=datetime.date(2016, 1, 1),
                nom_fichier=FICHIER_TERRITOIRES_CAF.name,
                auteur=AUTEUR,
            )
        except ImportRefuse as refus:
            premiere = refus.erreurs[0]["message"] if refus.erreurs else ""
            self.stderr.write(f"  Territoires de la Caf non importés : {refus.message} {premiere}")
            return
        c = resume["regroupements"]
        self.stdout.write(f"  {c['crees']} territoire(s) créé(s), {c['communes']} commune(s) rattachée(s).")

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

    def charger_organisations(self):
        organisations.charger(annoncer=self.stdout.write)

    def charger_structures(self):
        resume = registre.charger(annoncer=self.stdout.write)
        if not resume.get("ignore"):
            self.stdout.write(
                f"  {resume['structures']} structures, {resume['agrements']} agréments, "
                f"{resume['budgets']} budgets, {resume['contacts']} contacts, "
                f"{resume['projets_sociaux']} projets sociaux."
            )

    @transaction.atomic
    def lier_comptes_structures(self):
        """One account per a few demo structures; structure@demo.maillage.fr is tied to the first CS."""
        departement = Departement.objects.filter(code=DEPARTEMENT).first()
        self.comptes_structures = []
        for email, prenom, nom, nom_structure in registre.COMPTES_STRUCTURES:
            structure = registre.structure_du_compte(nom_structure)
            if structure is None:
                continue
            compte = Utilisateur.objects.filter(email=email).first() or Utilisateur(email=email)
            compte.first_name, compte.last_name, compte.organisme = prenom, nom, nom_structure
            compte.role = Role.STRUCTURE
            compte.structure = structure
            compte.est_demo = True
            compte.is_active = True
            compte.is_staff = compte.is_superuser = False
            compte.set_password(MOT_DE_PASSE)
            compte.save()
            compte.departements.set([departement] if departement else [])
            self.comptes_structures.append((email, nom_structure))
        if not self.comptes_structures:
            self.stdout.write("  aucune structure de démonstration : comptes non rattachés.")

    def charger_observatoire(self):
        r = observatoire.charger(annoncer=self.stdout.write)
        self.stdout.write(
            f"  Campagne 2016 (réponses FICTIVES) : {r['attendues']} réponses attendues, {r['recues']} reçues,"
            f" {r['validees']} validées."
        )
        try:  # illustrative, not official figures (see the file's .source.txt)
            resume = references_importer(
                contenu=FICHIER_REFERENCES.read_bytes(),
                nom_fichier=FICHIER_REFERENCES.name,
                illustratif=True,
                auteur=AUTEUR,
            )
            self.stdout.write(f"  {resume_texte(resume)}")
        except ImportRefuse as refus:  # without the région's territories (--sans-territoires)
            self.stderr.write(f"  Repères illustratifs non importés : {refus_texte(refus)}")

    def charger_schema(self):
        r = schema_demo.charger(annoncer=self.stdout.write)
        if not r.get("ignore"):
            self.stdout.write(
                f"  {r['fiches']} fiches actions FICTIVES, {r['indicateurs']} indicateurs, "
                f"{r['decisions']} décisions de comité."
            )

    def charger_reseau(self):
        r = reseau_demo.charger(annoncer=self.stdout.write)
        if not r.get("ignore"):
            self.stdout.write(
                f"  journée du 29/09/2016 : {r['inscrits']} inscriptions confirmées, {r['presents']} présents, "
                f"{r['liste_attente']} en liste d'attente, {r['annulees']} annulées (personnes FICTIVES) ; "
                f"{r['ateliers']} ateliers et {r['restitutions']} restitutions ; {r['personnes']} personnes dans "
                f"l'annuaire ({r['duree']:.1f} s)."
            )

    # --- Summary -------------------------------------------------------------

    def afficher_comptes(self):
        lignes = [("Rôle", "Adresse e-mail", "Mot de passe")]
        lignes += [(Role(modele.role).label, modele.email, MOT_DE_PASSE) for modele in COMPTES]
        rattaches = dict(getattr(self, "comptes_structures", []))
        lignes += [
            (Role.STRUCTURE.label, email, MOT_DE_PASSE)
            for email, _ in rattaches.items()
            if email not in {modele.email for modele in COMPTES}
        ]
        largeurs = [max(len(ligne[i]) for ligne in lignes) for i in range(3)]
        self.stdout.write("")
        self.stdout.write(self.style.SUCCESS("Comptes de démonstration (fictifs) :"))
        for i, ligne in enumerate(lignes):
            cellules = (valeur.ljust(largeur) for valeur, largeur in zip(ligne, largeurs, strict=True))
            self.stdout.write("  " + "  ".join(cellules).rstrip())
            if i == 0:
                self.stdout.write("  " + "  ".join("-" * largeur for largeur in largeurs))
        for modele in COMPTES:
            if modele.note and modele.email not in rattaches:
                self.stdout.write(f"  Note : {modele.email} : {modele.note}.")
        for email, nom_structure in rattaches.items():
            self.stdout.write(f"  {email} représente « {nom_structure} ».")
        port = os.environ.get("PORT", "8000")
        self.stdout.write(f"\nConnexion : http://127.0.0.1:{port}{reverse('comptes:connexion')}")

    def afficher_resume(self):
        if not registre.demo_presente():
            return
        r = registre.resume()
        date = f"{registre.DATE_REFERENCE:%d/%m/%Y}"
        self.stdout.write("")
        self.stdout.write(self.style.SUCCESS(f"Val-de-Marne au {date} (données FICTIVES, calculées depuis la base) :"))
        self.stdout.write(
            f"  {nombre(r.actives)} structures actives : {nombre(r.centres_sociaux)} centres sociaux et "
            f"{nombre(r.evs)} espaces de vie sociale, dans {nombre(r.communes)} communes"
        )
        self.stdout.write(
            f"  budget réalisé {registre.ANNEE} : {euros(r.budget_total)} ({euros_compacts(r.budget_total)}), "
            f"dont {euros(r.budget_evs)} pour les EVS"
        )
        self.stdout.write(
            f"  financement de la Caf : {euros(r.financement_caf)} ({euros_compacts(r.financement_caf)}), "
            f"dont {euros(r.prestations_service)} de prestations de service (prix plafonds illustratifs)"
        )
        self.stdout.write(
            f"  centres sociaux à gestion associative : {nombre(r.centres_sociaux_associatifs)} sur "
            f"{nombre(r.centres_sociaux)} ({pourcentage(r.part_associative)})"
        )
        self.stdout.write(
            "  Noms, personnes, adresses, SIRET et montants sont inventés ; seuls les territoires sont réels."
        )
