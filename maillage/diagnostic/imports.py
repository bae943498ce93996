"""Reading and validating indicator files by commune: INSEE populations légales and Caf open data.

Pure parsing and validation, no database access: `populations_lire` and `indicateurs_caf_lire` return every
value found and every error (line, column, reason, in French); `services_import` writes only when there is none.

Accepted files: CSV (separator `;`, `,` or tab; UTF-8 with or without BOM, or Latin-1/Windows-1252) or XLSX
(the sheet named « Communes » when there is one, else the first). The header row may follow title rows (INSEE
workbooks): it is the first row, among the first 30, holding a commune code column. Headers are compared case-,
accent- and punctuation-insensitively. Columns that are not recognised are ignored and listed in the summary.

Populations (INSEE):
- the « communes » file of the populations légales: `Code département; Code commune; Nom de la commune;
  Population municipale; …` — the commune code is the département code followed by the commune part (3 digits,
  2 for the 3-character DROM départements 971…976);
- or a `CODGEO; LIBGEO; PMUN21` layout (PMUN21 / PMUN2021 → millésime 2021).
  The millésime comes from `--millesime` or from the population column's name, never from the file name
  (INSEE publishes the millésime N at the end of N+2: a year in the file name is not reliably the millésime).
- or INSEE's historical base (`CODGEO; …; PMUN2021; PMUN2020; … PMUN2006; PSDC1999; … PTOT1876`): one column per
  census year. `--millesime N` takes the column of year N; without it, every PMUN column is imported as history
  (one millésime each; an empty cell is a commune that did not exist then). PSDC/PTOT columns (population
  « sans doubles comptes », population totale) are other definitions: listed as ignored, never stored.

Caf open data by commune: `Communes; Codes_Insee; ALL_bas_revenu; Pers_bas_revenu; NB_pers_couv_ress;
NB_allocataires` (and an optional `Date_ref` / `Annee` column). The millésime comes from `--millesime`, else that
column (a file may then hold several millésimes), else a single year in the file name (`…_2022.csv`). Empty or
secret-masked cells (« ND », « s », « secret »…) are not values: nothing is stored for them and they are counted.
"""

import datetime
import re
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from decimal import Decimal

from maillage.core.fichiers import LIGNES_ENTETE_MAX, FichierIllisible, Tableau, lire_tableau
from maillage.core.fichiers import cle as _cle
from maillage.core.fichiers import texte as _texte
from maillage.core.imports import ErreurLigne
from maillage.territoires.codes import normaliser_code_departement

Progression = Callable[[str], None]

PAS_PROGRESSION = 10_000  # rows between two progress messages while validating
VALEUR_MAX = Decimal("1e12")  # IndicateurCommune.valeur: 14 digits, 2 decimals
MOTIF_CODE_COMMUNE = re.compile(r"(?:\d{2}|2[AB])\d{3}")
MOTIF_ANNEE = re.compile(r"(?<!\d)(19\d{2}|20\d{2})(?!\d)")
# Arrondissements municipaux: not communes of the referential (Paris, Marseille, Lyon).
ARRONDISSEMENTS = {"751": "75056", "132": "13055", "693": "69123"}
# Cells the Caf masks for statistical secrecy, or leaves empty (compared after _cle()).
SECRETS = {"", "nd", "n_d", "nc", "s", "secret", "c", "x", "na"}


# --- Errors and results ------------------------------------------------------------------------------


Erreur = ErreurLigne


@dataclass(frozen=True, slots=True)
class ValeurLue:
    commune: str
    indicateur: str  # models.Indicateur value
    millesime: int
    valeur: Decimal
    ligne: int


