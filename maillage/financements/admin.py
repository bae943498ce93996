"""Back-office of the PS barème (data by year, edited by administrators) and a read-only view of budgets.

Budgets are written through `services.budget_enregistrer` (the back-office budget pages), which validates
them; the admin only shows them.
"""

from django.contrib import admin

from .models import BaremePS, Budget, LigneProduit, TypePS


class BaremePSInline(admin.TabularInline):
    model = BaremePS
    extra = 0
    fields = ["annee", "taux", "prix_plafond", "illustratif", "source"]
    ordering = ["-annee"]


@admin.register(TypePS)
class TypePSAdmin(admin.ModelAdmin):
    list_display = ["code", "libelle", "type_structure", "agrement_requis", "base", "premiere_annee", "derniere_annee"]
    list_filter = ["type_structure", "agrement_requis"]
    search_fields = ["code", "libelle"]
    inlines = [BaremePSInline]


@admin.register(BaremePS)
class BaremePSAdmin(admin.ModelAdmin):
    list_display = ["annee", "type_ps", "taux", "prix_plafond", "illustratif", "source"]
    list_display_links = ["annee", "type_ps"]
    list_filter = ["annee", "type_ps", "illustratif"]
    list_select_related = ["type_ps"]
    search_fields = ["source", "type_ps__libelle"]
    ordering = ["-annee", "type_ps__ordre"]


class LigneProduitInline(admin.TabularInline):
    model = LigneProduit
    extra = 0
    fields = ["financeur", "type_ps", "montant"]
    readonly_fields = fields
    can_delete = False

    def has_add_permission(self, request, obj=None):
        return False


@admin.register(Budget)
class BudgetAdmin(admin.ModelAdmin):
    list_display = ["structure", "annee", "nature", "charges_totales"]
    list_filter = ["annee", "nature", "structure__type", "structure__departement"]
    list_select_related = ["structure"]
    search_fields = ["structure__nom"]
    inlines = [LigneProduitInline]

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False
