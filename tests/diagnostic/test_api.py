"""API of the diagnostic: the DESIGN.md contract, the QPV list, the EPCI, 404/422, the simulation's permissions
(401 anonymous, 403 other roles, other départements or without CSRF token, 422 with French reasons), query counts."""

import json

import pytest
from django.test import Client

from maillage.comptes.models import Role
from tests.comptes.factories import UtilisateurFactory
from tests.diagnostic.test_selectors import LAT, _commune, monde  # noqa: F401
from tests.structures.factories import AgrementFactory, StructureFactory
from tests.territoires.factories import DepartementFactory

pytestmark = pytest.mark.django_db

URL = "/api/v1/diagnostic/departements/94"
SIMULATION = "/api/v1/diagnostic/simulations"
CHAMPS_SYNTHESE = {
    "population",
    "population_couverte",
    "part_population_couverte",
    "communes_sans_structure",
    "qpv_total",
    "qpv_sans_structure",
}
CHAMPS_COMMUNE = {
    "code",
    "nom",
    "population",
    "structures",
    "structures_pour_10000_habitants",
    "distance_structure_km",
    "couverte",
    "qpv",
    "qpv_sans_structure",
    "score_priorite",
    "score_detail",
    "rang",
}


def test_contrat_du_departement(client, monde):  # noqa: F811
    reponse = client.get(URL, {"date": "2015-12-31"})
    assert reponse.status_code == 200
    donnees = reponse.json()
    assert donnees["date"] == "2015-12-31"
    assert donnees["departement"] == {"code": "94", "nom": "Val-de-Marne"}
    assert donnees["parametres"] == {
        "distance_couverture_km": 2.0,
        "tampon_qpv_m": 500.0,
        "poids": {"population": 0.25, "distance": 0.35, "qpv": 0.25, "bas_revenus": 0.15},
    }
    assert set(donnees["synthese"]) >= CHAMPS_SYNTHESE
    assert {k: donnees["synthese"][k] for k in CHAMPS_SYNTHESE} == {
        "population": 20_000,
        "population_couverte": 18_000,
        "part_population_couverte": 0.9,
        "communes_sans_structure": 2,
        "qpv_total": 4,
        "qpv_sans_structure": 1,
    }
    communes = {c["code"]: c for c in donnees["communes"]}
    assert list(communes) == ["94001", "94002", "94003", "94004"]
    assert all(set(c) >= CHAMPS_COMMUNE for c in communes.values())
    assert {k: communes["94001"][k] for k in CHAMPS_COMMUNE} == {
        "code": "94001",
        "nom": "Alpha",
        "population": 10_000,
        "structures": 1,
        "structures_pour_10000_habitants": 1.0,
        "distance_structure_km": 0.0,
        "couverte": True,
        "qpv": 2,
        "qpv_sans_structure": 0,
        "score_priorite": 0.0,
        "score_detail": communes["94001"]["score_detail"],
        "rang": None,
    }
    delta = communes["94004"]
    assert (delta["couverte"], delta["rang"], delta["qpv_sans_structure"]) == (False, 1, 1)
    assert sum(delta["score_detail"].values()) == pytest.approx(delta["score_priorite"], abs=0.02)
    assert donnees["synthese"]["population"] == sum(c["population"] for c in communes.values())
    assert donnees["synthese"]["population_couverte"] == sum(
        c["population"] for c in communes.values() if c["couverte"]
    )
    qpv = {q["code"]: q for q in donnees["qpv"]}
    assert qpv["QN09402M"] == {
        "code": "QN09402M",
        "nom": "Quartier Deux",
        "communes": ["94004"],
        "servi": True,
        "regle": "zone",
        "structures": [monde.s1.pk],
    }
    assert {q["regle"] for q in qpv.values()} == {"geometrie", "zone", "communes"}


def test_la_date_change_la_reponse(client, monde):  # noqa: F811
    en_2012 = client.get(URL, {"date": "2012-06-30"}).json()
    en_2015 = client.get(URL, {"date": "2015-12-31"}).json()
    assert en_2012["synthese"]["population_couverte"] == 0
    assert en_2015["synthese"]["population_couverte"] == 18_000


