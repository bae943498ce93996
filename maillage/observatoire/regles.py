"""The questionnaire's rules engine: pure Python, no Django import.

Given an assembled definition (`questionnaire.Definition`), answers keyed by question code and the structure's
context (type, agréments held during the data year), it says which questions are shown, converts and checks each
answer (type, range, required) and evaluates the consistency rules across questions and the year-on-year jumps.
Messages are in French. Answers to hidden questions are ignored (except by the `reserve` rules, whose purpose is to
catch money declared on a line the structure cannot have).

Rule types (in the definition's "regles"):
- somme_egale: sum of `termes` = `total` (± `tolerance`);
- difference_egale: `a` − `b` = `resultat` (± `tolerance`);
- inferieur_ou_egal: sum of `gauche` ≤ `droite`;
- reserve: the listed `questions` must be empty or zero when hidden (e.g. PS ACF without an ACF agrément).
Each has a `niveau`: "erreur" blocks the submission, "alerte" is shown to the reviewers.
"""

import math
import re
from dataclasses import dataclass, field

from .questionnaire import NUMERIQUES, Definition

SEUIL_EVOLUTION = 0.5
PLANCHER_EVOLUTION = 10
LONGUEURS = {"texte_court": 250, "texte_long": 5000}
_ESPACES = re.compile(r"[\s\u00a0\u202f]")


@dataclass(frozen=True)
class Contexte:
    type_structure: str
    agrements: frozenset = frozenset()

    @classmethod
    def de(cls, contexte) -> "Contexte":
        if isinstance(contexte, Contexte):
            return contexte
        return cls(contexte.get("type_structure", ""), frozenset(contexte.get("agrements", ())))


@dataclass(frozen=True)
class Anomalie:
    regle: str
    niveau: str
    message: str
    questions: tuple = ()


@dataclass
class Resultat:
    valeurs: dict
    visibles: set
    erreurs: dict = field(default_factory=dict)
    anomalies: list = field(default_factory=list)

    @property
    def bloquant(self) -> bool:
        return bool(self.erreurs) or any(a.niveau == "erreur" for a in self.anomalies)

    def messages_bloquants(self, definition: Definition) -> list[str]:
        messages = [
            f"{definition.questions[code]['libelle']} : {message}"
            for code, liste in self.erreurs.items()
            for message in liste
        ]
        return messages + [a.message for a in self.anomalies if a.niveau == "erreur"]


# --- Formatting -----------------------------------------------------------------------------------------


def nombre_fr(valeur) -> str:
    """1234567.5 → "1 234 567,5" (narrow no-break spaces, as maillage.core.formats)."""
    if valeur is None:
        return "—"
    texte = f"{int(valeur):,}" if float(valeur).is_integer() else f"{valeur:,.2f}".rstrip("0").rstrip(".")
    return texte.replace(",", "\u202f").replace(".", ",")


# --- Conversion of one answer ---------------------------------------------------------------------------


def _vide(valeur) -> bool:
    return valeur is None or (isinstance(valeur, str) and valeur.strip() == "") or valeur == [] or valeur == {}


def _en_nombre(valeur, type_: str):
    """Returns (number, error). Accepts JSON numbers and French-typed strings ("1 234,50")."""
    if isinstance(valeur, bool):
        return None, "Saisissez un nombre."
    if isinstance(valeur, str):
        texte = _ESPACES.sub("", valeur).replace(",", ".")
        if texte.endswith(("€", "%")):
            texte = texte[:-1]
        try:
            valeur = float(texte)
        except ValueError:
            return None, "Saisissez un nombre."
    if not isinstance(valeur, int | float) or not math.isfinite(valeur):
        return None, "Saisissez un nombre."
    if type_ == "entier":
        if float(valeur) != int(valeur):
            return None, "Saisissez un nombre entier."
        return int(valeur), None
    valeur = round(float(valeur), 2)
    return (int(valeur) if valeur.is_integer() else valeur), None


