"""Forms of the review page and the follow-up board (validation of input only: the services decide)."""

from django import forms

from ..models import Statut
from ..services import COMMENTAIRE_MAX, MOTIF_MAX


class MotifForm(forms.Form):
    motif = forms.CharField(
        label="Motif",
        max_length=MOTIF_MAX,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text="Transmis à la structure et conservé dans l'historique.",
        error_messages={"required": "Indiquez le motif : il est transmis à la structure et conservé."},
    )


class CommentaireForm(forms.Form):
    question = forms.CharField(required=False, widget=forms.HiddenInput)
    texte = forms.CharField(
        label="Commentaire",
        max_length=COMMENTAIRE_MAX,
        widget=forms.Textarea(attrs={"rows": 2}),
        error_messages={"required": "Le commentaire est vide."},
    )


class FiltreSuiviForm(forms.Form):
    statut = forms.ChoiceField(label="Statut", required=False, choices=[("", "Tous")] + list(Statut.choices))
    commune = forms.ChoiceField(label="Commune", required=False, choices=[("", "Toutes")])

    def __init__(self, *args, communes=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["commune"].choices = [("", "Toutes")] + list(communes)
