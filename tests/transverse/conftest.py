"""The whole demo, loaded once for this package (crawl, permission matrix, API conformance), then flushed.

Like tests/demo/: the real territories of département 94 and the real QPV file, the demo accounts of every
role. Tables are flushed at the end, with the PS barème put back (other tests rely on migration 0003's rows).
"""

from io import StringIO

import pytest
from django.core.management import call_command
from django.test import override_settings

from maillage.comptes.models import Utilisateur
from tests.bareme import remettre_bareme_initial

# Demo accounts by role name used in these tests; "structure" is tied to a structure of the demo.
COMPTES = {
    "pilote": "pilote@demo.maillage.fr",
    "conseiller": "conseiller@demo.maillage.fr",
    "partenaire": "partenaire@demo.maillage.fr",
    "structure": "structure@demo.maillage.fr",
    "admin": "admin@demo.maillage.fr",
}
ROLES = ["anonyme", *COMPTES]


@pytest.fixture(scope="package")
def demo_chargee(django_db_setup, django_db_blocker):
    with django_db_blocker.unblock():
        remettre_bareme_initial()
        with override_settings(DEBUG=True, MAILLAGE_DEMO=True):
            call_command("charger_demo", stdout=StringIO(), stderr=StringIO())
        yield
        call_command("flush", interactive=False, verbosity=0)
        remettre_bareme_initial()


@pytest.fixture
def demo(demo_chargee, db):
    """The loaded demo inside the test's transaction (what a test writes is rolled back)."""


def client_de(role):
    """A test client logged in as the demo account of `role` (anonymous for "anonyme")."""
    from django.test import Client

    client = Client(raise_request_exception=False)  # a crash must show as the 500 users get
    if role != "anonyme":
        client.force_login(Utilisateur.objects.get(email=COMPTES[role]))
    return client
