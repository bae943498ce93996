"""Reading groupings of communes, without Django: the EPT file shipped in `data/` and a pilote's grouping file.

- `lire_ept(chemin)`: the établissements publics territoriaux of the Métropole du Grand Paris, one row per commune
  (`data/ept_grand_paris.csv`, source in `data/ept_grand_paris.csv.source.txt`);
- `lire_regroupements(contenu, communes=…, departement=…)`: a CSV or XLSX file with one row per (grouping,
  commune) — columns `regroupement` and `code_commune`, optional `code` — checked whole, every error located by
  line and column; nothing is returned to write when one row is wrong.
"""

import csv
import datetime
import re
import unicodedata
from dataclasses import dataclass, field
from pathlib import Path

from maillage.core.fichiers import FichierIllisible, cle, lire_tableau, texte
from maillage.core.imports import ErreurLigne

FICHIER_EPT = Path(__file__).resolve().parent.parent.parent / "data" / "ept_grand_paris.csv"
SOURCE_EPT = (
    "Décrets n° 2015-1655 à 2015-1668 du 11 décembre 2015 (périmètres des EPT), SIREN de la BANATIC "
    "(data/ept_grand_paris.csv)"
)
LIGNES_MAX = 50_000
NOM_MAX = 200


@dataclass(frozen=True, slots=True)
class EptLu:
    code_commune: str
    siren: str
    nom: str
    debut: datetime.date


def lire_ept(chemin: Path = FICHIER_EPT) -> list[EptLu]:
    with open(chemin, encoding="utf-8", newline="") as fichier:
        return [
            EptLu(
                code_commune=ligne["code_commune"],
                siren=ligne["siren_ept"],
                nom=ligne["nom_ept"],
                debut=datetime.date.fromisoformat(ligne["debut"]),
            )
            for ligne in csv.DictReader(fichier)
        ]


# --- A pilote's grouping file ----------------------------------------------------------------------------------

ENTETES = {
    "regroupement": "nom",
    "nom": "nom",
    "nom_du_regroupement": "nom",
    "territoire": "nom",
    "code": "code",
    "code_regroupement": "code",
    "code_commune": "commune",
    "code_insee": "commune",
    "commune": "commune",
    "insee": "commune",
    "nom_commune": "nom_commune",
    "libelle_commune": "nom_commune",
}
OBLIGATOIRES = {"nom": "regroupement", "commune": "code_commune"}


def identifiant(departement: str, nom: str) -> str:
    """A grouping's code when the file gives none: the département and a slug of its name ("94-plateau-briard")."""
    simple = unicodedata.normalize("NFKD", nom).encode("ascii", "ignore").decode().lower()
    return f"{departement}-{re.sub(r'[^a-z0-9]+', '-', simple).strip('-')}"[:80]


@dataclass
class RegroupementLu:
    code: str
    nom: str
    communes: list[str] = field(default_factory=list)


@dataclass
class Lecture:
    regroupements: list[RegroupementLu]
    erreurs: list[ErreurLigne]
    lignes: int = 0


def lire_regroupements(contenu: bytes, *, communes: dict[str, str], departement: str) -> Lecture:
    """`communes`: code → code of its département, for every known commune."""
    try:
        tableau = lire_tableau(contenu, code=lambda titre: ENTETES.get(cle(titre)), lignes_max=LIGNES_MAX)
    except FichierIllisible as erreur:
        return Lecture([], [ErreurLigne(str(erreur))])
    erreurs = list(tableau.erreurs)
    manquantes = [libelle for code, libelle in OBLIGATOIRES.items() if code not in tableau.colonnes]
    if manquantes:
        connues = ", ".join(sorted(set(ENTETES)))
        erreurs.append(
            ErreurLigne(
                f"colonne(s) obligatoire(s) absente(s) : {', '.join(manquantes)} (colonnes reconnues : {connues})",
                tableau.ligne_entete or 1,
            )
        )
        return Lecture([], erreurs)

    par_code: dict[str, RegroupementLu] = {}
    vus: dict[tuple[str, str], int] = {}
    nombre = 0
    for numero, valeurs in tableau.lignes():
        nombre += 1
        nom = " ".join(texte(valeurs.get("nom")).split())
        code_commune = texte(valeurs.get("commune")).strip()
        if code_commune.isdigit() and len(code_commune) == 4:
            code_commune = "0" + code_commune  # a spreadsheet dropped the leading zero
        colonne_nom = tableau.colonnes["nom"]
        colonne_commune = tableau.colonnes["commune"]
        if not nom:
            erreurs.append(ErreurLigne("le nom du regroupement est vide", numero, colonne_nom))
        elif len(nom) > NOM_MAX:
            erreurs.append(
                ErreurLigne(f"nom trop long ({len(nom)} caractères, {NOM_MAX} au plus)", numero, colonne_nom)
            )
        if not code_commune:
            erreurs.append(ErreurLigne("code INSEE de la commune vide", numero, colonne_commune))
        elif code_commune not in communes:
            erreurs.append(ErreurLigne(f"commune « {code_commune} » inconnue du référentiel", numero, colonne_commune))
        elif communes[code_commune] != departement:
            erreurs.append(
                ErreurLigne(
                    f"la commune {code_commune} est dans le département {communes[code_commune]}, "
                    f"pas dans le {departement}",
                    numero,
                    colonne_commune,
                )
            )
        if not nom or len(nom) > NOM_MAX or code_commune not in communes:
            continue
        code = texte(valeurs.get("code")).strip() if "code" in tableau.colonnes else ""
        code = f"{departement}-{code}"[:80] if code else identifiant(departement, nom)
        regroupement = par_code.setdefault(code, RegroupementLu(code=code, nom=nom))
        if regroupement.nom != nom:
            erreurs.append(
                ErreurLigne(
                    f"le code « {code} » désigne déjà le regroupement « {regroupement.nom} » : un code, un nom",
                    numero,
                    colonne_nom,
                )
            )
            continue
        if (code, code_commune) in vus:
            erreurs.append(
                ErreurLigne(
                    f"la commune {code_commune} est déjà dans « {nom} » (ligne {vus[code, code_commune]})",
                    numero,
                    colonne_commune,
                )
            )
            continue
        vus[code, code_commune] = numero
        regroupement.communes.append(code_commune)
    erreurs.extend(e for e in tableau.erreurs if e not in erreurs)
    if not nombre and not erreurs:
        erreurs.append(ErreurLigne("le fichier n'a aucune ligne de données sous son en-tête"))
    return Lecture(list(par_code.values()), erreurs, nombre)
