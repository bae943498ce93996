"""Forms of the diagnostic pages: filters, parameters, simulation and scenarios.

Forms only shape and check input; the selectors compute and the services write. Choices are limited to the
département (its communes, its active structures): a forged value is an invalid choice with a French message.
"""

import datetime

from django import forms

from maillage.core import horloge
from maillage.core.versions import AvecVersion
from maillage.core.widgets import CasesACocherFiltrables, ChampDate
from maillage.structures.models import TypeStructure

from . import moteur

FORMATS_DATE = ["%Y-%m-%d", "%d/%m/%Y"]

# Score components: label shown beside each weight (keys of moteur.Parametres().poids).
LIBELLES_POIDS = {
    "population": "Population",
    "distance": "Éloignement de la structure la plus proche",
    "qpv": "Quartiers prioritaires sans structure",
    "bas_revenus": "Personnes à bas revenus (indicateur Caf)",
}


def lire_date(valeur: str | None, defaut: datetime.date | None = None) -> tuple[datetime.date | None, str]:
    """A date from a URL parameter (2015-12-31 or 31/12/2015): (date, "") or (None, French message)."""
    valeur = (valeur or "").strip()
    if not valeur:
        return (defaut or horloge.aujourdhui()), ""
    for format_ in FORMATS_DATE:
        try:
            date = datetime.datetime.strptime(valeur, format_).date()
        except ValueError:
            continue
        if date.year < 1900 or date.year > 2100:
            break
        return date, ""
    return None, f"La date « {valeur[:30]} » n'est pas valide : utilisez le format JJ/MM/AAAA (par exemple 31/12/2015)."


class ParametresForm(AvecVersion, forms.Form):
    distance_couverture_km = forms.DecimalField(
        label="Distance de couverture (km)",
        min_value=0,
        max_digits=5,
        decimal_places=2,
        help_text="Une commune est couverte quand une structure compétente s'y trouve ou est à moins de cette "
        "distance (entre 0,1 et 50 km).",
    )
    tampon_qpv_m = forms.IntegerField(
        label="Tampon autour des QPV (m)",
        min_value=0,
        help_text="Un QPV dont le contour est connu est servi par une structure située dans ce tampon (0 à 5 000 m).",
    )

    def __init__(self, *args, poids: dict[str, float] | None = None, **kwargs):
        super().__init__(*args, **kwargs)
        poids = poids or moteur.Parametres().poids
        for cle in moteur.Parametres().poids:
            self.fields[f"poids_{cle}"] = forms.DecimalField(
                label=f"Pondération : {LIBELLES_POIDS.get(cle, cle)}",
                min_value=0,
                max_digits=6,
                decimal_places=3,
                initial=poids.get(cle, 0),
            )

    def poids(self) -> dict[str, float]:
        return {
            nom.removeprefix("poids_"): float(valeur)
            for nom, valeur in self.cleaned_data.items()
            if nom.startswith("poids_")
        }

    def champs_poids(self):
        return [self[nom] for nom in self.fields if nom.startswith("poids_")]


class AjoutForm(forms.Form):
    """One hypothetical structure of a simulation. Empty rows are ignored."""

    nom = forms.CharField(label="Nom", max_length=200, required=False)
    type = forms.ChoiceField(label="Type", choices=TypeStructure.choices, initial=TypeStructure.EVS)
    commune = forms.ChoiceField(label="Commune", required=False)
    longitude = forms.FloatField(label="Longitude", required=False, min_value=-180, max_value=180)
    latitude = forms.FloatField(label="Latitude", required=False, min_value=-90, max_value=90)

    def __init__(self, *args, communes=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["commune"].choices = [("", "—")] + list(communes)

    def has_changed(self):
        # A row counts only when a commune is chosen: the type's default alone does not make an addition.
        return bool(self.data.get(self.add_prefix("commune")))

    def clean(self):
        donnees = super().clean()
        if not donnees.get("commune"):
            return donnees
        # The missing coordinate is the field in error (beside the commune's other errors, not instead of them).
        longitude, latitude = donnees.get("longitude"), donnees.get("latitude")
        if (longitude is None) != (latitude is None) and not {"longitude", "latitude"} & set(self.errors):
            manquante = "latitude" if latitude is None else "longitude"
            self.add_error(manquante, "Indiquez la longitude et la latitude, ou aucune des deux.")
        if not donnees.get("nom"):
            donnees["nom"] = "Structure hypothétique"
        return donnees

    def ajout(self) -> dict:
        d = self.cleaned_data
        ajout = {"nom": d["nom"], "type": d["type"], "commune": d["commune"]}
        if d.get("longitude") is not None:
            ajout["longitude"] = d["longitude"]
            ajout["latitude"] = d["latitude"]
        return ajout


class BaseAjoutFormSet(forms.BaseFormSet):
    def __init__(self, *args, communes=(), **kwargs):
        self.communes = communes
        super().__init__(*args, **kwargs)

    def get_form_kwargs(self, index):
        return {**super().get_form_kwargs(index), "communes": self.communes}

    @property
    def empty_form(self):
        form = self.form(auto_id=self.auto_id, prefix=self.add_prefix("__prefix__"), communes=self.communes)
        self.add_fields(form, None)
        return form

    def ajouts(self) -> list[dict]:
        return [f.ajout() for f in self.forms if f.has_changed() and f.cleaned_data.get("commune")]


AjoutFormSet = forms.formset_factory(AjoutForm, formset=BaseAjoutFormSet, extra=3, max_num=50, absolute_max=50)


class SimulationForm(AvecVersion, forms.Form):
    date = forms.DateField(label="Date de référence", widget=ChampDate(), input_formats=FORMATS_DATE)
    fermetures = forms.MultipleChoiceField(
        label="Structures à fermer",
        required=False,
        widget=CasesACocherFiltrables(nom="structure", feminin=True),
        help_text="Structures actives à la date de référence dans le département.",
    )
    nom = forms.CharField(label="Nom du scénario", max_length=200, required=False)
    description = forms.CharField(label="Description", required=False, widget=forms.Textarea(attrs={"rows": 3}))
    partage = forms.BooleanField(label="Partager avec les partenaires du département", required=False)

    def __init__(self, *args, structures=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["fermetures"].choices = [(str(s["id"]), f"{s['nom']} ({s['commune_nom']})") for s in structures]

    def ids_fermetures(self) -> list[int]:
        return [int(i) for i in self.cleaned_data.get("fermetures") or []]
