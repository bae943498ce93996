"""Services of the diagnostic: parameters and scenarios (permissions, French validation, nothing half-written)."""

import datetime

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from maillage.comptes.models import Role
from maillage.diagnostic import services
from maillage.diagnostic.models import ParametresDiagnostic, Scenario
from tests.comptes.factories import UtilisateurFactory
from tests.diagnostic.test_selectors import LAT, _commune, monde  # noqa: F401
from tests.structures.factories import StructureFactory
from tests.territoires.factories import DepartementFactory

pytestmark = pytest.mark.django_db

POIDS = {"population": 0.25, "distance": 0.35, "qpv": 0.25, "bas_revenus": 0.15}


@pytest.fixture
def pilote(monde):  # noqa: F811
    return UtilisateurFactory(role=Role.PILOTE, departements=[monde.dep])


def _parametres(par, **champs):
    valeurs = {"distance_couverture_km": 2, "tampon_qpv_m": 500, "poids": POIDS} | champs
    return services.parametres_modifier(par=par, departement="94", **valeurs)


def test_parametres_modifier(pilote):
    ligne = _parametres(pilote, distance_couverture_km="3,456", tampon_qpv_m="250")
    ligne.refresh_from_db()
    assert str(ligne.distance_couverture_km) == "3.46"
    assert ligne.tampon_qpv_m == 250
    assert ligne.poids == POIDS
    assert ligne.modifie_par == pilote
    _parametres(pilote, distance_couverture_km=1)
    assert ParametresDiagnostic.objects.count() == 1
    assert ParametresDiagnostic.objects.get().distance_couverture_km == 1


@pytest.mark.parametrize(
    ("champs", "champ", "extrait"),
    [
        ({"distance_couverture_km": 0}, "distance_couverture_km", "entre 0,1 et 50 km"),
        ({"distance_couverture_km": 60}, "distance_couverture_km", "entre 0,1 et 50 km"),
        ({"distance_couverture_km": "loin"}, "distance_couverture_km", "nombre de kilomètres"),
        ({"distance_couverture_km": None}, "distance_couverture_km", "nombre de kilomètres"),
        ({"tampon_qpv_m": -1}, "tampon_qpv_m", "entre 0 et 5000 m"),
        ({"tampon_qpv_m": 6000}, "tampon_qpv_m", "entre 0 et 5000 m"),
        ({"tampon_qpv_m": 12.5}, "tampon_qpv_m", "nombre entier de mètres"),
        ({"poids": {"population": 1, "age": 2}}, "poids", "Composantes inconnues : age"),
        ({"poids": {"population": -1, "distance": 2}}, "poids", "« population » doit être positive ou nulle"),
        ({"poids": {"population": 0, "distance": 0}}, "poids", "strictement positive"),
        ({"poids": {"population": "beaucoup"}}, "poids", "« population » doit être un nombre"),
        ({"poids": [1, 2]}, "poids", "associer un nombre"),
    ],
)
def test_parametres_refuses(pilote, champs, champ, extrait):
    with pytest.raises(ValidationError) as erreur:
        _parametres(pilote, **champs)
    assert extrait in " ".join(erreur.value.message_dict[champ])
    assert not ParametresDiagnostic.objects.exists()


@pytest.mark.parametrize("role", [Role.CONSEILLER, Role.PARTENAIRE, Role.STRUCTURE])
def test_parametres_reserves_au_pilote(monde, role):  # noqa: F811
    with pytest.raises(PermissionDenied):
        _parametres(UtilisateurFactory(role=role, departements=[monde.dep]))
    assert not ParametresDiagnostic.objects.exists()


def test_parametres_pilote_d_un_autre_departement(monde):  # noqa: F811
    autre = DepartementFactory(code="77", nom="Seine-et-Marne", region=monde.region)
    with pytest.raises(PermissionDenied):
        _parametres(UtilisateurFactory(role=Role.PILOTE, departements=[autre]))


def _scenario(par, **champs):
    valeurs = {
        "departement": "94",
        "nom": "Un EVS à Delta",
        "description": "Hypothèse du COTECH",
        "date_reference": datetime.date(2015, 12, 31),
        "ajouts": [{"type": "evs", "commune": "94004"}],
        "fermetures": [],
        "partage": True,
    } | champs
    return services.scenario_enregistrer(par=par, **valeurs)


def test_scenario_enregistrer_puis_modifier(pilote, monde):  # noqa: F811
    scenario = _scenario(pilote, fermetures=[monde.s1])
    assert scenario.auteur == pilote
    assert scenario.ajouts == [
        {
            "nom": "Espace de vie sociale hypothétique à Delta",
            "type": "evs",
            "commune": "94004",
            "longitude": None,
            "latitude": None,
        }
    ]
    assert list(scenario.fermetures.all()) == [monde.s1]
    modifie = _scenario(
        pilote,
        scenario=scenario,
        nom="Deux ouvertures",
        ajouts=[
            {"type": "centre_social", "commune": "94004", "nom": " CS Delta ", "longitude": 2.701, "latitude": LAT},
            {"type": "evs", "commune": "94002"},
        ],
        fermetures=[],
    )
    assert modifie.pk == scenario.pk and Scenario.objects.count() == 1
    assert modifie.ajouts[0] == {
        "nom": "CS Delta",
        "type": "centre_social",
        "commune": "94004",
        "longitude": 2.701,
        "latitude": LAT,
    }
    assert not modifie.fermetures.exists()


