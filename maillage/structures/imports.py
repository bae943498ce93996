"""Export and import formats of the registry: row building, file reading and validation.

Export (`manage.py exporter_structures`, the directory's download link `structures:export`), public fields only:

- CSV (`;` separator, UTF-8 with BOM so that spreadsheet software reads the accents), XLSX (sheet
  « Structures », sheet « Zone de compétence »), GeoJSON (FeatureCollection of points, properties named by the
  stable column codes), all with the columns of `COLONNES`: French labels in CSV/XLSX headers, stable codes in
  GeoJSON and for enumerations (type, forme juridique, mode de gestion, situation QPV). Dates are ISO 8601
  (real dates in XLSX), booleans « oui » / « non ».
- data·inclusion: a JSON list of structures in the data·inclusion structure schema
  (https://github.com/gip-inclusion/data-inclusion-schema, `schemas/v1/structure.json`, plus the v0 fields
  `typologie` and `presentation_resume` / `presentation_detail` that consumers of the v0 schema still read).
  Mapping:

  ======================  ==============================================================================
  data·inclusion          Maillage
  ======================  ==============================================================================
  source                  "maillage" (the producer)
  id                      Structure.pk, as a string
  nom                     Structure.nom (3 to 150 characters, never ending with a full stop)
  description             Structure.presentation, else a generated sentence (type, commune, Caf agrément),
                          cut to 50-2000 characters as the schema requires
  date_maj                Structure.modifie_le (date)
  siret                   Structure.siret or null
  commune / code_insee    Commune.nom / Commune.code
  code_postal             Structure.code_postal or null
  adresse                 Structure.adresse or null
  longitude / latitude    Structure.longitude / latitude
  telephone               Structure.telephone, in E.164 (+33…) when it is a French 10-digit number
  courriel                Structure.email (the structure's own address, never a person's contact)
  site_web                Structure.site_web
  typologie (v0)          "CS" for a centre social, "EVS" for an espace de vie sociale
  presentation_resume     the description cut to 280 characters; presentation_detail: the full one
  reseaux_porteurs        ["caf"], plus "fcsf" when the structure is adhérente à la fédération
  ======================  ==============================================================================

Import (`manage.py importer_structures`, the back-office `structures:import`): CSV (`;`, `,` or tab) or XLSX with
the export's columns (headers by label or by code, any case or accents). Columns marked `importee=False`
(mode de gestion, commune name, current agrément) are computed by Maillage and ignored. `lire_fichier` and
`valider` are pure (no database access): the service builds the `Referentiel` and writes only when there is
no error at all.
"""

import csv
import datetime
import io
import json
import re
import unicodedata
import zipfile
from collections.abc import Iterable
from dataclasses import dataclass, field

from django.core.exceptions import ValidationError
from django.core.validators import EmailValidator, URLValidator
from django.db.models import Prefetch

from maillage.core.imports import ErreurLigne

from .models import Agrement, Gestionnaire, SituationQPV, Structure, TypeStructure
from .selectors import agrement_principal, structures_actives
from .siret import erreur_siret, normaliser

FORMATS = ("csv", "xlsx", "geojson", "datainclusion")
TYPES_CONTENU = {
    "csv": "text/csv; charset=utf-8",
    "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    "geojson": "application/geo+json",
    "datainclusion": "application/json",
}
EXTENSIONS = {"csv": "csv", "xlsx": "xlsx", "geojson": "geojson", "datainclusion": "json"}
SOURCE_DATAINCLUSION = "maillage"
TAILLE_MAX_IMPORT = 5 * 1024 * 1024  # 5 Mo: a national file of 4,000 structures is about 1 Mo in CSV


@dataclass(frozen=True)
class Colonne:
    code: str
    libelle: str
    importee: bool = True  # False: computed by Maillage, written on export, ignored on import


