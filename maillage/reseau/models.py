"""The partner network of a département and its events, as data.

- the **annuaire**: people of the network (`Personne`), each with a category of the founding document, an
  organisation (`comptes.Organisation`), the legal basis of their contact and a dated consent when consent is the
  basis; `ListeDiffusion` selects people by category, territory or by hand;
- **events** (`Evenement`): a departmental day, a workshop, a committee, a training…, with a programme of
  `SessionProgramme` (plenary, workshop, round table) and their `Intervenant`; a `SerieAteliers` groups the dated
  meetings of one group (the 2016 evaluation workshops), its restitutions are `Ressource` rows;
- **invitations and e-mails**: `Invitation` (one personal link per person and event), `Envoi` (a batch sent in the
  background) and its `Destinataire` rows (one status per recipient);
- **registrations** (`Inscription`): confirmed or on the waiting list, with a personal code (typed at the door or
  read from its QR code) and a secret token for the personal link; `InscriptionSession` the sessions chosen;
- **satisfaction survey** after the event (`EnqueteSatisfaction`, `ReponseSatisfaction`);
- **resources and news**: `Ressource` (document or link, visibility public / réseau / Caf, tags) and `Actualite`.

Writes go through the `services*` modules, reads through the `selectors*` modules; who may do what is in
`permissions.py`.
"""

import secrets

from django.conf import settings
from django.core.validators import MinValueValidator
from django.db import models
from django.db.models import F, Q

from maillage.core.versions import Versionne

# Unambiguous alphabet for the code typed at the door (no 0/O, 1/I/L).
ALPHABET_CODE = "ABCDEFGHJKMNPQRSTUVWXYZ23456789"
LONGUEUR_CODE = 8


def nouveau_code() -> str:
    return "".join(secrets.choice(ALPHABET_CODE) for _ in range(LONGUEUR_CODE))


def nouveau_jeton() -> str:
    return secrets.token_urlsafe(24)


class Categorie(models.TextChoices):
    """The categories of participants listed by the founding document (journée départementale 2016)."""

    ELU = "elu", "Élu·e"
    DIRECTION_COLLECTIVITE = "direction_collectivite", "Direction de collectivité locale"
    CONSEIL_DEPARTEMENTAL = "conseil_departemental", "Conseil départemental"
    PREFECTURE = "prefecture", "Préfecture"
    DDETS = "ddets", "DDETS (ex-DDCS)"
    CENTRE_SOCIAL = "centre_social", "Centre social (présidence, direction, équipe)"
    EVS = "evs", "Espace de vie sociale"
    CCAS = "ccas", "CCAS"
    ASSOCIATION = "association", "Association"
    RPE = "rpe", "Relais petite enfance (ex-RAM)"
    FEDERATION = "federation", "Fédération des centres sociaux"
    CAF = "caf", "Professionnel·le de la Caf"
    AUTRE = "autre", "Autre"


class BaseLegale(models.TextChoices):
    """GDPR article 6 basis of a contact in the annuaire."""

    MISSION_PUBLIQUE = "mission_publique", "Mission d'intérêt public (animation du réseau par la Caf)"
    CONSENTEMENT = "consentement", "Consentement de la personne"
    INTERET_LEGITIME = "interet_legitime", "Intérêt légitime (contact professionnel)"