@dataclass(slots=True)
class Lecture:
    format: str = ""  # "CSV" or "XLSX"
    lignes: int = 0  # data rows read (blank rows excepted)
    valeurs: list[ValeurLue] = field(default_factory=list)
    # Cells with nothing to store (empty or secret), by indicator, and their keys (commune, millésime).
    secrets: dict[str, int] = field(default_factory=dict)
    cles_secretes: dict[str, set[tuple[str, int]]] = field(default_factory=dict)
    millesimes: list[int] = field(default_factory=list)
    origine_millesime: str = ""
    colonnes: dict[str, str] = field(default_factory=dict)  # role → header as written
    colonnes_ignorees: list[str] = field(default_factory=list)
    hors_perimetre: int = 0  # rows of départements not asked for (--departements)
    autres_millesimes: int = 0  # rows of another millésime than --millesime (multi-year Caf files)
    erreurs: list[Erreur] = field(default_factory=list)


class ReferentielCommunes:
    """The communes known to the database, as plain data: code → code of the département."""

    def __init__(self, communes: Iterable[tuple[str, str]]):
        self.communes = dict(communes)
        self.departements = set(self.communes.values())

    @property
    def vide(self) -> bool:
        return not self.communes


# --- Values ------------------------------------------------------------------------------------------


def _nombre(valeur) -> Decimal:
    """A figure as published: 1234, "1 234", "1234,5", 1234.0. Raises ValueError with the French reason."""
    if isinstance(valeur, bool):
        raise ValueError("nombre attendu")
    if isinstance(valeur, int | float):
        nombre = Decimal(str(valeur))
    else:
        texte = re.sub(r"[\s\u00a0\u202f\u2009]", "", str(valeur))
        if "," in texte and "." not in texte:
            texte = texte.replace(",", ".")
        if not re.fullmatch(r"[-+]?\d+(?:\.\d+)?", texte):
            raise ValueError(f"nombre mal formé « {str(valeur).strip()} »")
        nombre = Decimal(texte)
    if not nombre.is_finite():
        raise ValueError(f"nombre mal formé « {valeur} »")
    if nombre < 0:
        raise ValueError(f"valeur négative « {_texte(valeur)} » : un effectif est positif ou nul")
    if nombre >= VALEUR_MAX:
        raise ValueError(f"valeur trop grande « {_texte(valeur)} »")
    return nombre


def _annee(valeur) -> int:
    """2022, "2022", "2022-12-31", "31/12/2022", a date cell → 2022. Raises ValueError."""
    if isinstance(valeur, datetime.date):
        return valeur.year
    texte = _texte(valeur)
    trouvees = set(MOTIF_ANNEE.findall(texte))
    if len(trouvees) != 1:
        raise ValueError(f"année illisible « {texte} » (ex. 2022 ou 31/12/2022)")
    return int(trouvees.pop())


def annee_du_nom_de_fichier(nom_fichier: str) -> int | None:
    """The single year written in a file name ("bas_revenus_2022.csv" → 2022); None when none or several."""
    annees = set(MOTIF_ANNEE.findall(nom_fichier.rsplit("/", 1)[-1]))
    return int(annees.pop()) if len(annees) == 1 else None


def departement_de_commune(code: str) -> str:
    return code[:3] if code.startswith("97") else code[:2]


def _code_commune(valeur) -> str:
    texte = _texte(valeur).upper()
    # A spreadsheet turns 01004 into the number 1004.
    return texte.zfill(5) if texte.isdigit() and len(texte) == 4 else texte


# --- Common row reading ------------------------------------------------------------------------------
# The core file kit (`maillage.core.fichiers`) reads CSV and XLSX; here, the header among title rows and roles.


def _lire_entete(contenu: bytes, roles_de: Callable[[str], str | None], est_code: Callable[[str], bool]) -> Tableau:
    """The file up to its header: the first of the first rows holding a commune code column (INSEE title rows)."""
    return lire_tableau(
        contenu,
        code=lambda titre: roles_de(_cle(titre)),
        est_entete=lambda titres: any(est_code(_cle(titre)) for titre in titres),
        feuilles=("Communes",),
    )


