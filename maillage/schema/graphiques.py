"""Small line charts of an indicator, generated on the server: no JavaScript, no chart library, no inline style.

Like `maillage.financements.graphiques`: an SVG with presentation attributes only (allowed by the CSP where a
`style` attribute is not), one image for assistive technologies (`role="img"`, a <title> and a <desc> that say
the baseline, the last value and the target in words); the pages put the values in a table beside it. The same
string goes into the PDF. Baseline: grey square; values: blue line and dots; target: orange diamond, reached by a
dashed line from the baseline (the straight path "en bonne voie" is measured against).
"""

import datetime
from html import escape

from maillage.core.formats import NBSP, euros_compacts, nombre

from .indicateurs import formater

BLEU, GRIS, ORANGE, AXE = "#0b5c8a", "#5f6b76", "#b35c00", "#8a949e"


def _jour(date: datetime.date | None) -> str:
    return date.strftime("%d/%m/%Y") if date else "date inconnue"


def _borne(valeur: float, unite: str) -> str:
    """An axis bound, short enough for the left margin: 17,3 M€, 65 %, 47 (the unit is in the title and table)."""
    unite = (unite or "").strip()
    if unite in {"€", "euros"}:
        return euros_compacts(valeur)
    texte = nombre(valeur, 0 if abs(valeur) >= 10 or valeur == int(valeur) else 1)
    return f"{texte}{NBSP}%" if unite == "%" else texte


def description(ligne) -> str:
    """The chart in words: baseline, last value and target."""
    morceaux = []
    if ligne.reference:
        morceaux.append(f"référence {formater(ligne.reference.valeur, ligne.unite)} au {_jour(ligne.reference.date)}")
    if ligne.derniere:
        morceaux.append(
            f"dernière valeur {formater(ligne.derniere.valeur, ligne.unite)} au {_jour(ligne.derniere.date)}"
        )
    if ligne.cible:
        morceaux.append(f"cible {formater(ligne.cible.valeur, ligne.unite)} au {_jour(ligne.cible.date)}")
    if ligne.en_bonne_voie is not None:
        morceaux.append("en bonne voie" if ligne.en_bonne_voie else "en retard sur la trajectoire vers la cible")
    texte = " ; ".join(morceaux) or "aucune valeur"
    return texte[0].upper() + texte[1:] + "."


def svg_indicateur(ligne, largeur: int = 320, hauteur: int = 140, *, identifiant: str = "") -> str:
    """The chart of a `selectors_indicateurs.LigneIndicateur`; "" when it has nothing to draw."""
    valeurs = [(v.date, float(v.valeur)) for v in ligne.valeurs]
    reference = (
        (ligne.reference.date, float(ligne.reference.valeur)) if ligne.reference and ligne.reference.date else None
    )
    cible = (ligne.cible.date, float(ligne.cible.valeur)) if ligne.cible and ligne.cible.date else None
    points = valeurs + [p for p in (reference, cible) if p]
    if not points:
        return ""
    gauche, droite, haut, bas = 58, 10, 10, 24
    largeur_utile, hauteur_utile = largeur - gauche - droite, hauteur - haut - bas
    debut = min(d for d, _ in points).toordinal()
    fin = max(d for d, _ in points).toordinal()
    etendue_x = max(fin - debut, 1)
    mini, maxi = min(v for _, v in points), max(v for _, v in points)
    marge = (maxi - mini) * 0.1 or abs(maxi) * 0.1 or 1
    mini, maxi = mini - marge, maxi + marge
    if mini < 0 <= min(v for _, v in points):
        mini = 0  # no negative axis for a positive series

    def x(date: datetime.date) -> float:
        return round(
            gauche + largeur_utile * (date.toordinal() - debut) / etendue_x
            if fin > debut
            else gauche + largeur_utile / 2,
            1,
        )

    def y(valeur: float) -> float:
        return round(haut + hauteur_utile * (maxi - valeur) / (maxi - mini), 1)

    ident = escape(identifiant or f"graphique-indicateur-{getattr(ligne.indicateur, 'pk', '') or 'x'}")
    titre = escape(f"{ligne.libelle} : évolution")
    morceaux = [
        f'<svg class="graphique-indicateur" xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {largeur} {hauteur}" '
        f'width="{largeur}" height="{hauteur}" role="img" aria-labelledby="{ident}-titre {ident}-desc">',
        f'<title id="{ident}-titre">{titre}</title>',
        f'<desc id="{ident}-desc">{escape(description(ligne))}</desc>',
        # Axes and their bounds.
        f'<line x1="{gauche}" y1="{haut + hauteur_utile}" x2="{largeur - droite}" y2="{haut + hauteur_utile}" '
        f'stroke="{AXE}" stroke-width="1"/>',
        f'<line x1="{gauche}" y1="{haut}" x2="{gauche}" y2="{haut + hauteur_utile}" stroke="{AXE}" stroke-width="1"/>',
        f'<text x="{gauche - 4}" y="{haut + 8}" text-anchor="end" font-size="10" fill="{GRIS}">'
        f"{escape(_borne(maxi, ligne.unite))}</text>",
        f'<text x="{gauche - 4}" y="{haut + hauteur_utile}" text-anchor="end" font-size="10" fill="{GRIS}">'
        f"{escape(_borne(mini, ligne.unite))}</text>",
        f'<text x="{gauche}" y="{hauteur - 6}" font-size="10" fill="{GRIS}">'
        f"{datetime.date.fromordinal(debut).year}</text>",
    ]
    if fin > debut:
        morceaux.append(
            f'<text x="{largeur - droite}" y="{hauteur - 6}" text-anchor="end" font-size="10" fill="{GRIS}">'
            f"{datetime.date.fromordinal(fin).year}</text>"
        )
    if reference and cible:
        morceaux.append(
            f'<line x1="{x(reference[0])}" y1="{y(reference[1])}" x2="{x(cible[0])}" y2="{y(cible[1])}" '
            f'stroke="{ORANGE}" stroke-width="1.5" stroke-dasharray="4 3"/>'
        )
    if len(valeurs) > 1:
        trace = " ".join(f"{x(d)},{y(v)}" for d, v in valeurs)
        morceaux.append(f'<polyline points="{trace}" fill="none" stroke="{BLEU}" stroke-width="2"/>')
    morceaux += [f'<circle cx="{x(d)}" cy="{y(v)}" r="3" fill="{BLEU}"/>' for d, v in valeurs]
    if reference:
        rx, ry = x(reference[0]), y(reference[1])
        morceaux.append(
            f'<rect x="{rx - 4}" y="{ry - 4}" width="8" height="8" fill="none" stroke="{GRIS}" stroke-width="2"/>'
        )
    if cible:
        cx, cy = x(cible[0]), y(cible[1])
        morceaux.append(f'<polygon points="{cx},{cy - 6} {cx + 6},{cy} {cx},{cy + 6} {cx - 6},{cy}" fill="{ORANGE}"/>')
    morceaux.append("</svg>")
    return "".join(morceaux)
