"""The French administrative referential: régions, départements, EPCI, communes, QPV.

INSEE / SIREN codes are the primary keys: they are stable, they are what every file and API speaks,
and they make imports idempotent. Geometry is stored as simplified GeoJSON text (WGS84), with a
representative point, so SQLite and PostgreSQL behave the same without a GIS extension.
"""

from django.db import models

from maillage.core.versions import Versionne


class Region(models.Model):
    code = models.CharField("code INSEE", max_length=3, primary_key=True)
    nom = models.CharField(max_length=100)

    class Meta:
        verbose_name = "région"
        ordering = ["code"]

    def __str__(self):
        return self.nom


class Departement(models.Model):
    code = models.CharField("code INSEE", max_length=3, primary_key=True)
    nom = models.CharField(max_length=100)
    region = models.ForeignKey(Region, on_delete=models.PROTECT, related_name="departements")
    # INSEE's "type de nom" (TNCC, 0-8), stored at load: it gives the article (« du Val-de-Marne », « des Bouches-du-
    # Rhône »); empty when unknown, and sentences then use a neutral form.
    type_nom = models.CharField("type de nom (TNCC)", max_length=1, blank=True)

    class Meta:
        verbose_name = "département"
        ordering = ["code"]

    def __str__(self):
        return f"{self.nom} ({self.code})"


class EPCI(models.Model):
    class Type(models.TextChoices):
        CC = "CC", "Communauté de communes"
        CA = "CA", "Communauté d'agglomération"
        CU = "CU", "Communauté urbaine"
        METRO = "ME", "Métropole"
        EPT = "EPT", "Établissement public territorial"

    code = models.CharField("SIREN", max_length=9, primary_key=True)
    nom = models.CharField(max_length=200)
    type = models.CharField(max_length=3, choices=Type.choices, blank=True)

    class Meta:
        verbose_name = "EPCI"
        verbose_name_plural = "EPCI"
        ordering = ["nom"]

    def __str__(self):
        return self.nom


class Commune(models.Model):
    code = models.CharField("code INSEE", max_length=5, primary_key=True)
    nom = models.CharField(max_length=200)
    departement = models.ForeignKey(Departement, on_delete=models.PROTECT, related_name="communes")
    epci = models.ForeignKey(EPCI, on_delete=models.SET_NULL, null=True, blank=True, related_name="communes")
    population = models.PositiveIntegerField("population municipale", null=True, blank=True)
    population_millesime = models.PositiveSmallIntegerField("millésime de la population", null=True, blank=True)
    population_source = models.CharField("source de la population", max_length=200, blank=True)
    # Simplified outline, GeoJSON geometry text in WGS84 (lon, lat); empty when the source has none.
    geometrie = models.TextField("contour (GeoJSON)", blank=True)
    # Hash of the source geometry, so a re-load skips unchanged outlines.
    geometrie_empreinte = models.CharField(max_length=32, blank=True, editable=False)
    longitude = models.FloatField(null=True, blank=True)
    latitude = models.FloatField(null=True, blank=True)

    class Meta:
        verbose_name = "commune"
        ordering = ["code"]
        indexes = [models.Index(fields=["departement", "nom"])]

    def __str__(self):
        return f"{self.nom} ({self.code})"

    @property
    def point(self) -> tuple[float, float] | None:
        if self.longitude is None or self.latitude is None:
            return None
        return (self.longitude, self.latitude)


class QPV(models.Model):
    class Generation(models.IntegerChoices):
        G2015 = 2015, "2015"
        G2024 = 2024, "2024"

    code = models.CharField("code QPV", max_length=10, primary_key=True)
    nom = models.CharField(max_length=300)
    generation = models.PositiveSmallIntegerField("génération", choices=Generation.choices)
    communes = models.ManyToManyField(Commune, related_name="qpv", blank=True)
    geometrie = models.TextField("contour (GeoJSON)", blank=True)
    longitude = models.FloatField(null=True, blank=True)
    latitude = models.FloatField(null=True, blank=True)
    population = models.PositiveIntegerField(null=True, blank=True)
    population_millesime = models.PositiveSmallIntegerField(null=True, blank=True)
    source = models.CharField(max_length=300, blank=True)

    class Meta:
        verbose_name = "quartier prioritaire (QPV)"
        verbose_name_plural = "quartiers prioritaires (QPV)"
        ordering = ["code"]

    def __str__(self):
        return f"{self.nom} ({self.code})"


