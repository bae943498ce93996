"""The diagnostic engine (maillage.diagnostic.moteur): pure, no database.

Points are placed in Lambert-93 metres (then converted to WGS84), so expected distances are exact.
"""

import dataclasses
import json
import math
import pickle

import numpy as np
import pytest
from pyproj import Geod, Transformer

from maillage.diagnostic import moteur
from maillage.diagnostic.moteur import CommuneEntree, Parametres, QPVEntree, StructureEntree

VERS_WGS84 = Transformer.from_crs(2154, 4326, always_xy=True)
GEOD = Geod(ellps="GRS80")
X0, Y0 = 652_000.0, 6_862_000.0  # Paris area, Lambert-93


def lonlat(dx_m: float, dy_m: float = 0.0) -> tuple[float, float]:
    return VERS_WGS84.transform(X0 + dx_m, Y0 + dy_m)


def commune(code, population, dx_m=None, dy_m=0.0, **kwargs) -> CommuneEntree:
    lon, lat = lonlat(dx_m, dy_m) if dx_m is not None else (None, None)
    return CommuneEntree(code=code, nom=f"Commune {code}", population=population, longitude=lon, latitude=lat, **kwargs)


def structure(id, code, dx_m=None, dy_m=0.0, **kwargs) -> StructureEntree:
    lon, lat = lonlat(dx_m, dy_m) if dx_m is not None else (None, None)
    return StructureEntree(
        id=id, nom=f"Structure {id}", type="centre_social", commune=code, longitude=lon, latitude=lat, **kwargs
    )


def carre(dx_m: float, dy_m: float, demi_cote_m: float) -> str:
    """A square QPV outline centred on (dx, dy) from the origin, as GeoJSON text in WGS84."""
    coins = [(-1, -1), (1, -1), (1, 1), (-1, 1), (-1, -1)]
    anneau = [list(lonlat(dx_m + a * demi_cote_m, dy_m + b * demi_cote_m)) for a, b in coins]
    return json.dumps({"type": "Polygon", "coordinates": [anneau]})


def par_code(resultat):
    return {c.code: c for c in resultat.communes}


# A: 10,000 inhabitants, hosts structure 1 (whose zone also lists D); B at 1 km; C at 10 km; D at 20 km.
COMMUNES = [
    commune("A", 10_000, 0),
    commune("B", 5_000, 1_000),
    commune("C", 2_000, 10_000),
    commune("D", 1_000, 20_000),
]
STRUCTURES = [structure(1, "A", 0, zone_communes=("D",))]


def test_couverture_situee_zone_et_distance():
    r = par_code(moteur.diagnostiquer(communes=COMMUNES, qpv=[], structures=STRUCTURES))

    assert (r["A"].structures, r["A"].structures_situees, r["A"].distance_structure_km) == (1, 1, 0.0)
    assert r["A"].couverte is True
    # B: no competent structure, 1 km from structure 1 ≤ 2 km.
    assert (r["B"].structures, r["B"].distance_structure_km, r["B"].couverte) == (0, 1.0, True)
    # C: 10 km away, not competent: not covered.
    assert (r["C"].structures, r["C"].distance_structure_km, r["C"].couverte) == (0, 10.0, False)
    # D: 20 km away but in the zone de compétence: covered.
    assert (r["D"].structures, r["D"].structures_situees, r["D"].distance_structure_km) == (1, 0, 20.0)
    assert r["D"].couverte is True
    assert {c.structure_proche for c in r.values()} == {1}


def test_distance_de_couverture_parametrable():
    r = par_code(
        moteur.diagnostiquer(
            communes=COMMUNES, qpv=[], structures=STRUCTURES, parametres=Parametres(distance_couverture_km=0.5)
        )
    )
    assert r["B"].couverte is False
    r = par_code(
        moteur.diagnostiquer(
            communes=COMMUNES, qpv=[], structures=STRUCTURES, parametres=Parametres(distance_couverture_km=10)
        )
    )
    assert r["C"].couverte is True


def test_structures_pour_10000_habitants():
    structures = [*STRUCTURES, structure(2, "A", 50), structure(3, "C", 10_000)]
    communes = [*COMMUNES, commune("E", None, 30_000), commune("F", 0, 40_000)]
    r = par_code(moteur.diagnostiquer(communes=communes, qpv=[], structures=structures))
    assert r["A"].structures_pour_10000_habitants == 2.0  # 2 structures for 10,000 inhabitants
    assert r["C"].structures_pour_10000_habitants == 5.0  # 1 for 2,000
    assert r["B"].structures_pour_10000_habitants == 0.0
    assert r["D"].structures_pour_10000_habitants == 10.0  # competent through the zone: 1 for 1,000
    assert r["E"].structures_pour_10000_habitants is None  # unknown population
    assert r["F"].structures_pour_10000_habitants is None  # no inhabitant
    assert r["E"].population == 0


