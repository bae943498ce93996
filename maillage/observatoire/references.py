"""Published reference figures (« repères publiés »): the accepted indicators, and the reading and validation of a
reference file (pure: no Django, no database).

A reference is a figure published by someone else — the SENACS national or regional sheet, a Caf's own plaquette —
that the observatory's results are read against: « SENACS national 2016 : 15 bénévoles par centre social ».
The file (CSV — separator ; , or tab, UTF-8 or Windows-1252 — or XLSX, first sheet; read by `maillage.core.fichiers`)
has the columns `indicateur;annee;niveau;territoire;valeur;source[;url]`:

- `indicateur`: one of the codes of `INDICATEURS_REFERENCE` (each is a figure the observatory itself computes, so that
  the département's value can stand beside the published one);
- `annee`: the year of the published survey (SENACS 2016, on the data of 2015), compared with a campaign's year;
- `niveau`: `national`, `regional` or `departemental`; `territoire`: empty for national, the région's INSEE code
  (`11`) or the département's (`94`, `2A`, `971`);
- `valeur`: a number (decimal comma or point; a percentage from 0 to 100); `source`: required, as it must be cited
  (« SENACS, fiche nationale 2016 ») ; `url`: optional, `http(s)://…`.

The whole file is checked before anything is written; each error names its line, its column and the reason, in
French. Two rows of the file for the same indicator, year, level and territory are refused.
"""

import re
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation

from maillage.core.fichiers import FichierIllisible, cle, lire_tableau, texte
from maillage.core.imports import ErreurLigne


@dataclass(frozen=True)
class IndicateurReference:
    code: str
    libelle: str  # reads after a number: « 15 bénévoles par structure »
    unite: str  # nombre, decimal, euros, pourcentage (as `affichage.nombre` reads them)
    agregat: str  # key of `agregats.INDICATEURS`, or "structures"
    statistique: str  # moyenne, mediane, part (share of total income, × 100), total, structures


# The accepted codes: each one is a figure the observatory's aggregates compute (`agregats`), so the page can put the
# département's own value beside the published one. Averages are per structure having answered the question.
INDICATEURS_REFERENCE: tuple[IndicateurReference, ...] = (
    IndicateurReference("structures", "Structures ayant répondu", "nombre", "structures", "structures"),
    IndicateurReference("benevoles_moyenne", "Bénévoles par structure (moyenne)", "nombre", "benevoles", "moyenne"),
    IndicateurReference("benevoles_mediane", "Bénévoles par structure (médiane)", "nombre", "benevoles", "mediane"),
    IndicateurReference(
        "benevoles_activite_moyenne",
        "Bénévoles d'activité par structure (moyenne)",
        "nombre",
        "benevoles_activite",
        "moyenne",
    ),
    IndicateurReference(
        "salaries_etp_moyenne", "Salariés en ETP par structure (moyenne)", "decimal", "salaries_etp", "moyenne"
    ),
    IndicateurReference("salaries_moyenne", "Salariés par structure (moyenne)", "nombre", "salaries", "moyenne"),
    IndicateurReference("adherents_moyenne", "Adhérents par structure (moyenne)", "nombre", "adherents", "moyenne"),
    IndicateurReference(
        "associations_hebergees_moyenne",
        "Associations hébergées par structure (moyenne)",
        "nombre",
        "associations_hebergees",
        "moyenne",
    ),
    IndicateurReference("budget_moyenne", "Budget par structure (moyenne)", "euros", "budget", "moyenne"),
    IndicateurReference("budget_mediane", "Budget par structure (médiane)", "euros", "budget", "mediane"),
    IndicateurReference("part_caf", "Part de la Caf dans les produits", "pourcentage", "produit_caf", "part"),
    IndicateurReference(
        "part_communes", "Part des communes dans les produits", "pourcentage", "produit_communes", "part"
    ),
    IndicateurReference(
        "part_departement", "Part du département dans les produits", "pourcentage", "produit_departement", "part"
    ),
    IndicateurReference("part_etat", "Part de l'État dans les produits", "pourcentage", "produit_etat", "part"),
    IndicateurReference("part_usagers", "Part des usagers dans les produits", "pourcentage", "produit_usagers", "part"),
)
PAR_CODE = {i.code: i for i in INDICATEURS_REFERENCE}
CODES = tuple(PAR_CODE)

