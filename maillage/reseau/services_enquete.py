"""Writes of the satisfaction survey of an event: create it from the default French questions, open or close it,
record one answer per attendee (their registration's secret link is the access).

`valider_reponses` is pure (no Django): the page, a future API and the tests share it."""

import copy

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction

from maillage.core.audit import acteur
from maillage.core.horloge import maintenant
from maillage.core.permissions import exiger

from .models import EnqueteSatisfaction, Evenement, Inscription, ReponseSatisfaction

TYPES = ("note", "choix", "texte")
NOTE_MIN, NOTE_MAX = 1, 5
LONGUEUR_TEXTE = 2_000

QUESTIONS_PAR_DEFAUT = [
    {"code": "satisfaction", "libelle": "Dans l'ensemble, êtes-vous satisfait·e de cette journée ?", "type": "note",
     "obligatoire": True},
    {"code": "utilite_matin", "libelle": "La matinée vous a-t-elle été utile ?", "type": "note",
     "obligatoire": False},
    {"code": "utilite_apres_midi", "libelle": "L'après-midi vous a-t-il été utile ?", "type": "note",
     "obligatoire": False},
    {"code": "ameliorer", "libelle": "Que faudrait-il améliorer ?", "type": "texte", "obligatoire": False},
    {"code": "revenir", "libelle": "Reviendriez-vous à une prochaine édition ?", "type": "choix",
     "choix": ["Oui", "Non"], "obligatoire": True},
]  # fmt: skip


class ReponseImpossible(Exception):
    """The survey cannot be answered through this link (closed, not present, already answered): `raison` in
    French, shown on the page."""

    def __init__(self, raison: str):
        super().__init__(raison)
        self.raison = raison


def valider_reponses(questions: list[dict], donnees) -> tuple[dict, dict]:
    """Check the answers `donnees` (a mapping code → value, as a form or JSON sends it) against `questions`.
    Returns (clean answers by code, errors by code in French); unknown codes are ignored, every error is listed.
    Notes are integers 1-5, choices one of the listed ones, texts at most 2 000 characters."""
    propre: dict = {}
    erreurs: dict = {}
    donnees = donnees if hasattr(donnees, "get") else {}
    for question in questions:
        code, type_ = question.get("code"), question.get("type")
        brut = donnees.get(code)
        if isinstance(brut, str):
            brut = brut.strip()
        if brut in (None, "", []):
            if question.get("obligatoire"):
                erreurs[code] = "Répondez à cette question."
            continue
        if type_ == "note":
            try:
                note = int(brut) if not isinstance(brut, bool | float) else None
            except (TypeError, ValueError):
                note = None
            if note is None or not NOTE_MIN <= note <= NOTE_MAX:
                erreurs[code] = f"Choisissez une note de {NOTE_MIN} à {NOTE_MAX}."
            else:
                propre[code] = note
        elif type_ == "choix":
            if not isinstance(brut, str) or brut not in question.get("choix", []):
                erreurs[code] = "Choisissez une réponse dans la liste."
            else:
                propre[code] = brut
        elif not isinstance(brut, str):
            erreurs[code] = "Répondez par un texte."
        elif len(brut) > LONGUEUR_TEXTE:
            erreurs[code] = f"Ce texte ne doit pas dépasser {LONGUEUR_TEXTE:,} caractères.".replace(",", "\u202f")
        else:
            propre[code] = brut
    return propre, erreurs


def enquete_creer(*, par, evenement: Evenement) -> EnqueteSatisfaction:
    """Create the survey of an event that has begun, with the default questions, open at once."""
    exiger(par, "evenement.organiser", evenement)
    if evenement.debut > maintenant():
        raise ValidationError({"__all__": "L'enquête se crée une fois l'événement commencé."})
    with transaction.atomic(), acteur(par):
        Evenement.objects.select_for_update().get(pk=evenement.pk)
        existante = EnqueteSatisfaction.objects.filter(evenement=evenement).first()
        if existante is not None:
            return existante
        return EnqueteSatisfaction.objects.create(
            evenement=evenement, questions=copy.deepcopy(QUESTIONS_PAR_DEFAUT), ouverte=True
        )


def enquete_ouvrir(*, par, enquete: EnqueteSatisfaction, ouverte: bool) -> EnqueteSatisfaction:
    """Open (or close) the survey to answers."""
    exiger(par, "evenement.organiser", enquete.evenement)
    with transaction.atomic(), acteur(par):
        enquete.ouverte = bool(ouverte)
        enquete.save(update_fields=["ouverte"])
    return enquete


def raison_refus(inscription: Inscription) -> str:
    """Why this registration cannot answer now ("" when it can)."""
    enquete = getattr(inscription.evenement, "enquete", None)
    if enquete is None:
        return "Il n'y a pas d'enquête de satisfaction pour cet événement."
    if not enquete.ouverte:
        return "L'enquête de satisfaction de cet événement est close. Merci de votre intérêt."
    if not inscription.present:
        return "L'enquête est réservée aux personnes présentes à l'événement."
    if ReponseSatisfaction.objects.filter(inscription=inscription).exists():
        return "Vous avez déjà répondu à cette enquête. Merci !"
    return ""


def reponse_enregistrer(*, inscription: Inscription, donnees) -> ReponseSatisfaction:
    """Record the answer of a present registrant (once). Raises `ReponseImpossible` (closed, not present, already
    answered) or `ValidationError` keyed by question code."""
    if raison := raison_refus(inscription):
        raise ReponseImpossible(raison)
    enquete = inscription.evenement.enquete
    propre, erreurs = valider_reponses(enquete.questions, donnees)
    if erreurs:
        raise ValidationError(erreurs)
    try:
        with transaction.atomic(), acteur(None):
            return ReponseSatisfaction.objects.create(enquete=enquete, inscription=inscription, reponses=propre)
    except IntegrityError as e:  # the same link sent twice at once: the first one counts
        raise ReponseImpossible("Vous avez déjà répondu à cette enquête. Merci !") from e