def test_date_par_defaut_aujourd_hui(client, monde):  # noqa: F811
    import datetime

    donnees = client.get(URL).json()
    assert donnees["date"] == datetime.date.today().isoformat()
    assert donnees["synthese"]["population_couverte"] == 0  # S1's agrément ended in 2017


@pytest.mark.parametrize("url", [URL, URL + "/qpv"])
@pytest.mark.parametrize("date", ["31/12/2015", "2015-13-01", "demain", "2015-02-30"])
def test_date_mal_formee(client, monde, url, date):  # noqa: F811
    reponse = client.get(url, {"date": date})
    assert reponse.status_code == 422
    assert "Date invalide" in reponse.json()["detail"] and "AAAA-MM-JJ" in reponse.json()["detail"]


@pytest.mark.parametrize("code", ["99", "abc", "9" * 40])
def test_departement_inconnu(client, monde, code):  # noqa: F811
    for url in (f"/api/v1/diagnostic/departements/{code}", f"/api/v1/diagnostic/departements/{code}/qpv"):
        reponse = client.get(url, {"date": "2015-12-31"})
        assert reponse.status_code == 404
        assert "Département inconnu" in reponse.json()["detail"]


def test_liste_des_qpv(client, monde):  # noqa: F811
    donnees = client.get(URL + "/qpv", {"date": "2015-12-31"}).json()
    assert (donnees["qpv_total"], donnees["qpv_sans_structure"]) == (4, 1)
    assert [(q["code"], q["servi"], q["regle"]) for q in donnees["qpv"]] == [
        ("QN09401M", True, "geometrie"),
        ("QN09402M", True, "zone"),
        ("QN09403M", True, "communes"),
        ("QN09404M", False, "communes"),
    ]


def test_epci(client, monde):  # noqa: F811
    reponse = client.get("/api/v1/diagnostic/epci/200054781", {"date": "2015-12-31"})
    assert reponse.status_code == 200
    donnees = reponse.json()
    assert donnees["epci"] == {"code": "200054781", "nom": "Métropole du Grand Paris"}
    assert donnees["departement"]["code"] == "94"
    assert [c["code"] for c in donnees["communes"]] == ["94001", "94002", "94003"]
    assert donnees["synthese"]["population"] == 18_000
    assert client.get("/api/v1/diagnostic/epci/123456789").status_code == 404
    assert "EPCI inconnu" in client.get("/api/v1/diagnostic/epci/123456789").json()["detail"]
    assert client.get("/api/v1/diagnostic/epci/200054781", {"date": "hier"}).status_code == 422


def test_nombre_de_requetes_borne(client, monde, django_assert_max_num_queries, django_assert_num_queries):  # noqa: F811
    with django_assert_max_num_queries(16):
        client.get(URL, {"date": "2015-12-31"})
    with django_assert_num_queries(3):  # warm: the data version (2) and the département's name
        client.get(URL, {"date": "2015-12-31"})
    for numero in range(10):
        commune = _commune(monde.dep, f"941{numero:02d}", f"Commune {numero}", 1_000, 2.45 + numero / 100)
        AgrementFactory(structure=StructureFactory(commune=commune, longitude=commune.longitude, latitude=LAT))
    with django_assert_max_num_queries(16):
        reponse = client.get(URL, {"date": "2015-12-31"})
    assert len(reponse.json()["communes"]) == 14


# --- Simulation -------------------------------------------------------------------------------------------


def _corps(**champs):
    return {"departement": "94", "date": "2015-12-31", "ajouts": [{"type": "evs", "commune": "94004"}]} | champs


def _poster(client, corps, **extra):
    return client.post(SIMULATION, data=json.dumps(corps), content_type="application/json", **extra)


@pytest.fixture
def pilote(monde):  # noqa: F811
    return UtilisateurFactory(role=Role.PILOTE, departements=[monde.dep])