class Personne(Versionne):
    """A person of the network: a partner's elected official or director, a centre's director, a Caf professional…

    Personal data: seen by the Caf staff of the département and by the person (an account with the same e-mail)."""

    class Origine(models.TextChoices):
        SAISIE = "saisie", "Saisie"
        IMPORT = "import", "Import"
        INSCRIPTION = "inscription", "Inscription à un événement"
        DEMO = "demo", "Démonstration"

    departement = models.ForeignKey(
        "territoires.Departement", on_delete=models.PROTECT, related_name="personnes_reseau", verbose_name="département"
    )
    nom = models.CharField(max_length=150)
    prenom = models.CharField("prénom", max_length=150, blank=True)
    fonction = models.CharField(max_length=200, blank=True)
    organisation = models.ForeignKey(
        "comptes.Organisation", on_delete=models.SET_NULL, null=True, blank=True, related_name="personnes_reseau"
    )
    categorie = models.CharField("catégorie", max_length=30, choices=Categorie.choices)
    # Normalised (stripped, lower case) by the services; unique per département when given.
    email = models.EmailField("adresse e-mail", blank=True)
    telephone = models.CharField("téléphone", max_length=30, blank=True)
    commune = models.ForeignKey(
        "territoires.Commune", on_delete=models.SET_NULL, null=True, blank=True, related_name="+",
        help_text="Commune de rattachement (pour les listes par territoire)",
    )  # fmt: skip
    base_legale = models.CharField(
        "base légale", max_length=30, choices=BaseLegale.choices, default=BaseLegale.MISSION_PUBLIQUE
    )
    consentement_le = models.DateTimeField(
        "consentement donné le", null=True, blank=True, help_text="Obligatoire quand la base légale est le consentement"
    )
    consentement_objet = models.CharField(
        "objet du consentement", max_length=250, blank=True, help_text="Ce à quoi la personne a consenti"
    )
    opposition_le = models.DateTimeField(
        "opposée aux envois depuis le", null=True, blank=True, help_text="La personne ne reçoit plus d'invitations"
    )
    origine = models.CharField(max_length=20, choices=Origine.choices, default=Origine.SAISIE)
    cree_le = models.DateTimeField(auto_now_add=True)
    modifie_le = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = "personne du réseau"
        verbose_name_plural = "personnes du réseau"
        ordering = ["departement", "nom", "prenom", "pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["departement", "email"], condition=~Q(email=""), name="personne_email_unique_par_departement"
            ),
            models.CheckConstraint(
                condition=~Q(base_legale="consentement") | Q(consentement_le__isnull=False),
                name="personne_consentement_date",
            ),
        ]
        indexes = [models.Index(fields=["departement", "categorie"])]

    def __str__(self):
        return self.nom_complet

    @property
    def nom_complet(self) -> str:
        return f"{self.prenom} {self.nom}".strip()


class ListeDiffusion(Versionne):
    """A mailing list: people of given categories and territories, plus people picked by hand."""

    departement = models.ForeignKey(
        "territoires.Departement", on_delete=models.CASCADE, related_name="listes_diffusion", verbose_name="département"
    )
    nom = models.CharField(max_length=150)
    description = models.TextField(blank=True)
    # Category codes (Categorie values); empty = every category.
    categories = models.JSONField("catégories", default=list, blank=True)
    communes = models.ManyToManyField("territoires.Commune", blank=True, related_name="+")
    epci = models.ManyToManyField("territoires.EPCI", blank=True, related_name="+", verbose_name="EPCI / EPT")
    personnes = models.ManyToManyField(
        Personne, blank=True, related_name="listes", verbose_name="personnes ajoutées à la main"
    )
    cree_le = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = "liste de diffusion"
        verbose_name_plural = "listes de diffusion"
        ordering = ["departement", "nom"]
        constraints = [models.UniqueConstraint(fields=["departement", "nom"], name="liste_diffusion_nom_unique")]

    def __str__(self):
        return self.nom


class SerieAteliers(Versionne):
    """Several dated meetings of the same group (e.g. the 2016 evaluation workshops), with their restitutions."""

    departement = models.ForeignKey(
        "territoires.Departement", on_delete=models.CASCADE, related_name="series_ateliers", verbose_name="département"
    )
    titre = models.CharField(max_length=250)
    description = models.TextField(blank=True)
    cree_le = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = "série d'ateliers"
        verbose_name_plural = "séries d'ateliers"
        ordering = ["departement", "-cree_le"]

    def __str__(self):
        return self.titre