COLONNES = (
    Colonne("id", "Identifiant"),
    Colonne("nom", "Nom"),
    Colonne("type", "Type"),
    Colonne("siret", "SIRET"),
    Colonne("gestionnaire", "Gestionnaire"),
    Colonne("forme_juridique", "Forme juridique"),
    Colonne("mode_gestion", "Mode de gestion", importee=False),
    Colonne("adresse", "Adresse"),
    Colonne("code_postal", "Code postal"),
    Colonne("commune_code", "Code commune (INSEE)"),
    Colonne("commune_nom", "Commune", importee=False),
    Colonne("longitude", "Longitude"),
    Colonne("latitude", "Latitude"),
    Colonne("date_premier_agrement", "Date du premier agrément"),
    Colonne("agrement_type", "Agrément à la date : type", importee=False),
    Colonne("agrement_debut", "Agrément à la date : début", importee=False),
    Colonne("agrement_fin", "Agrément à la date : fin", importee=False),
    Colonne("multi_sites", "Multi-sites"),
    Colonne("itinerante", "Itinérante"),
    Colonne("gens_du_voyage", "Gens du voyage"),
    Colonne("situation_qpv", "Situation QPV"),
    Colonne("adherent_federation", "Adhérente à la fédération"),
    Colonne("date_ouverture", "Date d'ouverture"),
    Colonne("date_fermeture", "Date de fermeture"),
    Colonne("telephone", "Téléphone"),
    Colonne("email", "E-mail"),
    Colonne("site_web", "Site web"),
)
PAR_CODE = {c.code: c for c in COLONNES}
OBLIGATOIRES = ("nom", "type", "gestionnaire", "forme_juridique", "commune_code")
BOOLEENS = ("multi_sites", "itinerante", "gens_du_voyage", "adherent_federation")
DATES = ("date_premier_agrement", "date_ouverture", "date_fermeture")
COLONNES_ZONE = (("structure_id", "Identifiant de la structure"), ("structure_nom", "Structure"), ("nature", "Nature"))
COLONNES_ZONE += (("code", "Code"), ("nom", "Nom"))


# --- Reading the registry for an export or the API ------------------------------------------------


def structures_publiques(
    *,
    date: datetime.date | None = None,
    departement: str | None = None,
    commune: str | None = None,
    type: str | None = None,
    gestion: str | None = None,
    date_agrement: datetime.date | None = None,
):
    """Structures for the public exports and API, with commune, gestionnaire and the agrément at the date.

    With `date`, only the structures active at that date (`selectors.structures_actives`); without it, all
    of them. Each structure gets `agrements_a_date`: its animation globale or locale agrément covering
    `date` (or `date_agrement`, by default today), most recent first. Three queries whatever the size.
    """
    reference = date or date_agrement or datetime.date.today()
    structures = structures_actives(date) if date else Structure.objects.all()
    if departement:
        structures = structures.filter(departement_id=departement)
    if commune:
        structures = structures.filter(commune_id=commune)
    if type:
        structures = structures.filter(type=type)
    if gestion:
        structures = structures.filter(gestionnaire__mode_gestion=gestion)
    agrements = Agrement.objects.filter(agrement_principal(reference)).order_by("-debut")
    return (
        structures.select_related("commune", "gestionnaire")
        .prefetch_related(Prefetch("agrements", queryset=agrements, to_attr="agrements_a_date"))
        .order_by("nom", "pk")
    )


def agrement_a_date(structure) -> Agrement | None:
    agrements = getattr(structure, "agrements_a_date", None)
    return agrements[0] if agrements else None


# --- Building rows ---------------------------------------------------------------------------------


def ligne_export(structure) -> dict:
    """One structure as {column code: Python value} (dates as dates, booleans as booleans)."""
    agrement = agrement_a_date(structure)
    return {
        "id": structure.pk,
        "nom": structure.nom,
        "type": structure.type,
        "siret": structure.siret,
        "gestionnaire": structure.gestionnaire.nom,
        "forme_juridique": structure.gestionnaire.forme_juridique,
        "mode_gestion": structure.gestionnaire.mode_gestion,
        "adresse": structure.adresse,
        "code_postal": structure.code_postal,
        "commune_code": structure.commune_id,
        "commune_nom": structure.commune.nom,
        "longitude": structure.longitude,
        "latitude": structure.latitude,
        "date_premier_agrement": structure.date_premier_agrement,
        "agrement_type": agrement.type if agrement else "",
        "agrement_debut": agrement.debut if agrement else None,
        "agrement_fin": agrement.fin if agrement else None,
        "multi_sites": structure.multi_sites,
        "itinerante": structure.itinerante,
        "gens_du_voyage": structure.gens_du_voyage,
        "situation_qpv": structure.situation_qpv,
        "adherent_federation": structure.adherent_federation,
        "date_ouverture": structure.date_ouverture,
        "date_fermeture": structure.date_fermeture,
        "telephone": structure.telephone,
        "email": structure.email,
        "site_web": structure.site_web,
    }


