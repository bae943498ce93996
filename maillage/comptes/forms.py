from django import forms
from django.contrib.auth.forms import AuthenticationForm, PasswordResetForm

from maillage.core.permissions import codes_departements, peut
from maillage.core.versions import AvecVersion
from maillage.core.widgets import CasesACocherFiltrables

from . import selectors
from .models import Mandat, Organisation, Role


class ConnexionForm(AuthenticationForm):
    """Django's form (it hands the request to authenticate(), which django-axes needs); French texts."""

    error_messages = {
        "invalid_login": "Adresse e-mail ou mot de passe incorrect.",
        "inactive": "Ce compte est désactivé. Contactez la personne qui pilote l'animation de la vie sociale.",
    }

    def __init__(self, request=None, *args, **kwargs):
        super().__init__(request, *args, **kwargs)
        self.fields["username"].label = "Adresse e-mail"
        self.fields["username"].widget = forms.EmailInput(
            attrs={"autocomplete": "email", "autofocus": True, "maxlength": 254, "spellcheck": "false"}
        )
        self.fields["password"].label = "Mot de passe"

    def clean_username(self):
        # One spelling per address, so case variants share the same lockout counter.
        return self.cleaned_data["username"].strip().lower()


class MotDePasseOublieForm(PasswordResetForm):
    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["email"].label = "Adresse e-mail"
        self.fields["email"].help_text = "L'adresse avec laquelle vous vous connectez."


