"""Export of the renewal follow-up board (CSV, XLSX): the rows of the page, most urgent first.

Two variants like every export: « personnes » (French labels and values, dd/mm/yyyy) and « codes »
(`variante=codes`: stable codes as headers and values, ISO dates). One row per agrément to renew, each
milestone as two columns (its deadline, its state).
"""

from maillage.core.tableurs import (
    Colonne,
    classeur_octets,
    classeur_pour_personnes,
    csv_pour_machines,
    csv_pour_personnes,
    ecrire_feuille,
    nouveau_classeur,
)

from . import regles
from .models import Agrement, TypeAgrement
from .selectors_agrements import LigneRenouvellement

FORMATS = ("csv", "xlsx")
VARIANTES = ("personnes", "codes")
TYPES_CONTENU = {
    "csv": "text/csv; charset=utf-8",
    "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
}
ETATS = {"fait": "fait", "en_retard": "en retard", "en_cours": "en cours", "a_venir": "à venir"}
TYPES = dict(TypeAgrement.choices)
STATUTS = dict(Agrement.Statut.choices)


def etat_code(etat: regles.EtatJalon) -> str:
    if etat.fait:
        return "fait"
    if etat.en_retard:
        return "en_retard"
    return "en_cours" if etat.en_cours else "a_venir"


def ligne(rang: LigneRenouvellement) -> dict:
    """One board row as plain values (codes)."""
    a = rang.agrement
    valeurs = {
        "structure_id": a.structure_id,
        "structure_nom": a.structure.nom,
        "commune_code": a.structure.commune_id,
        "commune_nom": a.structure.commune.nom,
        "agrement_id": a.pk,
        "type": a.type,
        "debut": a.debut,
        "fin": a.fin,
        "jalons_en_retard": rang.retards,
        "successeur_statut": rang.successeur.statut if rang.successeur else "",
        "successeur_debut": rang.successeur.debut if rang.successeur else None,
    }
    for etat in rang.etats:
        valeurs[f"{etat.jalon.code}_echeance"] = etat.jalon.echeance
        valeurs[f"{etat.jalon.code}_etat"] = etat_code(etat)
    return valeurs


def _colonnes() -> list[Colonne]:
    colonnes = [
        Colonne("Identifiant de la structure", "structure_id", "structure_id"),
        Colonne("Structure", "structure_nom", "structure_nom", 40),
        Colonne("Code commune (INSEE)", "commune_code", "commune_code"),
        Colonne("Commune", "commune_nom", "commune_nom", 25),
        Colonne("Identifiant de l'agrément", "agrement_id", "agrement_id"),
        Colonne("Type d'agrément", lambda r: TYPES.get(r["type"], r["type"]), "type", 30),
        Colonne("Début", "debut", "debut"),
        Colonne("Fin", "fin", "fin"),
    ]
    for definition in regles.JALONS:
        code = definition.code
        colonnes.append(Colonne(f"{definition.libelle_court} : échéance", f"{code}_echeance", f"{code}_echeance"))
        colonnes.append(
            Colonne(
                f"{definition.libelle_court} : état",
                lambda r, c=code: ETATS[r[f"{c}_etat"]],
                f"{code}_etat",
            )
        )
    colonnes += [
        Colonne("Jalons en retard", "jalons_en_retard", "jalons_en_retard"),
        Colonne(
            "Nouvel agrément : statut",
            lambda r: STATUTS.get(r["successeur_statut"], ""),
            "successeur_statut",
        ),
        Colonne("Nouvel agrément : début", "successeur_debut", "successeur_debut"),
    ]
    return colonnes


COLONNES = _colonnes()


def _brute(colonne: Colonne, valeurs: dict):
    return valeurs[colonne.code]


def exporter(lignes: list[LigneRenouvellement], *, format: str, variante: str) -> str | bytes:
    valeurs = [ligne(rang) for rang in lignes]
    if format == "csv":
        if variante == "codes":
            return csv_pour_machines(COLONNES, valeurs, valeurs=_brute)
        return csv_pour_personnes(COLONNES, valeurs)
    if variante == "codes":
        classeur = nouveau_classeur(vide=True)
        ecrire_feuille(
            classeur.create_sheet("Renouvellements"),
            [c.code for c in COLONNES],
            ([v[c.code] for c in COLONNES] for v in valeurs),
        )
        return classeur_octets(classeur)
    return classeur_pour_personnes([("Renouvellements", COLONNES, valeurs)])
