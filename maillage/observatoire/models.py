"""Observatoire: versioned questionnaires, yearly campaigns, answers and their review workflow.

A questionnaire's content is data (`Questionnaire.definition`, loaded from the JSON files under
`questionnaires/` by `charger_questionnaire`); its rules are checked by the pure engine `regles`. A campaign is run
by a département's Caf for a collection year (`annee`) on the data of the year before (`annee_donnees`).
Writes go through `services`, which enforce the workflow brouillon → soumise → à corriger ↔ soumise → validée.
"""

from decimal import Decimal

from django.conf import settings
from django.db import models
from django.db.models import F, Q

from maillage.core.versions import Versionne


class Questionnaire(models.Model):
    class Nature(models.TextChoices):
        SOCLE = "socle", "Socle"
        THEME = "theme", "Bloc thématique"

    code = models.SlugField(max_length=50)
    version = models.PositiveIntegerField()
    nature = models.CharField(max_length=10, choices=Nature.choices)
    titre = models.CharField(max_length=250)
    definition = models.JSONField("définition")
    fichier_source = models.CharField("fichier source", max_length=300, blank=True)
    empreinte = models.CharField(max_length=64, help_text="SHA-256 de la définition normalisée")
    charge_le = models.DateTimeField("chargé le", auto_now_add=True)
    modifie_le = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = "questionnaire"
        ordering = ["code", "-version"]
        constraints = [
            models.UniqueConstraint(fields=["code", "version"], name="questionnaire_unique_version"),
            models.CheckConstraint(condition=Q(version__gte=1), name="questionnaire_version_positive"),
        ]

    def __str__(self):
        suffixe = f"(v{self.version})"
        # A title that already carries its version (older files did) does not get it twice.
        return self.titre if self.titre.rstrip().endswith(suffixe) else f"{self.titre} {suffixe}"


class Campagne(Versionne):
    class Population(models.TextChoices):
        """Which structures answer: SENACS surveyed the centres sociaux first and added the EVS later."""

        CS = "cs", "Centres sociaux seulement"
        CS_EVS = "cs_evs", "Centres sociaux et espaces de vie sociale"

    departement = models.ForeignKey(
        "territoires.Departement", on_delete=models.PROTECT, related_name="campagnes", verbose_name="département"
    )
    annee = models.PositiveSmallIntegerField("année de collecte")
    annee_donnees = models.PositiveSmallIntegerField("année des données")
    questionnaire = models.ForeignKey(
        Questionnaire, on_delete=models.PROTECT, related_name="campagnes", verbose_name="questionnaire (socle)"
    )
    bloc_thematique = models.ForeignKey(
        Questionnaire,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="campagnes_thematiques",
        verbose_name="bloc thématique",
    )
    ouverture = models.DateField("ouverture")
    date_limite_reponse = models.DateField("date limite de réponse")
    date_limite_relecture = models.DateField("date limite de relecture")
    population = models.CharField(
        "structures interrogées",
        max_length=10,
        choices=Population.choices,
        default=Population.CS_EVS,
        help_text="Les structures actives au 31 décembre de l'année des données qui reçoivent le questionnaire.",
    )
    publiee = models.BooleanField("publiée", default=False)
    publiee_le = models.DateTimeField("publiée le", null=True, blank=True)
    federation_relit = models.BooleanField(
        "la fédération relit", default=False, help_text="Les partenaires du département peuvent relire les réponses."
    )
    seuil_evolution = models.DecimalField(
        "seuil d'évolution signalée",
        max_digits=4,
        decimal_places=2,
        default=Decimal("0.50"),
        help_text="Écart relatif à l'année précédente au-delà duquel une valeur est signalée (0,50 = ±50 %).",
    )
    cree_par = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True)
    cree_le = models.DateTimeField(auto_now_add=True)
    modifie_le = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = "campagne"
        ordering = ["-annee", "departement"]
        constraints = [
            models.UniqueConstraint(fields=["departement", "annee"], name="campagne_unique_par_annee"),
            models.CheckConstraint(
                condition=Q(annee_donnees=F("annee") - 1),
                name="campagne_donnees_annee_precedente",
                violation_error_message="L'année des données est l'année précédant la collecte.",
            ),
            models.CheckConstraint(
                condition=Q(ouverture__lt=F("date_limite_reponse"))
                & Q(date_limite_reponse__lt=F("date_limite_relecture")),
                name="campagne_dates_ordonnees",
                violation_error_message="Il faut ouverture < date limite de réponse < date limite de relecture.",
            ),
            models.CheckConstraint(
                condition=Q(seuil_evolution__gt=0, seuil_evolution__lte=10), name="campagne_seuil_positif"
            ),
            models.CheckConstraint(
                condition=Q(publiee=False) | Q(publiee_le__isnull=False), name="campagne_publiee_datee"
            ),
        ]

    def __str__(self):
        return f"Campagne {self.annee} (données {self.annee_donnees}) — {self.departement_id}"


