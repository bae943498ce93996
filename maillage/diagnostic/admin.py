"""Back-office of the diagnostic: consultation of imported indicators, parameters and scenarios.

Indicators come from the importers (importer_populations, importer_indicateurs_caf), which would overwrite a hand
edit on their next run; parameters and scenarios are edited in the application, where their validation and
permission rules live. The admin shows and searches; it may only delete a scenario, or a département's parameters
(the diagnostic then uses the defaults).
"""

import json

from django.contrib import admin
from django.db.models import Count
from django.utils.html import format_html

from maillage.core.formats import nombre

from .models import IndicateurCommune, ParametresDiagnostic, Scenario


class ConsultationAdmin(admin.ModelAdmin):
    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(IndicateurCommune)
class IndicateurCommuneAdmin(ConsultationAdmin):
    list_display = ("commune", "indicateur", "millesime", "valeur_lisible", "source", "chargement")
    list_filter = ("indicateur", "millesime", "source", "commune__departement")
    list_select_related = ("commune", "chargement")
    search_fields = ("commune__code", "commune__nom", "source")
    fields = ("commune", "indicateur", "millesime", "valeur", "source", "chargement")
    show_full_result_count = False

    def get_queryset(self, request):
        return super().get_queryset(request).defer("commune__geometrie", "commune__geometrie_empreinte")

    @admin.display(description="valeur", ordering="valeur")
    def valeur_lisible(self, obj):
        return nombre(obj.valeur, 0 if obj.valeur == obj.valeur.to_integral_value() else 2)


@admin.register(ParametresDiagnostic)
class ParametresDiagnosticAdmin(ConsultationAdmin):
    list_display = (
        "departement",
        "distance_couverture_km",
        "tampon_qpv_m",
        "poids_lisibles",
        "modifie_par",
        "modifie_le",
    )
    list_select_related = ("departement", "modifie_par")
    search_fields = ("departement__code", "departement__nom")
    fields = ("departement", "distance_couverture_km", "tampon_qpv_m", "poids_lisibles", "modifie_par", "modifie_le")
    readonly_fields = ("poids_lisibles",)

    def has_delete_permission(self, request, obj=None):
        return request.user.is_superuser

    @admin.display(description="pondérations du score")
    def poids_lisibles(self, obj):
        if not obj.poids:
            return "valeurs par défaut"
        return ", ".join(f"{cle} : {nombre(valeur, 2)}" for cle, valeur in sorted(obj.poids.items()))


@admin.register(Scenario)
class ScenarioAdmin(ConsultationAdmin):
    list_display = ("nom", "departement", "date_reference", "nombre_ajouts", "nombre_fermetures", "partage", "auteur")
    list_filter = ("partage", "departement")
    list_select_related = ("departement", "auteur")
    search_fields = ("nom", "description")
    date_hierarchy = "date_reference"
    fields = (
        "nom",
        "departement",
        "description",
        "date_reference",
        "ajouts_lisibles",
        "fermetures_liste",
        "partage",
        "auteur",
        ("cree_le", "modifie_le"),
    )
    readonly_fields = ("ajouts_lisibles", "fermetures_liste")

    def get_queryset(self, request):
        return super().get_queryset(request).annotate(_nombre_fermetures=Count("fermetures"))

    def has_delete_permission(self, request, obj=None):
        return request.user.is_superuser

    @admin.display(description="structures hypothétiques")
    def nombre_ajouts(self, obj):
        return len(obj.ajouts) if isinstance(obj.ajouts, list) else "—"

    @admin.display(description="fermetures", ordering="_nombre_fermetures")
    def nombre_fermetures(self, obj):
        return obj._nombre_fermetures

    @admin.display(description="structures hypothétiques")
    def ajouts_lisibles(self, obj):
        if not obj.ajouts:
            return "—"
        return format_html("<pre>{}</pre>", json.dumps(obj.ajouts, ensure_ascii=False, indent=2))

    @admin.display(description="structures fermées")
    def fermetures_liste(self, obj):
        return ", ".join(str(s) for s in obj.fermetures.order_by("nom").only("pk", "nom")) or "—"
