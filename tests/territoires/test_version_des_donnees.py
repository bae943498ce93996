"""`version_des_donnees`: the data version in the cache keys of derived pages (one query)."""

import pytest
from django.utils import timezone

from maillage.territoires import selectors
from maillage.territoires.models import Chargement, Commune, Departement

pytestmark = pytest.mark.django_db


def test_change_avec_une_modification_journalisee_ou_un_chargement(territoire_94):
    avant = selectors.version_des_donnees(Commune, Departement)
    commune = territoire_94.communes[0]
    commune.nom = "Créteil (renommée)"
    commune.save()  # an audited edit
    apres_modification = selectors.version_des_donnees(Commune, Departement)
    assert apres_modification != avant
    maintenant = timezone.now()
    Chargement.objects.create(commande="test", statut=Chargement.Statut.REUSSI, debut=maintenant, fin=maintenant)
    apres_chargement = selectors.version_des_donnees(Commune, Departement)
    assert apres_chargement != apres_modification
    # Part of cache keys: no whitespace (memcached refuses it, Django warns).
    assert not any(c.isspace() for c in apres_chargement)


def test_une_seule_requete(territoire_94, django_assert_max_num_queries):
    selectors.version_des_donnees(Commune)  # content types cached
    with django_assert_max_num_queries(1):
        selectors.version_des_donnees(Commune, Departement)
