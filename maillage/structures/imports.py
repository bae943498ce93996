"""Import of structures (`manage.py importer_structures`, the back-office `structures:import`): reading and validation.

CSV (`;`, `,` or tab) or XLSX with the export's columns (`exports.COLONNES`; headers by label or by code, any case
or accents), read by the core file kit (`maillage.core.fichiers`). Columns marked `importee=False` (mode de
gestion, commune name, current agrément) are computed by Maillage and ignored. `lire_fichier` and `valider` are
pure (no database access): the service (`services_import`) builds the `Referentiel` and writes only when there is
no error at all. `valider` composes one checker per concern (columns, identity and SIRET, gestionnaire, place,
dates, flags, contact details, identifier against the registry and the rest of the file).
"""

import datetime
import re
from dataclasses import dataclass, field

from django.core.exceptions import ValidationError
from django.core.validators import EmailValidator, URLValidator

from maillage.core.fichiers import cle as _cle
from maillage.core.fichiers import lire_tableau
from maillage.core.imports import ErreurLigne

from .exports import COLONNES, DATES, PAR_CODE
from .models import Gestionnaire, SituationQPV, TypeStructure
from .services import REGIES_POSSIBLES
from .siret import erreur_siret, normaliser

TAILLE_MAX_IMPORT = 5 * 1024 * 1024  # 5 Mo: a national file of 4,000 structures is about 1 Mo in CSV
LIGNES_MAX_IMPORT = 20_000  # the national registry holds about 4,000 structures
OBLIGATOIRES = ("nom", "type", "gestionnaire", "forme_juridique", "commune_code")
BOOLEENS = ("multi_sites", "itinerante", "gens_du_voyage", "adherent_federation")


# --- Reading an import file ------------------------------------------------------------------------


@dataclass
class Tableau:
    format: str
    colonnes: dict[str, str]  # column code → header as written in the file
    lignes: list[tuple[int, dict]]  # (line number in the file, {code: raw value})
    inconnues: list[str] = field(default_factory=list)  # headers that match no column
    erreurs: list[ErreurLigne] = field(default_factory=list)  # the file's own: column twice, value without header
    ligne_entete: int = 1


ENTETES = {}
for _colonne in COLONNES:
    ENTETES[_cle(_colonne.code)] = _colonne.code
    ENTETES[_cle(_colonne.libelle)] = _colonne.code
ENTETES.update({"code_commune": "commune_code", "code_insee": "commune_code", "courriel": "email"})


def lire_fichier(contenu: bytes) -> Tableau:
    """Read a CSV or XLSX file (sheet « Structures », else the first) into rows keyed by column code.

    Raises `maillage.core.fichiers.FichierIllisible`.
    """
    lu = lire_tableau(
        contenu, code=lambda titre: ENTETES.get(_cle(titre)), feuilles=("Structures",), lignes_max=LIGNES_MAX_IMPORT
    )
    # A missing mandatory column is known at the header: the rows are not read (see `_verifier_colonnes`).
    lignes = list(lu.lignes()) if all(code in lu.colonnes for code in OBLIGATOIRES) else []
    return Tableau(lu.format, lu.colonnes, lignes, lu.inconnues, lu.erreurs, lu.ligne_entete or 1)


# --- Validation ------------------------------------------------------------------------------------


Erreur = ErreurLigne


@dataclass
class Referentiel:
    """What validation needs from the database, as plain data."""

    communes: dict[str, tuple[str, str]]  # code → (nom, code du département)
    structures: dict[int, str]  # id → code du département of the existing structure
    departement: str | None = None  # when set, every row must be in this département


@dataclass
class LigneValide:
    ligne: int
    id: int | None  # the existing structure to update, or None to create
    valeurs: dict  # Structure field → value (commune as commune_id)
    gestionnaire: tuple[str, str]  # (nom, forme juridique)
    departement: str
    designation: str | None = None  # how the gestionnaire was appointed; None: column absent or empty, unchanged


@dataclass
class Resultat:
    format: str
    lignes: list[LigneValide]  # the rows without error (all of them when `erreurs` is empty)
    erreurs: list[Erreur]
    avertissements: list[Erreur]
    colonnes: dict[str, str] = field(default_factory=dict)  # column code → header as written in the file

    def libelle(self, code: str) -> str:
        return self.colonnes.get(code, PAR_CODE[code].libelle if code in PAR_CODE else code)