def _bornes(question: dict, nombre, prefixe: str = "") -> str | None:
    if "min" in question and nombre < question["min"]:
        return f"{prefixe}La valeur doit être supérieure ou égale à {nombre_fr(question['min'])}."
    if "max" in question and nombre > question["max"]:
        return f"{prefixe}La valeur doit être inférieure ou égale à {nombre_fr(question['max'])}."
    return None


def convertir(question: dict, valeur):
    """Convert and check one answer; returns (clean value or None when empty, list of errors)."""
    if _vide(valeur):
        return None, []
    type_ = question["type"]
    if type_ in NUMERIQUES:
        nombre, erreur = _en_nombre(valeur, type_)
        if erreur:
            return None, [erreur]
        erreur = _bornes(question, nombre)
        return (None, [erreur]) if erreur else (nombre, [])
    if type_ == "oui_non":
        if isinstance(valeur, bool):
            return valeur, []
        if isinstance(valeur, str) and valeur.strip().lower() in {"oui", "true", "1", "non", "false", "0"}:
            return valeur.strip().lower() in {"oui", "true", "1"}, []
        return None, ["Répondez par oui ou par non."]
    codes = [choix["code"] for choix in question.get("choix", [])]
    if type_ == "choix_unique":
        if not isinstance(valeur, str) or valeur not in codes:
            return None, ["Choisissez une des réponses proposées."]
        return valeur, []
    if type_ == "choix_multiple":
        if isinstance(valeur, str):
            valeur = [valeur]
        if not isinstance(valeur, list | tuple) or any(not isinstance(v, str) or v not in codes for v in valeur):
            return None, ["Choisissez parmi les réponses proposées."]
        return [code for code in codes if code in set(valeur)], []
    if type_ in LONGUEURS:
        if not isinstance(valeur, str):
            return None, ["Saisissez un texte."]
        valeur = valeur.strip()
        if len(valeur) > LONGUEURS[type_]:
            return None, [f"Le texte ne doit pas dépasser {LONGUEURS[type_]} caractères."]
        return valeur, []
    if type_ == "tableau":
        return _convertir_tableau(question, valeur)
    return None, [f"Type de question inconnu : {type_}."]


def _convertir_tableau(question: dict, valeur):
    if not isinstance(valeur, dict):
        return None, ["Le tableau est mal formé."]
    lignes = {ligne["code"]: ligne["libelle"] for ligne in question["lignes"]}
    colonnes = {colonne["code"]: colonne for colonne in question["colonnes"]}
    propre, erreurs = {}, []
    for code_ligne, cellules in valeur.items():
        if code_ligne not in lignes or not isinstance(cellules, dict):
            erreurs.append(f"Ligne inconnue : « {code_ligne} ».")
            continue
        for code_colonne, cellule in cellules.items():
            if code_colonne not in colonnes:
                erreurs.append(f"Colonne inconnue : « {code_colonne} ».")
                continue
            if _vide(cellule):
                continue
            prefixe = f"{lignes[code_ligne]}, {colonnes[code_colonne]['libelle']} : "
            nombre, erreur = _en_nombre(cellule, colonnes[code_colonne]["type"])
            erreur = erreur and prefixe + erreur or _bornes(question, nombre, prefixe)
            if erreur:
                erreurs.append(erreur)
                continue
            propre.setdefault(code_ligne, {})[code_colonne] = nombre
    if erreurs:
        return None, erreurs
    return (propre or None), []


def valider_types(definition: Definition, valeurs: dict):
    """Convert a set of answers (e.g. one section being saved): returns (clean values, errors by code).

    Empty answers come back as None (the caller removes them); unknown codes are errors.
    """
    propres, erreurs = {}, {}
    if not isinstance(valeurs, dict):
        return {}, {"__all__": ["Les réponses doivent être un objet {code de question: valeur}."]}
    for code, valeur in valeurs.items():
        question = definition.questions.get(code)
        if question is None:
            erreurs[code] = [f"Question inconnue : « {code} »."]
            continue
        propre, liste = convertir(question, valeur)
        if liste:
            erreurs[code] = liste
        else:
            propres[code] = propre
    return propres, erreurs


