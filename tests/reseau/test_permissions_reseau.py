"""The network's access rules on their own (pages and API test them through the views)."""

import pytest

from maillage.comptes.models import Role
from maillage.core.permissions import peut
from maillage.reseau.models import Evenement
from tests.comptes.factories import UtilisateurFactory
from tests.reseau.factories import EvenementFactory
from tests.territoires.factories import DepartementFactory

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize(
    ("acces", "du_departement", "autre_departement"),
    [("public", True, True), ("invitation", True, False), ("reseau", True, False)],
)
def test_inscription_en_un_clic_selon_l_acces(territoire_94, acces, du_departement, autre_departement):
    ev = EvenementFactory(departement=territoire_94.departement, acces=acces)
    ici = UtilisateurFactory(role=Role.PARTENAIRE, departements=[territoire_94.departement])
    ailleurs = UtilisateurFactory(
        role=Role.PILOTE, departements=[DepartementFactory(code="93", region=territoire_94.region)]
    )
    assert peut(ici, "evenement.s_inscrire", ev) is du_departement
    assert peut(ailleurs, "evenement.s_inscrire", ev) is autre_departement


def test_brouillon_ni_visible_ni_ouvert_hors_organisateurs(territoire_94):
    ev = EvenementFactory(departement=territoire_94.departement, statut=Evenement.Statut.BROUILLON)
    partenaire = UtilisateurFactory(role=Role.PARTENAIRE, departements=[territoire_94.departement])
    conseiller = UtilisateurFactory(role=Role.CONSEILLER, departements=[territoire_94.departement])
    assert not peut(None, "evenement.voir", ev) and not peut(partenaire, "evenement.voir", ev)
    assert not peut(partenaire, "evenement.s_inscrire", ev)
    assert peut(conseiller, "evenement.voir", ev) and peut(conseiller, "evenement.organiser", ev)