def test_une_structure_comptee_une_fois_meme_si_sa_zone_liste_sa_commune():
    structures = [structure(1, "A", 0, zone_communes=("A", "A", "D", "inconnue"))]
    r = par_code(moteur.diagnostiquer(communes=COMMUNES, qpv=[], structures=structures))
    assert r["A"].structures == 1
    assert r["D"].structures == 1


def test_regles_qpv():
    qpv = [
        QPVEntree("Q_dedans", "structure dans le contour", ("C",), geometrie=carre(10_000, 5_000, 100)),
        QPVEntree("Q_tampon", "structure à 300 m du contour", ("C",), geometrie=carre(10_000, 5_500 + 300, 100)),
        QPVEntree("Q_loin", "contour loin de tout, commune équipée", ("A",), geometrie=carre(-5_000, 0, 200)),
        QPVEntree("Q_zone", "sans contour, zone de compétence", ("C",)),
        QPVEntree("Q_communes", "sans contour, commune équipée", ("A", "B")),
        QPVEntree("Q_sans", "sans contour, commune non équipée", ("C",)),
    ]
    structures = [
        *STRUCTURES,
        # Structure 7 sits inside Q_dedans; its zone lists Q_zone. Its commune "X" is outside the territory.
        structure(7, "X", 10_000, 5_000, zone_qpv=("Q_zone", "QPV inconnu")),
        # Structure 8 is 300 m from Q_tampon's outline (south of it) and 300 m from Q_dedans' one (north of it).
        structure(8, "X", 10_000, 5_400),
    ]
    resultat = moteur.diagnostiquer(communes=COMMUNES, qpv=qpv, structures=structures)
    q = {x.code: x for x in resultat.qpv}
    assert (q["Q_dedans"].servi, q["Q_dedans"].regle, q["Q_dedans"].structures) == (True, "geometrie", (7, 8))
    assert (q["Q_tampon"].servi, q["Q_tampon"].regle, q["Q_tampon"].structures) == (True, "geometrie", (8,))
    # With an outline, the communes rule does not apply: A has a structure, the quartier is 5 km away.
    assert (q["Q_loin"].servi, q["Q_loin"].regle, q["Q_loin"].structures) == (False, "geometrie", ())
    assert (q["Q_zone"].servi, q["Q_zone"].regle, q["Q_zone"].structures) == (True, "zone", (7,))
    assert (q["Q_communes"].servi, q["Q_communes"].regle, q["Q_communes"].structures) == (True, "communes", (1,))
    assert (q["Q_sans"].servi, q["Q_sans"].regle, q["Q_sans"].structures) == (False, "communes", ())

    # A smaller buffer: structure 8 (300 m away) no longer serves Q_tampon.
    petit = moteur.diagnostiquer(
        communes=COMMUNES, qpv=qpv, structures=structures, parametres=Parametres(tampon_qpv_m=200)
    )
    q = {x.code: x for x in petit.qpv}
    assert (q["Q_tampon"].servi, q["Q_tampon"].regle, q["Q_tampon"].structures) == (False, "geometrie", ())
    assert q["Q_dedans"].structures == (7,)

    # Per commune: C has Q_dedans, Q_tampon, Q_zone, Q_sans (only Q_sans unserved); A has Q_loin and Q_communes.
    r = par_code(resultat)
    assert (r["C"].qpv, r["C"].qpv_sans_structure) == (4, 1)
    assert (r["A"].qpv, r["A"].qpv_sans_structure) == (2, 1)
    assert (r["B"].qpv, r["B"].qpv_sans_structure) == (1, 0)
    assert (resultat.synthese.qpv_total, resultat.synthese.qpv_sans_structure) == (6, 2)


