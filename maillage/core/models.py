"""Background work that a user waits for (`Travail`): the task itself runs in django-tasks, this row is what the
pages show — progress, outcome and, for a report, the file produced — and what lets equal requests share a result."""

import uuid

from django.conf import settings
from django.db import models
from django.db.models import F, Q


class Travail(models.Model):
    class Statut(models.TextChoices):
        EN_ATTENTE = "en_attente", "En attente"
        EN_COURS = "en_cours", "En cours"
        TERMINE = "termine", "Terminé"
        ECHEC = "echec", "Échec"

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    nature = models.CharField(max_length=60, help_text="Ce que fait le travail, ex. « observatoire.rapport_pdf »")
    cle = models.CharField(
        "clé", max_length=200, blank=True, help_text="Deux travaux de même nature et même clé donnent le même résultat"
    )
    libelle = models.CharField("libellé", max_length=250)
    demandeur = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    # Who may follow it: everyone (`public`), holders of `regle` on `departement`, or else only the requester.
    public = models.BooleanField(default=False)
    regle = models.CharField("règle d'accès", max_length=60, blank=True)
    departement = models.ForeignKey(
        "territoires.Departement", on_delete=models.CASCADE, null=True, blank=True, related_name="+"
    )
    statut = models.CharField(max_length=20, choices=Statut.choices, default=Statut.EN_ATTENTE)
    fait = models.PositiveIntegerField(default=0)
    total = models.PositiveIntegerField(default=0)
    etape = models.CharField("étape", max_length=200, blank=True)
    message = models.TextField(blank=True, help_text="Résultat ou erreur, lisible par le demandeur")
    fichier = models.FileField(upload_to="travaux/%Y/%m/", blank=True)
    nom_fichier = models.CharField(max_length=200, blank=True)
    type_contenu = models.CharField(max_length=100, blank=True)
    url_resultat = models.CharField("adresse du résultat", max_length=300, blank=True)
    tache_id = models.CharField(max_length=64, blank=True)
    # Robustness against a worker stopped mid-job (core.travaux): who runs it now, its last sign of life, and how
    # many times it was started.
    executant = models.CharField("exécutant", max_length=64, blank=True)
    battement = models.DateTimeField("dernier signe de vie", null=True, blank=True)
    tentatives = models.PositiveSmallIntegerField(default=0)
    cree_le = models.DateTimeField("créé le", auto_now_add=True)
    commence_le = models.DateTimeField("commencé le", null=True, blank=True)
    termine_le = models.DateTimeField("terminé le", null=True, blank=True)

    class Meta:
        verbose_name = "travail en tâche de fond"
        verbose_name_plural = "travaux en tâche de fond"
        ordering = ["-cree_le"]
        indexes = [models.Index(fields=["nature", "cle", "statut"])]
        constraints = [
            models.CheckConstraint(condition=Q(fait__lte=F("total")), name="travail_fait_borne"),
            models.CheckConstraint(
                condition=~Q(statut="termine") | Q(termine_le__isnull=False), name="travail_termine_date"
            ),
        ]

    def __str__(self):
        return f"{self.libelle} ({self.get_statut_display().lower()})"

    @property
    def fini(self) -> bool:
        return self.statut in {self.Statut.TERMINE, self.Statut.ECHEC}

    @property
    def pourcentage(self) -> int:
        if self.statut == self.Statut.TERMINE:
            return 100
        return int(100 * self.fait / self.total) if self.total else 0


class JetonFormulaire(models.Model):
    """A creation form's one-time token, once sent: a second sending of the same form (double click, reload,
    replay) finds it and is sent to what the first one created (`url`) instead of creating it again."""

    jeton = models.CharField(max_length=64, primary_key=True)
    cree_le = models.DateTimeField(auto_now_add=True, db_index=True)
    url = models.CharField(max_length=500, blank=True, help_text="Où la première réponse a redirigé")

    class Meta:
        verbose_name = "jeton de formulaire"
        verbose_name_plural = "jetons de formulaire"

    def __str__(self):
        return self.jeton