def _texte(valeur) -> str:
    if valeur is None:
        return ""
    if isinstance(valeur, bool):
        return "oui" if valeur else "non"
    if isinstance(valeur, datetime.date):
        return valeur.isoformat()
    if isinstance(valeur, float):
        return repr(valeur)
    return str(valeur)


def exporter_csv(lignes: Iterable[dict]) -> str:
    """CSV text with a BOM, `;`-separated, French headers."""
    tampon = io.StringIO()
    tampon.write("\ufeff")
    ecrivain = csv.writer(tampon, delimiter=";", lineterminator="\r\n")
    ecrivain.writerow([c.libelle for c in COLONNES])
    for ligne in lignes:
        ecrivain.writerow([_texte(ligne[c.code]) for c in COLONNES])
    return tampon.getvalue()


def exporter_xlsx(lignes: Iterable[dict], zones: Iterable[dict] = ()) -> bytes:
    """A workbook: sheet « Structures » (one row per structure), sheet « Zone de compétence » (one per link)."""
    from openpyxl import Workbook
    from openpyxl.styles import Font

    classeur = Workbook()
    feuille = classeur.active
    feuille.title = "Structures"
    feuille.append([c.libelle for c in COLONNES])
    for ligne in lignes:
        valeurs = []
        for colonne in COLONNES:
            valeur = ligne[colonne.code]
            if isinstance(valeur, bool):
                valeur = "oui" if valeur else "non"
            valeurs.append(valeur)
        feuille.append(valeurs)
        for numero, colonne in enumerate(COLONNES, start=1):
            if colonne.code in DATES or colonne.code in ("agrement_debut", "agrement_fin"):
                feuille.cell(row=feuille.max_row, column=numero).number_format = "DD/MM/YYYY"
    zone = classeur.create_sheet("Zone de compétence")
    zone.append([libelle for _, libelle in COLONNES_ZONE])
    for lien in zones:
        zone.append([lien[code] for code, _ in COLONNES_ZONE])
    for onglet in (feuille, zone):
        for cellule in onglet[1]:
            cellule.font = Font(bold=True)
        onglet.freeze_panes = "A2"
    tampon = io.BytesIO()
    classeur.save(tampon)
    return tampon.getvalue()


def liens_zone(structures: Iterable) -> list[dict]:
    """Rows of the « Zone de compétence » sheet; the structures must prefetch communes_competence and qpv_competence."""
    liens = []
    for structure in structures:
        for commune in structure.communes_competence.all():
            liens.append(
                {
                    "structure_id": structure.pk,
                    "structure_nom": structure.nom,
                    "nature": "commune",
                    "code": commune.code,
                    "nom": commune.nom,
                }
            )
        for quartier in structure.qpv_competence.all():
            liens.append(
                {
                    "structure_id": structure.pk,
                    "structure_nom": structure.nom,
                    "nature": "qpv",
                    "code": quartier.code,
                    "nom": quartier.nom,
                }
            )
    return liens


def _json(valeur):
    if isinstance(valeur, datetime.date):
        return valeur.isoformat()
    return valeur


def exporter_geojson(lignes: Iterable[dict]) -> str:
    entites = []
    for ligne in lignes:
        position = (
            {"type": "Point", "coordinates": [ligne["longitude"], ligne["latitude"]]}
            if ligne["longitude"] is not None and ligne["latitude"] is not None
            else None
        )
        proprietes = {c.code: _json(ligne[c.code]) for c in COLONNES}
        entites.append({"type": "Feature", "id": ligne["id"], "geometry": position, "properties": proprietes})
    return json.dumps({"type": "FeatureCollection", "features": entites}, ensure_ascii=False)


def _telephone_e164(numero: str) -> str | None:
    chiffres = re.sub(r"[\s.\-()]", "", numero or "")
    if not chiffres:
        return None
    if re.fullmatch(r"0[1-9]\d{8}", chiffres):
        return "+33" + chiffres[1:]
    return chiffres


def _couper(texte: str, longueur: int) -> str:
    if len(texte) <= longueur:
        return texte
    return texte[: longueur - 1].rstrip() + "…"