def test_zone_qpv_avant_la_regle_des_communes_et_contour_invalide_ignore():
    qpv = [
        QPVEntree("Q1", "zone", ("A",)),
        QPVEntree("Q2", "contour illisible", ("A",), geometrie="{pas du json"),
        QPVEntree("Q3", "un point n'est pas un contour", ("C",), geometrie='{"type": "Point", "coordinates": [2, 48]}'),
    ]
    structures = [structure(1, "A", 0), structure(2, "C", 10_000, zone_qpv=("Q1",))]
    q = {x.code: x for x in moteur.diagnostiquer(communes=COMMUNES, qpv=qpv, structures=structures).qpv}
    assert (q["Q1"].regle, q["Q1"].structures) == ("zone", (2,))
    assert (q["Q2"].servi, q["Q2"].regle, q["Q2"].structures) == (True, "communes", (1,))
    assert (q["Q3"].servi, q["Q3"].regle, q["Q3"].structures) == (True, "communes", (2,))


def test_synthese():
    qpv = [QPVEntree("Q1", "q1", ("C",)), QPVEntree("Q2", "q2", ("A",))]
    structures = [*STRUCTURES, structure(2, "hors territoire", 50_000)]
    resultat = moteur.diagnostiquer(communes=COMMUNES, qpv=qpv, structures=structures)
    s = resultat.synthese
    assert s.population == 18_000
    assert s.population == sum(c.population for c in resultat.communes)
    assert s.population_couverte == 16_000  # A, B, D
    assert s.population_couverte == sum(c.population for c in resultat.communes if c.couverte)
    assert s.part_population_couverte == pytest.approx(16_000 / 18_000)
    assert s.communes == 4
    assert s.communes_sans_structure == 2  # B and C: no competent structure (B is covered by distance)
    assert (s.qpv_total, s.qpv_sans_structure) == (2, 1)
    assert s.structures == 1  # structure 2 is neither located in nor competent for the territory


def test_score_detail_et_normalisation():
    resultat = moteur.diagnostiquer(communes=COMMUNES, qpv=[], structures=STRUCTURES)
    r = par_code(resultat)
    assert resultat.bas_revenus_disponible is False
    # No low-income figure anywhere: 3 components, the 0.15 weight redistributed over 0.85.
    c = r["C"]
    assert list(c.score_detail) == ["population", "distance", "qpv"]
    attendu_population = round(100 * 0.25 / 0.85 * math.log10(2_001) / math.log10(100_001), 2)
    attendu_distance = round(100 * 0.35 / 0.85 * min(1, 10 / (5 * 2)), 2)
    assert c.score_detail == {"population": attendu_population, "distance": attendu_distance, "qpv": 0.0}
    assert c.score_priorite == pytest.approx(attendu_population + attendu_distance)
    assert c.rang == 1
    # Covered communes without QPV problem are not territoires prioritaires.
    for code in "ABD":
        assert (r[code].score_priorite, r[code].rang) == (0.0, None)
        assert set(r[code].score_detail.values()) == {0.0}


def test_score_bas_revenus_et_redistribution_par_commune():
    communes = [
        commune("P", 20_000, 30_000, indicateurs={"personnes_bas_revenus": 4_000}),  # share 0.2 → 0.4
        commune("Q", 20_000, 30_000, 1_000),  # same, without the indicator
        commune("A", 10_000, 0),
    ]
    resultat = moteur.diagnostiquer(communes=communes, qpv=[], structures=[structure(1, "A", 0)])
    r = par_code(resultat)
    assert resultat.bas_revenus_disponible is True
    p, q = r["P"], r["Q"]
    assert list(p.score_detail) == ["population", "distance", "qpv", "bas_revenus"]
    population_norme = math.log10(20_001) / math.log10(100_001)
    assert p.score_detail["population"] == round(25 * population_norme, 2)
    assert p.score_detail["distance"] == 35.0  # 30 km ≥ 5 × 2 km
    assert p.score_detail["bas_revenus"] == round(15 * 0.4, 2)
    # Q has no figure: its bas_revenus weight goes to the other components (sum of weights 0.85).
    assert q.score_detail["bas_revenus"] == 0.0
    assert q.score_detail["distance"] == round(100 * 0.35 / 0.85, 2)
    for c in (p, q):
        assert sum(c.score_detail.values()) == pytest.approx(c.score_priorite, abs=1e-9)
    # Q (more weight on its distance) comes first.
    assert (q.rang, p.rang, r["A"].rang) == (1, 2, None)


