from django.contrib import admin
from django.urls import reverse
from django.utils.html import format_html

from .models import (
    Axe,
    Decision,
    DirectionProgres,
    DocumentSchema,
    Enjeu,
    FicheAction,
    Indicateur,
    Instance,
    Jalon,
    Orientation,
    Reunion,
    Schema,
    ValeurIndicateur,
)


class EnjeuInline(admin.TabularInline):
    model = Enjeu
    extra = 0


class DirectionInline(admin.TabularInline):
    model = DirectionProgres
    extra = 0


class AxeInline(admin.TabularInline):
    model = Axe
    extra = 0


@admin.register(Schema)
class SchemaAdmin(admin.ModelAdmin):
    list_display = ("titre", "departement", "debut", "fin", "statut", "date_adoption")
    list_filter = ("statut", "departement")
    search_fields = ("titre",)
    filter_horizontal = ("signataires",)
    inlines = [EnjeuInline, DirectionInline, AxeInline]


@admin.register(Orientation)
class OrientationAdmin(admin.ModelAdmin):
    list_display = ("titre", "axe", "numero")
    list_select_related = ("axe",)


class JalonInline(admin.TabularInline):
    model = Jalon
    extra = 0


@admin.register(FicheAction)
class FicheActionAdmin(admin.ModelAdmin):
    list_display = ("numero", "titre", "schema", "pilote", "statut", "avancement")
    list_filter = ("statut", "schema")
    list_select_related = ("schema", "pilote")
    search_fields = ("numero", "titre")
    raw_id_fields = ("communes", "epci", "regroupements", "qpv", "structures", "referents")
    inlines = [JalonInline]


class ValeurInline(admin.TabularInline):
    model = ValeurIndicateur
    extra = 0


@admin.register(Indicateur)
class IndicateurAdmin(admin.ModelAdmin):
    list_display = ("code", "libelle", "schema", "source", "definition")
    list_filter = ("source", "schema")
    inlines = [ValeurInline]


@admin.register(Instance)
class InstanceAdmin(admin.ModelAdmin):
    list_display = ("nom", "type", "schema")


class DecisionInline(admin.TabularInline):
    model = Decision
    extra = 0
    raw_id_fields = ("fiches",)


def _lien(url_name: str, obj, nom: str):
    """A private file is reached through the app's view, which checks the viewer's rights (MEDIA_URL is not
    served); files are deposited there too, with their checks."""
    if not (obj.pk and nom):
        return "—"
    return format_html('<a href="{}">Télécharger {}</a>', reverse(url_name, args=[obj.pk]), nom)


@admin.register(Reunion)
class ReunionAdmin(admin.ModelAdmin):
    list_display = ("instance", "date", "lieu")
    list_select_related = ("instance",)
    inlines = [DecisionInline]
    exclude = ("compte_rendu_fichier",)
    readonly_fields = ("compte_rendu_lien",)

    @admin.display(description="compte rendu (fichier)")
    def compte_rendu_lien(self, obj):
        return _lien("schema:reunion_compte_rendu", obj, obj.compte_rendu_fichier.name)


@admin.register(DocumentSchema)
class DocumentSchemaAdmin(admin.ModelAdmin):
    list_display = ("titre", "nature", "schema", "public", "depose_le")
    list_select_related = ("schema",)
    exclude = ("fichier",)
    readonly_fields = ("lien",)

    def has_add_permission(self, request):
        return False  # deposited from the schéma's documents page, which checks the file

    @admin.display(description="fichier")
    def lien(self, obj):
        return _lien("schema:document", obj, obj.fichier.name)
