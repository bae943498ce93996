"""Writing spreadsheet files (CSV, XLSX) that a spreadsheet program opens without running anything: the one writer
of every export.

A text cell starting with `=`, `+`, `-`, `@`, a tab or a carriage return is read by Excel or LibreOffice as a
formula (`=HYPERLINK(…)`, `=cmd|' /C calc'!A0`): names typed by a structure or read from an import would run on
the reader's machine. Following the OWASP rule (« CSV injection »), such text is written with a leading `'`
(`cellule_sure`); numbers, dates and booleans keep their type, so a negative number stays a number.

- `ecrire_csv(entetes, lignes)`: `;`-separated text with a BOM (what a French spreadsheet opens as is);
- `nouveau_classeur()`: an openpyxl workbook whose `save()` first turns every formula or dangerous text cell of every
  sheet into safe text, however the cells were written (`append`, `cell(value=…)`); `classeur_octets()` saves it
  to bytes.

Files for people (`Colonne`, `csv_pour_personnes`, `classeur_pour_personnes`): French column labels, French values
(display labels, « Oui » / « Non »), real dates in XLSX (shown dd/mm/yyyy), dd/mm/yyyy and decimal commas in CSV,
one sheet per table. The machine-readable variant of an export (stable codes as headers and values, ISO dates,
for re-import and data·inclusion) uses `csv_pour_machines` / the same columns' `code`. `entete_machine(texte)` tells
a snake_case header (`structure_id`) from a label: the test of every served workbook uses it.

`tests/core/test_tableurs.py` checks that no module outside this one creates a CSV writer or a workbook.
"""

import csv
import datetime
import decimal
import io
import re
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass

from openpyxl import Workbook
from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE

# Characters that make a spreadsheet read a cell as a formula (OWASP "CSV injection").
DEBUTS_DANGEREUX = ("=", "+", "-", "@", "\t", "\r")


def cellule_sure(valeur):
    """`valeur` unchanged unless it is text starting like a formula: then `'` + the text."""
    if isinstance(valeur, str) and valeur.startswith(DEBUTS_DANGEREUX):
        return "'" + valeur
    return valeur


def texte_csv(valeur) -> str:
    """A non-text value as CSV text: None → "", booleans « oui »/« non », dates ISO 8601, numbers as Python writes
    them."""
    if valeur is None:
        return ""
    if isinstance(valeur, bool):
        return "oui" if valeur else "non"
    if isinstance(valeur, datetime.date):
        return valeur.isoformat()
    if isinstance(valeur, float):
        return repr(valeur)
    return str(valeur)


def ecrire_csv(entetes: Sequence, lignes: Iterable[Sequence], *, convertir: Callable[[object], str] = texte_csv) -> str:
    """CSV text with a BOM, `;`-separated, CRLF line ends. Text cells are made safe; other values go through
    `convertir` (after the check, so that a negative number written as text stays a number)."""
    tampon = io.StringIO()
    tampon.write("\ufeff")
    ecrivain = csv.writer(tampon, delimiter=";", lineterminator="\r\n")
    ecrivain.writerow([cellule_sure(v) if isinstance(v, str) else convertir(v) for v in entetes])
    for ligne in lignes:
        ecrivain.writerow([cellule_sure(v) if isinstance(v, str) else convertir(v) for v in ligne])
    return tampon.getvalue()


# --- XLSX ----------------------------------------------------------------------------------------------


def _neutraliser(feuille) -> None:
    # Every stored cell, as written by any openpyxl call; empty cells are not created.
    for cellule in list(feuille._cells.values()):
        valeur = cellule.value
        if isinstance(valeur, str):
            sure = ILLEGAL_CHARACTERS_RE.sub("", cellule_sure(valeur))
            if cellule.data_type != "s" or sure != valeur:
                cellule.value = sure
                cellule.data_type = "s"


class Classeur(Workbook):
    """A workbook that cannot hold a formula when saved: every text cell is made safe first."""

    def save(self, filename):
        for feuille in self.worksheets:
            _neutraliser(feuille)
        super().save(filename)


def nouveau_classeur(*, vide: bool = False) -> Classeur:
    """A new workbook (with its default sheet, or none when `vide`)."""
    resultat = Classeur()
    if vide:
        resultat.remove(resultat.active)
    return resultat


def classeur_octets(resultat: Classeur) -> bytes:
    tampon = io.BytesIO()
    resultat.save(tampon)
    return tampon.getvalue()


# --- Files for people ------------------------------------------------------------------------------------------

FORMAT_DATE = "DD/MM/YYYY"
FORMAT_DATE_HEURE = "DD/MM/YYYY HH:MM"
_MACHINE = re.compile(r"[a-z0-9]+(_[a-z0-9]+)+|[a-z]+[0-9]*")


