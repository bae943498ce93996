"""Forms of the agrément pages: add, modify, decide (with the assessment criteria), board filters.

Forms shape and check input; `services_agrements` decides (rules engine) and writes. Each criterion is
two fields, `critere_<code>` (appreciation) and `critere_<code>_commentaire`.
"""

from django import forms
from django.core.exceptions import ValidationError

from maillage.core.versions import AvecVersion
from maillage.core.widgets import ChampDate

from . import regles
from .models import Agrement, EvaluationCritere, ParametresAgrements, TypeAgrement

APPRECIATIONS = [("", "— non évalué —")] + list(EvaluationCritere.Appreciation.choices)


TYPES_COURTS = {"animation_globale": "animation globale", "acf": "ACF", "animation_locale": "animation locale"}


def criteres_possibles(type_structure: str) -> list[tuple[str, str]]:
    """Every criterion any rule set may ask for an agrément of this kind of structure, in order; when the
    structure may hold several types, each label says which types it is assessed for."""
    vus: dict[str, str] = {}
    types_par_code: dict[str, list[str]] = {}
    types_possibles: list[str] = []
    for referentiel in regles.REFERENTIELS.values():
        for type_agrement in referentiel.types_autorises.get(type_structure, ()):
            if type_agrement not in types_possibles:
                types_possibles.append(type_agrement)
            for code, libelle in referentiel.criteres_pour(type_agrement):
                vus.setdefault(code, libelle)
                if type_agrement not in types_par_code.setdefault(code, []):
                    types_par_code[code].append(type_agrement)
    if len(types_possibles) < 2:
        return list(vus.items())
    return [
        (code, f"{libelle} ({', '.join(TYPES_COURTS.get(t, t) for t in types_par_code[code])})")
        for code, libelle in vus.items()
    ]


class CriteresMixin:
    """Adds the criteria fields; `criteres` is a list of (code, label)."""

    def ajouter_criteres(self, criteres, *, obligatoires: bool, initial: dict | None = None):
        self.criteres = criteres
        initial = initial or {}
        for code, _ in criteres:
            appreciation, commentaire = initial.get(code, ("", ""))
            # The fieldset's legend names the criterion; the labels stay short.
            self.fields[f"critere_{code}"] = forms.ChoiceField(
                label="Appréciation", choices=APPRECIATIONS, required=obligatoires, initial=appreciation
            )
            self.fields[f"critere_{code}_commentaire"] = forms.CharField(
                label="Commentaire",
                required=False,
                max_length=2000,
                initial=commentaire,
                widget=forms.Textarea(attrs={"rows": 2}),
            )

    def evaluations(self) -> dict[str, tuple[str, str]]:
        d = self.cleaned_data
        return {
            code: (d.get(f"critere_{code}", ""), d.get(f"critere_{code}_commentaire", "")) for code, _ in self.criteres
        }

    def champs_criteres(self):
        return [
            (libelle, self[f"critere_{code}"], self[f"critere_{code}_commentaire"]) for code, libelle in self.criteres
        ]


