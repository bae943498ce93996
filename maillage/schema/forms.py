"""Forms of the schéma and fiche pages (input only: the services validate again and write).

Choices are limited to the schéma's département (organisations, accounts, communes, EPCI, QPV, structures): a
forged value is an invalid choice before the service checks it again. Long lists are check boxes in a scrolling
box with a filter field (schema/cases.js), usable on a phone."""

import re

from django import forms

from maillage.core.versions import AvecVersion
from maillage.core.widgets import ChampDate

from . import selectors_schema
from .models import FicheAction, Orientation, Schema


class CasesDefilantes(forms.CheckboxSelectMultiple):
    """Check boxes in a bounded, scrolling box; the script adds a filter field above it."""

    def __init__(self, attrs=None):
        super().__init__(attrs={"class": "cases-defilantes", **(attrs or {})})


class ChampEuros(forms.DecimalField):
    """An amount as French users type it: "12 500,50", "12 500 €" (any space, the euro sign ignored)."""

    def to_python(self, value):
        if isinstance(value, str):
            value = re.sub(r"[\s\u00a0\u202f\u2009€]", "", value)
        return super().to_python(value)


def _organisation(o) -> str:
    return f"{o.nom} ({o.get_type_display()})"


def _compte(u) -> str:
    nom = u.get_full_name() or u.email
    organisation = getattr(u.organisation, "nom", "") if u.organisation_id else ""
    return f"{nom} — {u.get_role_display()}{f', {organisation}' if organisation else ''}"


# --- Lists and filters ------------------------------------------------------------------------------------------