# --- Conditions -------------------------------------------------------------------------------------------


def condition_remplie(condition: dict | None, valeurs: dict, contexte: Contexte, visibles: set) -> bool:
    if not condition:
        return True
    if "type_structure" in condition and contexte.type_structure not in condition["type_structure"]:
        return False
    if "agrement" in condition and not set(condition["agrement"]) & contexte.agrements:
        return False
    if "question" in condition:
        code = condition["question"]
        valeur = valeurs.get(code) if code in visibles else None
        if "renseignee" in condition:
            return (not _vide(valeur)) == bool(condition["renseignee"])
        if _vide(valeur):
            return False
        if "egal" in condition:
            return valeur == condition["egal"]
        if "parmi" in condition:
            return valeur in condition["parmi"]
        if "contient" in condition:
            return isinstance(valeur, list) and condition["contient"] in valeur
    return True


def questions_visibles(definition: Definition, valeurs: dict, contexte) -> set:
    """Codes of the questions shown, in definition order (a question hidden hides those depending on it)."""
    contexte = Contexte.de(contexte)
    visibles: set = set()
    for section in definition.sections:
        if not condition_remplie(section["condition"], valeurs, contexte, visibles):
            continue
        for question in section["questions"]:
            if condition_remplie(question["condition"], valeurs, contexte, visibles):
                visibles.add(question["code"])
    return visibles


# --- Consistency rules -------------------------------------------------------------------------------------


def valeur_numerique(definition: Definition, valeurs: dict, reference: str):
    """The number a reference designates (None when unanswered): a question, or a table (cells summed)."""
    code, *chemin = reference.split(".")
    valeur = valeurs.get(code)
    if valeur is None:
        return None
    if not isinstance(valeur, dict):
        return valeur if isinstance(valeur, int | float) and not isinstance(valeur, bool) else None
    ligne = chemin[0] if chemin else "*"
    colonne = chemin[1] if len(chemin) > 1 else "*"
    cellules = [
        nombre
        for code_ligne, cellules in valeur.items()
        if ligne in ("*", code_ligne)
        for code_colonne, nombre in cellules.items()
        if colonne in ("*", code_colonne)
    ]
    return sum(cellules) if cellules else None


def _libelle(definition: Definition, reference: str) -> str:
    code, *chemin = reference.split(".")
    question = definition.questions[code]
    if not chemin:
        return question["libelle"]
    noms = {ligne["code"]: ligne["libelle"] for ligne in question["lignes"]}
    noms.update({colonne["code"]: colonne["libelle"] for colonne in question["colonnes"]})
    precision = ", ".join(noms.get(partie, "total") for partie in chemin if partie != "*")
    return f"{question['libelle']} ({precision})" if precision else f"{question['libelle']} (total)"