def test_poids_parametres():
    communes = [commune("C", 2_000, 10_000), commune("A", 10_000, 0)]
    seulement_distance = Parametres(poids={"population": 0, "distance": 1, "qpv": 0, "bas_revenus": 0})
    r = par_code(
        moteur.diagnostiquer(
            communes=communes, qpv=[], structures=[structure(1, "A", 0)], parametres=seulement_distance
        )
    )
    assert r["C"].score_detail == {"population": 0.0, "distance": 100.0, "qpv": 0.0}
    assert r["C"].score_priorite == 100.0
    # A missing key takes its default weight; a negative one counts as 0.
    assert moteur.poids_normalises(Parametres(poids={"distance": -3})) == {
        "population": 0.25,
        "distance": 0.0,
        "qpv": 0.25,
        "bas_revenus": 0.15,
    }


def test_rangs_des_territoires_prioritaires():
    communes = [
        commune("A", 10_000, 0),
        commune("L1", 500, 50_000),  # far, small
        commune("L2", 50_000, 50_000, 3_000),  # far, large: first
        commune("L3", 500, 50_000, 6_000),  # same score as L1: tie broken by population, then order
        commune("L4", 800, 50_000, 9_000),
        commune("V", 30_000, 500),  # covered, but one QPV without structure: prioritaire
    ]
    qpv = [QPVEntree("QV", "qv", ("V",), geometrie=carre(500, 4_000, 100))]
    resultat = moteur.diagnostiquer(communes=communes, qpv=qpv, structures=[structure(1, "A", 0)])
    r = par_code(resultat)
    assert r["V"].couverte is True and r["V"].qpv_sans_structure == 1
    assert r["V"].score_detail["qpv"] == round(100 * 0.25 / 0.85 * 0.5, 2)
    assert r["V"].score_detail["distance"] == round(100 * 0.35 / 0.85 * 0.5 / 10, 2)
    classes = sorted((c for c in resultat.communes if c.rang is not None), key=lambda c: c.rang)
    # L2 (largest), L4 (800 inhabitants), L1 and L3 (500: same score, caller's order), V (covered, QPV).
    assert [c.code for c in classes] == ["L2", "L4", "L1", "L3", "V"]
    assert [c.rang for c in classes] == list(range(1, 6))
    scores = [c.score_priorite for c in classes]
    assert scores == sorted(scores, reverse=True)
    assert r["L1"].score_priorite == r["L3"].score_priorite and r["L1"].rang < r["L3"].rang
    assert r["A"].rang is None


def test_donnees_manquantes_sans_erreur():
    communes = [
        commune("A", 10_000, 0),
        commune("sans_point", 3_000),
        commune("rien", None),
    ]
    structures = [
        structure(1, "A"),  # no position: its commune's point
        structure(2, "sans_point"),  # no position anywhere: competence only
        structure(3, "inconnue"),  # nothing usable
    ]
    qpv = [QPVEntree("Q", "q", ("rien", "inconnue")), QPVEntree("Q2", "q2", ())]
    resultat = moteur.diagnostiquer(communes=communes, qpv=qpv, structures=structures)
    r = par_code(resultat)
    assert (r["A"].distance_structure_km, r["A"].structure_proche) == (0.0, 1)
    assert (r["sans_point"].structures, r["sans_point"].distance_structure_km, r["sans_point"].couverte) == (
        1,
        0.0,
        True,
    )
    rien = r["rien"]
    assert (rien.population, rien.distance_structure_km, rien.structure_proche, rien.couverte) == (0, None, None, False)
    assert rien.score_detail["distance"] == round(100 * 0.35 / 0.85, 2)  # unknown distance: the farthest
    assert resultat.synthese.population == 13_000
    assert resultat.synthese.structures == 2


def test_entrees_vides():
    vide = moteur.diagnostiquer(communes=[], qpv=[], structures=[])
    assert vide.communes == [] and vide.qpv == []
    assert vide.synthese.part_population_couverte is None
    seules = moteur.diagnostiquer(communes=COMMUNES, qpv=[QPVEntree("Q", "q", ("A",))], structures=[])
    assert all(c.distance_structure_km is None and not c.couverte for c in seules.communes)
    assert seules.synthese.population_couverte == 0 and seules.synthese.qpv_sans_structure == 1


