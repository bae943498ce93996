"""Questionnaire definitions as data: reading, checking and assembling them (pure Python, no Django import).

A definition file (JSON, under `maillage/observatoire/questionnaires/`) describes one versioned questionnaire:

    {"format": 1, "code": "senacs-socle", "version": 1, "nature": "socle" | "theme", "titre": "…",
     "annee": 2016 (theme blocks only, optional),
     "listes": {"nom": {"source": "…", "a_confirmer": false, "choix": [{"code": "…", "libelle": "…"}]}},
     "sections": [{"code": "…", "titre": "…", "aide": "…", "condition": {…}, "questions": [question, …]}],
     "regles": [règle de cohérence, …]}

A question: `code` (stable across years: imports, exports and year-on-year comparisons use it), `libelle`, `type`
(see TYPES), `aide`, `obligatoire`, `min`/`max` (numbers), `choix` (the name of a list, or an inline list),
`lignes`/`colonnes` (tables: lists of {code, libelle}, or a list name for the rows; a column may carry its own
`type`), `condition`, `suivi_evolution` (year-on-year check; on by default for entier/decimal/euros), `reprise`
(prefilled from last year's validated answer), `prefill` (a source key from the registry or the budgets, e.g.
`budget.charges_totales`).

A condition (all given keys must hold): `type_structure` (list of "centre_social" / "evs"), `agrement` (an agrément
type, or a list of which one is enough), `question` with one of `egal`, `parmi`, `contient`, `renseignee`.

Consistency rules: see `maillage.observatoire.regles` (types somme_egale, difference_egale, inferieur_ou_egal,
reserve). A reference to a number is a question code, or for a table `code.ligne.colonne` with `*` for "all".
"""

import hashlib
import json
import re
from dataclasses import dataclass, field

FORMAT = 1
TYPES = (
    "entier",
    "decimal",
    "euros",
    "pourcentage",
    "choix_unique",
    "choix_multiple",
    "oui_non",
    "texte_court",
    "texte_long",
    "tableau",
)
NUMERIQUES = frozenset({"entier", "decimal", "euros", "pourcentage"})
TYPES_CELLULE = NUMERIQUES
NATURES = ("socle", "theme")
NIVEAUX = ("erreur", "alerte")
TYPES_REGLE = ("somme_egale", "difference_egale", "inferieur_ou_egal", "reserve")
TYPES_STRUCTURE = ("centre_social", "evs")
AGREMENTS = ("animation_globale", "acf", "animation_locale")
OPERATEURS = ("egal", "parmi", "contient", "renseignee")
CODE = re.compile(r"^[a-z][a-z0-9_]{0,59}$")
CODE_CHOIX = re.compile(r"^[a-z0-9][a-z0-9_+-]{0,39}$")


class DefinitionInvalide(ValueError):
    """A definition that cannot be used; `erreurs` lists every problem found, in French."""

    def __init__(self, erreurs: list[str]):
        self.erreurs = list(erreurs)
        super().__init__("\n".join(self.erreurs))


def lire(texte: str | bytes, nom: str = "") -> dict:
    """Parse a definition file's text and check it; returns the normalised definition."""
    prefixe = f"{nom} : " if nom else ""
    if isinstance(texte, bytes):
        try:
            texte = texte.decode("utf-8")
        except UnicodeDecodeError:
            raise DefinitionInvalide([f"{prefixe}le fichier doit être encodé en UTF-8."]) from None
    try:
        donnees = json.loads(texte)
    except json.JSONDecodeError as e:
        raise DefinitionInvalide([f"{prefixe}JSON illisible ligne {e.lineno}, colonne {e.colno} : {e.msg}."]) from None
    try:
        return normaliser(donnees)
    except DefinitionInvalide as e:
        raise DefinitionInvalide([prefixe + m for m in e.erreurs]) from None


def empreinte(definition: dict) -> str:
    """A stable fingerprint of a definition's content (key order and spacing do not matter)."""
    texte = json.dumps(definition, sort_keys=True, ensure_ascii=False, separators=(",", ":"))
    return hashlib.sha256(texte.encode("utf-8")).hexdigest()


def sans_notes(definition: dict) -> dict:
    """The definition without its notes (each list's source and « à confirmer » flag): what a campaign asks."""
    copie = dict(definition)
    copie["listes"] = {
        nom: {cle: valeur for cle, valeur in liste.items() if cle not in ("source", "a_confirmer")}
        for nom, liste in (definition.get("listes") or {}).items()
    }
    return copie