NATIONAL, REGIONAL, DEPARTEMENTAL = "national", "regional", "departemental"
NIVEAUX = {NATIONAL: "national", REGIONAL: "régional", DEPARTEMENTAL: "départemental"}
COLONNES = ("indicateur", "annee", "niveau", "territoire", "valeur", "source", "url")
OBLIGATOIRES = ("indicateur", "annee", "niveau", "valeur", "source")
TAILLE_MAX = 2 * 1024 * 1024
LIGNES_MAX = 20_000
ANNEES = (1990, 2100)
SOURCE_MAX = 300
URL_MAX = 500
VALEUR_MAX = Decimal("1e12")
# Accented or not, with the spelling a spreadsheet user may give.
_NIVEAUX_LUS = {
    "national": NATIONAL,
    "nationale": NATIONAL,
    "france": NATIONAL,
    "regional": REGIONAL,
    "regionale": REGIONAL,
    "region": REGIONAL,
    "departemental": DEPARTEMENTAL,
    "departementale": DEPARTEMENTAL,
    "departement": DEPARTEMENTAL,
}
_URL = re.compile(r"^https?://[^\s/$.?#][^\s]*$", re.IGNORECASE)


@dataclass(frozen=True)
class LigneReference:
    ligne: int
    indicateur: str
    annee: int
    niveau: str
    territoire: str
    valeur: Decimal
    source: str
    url: str = ""

    @property
    def cle(self) -> tuple:
        return (self.indicateur, self.annee, self.niveau, self.territoire)


@dataclass
class Resultat:
    format: str = ""
    lignes: list[LigneReference] = field(default_factory=list)
    erreurs: list[ErreurLigne] = field(default_factory=list)


@dataclass(frozen=True)
class Reference:
    """A published figure as the pages, the API and the PDF show it (see `selectors_references.references_pour`).

    `annee` is the year of the published figure, `annee_demandee` the year asked for: they differ when the nearest
    earlier year was taken. `territoire_nom` reads « France », « Île-de-France », « Val-de-Marne »."""

    indicateur: str
    libelle: str
    annee: int
    annee_demandee: int
    niveau: str  # national, regional, departemental
    territoire: str  # "" for national
    territoire_nom: str
    valeur: float
    unite: str
    source: str
    url: str = ""
    illustratif: bool = False

    @property
    def niveau_libelle(self) -> str:
        return NIVEAUX.get(self.niveau, self.niveau)

    @property
    def annee_anterieure(self) -> bool:
        return self.annee != self.annee_demandee

    def en_dict(self) -> dict:
        return {
            "indicateur": self.indicateur,
            "libelle": self.libelle,
            "annee": self.annee,
            "niveau": self.niveau,
            "territoire": self.territoire,
            "territoire_nom": self.territoire_nom,
            "valeur": self.valeur,
            "unite": self.unite,
            "source": self.source,
            "url": self.url,
            "illustratif": self.illustratif,
        }


def liste_des_codes() -> str:
    return ", ".join(CODES)


def _colonne(titre: str) -> str | None:
    code = cle(titre)
    return code if code in COLONNES else None


def lire(contenu: bytes, valider_territoire) -> Resultat:
    """Read and check a whole file. `valider_territoire(niveau, code) -> str | None` says what is wrong with a
    territory code at that level (None when it is known). Never raises for the content: a file that cannot be read
    at all comes back with one error."""
    resultat = Resultat()
    if len(contenu) > TAILLE_MAX:
        resultat.erreurs.append(ErreurLigne("fichier trop volumineux (2 Mo au plus)."))
        return resultat
    try:
        tableau = lire_tableau(contenu, code=_colonne, lignes_max=LIGNES_MAX)
        resultat.format = tableau.format
        manquantes = [c for c in OBLIGATOIRES if c not in tableau.positions]
        if manquantes:
            attendues = ";".join(COLONNES[:-1]) + "[;url]"
            resultat.erreurs.append(
                ErreurLigne(
                    f"colonnes manquantes : {', '.join(manquantes)} (en-têtes attendus : {attendues}).",
                    tableau.ligne_entete,
                )
            )
        if tableau.inconnues:
            liste = ", ".join(f"« {t} »" for t in tableau.inconnues)
            resultat.erreurs.append(
                ErreurLigne(f"colonnes inconnues : {liste} (colonnes acceptées : {', '.join(COLONNES)}).", 1)
            )
        if resultat.erreurs or tableau.erreurs:
            resultat.erreurs.extend(tableau.erreurs)
            return resultat
        vues: dict[tuple, int] = {}
        for numero, cellules in tableau.lignes():
            ligne = _ligne(numero, cellules, tableau.colonnes, valider_territoire, resultat.erreurs)
            if ligne is None:
                continue
            if ligne.cle in vues:
                resultat.erreurs.append(
                    ErreurLigne(f"même indicateur, année, niveau et territoire que la ligne {vues[ligne.cle]}.", numero)
                )
                continue
            vues[ligne.cle] = numero
            resultat.lignes.append(ligne)
        resultat.erreurs.extend(tableau.erreurs)
    except FichierIllisible as illisible:
        resultat.erreurs.append(illisible.erreur)
    if not resultat.erreurs and not resultat.lignes:
        resultat.erreurs.append(ErreurLigne("le fichier ne contient aucune ligne de données."))
    resultat.erreurs.sort(key=lambda e: e.ligne or 0)
    return resultat


