"""Forms of the fiches expérience (input only: the services validate and write)."""

from django import forms

from maillage.core.versions import AvecVersion
from maillage.structures.models import Structure, TypeStructure

from . import selectors as selectors_fiches


class FicheForm(AvecVersion, forms.Form):
    titre = forms.CharField(label="Titre", max_length=200)
    theme = forms.ChoiceField(label="Thème")
    public_concerne = forms.CharField(
        label="Public concerné", max_length=2000, widget=forms.Textarea(attrs={"rows": 3})
    )
    partenaires = forms.CharField(
        label="Partenaires", max_length=2000, required=False, widget=forms.Textarea(attrs={"rows": 3})
    )
    moyens = forms.CharField(
        label="Moyens mobilisés", max_length=4000, required=False, widget=forms.Textarea(attrs={"rows": 4})
    )
    resultats = forms.CharField(
        label="Résultats", max_length=4000, required=False, widget=forms.Textarea(attrs={"rows": 4})
    )
    limites = forms.CharField(
        label="Limites et points de vigilance",
        max_length=4000,
        required=False,
        widget=forms.Textarea(attrs={"rows": 4}),
    )

    def __init__(self, *args, structures=None, **kwargs):
        super().__init__(*args, **kwargs)
        choix, source = selectors_fiches.themes()
        self.fields["theme"].choices = [("", "— Choisir —"), *choix]
        self.fields["theme"].help_text = f"Liste des thèmes d'action SENACS. Source : {source}."
        if structures is not None:
            self.fields = {
                "structure": forms.ModelChoiceField(label="Structure", queryset=structures, empty_label="— Choisir —"),
                **self.fields,
            }


class FiltresForm(forms.Form):
    theme = forms.ChoiceField(label="Thème", required=False)
    commune = forms.ChoiceField(label="Commune", required=False)
    type = forms.ChoiceField(label="Type de structure", required=False, choices=[("", "Tous"), *TypeStructure.choices])

    def __init__(self, *args, communes=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["theme"].choices = [("", "Tous"), *selectors_fiches.themes()[0]]
        self.fields["commune"].choices = [("", "Toutes"), *communes]


def structures_du_pilote(codes):
    return Structure.objects.filter(departement_id__in=codes).order_by("nom")
