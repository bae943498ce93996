"""Back-office of the territorial referential: consultation only.

Every row comes from a loader (charger_territoires, importer_qpv) that would overwrite a hand edit on its
next run, so the admin shows and searches but does not add, change or delete.
"""

import json

from django.contrib import admin
from django.db.models import Count
from django.utils.html import format_html, format_html_join

from maillage.core.formats import nombre

from .models import EPCI, QPV, Appartenance, Chargement, Commune, Departement, Region, Regroupement


class ConsultationAdmin(admin.ModelAdmin):
    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


def _resume_contour(geometrie: str, longitude, latitude) -> str:
    """A few words instead of the GeoJSON text, which runs to tens of kilobytes."""
    if not geometrie:
        return "—"
    try:
        type_geometrie = json.loads(geometrie).get("type", "?")
    except ValueError:
        type_geometrie = "illisible"
    taille = f"{nombre(len(geometrie) / 1000, 1)} ko"
    if longitude is None or latitude is None:
        return f"{type_geometrie}, {taille}"
    lien = f"https://www.openstreetmap.org/?mlat={latitude}&mlon={longitude}#map=14/{latitude}/{longitude}"
    return format_html(
        '{}, {} ; point intérieur {} {} (<a href="{}" rel="noopener noreferrer">voir sur OpenStreetMap</a>)',
        type_geometrie,
        taille,
        latitude,
        longitude,
        lien,
    )


@admin.register(Region)
class RegionAdmin(ConsultationAdmin):
    list_display = ("code", "nom")
    search_fields = ("code", "nom")


@admin.register(Departement)
class DepartementAdmin(ConsultationAdmin):
    list_display = ("code", "nom", "region")
    list_filter = ("region",)
    list_select_related = ("region",)
    search_fields = ("code", "nom")


@admin.register(EPCI)
class EPCIAdmin(ConsultationAdmin):
    list_display = ("code", "nom", "type", "nombre_communes")
    list_filter = ("type",)
    search_fields = ("code", "nom")

    def get_queryset(self, request):
        return super().get_queryset(request).annotate(_nombre_communes=Count("communes"))

    @admin.display(description="communes", ordering="_nombre_communes")
    def nombre_communes(self, obj):
        return obj._nombre_communes


class AppartenanceEnLigne(admin.TabularInline):
    model = Appartenance
    fields = ("commune", "debut", "fin")
    readonly_fields = fields
    extra = 0
    can_delete = False

    def has_add_permission(self, request, obj=None):
        return False


@admin.register(Regroupement)
class RegroupementAdmin(ConsultationAdmin):
    """EPT (charger_territoires) and the groupings pilotes import (importer_regroupements): shown, not edited."""

    list_display = ("nom", "type", "code", "departement", "debut", "fin", "nombre_communes")
    list_filter = ("type", "departement")
    search_fields = ("code", "nom")
    inlines = [AppartenanceEnLigne]

    def get_queryset(self, request):
        return super().get_queryset(request).select_related("departement").annotate(_communes=Count("appartenances"))

    @admin.display(description="communes", ordering="_communes")
    def nombre_communes(self, obj):
        return obj._communes


@admin.register(Commune)
class CommuneAdmin(ConsultationAdmin):
    list_display = ("code", "nom", "departement", "epci", "population", "population_millesime")
    list_filter = ("departement__region", "departement", "epci__type")
    list_select_related = ("departement", "epci")
    search_fields = ("code", "nom")
    fields = (
        "code",
        "nom",
        "departement",
        "epci",
        ("population", "population_millesime"),
        "population_source",
        "contour",
        "qpv_liste",
    )
    readonly_fields = ("contour", "qpv_liste")

    def get_queryset(self, request):
        # Lists never need the outlines; the detail page reads its own with one more query.
        return super().get_queryset(request).defer("geometrie", "geometrie_empreinte")

    @admin.display(description="contour")
    def contour(self, obj):
        return _resume_contour(obj.geometrie, obj.longitude, obj.latitude)

    @admin.display(description="QPV")
    def qpv_liste(self, obj):
        return ", ".join(str(q) for q in obj.qpv.order_by("code")) or "—"


@admin.register(QPV)
class QPVAdmin(ConsultationAdmin):
    list_display = ("code", "nom", "generation", "nombre_communes", "source")
    list_filter = ("generation",)
    search_fields = ("code", "nom", "communes__code", "communes__nom")
    fields = ("code", "nom", "generation", "communes_liste", "contour", "population", "population_millesime", "source")
    readonly_fields = ("communes_liste", "contour")

    def get_queryset(self, request):
        return super().get_queryset(request).defer("geometrie").annotate(_nombre_communes=Count("communes"))

    @admin.display(description="communes", ordering="_nombre_communes")
    def nombre_communes(self, obj):
        return obj._nombre_communes

    @admin.display(description="communes")
    def communes_liste(self, obj):
        return ", ".join(str(c) for c in obj.communes.order_by("code").only("code", "nom")) or "—"

    @admin.display(description="contour")
    def contour(self, obj):
        return _resume_contour(obj.geometrie, obj.longitude, obj.latitude)


@admin.register(Chargement)
class ChargementAdmin(ConsultationAdmin):
    list_display = ("debut", "commande", "statut", "fichier", "auteur", "duree", "nombre_erreurs")
    list_filter = ("statut", "commande")
    search_fields = ("commande", "fichier", "auteur")
    date_hierarchy = "debut"
    fields = (
        "commande",
        "statut",
        "fichier",
        "empreinte",
        "parametres_lisibles",
        ("debut", "fin"),
        "auteur",
        "resume_lisible",
        "erreurs_liste",
    )
    readonly_fields = ("parametres_lisibles", "resume_lisible", "erreurs_liste")

    @admin.display(description="durée")
    def duree(self, obj):
        return f"{nombre((obj.fin - obj.debut).total_seconds(), 1)} s"

    @admin.display(description="erreurs")
    def nombre_erreurs(self, obj):
        return len(obj.erreurs) if obj.erreurs else "—"

    @admin.display(description="paramètres")
    def parametres_lisibles(self, obj):
        return format_html("<pre>{}</pre>", json.dumps(obj.parametres, ensure_ascii=False, indent=2))

    @admin.display(description="résumé")
    def resume_lisible(self, obj):
        return format_html("<pre>{}</pre>", json.dumps(obj.resume, ensure_ascii=False, indent=2))

    @admin.display(description="erreurs")
    def erreurs_liste(self, obj):
        if not obj.erreurs:
            return "—"
        messages = ((e.get("message") or e.get("raison", ""),) if isinstance(e, dict) else (e,) for e in obj.erreurs)
        return format_html("<ol>{}</ol>", format_html_join("", "<li>{}</li>", messages))
