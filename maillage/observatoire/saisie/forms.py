"""Forms of the answering pages: campaign creation and modification, and reading a questionnaire section from a POST.

A section is not a Django form (its questions are data): `lire_section` reads the posted fields of the questions
that were shown, parses French numbers ("17 500,50"), and returns the values to save and the input errors.
"""

import re
from decimal import Decimal, InvalidOperation

from django import forms

from maillage.core import horloge
from maillage.core.versions import AvecVersion
from maillage.core.widgets import ChampDate

from .. import calendrier, regles
from ..models import Campagne, Questionnaire
from ..questionnaire import NUMERIQUES

# Ordinary, no-break and narrow no-break spaces, and the thin space some keyboards insert.
_ESPACES = re.compile(r"[\s\u00a0\u202f\u2009]+")
_NOMBRE = re.compile(r"^[+-]?(\d+([.,]\d*)?|[.,]\d+)$")


# What to type, by question type: a head count is not a sum of money (the example fits the field).
EXEMPLES = {
    "entier": "Saisissez un nombre entier, par exemple 120.",
    "euros": "Saisissez un montant en euros, par exemple 17 500,50.",
    "pourcentage": "Saisissez un pourcentage, par exemple 12,5.",
    "decimal": "Saisissez un nombre, par exemple 3,5.",
}


def analyser_nombre(texte: str, type_: str = "decimal") -> Decimal | None:
    """Parse a number typed the French way: "17 500,50", "17 500,50 €", "12,5 %", "1500.5". Empty → None.

    Raises ValueError (French message, with an example fitting `type_`) when the text is not a number.
    """
    message = EXEMPLES.get(type_, EXEMPLES["decimal"])
    if texte is None:
        return None
    texte = _ESPACES.sub("", str(texte))
    if texte.endswith(("€", "%")):
        texte = texte[:-1]
    if texte == "":
        return None
    if not _NOMBRE.match(texte):
        raise ValueError(message)
    try:
        return Decimal(texte.replace(",", "."))
    except InvalidOperation:  # pragma: no cover - the pattern already excludes it
        raise ValueError(message) from None


def _nombre_json(texte: str, type_: str = "decimal"):
    nombre = analyser_nombre(texte, type_)
    if nombre is None:
        return None
    return int(nombre) if nombre == nombre.to_integral_value() else float(nombre)


def nom_champ(code: str, ligne: str = "", colonne: str = "") -> str:
    return "-".join(["q", code, ligne, colonne]) if ligne else f"q-{code}"


def lire_section(donnees, questions: list[dict]) -> tuple[dict, dict, dict]:
    """Read the posted answers to `questions`: returns (values to save, errors by code, raw inputs by field name).

    Values are JSON-ready (numbers parsed); an empty answer is None (the service removes it). A question with an
    input error is left out of the values (nothing is overwritten) and its raw input is kept for redisplay.
    """
    valeurs, erreurs, brutes = {}, {}, {}
    for question in questions:
        code, type_ = question["code"], question["type"]
        if type_ == "tableau":
            tableau, messages = {}, []
            for ligne in question["lignes"]:
                for colonne in question["colonnes"]:
                    nom = nom_champ(code, ligne["code"], colonne["code"])
                    texte = donnees.get(nom, "")
                    brutes[nom] = texte
                    try:
                        nombre = _nombre_json(texte, colonne["type"])
                    except ValueError as e:
                        messages.append(f"{ligne['libelle']}, {colonne['libelle']} : {e}")
                        continue
                    if nombre is not None:
                        tableau.setdefault(ligne["code"], {})[colonne["code"]] = nombre
            if messages:
                # Every problem of the table at once: the other cells' ranges too, not at the next save.
                if tableau:
                    messages.extend(regles.convertir(question, tableau)[1])
                erreurs[code] = messages
            else:
                valeurs[code] = tableau or None
            continue
        nom = nom_champ(code)
        if type_ == "choix_multiple":
            choisis = donnees.getlist(nom) if hasattr(donnees, "getlist") else donnees.get(nom, [])
            brutes[nom] = list(choisis)
            valeurs[code] = list(choisis) or None
            continue
        texte = donnees.get(nom, "")
        brutes[nom] = texte
        if type_ in NUMERIQUES:
            try:
                valeurs[code] = _nombre_json(texte, type_)
            except ValueError as e:
                erreurs[code] = [str(e)]
        elif type_ == "oui_non":
            valeurs[code] = {"oui": True, "non": False}.get(texte)
        else:
            valeurs[code] = texte.strip() or None
    return valeurs, erreurs, brutes