def _rangees_donnees(lecture: Lecture, entete: Tableau, progression: Progression | None):
    """(line number, {role: raw value}) for every non-blank data row; what cannot be read goes to `lecture.erreurs`."""
    deja = len(entete.erreurs)
    try:
        for compte, (numero, valeurs) in enumerate(entete.lignes(), 1):
            if progression and compte % PAS_PROGRESSION == 0:
                progression(f"Validation : {compte:,} lignes lues…".replace(",", "\u202f"))
            yield numero, valeurs
    except FichierIllisible as illisible:
        lecture.erreurs.append(Erreur(f"fichier illisible : {illisible.erreur.raison}", illisible.erreur.ligne))
    lecture.erreurs.extend(entete.erreurs[deja:])


def _verifier_commune(
    code: str, numero: int, colonne: str, referentiel: ReferentielCommunes, departements: set[str] | None
) -> tuple[bool | None, Erreur | None]:
    """(True: keep, None: outside the asked départements, False: error) and the error."""
    if not MOTIF_CODE_COMMUNE.fullmatch(code):
        return False, Erreur(
            f"code commune mal formé « {code} » (code INSEE à 5 caractères attendu, ex. 94028)", numero, colonne
        )
    departement = departement_de_commune(code)
    if departements is not None and departement not in departements:
        return None, None
    if code in referentiel.communes:
        return True, None
    if code[:3] in ARRONDISSEMENTS:
        conseil = f"arrondissement municipal : additionnez les valeurs à la commune {ARRONDISSEMENTS[code[:3]]}"
    elif departement in referentiel.departements:
        conseil = (
            f"aucune commune de ce code dans le département {departement} "
            "(commune fusionnée ou créée depuis ? vérifiez le millésime du code officiel géographique)"
        )
    else:
        conseil = f"chargez d'abord le référentiel (manage.py charger_territoires --departements {departement})"
    return False, Erreur(f"commune inconnue « {code} » : {conseil}", numero, colonne)


def _debut(
    contenu: bytes,
    referentiel: ReferentielCommunes,
    roles_de: Callable[[str], str | None],
    est_code: Callable[[str], bool],
) -> tuple[Lecture, Tableau | None]:
    lecture = Lecture()
    try:
        entete = _lire_entete(contenu, roles_de, est_code)
    except FichierIllisible as illisible:
        lecture.erreurs.append(Erreur(f"fichier illisible : {illisible.erreur.raison}", illisible.erreur.ligne))
        return lecture, None
    lecture.format = entete.format
    if referentiel.vide:
        lecture.erreurs.append(
            Erreur("aucune commune en base : chargez d'abord le référentiel (manage.py charger_territoires)")
        )
        return lecture, None
    return lecture, entete


def _doublon(vues: dict, cle, numero: int, colonne: str, code: str, millesime: int) -> Erreur | None:
    if cle in vues:
        return Erreur(
            f"commune {code} en double pour le millésime {millesime} (déjà en ligne {vues[cle]})", numero, colonne
        )
    vues[cle] = numero
    return None


# --- INSEE populations -------------------------------------------------------------------------------

MOTIF_POPULATION = re.compile(r"(?:p_?mun|pop_?mun|population_municipale)_?(\d{4}|\d{2})?")
# Older definitions of the historical base: population sans doubles comptes (1962-1999), population totale.
MOTIF_AUTRES_POPULATIONS = re.compile(r"(?:psdc|ptot)_?\d{2,4}")
CODES_COMPLETS = {"codgeo", "code_geo", "code_insee", "codes_insee", "code_commune_insee", "insee_com", "depcom"}
CODES_DEPARTEMENT = {"code_departement", "code_dep", "dep", "cod_dep", "departement_code"}
CODES_PARTIE = {"code_commune", "com", "cod_com"}
NOMS = {"libgeo", "nom_de_la_commune", "nom_commune", "nomcom", "nom", "libelle", "commune", "communes", "lib_com"}


def _role_population(cle: str) -> str | None:
    if cle in CODES_COMPLETS:
        return "code"
    if cle in CODES_DEPARTEMENT:
        return "departement"
    if cle in CODES_PARTIE:
        return "code_partiel"
    if cle in NOMS:
        return "nom"
    if trouve := MOTIF_POPULATION.fullmatch(cle):
        # One code per year: the historical base's PMUN2021, PMUN2020… are distinct columns, not duplicates.
        return f"population:{trouve[1]}" if trouve[1] else "population"
    return None


