"""The schéma directeur de l'animation de la vie sociale (SDAVS) as data.

A département's schéma (several over time) holds its enjeux and directions de progrès, its axes → orientations →
fiches actions (with milestones and comments), its indicators (manual or computed from the other apps, with dated
values) and its governance (instances, meetings, decisions). Progress rolls up from the actions
(`progression.py`, no Django). Writes go through `services`; reads through `selectors`.
"""

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import F, Q

from maillage.core.versions import Versionne


class Schema(Versionne):
    class Statut(models.TextChoices):
        EN_ELABORATION = "en_elaboration", "En élaboration"
        ADOPTE = "adopte", "Adopté"
        EN_COURS = "en_cours", "En cours"
        EVALUE = "evalue", "Évalué"
        CLOS = "clos", "Clos"

    departement = models.ForeignKey(
        "territoires.Departement", on_delete=models.PROTECT, related_name="schemas", verbose_name="département"
    )
    titre = models.CharField(max_length=250)
    debut = models.PositiveSmallIntegerField("première année")
    fin = models.PositiveSmallIntegerField("dernière année")
    statut = models.CharField(max_length=20, choices=Statut.choices, default=Statut.EN_ELABORATION)
    date_adoption = models.DateField("date d'adoption", null=True, blank=True)
    signataires = models.ManyToManyField(
        "comptes.Organisation", related_name="schemas_signes", blank=True, verbose_name="signataires"
    )
    realise_par = models.CharField(
        "élaboration accompagnée par", max_length=250, blank=True, help_text="Cabinet ou équipe qui l'a produit"
    )
    presentation = models.TextField("présentation", blank=True)
    resume_diagnostic = models.TextField("synthèse du diagnostic", blank=True)
    # Figures of the registry and the diagnostic frozen at the adoption date: {"date": ISO, "chiffres": {...}}.
    diagnostic_fige = models.JSONField("chiffres du diagnostic figés", default=dict, blank=True)
    precedent = models.ForeignKey(
        "self",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="suivants",
        verbose_name="schéma précédent",
        help_text="Le schéma dont celui-ci est parti (copie)",
    )
    cree_le = models.DateTimeField(auto_now_add=True)
    modifie_le = models.DateTimeField(auto_now=True)

    STATUTS_PUBLICS = (Statut.ADOPTE, Statut.EN_COURS, Statut.EVALUE, Statut.CLOS)

    class Meta:
        verbose_name = "schéma directeur"
        verbose_name_plural = "schémas directeurs"
        ordering = ["departement", "-debut", "pk"]
        constraints = [
            models.CheckConstraint(condition=Q(fin__gte=F("debut")), name="schema_fin_apres_debut"),
            models.CheckConstraint(condition=~Q(titre=""), name="schema_titre_non_vide"),
            models.CheckConstraint(
                condition=Q(statut="en_elaboration") | Q(date_adoption__isnull=False),
                name="schema_adopte_date",
            ),
        ]

    def __str__(self):
        return self.titre

    @property
    def public(self) -> bool:
        """Adopted (or later): its public page is open to all."""
        return self.statut in self.STATUTS_PUBLICS

    @property
    def periode(self) -> str:
        return f"{self.debut}-{self.fin}"


class TransitionSchema(models.Model):
    """A dated change of a schéma's status (en élaboration → adopté → en cours → évalué → clos)."""

    schema = models.ForeignKey(Schema, on_delete=models.CASCADE, related_name="transitions")
    de = models.CharField(max_length=20, choices=Schema.Statut.choices, blank=True)
    vers = models.CharField(max_length=20, choices=Schema.Statut.choices)
    date = models.DateField("date d'effet")
    par = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    commentaire = models.TextField(blank=True)
    le = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = "changement de statut du schéma"
        verbose_name_plural = "changements de statut du schéma"
        ordering = ["schema", "date", "pk"]

    def __str__(self):
        return f"{self.get_vers_display()} le {self.date:%d/%m/%Y}"


