"""Users, roles and scopes.

A user has one role and a scope: the départements they act in (and, for a conseiller, their
communes). What a user may see or do is decided in one place only: `maillage.core.permissions` (the rules sit
in each app's `permissions.py`).
"""

import datetime

from django.contrib.auth.base_user import BaseUserManager
from django.contrib.auth.models import AbstractUser
from django.core.exceptions import ValidationError
from django.db import models

from maillage.core import horloge
from maillage.core.roles import Role  # re-exported: `from maillage.comptes.models import Role` stays valid
from maillage.core.siret import erreur_siret, normaliser
from maillage.core.versions import Versionne


class Organisation(models.Model):
    """The organisation an account belongs to (Caf, Préfecture, commune, fédération…), in one département.

    Its territory (communes, EPCI) bounds what a co-financeur mandate lets it read; other apps (schéma directeur,
    réseau) name their partners with it."""

    class Type(models.TextChoices):
        CAF = "caf", "Caf"
        PREFECTURE = "prefecture", "Préfecture / services de l'État"
        DDETS = "ddets", "DDETS"
        CONSEIL_DEPARTEMENTAL = "conseil_departemental", "Conseil départemental"
        COMMUNE = "commune", "Commune"
        EPCI = "epci", "EPCI / EPT"
        FEDERATION = "federation", "Fédération des centres sociaux"
        CCAS = "ccas", "CCAS / CIAS"
        ASSOCIATION = "association", "Association"
        RPE = "rpe", "Relais petite enfance (RPE)"
        AUTRE = "autre", "Autre"

    nom = models.CharField(max_length=200)
    type = models.CharField(max_length=30, choices=Type.choices)
    departement = models.ForeignKey(
        "territoires.Departement", on_delete=models.PROTECT, related_name="organisations", verbose_name="département"
    )
    communes = models.ManyToManyField(
        "territoires.Commune",
        related_name="organisations",
        blank=True,
        help_text="Pour une commune, un CCAS ou une association : les communes de son territoire.",
    )
    epci = models.ForeignKey(
        "territoires.EPCI",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="organisations",
        verbose_name="EPCI / EPT",
    )
    siret = models.CharField("SIRET", max_length=14, blank=True)
    actif = models.BooleanField("active", default=True)
    cree_le = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = "organisation"
        ordering = ["departement", "nom"]
        constraints = [
            models.UniqueConstraint(fields=["departement", "nom"], name="organisation_nom_unique_par_departement")
        ]

    def __str__(self):
        return f"{self.nom} ({self.get_type_display()})"

    def clean(self):
        self.siret = normaliser(self.siret or "")
        if self.siret and (erreur := erreur_siret(self.siret)):
            raise ValidationError({"siret": erreur})


class Mandat(models.Model):
    """A dated right a pilote grants to a partner organisation (or to one of its accounts) in a département.

    Live from `debut` to `fin` (included; no end = until revoked) unless `revoque_le` is set. Never deleted:
    a revoked or expired mandate stays as the record of who could do what, when."""

    class Nature(models.TextChoices):
        CORRESPONDANT_OBSERVATOIRE = "correspondant_observatoire", "Correspondant observatoire"
        CO_FINANCEUR = "co_financeur", "Co-financeur"

    organisation = models.ForeignKey(Organisation, on_delete=models.PROTECT, related_name="mandats")
    utilisateur = models.ForeignKey(
        "comptes.Utilisateur",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="mandats",
        verbose_name="compte désigné",
        help_text="Vide : tous les comptes partenaires de l'organisation.",
    )
    nature = models.CharField(max_length=30, choices=Nature.choices)
    departement = models.ForeignKey(
        "territoires.Departement", on_delete=models.PROTECT, related_name="mandats", verbose_name="département"
    )
    debut = models.DateField("début")
    fin = models.DateField("fin", null=True, blank=True)
    motif = models.TextField(blank=True)
    accorde_par = models.ForeignKey(
        "comptes.Utilisateur", on_delete=models.PROTECT, related_name="mandats_accordes", verbose_name="accordé par"
    )
    accorde_le = models.DateTimeField("accordé le", auto_now_add=True)
    revoque_le = models.DateTimeField("révoqué le", null=True, blank=True)
    revoque_par = models.ForeignKey(
        "comptes.Utilisateur",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="mandats_revoques",
        verbose_name="révoqué par",
    )

    class Meta:
        verbose_name = "mandat"
        ordering = ["-debut", "-pk"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(fin__isnull=True) | models.Q(fin__gte=models.F("debut")),
                name="mandat_fin_apres_debut",
            )
        ]

    def __str__(self):
        return f"{self.get_nature_display()} — {self.organisation.nom}"

    def en_vigueur(self, jour: datetime.date | None = None) -> bool:
        jour = jour or horloge.aujourdhui()
        return self.revoque_le is None and self.debut <= jour and (self.fin is None or jour <= self.fin)


