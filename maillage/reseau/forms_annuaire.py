"""Forms of the annuaire: filters, a person, a mailing list, the import file. They check shapes; the services
check the rest (same e-mail in the département, consent date, scope)."""

import datetime

from django import forms
from django.utils import timezone

from maillage.comptes.models import Organisation
from maillage.core import horloge
from maillage.core.versions import AvecVersion

from . import selectors_annuaire
from .echanges_annuaire import TAILLE_MAX_IMPORT
from .models import BaseLegale, Categorie, Personne


class FiltreAnnuaireForm(forms.Form):
    categorie = forms.ChoiceField(label="Catégorie", required=False, choices=[("", "Toutes"), *Categorie.choices])
    type_organisation = forms.ChoiceField(
        label="Type d'organisation", required=False, choices=[("", "Tous"), *Organisation.Type.choices]
    )
    commune = forms.ModelChoiceField(label="Commune", required=False, queryset=None, empty_label="Toutes")
    epci = forms.ModelChoiceField(label="EPCI / EPT", required=False, queryset=None, empty_label="Tous")
    q = forms.CharField(label="Recherche (nom, organisation, e-mail)", required=False, max_length=100)

    def __init__(self, *args, departement, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["commune"].queryset = selectors_annuaire.communes(departement)
        self.fields["epci"].queryset = selectors_annuaire.epci(departement)

    def criteres(self) -> dict:
        donnees = self.cleaned_data if self.is_valid() else {}
        return {
            "categorie": donnees.get("categorie") or "",
            "type_organisation": donnees.get("type_organisation") or "",
            "commune": donnees.get("commune"),
            "epci": donnees.get("epci"),
            "recherche": donnees.get("q") or "",
        }


class PersonneForm(AvecVersion, forms.Form):
    nom = forms.CharField(max_length=150)
    prenom = forms.CharField(label="Prénom", max_length=150, required=False)
    fonction = forms.CharField(max_length=200, required=False)
    organisation = forms.ModelChoiceField(queryset=None, required=False, empty_label="—")
    categorie = forms.ChoiceField(label="Catégorie", choices=[("", "—"), *Categorie.choices])
    email = forms.EmailField(label="Adresse e-mail", required=False, max_length=254)
    telephone = forms.CharField(label="Téléphone", max_length=30, required=False)
    commune = forms.ModelChoiceField(
        queryset=None, required=False, empty_label="—", help_text="Commune de rattachement (listes par territoire)."
    )
    base_legale = forms.ChoiceField(
        label="Base légale", choices=BaseLegale.choices, initial=BaseLegale.MISSION_PUBLIQUE
    )
    consentement_le = forms.DateField(
        label="Consentement donné le",
        required=False,
        widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
        help_text="Obligatoire quand la base légale est le consentement.",
    )
    consentement_objet = forms.CharField(
        label="Objet du consentement", max_length=250, required=False, help_text="Ce à quoi la personne a consenti."
    )
    oppose = forms.BooleanField(
        label="Opposé·e aux envois", required=False, help_text="La personne ne reçoit plus d'invitations du réseau."
    )

    def __init__(self, *args, departement, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["organisation"].queryset = selectors_annuaire.organisations(departement)
        self.fields["commune"].queryset = selectors_annuaire.communes(departement)

    def clean(self):
        donnees = super().clean()
        if donnees.get("base_legale") == BaseLegale.CONSENTEMENT and not donnees.get("consentement_le"):
            self.add_error("consentement_le", "Indiquez la date du consentement (base légale : consentement).")
        jour = donnees.get("consentement_le")
        if jour and jour > horloge.aujourdhui():
            self.add_error("consentement_le", "La date du consentement ne peut pas être dans le futur.")
        return donnees

    def champs_service(self, *, avec_opposition: bool) -> dict:
        donnees = dict(self.cleaned_data)
        donnees.pop("version", None)
        jour = donnees.pop("consentement_le", None)
        donnees["consentement_le"] = (
            timezone.make_aware(datetime.datetime.combine(jour, datetime.time(0))) if jour else None
        )
        oppose = donnees.pop("oppose", False)
        if avec_opposition:
            donnees["oppose"] = oppose
        return donnees


def initial_personne(personne: Personne) -> dict:
    return {
        "nom": personne.nom,
        "prenom": personne.prenom,
        "fonction": personne.fonction,
        "organisation": personne.organisation_id,
        "categorie": personne.categorie,
        "email": personne.email,
        "telephone": personne.telephone,
        "commune": personne.commune_id,
        "base_legale": personne.base_legale,
        "consentement_le": timezone.localtime(personne.consentement_le).date() if personne.consentement_le else None,
        "consentement_objet": personne.consentement_objet,
        "oppose": personne.opposition_le is not None,
    }


class ListeForm(AvecVersion, forms.Form):
    nom = forms.CharField(max_length=150)
    description = forms.CharField(required=False, max_length=5000, widget=forms.Textarea(attrs={"rows": 3}))
    categories = forms.MultipleChoiceField(
        label="Catégories", required=False, choices=Categorie.choices, widget=forms.CheckboxSelectMultiple,
        help_text="Aucune cochée : toutes les catégories (si un territoire est choisi).",
    )  # fmt: skip
    communes = forms.ModelMultipleChoiceField(
        queryset=None, required=False, widget=forms.SelectMultiple(attrs={"size": 6}),
        help_text="Les personnes rattachées à ces communes.",
    )  # fmt: skip
    epci = forms.ModelMultipleChoiceField(
        label="EPCI / EPT", queryset=None, required=False, widget=forms.SelectMultiple(attrs={"size": 4}),
        help_text="Les personnes rattachées à une commune de ces EPCI.",
    )  # fmt: skip
    personnes = forms.ModelMultipleChoiceField(
        label="Personnes ajoutées à la main", queryset=None, required=False,
        widget=forms.SelectMultiple(attrs={"size": 8}),
        help_text="En plus de la sélection par catégorie et territoire. Sans catégorie ni territoire, la liste ne "
        "compte que ces personnes.",
    )  # fmt: skip

    def __init__(self, *args, departement, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["communes"].queryset = selectors_annuaire.communes(departement)
        self.fields["epci"].queryset = selectors_annuaire.epci(departement)
        self.fields["personnes"].queryset = Personne.objects.filter(departement=departement).order_by(
            "nom", "prenom", "pk"
        )


def initial_liste(liste) -> dict:
    return {
        "nom": liste.nom,
        "description": liste.description,
        "categories": liste.categories,
        "communes": [c.pk for c in liste.communes.all()],
        "epci": [e.pk for e in liste.epci.all()],
        "personnes": list(liste.personnes.values_list("pk", flat=True)),
    }


class ImportForm(forms.Form):
    fichier = forms.FileField(
        label="Fichier CSV ou XLSX",
        help_text="Colonnes : Nom, Prénom, Fonction, Organisation, Type d'organisation, Catégorie, E-mail, Téléphone, "
        "Commune, Base légale, Date de consentement, Objet du consentement. 5 Mo au plus.",
        widget=forms.ClearableFileInput(attrs={"accept": ".csv,.xlsx,text/csv"}),
    )

    def clean_fichier(self):
        fichier = self.cleaned_data["fichier"]
        if fichier.size > TAILLE_MAX_IMPORT:
            raise forms.ValidationError("Fichier trop volumineux : 5 Mo au plus.")
        return fichier