def _evaluer(regle: dict, definition: Definition, valeurs: dict, brutes: dict, visibles: set) -> Anomalie | None:
    def val(reference):
        return valeur_numerique(definition, valeurs, reference)

    codes = tuple(dict.fromkeys(r.split(".")[0] for r in _refs(regle)))
    type_, tolerance = regle["type"], regle.get("tolerance", 0)
    if type_ == "somme_egale":
        total, termes = val(regle["total"]), [val(r) for r in regle["termes"]]
        if total is None or all(t is None for t in termes):
            return None
        somme = sum(t for t in termes if t is not None)
        if abs(somme - total) <= tolerance:
            return None
        ecart = round(somme - total, 2)
        defaut = (
            f"La somme des montants détaillés ({nombre_fr(somme)}) diffère de"
            f" « {_libelle(definition, regle['total'])} » ({nombre_fr(total)}), écart de {nombre_fr(ecart)}."
        )
        details = {"somme": nombre_fr(somme), "total": nombre_fr(total), "ecart": nombre_fr(ecart)}
    elif type_ == "difference_egale":
        a, b, resultat = val(regle["a"]), val(regle["b"]), val(regle["resultat"])
        if a is None or b is None or resultat is None:
            return None
        attendu = round(a - b, 2)
        if abs(attendu - resultat) <= tolerance:
            return None
        defaut = (
            f"« {_libelle(definition, regle['a'])} » − « {_libelle(definition, regle['b'])} » = {nombre_fr(attendu)},"
            f" mais « {_libelle(definition, regle['resultat'])} » vaut {nombre_fr(resultat)}."
        )
        details = {"attendu": nombre_fr(attendu), "resultat": nombre_fr(resultat)}
    elif type_ == "inferieur_ou_egal":
        droite, gauches = val(regle["droite"]), [val(r) for r in regle["gauche"]]
        if droite is None or all(g is None for g in gauches):
            return None
        gauche = sum(g for g in gauches if g is not None)
        if gauche <= droite + tolerance:
            return None
        noms = " + ".join(f"« {_libelle(definition, r)} »" for r in regle["gauche"])
        verbe = "dépassent" if len(regle["gauche"]) > 1 else "dépasse"
        defaut = (
            f"{noms} ({nombre_fr(gauche)}) {verbe} « {_libelle(definition, regle['droite'])} » ({nombre_fr(droite)})."
        )
        details = {"gauche": nombre_fr(gauche), "droite": nombre_fr(droite)}
    else:  # reserve
        fautives = []
        for code in regle["questions"]:
            if code in visibles:
                continue
            propre, _ = convertir(definition.questions[code], brutes.get(code))
            if propre not in (None, 0, False):
                fautives.append(code)
        if not fautives:
            return None
        noms = ", ".join(f"« {definition.questions[c]['libelle']} »" for c in fautives)
        if len(fautives) > 1:
            defaut = (
                f"{noms} : lignes réservées à un autre type de structure ou d'agrément ; elles doivent rester vides."
            )
        else:
            defaut = f"{noms} : ligne réservée à un autre type de structure ou d'agrément ; elle doit rester vide."
        details = {"questions": noms}
        codes = tuple(fautives)
    message = regle["message"].format(**details) if regle["message"] else defaut
    return Anomalie(regle["code"], regle["niveau"], message, codes)


def rattachement(definition: Definition, anomalie: Anomalie, parmi) -> str | None:
    """The one question an anomaly is shown beside, among the codes `parmi` (e.g. the visible questions, or those of
    the section on screen): the last of its questions in the questionnaire's order, where every figure it compares
    has been read (the total after its terms, the age bands after the head count). None when none is `parmi`."""
    ordre = {code: rang for rang, code in enumerate(definition.questions)}
    candidates = [code for code in anomalie.questions if code in parmi and code in ordre]
    return max(candidates, key=ordre.__getitem__) if candidates else None


def anomalies_par_question(definition: Definition, anomalies, parmi) -> tuple[dict, list]:
    """({code: [Anomalie]}, [Anomalie not tied to any question of `parmi`]): each anomaly listed once."""
    par_question: dict[str, list] = {}
    autres = []
    for anomalie in anomalies:
        code = rattachement(definition, anomalie, parmi)
        if code is None:
            autres.append(anomalie)
        else:
            par_question.setdefault(code, []).append(anomalie)
    return par_question, autres


def _refs(regle: dict) -> list[str]:
    refs = []
    for cle in ("termes", "gauche", "questions"):
        refs.extend(regle.get(cle, []))
    for cle in ("total", "a", "b", "resultat", "droite"):
        if cle in regle:
            refs.append(regle[cle])
    return refs


