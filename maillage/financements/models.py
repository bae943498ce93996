"""Yearly budgets of the structures and the prestations de service (PS) barème.

PS types, rates and ceilings change over time (AGC/ACF merge 2027-2030): they are data by year
(`TypePS`, `BaremePS`), never constants in code. The PS computation itself is the pure module
`maillage.financements.moteur_ps`.
"""

from django.db import models
from django.db.models import Q

from maillage.core.versions import Versionne


class TypePS(models.Model):
    """A kind of prestation de service "animation de la vie sociale", as the Cnaf defines it."""

    class Base(models.TextChoices):
        PILOTAGE_LOGISTIQUE = "pilotage_logistique", "Charges de pilotage et de logistique"
        REFERENT_FAMILLES = "referent_familles", "Charges du ou de la référent·e familles"
        CHARGES_TOTALES = "charges_totales", "Charges de fonctionnement totales"

    code = models.SlugField(max_length=40, primary_key=True)
    libelle = models.CharField("libellé", max_length=200)
    type_structure = models.CharField(
        "type de structure", max_length=20, choices=[("centre_social", "Centre social"), ("evs", "EVS")]
    )
    agrement_requis = models.CharField(
        "agrément requis",
        max_length=30,
        choices=[
            ("animation_globale", "Animation globale"),
            ("acf", "Animation collective familles"),
            ("animation_locale", "Animation locale"),
        ],
    )
    base = models.CharField("dépenses éligibles", max_length=30, choices=Base.choices)
    premiere_annee = models.PositiveSmallIntegerField("première année", default=2000)
    derniere_annee = models.PositiveSmallIntegerField("dernière année", null=True, blank=True)
    ordre = models.PositiveSmallIntegerField(default=0)

    class Meta:
        verbose_name = "type de prestation de service"
        verbose_name_plural = "types de prestation de service"
        ordering = ["ordre", "code"]

    def __str__(self):
        return self.libelle


class BaremePS(models.Model):
    """Rate and yearly ceiling (prix plafond) of one PS type for one year."""

    annee = models.PositiveSmallIntegerField("année")
    type_ps = models.ForeignKey(TypePS, on_delete=models.PROTECT, related_name="baremes", verbose_name="type de PS")
    taux = models.DecimalField(max_digits=5, decimal_places=4, help_text="Par exemple 0,4240 pour 42,4 %")
    prix_plafond = models.DecimalField(
        "prix plafond", max_digits=12, decimal_places=2, null=True, blank=True, help_text="Barème Cnaf de l'année"
    )
    source = models.CharField(max_length=300)
    illustratif = models.BooleanField(
        "valeur illustrative", default=False, help_text="Valeur de démonstration, pas le barème officiel"
    )

    class Meta:
        verbose_name = "barème de prestation de service"
        verbose_name_plural = "barèmes de prestation de service"
        ordering = ["-annee", "type_ps__ordre"]
        constraints = [
            models.UniqueConstraint(fields=["annee", "type_ps"], name="bareme_unique_par_annee"),
            models.CheckConstraint(condition=Q(taux__gte=0, taux__lte=1), name="bareme_taux_entre_0_et_1"),
            models.CheckConstraint(
                condition=Q(prix_plafond__isnull=True) | Q(prix_plafond__gt=0), name="bareme_plafond_positif"
            ),
        ]

    def __str__(self):
        return f"{self.type_ps} {self.annee}"


class Financeur(models.TextChoices):
    CAF_PS = "caf_ps", "Caf — prestation de service"
    CAF_FONDS_LOCAUX = "caf_fonds_locaux", "Caf — fonds locaux"
    COMMUNES = "communes", "Communes"
    EPCI = "epci", "EPCI"
    DEPARTEMENT = "departement", "Département"
    REGION = "region", "Région"
    ETAT = "etat", "État (dont politique de la ville)"
    USAGERS = "usagers", "Usagers"
    AUTRES = "autres", "Autres"


class Budget(Versionne):
    class Nature(models.TextChoices):
        PREVISIONNEL = "previsionnel", "Prévisionnel"
        REALISE = "realise", "Réalisé"

    structure = models.ForeignKey("structures.Structure", on_delete=models.CASCADE, related_name="budgets")
    annee = models.PositiveSmallIntegerField("année")
    nature = models.CharField(max_length=20, choices=Nature.choices)
    charges_totales = models.DecimalField("total des charges", max_digits=12, decimal_places=2)
    charges_pilotage = models.DecimalField("charges de pilotage", max_digits=12, decimal_places=2, default=0)
    charges_logistique = models.DecimalField("charges de logistique", max_digits=12, decimal_places=2, default=0)
    charges_referent_familles = models.DecimalField(
        "charges du ou de la référent·e familles", max_digits=12, decimal_places=2, default=0
    )
    commentaire = models.TextField(blank=True)
    cree_le = models.DateTimeField(auto_now_add=True)
    modifie_le = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = "budget"
        ordering = ["structure", "-annee", "nature"]
        indexes = [models.Index(fields=["annee", "nature"])]
        constraints = [
            models.UniqueConstraint(fields=["structure", "annee", "nature"], name="budget_unique_par_annee"),
            models.CheckConstraint(
                condition=Q(charges_totales__gte=0, charges_pilotage__gte=0)
                & Q(charges_logistique__gte=0, charges_referent_familles__gte=0),
                name="budget_charges_positives",
            ),
        ]

    def __str__(self):
        return f"{self.structure} — {self.get_nature_display().lower()} {self.annee}"


class LigneProduit(models.Model):
    """Income of a budget from one funder (and, for the Caf's PS, one PS type)."""

    budget = models.ForeignKey(Budget, on_delete=models.CASCADE, related_name="produits")
    financeur = models.CharField(max_length=30, choices=Financeur.choices)
    type_ps = models.ForeignKey(
        TypePS, on_delete=models.PROTECT, null=True, blank=True, related_name="lignes", verbose_name="type de PS"
    )
    montant = models.DecimalField(max_digits=12, decimal_places=2)

    class Meta:
        verbose_name = "produit"
        ordering = ["budget", "financeur", "type_ps"]
        constraints = [
            models.CheckConstraint(
                condition=(Q(financeur="caf_ps") & Q(type_ps__isnull=False))
                | (~Q(financeur="caf_ps") & Q(type_ps__isnull=True)),
                name="produit_type_ps_si_prestation",
                violation_error_message="Une prestation de service indique son type, et seulement elle.",
            ),
            models.CheckConstraint(condition=Q(montant__gte=0), name="produit_montant_positif"),
            models.UniqueConstraint(
                fields=["budget", "financeur"], condition=Q(type_ps__isnull=True), name="produit_unique_financeur"
            ),
            models.UniqueConstraint(
                fields=["budget", "type_ps"], condition=Q(type_ps__isnull=False), name="produit_unique_type_ps"
            ),
        ]

    def __str__(self):
        return f"{self.get_financeur_display()} : {self.montant} €"
