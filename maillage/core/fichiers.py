"""Reading an imported table file (CSV or XLSX) into numbered rows, without Django: the one reader of the importers.

`lire_tableau(source)` takes bytes, a path or an uploaded file and returns a `Tableau`: its format, its header
(found by the caller's rules, headers mapped to the caller's column codes, duplicates reported) and its data rows,
read lazily (`lignes()` → (line number, {code: raw value}); `rangees()` → (line number, raw cells)).

- CSV: UTF-8 with or without BOM, else Windows-1252, else Latin-1 (which decodes anything); separator `;`, `,` or
  tab, the one most present in the first lines (ties: `;`). Line numbers are the file's lines (a quoted field may
  span several).
- XLSX: openpyxl in read-only mode, values only (dates as dates), streamed row by row; the first sheet whose name
  matches one of `feuilles` (case and accents ignored), else the first sheet. Row numbers are the sheet's.

Limits, checked before and while reading so that a small hostile file (a « zip bomb »: a few hundred Ko of XLSX
declaring millions of rows or one huge string) is refused at once, with nothing read further: the file's size
(`TAILLE_MAX`), for XLSX the uncompressed size of the archive's members as its directory declares them (zipfile
never inflates a member beyond it) and their number, then the rows (`LIGNES_MAX`, blank ones included), the
cells of a row (`COLONNES_MAX`) and the characters of a cell (`CELLULE_MAX`). A text cell written by our exports
as `'=…` (a neutralised formula, `maillage.core.tableurs`) is read back without its quote.

A file that cannot be read at all raises `FichierIllisible` (its `erreur` is an `ErreurLigne`, with the line when
known). Problems of the header (a column named twice) and cells under a column without header are `ErreurLigne`s
listed in `Tableau.erreurs`, so that the importer reports them with the rest of the file.
"""

import contextlib
import csv
import io
import os
import re
import unicodedata
import zipfile
import zlib
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass, field

from openpyxl.worksheet._read_only import ReadOnlyWorksheet

from .imports import ErreurLigne
from .tableurs import DEBUTS_DANGEREUX

FORMAT_CSV = "CSV"
FORMAT_XLSX = "XLSX"
SEPARATEURS = (";", ",", "\t")
LIGNES_ENTETE_MAX = 30  # lines read to sniff the separator, and to look for a header after title rows
SIGNATURE_XLSX = b"PK\x03\x04"  # a zip archive: an Office Open XML workbook
ENCODAGES = ("utf-8-sig", "cp1252")  # then latin-1, which never fails
TAILLE_MAX = 20 * 1024 * 1024  # bytes of the file as sent; importers may ask less
TAILLE_DECOMPRESSEE_MAX = 50 * 1024 * 1024  # XLSX: all members once inflated
TAILLE_TEXTES_MAX = 10 * 1024 * 1024  # XLSX: the shared strings, which openpyxl reads whole when it opens the file
MEMBRES_MAX = 500  # XLSX: entries of the archive
LIGNES_MAX = 100_000  # rows (or CSV lines): the national list of communes is about 35,000
COLONNES_MAX = 1_000  # cells of one row
CELLULE_MAX = 32_767  # characters of one cell: a spreadsheet's own limit
VIDE = "le fichier est vide : il faut une ligne d'en-têtes puis les lignes de données."


class FichierIllisible(Exception):
    """The file cannot be read at all (format, encoding, no content); `erreur` says why, in French."""

    def __init__(self, raison: str, ligne: int | None = None):
        self.erreur = ErreurLigne(raison, ligne)
        super().__init__(self.erreur.message)


def cle(texte) -> str:
    """A header or a choice compared loosely: "Code département" → "code_departement" (case, accents, punctuation)."""
    texte = unicodedata.normalize("NFKD", str(texte if texte is not None else "")).encode("ascii", "ignore").decode()
    return re.sub(r"[^a-z0-9]+", "_", texte.casefold()).strip("_")


def texte(valeur) -> str:
    """A cell as text: None → "", 1234.0 (a spreadsheet number) → "1234", otherwise stripped."""
    if valeur is None:
        return ""
    if isinstance(valeur, float) and valeur.is_integer():
        return str(int(valeur))
    return str(valeur).strip()


