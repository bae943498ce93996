"""Forms of the door (walk-in registration) and of the satisfaction survey. The services validate again."""

from django import forms

from . import services_enquete
from .models import Categorie

CHOIX_CATEGORIE = [("", "— choisir —"), *Categorie.choices]


class SurPlaceForm(forms.Form):
    nom = forms.CharField(label="Nom", max_length=150)
    prenom = forms.CharField(label="Prénom", max_length=150, required=False)
    email = forms.EmailField(
        label="Adresse e-mail",
        max_length=254,
        help_text="Pour lui envoyer l'enquête de satisfaction ; une personne déjà inscrite est retrouvée.",
        widget=forms.EmailInput(attrs={"autocomplete": "off", "inputmode": "email"}),
    )
    organisation_nom = forms.CharField(label="Organisation", max_length=200, required=False)
    categorie = forms.ChoiceField(label="Catégorie", choices=CHOIX_CATEGORIE)


def _etiquette_note(n: int) -> str:
    return {1: "1 (pas du tout)", 5: "5 (tout à fait)"}.get(n, str(n))


class ReponseEnqueteForm(forms.Form):
    """One field per question of the survey (names are the question codes); `services_enquete.valider_reponses`
    is the validation that counts."""

    def __init__(self, questions: list[dict], *args, **kwargs):
        super().__init__(*args, **kwargs)
        for question in questions:
            code, type_ = question["code"], question["type"]
            obligatoire = bool(question.get("obligatoire"))
            if type_ == "note":
                bornes = range(services_enquete.NOTE_MIN, services_enquete.NOTE_MAX + 1)
                champ = forms.TypedChoiceField(
                    choices=[(str(n), _etiquette_note(n)) for n in bornes], widget=forms.RadioSelect, coerce=int
                )
            elif type_ == "choix":
                champ = forms.ChoiceField(choices=[(c, c) for c in question.get("choix", [])], widget=forms.RadioSelect)
            else:
                champ = forms.CharField(
                    max_length=services_enquete.LONGUEUR_TEXTE, widget=forms.Textarea(attrs={"rows": 4})
                )
            champ.label = question["libelle"]
            champ.required = obligatoire
            if not obligatoire:
                champ.help_text = "Facultatif."
            self.fields[code] = champ
