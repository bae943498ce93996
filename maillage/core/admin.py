from django.contrib import admin

from .models import Travail


@admin.register(Travail)
class TravailAdmin(admin.ModelAdmin):
    """Read-only: jobs are written by the tasks themselves."""

    list_display = ("libelle", "nature", "statut", "fait", "total", "tentatives", "demandeur", "cree_le", "termine_le")
    list_filter = ("statut", "nature")
    search_fields = ("libelle", "nature", "demandeur__email")
    date_hierarchy = "cree_le"
    list_select_related = ("demandeur",)

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False