class FiltreDepartementForm(forms.Form):
    departement = forms.ChoiceField(label="Département", required=False)

    def __init__(self, *args, departements=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["departement"].choices = [(d.code, f"{d.code} — {d.nom}") for d in departements]


class FiltresArbreForm(forms.Form):
    statut = forms.ChoiceField(label="Statut", required=False, choices=[("", "Tous"), *FicheAction.Statut.choices])
    pilote = forms.TypedChoiceField(label="Organisation pilote", required=False, coerce=int, empty_value=None)
    retard = forms.BooleanField(label="Seulement les actions ayant un jalon en retard", required=False)
    perimetre = forms.ChoiceField(
        label="Territoire",
        required=False,
        help_text="Les actions dont une commune, un QPV, un EPCI ou un regroupement est dans ce territoire, ou qui "
        "le nomment.",
    )

    def __init__(self, *args, pilotes=(), perimetres=(), **kwargs):
        """`perimetres`: the département's cuts (`territoires.perimetres.perimetres_du_departement`)."""
        super().__init__(*args, **kwargs)
        self.fields["pilote"].choices = [("", "Toutes"), *((o.pk, o.nom) for o in pilotes)]
        self.perimetres = {p.valeur: p for _, liste in perimetres for p in liste}
        self.fields["perimetre"].choices = [
            ("", "Tout le département"),
            *((d.libelle, [(p.valeur, p.nom) for p in liste]) for d, liste in perimetres),
        ]

    def criteres(self) -> dict:
        donnees = self.cleaned_data if self.is_valid() else getattr(self, "cleaned_data", {})
        return {
            "statut": donnees.get("statut") or "",
            "pilote": donnees.get("pilote"),
            "retard": bool(donnees.get("retard")),
            "perimetre": self.perimetres.get(donnees.get("perimetre") or ""),
        }


# --- The schéma --------------------------------------------------------------------------------------------------


class SchemaForm(AvecVersion, forms.Form):
    titre = forms.CharField(label="Titre", max_length=250)
    debut = forms.IntegerField(label="Première année", min_value=2000, max_value=2100)
    fin = forms.IntegerField(label="Dernière année", min_value=2000, max_value=2100)
    realise_par = forms.CharField(
        label="Élaboration accompagnée par",
        max_length=250,
        required=False,
        help_text="Cabinet ou équipe qui a accompagné l'élaboration du schéma.",
    )
    signataires = forms.ModelMultipleChoiceField(
        label="Signataires", queryset=None, required=False, widget=CasesDefilantes
    )
    presentation = forms.CharField(
        label="Présentation", max_length=20_000, required=False, widget=forms.Textarea(attrs={"rows": 6})
    )
    resume_diagnostic = forms.CharField(
        label="Synthèse du diagnostic",
        max_length=20_000,
        required=False,
        widget=forms.Textarea(attrs={"rows": 8}),
        help_text="Les chiffres clés du territoire sont ajoutés automatiquement, figés à la date d'adoption.",
    )

    def __init__(self, *args, departement: str, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["signataires"].queryset = selectors_schema.organisations_du_departement(departement)
        self.fields["signataires"].label_from_instance = _organisation
        self.fields["signataires"].help_text = "Organisations du département (Caf, État, Conseil départemental…)."


def initial_schema(schema: Schema) -> dict:
    return {
        **{champ: getattr(schema, champ) for champ in ("titre", "debut", "fin", "realise_par", "presentation")},
        "resume_diagnostic": schema.resume_diagnostic,
        "signataires": list(schema.signataires.all()),
    }


class TransitionForm(AvecVersion, forms.Form):
    vers = forms.ChoiceField(label="Nouveau statut", choices=Schema.Statut.choices)
    date = forms.DateField(
        label="Date d'effet",
        widget=ChampDate(),
        help_text="Pour l'adoption : la date d'adoption (les chiffres du diagnostic sont figés à cette date).",
    )
    commentaire = forms.CharField(
        label="Commentaire", max_length=2000, required=False, widget=forms.Textarea(attrs={"rows": 3})
    )

    def __init__(self, *args, suivant: str | None, **kwargs):
        super().__init__(*args, **kwargs)
        if suivant:
            self.fields["vers"].choices = [(suivant, Schema.Statut(suivant).label)]


class CopieForm(forms.Form):
    titre = forms.CharField(label="Titre du nouveau schéma", max_length=250)
    debut = forms.IntegerField(label="Première année", min_value=2000, max_value=2100)
    fin = forms.IntegerField(label="Dernière année", min_value=2000, max_value=2100)


def initial_copie(source: Schema) -> dict:
    duree = source.fin - source.debut
    debut = source.fin + 1
    titre = source.titre.replace(source.periode, f"{debut}-{debut + duree}")
    return {
        "titre": titre if titre != source.titre else f"{source.titre} ({debut}-{debut + duree})",
        "debut": debut,
        "fin": debut + duree,
    }


class ElementForm(forms.Form):
    numero = forms.IntegerField(
        label="Numéro",
        min_value=1,
        max_value=999,
        required=False,
        help_text="Sa place dans la liste ; laissez vide pour la fin. Les suivants sont renumérotés.",
    )
    titre = forms.CharField(label="Titre", max_length=500)
    texte = forms.CharField(label="Texte", max_length=20_000, required=False, widget=forms.Textarea(attrs={"rows": 4}))


# --- Fiches actions and milestones -------------------------------------------------------------------------------


class FicheForm(AvecVersion, forms.Form):
    numero = forms.CharField(label="Numéro", max_length=20, help_text="Par exemple 1.2.3 ou A3.")
    titre = forms.CharField(label="Titre", max_length=300)
    orientation = forms.ModelChoiceField(label="Orientation", queryset=None, empty_label="— Choisir —")
    objectifs = forms.CharField(label="Objectifs", required=False, widget=forms.Textarea(attrs={"rows": 4}))
    description = forms.CharField(label="Description", required=False, widget=forms.Textarea(attrs={"rows": 5}))
    pilote = forms.ModelChoiceField(
        label="Organisation pilote", queryset=None, required=False, empty_label="— Aucune pour l'instant —"
    )
    partenaires = forms.ModelMultipleChoiceField(
        label="Organisations partenaires", queryset=None, required=False, widget=CasesDefilantes
    )
    referents = forms.ModelMultipleChoiceField(
        label="Référents",
        queryset=None,
        required=False,
        widget=CasesDefilantes,
        help_text="Comptes du département chargés de tenir la fiche à jour (ils le peuvent alors).",
    )
    publics = forms.CharField(label="Publics visés", required=False, widget=forms.Textarea(attrs={"rows": 3}))
    communes = forms.ModelMultipleChoiceField(label="Communes", queryset=None, required=False, widget=CasesDefilantes)
    epci = forms.ModelMultipleChoiceField(label="EPCI", queryset=None, required=False, widget=CasesDefilantes)
    regroupements = forms.ModelMultipleChoiceField(
        label="EPT et regroupements de communes",
        queryset=None,
        required=False,
        widget=CasesDefilantes,
        help_text="Établissements publics territoriaux, territoires de la Caf ou du Département, périmètres de CTG.",
    )
    qpv = forms.ModelMultipleChoiceField(
        label="Quartiers prioritaires (QPV)", queryset=None, required=False, widget=CasesDefilantes
    )
    structures = forms.ModelMultipleChoiceField(
        label="Structures concernées", queryset=None, required=False, widget=CasesDefilantes
    )
    debut = forms.DateField(label="Début", required=False, widget=ChampDate())
    fin = forms.DateField(label="Fin", required=False, widget=ChampDate())
    poids = forms.IntegerField(
        label="Poids",
        min_value=1,
        max_value=100,
        initial=1,
        help_text="Poids de l'action dans l'avancement de son orientation, de son axe et du schéma.",
    )
    budget = ChampEuros(
        label="Budget prévu (€)",
        required=False,
        min_value=0,
        max_digits=12,
        decimal_places=2,
        localize=True,
        widget=forms.TextInput(attrs={"inputmode": "decimal", "autocomplete": "off"}),
    )

    GROUPES = (
        ("L'action", ("numero", "titre", "orientation", "objectifs", "description", "publics")),
        ("Qui la porte", ("pilote", "partenaires", "referents")),
        ("Où", ("communes", "epci", "regroupements", "qpv", "structures")),
        ("Quand et combien", ("debut", "fin", "poids", "budget")),
    )

    def __init__(self, *args, schema: Schema, **kwargs):
        super().__init__(*args, **kwargs)
        code = schema.departement_id
        self.fields["orientation"].queryset = (
            Orientation.objects.filter(axe__schema=schema).select_related("axe").order_by("axe__numero", "numero")
        )
        self.fields["orientation"].label_from_instance = lambda o: f"{o.code}. {o.titre}"
        organisations = selectors_schema.organisations_du_departement(code)
        for nom in ("pilote", "partenaires"):
            self.fields[nom].queryset = organisations
            self.fields[nom].label_from_instance = _organisation
        self.fields["referents"].queryset = selectors_schema.comptes_du_departement(code)
        self.fields["referents"].label_from_instance = _compte
        self.fields["communes"].queryset = selectors_schema.communes_du_departement(code)
        self.fields["communes"].label_from_instance = lambda c: c.nom
        self.fields["epci"].queryset = selectors_schema.epci_du_departement(code)
        self.fields["regroupements"].queryset = selectors_schema.regroupements_du_departement(code)
        self.fields["regroupements"].label_from_instance = selectors_schema.libelle_regroupement
        self.fields["qpv"].queryset = selectors_schema.qpv_du_departement(code)
        self.fields["qpv"].label_from_instance = lambda q: f"{q.nom} ({q.code}, {q.generation})"
        self.fields["structures"].queryset = selectors_schema.structures_du_departement(code)
        self.fields["structures"].label_from_instance = lambda s: f"{s.nom} — {s.commune.nom}"

    def groupes(self):
        return [(legende, [self[nom] for nom in noms]) for legende, noms in self.GROUPES]


def initial_fiche(fiche: FicheAction) -> dict:
    initial = {
        champ: getattr(fiche, champ)
        for champ in ("numero", "titre", "objectifs", "description", "publics", "debut", "fin", "poids", "budget")
    }
    initial["orientation"] = fiche.orientation_id
    initial["pilote"] = fiche.pilote_id
    for nom in ("partenaires", "referents", "communes", "epci", "regroupements", "qpv", "structures"):
        initial[nom] = [o.pk for o in getattr(fiche, nom).all()]
    return initial


class JalonForm(forms.Form):
    libelle = forms.CharField(label="Libellé", max_length=300)
    echeance = forms.DateField(label="Échéance", widget=ChampDate())
    fait = forms.BooleanField(label="Fait", required=False)
    fait_le = forms.DateField(
        label="Fait le", required=False, widget=ChampDate(), help_text="Aujourd'hui si vide et le jalon est fait."
    )


class MiseAJourForm(AvecVersion, forms.Form):
    """The update of a fiche by those who keep it current: status, progress, milestones done, comment."""

    statut = forms.ChoiceField(label="Statut", choices=FicheAction.Statut.choices)
    avancement = forms.IntegerField(
        label="Avancement (%)",
        min_value=0,
        max_value=100,
        help_text="De 0 à 100. Une action réalisée est à 100 %.",
        widget=forms.NumberInput(attrs={"inputmode": "numeric"}),
    )
    jalons = forms.TypedMultipleChoiceField(
        label="Jalons faits", required=False, coerce=int, widget=forms.CheckboxSelectMultiple
    )
    commentaire = forms.CharField(
        label="Commentaire",
        max_length=4000,
        required=False,
        widget=forms.Textarea(attrs={"rows": 4}),
        help_text="Ce qui a avancé, ce qui bloque : gardé dans l'historique de la fiche.",
    )

    def __init__(self, *args, jalons=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["jalons"].choices = [(j.pk, f"{j.libelle} (échéance {j.echeance:%d/%m/%Y})") for j in jalons]
        if not jalons:
            del self.fields["jalons"]
