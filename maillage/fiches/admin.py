"""Back-office of the fiches expérience: their text may be corrected here (moderation; the change is recorded by the
audit trail), but their workflow (proposal, publication, withdrawal) stays with the services: status, author and
dates are read-only, and fiches are written on the site, not created here."""

from django import forms
from django.contrib import admin

from . import selectors as selectors_fiches
from .models import FicheExperience


@admin.register(FicheExperience)
class FicheExperienceAdmin(admin.ModelAdmin):
    list_display = (
        "titre", "structure", "departement", "libelle_theme", "statut", "auteur", "publiee_le", "modifie_le",
    )  # fmt: skip
    list_filter = ("statut", "structure__departement", "structure__type", "theme")
    list_select_related = ("structure", "structure__departement", "auteur")
    search_fields = ("titre", "structure__nom", "public_concerne", "partenaires")
    date_hierarchy = "modifie_le"
    fields = (
        "structure", "statut", "titre", "theme", "public_concerne", "partenaires", "moyens", "resultats", "limites",
        "auteur", "cree_le", "proposee_le", "publiee_le", "publiee_par", "modifie_le",
    )  # fmt: skip
    readonly_fields = (
        "structure", "statut", "auteur", "cree_le", "proposee_le", "publiee_le", "publiee_par", "modifie_le",
    )  # fmt: skip

    def has_add_permission(self, request):
        return False

    @admin.display(description="département", ordering="structure__departement")
    def departement(self, obj):
        return obj.structure.departement

    @admin.display(description="thème", ordering="theme")
    def libelle_theme(self, obj):
        return selectors_fiches.libelle_theme(obj.theme)

    def formfield_for_dbfield(self, db_field, request, **kwargs):
        if db_field.name == "theme":
            # The SENACS themes list, as on the site's form and in the services' check.
            return forms.ChoiceField(
                label="Thème", choices=[("", "---------")] + list(selectors_fiches.themes()[0]), required=True
            )
        return super().formfield_for_dbfield(db_field, request, **kwargs)