class UtilisateurManager(BaseUserManager):
    use_in_migrations = True

    def _create_user(self, email, password, **extra_fields):
        if not email:
            raise ValueError("L'adresse e-mail est obligatoire.")
        email = self.normalize_email(email).lower()
        user = self.model(email=email, **extra_fields)
        user.set_password(password)
        user.save(using=self._db)
        return user

    def create_user(self, email, password=None, **extra_fields):
        extra_fields.setdefault("is_staff", False)
        extra_fields.setdefault("is_superuser", False)
        return self._create_user(email, password, **extra_fields)

    def create_superuser(self, email, password=None, **extra_fields):
        extra_fields.setdefault("is_staff", True)
        extra_fields.setdefault("is_superuser", True)
        extra_fields.setdefault("role", Role.ADMIN)
        return self._create_user(email, password, **extra_fields)

    def get_by_natural_key(self, username):
        return self.get(**{f"{self.model.USERNAME_FIELD}__iexact": username})


class Utilisateur(Versionne, AbstractUser):
    username = None
    email = models.EmailField("adresse e-mail", unique=True)
    role = models.CharField("rôle", max_length=20, choices=Role.choices, default=Role.PARTENAIRE)
    organisme = models.CharField(
        "organisme", max_length=200, blank=True, help_text="Caf, Conseil départemental, commune, fédération…"
    )
    organisation = models.ForeignKey(
        Organisation, on_delete=models.PROTECT, null=True, blank=True, related_name="comptes"
    )
    departements = models.ManyToManyField(
        "territoires.Departement", related_name="utilisateurs", blank=True, verbose_name="départements"
    )
    communes = models.ManyToManyField(
        "territoires.Commune",
        related_name="conseillers",
        blank=True,
        verbose_name="communes suivies",
        help_text="Pour un·e conseiller·e : les communes de son secteur.",
    )
    structure = models.ForeignKey(
        "structures.Structure",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="comptes",
        help_text="Pour un compte « structure » : le centre social ou l'EVS qu'il représente.",
    )
    # Demo accounts are flagged so they can be found and removed; they never exist with DEBUG=0.
    est_demo = models.BooleanField("compte de démonstration", default=False, editable=False)

    USERNAME_FIELD = "email"
    EMAIL_FIELD = "email"
    REQUIRED_FIELDS = []

    objects = UtilisateurManager()
    # Signing in or changing one's password does not change what the account form shows.
    champs_hors_version = frozenset({"last_login", "password"})

    class Meta:
        verbose_name = "utilisateur"
        ordering = ["email"]

    def __str__(self):
        nom = self.get_full_name()
        return f"{nom} <{self.email}>" if nom else self.email

    def save(self, *args, **kwargs):
        self.email = (self.email or "").strip().lower()
        super().save(*args, **kwargs)


class OperationDonneesPersonnelles(models.Model):
    """Journal of every export or erasure of one person's personal data: who, when, whose data, what was done.

    Kept as the proof that a request was answered (GDPR art. 5-2); it holds the person's e-mail address on
    purpose, and nothing else about them."""

    class Action(models.TextChoices):
        EXPORT = "export", "Export"
        EFFACEMENT = "effacement", "Effacement"

    action = models.CharField(max_length=12, choices=Action.choices)
    email = models.EmailField("personne concernée (adresse e-mail)")
    par = models.ForeignKey(
        Utilisateur, on_delete=models.SET_NULL, null=True, blank=True, related_name="+", verbose_name="par"
    )
    # The operator's name as it was (the account may be erased later), or "ligne de commande".
    par_libelle = models.CharField("par (libellé)", max_length=300)
    le = models.DateTimeField("le", auto_now_add=True)
    resume = models.JSONField("résumé", default=dict, blank=True)

    class Meta:
        verbose_name = "opération sur des données personnelles"
        verbose_name_plural = "opérations sur des données personnelles"
        ordering = ["-le"]

    def __str__(self):
        return f"{self.get_action_display()} des données de {self.email} par {self.par_libelle}"
