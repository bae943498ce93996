"""Attendance charts generated on the server: no JavaScript, no chart library, no inline style.

Like `maillage.financements.graphiques`: each row is a small SVG whose bars have a width in percent (an SVG
attribute, allowed by the CSP where a `style` attribute is not), so the chart follows the width of a phone; the
whole chart is one image for assistive technologies (`role="img"` and a label), each row's SVG has a <title>
saying its numbers in words, and the page puts the same data in a table right after it. Registered: light bar;
present: dark bar below it.
"""

from html import escape

from maillage.core.formats import nombre

INSCRITS, PRESENTS = "#9ec5de", "#0b5c8a"


def _pluriel(n: int, singulier: str, pluriel: str) -> str:
    return f"{nombre(n)} {singulier if n <= 1 else pluriel}"


def barres_presence(identifiant: str, titre: str, parts: list[dict], *, limite: int = 15) -> str:
    """Horizontal bars registered vs present, one row per part ({libelle, inscrits, presents}) among the first
    `limite` (the table lists them all); "" when there is nothing to draw."""
    parts = [p for p in parts if p["inscrits"] or p["presents"]][:limite]
    if not parts:
        return ""
    maximum = max(max(p["inscrits"], p["presents"]) for p in parts) or 1
    ident = escape(identifiant)
    lignes = []
    for rang, part in enumerate(parts):
        libelle = escape(str(part["libelle"]))
        inscrits, presents = part["inscrits"], part["presents"]
        largeur_i = round(100 * inscrits / maximum, 1)
        largeur_p = round(100 * presents / maximum, 1)
        resume = f"{part['libelle']} : {_pluriel(inscrits, 'inscrit', 'inscrits')}, " + _pluriel(
            presents, "présent", "présents"
        )
        lignes.append(
            '<li class="presence__ligne">'
            f'<span class="presence__libelle">{libelle}</span>'
            f'<svg class="presence__barres" width="100%" height="26" aria-labelledby="{ident}-{rang}" role="img">'
            f'<title id="{ident}-{rang}">{escape(resume)}</title>'
            f'<rect x="0" y="0" width="{largeur_i}%" height="12" fill="{INSCRITS}"/>'
            f'<rect x="0" y="14" width="{largeur_p}%" height="12" fill="{PRESENTS}"/></svg>'
            f'<span class="presence__valeurs">{escape(nombre(presents))}{chr(0x202F)}/{chr(0x202F)}'
            f"{escape(nombre(inscrits))}</span>"
            "</li>"
        )
    legende = (
        '<p class="presence__legende" aria-hidden="true">'
        '<svg width="12" height="12"><rect width="12" height="12" fill="' + INSCRITS + '"/></svg> inscrits '
        '<svg width="12" height="12"><rect width="12" height="12" fill="' + PRESENTS + '"/></svg> présents</p>'
    )
    return (
        f'<figure class="presence" id="{ident}" aria-label="{escape(titre)} : graphique, inscrits et présents ; '
        f'les données figurent dans le tableau qui suit">{legende}'
        f'<ul class="presence__liste">{"".join(lignes)}</ul></figure>'
    )


def phrase_presence(stats: dict) -> str:
    """The headline: « 152 participants sur 168 inscrits : plus de 150 partenaires réunis. »"""
    presents, inscrits = stats["presents"], stats["inscrits"]
    if not inscrits and not presents:
        return "Aucune inscription confirmée pour le moment."
    phrase = f"{_pluriel(presents, 'participant', 'participants')} sur {_pluriel(inscrits, 'inscrit', 'inscrits')}"
    if presents > 50:
        palier = 50 * ((presents - 1) // 50)  # the round number just below: 152 → 150, 200 → 150
        phrase += f" : plus de {nombre(palier)} partenaires réunis"
    return phrase + "."