def _annee_de_colonne(titre: str) -> int | None:
    trouve = MOTIF_POPULATION.fullmatch(_cle(titre))
    if not trouve or not trouve[1]:
        return None
    annee = int(trouve[1])
    return annee + 2000 if annee < 100 else annee


def populations_lire(
    *,
    contenu: bytes,
    referentiel: ReferentielCommunes,
    millesime: int | None = None,
    departements: Iterable[str] | None = None,
    progression: Progression | None = None,
) -> Lecture:
    """Parse and validate a whole INSEE populations file; the result lists the values or, if any, every error."""
    departements = set(departements) if departements else None
    lecture, entete = _debut(contenu, referentiel, _role_population, lambda cle: cle in CODES_COMPLETS | CODES_PARTIE)
    if lecture.erreurs:
        return lecture
    if entete.ligne_entete is None:
        lecture.erreurs.append(
            Erreur(
                "en-tête non reconnu : aucune colonne de code commune (CODGEO, ou Code département + Code commune) "
                f"dans les {LIGNES_ENTETE_MAX} premières lignes",
                ligne=1,
            )
        )
        return lecture
    lecture.erreurs.extend(entete.erreurs)
    lecture.colonnes, lecture.colonnes_ignorees = entete.colonnes, entete.inconnues
    positions = entete.positions
    annuelles = {code: titre for code, titre in entete.colonnes.items() if code.startswith("population:")}
    if annuelles:
        if "population" in positions:
            lecture.erreurs.append(
                Erreur(
                    f"colonne « {entete.colonnes['population']} » sans année à côté de colonnes datées "
                    f"({', '.join(annuelles.values())}) : nommez-la avec son année (ex. PMUN21)",
                    ligne=entete.ligne_entete,
                    colonne=entete.colonnes["population"],
                )
            )
            return lecture
        colonnes_annees = _colonnes_par_millesime(annuelles, lecture, entete.ligne_entete)
        if lecture.erreurs:
            return lecture
        historique = len(colonnes_annees) > 1
        origine = f"d'après les {len(colonnes_annees)} colonnes de population du fichier (historique)"
        if millesime is not None and historique:
            origine = "indiqué par --millesime, parmi les colonnes de l'historique"
            if millesime not in colonnes_annees:
                disponibles = ", ".join(str(a) for a in sorted(colonnes_annees, reverse=True))
                lecture.erreurs.append(
                    Erreur(
                        f"aucune colonne de population pour le millésime {millesime} (--millesime) ; millésimes du "
                        f"fichier : {disponibles}",
                        ligne=entete.ligne_entete,
                    )
                )
                return lecture
            colonnes_annees = {millesime: colonnes_annees[millesime]}
        if historique:
            # INSEE's historical base: every dated PMUN column its own millésime. A commune missing in a year
            # (created since, or merged) has an empty cell: nothing is stored for it that year, and it is counted.
            lecture.millesimes, lecture.origine_millesime = sorted(colonnes_annees, reverse=True), origine
            return _populations_par_colonne(
                lecture, entete, colonnes_annees, referentiel, departements, progression, vides_permises=True
            )
        # A single dated column: the one-year path below.
        ((annee, code_colonne),) = colonnes_annees.items()
        for autre in list(annuelles):
            if autre != code_colonne:
                lecture.colonnes_ignorees.append(entete.colonnes.pop(autre))
                positions.pop(autre)
        positions["population"] = positions.pop(code_colonne)
        entete.colonnes["population"] = entete.colonnes.pop(code_colonne)
    if "population" not in positions:
        lecture.erreurs.append(
            Erreur(
                "colonne manquante : population municipale (« Population municipale » ou PMUN21)",
                ligne=entete.ligne_entete,
                colonne="Population municipale",
            )
        )
    if "code" not in positions and "departement" not in positions:
        # "Code commune" alone: the full 5-character code.
        positions["code"] = positions.pop("code_partiel")
        entete.colonnes["code"] = entete.colonnes.pop("code_partiel")
    if lecture.erreurs:
        return lecture

    colonne_pop = entete.colonnes["population"]
    annee_colonne = _annee_de_colonne(colonne_pop)
    if millesime is not None and annee_colonne is not None and millesime != annee_colonne:
        lecture.erreurs.append(
            Erreur(
                f"la colonne indique le millésime {annee_colonne}, différent de --millesime {millesime}",
                ligne=entete.ligne_entete,
                colonne=colonne_pop,
            )
        )
        return lecture
    if millesime is not None:
        lecture.origine_millesime = "indiqué par --millesime"
    elif annee_colonne is not None:
        millesime, lecture.origine_millesime = annee_colonne, f"d'après la colonne « {colonne_pop} »"
    else:
        lecture.erreurs.append(
            Erreur(
                "millésime inconnu : indiquez-le avec --millesime (ex. --millesime 2021) ou nommez la colonne "
                "avec son année (ex. PMUN21)",
                ligne=entete.ligne_entete,
                colonne=colonne_pop,
            )
        )
        return lecture
    lecture.millesimes = [millesime]
    return _populations_par_colonne(
        lecture, entete, {millesime: "population"}, referentiel, departements, progression, vides_permises=False
    )