def test_simulation_par_un_pilote(client, pilote, monde, django_assert_max_num_queries):  # noqa: F811
    client.force_login(pilote)
    with django_assert_max_num_queries(22):
        reponse = _poster(client, _corps())
    assert reponse.status_code == 200, reponse.content
    donnees = reponse.json()
    assert donnees["avant"]["population_couverte"] == 18_000
    assert donnees["apres"]["population_couverte"] == 20_000
    assert donnees["ecarts"]["population_couverte"] == {"avant": 18_000, "apres": 20_000, "difference": 2_000}
    assert donnees["ecarts"]["communes_sans_structure"]["difference"] == -1
    assert donnees["classement"] == [{"code": "94004", "nom": "Delta", "rang_avant": 1, "rang_apres": None}]
    assert donnees["communes"] == [
        {
            "code": "94004",
            "nom": "Delta",
            "couverte_avant": False,
            "couverte_apres": True,
            "structures_avant": 0,
            "structures_apres": 1,
            "distance_structure_km_avant": donnees["communes"][0]["distance_structure_km_avant"],
            "distance_structure_km_apres": 0.0,
        }
    ]
    assert donnees["ajouts"][0]["id"] == -1
    assert donnees["ajouts"][0]["nom"] == "Espace de vie sociale hypothétique à Delta"
    # What it was computed from, as the diagnostic says it: only the 2024 QPV list is loaded, used for 2015.
    sources = donnees["sources"]
    assert (sources["generation_qpv"], sources["generation_qpv_raison"]) == (
        2024,
        "la génération 2015 n'est pas chargée : liste 2024 utilisée",
    )
    diagnostic = client.get("/api/v1/diagnostic/departements/94", {"date": "2015-12-31"}).json()["synthese"]
    assert sources["population_millesime"] == diagnostic["population_millesime"]
    assert sources["population_source"] == diagnostic["population_source"] != ""


def test_simulation_fermeture_et_parametres(client, pilote, monde):  # noqa: F811
    client.force_login(pilote)
    donnees = _poster(client, _corps(ajouts=[], fermetures=[monde.s1.pk])).json()
    assert donnees["apres"]["population_couverte"] == 0
    assert donnees["fermetures"] == [monde.s1.pk]
    donnees = _poster(client, _corps(ajouts=[], parametres={"distance_couverture_km": 25})).json()
    assert donnees["parametres"]["distance_couverture_km"] == 25.0
    assert donnees["avant"]["population_couverte"] == 20_000  # Delta is 22 km from S1


def test_simulation_anonyme_401(client, monde):  # noqa: F811
    reponse = _poster(client, _corps())
    assert reponse.status_code == 401
    assert reponse.json()["detail"] == "Authentification requise."
    assert _poster(Client(enforce_csrf_checks=True), _corps()).status_code == 401


@pytest.mark.parametrize("role", [Role.CONSEILLER, Role.PARTENAIRE, Role.STRUCTURE])
def test_simulation_autres_roles_403(client, monde, role):  # noqa: F811
    client.force_login(UtilisateurFactory(role=role, departements=[monde.dep]))
    reponse = _poster(client, _corps())
    assert reponse.status_code == 403
    assert "pas le droit de simuler" in reponse.json()["detail"]


def test_simulation_pilote_d_un_autre_departement_403(client, monde):  # noqa: F811
    autre = DepartementFactory(code="77", nom="Seine-et-Marne", region=monde.region)
    client.force_login(UtilisateurFactory(role=Role.PILOTE, departements=[autre]))
    assert _poster(client, _corps()).status_code == 403
    assert _poster(client, _corps(departement="99")).status_code == 403


def test_simulation_administrateur_departement_inconnu_404(client, monde):  # noqa: F811
    client.force_login(UtilisateurFactory(role=Role.ADMIN))
    assert _poster(client, _corps(departement="99")).status_code == 404
    assert _poster(client, _corps()).status_code == 200


def test_simulation_exige_le_jeton_csrf(pilote):
    navigateur = Client(enforce_csrf_checks=True)
    navigateur.force_login(pilote)
    reponse = _poster(navigateur, _corps())
    assert reponse.status_code == 403
    assert "CSRF" in reponse.json()["detail"]
    navigateur.get("/")  # sets the csrftoken cookie
    jeton = navigateur.cookies["csrftoken"].value
    assert _poster(navigateur, _corps(), HTTP_X_CSRFTOKEN=jeton).status_code == 200


