"""The schémas' routes answer as the OpenAPI document says (schemathesis), on a schéma whose fiches exist.

The transverse check (tests/transverse/test_api_conformite.py) runs on the demo, where ids are mostly unknown and
writes lack a CSRF token; here generated requests reach the reading of real fiches and, with a pilote's session and
its CSRF token, the update itself (200, 409 on a stale version, 422 on a refused value).
"""

import datetime

import pytest
from django.conf import settings as reglages
from django.test import Client
from hypothesis import given
from hypothesis import strategies as st

from maillage.comptes.models import Role
from maillage.schema.models import FicheAction
from tests.comptes.factories import UtilisateurFactory
from tests.schema.factories import FicheActionFactory, JalonFactory, SchemaFactory
from tests.transverse import test_api_conformite as conformite
from tests.transverse.test_api_conformite import CONTROLES, HYPOTHESIS, operations

connexion_gardee = conformite.connexion_gardee  # the fixture, for this module too

JETON = "a" * 32  # an unmasked CSRF secret: the cookie, and the header that must match it
ROUTES = [nom for nom in operations() if " /api/v1/schemas" in nom and "indicateurs" not in nom]


@pytest.fixture
def donnees(db):
    schema = SchemaFactory()
    brouillon = SchemaFactory(departement=schema.departement, statut="en_elaboration", date_adoption=None)
    for cible in (schema, brouillon):
        for numero in range(1, 4):
            fiche = FicheActionFactory(orientation__axe__schema=cible, numero=f"1.{numero}")
            JalonFactory(fiche=fiche, echeance=datetime.date(2016, 1, 1))
    pilote = UtilisateurFactory(role=Role.PILOTE, departements=[schema.departement])
    client = Client()
    client.force_login(pilote)
    return {
        "session": {reglages.SESSION_COOKIE_NAME: client.cookies[reglages.SESSION_COOKIE_NAME].value},
        # Real ids (of an adopted schéma and of a draft one), and an unknown one.
        "schemas": [schema.pk, brouillon.pk, 10**6],
        "fiches": [*FicheAction.objects.values_list("pk", flat=True), 10**6],
    }


def test_les_routes_des_schemas_sont_au_document():
    assert {nom.split(" ")[0] for nom in ROUTES} == {"GET", "PATCH"}
    assert len(ROUTES) == 4


@pytest.mark.parametrize("nom", ROUTES)
@pytest.mark.parametrize("role", ["anonyme", "pilote"])
@pytest.mark.usefixtures("connexion_gardee")
def test_routes_des_schemas_conformes(donnees, settings, nom, role):
    settings.ALLOWED_HOSTS = [*settings.ALLOWED_HOSTS, "localhost"]
    cookies = {**donnees["session"], reglages.CSRF_COOKIE_NAME: JETON} if role == "pilote" else {}
    ids = donnees["fiches"] if "/actions/" in nom else donnees["schemas"]
    vus = set()

    @HYPOTHESIS
    @given(case=operations()[nom].as_strategy(), id=st.sampled_from(ids), a_jour=st.booleans())
    def essayer(case, id, a_jour):
        if "{id}" in nom:
            case.path_parameters = {**(case.path_parameters or {}), "id": id}
        if a_jour and isinstance(case.body, dict):
            # The version the client read, as a well-behaved client sends it: the update itself is reached.
            case.body = {
                **case.body,
                "version": FicheAction.objects.filter(pk=id).values_list("version", flat=True).first() or 1,
            }
        case.cookies = {**(case.cookies or {}), **cookies}
        if role == "pilote":
            case.headers = {**(case.headers or {}), "X-CSRFToken": JETON}
        vus.add(case.call_and_validate(checks=CONTROLES).status_code)

    essayer()
    # The generated requests reached the routes' answers, not only their refusals.
    attendus = {"anonyme": {200, 404}, "pilote": {200, 404}}[role]
    if nom.startswith("PATCH"):
        attendus = {401} if role == "anonyme" else {200, 409}
    assert attendus <= vus, vus