def _choix(textes: dict[str, str]) -> dict[str, str]:
    return {_cle(texte): code for texte, code in textes.items()}


CHOIX_TYPE = _choix(
    {
        **{code: code for code in TypeStructure.values},
        **{label: code for code, label in TypeStructure.choices},
        "CS": TypeStructure.CENTRE_SOCIAL,
        "EVS": TypeStructure.EVS,
    }
)
CHOIX_FORME = _choix(
    {
        **{code: code for code in Gestionnaire.FormeJuridique.values},
        **{label: code for code, label in Gestionnaire.FormeJuridique.choices},
        "Association": Gestionnaire.FormeJuridique.ASSOCIATION,
        "Caf": Gestionnaire.FormeJuridique.CAF,
    }
)
CHOIX_DESIGNATION = _choix(
    {
        **{code: code for code in Gestionnaire.Designation.values},
        **{label: code for code, label in Gestionnaire.Designation.choices},
        "Association": Gestionnaire.Designation.ASSOCIATION,
        "Régie": Gestionnaire.Designation.REGIE,
        "Délégation": Gestionnaire.Designation.DELEGATION,
        "DSP": Gestionnaire.Designation.DELEGATION,
        "Délégation de service public": Gestionnaire.Designation.DELEGATION,
        "Marché public": Gestionnaire.Designation.DELEGATION,
    }
)
CHOIX_QPV = _choix(
    {**{code: code for code in SituationQPV.values}, **{label: code for code, label in SituationQPV.choices}}
)
VRAI = {"oui", "o", "vrai", "true", "1", "x", "yes"}
FAUX = {"non", "n", "faux", "false", "0", "no", ""}
_email = EmailValidator()
_url = URLValidator(schemes=["http", "https"])


def _brut(valeur) -> str:
    if valeur is None:
        return ""
    if isinstance(valeur, float) and valeur.is_integer():
        return str(int(valeur))
    if isinstance(valeur, datetime.datetime):
        return valeur.date().isoformat()
    if isinstance(valeur, datetime.date):
        return valeur.isoformat()
    return str(valeur).strip()


def _date(valeur) -> datetime.date | None:
    if isinstance(valeur, datetime.datetime):
        return valeur.date()
    if isinstance(valeur, datetime.date):
        return valeur
    texte = _brut(valeur)
    if not texte:
        return None
    for motif in ("%Y-%m-%d", "%d/%m/%Y"):
        try:
            return datetime.datetime.strptime(texte, motif).date()
        except ValueError:
            pass
    raise ValueError(f"date invalide « {texte} » : attendu AAAA-MM-JJ ou JJ/MM/AAAA.")


def _nombre(valeur, minimum: float, maximum: float, nom: str) -> float | None:
    if isinstance(valeur, (int, float)) and not isinstance(valeur, bool):
        nombre = float(valeur)
    else:
        texte = _brut(valeur).replace(",", ".")
        if not texte:
            return None
        try:
            nombre = float(texte)
        except ValueError:
            raise ValueError(f"{nom} invalide « {_brut(valeur)} » : attendu un nombre décimal.") from None
    if not (minimum <= nombre <= maximum):
        raise ValueError(f"{nom} hors limites ({_brut(valeur)}) : attendue entre {minimum:g} et {maximum:g} degrés.")
    return nombre


def _code_insee(valeur) -> str:
    texte = _brut(valeur).upper()
    if isinstance(valeur, (int, float)) and texte.isdigit() and len(texte) == 4:
        texte = texte.zfill(5)  # a numeric spreadsheet cell lost the leading zero of 01001
    return texte


class _Ligne:
    """One row being checked: its raw values, the values read so far and its errors."""

    def __init__(self, numero: int, brut: dict, colonnes: dict[str, str]):
        self.numero, self.brut, self.colonnes = numero, brut, colonnes
        self.valeurs: dict = {}
        self.erreurs: list[Erreur] = []

    def texte(self, code: str) -> str:
        return _brut(self.brut.get(code))

    def erreur(self, code: str, raison: str) -> None:
        self.erreurs.append(Erreur(raison, self.numero, self.colonnes.get(code, PAR_CODE[code].libelle)))