def _annee(brute) -> int | None:
    if isinstance(brute, bool):
        return None
    if isinstance(brute, int):
        return brute
    if isinstance(brute, float) and brute.is_integer():
        return int(brute)
    valeur = texte(brute)
    return int(valeur) if valeur.isdigit() and len(valeur) == 4 else None


def _valeur(brute) -> Decimal | None:
    if isinstance(brute, bool):
        return None
    if isinstance(brute, int | float):
        return Decimal(str(brute))
    valeur = re.sub(r"[\s\u00a0\u202f]", "", texte(brute)).replace(",", ".")
    if not re.fullmatch(r"-?\d+(\.\d+)?", valeur):
        return None
    try:
        return Decimal(valeur)
    except InvalidOperation:  # pragma: no cover - the pattern above only lets numbers through
        return None


def _ligne(numero, cellules, colonnes, valider_territoire, erreurs) -> LigneReference | None:
    avant = len(erreurs)

    def erreur(code: str, raison: str) -> None:
        erreurs.append(ErreurLigne(raison, numero, colonnes.get(code, code)))

    indicateur = texte(cellules.get("indicateur")).strip()
    if not indicateur:
        erreur("indicateur", f"indicateur manquant (codes acceptés : {liste_des_codes()}).")
    elif indicateur not in PAR_CODE:
        erreur("indicateur", f"indicateur inconnu « {indicateur} » (codes acceptés : {liste_des_codes()}).")

    annee = _annee(cellules.get("annee"))
    if annee is None or not ANNEES[0] <= annee <= ANNEES[1]:
        lue = texte(cellules.get("annee"))
        erreur("annee", f"année « {lue} » illisible : une année sur quatre chiffres ({ANNEES[0]}-{ANNEES[1]}).")

    niveau_lu = texte(cellules.get("niveau"))
    niveau = _NIVEAUX_LUS.get(cle(niveau_lu))
    territoire = texte(cellules.get("territoire")).strip().upper()
    if isinstance(cellules.get("territoire"), int | float) and not isinstance(cellules.get("territoire"), bool):
        territoire = f"{int(cellules['territoire']):02d}"  # a spreadsheet reads « 01 » as the number 1
    if niveau is None:
        erreur("niveau", f"niveau « {niveau_lu} » inconnu : national, regional ou departemental.")
    elif niveau == NATIONAL:
        if territoire not in {"", "FR", "FRANCE"}:
            erreur("territoire", "un chiffre national n'a pas de territoire : laissez la colonne vide.")
        territoire = ""
    elif not territoire:
        quoi = "de la région" if niveau == REGIONAL else "du département"
        erreur("territoire", f"code {quoi} manquant pour un chiffre {NIVEAUX[niveau]}.")
    else:
        probleme = valider_territoire(niveau, territoire)
        if probleme:
            erreur("territoire", probleme)

    valeur = _valeur(cellules.get("valeur"))
    if not texte(cellules.get("valeur")):
        erreur("valeur", "valeur manquante : un nombre est attendu.")
    elif valeur is None:
        erreur("valeur", f"valeur « {texte(cellules.get('valeur'))} » illisible : un nombre est attendu.")
    elif abs(valeur) >= VALEUR_MAX:
        erreur("valeur", "valeur hors des limites (moins de mille milliards).")
    elif indicateur in PAR_CODE and PAR_CODE[indicateur].unite == "pourcentage" and not 0 <= valeur <= 100:
        erreur("valeur", "un pourcentage s'écrit entre 0 et 100 (35,2 pour 35,2 %).")

    source = texte(cellules.get("source")).strip()
    if not source:
        erreur("source", "source manquante : un chiffre publié se cite (« SENACS, fiche nationale 2016 »).")
    elif len(source) > SOURCE_MAX:
        erreur("source", f"source trop longue ({SOURCE_MAX} caractères au plus).")

    url = texte(cellules.get("url")).strip()
    if url and (len(url) > URL_MAX or not _URL.match(url)):
        erreur("url", "adresse illisible : une adresse web commençant par http:// ou https://.")

    if len(erreurs) > avant:
        return None
    return LigneReference(numero, indicateur, annee, niveau, territoire, valeur, source, url)