def _colonnes_par_millesime(annuelles: dict[str, str], lecture: Lecture, ligne_entete) -> dict[int, str]:
    """millésime → column code, for the dated population columns; two columns of the same year are an error."""
    par_annee: dict[int, str] = {}
    for code, titre in annuelles.items():
        annee = _annee_de_colonne(titre)
        if annee in par_annee:
            lecture.erreurs.append(
                Erreur(
                    f"deux colonnes de population pour le millésime {annee} (« {annuelles[par_annee[annee]]} » et "
                    f"« {titre} »)",
                    ligne=ligne_entete,
                    colonne=titre,
                )
            )
        par_annee[annee] = code
    return par_annee


def _populations_par_colonne(
    lecture: Lecture,
    entete: Tableau,
    colonnes_annees: dict[int, str],
    referentiel: ReferentielCommunes,
    departements: set[str] | None,
    progression: Progression | None,
    *,
    vides_permises: bool,
) -> Lecture:
    """The rows' values, one millésime per column (`colonnes_annees`: millésime → column code)."""
    vues: dict[str, int] = {}
    colonne_code = entete.colonnes.get("code") or entete.colonnes["code_partiel"]
    for numero, valeurs in _rangees_donnees(lecture, entete, progression):
        lecture.lignes += 1
        code, colonne = _code_de_ligne(valeurs, entete, colonne_code)
        if isinstance(code, Erreur):
            lecture.erreurs.append(Erreur(code.raison, numero, code.colonne))
            continue
        garder, erreur = _verifier_commune(code, numero, colonne, referentiel, departements)
        if garder is None:
            lecture.hors_perimetre += 1
            continue
        if erreur:
            lecture.erreurs.append(erreur)
        lues, fautive = [], False
        for annee, code_colonne in colonnes_annees.items():
            brut, titre = valeurs[code_colonne], entete.colonnes[code_colonne]
            if not _texte(brut):
                if vides_permises:
                    lecture.secrets["population"] = lecture.secrets.get("population", 0) + 1
                else:
                    lecture.erreurs.append(Erreur("population manquante", numero, titre))
                    fautive = True
                continue
            try:
                population = _nombre(brut)
            except ValueError as probleme:
                lecture.erreurs.append(Erreur(str(probleme), numero, titre))
                fautive = True
                continue
            if population != population.to_integral_value():
                lecture.erreurs.append(Erreur(f"population non entière « {_texte(brut)} »", numero, titre))
                fautive = True
                continue
            lues.append(ValeurLue(code, "population", annee, population, numero))
        if fautive:
            continue
        doublon = _doublon(vues, code, numero, colonne, code, max(colonnes_annees))
        if doublon:
            lecture.erreurs.append(doublon)
            continue
        if garder:
            lecture.valeurs.extend(lues)
    _fin(lecture)
    return lecture


