"""The plaquette's pure parts: the SVG map of the structures, the counts of choices and tables, rules in words."""

import json
import re
from collections import Counter

from maillage.observatoire.resultats import carte_svg, plaquette
from maillage.observatoire.resultats.carte_svg import Point


def carre(lon, lat, cote=0.04):
    anneau = [[lon, lat], [lon + cote, lat], [lon + cote, lat + cote], [lon, lat + cote], [lon, lat]]
    return json.dumps({"type": "Polygon", "coordinates": [anneau]})


def cercles(svg):
    return [(float(x), float(y)) for x, y in re.findall(r'<circle cx="([\d.]+)" cy="([\d.]+)"', svg)]


def test_carte_contours_points_et_cadre():
    contours = [carre(2.40, 48.78), carre(2.44, 48.78), {"type": "Polygon", "coordinates": []}, "pas du json", ""]
    points = [Point(2.41, 48.79, "cs", "Centre & co"), Point(2.47, 48.81, "evs", "EVS <b>")]
    svg = carte_svg.carte(contours, points, couleurs={"cs": "#111111", "evs": "#222222"}, largeur=400, hauteur=400)
    assert svg.startswith('<svg xmlns="http://www.w3.org/2000/svg"')
    # Two readable outlines drawn (unreadable ones are skipped), plus the outer outline of the whole.
    assert len(re.findall(r'<path d="M', svg)) == 3
    largeur, hauteur = map(int, re.search(r'viewBox="0 0 (\d+) (\d+)"', svg).groups())
    # Two squares of 0.04° side by side: 5.9 km wide, 4.4 km high in Lambert-93; the frame keeps that ratio.
    assert largeur == 400 and 290 < hauteur < 320
    (x1, y1), (x2, y2) = cercles(svg)
    assert 0 <= x1 < x2 <= largeur and 0 <= y2 < y1 <= hauteur  # east is right, north is up
    assert 'fill="#111111"' in svg and 'fill="#222222"' in svg
    assert "Centre &amp; co" in svg and "EVS &lt;b&gt;" in svg  # titles escaped
    # Every coordinate drawn lies inside the frame.
    nombres = [float(n) for d in re.findall(r'd="([^"]+)"', svg) for n in re.findall(r"[\d.]+", d)]
    assert all(-0.5 <= n <= largeur + 0.5 for n in nombres)


def test_carte_simplifie_les_contours_detailles():
    # A circle-like outline with 2,000 vertices is reduced to what the printed size can show.
    import math

    anneau = [[2.4 + 0.05 * math.cos(t / 318.3), 48.8 + 0.03 * math.sin(t / 318.3)] for t in range(2000)]
    anneau.append(anneau[0])
    svg = carte_svg.carte([{"type": "Polygon", "coordinates": [anneau]}], [], couleurs={}, largeur=300, hauteur=300)
    premier = re.search(r'<path d="([^"]+)"', svg).group(1)
    assert premier.count("L") < 300


def test_carte_sans_contour_ni_point():
    assert carte_svg.carte([], [], couleurs={}) == ""
    # Dots only: the frame fits them.
    svg = carte_svg.carte([], [Point(2.4, 48.8, "x"), Point(2.5, 48.9, "x")], couleurs={}, largeur=200, hauteur=200)
    assert len(cercles(svg)) == 2 and "<path" not in svg


def test_compter_choix_et_lignes():
    valeurs = [
        {"part_commune": "convention", "proj_enjeux": ["a", "b", "a"]},
        {"part_commune": "non", "proj_enjeux": ["b"]},
        {"proj_actions_themes": {"jeunesse": {"actions": 3, "participants": 10}, "seniors": {"actions": 0}}},
        {"proj_actions_themes": {"jeunesse": {"actions": 2}, "bidon": "x"}},
        {"proj_actions_themes": "pas un tableau"},
    ]
    assert plaquette.compter_choix(valeurs, "part_commune") == Counter({"convention": 1, "non": 1})
    assert plaquette.compter_choix(valeurs, "proj_enjeux") == Counter({"a": 1, "b": 2})  # once per structure
    structures, actions = plaquette.compter_lignes(valeurs, "proj_actions_themes", "actions")
    assert structures == Counter({"jeunesse": 2})  # a row of zeros is not an action
    assert actions == Counter({"jeunesse": 5, "seniors": 0})
    elements = [{"code": "seniors", "libelle": "Seniors"}, {"code": "jeunesse", "libelle": "Jeunesse"}]
    assert plaquette.serie(actions, elements) == [("Jeunesse", 5)]
    assert plaquette.serie(Counter({"seniors": 1, "jeunesse": 4, "autre": 2}), elements, trier=False) == [
        ("Seniors", 1), ("Jeunesse", 4), ("autre", 2),
    ]  # fmt: skip


def test_regles_en_clair():
    questions = {"a": {"libelle": "Produits"}, "b": {"libelle": "Charges"}, "r": {"libelle": "Résultat"}}
    assert plaquette.regle_en_clair({"type": "difference_egale", "a": "a", "b": "b", "resultat": "r"}, questions) == (
        "Produits − Charges = Résultat"
    )
    assert plaquette.regle_en_clair({"type": "inferieur_ou_egal", "gauche": ["b"], "droite": "a"}, questions) == (
        "Charges ne dépasse pas Produits"
    )
    assert (
        plaquette.regle_en_clair(
            {"type": "reserve", "message": "{questions} : les prestations sont réservées."}, questions
        )
        == "Les prestations sont réservées."
    )