def _texte(valeur) -> bool:
    return isinstance(valeur, str) and valeur.strip() != ""


def _nombre(valeur) -> bool:
    return isinstance(valeur, int | float) and not isinstance(valeur, bool)


def _liste_choix(brut, ou: str, erreurs: list) -> list[dict]:
    if not isinstance(brut, list) or not brut:
        erreurs.append(f"{ou} : la liste de choix doit être une liste non vide de {{code, libelle}}.")
        return []
    choix, vus = [], set()
    for i, element in enumerate(brut, 1):
        if not isinstance(element, dict) or not _texte(element.get("libelle")):
            erreurs.append(f"{ou}, choix n° {i} : il faut un code et un libellé.")
            continue
        code = element.get("code")
        if not isinstance(code, str) or not CODE_CHOIX.match(code):
            erreurs.append(f"{ou}, choix n° {i} : code « {code} » invalide (minuscules, chiffres, _ + -).")
            continue
        if code in vus:
            erreurs.append(f"{ou} : le code de choix « {code} » est en double.")
            continue
        vus.add(code)
        propre = {"code": code, "libelle": element["libelle"].strip()}
        if element.get("type") is not None:
            propre["type"] = element["type"]
        choix.append(propre)
    return choix


def _condition(brut, ou: str, erreurs: list) -> dict | None:
    if brut is None:
        return None
    if not isinstance(brut, dict) or not brut:
        erreurs.append(f"{ou} : la condition doit être un objet non vide.")
        return None
    inconnues = set(brut) - {"type_structure", "agrement", "question", *OPERATEURS}
    if inconnues:
        erreurs.append(f"{ou} : clé de condition inconnue : {', '.join(sorted(inconnues))}.")
    condition = {}
    if "type_structure" in brut:
        types = brut["type_structure"]
        types = [types] if isinstance(types, str) else types
        if not isinstance(types, list) or not types or any(t not in TYPES_STRUCTURE for t in types):
            erreurs.append(f"{ou} : type_structure doit valoir centre_social et/ou evs.")
        else:
            condition["type_structure"] = list(types)
    if "agrement" in brut:
        agrements = brut["agrement"]
        agrements = [agrements] if isinstance(agrements, str) else agrements
        if not isinstance(agrements, list) or not agrements or any(a not in AGREMENTS for a in agrements):
            erreurs.append(f"{ou} : agrement doit être parmi {', '.join(AGREMENTS)}.")
        else:
            condition["agrement"] = list(agrements)
    operateurs = [o for o in OPERATEURS if o in brut]
    if "question" in brut:
        if not isinstance(brut["question"], str) or len(operateurs) != 1:
            operateurs_permis = ", ".join(OPERATEURS)
            erreurs.append(f"{ou} : une condition sur une question indique un seul opérateur ({operateurs_permis}).")
        else:
            condition["question"] = brut["question"]
            condition[operateurs[0]] = brut[operateurs[0]]
            if operateurs[0] == "parmi" and not isinstance(brut["parmi"], list):
                erreurs.append(f"{ou} : « parmi » attend une liste de valeurs.")
    elif operateurs:
        erreurs.append(f"{ou} : l'opérateur {operateurs[0]} demande une « question ».")
    return condition


