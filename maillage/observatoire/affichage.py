"""How a stored answer reads for a person (pure Python, no Django import): labels of the questionnaire's lists
instead of codes, « Oui » / « Non », numbers the French way by type, tables as rows and columns with labels.

The one home of this formatting, shared by the review page and the portrait (exports keep the stored codes).
An empty answer reads « — »; a code the definition does not know (a list changed since, an import) is shown as
stored rather than hidden.
"""

from dataclasses import dataclass, field

from maillage.core import formats

VIDE = "—"
NBSP = formats.NBSP
NUMERIQUES = frozenset({"entier", "decimal", "euros", "pourcentage", "nombre"})


def est_vide(valeur) -> bool:
    return valeur is None or (isinstance(valeur, str) and valeur.strip() == "") or valeur == [] or valeur == {}


def _est_nombre(valeur) -> bool:
    return isinstance(valeur, int | float) and not isinstance(valeur, bool)


def _decimales_utiles(valeur, maximum: int) -> str:
    """At most `maximum` decimals, trailing zeros dropped: 17.5 → "17,5", 3.0 → "3", 1234.567 → "1 234,57"."""
    texte = formats.nombre(valeur, maximum) if maximum else formats.nombre(round(valeur))
    if "," in texte:
        texte = texte.rstrip("0").rstrip(",")
    return texte


def nombre(valeur, type_: str = "decimal") -> str:
    """A number by question type or unit: `entier` / `nombre` (a mean may keep one decimal), `decimal` (two at
    most), `euros` (cents only when there are some), `pourcentage` (stored from 0 to 100, not as a share)."""
    if est_vide(valeur):
        return VIDE
    if not _est_nombre(valeur):
        return str(valeur)
    if type_ == "euros":
        centimes = round(float(valeur), 2)
        return formats.euros(centimes, 0 if centimes.is_integer() else 2)
    if type_ == "pourcentage":
        return f"{_decimales_utiles(valeur, 2)}{NBSP}%"
    if type_ in {"entier", "nombre"}:
        return _decimales_utiles(valeur, 1)
    return _decimales_utiles(valeur, 2)


def libelle_choix(question: dict | None, code) -> str:
    """The label of a choice code in the question's list; an unknown code as stored."""
    for choix in (question or {}).get("choix", []):
        if choix["code"] == code:
            return choix["libelle"]
    return str(code)


# --- Tables --------------------------------------------------------------------------------------------------


@dataclass
class LigneTableau:
    code: str
    libelle: str
    cellules: list[str]


@dataclass
class Tableau:
    """A table answer ready to show: column labels, the rows that hold a value (in the definition's order, unknown
    rows after), and a total row when there are several rows (percentages are not summed)."""

    colonnes: list[str]
    lignes: list[LigneTableau] = field(default_factory=list)
    total: list[str] | None = None


def tableau(question: dict | None, valeur) -> Tableau | None:
    """A table answer as rows and columns with labels; None when the answer is empty or not a table."""
    if est_vide(valeur) or not isinstance(valeur, dict):
        return None
    question = question or {}
    colonnes = list(question.get("colonnes", []))
    connues = {c["code"] for c in colonnes}
    presentes = {col for cellules in valeur.values() if isinstance(cellules, dict) for col in cellules}
    inconnues = sorted(presentes - connues)
    colonnes += [{"code": code, "libelle": code, "type": "decimal"} for code in inconnues]
    libelles_lignes = {ligne["code"]: ligne["libelle"] for ligne in question.get("lignes", [])}
    ordre = [code for code in libelles_lignes if code in valeur] + sorted(c for c in valeur if c not in libelles_lignes)
    resultat = Tableau(colonnes=[c["libelle"] for c in colonnes])
    sommes: dict[str, float] = {}
    for code_ligne in ordre:
        cellules = valeur[code_ligne]
        if not isinstance(cellules, dict):
            cellules = {}
        if all(est_vide(v) for v in cellules.values()):
            continue
        textes = []
        for colonne in colonnes:
            cellule = cellules.get(colonne["code"])
            type_ = colonne.get("type", "entier")
            textes.append(nombre(cellule, type_))
            if _est_nombre(cellule) and type_ != "pourcentage":
                sommes[colonne["code"]] = sommes.get(colonne["code"], 0) + cellule
        resultat.lignes.append(LigneTableau(str(code_ligne), libelles_lignes.get(code_ligne, str(code_ligne)), textes))
    if not resultat.lignes:
        return None
    if len(resultat.lignes) > 1:
        resultat.total = [nombre(sommes.get(c["code"]), c.get("type", "entier")) for c in colonnes]
    return resultat


# --- Any answer ----------------------------------------------------------------------------------------------


def _generique(valeur) -> str:
    """A value without its question (an answer to a question the definition no longer has)."""
    if est_vide(valeur):
        return VIDE
    if isinstance(valeur, bool):
        return "Oui" if valeur else "Non"
    if _est_nombre(valeur):
        return nombre(valeur)
    if isinstance(valeur, list):
        return ", ".join(_generique(v) for v in valeur)
    if isinstance(valeur, dict):
        # Keys sorted: SQLite and PostgreSQL (jsonb reorders keys) show the same text.
        return " ; ".join(f"{cle} : {_generique(v)}" for cle, v in sorted(valeur.items()))
    return str(valeur)


def texte(question: dict | None, valeur) -> str:
    """One stored answer as text, by its question's type (see the module's docstring)."""
    if est_vide(valeur):
        return VIDE
    type_ = (question or {}).get("type")
    if type_ is None:
        return _generique(valeur)
    if isinstance(valeur, bool):
        return "Oui" if valeur else "Non"
    if type_ in NUMERIQUES:
        return nombre(valeur, type_)
    if type_ == "choix_unique":
        return libelle_choix(question, valeur)
    if type_ == "choix_multiple":
        codes = valeur if isinstance(valeur, list | tuple) else [valeur]
        return ", ".join(libelle_choix(question, code) for code in codes)
    if type_ == "tableau":
        lu = tableau(question, valeur)
        if lu is None:
            return _generique(valeur)
        lignes = [
            f"{ligne.libelle} : "
            + ", ".join(f"{col} {cel}" for col, cel in zip(lu.colonnes, ligne.cellules, strict=True) if cel != VIDE)
            for ligne in lu.lignes
        ]
        return " ; ".join(lignes)
    return _generique(valeur)