def entete_machine(texte) -> bool:
    """Whether a header cell reads as a code rather than a label: `structure_id`, `id_mode_gestion`, `siret`, `nom`.
    A label starts with a capital or holds a space, an accent or punctuation ("Code INSEE", "Nom", "E-mail")."""
    return isinstance(texte, str) and bool(_MACHINE.fullmatch(texte.strip()))


def oui_non(valeur) -> str:
    return "Oui" if valeur else "Non"


@dataclass(frozen=True)
class Colonne:
    """One column of an export: its French label, how to read its value from a row (a callable, or a key of a dict
    row), and its stable code for the machine-readable variant."""

    libelle: str
    valeur: Callable[[object], object] | str
    code: str = ""
    largeur: int = 0  # XLSX width in characters (0: from the label)

    def lire(self, ligne):
        if callable(self.valeur):
            return self.valeur(ligne)
        return ligne[self.valeur] if isinstance(ligne, dict) else getattr(ligne, self.valeur)


def texte_csv_francais(valeur) -> str:
    """A non-text value as a French spreadsheet writes it: « Oui »/« Non », dd/mm/yyyy (with hh:mm for an instant),
    decimal commas."""
    if valeur is None:
        return ""
    if isinstance(valeur, bool):
        return oui_non(valeur)
    if isinstance(valeur, datetime.datetime):
        return valeur.strftime("%d/%m/%Y %H:%M")
    if isinstance(valeur, datetime.date):
        return valeur.strftime("%d/%m/%Y")
    if isinstance(valeur, float | decimal.Decimal):
        texte = format(decimal.Decimal(str(valeur)), "f")
        if "." in texte:
            texte = texte.rstrip("0").rstrip(".")
        return texte.replace(".", ",")
    return str(valeur)


def csv_pour_personnes(colonnes: Sequence[Colonne], lignes: Iterable) -> str:
    """CSV for people: French labels, `;`, BOM, dd/mm/yyyy, decimal commas, Oui/Non."""
    return ecrire_csv(
        [c.libelle for c in colonnes],
        ([c.lire(ligne) for c in colonnes] for ligne in lignes),
        convertir=texte_csv_francais,
    )


def csv_pour_machines(colonnes: Sequence[Colonne], lignes: Iterable, *, valeurs: Callable | None = None) -> str:
    """CSV for programs: the columns' codes as headers, ISO dates, points as decimal marks (`texte_csv`)."""
    lire = valeurs or (lambda c, ligne: c.lire(ligne))
    return ecrire_csv([c.code for c in colonnes], ([lire(c, ligne) for c in colonnes] for ligne in lignes))


def _valeur_xlsx(valeur):
    if isinstance(valeur, bool):
        return oui_non(valeur)
    if isinstance(valeur, datetime.datetime) and valeur.tzinfo is not None:
        # XLSX has no time zones: the local time people read.
        from django.utils.timezone import localtime

        return localtime(valeur).replace(tzinfo=None)
    return valeur


def ecrire_feuille(feuille, entetes: Sequence[str], lignes: Iterable[Sequence], *, largeurs=()) -> None:
    """Headers in bold on a frozen first row, then the rows: booleans as Oui/Non, dates shown dd/mm/yyyy."""
    from openpyxl.styles import Font

    feuille.append(list(entetes))
    for cellule in feuille[1]:
        cellule.font = Font(bold=True)
    for ligne in lignes:
        feuille.append([_valeur_xlsx(v) for v in ligne])
        for cellule in feuille[feuille.max_row]:
            if isinstance(cellule.value, datetime.datetime):
                cellule.number_format = FORMAT_DATE_HEURE
            elif isinstance(cellule.value, datetime.date):
                cellule.number_format = FORMAT_DATE
    feuille.freeze_panes = "A2"
    largeurs = list(largeurs) or [0] * len(entetes)
    for rang, (entete, largeur) in enumerate(zip(entetes, largeurs, strict=False), start=1):
        lettre = feuille.cell(row=1, column=rang).column_letter
        feuille.column_dimensions[lettre].width = largeur or min(max(12, len(str(entete)) + 2), 45)


def classeur_pour_personnes(feuilles: Iterable[tuple[str, Sequence[Colonne], Iterable]]) -> bytes:
    """A workbook with one sheet per table: `feuilles` = [(sheet name, columns, rows)]."""
    resultat = nouveau_classeur(vide=True)
    for nom, colonnes, lignes in feuilles:
        ecrire_feuille(
            resultat.create_sheet(nom[:31]),
            [c.libelle for c in colonnes],
            ([c.lire(ligne) for c in colonnes] for ligne in lignes),
            largeurs=[c.largeur for c in colonnes],
        )
    return classeur_octets(resultat)
