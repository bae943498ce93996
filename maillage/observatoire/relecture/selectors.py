"""Reads of the review: one answer with its checks, outliers, comments and history; a campaign's follow-up board.

Outliers against the département median (`ecarts_mediane`, pure): for each followed number (`suivi_evolution`) the
median is taken over the other answers of the same campaign (a campaign is one département) that are « soumise » or
« validée »; it is used only with at least `MEDIANE_MINIMUM` values and a median above zero. A value is flagged when it
is more than `FACTEUR_MEDIANE` (3) times the median or less than a third of it. Tables are compared on their total.
"""

import datetime
import statistics
from collections import Counter, defaultdict
from dataclasses import dataclass, field

from django.db.models import Max, OuterRef, Q, Subquery
from django.utils import timezone

from maillage.comptes.models import Role
from maillage.core import horloge
from maillage.core.permissions import codes_communes, est_admin, peut

from .. import affichage, regles, selectors
from ..models import Campagne, Commentaire, Relance, Reponse, Statut, Transition

FACTEUR_MEDIANE = 3
MEDIANE_MINIMUM = 3
RETARD_CORRECTION_JOURS = 14
STATUTS_COMPARES = (Statut.SOUMISE, Statut.VALIDEE)
TYPES_RAPPELES = frozenset({"choix_unique", "choix_multiple", "oui_non", "texte_court"})


# --- Pure computations ---------------------------------------------------------------------------------------


def ecarts_mediane(definition, valeurs: dict, autres: list[dict], *, facteur=FACTEUR_MEDIANE, minimum=MEDIANE_MINIMUM):
    """{code: (valeur, médiane, message)} for the followed numbers of `valeurs` beyond ×facteur or ÷facteur of the
    median of the same question in `autres` (other answers' values)."""
    ecarts = {}
    for code, question in definition.questions.items():
        if not question.get("suivi_evolution"):
            continue
        valeur = regles.valeur_numerique(definition, valeurs, code)
        if valeur is None:
            continue
        serie = [v for v in (regles.valeur_numerique(definition, a, code) for a in autres) if v is not None]
        if len(serie) < minimum:
            continue
        mediane = statistics.median(serie)
        if mediane <= 0 or mediane / facteur <= valeur <= mediane * facteur:
            continue
        sens = "au-dessus" if valeur > mediane else "en dessous"
        message = (
            f"{regles.nombre_fr(valeur)} : très {sens} de la médiane du département ({regles.nombre_fr(mediane)},"
            f" sur {len(serie)} réponses) : valeur à vérifier."
        )
        ecarts[code] = (valeur, mediane, message)
    return ecarts


def est_en_retard(reponse: Reponse, aujourd_hui: datetime.date, renvoyee_le=None) -> str:
    """Why an answer is late ("" if it is not): not submitted after the deadline, or « à corriger » for more than
    RETARD_CORRECTION_JOURS days (`renvoyee_le`: date of the last move to « à corriger »)."""
    if reponse.statut == Statut.BROUILLON and aujourd_hui > reponse.campagne.date_limite_reponse:
        return "Non soumise après la date limite"
    if reponse.statut == Statut.A_CORRIGER and renvoyee_le is not None:
        jours = (aujourd_hui - renvoyee_le).days
        if jours > RETARD_CORRECTION_JOURS:
            return f"À corriger depuis {jours} jours"
    return ""


def afficher(valeur, question: dict | None = None) -> str:
    """A stored value as read-only text: choice labels, Oui/Non, French numbers, tables flattened (see
    `affichage.texte`, the one home of this formatting)."""
    return affichage.texte(question, valeur)


def portrait_visible(user, reponse: Reponse) -> bool:
    """Whether to offer the link to the structure's portrait of the campaign year: the portrait sets the answer's
    figures against the département's validated answers, so it is offered once the answer is validated, to those
    who may see the answer (rule `reponse.voir`, the portrait's own)."""
    return reponse.statut == Statut.VALIDEE and peut(user, "reponse.voir", reponse)


# --- One answer ----------------------------------------------------------------------------------------------


def commentaires_et_motifs(reponse: Reponse) -> dict:
    """Context of `observatoire/relecture/_commentaires.html`: `commentaires_par_question` {code or "": [Commentaire]},
    `commentaires` (all, oldest first) and `transitions` (with their motif), authors loaded (2 queries)."""
    commentaires = list(Commentaire.objects.filter(reponse=reponse).select_related("auteur").order_by("le", "pk"))
    par_question = defaultdict(list)
    for commentaire in commentaires:
        par_question[commentaire.question].append(commentaire)
    transitions = list(Transition.objects.filter(reponse=reponse).select_related("par").order_by("le", "pk"))
    return {"commentaires": commentaires, "commentaires_par_question": dict(par_question), "transitions": transitions}