class Statut(models.TextChoices):
    BROUILLON = "brouillon", "Brouillon"
    SOUMISE = "soumise", "Soumise"
    A_CORRIGER = "a_corriger", "À corriger"
    VALIDEE = "validee", "Validée"


class Reponse(models.Model):
    campagne = models.ForeignKey(Campagne, on_delete=models.CASCADE, related_name="reponses")
    structure = models.ForeignKey("structures.Structure", on_delete=models.PROTECT, related_name="reponses_senacs")
    statut = models.CharField(max_length=20, choices=Statut.choices, default=Statut.BROUILLON)
    valeurs = models.JSONField(default=dict, blank=True, help_text="Réponses par code de question")
    version = models.PositiveIntegerField(default=1, help_text="Verrou optimiste : +1 à chaque enregistrement")
    soumise_le = models.DateTimeField("soumise le", null=True, blank=True)
    validee_le = models.DateTimeField("validée le", null=True, blank=True)
    verrouillee = models.BooleanField("verrouillée", default=False)
    modifiee_par = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    cree_le = models.DateTimeField(auto_now_add=True)
    modifie_le = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = "réponse"
        ordering = ["campagne", "structure__nom"]
        indexes = [models.Index(fields=["campagne", "statut"])]
        constraints = [
            models.UniqueConstraint(fields=["campagne", "structure"], name="reponse_unique_par_campagne"),
            models.CheckConstraint(
                condition=~Q(statut=Statut.VALIDEE) | Q(verrouillee=True, validee_le__isnull=False),
                name="reponse_validee_verrouillee",
                violation_error_message="Une réponse validée est verrouillée et datée.",
            ),
            models.CheckConstraint(
                condition=Q(statut=Statut.BROUILLON) | Q(soumise_le__isnull=False),
                name="reponse_soumise_datee",
                violation_error_message="Une réponse soumise porte sa date de soumission.",
            ),
            models.CheckConstraint(condition=Q(version__gte=1), name="reponse_version_positive"),
        ]

    def __str__(self):
        return f"{self.structure} — {self.campagne.annee}"


class Transition(models.Model):
    reponse = models.ForeignKey(Reponse, on_delete=models.CASCADE, related_name="transitions")
    de = models.CharField(max_length=20, choices=Statut.choices)
    vers = models.CharField(max_length=20, choices=Statut.choices)
    par = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+")
    le = models.DateTimeField(auto_now_add=True)
    motif = models.TextField(blank=True)

    class Meta:
        verbose_name = "transition"
        ordering = ["reponse", "le", "pk"]
        constraints = [models.CheckConstraint(condition=~Q(de=F("vers")), name="transition_change_de_statut")]

    def __str__(self):
        return f"{self.get_de_display()} → {self.get_vers_display()}"


class Commentaire(models.Model):
    reponse = models.ForeignKey(Reponse, on_delete=models.CASCADE, related_name="commentaires")
    question = models.CharField("code de la question", max_length=60, blank=True)
    auteur = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+")
    texte = models.TextField()
    le = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = "commentaire"
        ordering = ["reponse", "le", "pk"]
        constraints = [models.CheckConstraint(condition=~Q(texte=""), name="commentaire_non_vide")]

    def __str__(self):
        return f"{self.question or 'général'} : {self.texte[:40]}"


class Relance(models.Model):
    """A reminder e-mailed to a late structure: at most one per campaign, structure and day (the constraint holds
    across processes and workers), and the follow-up board shows the last one."""

    campagne = models.ForeignKey(Campagne, on_delete=models.CASCADE, related_name="relances")
    structure = models.ForeignKey("structures.Structure", on_delete=models.CASCADE, related_name="relances_senacs")
    jour = models.DateField()
    retard = models.CharField(max_length=200, help_text="Le retard constaté, tel qu'écrit dans l'e-mail")
    destinataires = models.JSONField(default=list)
    par = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    envoyee_le = models.DateTimeField("envoyée le", auto_now_add=True)

    class Meta:
        verbose_name = "relance"
        ordering = ["-envoyee_le", "pk"]
        constraints = [
            models.UniqueConstraint(fields=["campagne", "structure", "jour"], name="relance_une_par_jour"),
        ]

    def __str__(self):
        return f"Relance de {self.structure} le {self.jour:%d/%m/%Y}"