def _question(brut, ou: str, listes: dict, erreurs: list) -> dict | None:
    if not isinstance(brut, dict):
        erreurs.append(f"{ou} : une question doit être un objet.")
        return None
    code = brut.get("code")
    if not isinstance(code, str) or not CODE.match(code):
        erreurs.append(f"{ou} : code de question « {code} » invalide (minuscules, chiffres et _, 60 au plus).")
        return None
    ou = f"question {code}"
    type_ = brut.get("type")
    if type_ not in TYPES:
        erreurs.append(f"{ou} : type « {type_} » inconnu (types possibles : {', '.join(TYPES)}).")
        return None
    if not _texte(brut.get("libelle")):
        erreurs.append(f"{ou} : le libellé est obligatoire.")
    connues = {
        "code", "libelle", "type", "aide", "obligatoire", "min", "max", "choix", "lignes", "colonnes",
        "condition", "suivi_evolution", "reprise", "prefill", "unite",
    }  # fmt: skip
    inconnues = set(brut) - connues
    if inconnues:
        erreurs.append(f"{ou} : attribut inconnu : {', '.join(sorted(inconnues))}.")
    question = {
        "code": code,
        "libelle": str(brut.get("libelle") or "").strip(),
        "type": type_,
        "aide": str(brut.get("aide") or "").strip(),
        "obligatoire": bool(brut.get("obligatoire", False)),
        "condition": _condition(brut.get("condition"), ou, erreurs),
        "reprise": bool(brut.get("reprise", False)),
        "suivi_evolution": bool(brut.get("suivi_evolution", type_ in {"entier", "decimal", "euros"})),
    }
    if brut.get("prefill") is not None:
        if not _texte(brut["prefill"]):
            erreurs.append(f"{ou} : prefill doit être une clé de source (texte).")
        question["prefill"] = brut["prefill"]
    numerique = type_ in NUMERIQUES or type_ == "tableau"
    for borne in ("min", "max"):
        if borne in brut:
            if not numerique or not _nombre(brut[borne]):
                erreurs.append(f"{ou} : {borne} n'a de sens que pour un nombre et doit être un nombre.")
            else:
                question[borne] = brut[borne]
    if type_ in NUMERIQUES or type_ == "tableau":
        question.setdefault("min", 0)
        if type_ == "pourcentage":
            question.setdefault("max", 100)
    if "min" in question and "max" in question and question["min"] > question["max"]:
        erreurs.append(f"{ou} : min est supérieur à max.")

    def resoudre(valeur, quoi):
        if isinstance(valeur, str):
            if valeur not in listes:
                erreurs.append(f"{ou} : la liste « {valeur} » ({quoi}) n'est pas définie dans « listes ».")
                return valeur, []
            return valeur, listes[valeur]["choix"]
        return None, _liste_choix(valeur, f"{ou} ({quoi})", erreurs)

    if type_ in {"choix_unique", "choix_multiple"}:
        if "choix" not in brut:
            erreurs.append(f"{ou} : une question à choix indique ses choix.")
        else:
            question["liste"], question["choix"] = resoudre(brut["choix"], "choix")
    elif "choix" in brut:
        erreurs.append(f"{ou} : seules les questions à choix ont des choix.")
    if type_ == "tableau":
        if "lignes" not in brut or "colonnes" not in brut:
            erreurs.append(f"{ou} : un tableau indique ses lignes et ses colonnes.")
        else:
            question["liste_lignes"], question["lignes"] = resoudre(brut["lignes"], "lignes")
            _, question["colonnes"] = resoudre(brut["colonnes"], "colonnes")
            for colonne in question["colonnes"]:
                colonne.setdefault("type", "entier")
                if colonne["type"] not in TYPES_CELLULE:
                    erreurs.append(f"{ou}, colonne {colonne['code']} : type de cellule « {colonne['type']} » invalide.")
    elif "lignes" in brut or "colonnes" in brut:
        erreurs.append(f"{ou} : seuls les tableaux ont des lignes et des colonnes.")
    if brut.get("unite") is not None:
        question["unite"] = str(brut["unite"])
    return question


def _regle(brut, ou: str, erreurs: list) -> dict | None:
    if not isinstance(brut, dict):
        erreurs.append(f"{ou} : une règle doit être un objet.")
        return None
    code = brut.get("code")
    if not isinstance(code, str) or not CODE.match(code):
        erreurs.append(f"{ou} : code de règle « {code} » invalide.")
        return None
    ou = f"règle {code}"
    type_ = brut.get("type")
    if type_ not in TYPES_REGLE:
        erreurs.append(f"{ou} : type « {type_} » inconnu (types possibles : {', '.join(TYPES_REGLE)}).")
        return None
    niveau = brut.get("niveau", "erreur")
    if niveau not in NIVEAUX:
        erreurs.append(f"{ou} : niveau « {niveau} » inconnu (erreur ou alerte).")
    regle = {"code": code, "type": type_, "niveau": niveau, "message": str(brut.get("message") or "").strip()}
    attendus = {
        "somme_egale": {"termes": list, "total": str},
        "difference_egale": {"a": str, "b": str, "resultat": str},
        "inferieur_ou_egal": {"gauche": list, "droite": str},
        "reserve": {"questions": list},
    }[type_]
    for cle, genre in attendus.items():
        valeur = brut.get(cle)
        if not isinstance(valeur, genre) or not valeur or (genre is list and not all(_texte(v) for v in valeur)):
            attendu = "une liste de références" if genre is list else "une référence"
            erreurs.append(f"{ou} : « {cle} » doit être {attendu}.")
        else:
            regle[cle] = valeur
    tolerance = brut.get("tolerance", 0)
    if not _nombre(tolerance) or tolerance < 0:
        erreurs.append(f"{ou} : la tolérance doit être un nombre positif.")
    else:
        regle["tolerance"] = tolerance
    return regle