class Evenement(Versionne):
    class Type(models.TextChoices):
        JOURNEE = "journee_departementale", "Journée départementale"
        ATELIER = "atelier", "Atelier"
        COMITE = "comite", "Comité"
        FORMATION = "formation", "Formation"
        REUNION = "reunion", "Réunion d'information"
        AUTRE = "autre", "Autre"

    class Acces(models.TextChoices):
        PUBLIC = "public", "Ouvert à tous (inscription publique)"
        INVITATION = "invitation", "Sur invitation (page publique, inscription par lien personnel ou compte)"
        RESEAU = "reseau", "Réservé au réseau (comptes connectés du département)"

    class Statut(models.TextChoices):
        BROUILLON = "brouillon", "Brouillon"
        PUBLIE = "publie", "Publié"
        ANNULE = "annule", "Annulé"

    departement = models.ForeignKey(
        "territoires.Departement", on_delete=models.PROTECT, related_name="evenements", verbose_name="département"
    )
    titre = models.CharField(max_length=250)
    type = models.CharField(max_length=30, choices=Type.choices, default=Type.JOURNEE)
    statut = models.CharField(max_length=20, choices=Statut.choices, default=Statut.BROUILLON)
    acces = models.CharField("accès", max_length=20, choices=Acces.choices, default=Acces.INVITATION)
    debut = models.DateTimeField("début")
    fin = models.DateTimeField()
    lieu_nom = models.CharField("lieu", max_length=200, blank=True)
    lieu_adresse = models.CharField("adresse", max_length=250, blank=True)
    lieu_commune = models.ForeignKey(
        "territoires.Commune",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name="commune",
    )
    longitude = models.FloatField(null=True, blank=True)
    latitude = models.FloatField(null=True, blank=True)
    description = models.TextField(blank=True)
    public_vise = models.CharField("public visé", max_length=250, blank=True)
    organisateur = models.ForeignKey(
        "comptes.Organisation", on_delete=models.SET_NULL, null=True, blank=True, related_name="evenements_organises"
    )
    coorganisateurs = models.ManyToManyField(
        "comptes.Organisation", blank=True, related_name="evenements_coorganises", verbose_name="co-organisateurs"
    )
    capacite = models.PositiveIntegerField(
        "capacité", null=True, blank=True, validators=[MinValueValidator(1)], help_text="Vide : pas de limite"
    )
    date_limite_inscription = models.DateTimeField("date limite d'inscription", null=True, blank=True)
    inscriptions_fermees = models.BooleanField(
        "inscriptions fermées", default=False, help_text="Fermer les inscriptions avant la date limite"
    )
    liste_attente = models.BooleanField(
        "liste d'attente", default=True, help_text="Au-delà de la capacité, les inscrits passent en liste d'attente"
    )
    serie = models.ForeignKey(
        SerieAteliers, on_delete=models.SET_NULL, null=True, blank=True, related_name="seances", verbose_name="série"
    )
    schema = models.ForeignKey(
        "schema.Schema", on_delete=models.SET_NULL, null=True, blank=True, related_name="evenements",
        verbose_name="schéma directeur", help_text="Le schéma dont l'événement anime le réseau (axe 4)",
    )  # fmt: skip
    cree_par = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+")
    cree_le = models.DateTimeField(auto_now_add=True)
    modifie_le = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = "événement"
        ordering = ["departement", "-debut", "pk"]
        constraints = [models.CheckConstraint(condition=Q(fin__gte=F("debut")), name="evenement_fin_apres_debut")]
        indexes = [models.Index(fields=["departement", "statut", "debut"])]

    def __str__(self):
        return self.titre

    @property
    def commune_a_afficher(self) -> str:
        """The commune's name, unless the address already says it."""
        nom = self.lieu_commune.nom if self.lieu_commune_id else ""
        return "" if nom and nom.lower() in self.lieu_adresse.lower() else nom

    @property
    def lieu_complet(self) -> str:
        return ", ".join(p for p in (self.lieu_nom, self.lieu_adresse, self.commune_a_afficher) if p)

    @property
    def acces_court(self) -> str:
        """The access in a few words, for a badge (the choice's label explains it in forms)."""
        return {"public": "Ouvert à tous", "invitation": "Sur invitation", "reseau": "Réservé au réseau"}.get(
            self.acces, self.get_acces_display()
        )