def evolutions(
    definition: Definition,
    valeurs: dict,
    precedentes: dict,
    *,
    seuil: float = SEUIL_EVOLUTION,
    plancher: float = PLANCHER_EVOLUTION,
    visibles: set | None = None,
) -> list[Anomalie]:
    """Year-on-year jumps above `seuil` (0.5 = ±50 %) on followed numbers; small figures (< plancher both years) and
    questions new this year are left alone. Tables are compared on their total."""
    anomalies = []
    for code, question in definition.questions.items():
        if not question["suivi_evolution"] or (visibles is not None and code not in visibles):
            continue
        actuelle = valeur_numerique(definition, valeurs, code)
        ancienne = valeur_numerique(definition, precedentes, code)
        if actuelle is None or ancienne is None or max(abs(actuelle), abs(ancienne)) < plancher:
            continue
        ecart = math.inf if ancienne == 0 else (actuelle - ancienne) / abs(ancienne)
        if abs(ecart) <= seuil:
            continue
        variation = "nouvelle valeur non nulle" if math.isinf(ecart) else f"{'+' if ecart > 0 else ''}{ecart:.0%}"
        message = (
            f"« {question['libelle']} » : {nombre_fr(ancienne)} l'an dernier, {nombre_fr(actuelle)} cette année"
            f" ({variation.replace('%', ' %')}) : évolution à vérifier."
        )
        anomalies.append(Anomalie("evolution", "alerte", message, (code,)))
    return anomalies


def controler(
    definition: Definition,
    valeurs: dict,
    contexte,
    *,
    precedentes: dict | None = None,
    seuil_evolution: float = SEUIL_EVOLUTION,
    plancher_evolution: float = PLANCHER_EVOLUTION,
) -> Resultat:
    """Full check of an answer: types and ranges, required visible questions, consistency rules, evolutions."""
    contexte = Contexte.de(contexte)
    brutes = dict(valeurs or {})
    propres, erreurs = valider_types(definition, {c: v for c, v in brutes.items() if c in definition.questions})
    propres = {code: valeur for code, valeur in propres.items() if valeur is not None}
    visibles = questions_visibles(definition, propres, contexte)
    erreurs = {code: liste for code, liste in erreurs.items() if code in visibles}
    propres = {code: valeur for code, valeur in propres.items() if code in visibles}
    for code in definition.questions:
        question = definition.questions[code]
        if code in visibles and question["obligatoire"] and code not in propres and code not in erreurs:
            erreurs[code] = ["Cette question est obligatoire."]
    resultat = Resultat(valeurs=propres, visibles=visibles, erreurs=erreurs)
    for regle in definition.regles:
        anomalie = _evaluer(regle, definition, propres, brutes, visibles)
        if anomalie:
            resultat.anomalies.append(anomalie)
    if precedentes:
        connues = {c: v for c, v in precedentes.items() if c in definition.questions}
        propres_avant, _ = valider_types(definition, connues)
        resultat.anomalies.extend(
            evolutions(
                definition,
                propres,
                {c: v for c, v in propres_avant.items() if v is not None},
                seuil=seuil_evolution,
                plancher=plancher_evolution,
                visibles=visibles,
            )
        )
    return resultat


def progression(definition: Definition, valeurs: dict, contexte) -> dict[str, tuple[int, int]]:
    """Per section: (answered visible questions, visible questions)."""
    visibles = questions_visibles(definition, valeurs, contexte)
    avancement = {}
    for section in definition.sections:
        codes = [q["code"] for q in section["questions"] if q["code"] in visibles]
        if codes:
            avancement[section["code"]] = (sum(not _vide(valeurs.get(c)) for c in codes), len(codes))
    return avancement


def prefill(
    definition: Definition, sources: dict, precedentes: dict | None, contexte, deja: dict | None = None
) -> dict:
    """Values to prefill: registry/budget sources (`prefill` keys) first, then last year's validated answers for
    questions marked `reprise`. Only visible questions that are not answered yet (`deja`) are returned."""
    deja = deja or {}
    proposees = {}
    for code, question in definition.questions.items():
        if not _vide(deja.get(code)):
            continue
        valeur = None
        if question.get("prefill") and sources.get(question["prefill"]) is not None:
            valeur = sources[question["prefill"]]
        elif question["reprise"] and precedentes and not _vide(precedentes.get(code)):
            valeur = precedentes[code]
        if valeur is None:
            continue
        propre, erreurs = convertir(question, valeur)
        if propre is not None and not erreurs:
            proposees[code] = propre
    visibles = questions_visibles(definition, {**proposees, **deja}, contexte)
    return {code: valeur for code, valeur in proposees.items() if code in visibles}