def _verifier_colonnes(tableau: Tableau) -> tuple[list[Erreur], list[Erreur], bool]:
    """Errors and warnings of the header, and whether the rows can be checked at all."""
    manquantes = [code for code in OBLIGATOIRES if code not in tableau.colonnes]
    erreurs = [
        Erreur(f"colonne obligatoire absente (en-tête attendu : « {PAR_CODE[code].libelle} »).", tableau.ligne_entete)
        for code in manquantes
    ] + tableau.erreurs
    avertissements = [Erreur("colonne inconnue, ignorée.", tableau.ligne_entete, titre) for titre in tableau.inconnues]
    if manquantes:
        return erreurs, avertissements, False
    if not tableau.lignes:
        erreurs.append(Erreur("le fichier ne contient aucune structure."))
        return erreurs, avertissements, False
    return erreurs, avertissements, True


def _verifier_identite(ligne: _Ligne) -> int | None:
    """Identifier (its form only), name, type and SIRET; returns the identifier read."""
    identifiant = None
    if ligne.texte("id"):
        try:
            identifiant = int(ligne.texte("id"))
            if identifiant <= 0:
                raise ValueError
        except ValueError:
            ligne.erreur("id", f"identifiant invalide « {ligne.texte('id')} » : attendu un nombre entier positif.")
            identifiant = None
    _verifier_longueur(ligne, "nom", 250, obligatoire=True)
    ligne.valeurs["nom"] = ligne.texte("nom")
    type_ = CHOIX_TYPE.get(_cle(ligne.texte("type")))
    if type_ is None:
        ligne.erreur("type", f"type inconnu « {ligne.texte('type')} » : attendu centre_social (CS) ou evs (EVS).")
    ligne.valeurs["type"] = type_
    siret = normaliser(ligne.texte("siret"))
    if siret and (raison := erreur_siret(siret)):
        ligne.erreur("siret", f"SIRET « {ligne.texte('siret')} » refusé : {raison[0].lower()}{raison[1:]}")
    ligne.valeurs["siret"] = siret
    return identifiant


def _verifier_longueur(ligne: _Ligne, code: str, maximum: int, *, obligatoire: bool = False) -> None:
    texte = ligne.texte(code)
    if obligatoire and not texte:
        ligne.erreur(code, "valeur obligatoire manquante.")
    elif len(texte) > maximum:
        ligne.erreur(code, f"trop long ({len(texte)} caractères, {maximum} au plus).")


def _verifier_gestion(ligne: _Ligne) -> tuple[str, str | None]:
    """The gestionnaire: (nom, forme juridique)."""
    _verifier_longueur(ligne, "gestionnaire", 250, obligatoire=True)
    forme = CHOIX_FORME.get(_cle(ligne.texte("forme_juridique")))
    if forme is None:
        attendues = ", ".join(Gestionnaire.FormeJuridique.values)
        ligne.erreur(
            "forme_juridique", f"forme juridique inconnue « {ligne.texte('forme_juridique')} » : attendu {attendues}."
        )
    return ligne.texte("gestionnaire"), forme


def cle_gestionnaire(nom: str, forme: str | None) -> tuple[str, str | None]:
    """How a file's gestionnaire is matched: by name (case and spaces ignored) and legal form."""
    return (" ".join(nom.split()).casefold(), forme)


def _verifier_designation(ligne: _Ligne, gestionnaire: tuple[str, str | None], vues: dict) -> str | None:
    """How the gestionnaire was appointed (optional column): one value per gestionnaire in the whole file, since
    it belongs to the gestionnaire, not to the structure. `vues`: gestionnaire key → (designation, line)."""
    texte = ligne.texte("designation")
    if not texte:
        return None
    designation = CHOIX_DESIGNATION.get(_cle(texte))
    if designation is None:
        attendues = ", ".join(Gestionnaire.Designation.values)
        ligne.erreur("designation", f"désignation inconnue « {texte} » : attendu {attendues}.")
        return None
    nom, forme = gestionnaire
    if designation == Gestionnaire.Designation.REGIE and forme and forme not in REGIES_POSSIBLES:
        ligne.erreur(
            "designation",
            "une gestion en régie est celle d'une collectivité (commune, CCAS, CIAS, EPCI) : changez la forme "
            "juridique ou la désignation.",
        )
        return None
    deja, numero = vues.setdefault(cle_gestionnaire(nom, forme), (designation, ligne.numero))
    if deja != designation:
        ligne.erreur(
            "designation",
            f"le gestionnaire « {nom} » a une autre désignation à la ligne {numero} : une seule par gestionnaire.",
        )
    return designation