class SessionProgramme(models.Model):
    """A time of an event's programme: plenary, workshop, round table…, with its room and capacity."""

    class Type(models.TextChoices):
        PLENIERE = "pleniere", "Plénière"
        ATELIER = "atelier", "Atelier"
        TABLE_RONDE = "table_ronde", "Table ronde"
        INTERVENTION = "intervention", "Intervention"
        DEBAT = "debat", "Débat"
        PAUSE = "pause", "Pause, accueil"
        AUTRE = "autre", "Autre"

    evenement = models.ForeignKey(Evenement, on_delete=models.CASCADE, related_name="sessions")
    titre = models.CharField(max_length=250)
    type = models.CharField(max_length=20, choices=Type.choices, default=Type.PLENIERE)
    debut = models.DateTimeField("début")
    fin = models.DateTimeField()
    salle = models.CharField(max_length=150, blank=True)
    description = models.TextField(blank=True)
    capacite = models.PositiveIntegerField(
        "capacité", null=True, blank=True, validators=[MinValueValidator(1)],
        help_text="Vide : pas de limite propre (celle de l'événement)",
    )  # fmt: skip
    # Offered to choose at registration (workshops in parallel); plenaries are for everyone.
    au_choix = models.BooleanField("au choix des inscrits", default=False)
    ordre = models.PositiveSmallIntegerField(default=0)

    class Meta:
        verbose_name = "session du programme"
        verbose_name_plural = "sessions du programme"
        ordering = ["evenement", "debut", "ordre", "pk"]
        constraints = [models.CheckConstraint(condition=Q(fin__gte=F("debut")), name="session_fin_apres_debut")]

    def __str__(self):
        return self.titre


class Intervenant(models.Model):
    """A speaker of a session, named by function (names in the demo are fictional and say so)."""

    session = models.ForeignKey(SessionProgramme, on_delete=models.CASCADE, related_name="intervenants")
    nom = models.CharField(max_length=150, blank=True)
    fonction = models.CharField(max_length=250)
    organisation = models.CharField(max_length=200, blank=True)
    ordre = models.PositiveSmallIntegerField(default=0)

    class Meta:
        ordering = ["session", "ordre", "pk"]

    def __str__(self):
        return ", ".join(p for p in (self.nom, self.fonction, self.organisation) if p)


class Invitation(models.Model):
    """One person invited to one event, with the personal link (token) that lets them register."""

    evenement = models.ForeignKey(Evenement, on_delete=models.CASCADE, related_name="invitations")
    personne = models.ForeignKey(Personne, on_delete=models.SET_NULL, null=True, blank=True, related_name="invitations")
    email = models.EmailField("adresse e-mail")
    nom = models.CharField(max_length=300, blank=True)
    jeton = models.CharField(max_length=64, unique=True, default=nouveau_jeton, editable=False)
    cree_le = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["evenement", "email"]
        constraints = [models.UniqueConstraint(fields=["evenement", "email"], name="invitation_unique_par_evenement")]

    def __str__(self):
        return f"{self.email} → {self.evenement}"


