import pytest

from maillage.comptes.models import Role
from tests.comptes.factories import UtilisateurFactory
from tests.territoires.factories import CommuneFactory, DepartementFactory

MOT_DE_PASSE = "mot-de-passe-solide-42"


@pytest.fixture
def val_de_marne(db):
    return DepartementFactory(code="94", nom="Val-de-Marne")


@pytest.fixture
def seine_saint_denis(db):
    return DepartementFactory(code="93", nom="Seine-Saint-Denis")


@pytest.fixture
def creteil(val_de_marne):
    return CommuneFactory(code="94028", nom="Créteil", departement=val_de_marne)


@pytest.fixture
def vitry(val_de_marne):
    return CommuneFactory(code="94081", nom="Vitry-sur-Seine", departement=val_de_marne)


@pytest.fixture
def bobigny(seine_saint_denis):
    return CommuneFactory(code="93008", nom="Bobigny", departement=seine_saint_denis)


@pytest.fixture
def pilote(val_de_marne):
    return UtilisateurFactory(
        email="pilote@caf94.fr", role=Role.PILOTE, organisme="Caf du Val-de-Marne", departements=[val_de_marne]
    )


@pytest.fixture
def pilote_93(seine_saint_denis):
    return UtilisateurFactory(email="pilote@caf93.fr", role=Role.PILOTE, departements=[seine_saint_denis])


@pytest.fixture
def conseiller(val_de_marne, creteil):
    return UtilisateurFactory(
        email="conseiller@caf94.fr", role=Role.CONSEILLER, departements=[val_de_marne], communes=[creteil]
    )


@pytest.fixture
def partenaire(val_de_marne):
    return UtilisateurFactory(
        email="partenaire@cd94.fr", role=Role.PARTENAIRE, organisme="Conseil départemental", departements=[val_de_marne]
    )


@pytest.fixture
def conseiller_93(seine_saint_denis, bobigny):
    return UtilisateurFactory(
        email="conseiller@caf93.fr", role=Role.CONSEILLER, departements=[seine_saint_denis], communes=[bobigny]
    )


@pytest.fixture
def admin_technique(db):
    return UtilisateurFactory(email="admin@maillage.fr", role=Role.ADMIN, is_staff=True, is_superuser=True)


@pytest.fixture
def client_de(client):
    """client_de(user) -> the test client logged in as `user`."""

    def connecter(user):
        client.force_login(user)
        return client

    return connecter