def _verifier_commune(ligne: _Ligne, referentiel: Referentiel) -> str | None:
    """The commune, known and in the département of the import; returns its département."""
    code_commune = _code_insee(ligne.brut.get("commune_code"))
    departement = None
    if not code_commune:
        ligne.erreur("commune_code", "valeur obligatoire manquante.")
    elif code_commune not in referentiel.communes:
        ligne.erreur("commune_code", f"commune inconnue « {code_commune} » (code INSEE attendu, par exemple 94028).")
    else:
        departement = referentiel.communes[code_commune][1]
        if referentiel.departement and departement != referentiel.departement:
            ligne.erreur(
                "commune_code",
                f"la commune {code_commune} ({referentiel.communes[code_commune][0]}) n'est pas dans le "
                f"département {referentiel.departement}.",
            )
    ligne.valeurs["commune_id"] = code_commune
    return departement


def _verifier_adresse(ligne: _Ligne) -> None:
    """Address, postcode and position (both coordinates or neither)."""
    adresse = ligne.texte("adresse")
    if len(adresse) > 250:
        ligne.erreur("adresse", f"trop longue ({len(adresse)} caractères, 250 au plus).")
    ligne.valeurs["adresse"] = adresse
    code_postal = _code_insee(ligne.brut.get("code_postal"))
    if code_postal and not re.fullmatch(r"\d{5}", code_postal):
        ligne.erreur("code_postal", f"code postal invalide « {code_postal} » : attendu 5 chiffres.")
    ligne.valeurs["code_postal"] = code_postal
    for code, minimum, maximum in (("longitude", -180, 180), ("latitude", -90, 90)):
        try:
            ligne.valeurs[code] = _nombre(ligne.brut.get(code), minimum, maximum, code)
        except ValueError as raison:
            ligne.erreur(code, str(raison))
            ligne.valeurs[code] = None
    if (ligne.valeurs["longitude"] is None) != (ligne.valeurs["latitude"] is None) and not ligne.erreurs:
        manque = "latitude" if ligne.valeurs["latitude"] is None else "longitude"
        ligne.erreur(manque, "la position demande la longitude et la latitude, ou aucune des deux.")


def _verifier_dates(ligne: _Ligne) -> None:
    for code in DATES:
        try:
            ligne.valeurs[code] = _date(ligne.brut.get(code))
        except ValueError as raison:
            ligne.erreur(code, str(raison))
            ligne.valeurs[code] = None
    ouverture, fermeture = ligne.valeurs["date_ouverture"], ligne.valeurs["date_fermeture"]
    if ouverture and fermeture and fermeture < ouverture:
        ligne.erreur("date_fermeture", "la date de fermeture précède la date d'ouverture.")


def _verifier_drapeaux(ligne: _Ligne) -> None:
    """The yes/no flags and the QPV situation."""
    for code in BOOLEENS:
        valeur = _cle(ligne.texte(code)).replace("_", "")
        if valeur in VRAI:
            ligne.valeurs[code] = True
        elif valeur in FAUX:
            ligne.valeurs[code] = False
        else:
            ligne.erreur(code, f"valeur « {ligne.texte(code)} » non reconnue : attendu oui ou non.")
    texte = ligne.texte("situation_qpv")
    situation = CHOIX_QPV.get(_cle(texte)) if texte else SituationQPV.AUCUNE
    if situation is None:
        attendues = ", ".join(SituationQPV.values)
        ligne.erreur("situation_qpv", f"situation inconnue « {texte} » : attendu {attendues}.")
    ligne.valeurs["situation_qpv"] = situation


def _verifier_contact(ligne: _Ligne) -> None:
    """The structure's public contact details."""
    telephone = ligne.texte("telephone")
    if len(telephone) > 20:
        ligne.erreur("telephone", f"trop long ({len(telephone)} caractères, 20 au plus).")
    ligne.valeurs["telephone"] = telephone
    email = ligne.texte("email")
    if email:
        try:
            _email(email)
        except ValidationError:
            ligne.erreur("email", f"adresse e-mail invalide « {email} ».")
    ligne.valeurs["email"] = email
    site = ligne.texte("site_web")
    if site:
        try:
            _url(site)
        except ValidationError:
            ligne.erreur("site_web", f"adresse web invalide « {site} » : attendu http://… ou https://….")
    ligne.valeurs["site_web"] = site