def _code_de_ligne(valeurs: dict, entete: Tableau, colonne_code: str) -> tuple[str | Erreur, str]:
    """The commune's INSEE code from a full-code column, or from the département and commune-part columns."""
    if "code" in entete.positions:
        code = _code_commune(valeurs["code"])
        if not code:
            return Erreur("code commune manquant", colonne=colonne_code), colonne_code
        return code, colonne_code
    departement = normaliser_code_departement(_texte(valeurs["departement"]))
    colonne_dep = entete.colonnes["departement"]
    partie = _texte(valeurs["code_partiel"]).upper()
    if not departement:
        return Erreur("code département manquant", colonne=colonne_dep), colonne_dep
    if not partie:
        return Erreur("code commune manquant", colonne=colonne_code), colonne_code
    if not re.fullmatch(r"\d{2}|2[AB]|97\d", departement):
        message = f"code département mal formé « {departement} » (ex. 01, 2A, 94, 971)"
        return Erreur(message, colonne=colonne_dep), colonne_dep
    if len(partie) == 5:  # some files repeat the full code
        if departement_de_commune(partie) != departement:
            return (
                Erreur(f"code commune « {partie} » hors du département {departement}", colonne=colonne_code),
                colonne_code,
            )
        return partie, colonne_code
    longueur = 5 - len(departement)
    if not partie.isdigit() or len(partie) > longueur:
        return (
            Erreur(
                f"code commune « {partie} » incompatible avec le département « {departement} » : {longueur} chiffres "
                "attendus après le code du département",
                colonne=colonne_code,
            ),
            colonne_code,
        )
    return departement + partie.zfill(longueur), colonne_code


# --- Caf open data -----------------------------------------------------------------------------------

COLONNES_CAF = {
    "nb_allocataires": "allocataires",
    "nb_pers_couv_ress": "personnes_couvertes",
    "all_bas_revenu": "allocataires_bas_revenus",
    "pers_bas_revenu": "personnes_bas_revenus",
}
CODES_CAF = {"codes_insee", "code_insee", "codgeo", "code_geo", "code_commune", "insee_com", "numcom", "depcom"}
MILLESIMES_CAF = {"date_ref", "dateref", "dtref", "date_reference", "annee", "millesime", "an"}


def _role_caf(cle: str) -> str | None:
    if cle in CODES_CAF:
        return "code"
    if cle in NOMS:
        return "nom"
    if cle in MILLESIMES_CAF:
        return "millesime"
    return COLONNES_CAF.get(cle)


