"""Simple accessible bar charts generated on the server: no JavaScript, no chart library, no inline style.

Each bar is a one-rectangle SVG whose width is a percentage (an SVG attribute, allowed by the CSP where a
`style` attribute is not), so the chart follows the page's width on a phone. The chart is one image for
assistive technologies (`role="img"` with a label); the page puts the same data in a table right after it.
"""

from html import escape

from maillage.core.formats import euros_compacts, nombre


def barres(
    identifiant: str, titre: str, donnees: list[tuple[str, object]], *, couleur: str = "#0b5c8a", en_euros=True
) -> str:
    """A horizontal bar chart: one (libellé, valeur) per bar, bars proportional to the largest value."""
    formater = euros_compacts if en_euros else nombre
    maximum = max((float(v or 0) for _, v in donnees), default=0) or 1
    lignes = []
    for libelle, valeur in donnees:
        part = round(100 * max(float(valeur or 0), 0) / maximum, 1)
        lignes.append(
            '<li class="barres__ligne">'
            f'<span class="barres__libelle">{escape(str(libelle))}</span>'
            '<svg class="barres__barre" width="100%" height="18" focusable="false">'
            f'<rect x="0" y="0" width="{part}%" height="18" fill="{escape(couleur)}"/></svg>'
            f'<span class="barres__valeur">{escape(formater(valeur or 0))}</span>'
            "</li>"
        )
    return (
        f'<figure class="barres" id="{escape(identifiant)}" role="img" '
        f'aria-label="{escape(titre)} : graphique, les données figurent dans le tableau qui suit">'
        f'<ul class="barres__liste">{"".join(lignes)}</ul></figure>'
    )