def _verifier_nouvelle(ligne: _Ligne, nouvelles: dict[tuple, int]) -> None:
    """Two rows creating the same structure (same SIRET, or same name in the same commune) would create it twice."""
    cles = []
    if ligne.valeurs.get("siret"):
        cles.append((("siret", ligne.valeurs["siret"]), "siret", f"même SIRET {ligne.valeurs['siret']}"))
    if ligne.valeurs.get("nom") and ligne.valeurs.get("commune_id"):
        cles.append(
            (("nom", _cle(ligne.valeurs["nom"]), ligne.valeurs["commune_id"]), "nom", "même nom dans la même commune")
        )
    for cle, colonne, raison in cles:
        if cle in nouvelles:
            ligne.erreur(
                colonne,
                f"les lignes {nouvelles[cle]} et {ligne.numero} décrivent la même nouvelle structure ({raison}) : "
                "elle serait créée deux fois ; gardez une seule ligne.",
            )
            return
    for cle, _, _ in cles:
        nouvelles.setdefault(cle, ligne.numero)


def _verifier_doublons_et_registre(
    ligne: _Ligne,
    identifiant: int | None,
    ids_vus: dict[int, int],
    referentiel: Referentiel,
    nouvelles: dict[tuple, int] | None = None,
) -> tuple[int | None, Erreur | None]:
    """The row's identifier against the rest of the file and the registry: (id to update or None, warning).

    A row that creates a structure is also compared with the other new rows (`nouvelles`: key → first line)."""
    nouvelles = {} if nouvelles is None else nouvelles
    # Only rows without error so far: a wrong row is reported for its own reason first.
    if not ligne.erreurs and (identifiant is None or identifiant not in referentiel.structures):
        _verifier_nouvelle(ligne, nouvelles)
    if identifiant is None:
        return None, None
    if identifiant in ids_vus:
        ligne.erreur("id", f"identifiant {identifiant} déjà présent ligne {ids_vus[identifiant]}.")
    ids_vus.setdefault(identifiant, ligne.numero)
    existant = referentiel.structures.get(identifiant)
    if existant is None:
        avertissement = Erreur(
            f"identifiant {identifiant} inconnu : la structure sera créée avec un nouvel identifiant.",
            ligne.numero,
            ligne.colonnes.get("id", ""),
        )
        return None, avertissement
    if referentiel.departement and existant != referentiel.departement:
        ligne.erreur(
            "id",
            f"l'identifiant {identifiant} désigne une structure d'un autre département ({existant}) : "
            "elle ne peut pas être modifiée ici.",
        )
    return identifiant, None


def valider(tableau: Tableau, referentiel: Referentiel) -> Resultat:
    """Check every row of the file; the result lists all errors (line, column, reason) or the valid rows."""
    erreurs, avertissements, lisible = _verifier_colonnes(tableau)
    if not lisible:
        return Resultat(tableau.format, [], erreurs, avertissements, tableau.colonnes)
    valides: list[LigneValide] = []
    ids_vus: dict[int, int] = {}
    nouvelles: dict[tuple, int] = {}
    designations: dict[tuple, tuple[str, int]] = {}
    for numero, brut in tableau.lignes:
        ligne = _Ligne(numero, brut, tableau.colonnes)
        identifiant = _verifier_identite(ligne)
        gestionnaire = _verifier_gestion(ligne)
        designation = _verifier_designation(ligne, gestionnaire, designations)
        departement = _verifier_commune(ligne, referentiel)
        _verifier_adresse(ligne)
        _verifier_dates(ligne)
        _verifier_drapeaux(ligne)
        _verifier_contact(ligne)
        identifiant, avertissement = _verifier_doublons_et_registre(ligne, identifiant, ids_vus, referentiel, nouvelles)
        if avertissement:
            avertissements.append(avertissement)
        erreurs.extend(ligne.erreurs)
        if not ligne.erreurs:
            valides.append(LigneValide(numero, identifiant, ligne.valeurs, gestionnaire, departement, designation))
    # Valid rows are returned even when others are wrong: the service checks them against the registry too,
    # so that one run lists every error of the file; it writes nothing while `erreurs` is not empty.
    return Resultat(tableau.format, valides, erreurs, avertissements, tableau.colonnes)


def codes_communes(tableau: Tableau) -> set[str]:
    return {_code_insee(brut.get("commune_code")) for _, brut in tableau.lignes} - {""}


def identifiants(tableau: Tableau) -> set[int]:
    ids = set()
    for _, brut in tableau.lignes:
        texte = _brut(brut.get("id"))
        if texte.isdigit():
            ids.add(int(texte))
    return ids
