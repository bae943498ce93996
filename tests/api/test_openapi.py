"""The OpenAPI of /api/v1/ documents what the routes really answer: one schema per name (two classes of the same
name overwrite each other in `components`, and a route is then documented with the other one's fields), and every
error status a route can return, with the shared error body."""

import typing

import pytest
from pydantic import BaseModel

from maillage.api import api
from maillage.comptes.models import Role
from tests.comptes.factories import UtilisateurFactory

OPENAPI = "/api/v1/openapi.json"
ERREURS = {
    "#/components/schemas/Erreur",
    "#/components/schemas/ErreurValidation",
    "#/components/schemas/ErreurConflit",
}

# The error statuses each route can answer (404 unknown code, 422 malformed parameter, 401 without session…).
ATTENDUS = {
    ("get", "/api/v1/territoires/departements/{code}"): {404},
    ("get", "/api/v1/territoires/departements/{code}/communes"): {404},
    ("get", "/api/v1/territoires/communes/{code}"): {404},
    ("get", "/api/v1/comptes/moi"): {401},
    ("get", "/api/v1/structures"): {404, 422},
    ("get", "/api/v1/structures/{id}"): {404, 422},
    ("get", "/api/v1/indicateurs/departements/{code}"): {400, 404, 422},
    ("get", "/api/v1/diagnostic/departements/{code}"): {404, 422},
    ("get", "/api/v1/diagnostic/departements/{code}/qpv"): {404, 422},
    ("get", "/api/v1/diagnostic/epci/{code}"): {404, 422},
    ("post", "/api/v1/diagnostic/simulations"): {400, 401, 403, 404, 413, 415, 422},
    ("get", "/api/v1/observatoire/campagnes/{annee}/departements/{code}/synthese"): {403, 404, 422},
}


def _schemas_du_projet(type_, vus: set) -> None:
    """Every pydantic class reachable from `type_` (fields, lists, unions), added to `vus`."""
    if isinstance(type_, type) and issubclass(type_, BaseModel):
        if type_ in vus:
            return
        vus.add(type_)
        for champ in type_.model_fields.values():
            _schemas_du_projet(champ.annotation, vus)
        return
    for argument in typing.get_args(type_):
        _schemas_du_projet(argument, vus)


def _operations():
    for _, routeur in api._routers:
        for chemins in routeur.path_operations.values():
            yield from chemins.operations


def test_un_seul_schema_par_nom():
    classes = set()
    for operation in _operations():
        for modele in [*operation.models, *operation.response_models.values()]:
            _schemas_du_projet(modele, classes)
    par_nom = {}
    for classe in classes:
        if classe.__module__.startswith("maillage"):
            par_nom.setdefault(classe.__name__, set()).add(f"{classe.__module__}.{classe.__qualname__}")
    assert {nom: sorted(c) for nom, c in par_nom.items() if len(c) > 1} == {}


@pytest.mark.django_db
def test_chaque_route_documente_son_propre_schema(client):
    schema = client.get(OPENAPI).json()
    composants, chemins = schema["components"]["schemas"], schema["paths"]

    def proprietes(methode, chemin):
        ref = chemins[chemin][methode]["responses"]["200"]["content"]["application/json"]["schema"]["$ref"]
        return composants[ref.rsplit("/", 1)[1]]["properties"]

    diagnostic = proprietes("get", "/api/v1/diagnostic/departements/{code}")
    synthese_diagnostic = composants[diagnostic["synthese"]["$ref"].rsplit("/", 1)[1]]["properties"]
    assert {"population_couverte", "qpv_sans_structure"} <= set(synthese_diagnostic)
    commune_diagnostic = composants[diagnostic["communes"]["items"]["$ref"].rsplit("/", 1)[1]]["properties"]
    assert {"score_priorite", "rang", "structure_proche"} <= set(commune_diagnostic)
    synthese_campagne = proprietes("get", "/api/v1/observatoire/campagnes/{annee}/departements/{code}/synthese")
    assert {"reponses", "indicateurs", "publiee"} <= set(synthese_campagne)
    commune = proprietes("get", "/api/v1/territoires/communes/{code}")
    assert {"departement", "region", "qpv", "population_source"} <= set(commune)


@pytest.mark.django_db
def test_codes_d_erreur_documentes_avec_le_corps_d_erreur(client):
    chemins = client.get(OPENAPI).json()["paths"]
    for (methode, chemin), attendus in ATTENDUS.items():
        reponses = chemins[chemin][methode]["responses"]
        documentes = {int(code) for code in reponses} - {200}
        assert attendus <= documentes, (methode, chemin, sorted(attendus - documentes))
    for chemin, operations in chemins.items():
        for methode, operation in operations.items():
            for code, reponse in operation["responses"].items():
                if not code.startswith("2"):  # a success body (200, 201 Created) is the route's own schema
                    ref = reponse["content"]["application/json"]["schema"]["$ref"]
                    assert ref in ERREURS, (methode, chemin, code, ref)


def _sonder(client, methode: str, chemin: str, operation: dict) -> set[int]:
    """Statuses answered to unknown codes, malformed parameters and an empty or wrongly typed body."""
    parametres = operation.get("parameters", [])
    entiers = {p["name"] for p in parametres if p["in"] == "path" and p["schema"].get("type") == "integer"}
    url = chemin
    for p in parametres:
        if p["in"] == "path":
            url = url.replace("{" + p["name"] + "}", "999999" if p["name"] in entiers else "zz-inconnu")
    requetes = [(url, {})]
    for nom in entiers:
        requetes.append((chemin.replace("{" + nom + "}", "pas-un-nombre").replace("{", "").replace("}", ""), {}))
    requetes += [(url, {p["name"]: "valeur-mal-formee"}) for p in parametres if p["in"] == "query"]
    vus = set()
    for adresse, requete in requetes:
        if methode == "get":
            vus.add(client.get(adresse, requete).status_code)
        else:
            vus.add(client.generic(methode.upper(), adresse, "{}", content_type="application/json").status_code)
            vus.add(client.generic(methode.upper(), adresse, "[1]", content_type="application/json").status_code)
            vus.add(
                client.generic(methode.upper(), adresse, "{pas du json", content_type="application/json").status_code
            )
    return vus


@pytest.mark.django_db
def test_les_erreurs_rencontrees_sont_documentees(client):
    """Every route probed anonymously then as an administrator: each status it answers is documented."""
    chemins = client.get(OPENAPI).json()["paths"]
    administrateur = UtilisateurFactory(role=Role.ADMIN, is_staff=True, is_superuser=True)
    manquants = []
    for connecte in (False, True):
        if connecte:
            client.force_login(administrateur)
        for chemin, operations in chemins.items():
            for methode, operation in operations.items():
                documentes = {int(code) for code in operation["responses"]}
                for statut in _sonder(client, methode, chemin, operation) - documentes:
                    manquants.append((methode, chemin, statut, "connecté" if connecte else "anonyme"))
    assert manquants == []
