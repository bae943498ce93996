"""Forms of the network's library and news: list filters, a resource (file or link, visibility, tags), a news post
(status, text, image). They read and check the input; the writes stay in `services_publications`."""

from django import forms
from django.core.exceptions import ValidationError
from django.utils.html import escape
from django.utils.text import Truncator

from maillage.core.versions import AvecVersion

from . import services_publications as services
from .models import Actualite, Ressource, Visibilite

MEGA = 1024 * 1024
AIDE_ETIQUETTES = (
    "Séparées par des virgules (exemple : jeunesse, parentalité). Les étiquettes existantes sont reprises."
)


def _court(texte: str) -> str:
    return Truncator(texte).chars(40)


class FiltreDepartementForm(forms.Form):
    departement = forms.ChoiceField(label="Département", required=False)

    def __init__(self, *args, departements=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["departement"].choices = [("", "Tous"), *((d.code, f"{d.code} — {d.nom}") for d in departements)]


class FiltresRessourcesForm(FiltreDepartementForm):
    q = forms.CharField(label="Rechercher dans les titres", required=False, max_length=100)
    etiquette = forms.TypedChoiceField(label="Étiquette", required=False, coerce=int, empty_value=None)
    nature = forms.ChoiceField(label="Nature", required=False, choices=[("", "Toutes"), *Ressource.Nature.choices])
    evenement = forms.TypedChoiceField(label="Événement", required=False, coerce=int, empty_value=None)
    serie = forms.TypedChoiceField(label="Série d'ateliers", required=False, coerce=int, empty_value=None)

    def __init__(self, *args, etiquettes=(), evenements=(), series=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["etiquette"].choices = [("", "Toutes"), *((e.pk, _court(e.nom)) for e in etiquettes)]
        # Short labels: a long title would widen the select past a phone's screen.
        self.fields["evenement"].choices = [("", "Tous"), *((e.pk, _court(e.titre)) for e in evenements)]
        self.fields["serie"].choices = [("", "Toutes"), *((s.pk, _court(s.titre)) for s in series)]


class FiltresActualitesForm(FiltreDepartementForm):
    etiquette = forms.TypedChoiceField(label="Étiquette", required=False, coerce=int, empty_value=None)

    def __init__(self, *args, etiquettes=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["etiquette"].choices = [("", "Toutes"), *((e.pk, _court(e.nom)) for e in etiquettes)]


class _ChoixDuDepartement(forms.ModelChoiceField):
    def label_from_instance(self, obj):
        debut = getattr(obj, "debut", None)
        titre = Truncator(obj.titre).chars(60)
        return f"{titre} ({debut:%d/%m/%Y})" if debut else titre


class RessourceForm(AvecVersion, forms.Form):
    titre = forms.CharField(label="Titre", max_length=250)
    nature = forms.ChoiceField(label="Nature", choices=Ressource.Nature.choices)
    visibilite = forms.ChoiceField(
        label="Visibilité",
        choices=Visibilite.choices,
        initial=Visibilite.RESEAU,
        help_text="Public : tout le monde ; réseau : les comptes connectés du département ; Caf : ses pilotes et "
        "conseillers.",
    )
    resume = forms.CharField(label="Résumé", required=False, widget=forms.Textarea(attrs={"rows": 4}))
    fichier = forms.FileField(
        label="Fichier",
        required=False,
        help_text=f"PDF, ODT, ODS, DOCX ou XLSX, {services.TAILLE_MAX_DOCUMENT // MEGA} Mo au plus.",
        widget=forms.FileInput(attrs={"accept": ".pdf,.odt,.ods,.docx,.xlsx"}),
    )
    lien = forms.URLField(
        label="Lien",
        required=False,
        max_length=200,
        assume_scheme="https",
        help_text="Adresse d'une page web, à la place d'un fichier.",
    )
    date = forms.DateField(
        label="Date du document", required=False, widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")
    )
    etiquettes = forms.CharField(label="Étiquettes", required=False, max_length=1000, help_text=AIDE_ETIQUETTES)
    serie = _ChoixDuDepartement(
        label="Série d'ateliers",
        queryset=None,
        required=False,
        help_text="Une restitution d'atelier se rattache à sa série.",
    )
    evenement = _ChoixDuDepartement(label="Événement", queryset=None, required=False)

    def __init__(self, *args, series, evenements, fichier_actuel: str = "", **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["serie"].queryset = series
        self.fields["evenement"].queryset = evenements
        if fichier_actuel:
            # Break opportunities in a long name without spaces (the help text is rendered as HTML).
            actuel = escape(fichier_actuel).replace("_", "_<wbr>").replace("-", "-<wbr>")
            aide = self.fields["fichier"].help_text
            self.fields["fichier"].help_text = f"Fichier actuel : {actuel}. Un nouveau le remplace. {aide}"

    def clean_fichier(self):
        fichier = self.cleaned_data.get("fichier")
        if fichier and (raison := services.erreur_document(fichier)):
            raise ValidationError(raison)
        return fichier

    def clean_etiquettes(self):
        return services.lire_etiquettes(self.cleaned_data.get("etiquettes"))


class ActualiteForm(AvecVersion, forms.Form):
    titre = forms.CharField(label="Titre", max_length=250)
    date = forms.DateField(
        label="Date de publication", widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")
    )
    statut = forms.ChoiceField(
        label="Statut",
        choices=Actualite.Statut.choices,
        help_text="Un brouillon n'est lu que par les pilotes et conseillers du département.",
    )
    auteur_libelle = forms.CharField(
        label="Signature", max_length=150, help_text="Telle qu'elle s'affiche (exemple : Communication Caf)."
    )
    resume = forms.CharField(
        label="Résumé",
        max_length=services.LONGUEUR_RESUME_ACTUALITE,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text="Affiché dans la liste, les flux RSS et Atom et l'API.",
    )
    texte = forms.CharField(
        label="Texte",
        max_length=services.LONGUEUR_TEXTE_ACTUALITE,
        widget=forms.Textarea(attrs={"rows": 14}),
        help_text="Texte brut : une ligne vide sépare deux paragraphes.",
    )
    etiquettes = forms.CharField(label="Étiquettes", required=False, max_length=1000, help_text=AIDE_ETIQUETTES)
    image = forms.FileField(
        label="Image",
        required=False,
        help_text=f"JPEG, PNG, WebP ou GIF, {services.TAILLE_MAX_IMAGE // MEGA} Mo au plus.",
        widget=forms.FileInput(attrs={"accept": "image/jpeg,image/png,image/webp,image/gif"}),
    )
    image_description = forms.CharField(
        label="Description de l'image",
        required=False,
        max_length=250,
        help_text="Une phrase qui dit ce que montre l'image, lue à la place de l'image.",
    )
    supprimer_image = forms.BooleanField(label="Retirer l'image actuelle", required=False)
    evenement = _ChoixDuDepartement(label="Événement lié", queryset=None, required=False)

    def __init__(self, *args, evenements, image_actuelle: bool = False, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["evenement"].queryset = evenements
        if not image_actuelle:
            del self.fields["supprimer_image"]

    def clean_image(self):
        image = self.cleaned_data.get("image")
        if image and (raison := services.erreur_image(image)):
            raise ValidationError(raison)
        return image

    def clean_etiquettes(self):
        return services.lire_etiquettes(self.cleaned_data.get("etiquettes"))