def _mediane(serie: list, minimum: int = MEDIANE_MINIMUM):
    """(median or None when fewer than `minimum` values, number of values)."""
    return (statistics.median(serie) if len(serie) >= minimum else None), len(serie)


def comparaisons(definition, question: dict, precedentes: dict | None, autres: list[dict]) -> dict | None:
    """Last year's value of the same structure and the département's median for one question (pure).

    A number: {"precedente", "mediane", "nb"} as French text (« — » when unknown; the median None when there are
    fewer than `MEDIANE_MINIMUM` answers: it would show one structure's figure). A table: the same per column (its
    total over the rows; percentages are not summed; « — » for no median), as lists aligned on the definition's
    columns. A choice, yes/no or short text: last year's answer, no median. None for long texts."""
    code, type_ = question["code"], question["type"]
    if type_ == "tableau":
        if all(colonne["type"] == "pourcentage" for colonne in question["colonnes"]):
            return None
        precedente, mediane, nombres = [], [], []
        for colonne in question["colonnes"]:
            if colonne["type"] == "pourcentage":
                precedente.append(affichage.VIDE)
                mediane.append(affichage.VIDE)
                continue
            reference = f"{code}.*.{colonne['code']}"
            avant = regles.valeur_numerique(definition, precedentes, reference) if precedentes else None
            serie = [v for v in (regles.valeur_numerique(definition, a, reference) for a in autres) if v is not None]
            valeur_mediane, nb = _mediane(serie)
            precedente.append(affichage.nombre(avant, colonne["type"]))
            mediane.append(affichage.nombre(valeur_mediane, colonne["type"]))
            nombres.append(nb)
        return {"precedente": precedente, "mediane": mediane, "nb": max(nombres, default=0)}
    if type_ in TYPES_RAPPELES:
        # A choice or a short text: last year's answer only (a median means nothing here).
        return {"precedente": affichage.texte(question, (precedentes or {}).get(code)), "mediane": None, "nb": 0}
    if type_ not in affichage.NUMERIQUES:
        return None
    avant = regles.valeur_numerique(definition, precedentes, code) if precedentes else None
    serie = [v for v in (regles.valeur_numerique(definition, a, code) for a in autres) if v is not None]
    valeur_mediane, nb = _mediane(serie)
    return {
        "precedente": affichage.nombre(avant, type_),
        "mediane": affichage.nombre(valeur_mediane, type_) if valeur_mediane is not None else None,
        "nb": nb,
    }


def relecture(reponse: Reponse) -> dict:
    """Everything the review page shows: sections → questions with value, last year's value and the département's
    median, errors, alerts (each rule's alert once, beside the last question it compares), outliers, comments.

    Five queries whatever the questionnaire's size: the structure's agréments, last year's validated answer, the
    campaign's other submitted or validated answers (one row each, for the medians), comments, status changes."""
    campagne = reponse.campagne
    definition = selectors.definition_campagne(campagne)
    precedente = selectors.reponse_precedente(reponse)
    precedentes = precedente.valeurs if precedente else None
    resultat = regles.controler(
        definition,
        reponse.valeurs,
        selectors.contexte_reponse(reponse),
        precedentes=precedentes,
        seuil_evolution=float(campagne.seuil_evolution),
    )
    autres = list(
        Reponse.objects.filter(campagne=campagne, statut__in=STATUTS_COMPARES)
        .exclude(pk=reponse.pk)
        .values_list("valeurs", flat=True)
    )
    ecarts = ecarts_mediane(definition, reponse.valeurs, autres)
    alertes, generales = regles.anomalies_par_question(definition, resultat.anomalies, resultat.visibles)
    fil = commentaires_et_motifs(reponse)
    sections = []
    for section in definition.sections:
        questions = []
        for question in section["questions"]:
            code = question["code"]
            if code not in resultat.visibles:
                continue
            vue = {
                "code": code,
                "libelle": question["libelle"],
                "type": question["type"],
                "valeur": afficher(reponse.valeurs.get(code), question),
                "tableau": affichage.tableau(question, reponse.valeurs.get(code))
                if question["type"] == "tableau"
                else None,
                "comparaison": comparaisons(definition, question, precedentes, autres),
                "erreurs": resultat.erreurs.get(code, []),
                "alertes": alertes.get(code, []),
                "ecart_mediane": ecarts.get(code),
                "commentaires": fil["commentaires_par_question"].get(code, []),
            }
            vue["signalements"] = len(vue["erreurs"]) + len(vue["alertes"]) + (1 if vue["ecart_mediane"] else 0)
            questions.append(vue)
        if questions:
            sections.append(
                {
                    "code": section["code"],
                    "titre": section["titre"],
                    "questions": questions,
                    "signalements": sum(q["signalements"] for q in questions),
                }
            )
    return {
        "definition": definition,
        "resultat": resultat,
        "sections": sections,
        "anomalies_generales": generales,
        "ecarts_mediane": ecarts,
        "a_une_annee_precedente": precedente is not None,
        "nb_signalements": sum(s["signalements"] for s in sections) + len(generales),
        **fil,
    }


