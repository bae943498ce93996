from django.contrib import admin
from django.contrib.auth.admin import UserAdmin
from django.contrib.auth.forms import AdminUserCreationForm, UserChangeForm

from maillage.territoires.models import Commune

from .models import Mandat, OperationDonneesPersonnelles, Organisation, Utilisateur


class MandatEnLigne(admin.TabularInline):
    model = Mandat
    fk_name = "organisation"
    extra = 0
    fields = ("nature", "utilisateur", "departement", "debut", "fin", "motif", "accorde_par", "revoque_le")
    readonly_fields = ("accorde_par", "revoque_le")
    can_delete = False

    def has_add_permission(self, request, obj=None):
        # Granted by a pilote through the mandates page (the service checks scope and the SENACS charter).
        return False


@admin.register(Organisation)
class OrganisationAdmin(admin.ModelAdmin):
    list_display = ("nom", "type", "departement", "siret", "actif")
    list_filter = ("type", "actif", "departement")
    search_fields = ("nom", "siret")
    raw_id_fields = ("communes", "epci")
    inlines = [MandatEnLigne]


@admin.register(Mandat)
class MandatAdmin(admin.ModelAdmin):
    list_display = ("organisation", "nature", "departement", "debut", "fin", "revoque_le", "accorde_par")
    list_filter = ("nature", "departement")
    search_fields = ("organisation__nom", "motif")
    raw_id_fields = ("organisation", "utilisateur", "accorde_par", "revoque_par")
    readonly_fields = ("accorde_le",)


class UtilisateurCreationForm(AdminUserCreationForm):
    class Meta(AdminUserCreationForm.Meta):
        model = Utilisateur
        fields = ("email",)


class UtilisateurChangeForm(UserChangeForm):
    class Meta(UserChangeForm.Meta):
        model = Utilisateur


@admin.register(Utilisateur)
class UtilisateurAdmin(UserAdmin):
    form = UtilisateurChangeForm
    add_form = UtilisateurCreationForm
    ordering = ("email",)
    list_display = ("email", "first_name", "last_name", "role", "organisme", "is_active", "est_demo", "last_login")
    list_filter = ("role", "is_active", "is_staff", "is_superuser", "est_demo", "departements")
    search_fields = ("email", "first_name", "last_name", "organisme")
    readonly_fields = ("est_demo", "last_login", "date_joined")
    raw_id_fields = ("organisation",)
    filter_horizontal = ("departements", "communes", "groups", "user_permissions")
    fieldsets = (
        (None, {"fields": ("email", "password")}),
        ("Identité", {"fields": ("first_name", "last_name", "organisation", "organisme")}),
        ("Rôle et périmètre", {"fields": ("is_active", "role", "departements", "communes")}),
        ("Droits techniques", {"fields": ("is_staff", "is_superuser", "groups", "user_permissions")}),
        ("Dates et démonstration", {"fields": ("last_login", "date_joined", "est_demo")}),
    )
    add_fieldsets = (
        (None, {"classes": ("wide",), "fields": ("email", "usable_password", "password1", "password2")}),
        ("Rôle et périmètre", {"fields": ("first_name", "last_name", "organisme", "role", "departements")}),
    )

    def get_autocomplete_fields(self, request):
        # Autocomplete the ~35,000 communes when the territoires admin offers a search on them.
        modele = admin.site._registry.get(Commune)
        return ("communes",) if modele is not None and modele.search_fields else ()


@admin.register(OperationDonneesPersonnelles)
class OperationDonneesPersonnellesAdmin(admin.ModelAdmin):
    """Read-only: the journal of exports and erasures is written by services_donnees only."""

    list_display = ("le", "action", "email", "par_libelle")
    list_filter = ("action",)
    search_fields = ("email", "par_libelle")
    date_hierarchy = "le"

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False
