"""The engine's prepared inputs and incremental updates (issue 16) change no result.

On a reduced but real national sample (the bench's construction on seven départements: metropolitan France,
Corsica, Antilles, Réunion, Mayotte, so several projections), compared with the digest of the engine before
issue 16, and between the engine's paths: plain, prepared then unpickled (another process), already seen, and
updated after a few structures changed against a computation from scratch. The full national set is compared
the same way by `bench/diagnostic.py` (which fails when a result differs).
"""

import dataclasses
import importlib.util
import pickle
from pathlib import Path

import pytest

from maillage.diagnostic import moteur
from maillage.diagnostic.moteur import CommuneEntree, QPVEntree, StructureEntree

# bench/diagnostic.py, loaded by path: the bench folder is not put on sys.path (its module names are generic).
_spec = importlib.util.spec_from_file_location(
    "bench_diagnostic", Path(__file__).resolve().parents[2] / "bench" / "diagnostic.py"
)
bench_diagnostic = importlib.util.module_from_spec(_spec)
_spec.loader.exec_module(bench_diagnostic)

DEPARTEMENTS = ["2A", "2B", "971", "974", "976", "59", "13"]
# moteur.empreinte of the engine's result on this sample, computed with the engine before issue 16.
EMPREINTE_AVANT = "60c0edf572aa97361e1dbd436c94f11b7604a7da02af73a52ccf6da88db08f59"


@pytest.fixture(scope="module")
def echantillon():
    communes, qpv, structures, _ = bench_diagnostic.donnees_nationales(
        departements=DEPARTEMENTS, nb_structures=500, nb_qpv=200
    )
    return communes, qpv, structures


def _vider():
    moteur._TERRITOIRES.clear()
    moteur._QUARTIERS.clear()
    moteur._CONTOURS.clear()


def _de_zero(communes, qpv, structures, **options):
    """A computation with nothing prepared nor remembered."""
    _vider()
    return moteur.diagnostiquer(communes=communes, qpv=qpv, structures=structures, **options)


def _egaux(a, b):
    assert a.synthese == b.synthese
    assert a.communes == b.communes
    assert a.qpv == b.qpv


def test_meme_resultat_qu_avant_et_par_chaque_chemin(echantillon):
    communes, qpv, structures = echantillon
    simple = _de_zero(communes, qpv, structures)
    assert moteur.empreinte(simple, structures) == EMPREINTE_AVANT
    assert {q.regle for q in simple.qpv} >= {"geometrie", "zone"}

    preparation = moteur.preparer(communes, qpv)
    prepare = moteur.diagnostiquer(communes=communes, qpv=qpv, structures=structures, preparation=preparation)
    _egaux(prepare, simple)
    # Another process: the preparation's bytes (with the nearest structures of these structures), memos emptied.
    _vider()
    relue = pickle.loads(preparation.octets())
    assert relue.territoire.voisins is not None
    _egaux(moteur.diagnostiquer(communes=communes, qpv=qpv, structures=structures, preparation=relue), simple)
    # Prepared before any computation: no memo to start from.
    _vider()
    vierge = pickle.loads(moteur.preparer(communes, qpv).octets())
    assert vierge.territoire.voisins is None
    _egaux(moteur.diagnostiquer(communes=communes, qpv=qpv, structures=structures, preparation=vierge), simple)
    # Already seen, without a preparation (memo of the same entries).
    _egaux(moteur.diagnostiquer(communes=communes, qpv=qpv, structures=structures), simple)
    # A pickled result (the selectors' cache) builds the same rows.
    _egaux(pickle.loads(pickle.dumps(moteur.diagnostiquer(communes=communes, qpv=qpv, structures=structures))), simple)