def voisines(user, reponse: Reponse, *, statut: str = "", commune: str = "") -> dict:
    """The answers before and after this one in the follow-up list as the user sees it (same filters, same order):
    {"precedente": pk or None, "suivante": pk or None, "rang": 1-based or None, "total"} (one query of ids)."""
    reponses = _perimetre(user, reponse.campagne)
    if statut:
        reponses = reponses.filter(statut=statut)
    if commune:
        reponses = reponses.filter(structure__commune_id=commune)
    ids = list(reponses.values_list("pk", flat=True))
    if reponse.pk not in ids:
        return {"precedente": None, "suivante": None, "rang": None, "total": len(ids)}
    rang = ids.index(reponse.pk)
    return {
        "precedente": ids[rang - 1] if rang > 0 else None,
        "suivante": ids[rang + 1] if rang + 1 < len(ids) else None,
        "rang": rang + 1,
        "total": len(ids),
    }


# --- Follow-up board -----------------------------------------------------------------------------------------


@dataclass
class Suivi:
    lignes: list
    attendues: int = 0
    recues: int = 0
    validees: int = 0
    par_statut: list = field(default_factory=list)
    en_retard: list = field(default_factory=list)
    communes: list = field(default_factory=list)

    @property
    def taux_reponse(self):
        return self.recues / self.attendues if self.attendues else None

    @property
    def taux_validation(self):
        return self.validees / self.attendues if self.attendues else None


def reponses_suivies(user, campagne: Campagne):
    """The campaign's answers a user follows (a conseiller: their communes only; `user=None`: all, for the system),
    with `renvoyee_le` (last move to « à corriger ») and `relancee_le` (last reminder) annotated."""
    reponses = (
        _perimetre(user, campagne)
        .select_related("structure", "structure__commune", "campagne")
        .annotate(
            renvoyee_le=Max("transitions__le", filter=Q(transitions__vers=Statut.A_CORRIGER)),
            relancee_le=Subquery(
                Relance.objects.filter(campagne_id=OuterRef("campagne_id"), structure_id=OuterRef("structure_id"))
                .order_by("-envoyee_le")
                .values("envoyee_le")[:1]
            ),
        )
    )
    return reponses


def _perimetre(user, campagne: Campagne):
    """The campaign's answers a user follows, in the follow-up list's order (structure name)."""
    reponses = Reponse.objects.filter(campagne=campagne).order_by("structure__nom", "pk")
    if user is not None and not est_admin(user) and user.role == Role.CONSEILLER:
        reponses = reponses.filter(structure__commune_id__in=codes_communes(user))
    return reponses


def _date_locale(valeur):
    return timezone.localdate(valeur) if valeur is not None else None


def suivi_campagne(user, campagne: Campagne, *, statut="", commune="", aujourd_hui=None) -> Suivi:
    """Counts over the answers the user follows, and the rows filtered by status and commune (1 query)."""
    aujourd_hui = aujourd_hui or horloge.aujourdhui()
    toutes = list(reponses_suivies(user, campagne))
    suivi = Suivi(lignes=[])
    compte = Counter()
    communes = {}
    for reponse in toutes:
        reponse.retard = est_en_retard(reponse, aujourd_hui, _date_locale(reponse.renvoyee_le))
        compte[reponse.statut] += 1
        communes[reponse.structure.commune_id] = reponse.structure.commune.nom
        if reponse.retard:
            suivi.en_retard.append(reponse)
        if (not statut or reponse.statut == statut) and (not commune or reponse.structure.commune_id == commune):
            suivi.lignes.append(reponse)
    suivi.attendues = len(toutes)
    suivi.recues = sum(1 for r in toutes if r.statut != Statut.BROUILLON)
    suivi.validees = compte[Statut.VALIDEE]
    suivi.par_statut = [(s.value, s.label, compte[s]) for s in Statut]
    suivi.communes = sorted(communes.items(), key=lambda c: c[1])
    return suivi