@pytest.mark.parametrize(
    ("corps", "extrait"),
    [
        (_corps(departement=None), "Indiquez le département"),
        (_corps(date="31/12/2015"), "Date invalide"),
        (_corps(ajouts=[{"type": "crèche", "commune": "94004"}]), "type 'crèche' inconnu"),
        (_corps(ajouts=[{"type": "evs", "commune": "75056"}]), "n'est pas une commune du département 94"),
        (_corps(ajouts=[{"type": "evs", "commune": "94004", "longitude": 2.4, "latitude": LAT}]), "en dehors"),
        (_corps(ajouts=[{"type": "evs", "commune": "94004", "longitude": 500, "latitude": LAT}]), "-180 et 180"),
        (_corps(ajouts="EVS"), "former une liste"),
        (_corps(ajouts=["EVS"]), "attendu un objet"),
        (_corps(fermetures=[123456]), "ne sont pas des structures du département 94 : 123456"),
        (_corps(fermetures="tout"), "liste d'identifiants"),
        (_corps(parametres={"distance_couverture_km": 0}), "entre 0,1 et 50 km"),
        (_corps(parametres={"poids": {"age": 1}}), "Composantes inconnues"),
        (_corps(parametres={"vitesse": 1}), "Paramètres inconnus : vitesse"),
        (_corps(parametres=[1]), "doivent être un objet"),
    ],
)
def test_simulation_corps_invalide_422(client, pilote, corps, extrait):
    client.force_login(pilote)
    reponse = _poster(client, corps)
    assert reponse.status_code == 422, reponse.content
    assert extrait in json.dumps(reponse.json(), ensure_ascii=False)


def test_simulation_json_mal_forme_4xx(client, pilote):
    client.force_login(pilote)
    reponse = client.post(SIMULATION, data="{pas du json", content_type="application/json")
    assert reponse.status_code == 400  # ninja's own refusal, before the route runs, with a French reason
    assert reponse.json()["detail"] == "Corps de la requête illisible : un document JSON valide est attendu."
    reponse = client.post(SIMULATION, data="[1, 2]", content_type="application/json")
    assert reponse.status_code == 422


@pytest.mark.parametrize("type_de_contenu", ["multipart/form-data", "multipart/form-data; boundary=xyz"])
def test_simulation_json_envoye_en_multipart_415(pilote, type_de_contenu):
    """A JSON body labelled multipart/form-data: the CSRF check parses the form first (no or a wrong boundary)
    and the body can no longer be read; that used to be a 500 (or an HTML 400), now a 415 with a French reason."""
    navigateur = Client(enforce_csrf_checks=True)
    navigateur.force_login(pilote)
    navigateur.get("/")
    jeton = navigateur.cookies["csrftoken"].value
    reponse = navigateur.generic(
        "POST", SIMULATION, data=json.dumps(_corps()), content_type=type_de_contenu, HTTP_X_CSRFTOKEN=jeton
    )
    assert reponse.status_code == 415
    assert reponse.json()["detail"].startswith("Type de contenu non pris en charge : envoyez un document JSON")


def test_simulation_fermeture_d_un_autre_departement_422(client, pilote, monde):  # noqa: F811
    seine_et_marne = DepartementFactory(code="77", nom="Seine-et-Marne", region=monde.region)
    ailleurs = StructureFactory(commune=_commune(seine_et_marne, "77001", "Voisine", 1_000, 2.72))
    client.force_login(pilote)
    reponse = _poster(client, _corps(fermetures=[ailleurs.pk]))
    assert reponse.status_code == 422
    assert f"département 94 : {ailleurs.pk}" in reponse.json()["erreurs"]["fermetures"][0]


def test_openapi_decrit_les_routes(client):
    chemins = client.get("/api/v1/openapi.json").json()["paths"]
    assert {
        "/api/v1/diagnostic/departements/{code}",
        "/api/v1/diagnostic/departements/{code}/qpv",
        "/api/v1/diagnostic/epci/{code}",
        "/api/v1/diagnostic/simulations",
    } <= set(chemins)