class CompteForm(AvecVersion, forms.Form):
    """Invite (with `email`) or modify an account; choices limited to what `par` may give."""

    email = forms.EmailField(
        label="Adresse e-mail",
        help_text="Elle sert d'identifiant ; l'invitation y est envoyée.",
        widget=forms.EmailInput(attrs={"autocomplete": "off", "spellcheck": "false"}),
    )
    prenom = forms.CharField(label="Prénom", max_length=150)
    nom = forms.CharField(label="Nom", max_length=150)
    organisme = forms.CharField(
        label="Organisme",
        max_length=200,
        required=False,
        help_text="Caf, Conseil départemental, commune, fédération, centre social…",
    )
    organisation = forms.ModelChoiceField(
        label="Organisation",
        queryset=None,
        required=False,
        help_text="L'organisation de la personne : ses mandats (correspondant observatoire, co-financeur) "
        "valent pour ses comptes partenaires.",
    )
    role = forms.ChoiceField(label="Rôle", widget=forms.RadioSelect)
    departements = forms.ModelMultipleChoiceField(
        label="Départements", queryset=None, widget=forms.CheckboxSelectMultiple
    )
    communes = forms.ModelMultipleChoiceField(
        label="Communes suivies",
        queryset=None,
        required=False,
        widget=CasesACocherFiltrables(nom="commune", feminin=True),
        help_text="Pour un·e conseiller·e territorial·e seulement : les communes de son secteur.",
    )

    def __init__(self, *args, par, departement=None, cible=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["role"].choices = [(r.value, r.label) for r in Role if peut(par, "compte.attribuer_role", r)]
        self.fields["departements"].queryset = selectors.departements_geres(par)
        # Communes offered: those of the départements at hand (an admin manages all of France).
        codes = set(codes_departements(par))
        if departement is not None:
            codes.add(departement.code)
        if cible is not None:
            # Modifying: the address is the login, it is not changed here.
            del self.fields["email"]
            codes |= {d.code for d in cible.departements.all()}
        self.fields["communes"].queryset = selectors.communes_des_departements(codes)
        self.fields["organisation"].queryset = selectors.organisations_pour_choix(codes)
        self.fields["organisation"].label_from_instance = lambda o: (
            f"{o.nom} ({o.get_type_display()}, {o.departement_id})"
        )
        self.fields["communes"].label_from_instance = lambda c: f"{c.nom} ({c.code})"

    def clean(self):
        donnees = super().clean()
        role, departements, communes = donnees.get("role"), donnees.get("departements"), donnees.get("communes")
        if communes and role and role != Role.CONSEILLER:
            self.add_error("communes", "Seul·e un·e conseiller·e territorial·e suit des communes : décochez-les.")
        elif communes and departements is not None:
            codes = {d.code for d in departements}
            if dehors := [c for c in communes if c.departement_id not in codes]:
                noms = ", ".join(c.nom for c in dehors)
                self.add_error("communes", f"Ces communes ne sont pas dans les départements cochés : {noms}.")
        return donnees

    @classmethod
    def initial_pour(cls, cible) -> dict:
        return {
            "prenom": cible.first_name,
            "nom": cible.last_name,
            "organisme": cible.organisme,
            "organisation": cible.organisation,
            "role": cible.role,
            "departements": list(cible.departements.all()),
            "communes": list(cible.communes.all()),
        }


class FiltreComptesForm(forms.Form):
    recherche = forms.CharField(label="Rechercher", required=False, max_length=100)
    role = forms.ChoiceField(label="Rôle", required=False, choices=[("", "Tous les rôles"), *Role.choices])
    statut = forms.ChoiceField(
        label="Statut", required=False, choices=[("", "Tous les statuts"), *selectors.Statut.choices]
    )


class CodeForm(forms.Form):
    """One code: six digits from the authenticator app, or a recovery code."""

    code = forms.CharField(
        label="Code",
        max_length=32,
        help_text="Les 6 chiffres affichés par votre application d'authentification, ou un code de secours.",
        widget=forms.TextInput(
            attrs={"autocomplete": "one-time-code", "autofocus": True, "spellcheck": "false", "autocapitalize": "off"}
        ),
    )


class AppareilForm(forms.Form):
    nom = forms.CharField(
        label="Nom de l'appareil",
        max_length=64,
        required=False,
        help_text="Facultatif, pour le reconnaître (par exemple « Téléphone professionnel »).",
    )
    code = forms.CharField(
        label="Code affiché par l'application",
        max_length=10,
        help_text="Les 6 chiffres affichés après l'ajout du compte dans l'application.",
        widget=forms.TextInput(attrs={"autocomplete": "one-time-code", "inputmode": "numeric", "spellcheck": "false"}),
    )


class PersonneForm(forms.Form):
    """The person whose personal data is exported or erased."""

    email = forms.EmailField(
        label="Adresse e-mail de la personne",
        widget=forms.EmailInput(attrs={"autocomplete": "off", "spellcheck": "false"}),
    )


class OrganisationForm(forms.Form):
    nom = forms.CharField(label="Nom", max_length=200)
    type = forms.ChoiceField(label="Type", choices=Organisation.Type.choices)
    siret = forms.CharField(label="SIRET", max_length=20, required=False, help_text="14 chiffres, s'il est connu.")
    communes = forms.ModelMultipleChoiceField(
        label="Communes de son territoire",
        queryset=None,
        required=False,
        widget=CasesACocherFiltrables(nom="commune", feminin=True),
        help_text="Pour une commune, un CCAS, une association… Une organisation départementale n'en a pas besoin.",
    )
    epci = forms.ModelChoiceField(label="EPCI / EPT", queryset=None, required=False)
    actif = forms.BooleanField(label="Organisation active", required=False, initial=True)

    def __init__(self, *args, departement, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["communes"].queryset = selectors.communes_des_departements([departement.code])
        self.fields["communes"].label_from_instance = lambda c: f"{c.nom} ({c.code})"
        self.fields["epci"].queryset = selectors.epci_du_departement(departement.code)

    @classmethod
    def initial_pour(cls, organisation) -> dict:
        return {
            "nom": organisation.nom,
            "type": organisation.type,
            "siret": organisation.siret,
            "communes": list(organisation.communes.all()),
            "epci": organisation.epci,
            "actif": organisation.actif,
        }


class MandatForm(forms.Form):
    nature = forms.ChoiceField(label="Nature du mandat", choices=Mandat.Nature.choices, widget=forms.RadioSelect)
    utilisateur = forms.ModelChoiceField(
        label="Compte désigné",
        queryset=None,
        required=False,
        empty_label="Tous les comptes partenaires de l'organisation",
    )
    debut = forms.DateField(label="Début", widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"))
    fin = forms.DateField(
        label="Fin",
        required=False,
        widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
        help_text="Incluse. Vide : jusqu'à révocation.",
    )
    motif = forms.CharField(
        label="Motif", widget=forms.Textarea(attrs={"rows": 3}), help_text="Délibération, convention, courrier…"
    )

    def __init__(self, *args, organisation, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["utilisateur"].queryset = organisation.comptes.filter(role=Role.PARTENAIRE, is_active=True)
        if "nature" not in self.initial:
            # The SENACS charter: review goes to the federation (or the Caf); other partners co-fund.
            correspondant = organisation.type in {Organisation.Type.FEDERATION, Organisation.Type.CAF}
            self.initial["nature"] = (
                Mandat.Nature.CORRESPONDANT_OBSERVATOIRE if correspondant else Mandat.Nature.CO_FINANCEUR
            )