class Inscription(Versionne):
    class Statut(models.TextChoices):
        CONFIRMEE = "confirmee", "Confirmée"
        LISTE_ATTENTE = "liste_attente", "Liste d'attente"
        ANNULEE = "annulee", "Annulée"

    class Origine(models.TextChoices):
        FORMULAIRE = "formulaire", "Formulaire public"
        COMPTE = "compte", "Compte connecté"
        INVITATION = "invitation", "Lien d'invitation"
        API = "api", "API"
        SUR_PLACE = "sur_place", "Sur place (sans inscription)"
        ORGANISATEUR = "organisateur", "Ajoutée par l'organisateur"
        DEMO = "demo", "Démonstration"

    evenement = models.ForeignKey(Evenement, on_delete=models.CASCADE, related_name="inscriptions")
    statut = models.CharField(max_length=20, choices=Statut.choices, default=Statut.CONFIRMEE)
    nom = models.CharField(max_length=150)
    prenom = models.CharField("prénom", max_length=150, blank=True)
    # Normalised (stripped, lower case); one registration per e-mail and event (again → the existing one).
    email = models.EmailField("adresse e-mail")
    telephone = models.CharField("téléphone", max_length=30, blank=True)
    fonction = models.CharField(max_length=200, blank=True)
    organisation_nom = models.CharField("organisation", max_length=200, blank=True)
    organisation = models.ForeignKey(
        "comptes.Organisation", on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    # The organisation's type (comptes.Organisation.Type values), for the statistics even without a known one.
    type_organisation = models.CharField("type d'organisation", max_length=30, blank=True)
    categorie = models.CharField("catégorie", max_length=30, choices=Categorie.choices, default=Categorie.AUTRE)
    commune = models.ForeignKey(
        "territoires.Commune", on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    personne = models.ForeignKey(
        Personne, on_delete=models.SET_NULL, null=True, blank=True, related_name="inscriptions"
    )
    compte = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="inscriptions_reseau"
    )
    invitation = models.ForeignKey(
        Invitation, on_delete=models.SET_NULL, null=True, blank=True, related_name="inscriptions"
    )
    origine = models.CharField(max_length=20, choices=Origine.choices, default=Origine.FORMULAIRE)
    # Typed at the door or read from the QR code; the token is the secret of the personal link.
    code = models.CharField(max_length=12, unique=True, default=nouveau_code, editable=False)
    jeton = models.CharField(max_length=64, unique=True, default=nouveau_jeton, editable=False)
    consentement_le = models.DateTimeField(
        "consentement donné le", null=True, blank=True,
        help_text="Accord pour être recontacté·e par le réseau (ajout à l'annuaire)",
    )  # fmt: skip
    present_le = models.DateTimeField("présence pointée le", null=True, blank=True)
    pointe_par = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    cree_le = models.DateTimeField("inscrit·e le", auto_now_add=True)
    modifie_le = models.DateTimeField(auto_now=True)
    annulee_le = models.DateTimeField("annulée le", null=True, blank=True)
    promue_le = models.DateTimeField("sortie de la liste d'attente le", null=True, blank=True)

    class Meta:
        ordering = ["evenement", "nom", "prenom", "pk"]
        constraints = [models.UniqueConstraint(fields=["evenement", "email"], name="inscription_unique_par_evenement")]
        indexes = [
            models.Index(fields=["evenement", "statut", "cree_le"]),
            models.Index(fields=["evenement", "nom"]),
        ]

    def __str__(self):
        return f"{self.nom_complet} — {self.evenement}"

    @property
    def nom_complet(self) -> str:
        return f"{self.prenom} {self.nom}".strip()

    @property
    def present(self) -> bool:
        return self.present_le is not None


class InscriptionSession(models.Model):
    """A session of the programme chosen by a registrant (only for confirmed registrations: a waiting one keeps
    its wishes with `reservee=False`, reserved when it is promoted if the session still has room)."""

    inscription = models.ForeignKey(Inscription, on_delete=models.CASCADE, related_name="choix")
    session = models.ForeignKey(SessionProgramme, on_delete=models.CASCADE, related_name="choix")
    reservee = models.BooleanField("place réservée", default=True)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["inscription", "session"], name="choix_session_unique")]

    def __str__(self):
        return f"{self.inscription_id} → {self.session_id}"


