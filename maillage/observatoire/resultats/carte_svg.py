"""A static map of a département's structures as an inline SVG (pure Python, no Django import).

For printed reports (WeasyPrint draws SVG, not JavaScript maps): the communes' outlines (GeoJSON geometries in
WGS84) are projected in Lambert-93 (EPSG:2154, metres, the French official projection, so the shapes are not
stretched), simplified to a fraction of a millimetre of the printed map (a few kilobytes in the PDF) and scaled to
the frame; each structure is a dot, its colour by type.
"""

import json
from dataclasses import dataclass
from functools import cache
from html import escape

import numpy as np
import shapely
from shapely.geometry import shape
from shapely.ops import unary_union

MARGE = 6  # px around the drawing inside the frame


@dataclass(frozen=True)
class Point:
    longitude: float
    latitude: float
    categorie: str  # a key of `couleurs`
    titre: str = ""


@cache
def _transformeur():
    from pyproj import Transformer

    return Transformer.from_crs("EPSG:4326", "EPSG:2154", always_xy=True)


def _projeter(geometrie):
    transformeur = _transformeur()
    return shapely.transform(geometrie, lambda xy: np.column_stack(transformeur.transform(xy[:, 0], xy[:, 1])))


def _lire(contour) -> object | None:
    """A shapely geometry from a GeoJSON text or dict; None when empty or unreadable (a map is never blocked by one
    bad outline)."""
    if not contour:
        return None
    try:
        geometrie = shape(json.loads(contour) if isinstance(contour, str) else contour)
    except (ValueError, TypeError, KeyError, AttributeError):
        return None
    return None if geometrie.is_empty else geometrie


def _anneaux(geometrie):
    polygones = getattr(geometrie, "geoms", [geometrie])
    for polygone in polygones:
        if polygone.geom_type != "Polygon":
            continue
        yield polygone.exterior.coords
        yield from (interieur.coords for interieur in polygone.interiors)


def _chemin(geometrie, vers_ecran) -> str:
    morceaux = []
    for anneau in _anneaux(geometrie):
        points = [vers_ecran(x, y) for x, y in anneau]
        if len(points) < 3:
            continue
        morceaux.append("M" + "L".join(f"{x:.1f},{y:.1f}" for x, y in points) + "Z")
    return "".join(morceaux)


def carte(
    contours: list,
    points: list[Point],
    *,
    couleurs: dict[str, str],
    largeur: int = 600,
    hauteur: int = 460,
    titre: str = "Carte",
    trait: str = "#8a8a8a",
    fond: str = "#f2f4f6",
    contour_exterieur: str = "#1b1b1b",
) -> str:
    """The SVG text of the map: `contours` (GeoJSON geometries of the communes, text or dict), `points` (the dots),
    `couleurs` {category: colour}. The frame keeps the territory's proportions (its height is reduced for a wide
    territory). Without any outline, the frame is fitted to the dots; without anything, an empty string."""
    geometries = [g for g in (_lire(c) for c in contours) if g is not None]
    projetes = [_projeter(g) for g in geometries]
    points_projetes = []
    if points:
        xs, ys = _transformeur().transform([p.longitude for p in points], [p.latitude for p in points])
        points_projetes = [(x, y, p) for x, y, p in zip(xs, ys, points, strict=True)]
    if not projetes and not points_projetes:
        return ""
    if projetes:
        minx, miny, maxx, maxy = unary_union(projetes).bounds
    else:
        minx, maxx = min(x for x, _, _ in points_projetes), max(x for x, _, _ in points_projetes)
        miny, maxy = min(y for _, y, _ in points_projetes), max(y for _, y, _ in points_projetes)
    etendue_x, etendue_y = max(maxx - minx, 1.0), max(maxy - miny, 1.0)
    echelle = min((largeur - 2 * MARGE) / etendue_x, (hauteur - 2 * MARGE) / etendue_y)
    hauteur = int(etendue_y * echelle + 2 * MARGE + 0.999)
    decalage_x = (largeur - etendue_x * echelle) / 2

    def vers_ecran(x, y):
        return decalage_x + (x - minx) * echelle, MARGE + (maxy - y) * echelle

    tolerance = 0.6 / echelle  # 0.6 px of the printed map, in metres
    chemins = [_chemin(g.simplify(tolerance, preserve_topology=True), vers_ecran) for g in projetes]
    morceaux = [
        f'<svg xmlns="http://www.w3.org/2000/svg" class="carte-svg" width="{largeur}" height="{hauteur}" '
        f'viewBox="0 0 {largeur} {hauteur}" role="img" aria-label="{escape(titre)}">',
        f"<title>{escape(titre)}</title>",
    ]
    if chemins:
        morceaux.append(f'<g fill="{fond}" stroke="{trait}" stroke-width="0.6" stroke-linejoin="round">')
        morceaux += [f'<path d="{c}"/>' for c in chemins if c]
        morceaux.append("</g>")
        exterieur = unary_union([g.buffer(0) for g in projetes]).simplify(tolerance * 1.5)
        morceaux.append(
            f'<path d="{_chemin(exterieur, vers_ecran)}" fill="none" stroke="{contour_exterieur}" '
            'stroke-width="1.2" stroke-linejoin="round"/>'
        )
    morceaux.append('<g stroke="#ffffff" stroke-width="1">')
    for x, y, p in points_projetes:
        ex, ey = vers_ecran(x, y)
        couleur = couleurs.get(p.categorie, "#1b1b1b")
        infobulle = f"<title>{escape(p.titre)}</title>" if p.titre else ""
        morceaux.append(f'<circle cx="{ex:.1f}" cy="{ey:.1f}" r="4.5" fill="{couleur}">{infobulle}</circle>')
    morceaux.append("</g></svg>")
    return "".join(morceaux)
