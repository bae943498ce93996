"""Diagnostic territorial: imported indicators by commune, parameters per département, simulation scenarios.

The coverage computation itself is the pure module `maillage.diagnostic.moteur`.
"""

from django.conf import settings
from django.db import models
from django.db.models import Q

from maillage.core.versions import Versionne


class Indicateur(models.TextChoices):
    """Indicators imported by commune. Caf figures are shown only to the roles allowed to (permissions.py)."""

    POPULATION = "population", "Population municipale (INSEE)"
    ALLOCATAIRES = "allocataires", "Allocataires de la Caf"
    PERSONNES_COUVERTES = "personnes_couvertes", "Personnes couvertes par la Caf"
    ALLOCATAIRES_BAS_REVENUS = "allocataires_bas_revenus", "Allocataires à bas revenus"
    PERSONNES_BAS_REVENUS = "personnes_bas_revenus", "Personnes couvertes à bas revenus"


INDICATEURS_CAF = {
    Indicateur.ALLOCATAIRES,
    Indicateur.PERSONNES_COUVERTES,
    Indicateur.ALLOCATAIRES_BAS_REVENUS,
    Indicateur.PERSONNES_BAS_REVENUS,
}


class IndicateurCommune(models.Model):
    """One imported figure for one commune, with its source and millésime."""

    commune = models.ForeignKey("territoires.Commune", on_delete=models.CASCADE, related_name="indicateurs")
    indicateur = models.CharField(max_length=40, choices=Indicateur.choices)
    millesime = models.PositiveSmallIntegerField("millésime")
    valeur = models.DecimalField(max_digits=14, decimal_places=2)
    source = models.CharField(max_length=300)
    chargement = models.ForeignKey(
        "territoires.Chargement", on_delete=models.SET_NULL, null=True, blank=True, related_name="indicateurs"
    )

    class Meta:
        verbose_name = "indicateur communal"
        verbose_name_plural = "indicateurs communaux"
        ordering = ["commune", "indicateur", "-millesime"]
        constraints = [
            models.UniqueConstraint(fields=["commune", "indicateur", "millesime"], name="indicateur_unique"),
            models.CheckConstraint(condition=Q(valeur__gte=0), name="indicateur_positif"),
        ]
        indexes = [models.Index(fields=["indicateur", "millesime"])]

    def __str__(self):
        return f"{self.commune_id} {self.indicateur} {self.millesime} = {self.valeur}"


class ParametresDiagnostic(Versionne):
    """A département's settings for the coverage diagnostic (defaults in moteur.Parametres)."""

    departement = models.OneToOneField(
        "territoires.Departement", on_delete=models.CASCADE, related_name="parametres_diagnostic"
    )
    distance_couverture_km = models.DecimalField(
        "distance de couverture (km)", max_digits=5, decimal_places=2, default=2
    )
    tampon_qpv_m = models.PositiveIntegerField("tampon autour des QPV (m)", default=500)
    poids = models.JSONField("pondérations du score", default=dict, blank=True)
    modifie_par = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True)
    modifie_le = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = "paramètres du diagnostic"
        verbose_name_plural = "paramètres du diagnostic"

    def __str__(self):
        return f"Paramètres du diagnostic — {self.departement}"


class Scenario(Versionne):
    """A named simulation: hypothetical structures opened and existing ones closed, at a date."""

    departement = models.ForeignKey("territoires.Departement", on_delete=models.CASCADE, related_name="scenarios")
    nom = models.CharField(max_length=200)
    description = models.TextField(blank=True)
    date_reference = models.DateField("date de référence")
    # [{"nom": str, "type": "centre_social"|"evs", "commune": "94028", "longitude": float, "latitude": float}]
    ajouts = models.JSONField("structures hypothétiques", default=list, blank=True)
    fermetures = models.ManyToManyField("structures.Structure", blank=True, related_name="scenarios_fermeture")
    partage = models.BooleanField("partagé avec les partenaires du département", default=False)
    auteur = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+")
    cree_le = models.DateTimeField(auto_now_add=True)
    modifie_le = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = "scénario de simulation"
        ordering = ["departement", "-modifie_le"]

    def __str__(self):
        return self.nom