def vide(valeurs: Sequence) -> bool:
    return not any(texte(v) for v in valeurs)


# --- Bytes ---------------------------------------------------------------------------------------------


def contenu_de(source) -> bytes:
    """The bytes of `source`: bytes, a path (str or Path) or a file object (an upload). OSError propagates."""
    if isinstance(source, bytes | bytearray | memoryview):
        return bytes(source)
    if isinstance(source, str | os.PathLike):
        with open(source, "rb") as fichier:
            return fichier.read()
    if hasattr(source, "seek"):
        source.seek(0)
    return source.read()


def _mo(octets: int) -> str:
    return f"{octets / (1024 * 1024):.0f} Mo".replace(".", ",")


def _nombre(n: int) -> str:
    return f"{n:,}".replace(",", "\u202f")


def _verifier_rangee(numero: int, valeurs: list, lignes_max: int) -> list:
    """The row, within the limits (rows, cells, characters), quoted formulas read back; else FichierIllisible."""
    if numero > lignes_max:
        raise FichierIllisible(f"trop de lignes (plus de {_nombre(lignes_max)}) : découpez le fichier.", numero)
    if len(valeurs) > COLONNES_MAX:
        raise FichierIllisible(f"trop de colonnes ({len(valeurs)}, {COLONNES_MAX} au plus).", numero)
    for position, valeur in enumerate(valeurs):
        if isinstance(valeur, str):
            if len(valeur) > CELLULE_MAX:
                raise FichierIllisible(
                    f"cellule trop longue en colonne n° {position + 1} ({_nombre(len(valeur))} caractères, "
                    f"{_nombre(CELLULE_MAX)} au plus).",
                    numero,
                )
            if len(valeur) > 1 and valeur[0] == "'" and valeur[1] in DEBUTS_DANGEREUX:
                valeurs[position] = valeur[1:]
    return valeurs


def _verifier_archive(contenu: bytes) -> None:
    """Refuse a zip whose members would inflate beyond the limits, before any XML is parsed."""
    try:
        with zipfile.ZipFile(io.BytesIO(contenu)) as archive:
            membres = archive.infolist()
    except ERREURS_XLSX as erreur:
        raise FichierIllisible(f"classeur XLSX illisible ({erreur}).") from None
    if len(membres) > MEMBRES_MAX:
        raise FichierIllisible(f"classeur XLSX anormal ({len(membres)} éléments dans l'archive).")
    textes = sum(m.file_size for m in membres if m.filename.lower().endswith("sharedstrings.xml"))
    if textes > TAILLE_TEXTES_MAX:
        raise FichierIllisible(
            f"classeur XLSX anormal : textes partagés trop volumineux ({_mo(textes)}, {_mo(TAILLE_TEXTES_MAX)} au "
            "plus) : découpez le fichier ou enregistrez-le en CSV."
        )
    total = sum(membre.file_size for membre in membres)
    if total > TAILLE_DECOMPRESSEE_MAX:
        raise FichierIllisible(
            f"classeur XLSX trop volumineux une fois décompressé ({_mo(total)}, {_mo(TAILLE_DECOMPRESSEE_MAX)} "
            "au plus) : découpez le fichier ou enregistrez-le en CSV."
        )


def decoder(contenu: bytes) -> str:
    """Text of a CSV file: UTF-8 (BOM dropped), else Windows-1252 (spreadsheets' « CSV »), else Latin-1."""
    for encodage in ENCODAGES:
        try:
            return contenu.decode(encodage)
        except UnicodeDecodeError:
            pass
    return contenu.decode("latin-1")


def separateur(texte_csv: str) -> str:
    """`;`, `,` or tab: the most frequent in the first lines (title rows above a header have none)."""
    # Only the beginning is split: a file of millions of empty lines must not become a list of them.
    debut = texte_csv[:65_536].splitlines()[:LIGNES_ENTETE_MAX]
    return max(SEPARATEURS, key=lambda s: sum(ligne.count(s) for ligne in debut))


# --- Rows ----------------------------------------------------------------------------------------------


