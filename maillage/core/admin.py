from django.contrib import admin
from django.urls import reverse
from django.utils.html import format_html

from .models import Travail


@admin.register(Travail)
class TravailAdmin(admin.ModelAdmin):
    """Read-only: jobs are written by the tasks themselves."""

    list_display = ("libelle", "nature", "statut", "fait", "total", "tentatives", "demandeur", "cree_le", "termine_le")
    list_filter = ("statut", "nature")
    search_fields = ("libelle", "nature", "demandeur__email")
    date_hierarchy = "cree_le"
    list_select_related = ("demandeur",)
    # The file is private: no link to the storage (MEDIA_URL is not served), but to the job's page, which checks
    # the viewer's rights and offers the download.
    exclude = ("fichier",)
    readonly_fields = ("resultat",)

    @admin.display(description="résultat")
    def resultat(self, obj):
        if not obj.pk:
            return "—"
        lien = reverse("core:travail", args=[obj.pk])
        if obj.fichier:
            return format_html('<a href="{}">{}</a> (page du travail, qui vérifie les droits)', lien, obj.fichier.name)
        return format_html('<a href="{}">Page du travail</a>', lien)

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False