class CommentaireRapport(models.Model):
    """A short text for one section of a campaign's departmental report (the printed plaquette), written by the
    pilote or a mandated correspondent before publication; frozen once the campaign is published."""

    class Section(models.TextChoices):
        EDITORIAL = "editorial", "Éditorial (couverture)"
        CARTE = "carte", "Les structures sur le territoire"
        PUBLICS = "publics", "Publics"
        BENEVOLAT = "benevolat", "Bénévolat et gouvernance"
        FINANCEMENTS = "financements", "Financements"
        PARTENARIATS = "partenariats", "Partenariats"
        THEMES = "themes", "Projets et thèmes d'action"

    campagne = models.ForeignKey(Campagne, on_delete=models.CASCADE, related_name="commentaires_rapport")
    section = models.CharField(max_length=20, choices=Section.choices)
    texte = models.TextField(max_length=1500)
    auteur = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    modifie_le = models.DateTimeField("modifié le", auto_now=True)

    class Meta:
        verbose_name = "commentaire du rapport"
        verbose_name_plural = "commentaires du rapport"
        ordering = ["campagne", "section"]
        constraints = [
            models.UniqueConstraint(fields=["campagne", "section"], name="commentaire_rapport_unique_section"),
            models.CheckConstraint(condition=~Q(texte=""), name="commentaire_rapport_non_vide"),
        ]

    def __str__(self):
        return f"{self.get_section_display()} — {self.campagne}"


class ValeurReference(models.Model):
    """A published reference figure (SENACS national or regional sheet, a Caf's plaquette) that the results are
    read against, imported from a file (`importer_references`, see `references`). One value per indicator, year,
    level and territory; `illustratif` marks figures that are not official (the demo's)."""

    class Niveau(models.TextChoices):
        NATIONAL = "national", "National"
        REGIONAL = "regional", "Régional"
        DEPARTEMENTAL = "departemental", "Départemental"

    indicateur = models.CharField(max_length=50, help_text="Code de `references.INDICATEURS_REFERENCE`")
    annee = models.PositiveSmallIntegerField("année", help_text="Année de l'enquête publiée (SENACS 2016)")
    niveau = models.CharField(max_length=15, choices=Niveau.choices)
    territoire = models.CharField(
        max_length=3, blank=True, help_text="Code de la région ou du département ; vide pour un chiffre national"
    )
    valeur = models.DecimalField(max_digits=18, decimal_places=4)
    unite = models.CharField("unité", max_length=20)
    source = models.CharField(max_length=300)
    url = models.URLField("adresse de la source", max_length=500, blank=True)
    illustratif = models.BooleanField(
        default=False, help_text="Valeur illustrative, non officielle (démonstration) : dit comme tel à l'écran"
    )
    chargement = models.ForeignKey(
        "territoires.Chargement", on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    importe_par = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    modifie_le = models.DateTimeField("modifié le", auto_now=True)

    class Meta:
        verbose_name = "valeur de référence publiée"
        verbose_name_plural = "valeurs de référence publiées"
        ordering = ["indicateur", "-annee", "niveau", "territoire"]
        constraints = [
            models.UniqueConstraint(
                fields=["indicateur", "annee", "niveau", "territoire"], name="valeur_reference_unique"
            ),
            models.CheckConstraint(
                condition=Q(niveau="national", territoire="") | (~Q(niveau="national") & ~Q(territoire="")),
                name="valeur_reference_territoire_selon_niveau",
            ),
            models.CheckConstraint(condition=~Q(source=""), name="valeur_reference_source_requise"),
        ]

    def __str__(self):
        lieu = f" {self.territoire}" if self.territoire else ""
        return f"{self.indicateur} {self.annee} ({self.get_niveau_display()}{lieu}) : {self.valeur}"

    @property
    def libelle(self) -> str:
        from .references import PAR_CODE  # pure module; imported here to keep models free of the file reader

        indicateur = PAR_CODE.get(self.indicateur)
        return indicateur.libelle if indicateur else self.indicateur

    @property
    def valeur_nombre(self) -> float:
        return float(self.valeur)
