"""Forms of a département's groupings of communes: draw or edit one, import a file, close one, delete one."""

from django import forms

from maillage.core import horloge
from maillage.core.versions import AvecVersion
from maillage.core.widgets import CasesACocherFiltrables, ChampDate

from .models import Commune, Regroupement
from .services import TYPES_LOCAUX

CHOIX_TYPES = [(valeur, libelle) for valeur, libelle in Regroupement.Type.choices if valeur in TYPES_LOCAUX]
TAILLE_MAX_FICHIER = 5 * 1024 * 1024


def _communes(code: str):
    return [(c, n) for c, n in Commune.objects.filter(departement_id=code).order_by("nom").values_list("code", "nom")]


class RegroupementForm(AvecVersion, forms.Form):
    """Creation (type and validity dates) or edit (name, communes, and the date the changes take effect)."""

    nom = forms.CharField(label="Nom du regroupement", max_length=200)
    type = forms.ChoiceField(label="Type", choices=CHOIX_TYPES)
    debut = forms.DateField(label="En vigueur depuis le", widget=ChampDate())
    fin = forms.DateField(
        label="En vigueur jusqu'au (inclus)",
        required=False,
        widget=ChampDate(),
        help_text="Facultatif : laissez vide pour un regroupement sans fin prévue.",
    )
    date_effet = forms.DateField(
        label="Date d'effet des changements de communes",
        widget=ChampDate(),
        help_text="Une commune retirée reste membre jusqu'à la veille ; une commune ajoutée l'est à partir de "
        "cette date. Les diagnostics à une date antérieure restent justes.",
    )
    communes = forms.MultipleChoiceField(label="Communes", widget=CasesACocherFiltrables(nom="commune", feminin=True))

    def __init__(self, *args, departement: str, regroupement: Regroupement | None = None, **kwargs):
        if regroupement is not None:
            kwargs.setdefault("version", regroupement.version)  # an edit: refused if saved meanwhile
        super().__init__(*args, **kwargs)
        self.fields["communes"].choices = _communes(departement)
        if regroupement is None:
            del self.fields["date_effet"]
            self.fields["debut"].initial = horloge.aujourdhui()
        else:
            for champ in ("type", "debut", "fin"):
                del self.fields[champ]

    def clean(self):
        donnees = super().clean()
        debut, fin = donnees.get("debut"), donnees.get("fin")
        if debut and fin and fin < debut:
            self.add_error("fin", "La fin de validité précède son début.")
        return donnees


class ImportRegroupementsForm(forms.Form):
    fichier = forms.FileField(
        label="Fichier CSV ou XLSX",
        help_text="Une ligne par regroupement et commune : colonnes « regroupement » et « code_commune » "
        "(« code » facultative). Le fichier est vérifié en entier avant d'écrire.",
    )
    type = forms.ChoiceField(label="Type des regroupements du fichier", choices=CHOIX_TYPES)
    debut = forms.DateField(label="En vigueur depuis le", widget=ChampDate())
    fin = forms.DateField(label="En vigueur jusqu'au (inclus)", required=False, widget=ChampDate())

    def clean_fichier(self):
        fichier = self.cleaned_data["fichier"]
        if fichier.size > TAILLE_MAX_FICHIER:
            raise forms.ValidationError("Fichier trop volumineux (5 Mo au plus).")
        return fichier


class ClotureForm(AvecVersion, forms.Form):
    fin = forms.DateField(
        label="Dernier jour de validité",
        widget=ChampDate(),
        help_text="Le regroupement et ses communes restent valables jusqu'à ce jour inclus.",
    )


class SuppressionForm(forms.Form):
    confirme = forms.BooleanField(
        label="Je confirme la suppression, y compris pour les dates passées où il était en vigueur",
        required=False,
    )
