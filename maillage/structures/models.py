"""The registry of centres sociaux and espaces de vie sociale, their agréments and projets sociaux.

A structure is *active* at a date when it holds an agrément (accordé, or since expired) covering that
date; the rules on agréments (durations, overlaps, compatible types, dated rule sets) live in
`maillage.structures.regles` and are enforced by the services, the only writers.
"""

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import F, Q

from maillage.core.versions import Versionne

from .siret import erreur_siret, normaliser


def valider_siret(valeur: str) -> None:
    if valeur and (raison := erreur_siret(valeur)):
        raise ValidationError(raison, code="siret")


class TypeStructure(models.TextChoices):
    CENTRE_SOCIAL = "centre_social", "Centre social"
    EVS = "evs", "Espace de vie sociale"


class ModeGestion(models.TextChoices):
    """SENACS's grouping of management modes."""

    ASSOCIATIVE = "associative", "Associatif"
    COLLECTIVITE = "collectivite", "Collectivité locale"
    AUTRE = "autre", "Autre (dont délégation)"


class Gestionnaire(models.Model):
    """The legal manager of one or several structures.

    SENACS groups management modes as associatif / collectivité locale / « autre (dont délégation) »: an
    association running a centre under a délégation de service public or a public contract counts in the
    last group, not as associatif. So the group (`mode_gestion`) follows the legal form **and** how the
    manager was appointed (`designation`), see `mode_gestion_de`.
    """

    class FormeJuridique(models.TextChoices):
        ASSOCIATION = "association", "Association loi 1901"
        COMMUNE = "commune", "Commune"
        CCAS = "ccas", "CCAS"
        CIAS = "cias", "CIAS"
        EPCI = "epci", "EPCI"
        CAF = "caf", "Caf (gestion directe)"
        AUTRE = "autre", "Autre"

    MODES = {
        FormeJuridique.ASSOCIATION: ModeGestion.ASSOCIATIVE,
        FormeJuridique.COMMUNE: ModeGestion.COLLECTIVITE,
        FormeJuridique.CCAS: ModeGestion.COLLECTIVITE,
        FormeJuridique.CIAS: ModeGestion.COLLECTIVITE,
        FormeJuridique.EPCI: ModeGestion.COLLECTIVITE,
        FormeJuridique.CAF: ModeGestion.AUTRE,
        FormeJuridique.AUTRE: ModeGestion.AUTRE,
    }

    class Designation(models.TextChoices):
        ASSOCIATION = "association", "Association (projet porté par l'association elle-même)"
        REGIE = "regie", "Collectivité en régie"
        DELEGATION = "delegation", "Délégation de service public ou marché public"
        AUTRE = "autre", "Autre"

    # Default appointment for a legal form (used when none is given and by the migration of existing rows).
    DESIGNATIONS_PAR_DEFAUT = {
        FormeJuridique.ASSOCIATION: Designation.ASSOCIATION,
        FormeJuridique.COMMUNE: Designation.REGIE,
        FormeJuridique.CCAS: Designation.REGIE,
        FormeJuridique.CIAS: Designation.REGIE,
        FormeJuridique.EPCI: Designation.REGIE,
        FormeJuridique.CAF: Designation.AUTRE,
        FormeJuridique.AUTRE: Designation.AUTRE,
    }

    nom = models.CharField(max_length=250)
    forme_juridique = models.CharField("forme juridique", max_length=20, choices=FormeJuridique.choices)
    designation = models.CharField(
        "mode de désignation du gestionnaire",
        max_length=20,
        choices=Designation.choices,
        blank=True,
        help_text="Comment le gestionnaire a été désigné : une délégation de service public ou un marché public "
        "range la structure dans « Autre (dont délégation) » de SENACS, même gérée par une association.",
    )
    # Derived from the legal form and the appointment on save; stored so that lists filter and group on it.
    mode_gestion = models.CharField(
        "mode de gestion (SENACS)", max_length=20, choices=ModeGestion.choices, editable=False
    )
    siret = models.CharField("SIRET", max_length=14, blank=True, validators=[valider_siret])
    commune = models.ForeignKey(
        "territoires.Commune", on_delete=models.PROTECT, null=True, blank=True, related_name="gestionnaires"
    )
    est_demo = models.BooleanField("donnée de démonstration (fictive)", default=False)
    cree_le = models.DateTimeField(auto_now_add=True)
    modifie_le = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = "gestionnaire"
        ordering = ["nom"]

    def __str__(self):
        return self.nom

    def save(self, *args, **kwargs):
        self.siret = normaliser(self.siret or "")
        if not self.designation:
            self.designation = self.DESIGNATIONS_PAR_DEFAUT[self.forme_juridique]
        self.mode_gestion = self.mode_gestion_de(self.forme_juridique, self.designation)
        super().save(*args, **kwargs)

    @classmethod
    def mode_gestion_de(cls, forme_juridique: str, designation: str = "") -> str:
        """SENACS group: a delegation (DSP, public contract) is « autre », whatever the legal form."""
        if designation == cls.Designation.DELEGATION:
            return ModeGestion.AUTRE
        return cls.MODES[forme_juridique]


