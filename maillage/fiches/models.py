"""Fiches expérience: short practice sheets written by the structures, reviewed and published by the pilote.

They do not depend on the observatoire's campaigns; only their themes come from the SENACS core questionnaire's list.
Writes go through `services`, which enforce the workflow brouillon → proposée → publiée (réseau or public).
"""

from django.conf import settings
from django.db import models
from django.db.models import Q

from maillage.core.versions import Versionne


class FicheExperience(Versionne):
    """A short practice sheet written by a structure ("mise en commun des expertises"), published by the pilote
    to the network (logged-in users of the département) or to the public."""

    class Statut(models.TextChoices):
        BROUILLON = "brouillon", "Brouillon"
        PROPOSEE = "proposee", "Proposée"
        PUBLIEE_RESEAU = "publiee_reseau", "Publiée au réseau"
        PUBLIEE_PUBLIC = "publiee_public", "Publiée au public"

    structure = models.ForeignKey("structures.Structure", on_delete=models.CASCADE, related_name="fiches_experience")
    titre = models.CharField(max_length=200)
    theme = models.CharField(
        "thème", max_length=60, help_text="Code de la liste des thèmes d'action du questionnaire SENACS"
    )
    public_concerne = models.TextField("public concerné", max_length=2000)
    partenaires = models.TextField(max_length=2000, blank=True)
    moyens = models.TextField("moyens mobilisés", max_length=4000, blank=True)
    resultats = models.TextField("résultats", max_length=4000, blank=True)
    limites = models.TextField("limites et points de vigilance", max_length=4000, blank=True)
    statut = models.CharField(max_length=20, choices=Statut.choices, default=Statut.BROUILLON)
    auteur = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+")
    proposee_le = models.DateTimeField("proposée le", null=True, blank=True)
    publiee_le = models.DateTimeField("publiée le", null=True, blank=True)
    publiee_par = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    cree_le = models.DateTimeField(auto_now_add=True)
    modifie_le = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = "fiche expérience"
        verbose_name_plural = "fiches expérience"
        # Moved from the observatoire without touching the data: the table keeps its name.
        db_table = "observatoire_ficheexperience"
        ordering = ["-modifie_le", "pk"]
        constraints = [
            models.CheckConstraint(condition=~Q(titre=""), name="fiche_titre_non_vide"),
            models.CheckConstraint(
                condition=~Q(statut__in=["publiee_reseau", "publiee_public"]) | Q(publiee_le__isnull=False),
                name="fiche_publiee_datee",
            ),
        ]

    def __str__(self):
        return self.titre

    @property
    def publiee(self) -> bool:
        return self.statut in {self.Statut.PUBLIEE_RESEAU, self.Statut.PUBLIEE_PUBLIC}