# Overseas and metropolitan pairs (lon, lat): the engine's distance must match the ellipsoidal one within 1 %.
PAIRES = {
    "Réunion (Saint-Denis 97411 → Sainte-Marie)": ((55.4504, -20.8823), (55.5494, -20.8969)),
    "Guadeloupe (Pointe-à-Pitre → Le Gosier)": ((-61.5340, 16.2410), (-61.4931, 16.2064)),
    "Martinique (Fort-de-France → Le Lamentin)": ((-61.0742, 14.6161), (-61.0012, 14.6097)),
    "Guyane (Cayenne → Kourou)": ((-52.3300, 4.9333), (-52.6500, 5.1600)),
    "Mayotte (Mamoudzou → Dzaoudzi)": ((45.2272, -12.7806), (45.2810, -12.7870)),
    "Corse (Ajaccio → Bastia)": ((8.7369, 41.9192), (9.4500, 42.7000)),
    "Métropole (Lille → Strasbourg)": ((3.0573, 50.6292), (7.7521, 48.5734)),
}


@pytest.mark.parametrize("nom", PAIRES)
def test_distances_justes_outre_mer_et_metropole(nom):
    (lon_a, lat_a), (lon_b, lat_b) = PAIRES[nom]
    communes = [CommuneEntree("97411", "Saint-Denis", 150_000, lon_a, lat_a)]
    structures = [StructureEntree(-1, "Hypothétique", "evs", "autre", lon_b, lat_b)]
    resultat = moteur.diagnostiquer(communes=communes, qpv=[], structures=structures)
    attendu_km = GEOD.inv(lon_a, lat_a, lon_b, lat_b)[2] / 1000
    assert resultat.communes[0].distance_structure_km == pytest.approx(attendu_km, rel=0.01)
    assert resultat.communes[0].structure_proche == -1  # hypothetical structures have negative ids


def test_zones_de_projection():
    zones, epsg = moteur.zones_des_points(
        np.array([2.35, 9.45, -61.53, -61.07, -52.33, 55.45, 45.23, -56.17, 166.45, np.nan]),
        np.array([48.85, 42.70, 16.24, 14.62, 4.93, -20.88, -12.78, 46.78, -22.27, 1.0]),
    )
    assert [epsg[z] if z >= 0 else None for z in zones.tolist()] == [
        2154,
        2154,
        5490,
        5490,
        2972,
        2975,
        4471,
        4467,
        32758,  # outside the known zones (Nouméa): WGS84 / UTM 58S
        None,
    ]


def test_saint_denis_sans_structure_dans_sa_zone_distance_grand_cercle():
    communes = [CommuneEntree("97411", "Saint-Denis", 150_000, 55.4504, -20.8823)]
    structures = [StructureEntree(1, "CS de Paris", "centre_social", "75056", 2.3488, 48.8534)]
    resultat = moteur.diagnostiquer(communes=communes, qpv=[], structures=structures)
    attendu_km = GEOD.inv(55.4504, -20.8823, 2.3488, 48.8534)[2] / 1000
    assert resultat.communes[0].distance_structure_km == pytest.approx(attendu_km, rel=0.01)
    assert resultat.communes[0].couverte is False


def test_resultat_paresseux_comparable_et_serialisable():
    resultat = moteur.diagnostiquer(communes=COMMUNES, qpv=[QPVEntree("Q", "q", ("C",))], structures=STRUCTURES)
    copie = pickle.loads(pickle.dumps(resultat))  # rows not built yet: the columns travel
    assert copie == resultat
    assert copie.communes == resultat.communes
    assert pickle.loads(pickle.dumps(resultat)) == resultat  # rows built
    assert dataclasses.asdict(resultat)["communes"][0]["code"] == "A"
    with pytest.raises(AttributeError):
        resultat.inexistant  # noqa: B018


def test_memoire_des_entrees_jamais_perimee():
    communes = list(COMMUNES)
    premier = par_code(moteur.diagnostiquer(communes=communes, qpv=[], structures=STRUCTURES))
    assert premier["B"].distance_structure_km == 1.0
    # Same length, same first and last objects, one entry replaced: the change must be seen.
    communes[1] = commune("B", 5_000, 3_000)
    second = par_code(moteur.diagnostiquer(communes=communes, qpv=[], structures=STRUCTURES))
    assert (second["B"].distance_structure_km, second["B"].couverte) == (3.0, False)