class SituationQPV(models.TextChoices):
    DANS_QPV = "dans_qpv", "Implantée dans un QPV"
    PROXIMITE = "proximite", "Au service d'un QPV sans y être implantée"
    AUCUNE = "aucune", "Ni l'un ni l'autre"


class Structure(Versionne):
    type = models.CharField(max_length=20, choices=TypeStructure.choices)
    nom = models.CharField(max_length=250)
    siret = models.CharField("SIRET", max_length=14, blank=True, validators=[valider_siret])
    gestionnaire = models.ForeignKey(Gestionnaire, on_delete=models.PROTECT, related_name="structures")

    adresse = models.CharField(max_length=250, blank=True)
    code_postal = models.CharField(max_length=5, blank=True)
    commune = models.ForeignKey("territoires.Commune", on_delete=models.PROTECT, related_name="structures")
    # Denormalised from the commune on save: every scope check and list filters on it.
    departement = models.ForeignKey(
        "territoires.Departement", on_delete=models.PROTECT, related_name="structures", editable=False
    )
    longitude = models.FloatField(null=True, blank=True)
    latitude = models.FloatField(null=True, blank=True)

    communes_competence = models.ManyToManyField(
        "territoires.Commune", related_name="structures_competentes", blank=True, verbose_name="zone de compétence"
    )
    qpv_competence = models.ManyToManyField(
        "territoires.QPV", related_name="structures_competentes", blank=True, verbose_name="QPV de la zone"
    )

    date_premier_agrement = models.DateField("date du premier agrément", null=True, blank=True)
    date_ouverture = models.DateField("date d'ouverture", null=True, blank=True)
    date_fermeture = models.DateField("date de fermeture", null=True, blank=True)

    # SENACS flags.
    multi_sites = models.BooleanField("multi-sites", default=False)
    itinerante = models.BooleanField("itinérante", default=False)
    gens_du_voyage = models.BooleanField("dédiée aux gens du voyage", default=False)
    situation_qpv = models.CharField(
        "situation au regard des QPV", max_length=20, choices=SituationQPV.choices, default=SituationQPV.AUCUNE
    )
    adherent_federation = models.BooleanField("adhérente à la fédération des centres sociaux", default=False)

    # Public contact details of the structure itself (not personal data).
    telephone = models.CharField("téléphone", max_length=20, blank=True)
    email = models.EmailField("e-mail", blank=True)
    site_web = models.URLField("site web", blank=True)
    presentation = models.TextField("présentation", blank=True)

    est_demo = models.BooleanField("donnée de démonstration (fictive)", default=False)
    cree_le = models.DateTimeField(auto_now_add=True)
    modifie_le = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = "structure"
        ordering = ["nom"]
        indexes = [models.Index(fields=["departement", "type"]), models.Index(fields=["departement", "nom"])]
        constraints = [
            models.CheckConstraint(
                condition=Q(date_fermeture__isnull=True)
                | Q(date_ouverture__isnull=True)
                | Q(date_fermeture__gte=F("date_ouverture")),
                name="structure_fermeture_apres_ouverture",
                violation_error_message="La date de fermeture doit suivre la date d'ouverture.",
            )
        ]

    def __str__(self):
        return self.nom

    def save(self, *args, **kwargs):
        self.siret = normaliser(self.siret or "")
        self.departement_id = self.commune.departement_id
        super().save(*args, **kwargs)

    @property
    def position(self) -> tuple[float, float] | None:
        if self.longitude is None or self.latitude is None:
            return None
        return (self.longitude, self.latitude)