def structure_datainclusion(structure) -> dict:
    """One structure in the data·inclusion structure schema (see the mapping in this module's docstring)."""
    libelle_type = "centre social" if structure.type == TypeStructure.CENTRE_SOCIAL else "espace de vie sociale"
    description = (structure.presentation or "").strip()
    if len(description) < 50:
        phrase = (
            f"{structure.nom} est un {libelle_type} agréé par la Caisse d'allocations familiales, situé à "
            f"{structure.commune.nom} : un lieu d'animation de la vie sociale ouvert à tous les habitants."
        )
        description = f"{description} {phrase}".strip() if description else phrase
    description = _couper(description, 2000)
    nom = structure.nom.strip().rstrip(".")[:150]
    reseaux = ["caf"] + (["fcsf"] if structure.adherent_federation else [])
    return {
        "source": SOURCE_DATAINCLUSION,
        "id": str(structure.pk),
        "nom": nom,
        "description": description,
        "date_maj": structure.modifie_le.date().isoformat(),
        "siret": structure.siret or None,
        "commune": structure.commune.nom,
        "code_postal": structure.code_postal or None,
        "code_insee": structure.commune_id,
        "adresse": structure.adresse or None,
        "complement_adresse": None,
        "longitude": structure.longitude,
        "latitude": structure.latitude,
        "telephone": _telephone_e164(structure.telephone),
        "courriel": structure.email or None,
        "site_web": structure.site_web or None,
        "typologie": "CS" if structure.type == TypeStructure.CENTRE_SOCIAL else "EVS",
        "presentation_resume": _couper(description, 280),
        "presentation_detail": description,
        "reseaux_porteurs": reseaux,
    }


def exporter_datainclusion(structures: Iterable) -> str:
    return json.dumps([structure_datainclusion(s) for s in structures], ensure_ascii=False)


# --- Reading an import file ------------------------------------------------------------------------


class FichierIllisible(Exception):
    """The file cannot be read at all (format, encoding, no header)."""


@dataclass
class Tableau:
    format: str
    colonnes: dict[str, str]  # column code → header as written in the file
    lignes: list[tuple[int, dict]]  # (line number in the file, {code: raw value})
    inconnues: list[str] = field(default_factory=list)  # headers that match no column


def _cle(texte) -> str:
    texte = unicodedata.normalize("NFKD", str(texte or "")).encode("ascii", "ignore").decode().casefold()
    return re.sub(r"[^a-z0-9]+", "_", texte).strip("_")


ENTETES = {}
for _colonne in COLONNES:
    ENTETES[_cle(_colonne.code)] = _colonne.code
    ENTETES[_cle(_colonne.libelle)] = _colonne.code
ENTETES.update({"code_commune": "commune_code", "code_insee": "commune_code", "courriel": "email"})


def _tableau(format: str, rangees: Iterable[tuple[int, list]]) -> Tableau:
    rangees = iter(rangees)
    for _numero, entete in rangees:
        if any(str(v or "").strip() for v in entete):
            break
    else:
        raise FichierIllisible("le fichier est vide : il faut une ligne d'en-têtes puis une ligne par structure.")
    colonnes, positions, inconnues = {}, {}, []
    for position, titre in enumerate(entete):
        titre = str(titre or "").strip()
        if not titre:
            continue
        code = ENTETES.get(_cle(titre))
        if code is None:
            inconnues.append(titre)
        elif code not in colonnes:
            colonnes[code] = titre
            positions[code] = position
    lignes = []
    for numero, valeurs in rangees:
        if not any(str(v if v is not None else "").strip() for v in valeurs):
            continue
        lignes.append((numero, {code: valeurs[pos] if pos < len(valeurs) else None for code, pos in positions.items()}))
    return Tableau(format=format, colonnes=colonnes, lignes=lignes, inconnues=inconnues)


def lire_fichier(contenu: bytes) -> Tableau:
    """Read a CSV or XLSX file into rows keyed by column code; raises FichierIllisible."""
    if contenu[:4] == b"PK\x03\x04":
        return _lire_xlsx(contenu)
    try:
        texte = contenu.decode("utf-8-sig")
    except UnicodeDecodeError:
        try:
            texte = contenu.decode("cp1252")
        except UnicodeDecodeError:
            raise FichierIllisible("encodage inconnu : enregistrez le fichier en CSV UTF-8.") from None
    if "\x00" in texte:
        raise FichierIllisible("ce n'est pas un fichier CSV ou XLSX.")
    premiere = texte.split("\n", 1)[0]
    separateur = max((";", ",", "\t"), key=premiere.count)
    lecteur = csv.reader(io.StringIO(texte, newline=""), delimiter=separateur)
    try:
        rangees = [(lecteur.line_num, rangee) for rangee in lecteur]
    except csv.Error as erreur:
        raise FichierIllisible(f"CSV mal formé (ligne {lecteur.line_num}) : {erreur}.") from None
    return _tableau("CSV", rangees)