def indicateurs_caf_lire(
    *,
    contenu: bytes,
    referentiel: ReferentielCommunes,
    nom_fichier: str = "",
    millesime: int | None = None,
    departements: Iterable[str] | None = None,
    progression: Progression | None = None,
) -> Lecture:
    """Parse and validate a whole Caf open-data file by commune; the result lists the values or every error."""
    departements = set(departements) if departements else None
    lecture, entete = _debut(contenu, referentiel, _role_caf, lambda cle: cle in CODES_CAF)
    if lecture.erreurs:
        return lecture
    if entete.ligne_entete is None:
        lecture.erreurs.append(
            Erreur(
                "en-tête non reconnu : colonne du code commune (Codes_Insee) manquante dans les "
                f"{LIGNES_ENTETE_MAX} premières lignes",
                ligne=1,
                colonne="Codes_Insee",
            )
        )
        return lecture
    lecture.erreurs.extend(entete.erreurs)
    lecture.colonnes, lecture.colonnes_ignorees = entete.colonnes, entete.inconnues
    indicateurs = [role for role in COLONNES_CAF.values() if role in entete.positions]
    if not indicateurs:
        lecture.erreurs.append(
            Erreur(
                "aucune colonne d'indicateur reconnue : NB_allocataires, NB_pers_couv_ress, ALL_bas_revenu ou "
                "Pers_bas_revenu attendue",
                ligne=entete.ligne_entete,
            )
        )
    if lecture.erreurs:
        return lecture

    colonne_millesime = entete.colonnes.get("millesime")
    if millesime is not None:
        lecture.origine_millesime = "indiqué par --millesime"
    elif colonne_millesime:
        lecture.origine_millesime = f"d'après la colonne « {colonne_millesime} »"
    elif (annee := annee_du_nom_de_fichier(nom_fichier)) is not None:
        millesime, lecture.origine_millesime = annee, f"d'après le nom du fichier « {nom_fichier} »"
    else:
        lecture.erreurs.append(
            Erreur(
                "millésime inconnu : indiquez-le avec --millesime (ex. --millesime 2022), par une colonne Date_ref "
                "ou Annee, ou dans le nom du fichier (ex. bas_revenus_2022.csv)",
                ligne=entete.ligne_entete,
            )
        )
        return lecture

    colonne_code = entete.colonnes["code"]
    vues: dict[tuple[str, int], int] = {}
    millesimes = set()
    lecture.secrets = dict.fromkeys(indicateurs, 0)
    lecture.cles_secretes = {indicateur: set() for indicateur in indicateurs}
    for numero, valeurs in _rangees_donnees(lecture, entete, progression):
        lecture.lignes += 1
        annee = millesime
        if colonne_millesime:
            try:
                annee_ligne = _annee(valeurs["millesime"])
            except ValueError as probleme:
                lecture.erreurs.append(Erreur(str(probleme), numero, colonne_millesime))
                continue
            if millesime is not None and annee_ligne != millesime:
                lecture.autres_millesimes += 1
                continue
            annee = annee_ligne
        code = _code_commune(valeurs["code"])
        if not code:
            lecture.erreurs.append(Erreur("code commune manquant", numero, colonne_code))
            continue
        garder, erreur = _verifier_commune(code, numero, colonne_code, referentiel, departements)
        if garder is None:
            lecture.hors_perimetre += 1
            continue
        if erreur:
            lecture.erreurs.append(erreur)
        doublon = _doublon(vues, (code, annee), numero, colonne_code, code, annee)
        if doublon:
            lecture.erreurs.append(doublon)
        millesimes.add(annee)
        for indicateur in indicateurs:
            brut = valeurs[indicateur]
            if _cle(_texte(brut)) in SECRETS:
                lecture.secrets[indicateur] += 1
                if garder:
                    lecture.cles_secretes[indicateur].add((code, annee))
                continue
            try:
                valeur = _nombre(brut)
            except ValueError as probleme:
                lecture.erreurs.append(Erreur(str(probleme), numero, entete.colonnes[indicateur]))
                continue
            if valeur != valeur.quantize(Decimal("0.01")):
                lecture.erreurs.append(
                    Erreur(f"au plus deux décimales : « {_texte(brut)} »", numero, entete.colonnes[indicateur])
                )
                continue
            if garder and not doublon:
                lecture.valeurs.append(ValeurLue(code, indicateur, annee, valeur, numero))
    lecture.millesimes = sorted(millesimes)
    if millesime is not None and not millesimes and lecture.autres_millesimes and not lecture.erreurs:
        lecture.erreurs.append(
            Erreur(f"aucune ligne du millésime {millesime} dans le fichier", colonne=colonne_millesime or "")
        )
    _fin(lecture)
    return lecture


def _fin(lecture: Lecture) -> None:
    if lecture.erreurs:
        lecture.valeurs = []
        return
    if not lecture.lignes:
        lecture.erreurs.append(Erreur("aucune ligne de données après l'en-tête"))
    elif not lecture.valeurs and not any(lecture.secrets.values()):
        precision = " des départements demandés (--departements)" if lecture.hors_perimetre else ""
        lecture.erreurs.append(Erreur(f"aucune valeur à importer{precision}"))


def trier_erreurs(erreurs: list[Erreur]) -> list[Erreur]:
    return sorted(erreurs, key=lambda e: e.ligne or 0)