class Contact(Versionne):
    """A person to reach at a structure: personal data, kept minimal, with its legal basis (GDPR)."""

    class Fonction(models.TextChoices):
        DIRECTION = "direction", "Direction"
        PRESIDENCE = "presidence", "Présidence"
        REFERENT_FAMILLES = "referent_familles", "Référent·e familles"
        ACCUEIL = "accueil", "Accueil"
        AUTRE = "autre", "Autre"

    class BaseLegale(models.TextChoices):
        MISSION_PUBLIQUE = "mission_publique", "Mission d'intérêt public (RGPD art. 6-1-e)"
        CONSENTEMENT = "consentement", "Consentement (RGPD art. 6-1-a)"
        INTERET_LEGITIME = "interet_legitime", "Intérêt légitime (RGPD art. 6-1-f)"

    structure = models.ForeignKey(Structure, on_delete=models.CASCADE, related_name="contacts")
    fonction = models.CharField(max_length=20, choices=Fonction.choices)
    prenom = models.CharField("prénom", max_length=100)
    nom = models.CharField(max_length=100)
    email = models.EmailField("e-mail professionnel", blank=True)
    telephone = models.CharField("téléphone professionnel", max_length=20, blank=True)
    base_legale = models.CharField(
        "base légale", max_length=20, choices=BaseLegale.choices, default=BaseLegale.MISSION_PUBLIQUE
    )
    consentement_le = models.DateField("consentement recueilli le", null=True, blank=True)
    # Personal data never appears publicly unless the person agreed to it.
    public = models.BooleanField("visible sur la fiche publique", default=False)
    cree_le = models.DateTimeField(auto_now_add=True)
    modifie_le = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = "contact"
        ordering = ["structure", "fonction", "nom"]
        constraints = [
            models.CheckConstraint(
                condition=~Q(base_legale="consentement") | Q(consentement_le__isnull=False),
                name="contact_consentement_date",
                violation_error_message="Un contact fondé sur le consentement doit en dater le recueil.",
            ),
            models.CheckConstraint(
                condition=Q(public=False) | Q(consentement_le__isnull=False),
                name="contact_public_avec_consentement",
                violation_error_message="Un contact n'est public qu'avec le consentement daté de la personne.",
            ),
        ]

    def __str__(self):
        return f"{self.prenom} {self.nom} ({self.get_fonction_display()})"


class ProjetSocial(Versionne):
    """The structure's (usually 4-year) project, built with the inhabitants."""

    structure = models.ForeignKey(Structure, on_delete=models.CASCADE, related_name="projets_sociaux")
    intitule = models.CharField("intitulé", max_length=250)
    debut = models.DateField("début")
    fin = models.DateField()
    diagnostic = models.TextField("diagnostic partagé (synthèse)", blank=True)
    axes = models.TextField("axes du projet", blank=True)
    cree_le = models.DateTimeField(auto_now_add=True)
    modifie_le = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = "projet social"
        verbose_name_plural = "projets sociaux"
        ordering = ["structure", "-debut"]
        constraints = [
            models.CheckConstraint(
                condition=Q(fin__gt=F("debut")),
                name="projet_social_fin_apres_debut",
                violation_error_message="La fin du projet social doit suivre son début.",
            )
        ]

    def __str__(self):
        return f"{self.intitule} ({self.debut:%Y}-{self.fin:%Y})"


def _chemin_document(instance, nom_fichier):
    return f"structures/{instance.projet.structure_id}/projets/{instance.projet_id}/{nom_fichier}"


class DocumentProjet(models.Model):
    class Nature(models.TextChoices):
        PROJET_SOCIAL = "projet_social", "Projet social"
        DIAGNOSTIC = "diagnostic", "Diagnostic partagé"
        EVALUATION = "evaluation", "Évaluation du projet précédent"
        PROJET_FAMILLES = "projet_familles", "Projet familles (ACF)"
        BUDGET = "budget", "Budget"
        AUTRE = "autre", "Autre"

    projet = models.ForeignKey(ProjetSocial, on_delete=models.CASCADE, related_name="documents")
    nature = models.CharField(max_length=20, choices=Nature.choices)
    titre = models.CharField(max_length=250)
    fichier = models.FileField(upload_to=_chemin_document)
    depose_par = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True)
    depose_le = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = "document de projet social"
        ordering = ["projet", "nature", "titre"]

    def __str__(self):
        return self.titre