def test_echelle_nationale_synthetique():
    """≈ 35,000 communes, 1,500 QPV with outlines, 4,000 structures: completes and stays consistent (timing: bench)."""
    rng = np.random.default_rng(4)
    n, nq, ns = 35_000, 1_500, 4_000
    lon, lat = rng.uniform(-4.5, 7.5, n), rng.uniform(42.5, 50.5, n)
    population = rng.lognormal(6.5, 1.6, n).astype(int)
    communes = [
        CommuneEntree(f"{i:05d}", f"C{i}", int(population[i]), float(lon[i]), float(lat[i]), epci=f"E{i // 20}")
        for i in range(n)
    ]
    communes[7] = dataclasses.replace(communes[7], longitude=None, latitude=None, population=None)
    hotes = rng.integers(0, n, nq)
    qpv = [
        QPVEntree(
            f"QN{k:05d}",
            f"Q{k}",
            (communes[h].code,),
            geometrie=json.dumps(
                {
                    "type": "Polygon",
                    "coordinates": [
                        [
                            [lon[h] + dx, lat[h] + dy]
                            for dx, dy in [(0, 0), (0.005, 0), (0.005, 0.004), (0, 0.004), (0, 0)]
                        ]
                    ],
                }
            )
            if k % 2
            else None,
        )
        for k, h in enumerate(hotes.tolist())
    ]
    sieges = rng.integers(0, n, ns)
    structures = [
        StructureEntree(
            j + 1,
            f"S{j}",
            "evs",
            communes[i].code,
            communes[i].longitude,
            communes[i].latitude,
            zone_communes=(communes[(i + 1) % n].code,) if j % 3 == 0 else (),
        )
        for j, i in enumerate(sieges.tolist())
    ]
    resultat = moteur.diagnostiquer(communes=communes, qpv=qpv, structures=structures)
    assert len(resultat.communes) == n and len(resultat.qpv) == nq
    s = resultat.synthese
    assert s.population == sum(c.population for c in resultat.communes)
    assert s.population_couverte == sum(c.population for c in resultat.communes if c.couverte)
    assert s.qpv_sans_structure == sum(1 for q in resultat.qpv if not q.servi)
    assert {q.regle for q in resultat.qpv} <= {"geometrie", "zone", "communes"}
    rangs = sorted(c.rang for c in resultat.communes if c.rang is not None)
    assert rangs == list(range(1, len(rangs) + 1))
    assert all(c.distance_structure_km == 0 for c in resultat.communes if c.structures_situees)


def test_simulation_memes_communes_autres_structures():
    communes = list(COMMUNES)
    avant = moteur.diagnostiquer(communes=communes, qpv=[QPVEntree("Q", "q", ("C",))], structures=STRUCTURES)
    ajout = structure(-1, "C", 10_000)
    apres = moteur.diagnostiquer(communes=communes, qpv=[QPVEntree("Q", "q", ("C",))], structures=[*STRUCTURES, ajout])
    assert (par_code(avant)["C"].couverte, par_code(apres)["C"].couverte) == (False, True)
    assert (avant.qpv[0].servi, apres.qpv[0].servi, apres.qpv[0].structures) == (False, True, (-1,))
    assert (avant.synthese.population_couverte, apres.synthese.population_couverte) == (16_000, 18_000)
    assert par_code(apres)["C"].rang is None and par_code(avant)["C"].rang == 1


def test_parametres_decimaux():
    from decimal import Decimal

    parametres = Parametres(distance_couverture_km=Decimal("0.50"), tampon_qpv_m=Decimal("200"))
    r = par_code(moteur.diagnostiquer(communes=COMMUNES, qpv=[], structures=STRUCTURES, parametres=parametres))
    assert r["B"].couverte is False
    assert r["C"].score_detail["distance"] == round(100 * 0.35 / 0.85, 2)  # 10 km ≥ 5 × 0.5 km


def test_meme_resultat_avec_ou_sans_second_fil(monkeypatch):
    rng = np.random.default_rng(2)
    n = moteur.SEUIL_FIL + 100
    lon, lat = rng.uniform(1.5, 3.5, n), rng.uniform(48.0, 49.5, n)
    communes = [CommuneEntree(f"{i:05d}", f"C{i}", 1_000 + i, float(lon[i]), float(lat[i])) for i in range(n)]
    structures = [
        StructureEntree(j, f"S{j}", "evs", communes[i].code, communes[i].longitude, communes[i].latitude)
        for j, i in enumerate(rng.integers(0, n, 300).tolist())
    ]
    avec_fil = moteur.diagnostiquer(communes=communes, qpv=[], structures=structures)
    monkeypatch.setattr(moteur, "SEUIL_FIL", 10**9)
    sans_fil = moteur.diagnostiquer(communes=communes, qpv=[], structures=structures)
    assert avec_fil == sans_fil
    assert sum(c.couverte for c in avec_fil.communes) > 300
