"""Hostile spreadsheets built in memory: XLSX archives written by hand (sheet XML streamed into the zip, so that a
few hundred Ko declare millions of rows or a huge string), for the limits of `maillage.core.fichiers`."""

import io
import zipfile
from collections.abc import Iterable

TYPES = (
    b'<?xml version="1.0" encoding="UTF-8"?>'
    b'<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">'
    b'<Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/>'
    b'<Default Extension="xml" ContentType="application/xml"/>'
    b'<Override PartName="/xl/workbook.xml" '
    b'ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml"/>'
    b'<Override PartName="/xl/worksheets/sheet1.xml" '
    b'ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.worksheet+xml"/>'
    b"</Types>"
)
RELS = (
    b'<?xml version="1.0" encoding="UTF-8"?>'
    b'<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">'
    b'<Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/'
    b'officeDocument" Target="xl/workbook.xml"/></Relationships>'
)
CLASSEUR = (
    b'<?xml version="1.0" encoding="UTF-8"?>'
    b'<workbook xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main" '
    b'xmlns:r="http://schemas.openxmlformats.org/officeDocument/2006/relationships">'
    b'<sheets><sheet name="Feuil1" sheetId="1" r:id="rId1"/></sheets></workbook>'
)
RELS_CLASSEUR = (
    b'<?xml version="1.0" encoding="UTF-8"?>'
    b'<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">'
    b'<Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/'
    b'worksheet" Target="worksheets/sheet1.xml"/></Relationships>'
)
DEBUT_FEUILLE = (
    b'<?xml version="1.0" encoding="UTF-8"?>'
    b'<worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main">'
)


def cellule(reference: str, texte: str) -> bytes:
    return f'<c r="{reference}" t="inlineStr"><is><t>{texte}</t></is></c>'.encode()


def rangee(numero: int, textes: list[str]) -> bytes:
    from openpyxl.utils import get_column_letter

    cellules = b"".join(cellule(f"{get_column_letter(i + 1)}{numero}", t) for i, t in enumerate(textes))
    return f'<row r="{numero}">'.encode() + cellules + b"</row>"


def xlsx_brut(morceaux: Iterable[bytes], *, dimension: str = "") -> bytes:
    """A minimal workbook whose one sheet's <sheetData> is the concatenation of `morceaux` (streamed, deflated)."""
    tampon = io.BytesIO()
    with zipfile.ZipFile(tampon, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("[Content_Types].xml", TYPES)
        archive.writestr("_rels/.rels", RELS)
        archive.writestr("xl/workbook.xml", CLASSEUR)
        archive.writestr("xl/_rels/workbook.xml.rels", RELS_CLASSEUR)
        with archive.open("xl/worksheets/sheet1.xml", "w") as feuille:
            feuille.write(DEBUT_FEUILLE)
            if dimension:
                feuille.write(f'<dimension ref="{dimension}"/>'.encode())
            feuille.write(b"<sheetData>")
            for morceau in morceaux:
                feuille.write(morceau)
            feuille.write(b"</sheetData></worksheet>")
    return tampon.getvalue()


def xlsx_lignes(entetes: list[str], ligne: list[str], nombre: int) -> bytes:
    """A header then `nombre` copies of the same data row: tiny once compressed."""

    # Rows and cells without reference (allowed: they follow each other), so that the rows are all alike.
    donnee = b"<row>" + b"".join(f'<c t="inlineStr"><is><t>{t}</t></is></c>'.encode() for t in ligne) + b"</row>"

    def morceaux():
        yield rangee(1, entetes)
        for debut in range(0, nombre, 1000):
            yield donnee * min(1000, nombre - debut)

    return xlsx_brut(morceaux())


def xlsx_longue_chaine(entetes: list[str], taille: int) -> bytes:
    """A header then one row whose first cell holds `taille` characters."""

    def morceaux():
        yield rangee(1, entetes)
        yield b'<row r="2"><c r="A2" t="inlineStr"><is><t>'
        bloc = b"a" * 10_000_000
        for _ in range(taille // len(bloc)):
            yield bloc
        yield b"a" * (taille % len(bloc))
        yield b"</t></is></c></row>"

    return xlsx_brut(morceaux())