def _rangees_csv(contenu: bytes, lignes_max: int) -> Iterator[tuple[int, list]]:
    texte_csv = decoder(contenu)
    if "\x00" in texte_csv:
        raise FichierIllisible("ce n'est pas un fichier CSV ou XLSX (octets nuls) : enregistrez-le en CSV ou en XLSX.")
    lecteur = csv.reader(io.StringIO(texte_csv, newline=""), delimiter=separateur(texte_csv))

    def lire():
        try:
            for valeurs in lecteur:
                yield lecteur.line_num, _verifier_rangee(lecteur.line_num, valeurs, lignes_max)
        except csv.Error as erreur:
            raise FichierIllisible(f"CSV mal formé ({erreur}).", lecteur.line_num) from None

    return lire()


# What openpyxl raises on a damaged archive or sheet (zlib.error: a corrupt deflated member; RuntimeError: an
# encrypted one; NotImplementedError: an unknown compression).
ERREURS_XLSX = (
    zipfile.BadZipFile,
    zlib.error,
    EOFError,
    KeyError,
    OSError,
    ValueError,
    TypeError,
    SyntaxError,
    RuntimeError,
    NotImplementedError,
)


_GET_SIZE_OPENPYXL = ReadOnlyWorksheet._get_size


def _sans_taille(feuille) -> None:
    """Stands for ReadOnlyWorksheet._get_size while we open a workbook: a sheet without <dimension> would be parsed
    whole when the workbook opens (every sheet, before one row is read); the dimensions are reset anyway."""


@contextlib.contextmanager
def _ouverture_sans_taille():
    # Only this opening: other read-only readers keep openpyxl's behaviour (restored to the original, never to
    # what a concurrent opening left).
    ReadOnlyWorksheet._get_size = _sans_taille
    try:
        yield
    finally:
        ReadOnlyWorksheet._get_size = _GET_SIZE_OPENPYXL


def _rangees_xlsx(contenu: bytes, feuilles: Sequence[str], lignes_max: int) -> Iterator[tuple[int, list]]:
    from openpyxl import load_workbook

    _verifier_archive(contenu)
    try:
        with _ouverture_sans_taille():
            classeur = load_workbook(io.BytesIO(contenu), read_only=True, data_only=True)
    except ERREURS_XLSX as erreur:
        raise FichierIllisible(f"classeur XLSX illisible ({erreur}).") from None
    noms = {cle(nom): nom for nom in classeur.sheetnames}
    voulue = next((noms[cle(nom)] for nom in feuilles if cle(nom) in noms), None)
    if voulue is None and not classeur.sheetnames:
        classeur.close()
        raise FichierIllisible("classeur XLSX sans feuille.")
    feuille = classeur[voulue] if voulue else classeur.worksheets[0]
    # The declared dimension (say A1:XFD1048576) would pad every row and add empty rows up to it.
    feuille.reset_dimensions()

    def lire():
        try:
            for numero, valeurs in enumerate(feuille.iter_rows(values_only=True), 1):
                yield numero, _verifier_rangee(numero, list(valeurs), lignes_max)
        except ERREURS_XLSX as erreur:
            raise FichierIllisible(f"classeur XLSX illisible ({erreur}).") from None
        finally:
            # Read-only workbooks keep the archive open until closed.
            classeur.close()

    return lire()


def lire_rangees(
    contenu: bytes, *, feuilles: Sequence[str] = (), lignes_max: int = LIGNES_MAX
) -> tuple[str, Iterator[tuple[int, list]]]:
    """(format, lazy (line number, raw cells) of every row, blank ones included); raises FichierIllisible, also
    while rows are read (a limit passed)."""
    if len(contenu) > TAILLE_MAX:
        raise FichierIllisible(f"fichier trop volumineux ({_mo(len(contenu))}, {_mo(TAILLE_MAX)} au plus).")
    if contenu[:4] == SIGNATURE_XLSX:
        return FORMAT_XLSX, _rangees_xlsx(contenu, feuilles, lignes_max)
    return FORMAT_CSV, _rangees_csv(contenu, lignes_max)


# --- Header and data rows ------------------------------------------------------------------------------


def _titre(titre: str) -> str:
    return titre