def _dernieres_versions(nature: str):
    """The latest loaded version of each questionnaire code of this nature."""
    pks, vus = [], set()
    for pk, code in Questionnaire.objects.filter(nature=nature).order_by("code", "-version").values_list("pk", "code"):
        if code not in vus:
            vus.add(code)
            pks.append(pk)
    return Questionnaire.objects.filter(pk__in=pks).order_by("code")


class _ReglagesCampagneForm(forms.Form):
    """The fields a pilot sets at a campaign's opening and may change afterwards (dates, review, threshold)."""

    ouverture = forms.DateField(label="Ouverture", widget=ChampDate())
    date_limite_reponse = forms.DateField(
        label="Date limite de réponse",
        widget=ChampDate(),
        help_text="Après cette date, les réponses sont en retard mais encore acceptées jusqu'à la date limite de"
        " relecture.",
    )
    date_limite_relecture = forms.DateField(
        label="Date limite de relecture",
        widget=ChampDate(),
        help_text="Après cette date, la campagne est close : seules les réponses renvoyées « à corriger » restent"
        " modifiables.",
    )
    federation_relit = forms.BooleanField(
        label="Les correspondants mandatés relisent les réponses",
        required=False,
        help_text=(
            "Les partenaires titulaires d'un mandat de correspondant observatoire en cours (fédération, Caf) peuvent"
            " commenter, renvoyer et valider les réponses."
        ),
    )
    seuil_evolution = forms.DecimalField(
        label="Seuil d'évolution signalée",
        required=False,
        max_digits=4,
        decimal_places=2,
        localize=True,
        widget=forms.TextInput(attrs={"inputmode": "decimal"}),
        initial=Decimal("0.50"),
        help_text="Écart relatif à l'année précédente au-delà duquel une valeur est signalée aux relecteurs"
        " (0,50 = ±50 %).",
    )

    def clean(self):
        donnees = super().clean()
        dates = {champ: donnees.get(champ) for champ in ("ouverture", "date_limite_reponse", "date_limite_relecture")}
        if all(dates.values()):
            # The same checks and messages as the services (one rule, in `calendrier`).
            for champ, message in calendrier.erreurs_dates(**dates).items():
                self.add_error(champ, message)
        return donnees


class CampagneForm(_ReglagesCampagneForm):
    """Opening a campaign."""

    field_order = [
        "annee",
        "questionnaire",
        "bloc_thematique",
        "ouverture",
        "date_limite_reponse",
        "date_limite_relecture",
        "population",
        "federation_relit",
        "seuil_evolution",
    ]

    population = forms.ChoiceField(
        label="Structures interrogées",
        choices=Campagne.Population.choices,
        initial=Campagne.Population.CS_EVS,
        required=False,  # empty: centres sociaux and EVS, as SENACS asks them today
        widget=forms.RadioSelect,
        help_text="SENACS a d'abord interrogé les centres sociaux, puis les espaces de vie sociale : choisissez selon "
        "l'année de la campagne.",
    )
    annee = forms.IntegerField(
        label="Année de collecte",
        min_value=2000,
        max_value=2100,
        help_text="Les données portent sur l'année précédente.",
    )
    questionnaire = forms.ModelChoiceField(label="Questionnaire socle", queryset=Questionnaire.objects.none())
    bloc_thematique = forms.ModelChoiceField(
        label="Bloc thématique", queryset=Questionnaire.objects.none(), required=False, empty_label="Aucun"
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["questionnaire"].queryset = _dernieres_versions(Questionnaire.Nature.SOCLE)
        self.fields["bloc_thematique"].queryset = _dernieres_versions(Questionnaire.Nature.THEME)
        if not self.is_bound:
            annee = horloge.aujourdhui().year
            self.initial.setdefault("annee", annee)
            socle = self.fields["questionnaire"].queryset.first()
            if socle:
                self.initial.setdefault("questionnaire", socle.pk)


class CampagneModifierForm(AvecVersion, _ReglagesCampagneForm):
    """Changing a campaign after its opening (typically: extending a deadline). The year and the questionnaire are
    not here: the answers depend on them."""

    def __init__(self, *args, campagne, **kwargs):
        kwargs.setdefault(
            "initial",
            {
                "ouverture": campagne.ouverture,
                "date_limite_reponse": campagne.date_limite_reponse,
                "date_limite_relecture": campagne.date_limite_relecture,
                "federation_relit": campagne.federation_relit,
                "seuil_evolution": campagne.seuil_evolution,
            },
        )
        kwargs.setdefault("version", campagne.version)
        super().__init__(*args, **kwargs)
        self.fields["seuil_evolution"].required = True