@pytest.mark.parametrize(
    ("champs", "champ", "extrait"),
    [
        ({"nom": "  "}, "nom", "Donnez un nom"),
        ({"date_reference": "2015-12-31"}, "date_reference", "date de référence"),
        ({"ajouts": [{"type": "crèche", "commune": "94004"}]}, "ajouts", "type 'crèche' inconnu"),
        ({"ajouts": [{"type": "evs", "commune": "75056"}]}, "ajouts", "n'est pas une commune du département 94"),
        ({"ajouts": [{"type": "evs"}]}, "ajouts", "indiquez la commune"),
        ({"ajouts": [{"type": "evs", "commune": "94004", "longitude": 2.7}]}, "ajouts", "ou aucune des deux"),
        ({"ajouts": [{"type": "evs", "commune": "94004", "longitude": "est", "latitude": 48}]}, "ajouts", "nombre"),
        (
            {"ajouts": [{"type": "evs", "commune": "94004", "longitude": 2.40, "latitude": LAT}]},
            "ajouts",
            "en dehors de la commune de Delta",
        ),
        ({"ajouts": "tout"}, "ajouts", "former une liste"),
        ({"ajouts": [], "fermetures": []}, "ajouts", "au moins une structure"),
        ({"fermetures": ["x"]}, "fermetures", "Identifiant de structure invalide"),
    ],
)
def test_scenario_refuse(pilote, champs, champ, extrait):
    with pytest.raises(ValidationError) as erreur:
        _scenario(pilote, **champs)
    assert extrait in " ".join(erreur.value.message_dict[champ])
    assert not Scenario.objects.exists()


def test_scenario_fermeture_d_un_autre_departement(pilote, monde):  # noqa: F811
    seine_et_marne = DepartementFactory(code="77", nom="Seine-et-Marne", region=monde.region)
    ailleurs = StructureFactory(commune=_commune(seine_et_marne, "77001", "Voisine", 1_000, 2.72))
    with pytest.raises(ValidationError) as erreur:
        _scenario(pilote, fermetures=[ailleurs.pk])
    assert f"structures du département 94 : {ailleurs.pk}" in erreur.value.message_dict["fermetures"][0]
    assert not Scenario.objects.exists()


def test_scenario_permissions(pilote, monde):  # noqa: F811
    scenario = _scenario(pilote)
    for role in (Role.CONSEILLER, Role.PARTENAIRE, Role.STRUCTURE):
        with pytest.raises(PermissionDenied):
            _scenario(UtilisateurFactory(role=role, departements=[monde.dep]))
        with pytest.raises(PermissionDenied):
            services.scenario_supprimer(par=UtilisateurFactory(role=role, departements=[monde.dep]), scenario=scenario)
    autre = DepartementFactory(code="77", nom="Seine-et-Marne", region=monde.region)
    pilote_77 = UtilisateurFactory(role=Role.PILOTE, departements=[autre])
    with pytest.raises(PermissionDenied):
        _scenario(pilote_77, departement="77", scenario=scenario)
    with pytest.raises(PermissionDenied):
        services.scenario_supprimer(par=pilote_77, scenario=scenario)
    assert Scenario.objects.count() == 1
    services.scenario_supprimer(par=pilote, scenario=scenario)
    assert not Scenario.objects.exists()


def test_scenario_ne_change_pas_de_departement(pilote, monde):  # noqa: F811
    scenario = _scenario(pilote)
    autre = DepartementFactory(code="77", nom="Seine-et-Marne", region=monde.region)
    pilote.departements.add(autre)
    pilote._codes_departements = None
    with pytest.raises(ValidationError):
        _scenario(pilote, departement="77", scenario=scenario, ajouts=[], fermetures=[monde.s1])


# --- Simulation preparation (the page and the API share it) ---------------------------------------------


def test_preparer_simulation(monde):  # noqa: F811
    preparation = services.preparer_simulation(
        departement="94",
        ajouts=[{"type": "evs", "commune": "94003"}],
        fermetures=[monde.s1.pk],
        parametres={"distance_couverture_km": 3},
    )
    assert [a["commune"] for a in preparation.ajouts] == ["94003"]
    assert preparation.fermetures == [monde.s1.pk]
    assert preparation.parametres.distance_couverture_km == 3
    assert services.preparer_simulation(departement="94", ajouts=None, fermetures=None).parametres is None


def test_preparer_simulation_toutes_les_erreurs(monde):  # noqa: F811
    with pytest.raises(ValidationError) as e:
        services.preparer_simulation(
            departement="94", ajouts=[{"type": "gare", "commune": "94003"}], fermetures="1", parametres={"x": 1}
        )
    assert set(e.value.message_dict) == {"ajouts", "fermetures", "parametres"}
    assert e.value.message_dict["parametres"] == ["Paramètres inconnus : x."]
