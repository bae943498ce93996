"""Map indicators, colour classes and legends of the diagnostic (pure module: no database)."""

import ast
import pathlib
from types import SimpleNamespace

import pytest

from maillage.diagnostic import presentation
from maillage.diagnostic.models import Indicateur


def _commune(**valeurs):
    base = {
        "code": "94001",
        "nom": "Commune",
        "population": 12_000,
        "couverte": True,
        "structures": 1,
        "structures_pour_10000_habitants": 0.8,
        "distance_structure_km": 0,
        "score_priorite": 12.5,
        "qpv_sans_structure": 0,
    }
    return SimpleNamespace(**{**base, **valeurs})


def test_module_pur():
    arbre = ast.parse(pathlib.Path(presentation.__file__).read_text())
    modules = {n.module for n in ast.walk(arbre) if isinstance(n, ast.ImportFrom)}
    modules |= {a.name for n in ast.walk(arbre) if isinstance(n, ast.Import) for a in n.names}
    assert not any(m.startswith("django") for m in modules)
    assert presentation.BAS_REVENUS == Indicateur.PERSONNES_BAS_REVENUS


@pytest.mark.parametrize(("valeur", "attendu"), [(-1, 0), (0, 0), (19.9, 0), (20, 1), (59, 2), (79.99, 3), (80, 4)])
def test_palier(valeur, attendu):
    assert presentation.palier(valeur, [20, 40, 60, 80]) == attendu


@pytest.mark.parametrize(
    ("indicateur", "valeurs", "attendu"),
    [
        ("couverture", {"couverte": True}, 0),
        ("couverture", {"couverte": False}, 4),
        ("densite", {"structures_pour_10000_habitants": None}, "nd"),
        ("densite", {"structures_pour_10000_habitants": 0}, 4),
        ("densite", {"structures_pour_10000_habitants": 0.4}, 3),
        ("densite", {"structures_pour_10000_habitants": 0.5}, 2),
        ("densite", {"structures_pour_10000_habitants": 1.5}, 1),
        ("densite", {"structures_pour_10000_habitants": 2}, 0),
        ("distance", {"distance_structure_km": None}, "nd"),
        ("distance", {"distance_structure_km": 0}, 0),
        ("distance", {"distance_structure_km": 0.5}, 1),
        ("distance", {"distance_structure_km": 1}, 2),
        ("distance", {"distance_structure_km": 4.9}, 3),
        ("distance", {"distance_structure_km": 5}, 4),
        ("score", {"score_priorite": 85}, 4),
        ("qpv", {"qpv_sans_structure": 0}, 0),
        ("qpv", {"qpv_sans_structure": 1}, 2),
        ("qpv", {"qpv_sans_structure": 3}, 4),
        ("inconnu", {}, "nd"),
    ],
)
def test_classe(indicateur, valeurs, attendu):
    assert presentation.classe(indicateur, _commune(**valeurs), {}, []) == attendu


def test_classe_bas_revenus():
    caf = {"94001": {presentation.BAS_REVENUS: 250.0}}
    assert presentation.classe("bas_revenus", _commune(), caf, [100, 200, 300]) == 2
    assert presentation.classe("bas_revenus", _commune(code="94002"), caf, [100, 200, 300]) == "nd"


@pytest.mark.parametrize(
    ("valeurs", "attendu"),
    [
        ([], []),
        ([7], [8]),
        ([3, 1, 2], [2, 3]),
        ([5, 5, 5], [6]),
        (list(range(10)), [2, 4, 6, 8]),
        ([1, 1, 1, 1, 1, 1, 9], [1]),
    ],
)
def test_quantiles(valeurs, attendu):
    assert presentation.quantiles(valeurs) == attendu


def test_legende_quantiles():
    assert presentation.legende_quantiles([]) == []
    assert presentation.legende_quantiles([1000, 2500.5]) == [
        (0, "moins de 1\u202f000"),
        (1, "de 1\u202f000 à moins de 2\u202f500"),
        (2, "2\u202f500 ou plus"),
    ]


def test_quantiles_et_legende():
    assert presentation.quantiles_et_legende("score", {}) == ([], presentation.LEGENDES["score"])
    caf = {f"9400{i}": {presentation.BAS_REVENUS: float(i)} for i in range(10)} | {"94100": {}}
    bornes, legende = presentation.quantiles_et_legende("bas_revenus", caf)
    assert bornes == [2, 4, 6, 8]
    assert legende[0] == (0, "moins de 2") and legende[-1] == (4, "8 ou plus")


def test_legendes_couvrent_les_indicateurs():
    assert set(presentation.LEGENDES) == set(presentation.INDICATEURS_CARTE)


@pytest.mark.parametrize(
    ("demande", "voir_caf", "attendu"),
    [
        (None, False, "couverture"),
        ("", True, "couverture"),
        ("score", False, "score"),
        ("bas_revenus", False, "couverture"),
        ("bas_revenus", True, "bas_revenus"),
        ("n'importe quoi", True, "couverture"),
    ],
)
def test_choix_indicateur(demande, voir_caf, attendu):
    indicateur, choix = presentation.choix_indicateur(demande, voir_caf)
    assert indicateur == attendu
    assert ("bas_revenus" in choix) is voir_caf


def test_donnees_carte():
    resultat = SimpleNamespace(
        communes=[_commune(), _commune(code="94002", nom="Autre", couverte=False, score_priorite=61)],
        qpv=[SimpleNamespace(code="QN09401M", servi=False)],
    )
    structures = [
        {"longitude": 2.4, "latitude": 48.8, "type": "evs", "nom": "EVS", "url": "/s/1/"},
        {"longitude": None, "latitude": None, "type": "evs", "nom": "Sans position"},
    ]
    ajouts = [{"longitude": 2.5, "latitude": 48.9, "type": "centre_social", "nom": "Hypothèse"}]
    donnees = presentation.donnees_carte(resultat, "score", {}, [], structures, ajouts=ajouts)
    assert donnees["communes"]["94001"] == [
        0,
        "Commune — 12\u202f000 hab. — couverte — 1 structure(s) — score 12,5",
    ]
    assert donnees["communes"]["94002"][0] == 3
    assert donnees["structures"] == [[2.4, 48.8, "evs", "EVS", "/s/1/"]]
    assert donnees["hypothetiques"] == [[2.5, 48.9, "centre_social", "Hypothèse"]]
    assert donnees["qpv"] == {"QN09401M": False}


def test_prioritaires():
    resultat = SimpleNamespace(communes=[SimpleNamespace(rang=2), SimpleNamespace(rang=None), SimpleNamespace(rang=1)])
    assert [c.rang for c in presentation.prioritaires(resultat)] == [1, 2]