class Envoi(models.Model):
    """A batch of e-mails about an event (invitations, reminder, satisfaction survey), sent by background work."""

    class Nature(models.TextChoices):
        INVITATION = "invitation", "Invitation"
        RAPPEL = "rappel", "Rappel avant l'événement"
        ENQUETE = "enquete", "Enquête de satisfaction"
        MESSAGE = "message", "Message aux inscrits"

    class Statut(models.TextChoices):
        EN_ATTENTE = "en_attente", "En attente"
        EN_COURS = "en_cours", "En cours"
        TERMINE = "termine", "Terminé"
        ECHEC = "echec", "Échec"

    evenement = models.ForeignKey(Evenement, on_delete=models.CASCADE, related_name="envois")
    nature = models.CharField(max_length=20, choices=Nature.choices)
    statut = models.CharField(max_length=20, choices=Statut.choices, default=Statut.EN_ATTENTE)
    objet = models.CharField(max_length=250)
    message = models.TextField(blank=True)
    # How the recipients were chosen: {"categories": [...], "communes": [...], "epci": [...], "listes": [...],
    # "personnes": [...]} — kept to show and to explain the batch later.
    criteres = models.JSONField("critères", default=dict, blank=True)
    # The background job's id (core.Travail is transient: not a foreign key, so backups need not keep it).
    id_travail = models.UUIDField("travail", null=True, blank=True)
    cree_par = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+")
    cree_le = models.DateTimeField(auto_now_add=True)
    termine_le = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["evenement", "-cree_le"]

    def __str__(self):
        return f"{self.get_nature_display()} — {self.evenement}"


class Destinataire(models.Model):
    """One recipient of a batch, with the status of their e-mail."""

    class Statut(models.TextChoices):
        A_ENVOYER = "a_envoyer", "À envoyer"
        ENVOYE = "envoye", "Envoyé"
        ECHEC = "echec", "Échec"
        ECARTE = "ecarte", "Écarté"

    envoi = models.ForeignKey(Envoi, on_delete=models.CASCADE, related_name="destinataires")
    email = models.EmailField("adresse e-mail")
    nom = models.CharField(max_length=300, blank=True)
    personne = models.ForeignKey(Personne, on_delete=models.SET_NULL, null=True, blank=True, related_name="+")
    invitation = models.ForeignKey(Invitation, on_delete=models.SET_NULL, null=True, blank=True, related_name="+")
    inscription = models.ForeignKey(Inscription, on_delete=models.SET_NULL, null=True, blank=True, related_name="+")
    statut = models.CharField(max_length=20, choices=Statut.choices, default=Statut.A_ENVOYER)
    erreur = models.CharField(max_length=300, blank=True)
    envoye_le = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["envoi", "email"]
        constraints = [models.UniqueConstraint(fields=["envoi", "email"], name="destinataire_unique_par_envoi")]
        indexes = [models.Index(fields=["envoi", "statut"])]

    def __str__(self):
        return self.email


class EnqueteSatisfaction(models.Model):
    """The satisfaction survey of an event: its questions as data, answered once per attendee."""

    evenement = models.OneToOneField(Evenement, on_delete=models.CASCADE, related_name="enquete")
    # [{"code": "q1", "libelle": "...", "type": "note"|"choix"|"texte", "choix": [...], "obligatoire": bool}, …]
    questions = models.JSONField(default=list)
    ouverte = models.BooleanField(default=True)
    cree_le = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = "enquête de satisfaction"
        verbose_name_plural = "enquêtes de satisfaction"

    def __str__(self):
        return f"Enquête — {self.evenement_id}"


class ReponseSatisfaction(models.Model):
    enquete = models.ForeignKey(EnqueteSatisfaction, on_delete=models.CASCADE, related_name="reponses")
    inscription = models.OneToOneField(
        Inscription, on_delete=models.SET_NULL, null=True, blank=True, related_name="reponse_satisfaction"
    )
    reponses = models.JSONField(default=dict)
    cree_le = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = "réponse à l'enquête de satisfaction"
        verbose_name_plural = "réponses à l'enquête de satisfaction"

    def __str__(self):
        return f"Réponse {self.pk}"


class Etiquette(models.Model):
    nom = models.CharField(max_length=80, unique=True)

    class Meta:
        verbose_name = "étiquette"
        ordering = ["nom"]

    def __str__(self):
        return self.nom


