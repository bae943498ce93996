"""Reading and validating a past campaign export (pure: no database access).

The file (CSV — separator ; , or tab, UTF-8 or Windows-1252 — or XLSX, first sheet; read by the core file kit,
`maillage.core.fichiers`) has a header line then one row per structure: a column `siret` or `structure_id` identifies
the structure, the other columns are named by question code. A table question is given either as JSON in its own
column or cell by cell in columns `code.ligne.colonne`; a multiple choice as codes separated by « | » (or « ; » in a
comma-separated file). Every value is converted with the rules engine (`regles.convertir`), and every error names its
line, its column and the reason, in French. The whole file is checked before anything is written (by
`services_import`).
"""

import json
import re
from dataclasses import dataclass, field

from maillage.core.fichiers import FichierIllisible, lire_tableau
from maillage.core.imports import ErreurLigne

from . import regles
from .questionnaire import Definition

COLONNES_STRUCTURE = ("siret", "structure_id")
TAILLE_MAX = 5 * 1024 * 1024
LIGNES_MAX = 20_000  # one row per structure of a département


Erreur = ErreurLigne


@dataclass
class Fichier:
    format: str
    entetes: list[str]
    lignes: list[tuple[int, list]]  # (line number in the file, raw cells)
    erreurs: list[ErreurLigne] = field(default_factory=list)  # column named twice, value under no header


@dataclass
class LigneValide:
    ligne: int
    structure_id: int
    valeurs: dict


@dataclass
class Resultat:
    lignes: list[LigneValide] = field(default_factory=list)
    erreurs: list[Erreur] = field(default_factory=list)


def lire(contenu: bytes) -> Fichier:
    """Read a CSV or XLSX file (first sheet) into its header and rows; raises FichierIllisible."""
    if len(contenu) > TAILLE_MAX:
        raise FichierIllisible("fichier trop volumineux (5 Mo au plus).")
    tableau = lire_tableau(contenu, lignes_max=LIGNES_MAX)
    # Without an identifier column the file is refused at its header: its rows are not even read.
    identifie = any(titre.casefold() in COLONNES_STRUCTURE for titre in tableau.titres)
    rangees = list(tableau.rangees()) if identifie else []
    return Fichier(format=tableau.format, entetes=tableau.titres, lignes=rangees, erreurs=tableau.erreurs)


def _vide(valeur) -> bool:
    return valeur is None or (isinstance(valeur, str) and not valeur.strip())


def _valeur(question: dict, brute):
    """Bring a raw cell to the shape `regles.convertir` expects."""
    if isinstance(brute, str):
        brute = brute.strip()
    if question["type"] == "tableau" and isinstance(brute, str):
        try:
            return json.loads(brute)
        except ValueError:
            return brute
    if question["type"] == "choix_multiple" and isinstance(brute, str):
        return [code.strip() for code in re.split(r"[;|]", brute) if code.strip()]
    if question["type"] in {"entier", "decimal", "euros", "pourcentage"} and isinstance(brute, float | int):
        return brute
    if question["type"] == "oui_non" and isinstance(brute, bool):
        return brute
    return brute if isinstance(brute, str) else str(brute)


def valider(fichier: Fichier, definition: Definition, structures: dict[str, int]) -> Resultat:
    """Check every row. `structures` maps an identifier (SIRET, or "#<id>" for a structure id) to a structure id."""
    resultat = Resultat()
    colonnes = {}  # position → (question code, row code, column code) or a structure column
    inconnues = []
    identifiants = [i for i, titre in enumerate(fichier.entetes) if titre.casefold() in COLONNES_STRUCTURE]
    for position, titre in enumerate(fichier.entetes):
        if not titre or position in identifiants:
            continue
        code, _, cellule = titre.partition(".")
        question = definition.questions.get(code)
        if question is None or (cellule and question["type"] != "tableau"):
            inconnues.append(titre)
            continue
        if cellule:
            ligne, _, colonne = cellule.partition(".")
            if ligne not in {x["code"] for x in question["lignes"]} or colonne not in {
                x["code"] for x in question["colonnes"]
            }:
                inconnues.append(titre)
                continue
            colonnes[position] = (code, ligne, colonne)
        else:
            colonnes[position] = (code, None, None)
    if not identifiants:
        resultat.erreurs.append(
            Erreur("il faut une colonne « siret » ou « structure_id » pour reconnaître chaque structure.", 1)
        )
    if inconnues:
        liste = ", ".join(f"« {t} »" for t in inconnues)
        resultat.erreurs.append(Erreur(f"colonnes inconnues (aucune question de ce code) : {liste}.", 1))
    resultat.erreurs.extend(fichier.erreurs)
    if resultat.erreurs:
        return resultat
    vues = {}
    for numero, cellules in fichier.lignes:
        cellules = list(cellules) + [None] * (len(fichier.entetes) - len(cellules))
        structure_id = None
        for position in identifiants:
            brute = cellules[position]
            if _vide(brute):
                continue
            titre = fichier.entetes[position]
            texte = str(brute).strip()
            if isinstance(brute, float) and brute.is_integer():
                texte = str(int(brute))
            cle = re.sub(r"\s", "", texte) if titre.casefold() == "siret" else f"#{texte}"
            trouve = structures.get(cle)
            if trouve is None:
                resultat.erreurs.append(Erreur(f"structure inconnue dans ce département : « {texte} ».", numero, titre))
            elif structure_id is not None and trouve != structure_id:
                resultat.erreurs.append(Erreur("le SIRET et l'identifiant désignent deux structures.", numero, titre))
            structure_id = structure_id or trouve
        if structure_id is None:
            if not any(e.ligne == numero for e in resultat.erreurs):
                resultat.erreurs.append(Erreur("la structure n'est pas indiquée (siret ou structure_id).", numero))
            continue
        if structure_id in vues:
            resultat.erreurs.append(Erreur(f"structure déjà présente ligne {vues[structure_id]}.", numero))
            continue
        vues[structure_id] = numero
        brutes, origine = {}, {}
        for position, (code, ligne, colonne) in colonnes.items():
            brute = cellules[position]
            if _vide(brute):
                continue
            if ligne is None:
                brutes[code] = _valeur(definition.questions[code], brute)
            else:
                brutes.setdefault(code, {}).setdefault(ligne, {})[colonne] = brute
            origine.setdefault(code, fichier.entetes[position])
        propres, erreurs = regles.valider_types(definition, brutes)
        for code, messages in erreurs.items():
            for message in messages:
                resultat.erreurs.append(Erreur(message, numero, origine.get(code, code)))
        if not erreurs:
            valeurs = {code: valeur for code, valeur in propres.items() if valeur is not None}
            resultat.lignes.append(LigneValide(numero, structure_id, valeurs))
    return resultat