def normaliser(donnees) -> dict:
    """Check a definition and return it normalised (lists resolved into the questions); raise DefinitionInvalide."""
    erreurs: list[str] = []
    if not isinstance(donnees, dict):
        raise DefinitionInvalide(["la définition doit être un objet JSON."])
    if donnees.get("format") != FORMAT:
        erreurs.append(f"format de définition « {donnees.get('format')} » non pris en charge (attendu : {FORMAT}).")
    code = donnees.get("code")
    if not isinstance(code, str) or not re.match(r"^[a-z][a-z0-9-]{1,49}$", code):
        erreurs.append("le code du questionnaire est obligatoire (minuscules, chiffres et tirets).")
    version = donnees.get("version")
    if not isinstance(version, int) or isinstance(version, bool) or version < 1:
        erreurs.append("la version doit être un entier supérieur ou égal à 1.")
    nature = donnees.get("nature")
    if nature not in NATURES:
        erreurs.append("la nature doit être « socle » ou « theme ».")
    if not _texte(donnees.get("titre")):
        erreurs.append("le titre est obligatoire.")
    annee = donnees.get("annee")
    if annee is not None and (not isinstance(annee, int) or not 2000 <= annee <= 2100):
        erreurs.append("l'année du bloc thématique doit être une année (2000 à 2100).")
    listes = {}
    brutes = donnees.get("listes", {})
    if not isinstance(brutes, dict):
        erreurs.append("« listes » doit être un objet {nom: liste}.")
        brutes = {}
    for nom, liste in brutes.items():
        if not isinstance(liste, dict) or not _texte(liste.get("source")):
            erreurs.append(f"liste {nom} : indiquez sa source (« source »), pour l'aligner sur le guide officiel.")
            continue
        listes[nom] = {
            "source": liste["source"].strip(),
            "a_confirmer": bool(liste.get("a_confirmer", False)),
            "choix": _liste_choix(liste.get("choix"), f"liste {nom}", erreurs),
        }
    sections, codes = [], set()
    brutes = donnees.get("sections")
    if not isinstance(brutes, list) or not brutes:
        erreurs.append("il faut au moins une section.")
        brutes = []
    codes_sections = set()
    for i, brute in enumerate(brutes, 1):
        if not isinstance(brute, dict) or not isinstance(brute.get("code"), str) or not CODE.match(brute["code"]):
            erreurs.append(f"section n° {i} : code invalide.")
            continue
        ou = f"section {brute['code']}"
        if brute["code"] in codes_sections:
            erreurs.append(f"{ou} : code de section en double.")
        codes_sections.add(brute["code"])
        if not _texte(brute.get("titre")):
            erreurs.append(f"{ou} : le titre est obligatoire.")
        questions = []
        brutes_q = brute.get("questions")
        if not isinstance(brutes_q, list) or not brutes_q:
            erreurs.append(f"{ou} : il faut au moins une question.")
            brutes_q = []
        for j, brute_q in enumerate(brutes_q, 1):
            question = _question(brute_q, f"{ou}, question n° {j}", listes, erreurs)
            if question is None:
                continue
            if question["code"] in codes:
                erreurs.append(f"question {question['code']} : code en double.")
            codes.add(question["code"])
            questions.append(question)
        sections.append(
            {
                "code": brute["code"],
                "titre": str(brute.get("titre") or "").strip(),
                "aide": str(brute.get("aide") or "").strip(),
                "condition": _condition(brute.get("condition"), ou, erreurs),
                "questions": questions,
            }
        )
    regles, codes_regles = [], set()
    brutes = donnees.get("regles", [])
    if not isinstance(brutes, list):
        erreurs.append("« regles » doit être une liste.")
        brutes = []
    for i, brute in enumerate(brutes, 1):
        regle = _regle(brute, f"règle n° {i}", erreurs)
        if regle is None:
            continue
        if regle["code"] in codes_regles:
            erreurs.append(f"règle {regle['code']} : code en double.")
        codes_regles.add(regle["code"])
        regles.append(regle)
    definition = {
        "format": FORMAT,
        "code": code,
        "version": version,
        "nature": nature,
        "titre": str(donnees.get("titre") or "").strip(),
        "annee": annee,
        "listes": listes,
        "sections": sections,
        "regles": regles,
    }
    if not erreurs and nature == "socle":
        erreurs.extend(verifier_references(Definition([definition])))
    if erreurs:
        raise DefinitionInvalide(erreurs)
    return definition


