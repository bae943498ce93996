from django.contrib import admin
from django.contrib.auth.admin import UserAdmin
from django.contrib.auth.forms import AdminUserCreationForm, UserChangeForm

from maillage.territoires.models import Commune

from .models import OperationDonneesPersonnelles, Utilisateur


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
    filter_horizontal = ("departements", "communes", "groups", "user_permissions")
    fieldsets = (
        (None, {"fields": ("email", "password")}),
        ("Identité", {"fields": ("first_name", "last_name", "organisme")}),
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