class AgrementForm(AvecVersion, CriteresMixin, forms.Form):
    """Add (with statut and criteria) or modify (data only) an agrément of one structure."""

    type = forms.ChoiceField(label="Type d'agrément", choices=TypeAgrement.choices)
    debut = forms.DateField(label="Début", widget=ChampDate())
    fin = forms.DateField(
        label="Fin",
        widget=ChampDate(),
        help_text="Un agrément dure de 1 à 4 ans : pour 4 ans à partir du 01/01/2024, la fin est le 31/12/2027.",
    )
    statut = forms.ChoiceField(
        label="Statut",
        choices=Agrement.Statut.choices,
        initial=Agrement.Statut.EN_INSTRUCTION,
        help_text="Un agrément accordé, refusé ou expiré exige l'appréciation de chaque critère et le commentaire.",
    )
    date_decision = forms.DateField(
        label="Date de la décision du conseil d'administration", required=False, widget=ChampDate()
    )
    instance = forms.CharField(
        label="Instance de décision",
        required=False,
        max_length=200,
        help_text="Par exemple : commission d'action sociale du 15/10/2023.",
    )
    commentaire = forms.CharField(
        label="Commentaire de l'instruction",
        required=False,
        max_length=10000,
        widget=forms.Textarea(attrs={"rows": 4}),
        help_text="Annotation privée de l'équipe Caf : jamais visible publiquement.",
    )

    def __init__(self, *args, structure, agrement=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.structure = structure
        self.agrement = agrement
        autorises = {t for r in regles.REFERENTIELS.values() for t in r.types_autorises.get(structure.type, ())}
        self.fields["type"].choices = [(v, label) for v, label in TypeAgrement.choices if v in autorises]
        if agrement is None:
            self.ajouter_criteres(criteres_possibles(structure.type), obligatoires=False)
        else:
            # The statut and the assessment change through the decision form.
            del self.fields["statut"]
            self.criteres = []

    @classmethod
    def initial_pour(cls, agrement: Agrement) -> dict:
        return {
            "type": agrement.type,
            "debut": agrement.debut,
            "fin": agrement.fin,
            "date_decision": agrement.date_decision,
            "instance": agrement.instance,
            "commentaire": agrement.commentaire,
        }


class DecisionForm(AvecVersion, CriteresMixin, forms.Form):
    statut = forms.ChoiceField(
        label="Décision",
        choices=[(Agrement.Statut.ACCORDE, "Accordé"), (Agrement.Statut.REFUSE, "Refusé")],
        widget=forms.RadioSelect,
    )
    date_decision = forms.DateField(label="Date de la décision du conseil d'administration", widget=ChampDate())
    instance = forms.CharField(label="Instance de décision", required=False, max_length=200)
    commentaire = forms.CharField(
        label="Commentaire de l'instruction",
        max_length=10000,
        widget=forms.Textarea(attrs={"rows": 5}),
        help_text="Obligatoire : annotation privée de l'équipe Caf, jamais visible publiquement.",
    )

    def __init__(self, *args, agrement: Agrement, **kwargs):
        super().__init__(*args, **kwargs)
        self.agrement = agrement
        referentiel = regles.regles_pour(agrement.debut)
        self.referentiel = referentiel
        initial = {e.critere: (e.appreciation, e.commentaire) for e in agrement.evaluations.all()}
        self.ajouter_criteres(list(referentiel.criteres_pour(agrement.type)), obligatoires=True, initial=initial)
        if not self.is_bound:
            self.initial.setdefault("commentaire", agrement.commentaire)
            self.initial.setdefault("instance", agrement.instance)
            self.initial.setdefault("date_decision", agrement.date_decision)
            if agrement.statut in (Agrement.Statut.ACCORDE, Agrement.Statut.REFUSE):
                self.initial.setdefault("statut", agrement.statut)


class FiltreRenouvellementsForm(forms.Form):
    type = forms.ChoiceField(label="Type d'agrément", required=False, choices=[("", "Tous")] + TypeAgrement.choices)
    commune = forms.ChoiceField(label="Commune", required=False)
    date = forms.DateField(
        label="À la date du",
        required=False,
        widget=ChampDate(),
        help_text="Par défaut, aujourd'hui : les retards sont calculés à cette date.",
    )

    def __init__(self, *args, communes, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["commune"].choices = [("", "Toutes")] + [(c.code, f"{c.nom} ({c.code})") for c in communes]

    def clean_date(self):
        date = self.cleaned_data.get("date")
        if date is not None and not regles.DATE_MIN <= date <= regles.DATE_MAX:
            raise ValidationError(
                f"Choisissez une date entre le {regles.DATE_MIN:%d/%m/%Y} et le {regles.DATE_MAX:%d/%m/%Y}."
            )
        return date


class ParametresAgrementsForm(AvecVersion, forms.Form):
    transition_acf = forms.ChoiceField(
        label="Agrément d'animation collective familles (ACF) débutant à partir du 1er janvier 2027",
        choices=ParametresAgrements.TransitionACF.choices,
        widget=forms.RadioSelect,
        help_text="Règle de transition fixée par la Caf pour ce département, pas une règle nationale : elle "
        "s'applique aux agréments enregistrés ou modifiés à partir de maintenant.",
    )