class DocumentSchema(models.Model):
    class Nature(models.TextChoices):
        SCHEMA_SIGNE = "schema_signe", "Schéma signé"
        ANNEXE = "annexe", "Annexe"
        DIAGNOSTIC = "diagnostic", "Diagnostic"
        EVALUATION = "evaluation", "Évaluation"
        AUTRE = "autre", "Autre"

    schema = models.ForeignKey(Schema, on_delete=models.CASCADE, related_name="documents")
    nature = models.CharField(max_length=20, choices=Nature.choices)
    titre = models.CharField(max_length=250)
    fichier = models.FileField(upload_to="schemas/%Y/")
    public = models.BooleanField("visible sur la page publique", default=False)
    depose_par = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    depose_le = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = "document du schéma"
        verbose_name_plural = "documents du schéma"
        ordering = ["schema", "nature", "titre"]

    def __str__(self):
        return self.titre


class ElementNumerote(models.Model):
    """An ordered, numbered item of text (enjeu, direction de progrès, axe, orientation)."""

    numero = models.PositiveSmallIntegerField("numéro")
    titre = models.CharField(max_length=500)
    texte = models.TextField(blank=True)

    class Meta:
        abstract = True
        ordering = ["numero"]

    def __str__(self):
        return f"{self.numero}. {self.titre}"


class Enjeu(ElementNumerote):
    schema = models.ForeignKey(Schema, on_delete=models.CASCADE, related_name="enjeux")

    class Meta(ElementNumerote.Meta):
        verbose_name = "enjeu"
        constraints = [models.UniqueConstraint(fields=["schema", "numero"], name="enjeu_numero_unique")]


class DirectionProgres(ElementNumerote):
    schema = models.ForeignKey(Schema, on_delete=models.CASCADE, related_name="directions")

    class Meta(ElementNumerote.Meta):
        verbose_name = "direction de progrès"
        verbose_name_plural = "directions de progrès"
        constraints = [models.UniqueConstraint(fields=["schema", "numero"], name="direction_numero_unique")]


class Axe(ElementNumerote):
    schema = models.ForeignKey(Schema, on_delete=models.CASCADE, related_name="axes")

    class Meta(ElementNumerote.Meta):
        verbose_name = "axe"
        constraints = [models.UniqueConstraint(fields=["schema", "numero"], name="axe_numero_unique")]


class Orientation(ElementNumerote):
    axe = models.ForeignKey(Axe, on_delete=models.CASCADE, related_name="orientations")

    class Meta(ElementNumerote.Meta):
        verbose_name = "orientation"
        constraints = [models.UniqueConstraint(fields=["axe", "numero"], name="orientation_numero_unique")]

    @property
    def code(self) -> str:
        return f"{self.axe.numero}.{self.numero}"