class Visibilite(models.TextChoices):
    PUBLIC = "public", "Public"
    RESEAU = "reseau", "Réseau (comptes connectés du département)"
    CAF = "caf", "Caf (pilotes et conseillers)"


def _chemin_ressource(instance, nom_fichier):
    return f"reseau/ressources/{instance.departement_id}/{nom_fichier}"


def _chemin_image(instance, nom_fichier):
    return f"reseau/actualites/{instance.departement_id}/{nom_fichier}"


class Ressource(Versionne):
    """A document (or a link) of the network's library: the schéma, a restitution, a guide…"""

    class Nature(models.TextChoices):
        DOCUMENT = "document", "Document"
        RESTITUTION = "restitution", "Restitution d'atelier"
        GUIDE = "guide", "Guide, outil"
        SCHEMA = "schema", "Schéma directeur"
        COMPTE_RENDU = "compte_rendu", "Compte rendu"

    departement = models.ForeignKey(
        "territoires.Departement",
        on_delete=models.CASCADE,
        related_name="ressources_reseau",
        verbose_name="département",
    )
    titre = models.CharField(max_length=250)
    nature = models.CharField(max_length=20, choices=Nature.choices, default=Nature.DOCUMENT)
    resume = models.TextField("résumé", blank=True)
    fichier = models.FileField(upload_to=_chemin_ressource, blank=True)
    nom_fichier = models.CharField(max_length=200, blank=True)
    lien = models.URLField("lien", blank=True, help_text="Adresse d'une page, à la place d'un fichier")
    visibilite = models.CharField("visibilité", max_length=20, choices=Visibilite.choices, default=Visibilite.RESEAU)
    etiquettes = models.ManyToManyField(Etiquette, blank=True, related_name="ressources", verbose_name="étiquettes")
    date = models.DateField(null=True, blank=True, help_text="Date du document")
    serie = models.ForeignKey(
        SerieAteliers, on_delete=models.SET_NULL, null=True, blank=True, related_name="restitutions"
    )
    evenement = models.ForeignKey(
        Evenement, on_delete=models.SET_NULL, null=True, blank=True, related_name="ressources"
    )
    schema = models.ForeignKey("schema.Schema", on_delete=models.SET_NULL, null=True, blank=True, related_name="+")
    publie_par = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+")
    cree_le = models.DateTimeField(auto_now_add=True)
    modifie_le = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["departement", "-date", "-cree_le", "pk"]
        indexes = [models.Index(fields=["departement", "visibilite"])]

    def __str__(self):
        return self.titre


class Actualite(Versionne):
    class Statut(models.TextChoices):
        BROUILLON = "brouillon", "Brouillon"
        PUBLIEE = "publiee", "Publiée"

    departement = models.ForeignKey(
        "territoires.Departement", on_delete=models.CASCADE, related_name="actualites", verbose_name="département"
    )
    titre = models.CharField(max_length=250)
    date = models.DateField("date de publication")
    statut = models.CharField(max_length=20, choices=Statut.choices, default=Statut.BROUILLON)
    # As signed (e.g. « Communication caf94 »), kept when the account is erased.
    auteur_libelle = models.CharField("auteur", max_length=150)
    auteur = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+")
    etiquettes = models.ManyToManyField(Etiquette, blank=True, related_name="actualites", verbose_name="étiquettes")
    resume = models.TextField("résumé", max_length=600)
    texte = models.TextField()
    image = models.ImageField(upload_to=_chemin_image, blank=True)
    image_description = models.CharField("description de l'image", max_length=250, blank=True)
    evenement = models.ForeignKey(
        Evenement, on_delete=models.SET_NULL, null=True, blank=True, related_name="actualites"
    )
    cree_le = models.DateTimeField(auto_now_add=True)
    modifie_le = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = "actualité"
        ordering = ["departement", "-date", "-pk"]
        indexes = [models.Index(fields=["departement", "statut", "date"])]

    def __str__(self):
        return self.titre
