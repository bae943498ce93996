"""French number formatting without Django imports: 1 387 926, 17,5 M€, 66,7 %; French sort order of names."""

import unicodedata
from decimal import Decimal

NNBSP = "\u202f"  # narrow no-break space, the French thousands separator
NBSP = "\xa0"


def nombre(value, decimales: int = 0) -> str:
    if value is None or value == "":
        return "—"
    number = float(value) if not isinstance(value, int) else value
    text = f"{number:,.{decimales}f}"
    if text.startswith("-") and not text.strip("-0.,"):
        text = text[1:]  # -0.4 rounds to "0", not "-0"
    return text.replace(",", NNBSP).replace(".", ",")


def euros(value, decimales: int = 0) -> str:
    if value is None or value == "":
        return "—"
    return f"{nombre(value, decimales)}{NBSP}€"


def euros_compacts(value) -> str:
    """17 500 000 → "17,5 M€"; 467 000 → "467 k€"."""
    if value is None or value == "":
        return "—"
    value = Decimal(str(value))
    # Decide on the rounded value: 999 950 € is "1 M€", not "1 000 k€".
    if abs(round(value / 1_000)) >= 1_000:
        text = nombre(round(value / 1_000_000, 1), 1).removesuffix(",0")
        return f"{text}{NBSP}M€"
    if abs(value) >= 1_000:
        return f"{nombre(round(value / 1_000))}{NBSP}k€"
    return euros(value)


def pourcentage(value, decimales: int = 1) -> str:
    """A share in [0, 1] → "66,7 %"."""
    if value is None or value == "":
        return "—"
    return f"{nombre(float(value) * 100, decimales)}{NBSP}%"


def points(value, decimales: int = 1) -> str:
    """A difference of two shares in [0, 1], in percentage points, signed: 0.019 → "+1,9 point", -0.025 →
    "-2,5 points". Give it the difference of the unrounded shares: it is rounded once, here ("1,9 point" is not
    "+2,0 %"). French agreement: "point" below 2, "points" from 2."""
    if value is None or value == "":
        return "—"
    arrondi = round(float(value) * 100, decimales)
    texte = nombre(arrondi, decimales)
    signe = "+" if arrondi > 0 else ""
    unite = "point" if abs(arrondi) < 2 else "points"
    return f"{signe}{texte}{NBSP}{unite}"


def cle_texte(texte: str) -> str:
    """Accent- and case-insensitive sort key: "Île-Saint-Denis" sorts among the I, not after Z."""
    return unicodedata.normalize("NFKD", texte).encode("ascii", "ignore").decode().casefold()


MOIS = (
    "janvier",
    "février",
    "mars",
    "avril",
    "mai",
    "juin",
    "juillet",
    "août",
    "septembre",
    "octobre",
    "novembre",
    "décembre",
)


def jour_du_mois(jour: int) -> str:
    """French ordinal for the first day of the month: "1er", then "2", "3"…"""
    return "1er" if jour == 1 else str(jour)


def date_en_lettres(value, annee: bool = True) -> str:
    """A date written in words, French style: "1er décembre 2026", "15 octobre 2016" (`annee=False`: "1er décembre")."""
    if value is None or value == "":
        return "—"
    texte = f"{jour_du_mois(value.day)} {MOIS[value.month - 1]}"
    return f"{texte} {value.year}" if annee else texte