@dataclass
class Tableau:
    """A file's header and the lazy reading of its data rows (blank rows skipped)."""

    format: str
    ligne_entete: int | None  # None: no row met `est_entete` in the first lines
    titres: list[str]  # every header cell as written (stripped), "" for an empty one
    colonnes: dict[str, str] = field(default_factory=dict)  # code → header as written (first occurrence)
    positions: dict[str, int] = field(default_factory=dict)  # code → position in the row
    inconnues: list[str] = field(default_factory=list)  # headers the caller's `code` function does not know
    erreurs: list[ErreurLigne] = field(default_factory=list)  # duplicated headers, then cells without header
    _rangees: Iterator[tuple[int, list]] = field(default_factory=lambda: iter(()), repr=False)
    _sans_entete: set[int] = field(default_factory=set, repr=False)  # positions already reported

    def rangees(self) -> Iterator[tuple[int, list]]:
        """(line number, raw cells) of every non-blank row after the header; read once."""
        for numero, valeurs in self._rangees:
            if vide(valeurs):
                continue
            self._verifier_sans_entete(numero, valeurs)
            yield numero, valeurs

    def lignes(self) -> Iterator[tuple[int, dict]]:
        """(line number, {code: raw value}) of every non-blank row after the header; read once."""
        for numero, valeurs in self.rangees():
            yield numero, {code: valeurs[pos] if pos < len(valeurs) else None for code, pos in self.positions.items()}

    def _verifier_sans_entete(self, numero: int, valeurs: list) -> None:
        # A value under no header would be silently dropped: reported once per column.
        for position, valeur in enumerate(valeurs):
            if position in self._sans_entete or (position < len(self.titres) and self.titres[position]):
                continue
            if texte(valeur):
                self._sans_entete.add(position)
                precedent = next((t for t in reversed(self.titres[:position]) if t), "")
                apres = f" (après « {precedent} »)" if precedent else ""
                self.erreurs.append(
                    ErreurLigne(
                        f"valeur « {texte(valeur)} » dans la colonne n° {position + 1}{apres}, qui n'a pas d'en-tête : "
                        "nommez la colonne ou videz-la.",
                        numero,
                    )
                )


def lire_tableau(
    source,
    *,
    code: Callable[[str], str | None] = _titre,
    est_entete: Callable[[list[str]], bool] | None = None,
    feuilles: Sequence[str] = (),
    lignes_max: int = LIGNES_MAX,
) -> Tableau:
    """Read `source` (bytes, path or uploaded file) up to its header; the data rows are read by `Tableau.lignes()`.

    `code(header as written)` gives the column's code, or None for a column the importer does not know (listed in
    `inconnues`); a code met twice is an error. The header is the first non-blank row, or, with `est_entete`, the
    first of the first `LIGNES_ENTETE_MAX` rows whose headers it accepts (title rows above it are skipped).
    Raises FichierIllisible for an unreadable or empty file, or one beyond the limits (see the module); the rows
    read later by `lignes()` / `rangees()` may raise it too.
    """
    contenu = contenu_de(source)
    if not contenu.strip():
        raise FichierIllisible(VIDE)
    format, rangees = lire_rangees(contenu, feuilles=feuilles, lignes_max=lignes_max)
    vu_contenu = False
    for indice, (numero, valeurs) in enumerate(rangees):
        if est_entete is not None and indice >= LIGNES_ENTETE_MAX:
            break
        titres = [texte(v) for v in valeurs]
        if not any(titres):
            continue
        vu_contenu = True
        if est_entete is not None and not est_entete(titres):
            continue
        while not titres[-1]:
            titres.pop()
        return _tableau(format, numero, titres, rangees, code)
    rangees.close()  # closes the workbook now, not when collected
    if not vu_contenu:
        raise FichierIllisible(VIDE)
    return Tableau(format=format, ligne_entete=None, titres=[])


def _tableau(format: str, numero: int, titres: list[str], rangees, code) -> Tableau:
    tableau = Tableau(format=format, ligne_entete=numero, titres=titres, _rangees=rangees)
    for position, titre in enumerate(titres):
        if not titre:
            continue
        code_colonne = code(titre)
        if code_colonne is None:
            tableau.inconnues.append(titre)
        elif code_colonne in tableau.positions:
            deja = tableau.colonnes[code_colonne]
            tableau.erreurs.append(ErreurLigne(f"colonne en double (déjà lue en colonne « {deja} »).", numero, titre))
        else:
            tableau.colonnes[code_colonne], tableau.positions[code_colonne] = titre, position
    return tableau