class Regroupement(Versionne):
    """A set of communes people work with, over a period: the EPT of the Métropole du Grand Paris (loaded with the
    referential), or a grouping of a Caf or a Département (territoires d'intervention, CTG perimeters, territoires
    d'action sociale) that a pilote imports. Membership is dated (`Appartenance`): a commune may change grouping."""

    class Type(models.TextChoices):
        EPT = "ept", "Établissement public territorial (Grand Paris)"
        TERRITOIRE_CAF = "territoire_caf", "Territoire d'intervention de la Caf"
        CTG = "ctg", "Périmètre de convention territoriale globale (CTG)"
        TERRITOIRE_DEPARTEMENT = "territoire_departement", "Territoire d'action sociale du Département"
        AUTRE = "autre", "Autre regroupement"

    type = models.CharField(max_length=30, choices=Type.choices)
    # SIREN for an EPT; for a local grouping, its département's code and a slug of its name ("94-plateau-briard").
    code = models.CharField(max_length=80)
    nom = models.CharField(max_length=200)
    # The département whose pilotes own a local grouping; empty for the EPT (national referential).
    departement = models.ForeignKey(
        Departement, on_delete=models.CASCADE, null=True, blank=True, related_name="regroupements"
    )
    debut = models.DateField("en vigueur depuis")
    fin = models.DateField("en vigueur jusqu'au", null=True, blank=True)
    source = models.CharField(max_length=300, blank=True)

    class Meta:
        verbose_name = "regroupement de communes"
        verbose_name_plural = "regroupements de communes"
        ordering = ["type", "nom"]
        constraints = [
            models.UniqueConstraint(fields=["type", "code"], name="regroupement_code_unique"),
            models.CheckConstraint(
                condition=models.Q(fin__isnull=True) | models.Q(fin__gte=models.F("debut")),
                name="regroupement_fin_apres_debut",
            ),
        ]

    def __str__(self):
        return self.nom


class Appartenance(models.Model):
    """A commune in a grouping from `debut` (included) to `fin` (included; empty: still)."""

    regroupement = models.ForeignKey(Regroupement, on_delete=models.CASCADE, related_name="appartenances")
    commune = models.ForeignKey(Commune, on_delete=models.CASCADE, related_name="appartenances")
    debut = models.DateField()
    fin = models.DateField(null=True, blank=True)

    class Meta:
        verbose_name = "appartenance à un regroupement"
        ordering = ["regroupement", "commune"]
        constraints = [
            models.UniqueConstraint(fields=["regroupement", "commune", "debut"], name="appartenance_unique"),
            models.CheckConstraint(
                condition=models.Q(fin__isnull=True) | models.Q(fin__gte=models.F("debut")),
                name="appartenance_fin_apres_debut",
            ),
        ]
        indexes = [models.Index(fields=["commune", "regroupement"])]

    def __str__(self):
        return f"{self.commune} dans {self.regroupement}"


class Chargement(models.Model):
    """Journal of every bulk load or import: who ran it, on what, and what it changed.

    Bulk writes bypass per-object audit signals; this row is their audit trail.
    """

    class Statut(models.TextChoices):
        REUSSI = "reussi", "Réussi"
        REFUSE = "refuse", "Refusé (rien n'a été écrit)"

    commande = models.CharField(max_length=100)
    fichier = models.CharField(max_length=500, blank=True)
    empreinte = models.CharField("empreinte SHA-256 du fichier", max_length=64, blank=True)
    parametres = models.JSONField(default=dict, blank=True)
    statut = models.CharField(max_length=10, choices=Statut.choices)
    resume = models.JSONField("résumé", default=dict, blank=True)
    erreurs = models.JSONField(default=list, blank=True)
    auteur = models.CharField(max_length=200, blank=True, help_text="Utilisateur ou compte système")
    debut = models.DateTimeField()
    fin = models.DateTimeField()

    class Meta:
        verbose_name = "chargement de données"
        verbose_name_plural = "chargements de données"
        ordering = ["-debut"]

    def __str__(self):
        return f"{self.commande} du {self.debut:%d/%m/%Y %H:%M} ({self.get_statut_display()})"

    @property
    def departements_concernes(self) -> frozenset[str]:
        """Codes of the départements the load was about (its parameters `departement` or `departements`);
        empty for a national load."""
        parametres = self.parametres if isinstance(self.parametres, dict) else {}
        codes = set()
        if isinstance(un := parametres.get("departement"), str) and un:
            codes.add(un)
        if isinstance(plusieurs := parametres.get("departements"), list):
            codes |= {str(c) for c in plusieurs if c}
        return frozenset(codes)