class TypeAgrement(models.TextChoices):
    ANIMATION_GLOBALE = "animation_globale", "Animation globale (centre social)"
    ACF = "acf", "Animation collective familles (ACF)"
    ANIMATION_LOCALE = "animation_locale", "Animation locale (EVS)"


class Agrement(Versionne):
    """A decision of the Caf's board on a projet social, for 1 to 4 years."""

    class Statut(models.TextChoices):
        EN_INSTRUCTION = "en_instruction", "En instruction"
        ACCORDE = "accorde", "Accordé"
        REFUSE = "refuse", "Refusé"
        EXPIRE = "expire", "Expiré"

    structure = models.ForeignKey(Structure, on_delete=models.CASCADE, related_name="agrements")
    type = models.CharField(max_length=30, choices=TypeAgrement.choices)
    debut = models.DateField("début")
    fin = models.DateField("fin")
    statut = models.CharField(max_length=20, choices=Statut.choices, default=Statut.EN_INSTRUCTION)
    # The dated rule set the decision was taken under (see regles.py): history is never rewritten.
    referentiel = models.CharField("référentiel de règles", max_length=30, default="circulaire_2012")
    date_decision = models.DateField("date de la décision du conseil d'administration", null=True, blank=True)
    instance = models.CharField("instance de décision", max_length=200, blank=True)
    projet_social = models.ForeignKey(
        ProjetSocial, on_delete=models.SET_NULL, null=True, blank=True, related_name="agrements"
    )
    commentaire = models.TextField("commentaire du ou de la pilote", blank=True)
    cree_le = models.DateTimeField(auto_now_add=True)
    modifie_le = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = "agrément"
        ordering = ["structure", "-debut"]
        indexes = [models.Index(fields=["statut", "debut", "fin"]), models.Index(fields=["fin"])]
        constraints = [
            models.CheckConstraint(
                condition=Q(fin__gt=F("debut")),
                name="agrement_fin_apres_debut",
                violation_error_message="La fin de l'agrément doit suivre son début.",
            )
        ]

    def __str__(self):
        return f"{self.get_type_display()} {self.debut:%d/%m/%Y} → {self.fin:%d/%m/%Y} ({self.get_statut_display()})"


class EvaluationCritere(models.Model):
    """The assessment of one criterion of the rule set, recorded with the agrément decision."""

    class Appreciation(models.TextChoices):
        SATISFAIT = "satisfait", "Satisfait"
        PARTIEL = "partiel", "Partiellement satisfait"
        NON_SATISFAIT = "non_satisfait", "Non satisfait"

    agrement = models.ForeignKey(Agrement, on_delete=models.CASCADE, related_name="evaluations")
    critere = models.CharField("critère", max_length=50)
    appreciation = models.CharField("appréciation", max_length=20, choices=Appreciation.choices)
    commentaire = models.TextField(blank=True)

    class Meta:
        verbose_name = "évaluation d'un critère"
        ordering = ["agrement", "critere"]
        constraints = [models.UniqueConstraint(fields=["agrement", "critere"], name="evaluation_critere_unique")]

    def __str__(self):
        return f"{self.critere} : {self.get_appreciation_display()}"


class ParametresAgrements(Versionne):
    """A département's dated transition rules on agréments, set by its pilote or an admin (see regles.py).

    `transition_acf`: what happens to a separate ACF agrément starting on or after 1 January 2027, while the
    Cnaf merges the animation globale and ACF prestations (2027-2030). Without a row: `avertissement`.
    """

    class TransitionACF(models.TextChoices):
        AVERTISSEMENT = "avertissement", "Avertissement : l'agrément ACF reste possible, avec un message"
        REFUS = "refus", "Refus : plus d'agrément ACF distinct, le volet familles relève de l'animation globale"

    departement = models.OneToOneField(
        "territoires.Departement", on_delete=models.CASCADE, related_name="parametres_agrements"
    )
    transition_acf = models.CharField(
        "agrément ACF à partir du 1er janvier 2027",
        max_length=20,
        choices=TransitionACF.choices,
        default=TransitionACF.AVERTISSEMENT,
    )
    modifie_par = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True)
    modifie_le = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = "règles de transition des agréments"
        verbose_name_plural = "règles de transition des agréments"

    def __str__(self):
        return f"Règles de transition des agréments — {self.departement}"