def _references_regle(regle: dict) -> list[str]:
    refs = []
    for cle in ("termes", "gauche", "questions"):
        refs.extend(regle.get(cle, []))
    for cle in ("total", "a", "b", "resultat", "droite"):
        if cle in regle:
            refs.append(regle[cle])
    return refs


def verifier_references(definition: "Definition") -> list[str]:
    """Conditions and rules must name questions that exist (and table rows/columns that exist)."""
    erreurs = []

    def verifier_condition(condition, ou):
        if condition and "question" in condition and condition["question"] not in definition.questions:
            erreurs.append(f"{ou} : la condition porte sur une question inconnue « {condition['question']} ».")

    for section in definition.sections:
        verifier_condition(section["condition"], f"section {section['code']}")
        for question in section["questions"]:
            verifier_condition(question["condition"], f"question {question['code']}")
    for regle in definition.regles:
        for reference in _references_regle(regle):
            code, *chemin = reference.split(".")
            question = definition.questions.get(code)
            if question is None:
                erreurs.append(f"règle {regle['code']} : question inconnue « {code} ».")
                continue
            if regle["type"] != "reserve" and question["type"] not in NUMERIQUES and question["type"] != "tableau":
                erreurs.append(f"règle {regle['code']} : la question « {code} » n'est pas numérique.")
            if chemin and (question["type"] != "tableau" or len(chemin) > 2):
                erreurs.append(f"règle {regle['code']} : référence « {reference} » invalide.")
            elif chemin:
                lignes = {ligne["code"] for ligne in question["lignes"]} | {"*"}
                colonnes = {colonne["code"] for colonne in question["colonnes"]} | {"*"}
                if chemin[0] not in lignes or (len(chemin) == 2 and chemin[1] not in colonnes):
                    erreurs.append(f"règle {regle['code']} : ligne ou colonne inconnue dans « {reference} ».")
    return erreurs


@dataclass
class Definition:
    """One or several normalised definitions (the core, then the theme block) seen as one questionnaire."""

    parties: list[dict]
    sections: list[dict] = field(init=False)
    questions: dict[str, dict] = field(init=False)
    regles: list[dict] = field(init=False)
    section_de: dict[str, str] = field(init=False)

    def __post_init__(self):
        self.sections, self.questions, self.regles, self.section_de = [], {}, [], {}
        for partie in self.parties:
            for section in partie["sections"]:
                self.sections.append(section)
                for question in section["questions"]:
                    self.questions[question["code"]] = question
                    self.section_de[question["code"]] = section["code"]
            self.regles.extend(partie["regles"])

    @property
    def sections_par_code(self) -> dict[str, dict]:
        return {section["code"]: section for section in self.sections}


def assembler(*definitions: dict | None) -> Definition:
    """The questionnaire of a campaign: its core and, if any, its theme block; raise on code collisions."""
    parties = [d for d in definitions if d]
    erreurs, vus, sections_vues = [], {}, set()
    for partie in parties:
        for section in partie["sections"]:
            if section["code"] in sections_vues:
                erreurs.append(f"la section « {section['code']} » existe dans deux parties du questionnaire.")
            sections_vues.add(section["code"])
            for question in section["questions"]:
                if question["code"] in vus:
                    erreurs.append(
                        f"la question « {question['code']} » existe dans {vus[question['code']]} et {partie['code']}."
                    )
                vus[question["code"]] = partie["code"]
    definition = Definition(parties)
    erreurs.extend(verifier_references(definition))
    if erreurs:
        raise DefinitionInvalide(erreurs)
    return definition
