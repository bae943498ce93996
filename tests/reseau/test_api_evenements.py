"""Events API: field names of the contract, visibility, filters, pagination, errors, query count."""

import pytest

from maillage.core.roles import Role
from maillage.reseau.cache import version_reseau
from maillage.reseau.models import Intervenant
from tests.comptes.factories import UtilisateurFactory
from tests.reseau.factories import EvenementFactory, InscriptionFactory, SessionProgrammeFactory, dans
from tests.territoires.factories import DepartementFactory

URL = "/api/v1/evenements"
CHAMPS = {"id", "titre", "type", "debut", "fin", "lieu", "capacite", "inscrits", "liste_attente",
          "inscriptions_ouvertes"}  # fmt: skip


@pytest.fixture
def dep(territoire_94):
    return territoire_94.departement


def test_liste_champs_du_contrat(client, dep):
    ev = EvenementFactory(
        departement=dep, capacite=1, lieu_commune=dep.communes.get(code="94028"), lieu_adresse="1 rue"
    )
    InscriptionFactory(evenement=ev)
    InscriptionFactory(evenement=ev, statut="liste_attente")
    corps = client.get(URL, {"departement": "94"}).json()
    assert corps["count"] == 1
    item = corps["items"][0]
    assert set(item) == CHAMPS
    assert item["lieu"] == {"nom": "Salle fictive", "adresse": "1 rue", "commune": {"code": "94028", "nom": "Créteil"}}
    assert (item["capacite"], item["inscrits"], item["liste_attente"]) == (1, 1, 1)
    assert item["inscriptions_ouvertes"] is True and item["type"] == "journee_departementale"


def test_liste_sans_commune_et_fermee(client, dep):
    EvenementFactory(departement=dep, inscriptions_fermees=True)
    item = client.get(URL).json()["items"][0]
    assert item["lieu"]["commune"] is None and item["inscriptions_ouvertes"] is False


def test_complet_sans_liste_d_attente_ferme(client, dep):
    ev = EvenementFactory(departement=dep, capacite=1, liste_attente=False)
    InscriptionFactory(evenement=ev)
    assert client.get(f"{URL}/{ev.pk}").json()["inscriptions_ouvertes"] is False


def test_visibilite_brouillon_reseau_hors_perimetre(client, dep):
    EvenementFactory(departement=dep, titre="Public")
    EvenementFactory(departement=dep, titre="Brouillon", statut="brouillon")
    EvenementFactory(departement=dep, titre="Réseau", acces="reseau")
    EvenementFactory(departement=DepartementFactory(code="93"), titre="Réseau 93", acces="reseau")

    def titres():
        return {e["titre"] for e in client.get(URL).json()["items"]}

    assert titres() == {"Public"}
    client.force_login(UtilisateurFactory(role=Role.PARTENAIRE, departements=[dep]))
    assert titres() == {"Public", "Réseau"}
    client.force_login(UtilisateurFactory(role=Role.PILOTE, departements=[dep]))
    assert titres() == {"Public", "Réseau", "Brouillon"}


def test_filtres_dates_et_pagination(client, dep):
    for j in (10, 20, 30, 40):
        EvenementFactory(departement=dep, titre=f"J{j}", debut=dans(j), fin=dans(j, 17))
    apres = dans(15).date().isoformat()
    avant = dans(35).date().isoformat()
    corps = client.get(URL, {"apres": apres, "avant": avant}).json()
    assert [e["titre"] for e in corps["items"]] == ["J20", "J30"]
    page = client.get(URL, {"limit": 2, "offset": 1}).json()
    assert page["count"] == 4 and [e["titre"] for e in page["items"]] == ["J20", "J30"]
    assert client.get(URL, {"offset": 10**12}).json() == {"count": 4, "items": []}


@pytest.mark.parametrize(
    "parametres",
    [{"apres": "21/11/2016"}, {"avant": "2016-13-01"}, {"limit": 0}, {"limit": 501}, {"offset": -1},
     {"apres": "2016-12-01", "avant": "2016-11-01"}],
)  # fmt: skip
def test_parametres_invalides_422(client, dep, parametres):
    reponse = client.get(URL, parametres)
    assert reponse.status_code == 422 and reponse.json()["detail"]


def test_departement_inconnu_404(client, dep):
    reponse = client.get(URL, {"departement": "zz"})
    assert reponse.status_code == 404 and "Département inconnu" in reponse.json()["detail"]


def test_liste_nombre_de_requetes_constant(client, dep, django_assert_max_num_queries):
    for _ in range(30):
        EvenementFactory(departement=dep, lieu_commune=dep.communes.first())
    with django_assert_max_num_queries(4):
        assert client.get(URL, {"departement": "94"}).json()["count"] == 30


def test_detail_programme_et_description(client, dep, django_assert_max_num_queries):
    ev = EvenementFactory(departement=dep, description="Une journée fictive.")
    session = SessionProgrammeFactory(evenement=ev, titre="Atelier A", salle="B12", capacite=20)
    Intervenant.objects.create(session=session, nom="C. Fictif", fonction="Chargé de mission", organisation="Caf")
    # The content types behind the data version are cached per process; another test may have emptied that cache.
    version_reseau()
    with django_assert_max_num_queries(4):
        corps = client.get(f"{URL}/{ev.pk}").json()
    assert set(corps) == CHAMPS | {"description", "programme"}
    assert corps["description"] == "Une journée fictive."
    (s,) = corps["programme"]
    assert set(s) == {"debut", "fin", "titre", "type", "salle", "capacite", "intervenants"}
    assert (s["titre"], s["type"], s["salle"], s["capacite"]) == ("Atelier A", "atelier", "B12", 20)
    assert s["intervenants"] == [{"nom": "C. Fictif", "fonction": "Chargé de mission", "organisation": "Caf"}]


def test_detail_non_visible_404_avec_raison(client, dep):
    brouillon = EvenementFactory(departement=dep, statut="brouillon")
    reponse = client.get(f"{URL}/{brouillon.pk}")
    assert reponse.status_code == 404 and "non visible" in reponse.json()["detail"]
    assert client.get(f"{URL}/999999").status_code == 404
    client.force_login(UtilisateurFactory(role=Role.PILOTE, departements=[DepartementFactory(code="93")]))
    assert client.get(f"{URL}/{brouillon.pk}").status_code == 404


def test_openapi_erreurs_documentees_avec_schemas_partages(client, dep):
    document = client.get("/api/v1/openapi.json").json()
    for chemin in ("/api/v1/evenements", "/api/v1/evenements/{id}"):
        reponses = document["paths"][chemin]["get"]["responses"]
        assert reponses["404"]["content"]["application/json"]["schema"]["$ref"].endswith("/Erreur")
        assert reponses["422"]["content"]["application/json"]["schema"]["$ref"].endswith("/ErreurValidation")
    schemas = document["components"]["schemas"]
    assert {"EvenementOut", "EvenementDetailOut", "LieuEvenementOut", "SessionEvenementOut"} <= set(schemas)
