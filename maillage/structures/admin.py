"""Back-office of the registry: read-mostly lists with search and filters.

Structures, agréments, projets sociaux and documents are written by the services (rules on positions,
zones, durations, overlaps, file checks), so the admin shows them without changing them; gestionnaires
and contacts, whose rules are the model's own, may be corrected here. Documents are downloaded through
the permission-checked view, never through a media URL.
"""

from django.contrib import admin
from django.db import models
from django.urls import reverse
from django.utils.html import format_html

from .models import Agrement, Contact, DocumentProjet, EvaluationCritere, Gestionnaire, ProjetSocial, Structure


class ConsultationMixin:
    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


class ContactInline(ConsultationMixin, admin.TabularInline):
    model = Contact
    extra = 0
    fields = ("fonction", "prenom", "nom", "email", "telephone", "base_legale", "consentement_le", "public")


class ProjetSocialInline(ConsultationMixin, admin.TabularInline):
    model = ProjetSocial
    extra = 0
    fields = ("intitule", "debut", "fin")
    show_change_link = True


class AgrementInline(ConsultationMixin, admin.TabularInline):
    model = Agrement
    extra = 0
    fields = ("type", "debut", "fin", "statut", "date_decision")
    show_change_link = True


@admin.register(Gestionnaire)
class GestionnaireAdmin(admin.ModelAdmin):
    list_display = ("nom", "forme_juridique", "designation", "mode_gestion", "siret", "commune", "est_demo")
    list_filter = ("mode_gestion", "forme_juridique", "designation", "est_demo")
    search_fields = ("nom", "siret")
    autocomplete_fields = ("commune",)
    readonly_fields = ("mode_gestion", "cree_le", "modifie_le")
    list_select_related = ("commune",)


@admin.register(Structure)
class StructureAdmin(ConsultationMixin, admin.ModelAdmin):
    list_display = ("nom", "type", "commune", "departement", "gestionnaire", "date_ouverture", "date_fermeture")
    list_filter = ("type", "departement", "gestionnaire__mode_gestion", "adherent_federation", "est_demo")
    search_fields = ("nom", "siret", "commune__nom", "gestionnaire__nom")
    list_select_related = ("commune", "departement", "gestionnaire")
    inlines = (AgrementInline, ContactInline, ProjetSocialInline)
    exclude = ("communes_competence", "qpv_competence")
    readonly_fields = ("zone",)
    formfield_overrides = {models.URLField: {"assume_scheme": "https"}}

    @admin.display(description="zone de compétence")
    def zone(self, obj):
        communes = ", ".join(c.nom for c in obj.communes_competence.all())
        qpv = ", ".join(q.nom for q in obj.qpv_competence.all())
        return " ; ".join(filter(None, [communes, qpv])) or "—"


@admin.register(Contact)
class ContactAdmin(admin.ModelAdmin):
    list_display = ("__str__", "structure", "fonction", "base_legale", "consentement_le", "public")
    list_filter = ("fonction", "base_legale", "public", "structure__departement")
    search_fields = ("nom", "prenom", "email", "structure__nom")
    list_select_related = ("structure",)
    raw_id_fields = ("structure",)
    readonly_fields = ("cree_le", "modifie_le")


class DocumentProjetInline(ConsultationMixin, admin.TabularInline):
    model = DocumentProjet
    extra = 0
    fields = ("nature", "titre", "lien", "depose_par", "depose_le")
    # depose_le is auto_now_add (not editable): a form may not name it, even a view-only one.
    readonly_fields = ("lien", "depose_par", "depose_le")

    @admin.display(description="fichier")
    def lien(self, obj):
        return _lien_document(obj)


def _lien_document(obj):
    if not obj.pk:
        return "—"
    return format_html('<a href="{}">Télécharger</a>', reverse("structures:document", args=[obj.pk]))


@admin.register(ProjetSocial)
class ProjetSocialAdmin(ConsultationMixin, admin.ModelAdmin):
    list_display = ("intitule", "structure", "debut", "fin")
    list_filter = ("structure__departement",)
    search_fields = ("intitule", "structure__nom")
    list_select_related = ("structure",)
    inlines = (DocumentProjetInline,)


@admin.register(DocumentProjet)
class DocumentProjetAdmin(ConsultationMixin, admin.ModelAdmin):
    list_display = ("titre", "nature", "projet", "depose_par", "depose_le", "lien")
    list_filter = ("nature", "projet__structure__departement")
    search_fields = ("titre", "projet__intitule", "projet__structure__nom")
    list_select_related = ("projet", "depose_par")
    exclude = ("fichier",)
    readonly_fields = ("lien",)

    @admin.display(description="fichier")
    def lien(self, obj):
        return _lien_document(obj)


class EvaluationCritereInline(ConsultationMixin, admin.TabularInline):
    model = EvaluationCritere
    extra = 0
    fields = ("critere", "appreciation", "commentaire")


@admin.register(Agrement)
class AgrementAdmin(ConsultationMixin, admin.ModelAdmin):
    list_display = ("structure", "type", "debut", "fin", "statut", "date_decision", "referentiel")
    list_filter = ("type", "statut", "referentiel", "structure__departement")
    search_fields = ("structure__nom", "instance")
    list_select_related = ("structure",)
    date_hierarchy = "debut"
    inlines = (EvaluationCritereInline,)


@admin.register(EvaluationCritere)
class EvaluationCritereAdmin(ConsultationMixin, admin.ModelAdmin):
    list_display = ("agrement", "critere", "appreciation")
    list_filter = ("appreciation", "critere")
    search_fields = ("agrement__structure__nom", "critere", "commentaire")
    list_select_related = ("agrement__structure",)