def _variantes(structures, communes):
    """Successive structure lists: one moved, one added at a new point, one added on another's point (before
    it in the list), one removed, several moved at once, the first ones removed, all moved (too many changes)."""
    s = list(structures)
    deplacee = dataclasses.replace(s[10], longitude=s[10].longitude + 0.03, latitude=s[10].latitude - 0.02)
    une = [*s[:10], deplacee, *s[11:]]
    autre = communes[len(communes) // 2]
    ajout = StructureEntree(-1, "Hypothèse", "evs", autre.code, autre.longitude + 0.001, autre.latitude)
    deux = [*une, ajout]
    meme_point = StructureEntree(-2, "Au même point", "evs", s[40].commune, s[40].longitude, s[40].latitude)
    trois = [meme_point, *deux]
    quatre = [x for x in trois if x.id != s[40].id]
    plusieurs = [
        dataclasses.replace(x, longitude=x.longitude + 0.01) if i % 50 == 0 else x for i, x in enumerate(quatre)
    ]
    moins = plusieurs[5:]
    tout = [dataclasses.replace(x, latitude=x.latitude + 0.001) for x in moins]
    return [une, deux, trois, quatre, plusieurs, moins, tout, list(structures)]


def test_mises_a_jour_incrementales_egales_au_calcul_complet(echantillon, monkeypatch):
    communes, qpv, structures = echantillon
    _vider()
    preparation = moteur.preparer(communes, qpv)
    moteur.diagnostiquer(communes=communes, qpv=qpv, structures=structures, preparation=preparation)
    complets = []
    plus_proches = moteur._plus_proches

    def espion(territoire, *args):
        complets.append(territoire is preparation.territoire)  # False for the unpickled copies
        plus_proches(territoire, *args)

    octets = preparation.octets()
    monkeypatch.setattr(moteur, "_plus_proches", espion)
    parametres = moteur.Parametres()
    for k, variante in enumerate(_variantes(structures, communes)):
        if k == 5:  # another buffer: the QPV contacts are looked up again
            parametres = moteur.Parametres(tampon_qpv_m=300)
        increment = moteur.diagnostiquer(
            communes=communes, qpv=qpv, structures=variante, preparation=preparation, parametres=parametres
        )
        # From the original structures' memos, unpickled (STRtree not rebuilt: a few new points use the bounds).
        relue = pickle.loads(octets)
        depuis_l_origine = moteur.diagnostiquer(
            communes=communes, qpv=qpv, structures=variante, preparation=relue, parametres=parametres
        )
        complet = _de_zero(communes, qpv, variante, parametres=parametres)
        _egaux(increment, complet)
        _egaux(depuis_l_origine, complet)
    # On the in-process preparation, only "all moved" (too many changes) and the return to the original
    # structures after it queried every commune again; the other variants were updated.
    assert complets.count(True) == 2


def test_a_distance_egale_la_premiere_structure_des_entrees():
    communes = [
        CommuneEntree("A", "A", 100, 2.0, 48.0),
        CommuneEntree("B", "B", 100, 2.05, 48.0),
        CommuneEntree("C", "C", 100, 2.3, 48.0),
    ]
    s5 = StructureEntree(5, "S5", "evs", "A", 2.0, 48.0)
    s3 = StructureEntree(3, "S3", "evs", "A", 2.0, 48.0)
    for ordre in ([s5, s3], [s3, s5]):
        for _ in range(2):  # plain, then from the memo
            r = {c.code: c for c in moteur.diagnostiquer(communes=communes, qpv=[], structures=ordre).communes}
            assert r["A"].structure_proche == ordre[0].id  # located in A: the first one (unchanged rule)
            assert r["B"].structure_proche == ordre[0].id  # nearest point shared by both: the first one
            assert r["C"].structure_proche == ordre[0].id


def test_une_preparation_d_autres_entrees_est_refusee(echantillon):
    communes, qpv, structures = echantillon
    preparation = moteur.preparer(communes[:10], qpv)
    with pytest.raises(ValueError, match="La préparation ne correspond pas"):
        moteur.diagnostiquer(communes=communes, qpv=qpv, structures=structures, preparation=preparation)


def test_preparation_sans_qpv_ni_contour():
    communes = [CommuneEntree("A", "A", 100, 2.0, 48.0, epci=None), CommuneEntree("B", "Bé", None, None, None)]
    qpv = [QPVEntree("Q1", "Q1", ("A",))]
    preparation = pickle.loads(moteur.preparer(communes, qpv).octets())
    assert preparation.territoire.codes == ["A", "B"] and preparation.territoire.epci == [None, None]
    structures = [StructureEntree(1, "S", "evs", "A", None, None)]
    r = moteur.diagnostiquer(communes=communes, qpv=qpv, structures=structures, preparation=preparation)
    _egaux(r, _de_zero(communes, qpv, structures))
    assert r.qpv[0].regle == "communes" and r.qpv[0].servi


def test_resultat_mis_en_cache_avant_ces_changements_relisible():
    """A Resultat pickled by the previous engine (its territory's state: the three lists) still builds its rows."""
    communes = [CommuneEntree("A", "Alpha", 100, 2.0, 48.0, epci="E1"), CommuneEntree("B", "Bêta", 50, 2.1, 48.0)]
    resultat = moteur.diagnostiquer(communes=communes, qpv=[], structures=[])
    attendu = pickle.loads(pickle.dumps(resultat)).communes
    ancien = moteur._Territoire.__new__(moteur._Territoire)
    ancien.__setstate__({"codes": ["A", "B"], "noms": ["Alpha", "Bêta"], "epci": ["E1", None]})
    colonnes = resultat.__dict__["_colonnes_communes"]
    relu = moteur._lignes_communes(ancien, *colonnes[1:])
    assert relu == attendu
