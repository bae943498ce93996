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

`tests/core/test_tableurs.py` checks that no module outside this one creates a CSV writer or a workbook.
"""

import csv
import datetime
import io
from collections.abc import Callable, Iterable, Sequence

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
