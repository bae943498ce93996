"""The API answers as its OpenAPI document says (schemathesis, on the demo).

Every operation of `/api/v1/openapi.json` is called with requests generated from the document (a bounded
number of examples per operation, derandomised so a run is repeatable), through the Django WSGI application,
anonymously and with the demo pilote's session. Checked: no server error, a status code the document lists,
the documented content type and a body that validates against the documented schema.
"""

import functools

import pytest
import schemathesis
from django.conf import settings
from django.core import signals
from django.db import close_old_connections
from django.test import Client, override_settings
from hypothesis import HealthCheck, Phase, given
from hypothesis import settings as reglages_hypothesis
from schemathesis.checks import not_a_server_error
from schemathesis.specs.openapi.checks import (
    content_type_conformance,
    response_schema_conformance,
    status_code_conformance,
)

from maillage.comptes.models import Utilisateur
from maillage.wsgi import application

EXEMPLES = 25
CONTROLES = [not_a_server_error, status_code_conformance, content_type_conformance, response_schema_conformance]

HYPOTHESIS = reglages_hypothesis(
    max_examples=EXEMPLES,
    derandomize=True,
    database=None,
    deadline=None,
    phases=[Phase.explicit, Phase.generate],
    suppress_health_check=list(HealthCheck),
)


@functools.cache
def schema_api():
    # The document itself needs no database: it can be read when tests are collected.
    with override_settings(ALLOWED_HOSTS=[*settings.ALLOWED_HOSTS, "localhost"]):
        schema = schemathesis.openapi.from_wsgi("/api/v1/openapi.json", application)
    # A NUL byte anywhere gets a 400 from a middleware before any route (tests/test_octet_nul.py).
    schema.config.generation.update(allow_x00=False)
    return schema


def operations() -> dict:
    return {resultat.ok().label: resultat.ok() for resultat in schema_api().get_all_operations()}


# Known defects, by operation and role (a strict xfail each, with its reason): none today. A defect found here is
# fixed, or listed with the reason it cannot be yet.
CONNUS: dict[tuple[str, str], str] = {}


def cas_connus(nom, role):
    raison = CONNUS.get((nom, role))
    return [pytest.mark.xfail(strict=True, reason=raison)] if raison else []


def _session_pilote() -> dict:
    client = Client()
    client.force_login(Utilisateur.objects.get(email="pilote@demo.maillage.fr"))
    return {settings.SESSION_COOKIE_NAME: client.cookies[settings.SESSION_COOKIE_NAME].value}


@pytest.fixture
def connexion_gardee():
    """Like Django's test client: the end of a request must not close the connection that holds the test's
    transaction (calling the WSGI application directly would, on PostgreSQL)."""
    signals.request_started.disconnect(close_old_connections)
    signals.request_finished.disconnect(close_old_connections)
    yield
    signals.request_started.connect(close_old_connections)
    signals.request_finished.connect(close_old_connections)


@pytest.mark.parametrize(
    "nom,role",
    [pytest.param(nom, role, marks=cas_connus(nom, role)) for nom in operations() for role in ("anonyme", "pilote")],
)
def test_api_conforme_au_document(demo, connexion_gardee, settings, nom, role):
    settings.ALLOWED_HOSTS = [*settings.ALLOWED_HOSTS, "localhost"]
    session = _session_pilote() if role == "pilote" else {}

    @HYPOTHESIS
    @given(case=operations()[nom].as_strategy())
    def essayer(case):
        # The session cookie the document declares would otherwise be a generated one.
        case.cookies = {**(case.cookies or {}), **session}
        case.call_and_validate(checks=CONTROLES)

    essayer()