class FicheAction(Versionne):
    class Statut(models.TextChoices):
        A_LANCER = "a_lancer", "À lancer"
        EN_COURS = "en_cours", "En cours"
        REALISEE = "realisee", "Réalisée"
        REPORTEE = "reportee", "Reportée"
        ABANDONNEE = "abandonnee", "Abandonnée"

    # Denormalised from orientation → axe → schema: scope checks and lists without joins.
    schema = models.ForeignKey(Schema, on_delete=models.CASCADE, related_name="fiches")
    orientation = models.ForeignKey(Orientation, on_delete=models.PROTECT, related_name="fiches")
    numero = models.CharField("numéro", max_length=20, help_text="Par exemple 1.2.3 ou A3")
    titre = models.CharField(max_length=300)
    objectifs = models.TextField(blank=True)
    description = models.TextField(blank=True)
    pilote = models.ForeignKey(
        "comptes.Organisation",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="fiches_pilotees",
        verbose_name="organisation pilote",
    )
    partenaires = models.ManyToManyField(
        "comptes.Organisation", related_name="fiches_partenaires", blank=True, verbose_name="organisations partenaires"
    )
    referents = models.ManyToManyField(
        settings.AUTH_USER_MODEL,
        related_name="fiches_action_suivies",
        blank=True,
        verbose_name="référents",
        help_text="Comptes (conseillers, partenaires) chargés de tenir la fiche à jour",
    )
    publics = models.TextField("publics visés", blank=True)
    communes = models.ManyToManyField("territoires.Commune", related_name="fiches_action", blank=True)
    epci = models.ManyToManyField("territoires.EPCI", related_name="fiches_action", blank=True, verbose_name="EPCI")
    # EPT of the Métropole du Grand Paris and the groupings of a Caf or a Département (`territoires.perimetres`).
    regroupements = models.ManyToManyField(
        "territoires.Regroupement",
        related_name="fiches_action",
        blank=True,
        verbose_name="EPT et regroupements de communes",
    )
    qpv = models.ManyToManyField("territoires.QPV", related_name="fiches_action", blank=True, verbose_name="QPV")
    structures = models.ManyToManyField(
        "structures.Structure", related_name="fiches_action", blank=True, verbose_name="structures concernées"
    )
    debut = models.DateField("début", null=True, blank=True)
    fin = models.DateField("fin", null=True, blank=True)
    statut = models.CharField(max_length=20, choices=Statut.choices, default=Statut.A_LANCER)
    avancement = models.PositiveSmallIntegerField(
        "avancement (%)", default=0, validators=[MinValueValidator(0), MaxValueValidator(100)]
    )
    poids = models.PositiveSmallIntegerField(
        "poids", default=1, validators=[MinValueValidator(1), MaxValueValidator(100)],
        help_text="Poids de l'action dans l'avancement de son orientation, de son axe et du schéma",
    )  # fmt: skip
    budget = models.DecimalField("budget prévu (€)", max_digits=12, decimal_places=2, null=True, blank=True)
    fictive = models.BooleanField("fiche fictive (démonstration)", default=False, editable=False)
    cree_le = models.DateTimeField(auto_now_add=True)
    modifie_le = models.DateTimeField(auto_now=True)

    STATUTS_ACTIFS = (Statut.A_LANCER, Statut.EN_COURS, Statut.REPORTEE)

    class Meta:
        verbose_name = "fiche action"
        verbose_name_plural = "fiches actions"
        ordering = ["schema", "orientation__axe__numero", "orientation__numero", "numero", "pk"]
        constraints = [
            models.UniqueConstraint(fields=["schema", "numero"], name="fiche_action_numero_unique"),
            models.CheckConstraint(condition=Q(avancement__gte=0, avancement__lte=100), name="fiche_avancement_0_100"),
            models.CheckConstraint(condition=Q(poids__gte=1), name="fiche_poids_positif"),
            models.CheckConstraint(
                condition=Q(debut__isnull=True) | Q(fin__isnull=True) | Q(fin__gte=F("debut")),
                name="fiche_fin_apres_debut",
            ),
            models.CheckConstraint(condition=~Q(titre=""), name="fiche_action_titre_non_vide"),
        ]

    def __str__(self):
        return f"{self.numero} — {self.titre}"


class Jalon(models.Model):
    fiche = models.ForeignKey(FicheAction, on_delete=models.CASCADE, related_name="jalons")
    libelle = models.CharField("libellé", max_length=300)
    echeance = models.DateField("échéance")
    fait = models.BooleanField(default=False)
    fait_le = models.DateField("fait le", null=True, blank=True)

    class Meta:
        verbose_name = "jalon"
        ordering = ["fiche", "echeance", "pk"]
        constraints = [models.CheckConstraint(condition=Q(fait=True) | Q(fait_le__isnull=True), name="jalon_fait_le")]

    def __str__(self):
        return self.libelle

    def en_retard(self, jour) -> bool:
        return not self.fait and self.echeance < jour