def _lire_xlsx(contenu: bytes) -> Tableau:
    from openpyxl import load_workbook

    try:
        classeur = load_workbook(io.BytesIO(contenu), read_only=True, data_only=True)
    except (zipfile.BadZipFile, KeyError, OSError, ValueError) as erreur:
        raise FichierIllisible(f"classeur XLSX illisible ({erreur}).") from None
    try:
        feuille = classeur["Structures"] if "Structures" in classeur.sheetnames else classeur.worksheets[0]
        rangees = [(numero, list(valeurs)) for numero, valeurs in enumerate(feuille.iter_rows(values_only=True), 1)]
    finally:
        classeur.close()
    return _tableau("XLSX", rangees)


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


def valider(tableau: Tableau, referentiel: Referentiel) -> Resultat:
    """Check every row of the file; the result lists all errors (line, column, reason) or the valid rows."""
    erreurs: list[Erreur] = []
    avertissements: list[Erreur] = []
    manquantes = [code for code in OBLIGATOIRES if code not in tableau.colonnes]
    for code in manquantes:
        erreurs.append(Erreur(f"colonne obligatoire absente (en-tête attendu : « {PAR_CODE[code].libelle} »).", 1))
    for titre in tableau.inconnues:
        avertissements.append(Erreur("colonne inconnue, ignorée.", 1, titre))
    if manquantes:
        return Resultat(tableau.format, [], erreurs, avertissements, tableau.colonnes)
    if not tableau.lignes:
        erreurs.append(Erreur("le fichier ne contient aucune structure."))
        return Resultat(tableau.format, [], erreurs, avertissements, tableau.colonnes)

    valides: list[LigneValide] = []
    ids_vus: dict[int, int] = {}
    for numero, brut in tableau.lignes:
        ligne_erreurs: list[Erreur] = []

        def erreur(code: str, raison: str, _erreurs=ligne_erreurs, _numero=numero) -> None:
            _erreurs.append(Erreur(raison, _numero, tableau.colonnes.get(code, PAR_CODE[code].libelle)))

        def texte(code: str, _ligne=brut) -> str:
            return _brut(_ligne.get(code))

        valeurs: dict = {}
        # Identity.
        identifiant = None
        if texte("id"):
            try:
                identifiant = int(texte("id"))
                if identifiant <= 0:
                    raise ValueError
            except ValueError:
                erreur("id", f"identifiant invalide « {texte('id')} » : attendu un nombre entier positif.")
                identifiant = None
        for code, maximum in (("nom", 250), ("gestionnaire", 250)):
            if not texte(code):
                erreur(code, "valeur obligatoire manquante.")
            elif len(texte(code)) > maximum:
                erreur(code, f"trop long ({len(texte(code))} caractères, {maximum} au plus).")
        valeurs["nom"] = texte("nom")
        type_ = CHOIX_TYPE.get(_cle(texte("type")))
        if type_ is None:
            erreur("type", f"type inconnu « {texte('type')} » : attendu centre_social (CS) ou evs (EVS).")
        valeurs["type"] = type_
        forme = CHOIX_FORME.get(_cle(texte("forme_juridique")))
        if forme is None:
            attendues = ", ".join(Gestionnaire.FormeJuridique.values)
            erreur("forme_juridique", f"forme juridique inconnue « {texte('forme_juridique')} » : attendu {attendues}.")
        siret = normaliser(texte("siret"))
        if siret and (raison := erreur_siret(siret)):
            erreur("siret", f"SIRET « {texte('siret')} » refusé : {raison[0].lower()}{raison[1:]}")
        valeurs["siret"] = siret

        # Place.
        code_commune = _code_insee(brut.get("commune_code"))
        departement = None
        if not code_commune:
            erreur("commune_code", "valeur obligatoire manquante.")
        elif code_commune not in referentiel.communes:
            erreur("commune_code", f"commune inconnue « {code_commune} » (code INSEE attendu, par exemple 94028).")
        else:
            departement = referentiel.communes[code_commune][1]
            if referentiel.departement and departement != referentiel.departement:
                erreur(
                    "commune_code",
                    f"la commune {code_commune} ({referentiel.communes[code_commune][0]}) n'est pas dans le "
                    f"département {referentiel.departement}.",
                )
        valeurs["commune_id"] = code_commune
        adresse = texte("adresse")
        if len(adresse) > 250:
            erreur("adresse", f"trop longue ({len(adresse)} caractères, 250 au plus).")
        valeurs["adresse"] = adresse
        code_postal = _code_insee(brut.get("code_postal"))
        if code_postal and not re.fullmatch(r"\d{5}", code_postal):
            erreur("code_postal", f"code postal invalide « {code_postal} » : attendu 5 chiffres.")
        valeurs["code_postal"] = code_postal
        for code, minimum, maximum, nom in (("longitude", -180, 180, "longitude"), ("latitude", -90, 90, "latitude")):
            try:
                valeurs[code] = _nombre(brut.get(code), minimum, maximum, nom)
            except ValueError as raison:
                erreur(code, str(raison))
                valeurs[code] = None
        if (valeurs["longitude"] is None) != (valeurs["latitude"] is None) and not ligne_erreurs:
            manque = "latitude" if valeurs["latitude"] is None else "longitude"
            erreur(manque, "la position demande la longitude et la latitude, ou aucune des deux.")

        # Dates and flags.
        for code in DATES:
            try:
                valeurs[code] = _date(brut.get(code))
            except ValueError as raison:
                erreur(code, str(raison))
                valeurs[code] = None
        ouverture, fermeture = valeurs["date_ouverture"], valeurs["date_fermeture"]
        if ouverture and fermeture and fermeture < ouverture:
            erreur("date_fermeture", "la date de fermeture précède la date d'ouverture.")
        for code in BOOLEENS:
            cle = _cle(texte(code)).replace("_", "")
            if cle in VRAI:
                valeurs[code] = True
            elif cle in FAUX:
                valeurs[code] = False
            else:
                erreur(code, f"valeur « {texte(code)} » non reconnue : attendu oui ou non.")
        situation = CHOIX_QPV.get(_cle(texte("situation_qpv"))) if texte("situation_qpv") else SituationQPV.AUCUNE
        if situation is None:
            attendues = ", ".join(SituationQPV.values)
            erreur("situation_qpv", f"situation inconnue « {texte('situation_qpv')} » : attendu {attendues}.")
        valeurs["situation_qpv"] = situation

        # Public contact details.
        telephone = texte("telephone")
        if len(telephone) > 20:
            erreur("telephone", f"trop long ({len(telephone)} caractères, 20 au plus).")
        valeurs["telephone"] = telephone
        email = texte("email")
        if email:
            try:
                _email(email)
            except ValidationError:
                erreur("email", f"adresse e-mail invalide « {email} ».")
        valeurs["email"] = email
        site = texte("site_web")
        if site:
            try:
                _url(site)
            except ValidationError:
                erreur("site_web", f"adresse web invalide « {site} » : attendu http://… ou https://….")
        valeurs["site_web"] = site

        # The row's identifier against the registry and the rest of the file.
        if identifiant is not None:
            if identifiant in ids_vus:
                erreur("id", f"identifiant {identifiant} déjà présent ligne {ids_vus[identifiant]}.")
            ids_vus.setdefault(identifiant, numero)
            existant = referentiel.structures.get(identifiant)
            if existant is None:
                avertissements.append(
                    Erreur(
                        f"identifiant {identifiant} inconnu : la structure sera créée avec un nouvel identifiant.",
                        numero,
                        tableau.colonnes.get("id", ""),
                    )
                )
                identifiant = None
            elif referentiel.departement and existant != referentiel.departement:
                erreur(
                    "id",
                    f"l'identifiant {identifiant} désigne une structure d'un autre département ({existant}) : "
                    "elle ne peut pas être modifiée ici.",
                )
        erreurs.extend(ligne_erreurs)
        if not ligne_erreurs:
            valides.append(
                LigneValide(
                    ligne=numero,
                    id=identifiant,
                    valeurs=valeurs,
                    gestionnaire=(texte("gestionnaire"), forme),
                    departement=departement,
                )
            )
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


# Labels of the changed fields, for the preview and the command's summary.
LIBELLES_CHAMPS = {c.code: c.libelle for c in COLONNES} | {"commune_id": "Code commune (INSEE)"}
