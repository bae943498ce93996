"""Back-office of the observatoire: consultation. Questionnaires come from their files (charger_questionnaire),
campaigns and answers are written by the services, where the workflow and permission rules live."""

from django.contrib import admin

from .models import (
    Campagne,
    Commentaire,
    CommentaireRapport,
    Questionnaire,
    Relance,
    Reponse,
    Transition,
    ValeurReference,
)


class ConsultationAdmin(admin.ModelAdmin):
    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(Questionnaire)
class QuestionnaireAdmin(ConsultationAdmin):
    list_display = ("code", "version", "nature", "titre", "fichier_source", "charge_le")
    list_filter = ("nature",)
    search_fields = ("code", "titre")


@admin.register(Campagne)
class CampagneAdmin(ConsultationAdmin):
    list_display = ("annee", "annee_donnees", "departement", "questionnaire", "bloc_thematique", "publiee")
    list_filter = ("annee", "publiee")
    list_select_related = ("departement", "questionnaire", "bloc_thematique")


class TransitionInline(admin.TabularInline):
    model = Transition
    extra = 0
    can_delete = False
    fields = ("de", "vers", "par", "le", "motif")
    readonly_fields = fields


class CommentaireInline(admin.TabularInline):
    model = Commentaire
    extra = 0
    can_delete = False
    fields = ("question", "auteur", "texte", "le")
    readonly_fields = fields


@admin.register(Reponse)
class ReponseAdmin(ConsultationAdmin):
    list_display = ("structure", "campagne", "statut", "version", "soumise_le", "validee_le", "verrouillee")
    list_filter = ("statut", "campagne__annee", "campagne__departement")
    list_select_related = ("structure", "campagne")
    search_fields = ("structure__nom",)
    inlines = [TransitionInline, CommentaireInline]
    show_full_result_count = False


@admin.register(Transition)
class TransitionAdmin(ConsultationAdmin):
    list_display = ("reponse", "de", "vers", "par", "le")
    list_filter = ("vers", "reponse__campagne__annee", "reponse__campagne__departement")
    list_select_related = ("reponse__structure", "reponse__campagne", "par")
    search_fields = ("reponse__structure__nom", "motif")
    date_hierarchy = "le"
    show_full_result_count = False


@admin.register(Commentaire)
class CommentaireAdmin(ConsultationAdmin):
    list_display = ("reponse", "question", "auteur", "le")
    list_filter = ("reponse__campagne__annee", "reponse__campagne__departement")
    list_select_related = ("reponse__structure", "reponse__campagne", "auteur")
    search_fields = ("reponse__structure__nom", "question", "texte")
    date_hierarchy = "le"
    show_full_result_count = False


@admin.register(CommentaireRapport)
class CommentaireRapportAdmin(ConsultationAdmin):
    """Written from the campaign's « Commentaires du rapport » page, frozen once the results are published."""

    list_display = ("campagne", "section", "auteur", "modifie_le")
    list_filter = ("campagne__annee", "campagne__departement", "section")
    list_select_related = ("campagne__departement", "auteur")
    search_fields = ("texte",)


@admin.register(Relance)
class RelanceAdmin(ConsultationAdmin):
    list_display = ("structure", "campagne", "jour", "retard", "par", "envoyee_le")
    list_filter = ("campagne__annee", "campagne__departement")
    list_select_related = ("structure", "campagne", "par")
    search_fields = ("structure__nom", "retard")
    date_hierarchy = "jour"
    show_full_result_count = False


@admin.register(ValeurReference)
class ValeurReferenceAdmin(ConsultationAdmin):
    """Published references come from their files (importer_references); a wrong one may be deleted here (the
    deletion is in the audit trail), then the corrected file imported again."""

    list_display = ("indicateur", "annee", "niveau", "territoire", "valeur", "unite", "source", "illustratif")
    list_filter = ("niveau", "annee", "illustratif", "indicateur")
    search_fields = ("indicateur", "source", "territoire")
    readonly_fields = ("chargement", "importe_par")

    def has_delete_permission(self, request, obj=None):
        return request.user.is_superuser