class CommentaireAction(models.Model):
    """A comment on a fiche action; with the status and progress it set, if it came with an update."""

    fiche = models.ForeignKey(FicheAction, on_delete=models.CASCADE, related_name="commentaires")
    auteur = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    auteur_libelle = models.CharField("auteur (libellé)", max_length=300, blank=True)
    texte = models.TextField()
    statut = models.CharField(max_length=20, choices=FicheAction.Statut.choices, blank=True)
    avancement = models.PositiveSmallIntegerField(null=True, blank=True)
    le = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = "commentaire d'une fiche action"
        verbose_name_plural = "commentaires des fiches actions"
        ordering = ["fiche", "-le", "-pk"]

    def __str__(self):
        return self.texte[:80]


class Indicateur(Versionne):
    class Sens(models.TextChoices):
        HAUSSE = "hausse", "Plus c'est haut, mieux c'est"
        BAISSE = "baisse", "Plus c'est bas, mieux c'est"

    class Source(models.TextChoices):
        MANUEL = "manuel", "Saisi"
        CALCULE = "calcule", "Calculé"

    schema = models.ForeignKey(Schema, on_delete=models.CASCADE, related_name="indicateurs")
    # Attached to the schéma itself, or to one axe, or to one fiche action.
    axe = models.ForeignKey(Axe, on_delete=models.CASCADE, null=True, blank=True, related_name="indicateurs")
    fiche = models.ForeignKey(FicheAction, on_delete=models.CASCADE, null=True, blank=True, related_name="indicateurs")
    code = models.CharField(max_length=30)
    libelle = models.CharField("libellé", max_length=300)
    unite = models.CharField("unité", max_length=30, blank=True)
    sens = models.CharField(max_length=10, choices=Sens.choices, default=Sens.HAUSSE)
    source = models.CharField(max_length=10, choices=Source.choices, default=Source.MANUEL)
    # For a computed indicator: the code of its definition in the catalogue and its parameters.
    definition = models.CharField("définition (catalogue)", max_length=60, blank=True)
    parametres = models.JSONField("paramètres", default=dict, blank=True)
    reference_valeur = models.DecimalField(
        "valeur de référence", max_digits=16, decimal_places=4, null=True, blank=True
    )
    reference_date = models.DateField("date de référence", null=True, blank=True)
    cible_valeur = models.DecimalField("cible", max_digits=16, decimal_places=4, null=True, blank=True)
    cible_date = models.DateField("date de la cible", null=True, blank=True)
    ordre = models.PositiveSmallIntegerField(default=0)
    # The data version its computed values were last brought up to (see services.indicateurs_recalculer).
    version_donnees = models.CharField(max_length=100, blank=True, editable=False)

    class Meta:
        verbose_name = "indicateur"
        ordering = ["schema", "ordre", "code"]
        constraints = [
            models.UniqueConstraint(fields=["schema", "code"], name="indicateur_code_unique"),
            models.CheckConstraint(
                condition=Q(source="manuel") | ~Q(definition=""), name="indicateur_calcule_a_une_definition"
            ),
            models.CheckConstraint(
                condition=Q(axe__isnull=True) | Q(fiche__isnull=True), name="indicateur_un_seul_rattachement"
            ),
        ]

    def __str__(self):
        return f"{self.code} — {self.libelle}"


class ValeurIndicateur(Versionne):
    """One dated value of an indicator: typed in (with author and comment) or computed (with its method).

    A computed value at 31 December of a closed year is frozen (`figee`): later changes of the data do not touch it."""

    indicateur = models.ForeignKey(Indicateur, on_delete=models.CASCADE, related_name="valeurs")
    date = models.DateField()
    valeur = models.DecimalField(max_digits=16, decimal_places=4)
    source = models.CharField(max_length=10, choices=Indicateur.Source.choices)
    auteur = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    commentaire = models.TextField(blank=True)
    methode = models.TextField("méthode de calcul", blank=True)
    version_donnees = models.CharField(max_length=100, blank=True)
    figee = models.BooleanField("figée", default=False)
    le = models.DateTimeField("enregistrée le", auto_now=True)

    class Meta:
        verbose_name = "valeur d'indicateur"
        verbose_name_plural = "valeurs d'indicateurs"
        ordering = ["indicateur", "date"]
        constraints = [models.UniqueConstraint(fields=["indicateur", "date"], name="valeur_indicateur_unique")]

    def __str__(self):
        return f"{self.valeur} au {self.date:%d/%m/%Y}"


class Instance(Versionne):
    """A body of the schéma's governance: COPIL, COTECH, a working group."""

    class Type(models.TextChoices):
        COPIL = "copil", "Comité de pilotage (COPIL)"
        COTECH = "cotech", "Comité technique (COTECH)"
        GROUPE = "groupe", "Groupe de travail"

    schema = models.ForeignKey(Schema, on_delete=models.CASCADE, related_name="instances")
    type = models.CharField(max_length=10, choices=Type.choices)
    nom = models.CharField(max_length=200)
    mission = models.TextField(blank=True)
    organisations = models.ManyToManyField("comptes.Organisation", related_name="instances_schema", blank=True)
    membres = models.ManyToManyField(
        settings.AUTH_USER_MODEL, related_name="instances_schema", blank=True, verbose_name="membres (comptes)"
    )

    class Meta:
        verbose_name = "instance de gouvernance"
        verbose_name_plural = "instances de gouvernance"
        ordering = ["schema", "type", "nom"]
        constraints = [models.UniqueConstraint(fields=["schema", "nom"], name="instance_nom_unique")]

    def __str__(self):
        return self.nom


class Reunion(Versionne):
    instance = models.ForeignKey(Instance, on_delete=models.CASCADE, related_name="reunions")
    date = models.DateTimeField()
    lieu = models.CharField(max_length=300, blank=True)
    ordre_du_jour = models.TextField("ordre du jour", blank=True)
    organisations_presentes = models.ManyToManyField(
        "comptes.Organisation", related_name="reunions_schema", blank=True, verbose_name="organisations présentes"
    )
    presents = models.ManyToManyField(
        settings.AUTH_USER_MODEL, related_name="reunions_schema", blank=True, verbose_name="présents (comptes)"
    )
    compte_rendu = models.TextField("compte rendu", blank=True)
    compte_rendu_fichier = models.FileField("compte rendu (fichier)", upload_to="schemas/reunions/%Y/", blank=True)
    # Progress of the schéma and of each axe when the meeting was held: the next meeting shows what moved since.
    # {"date": ISO, "schema": float|None, "axes": {"<numéro>": float|None}}
    avancements_figes = models.JSONField("avancements au jour de la réunion", default=dict, blank=True)
    cree_le = models.DateTimeField(auto_now_add=True)
    modifie_le = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = "réunion"
        ordering = ["instance", "-date"]

    def __str__(self):
        return f"{self.instance.nom} du {self.date:%d/%m/%Y}"


class Decision(Versionne):
    class Statut(models.TextChoices):
        A_FAIRE = "a_faire", "À faire"
        EN_COURS = "en_cours", "En cours"
        FAITE = "faite", "Faite"
        ABANDONNEE = "abandonnee", "Abandonnée"

    reunion = models.ForeignKey(Reunion, on_delete=models.CASCADE, related_name="decisions")
    texte = models.TextField()
    fiches = models.ManyToManyField(FicheAction, related_name="decisions", blank=True, verbose_name="fiches actions")
    responsable = models.ForeignKey(
        "comptes.Organisation",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="decisions_schema",
        verbose_name="organisation responsable",
    )
    echeance = models.DateField("échéance", null=True, blank=True)
    statut = models.CharField(max_length=20, choices=Statut.choices, default=Statut.A_FAIRE)
    cree_le = models.DateTimeField(auto_now_add=True)
    modifie_le = models.DateTimeField(auto_now=True)

    STATUTS_OUVERTS = (Statut.A_FAIRE, Statut.EN_COURS)

    class Meta:
        verbose_name = "décision"
        ordering = ["reunion", "pk"]

    def __str__(self):
        return self.texte[:80]
