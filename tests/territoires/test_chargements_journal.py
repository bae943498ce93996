import pytest
from django.utils import timezone

from maillage.comptes.models import Role
from maillage.territoires.models import Chargement
from tests.comptes.factories import UtilisateurFactory
from tests.territoires.factories import DepartementFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def refuse():
    maintenant = timezone.now()
    return Chargement.objects.create(
        commande="importer_qpv",
        fichier="qpv_casse.csv",
        statut=Chargement.Statut.REFUSE,
        erreurs=[{"ligne": 3, "element": None, "champ": "insee_com", "raison": "commune inconnue « 94999 »"}],
        auteur="pilote@exemple.fr",
        debut=maintenant,
        fin=maintenant,
    )


def test_le_pilote_voit_le_journal_et_les_erreurs(client, refuse):
    client.force_login(UtilisateurFactory(role=Role.PILOTE, departements=[DepartementFactory()]))
    liste = client.get("/territoires/chargements/")
    assert liste.status_code == 200
    assert "qpv_casse.csv" in liste.content.decode()
    fiche = client.get(f"/territoires/chargements/{refuse.pk}/").content.decode()
    assert "ligne 3" in fiche
    assert "commune inconnue « 94999 »" in fiche
    assert "/territoires/chargements/" in client.get("/comptes/espace/").content.decode()


@pytest.mark.parametrize("role", [Role.CONSEILLER, Role.PARTENAIRE, Role.STRUCTURE])
def test_les_autres_roles_n_y_ont_pas_acces(client, refuse, role):
    client.force_login(UtilisateurFactory(role=role, departements=[DepartementFactory()]))
    assert client.get("/territoires/chargements/").status_code == 403
    assert client.get(f"/territoires/chargements/{refuse.pk}/").status_code == 403
    assert "/territoires/chargements/" not in client.get("/comptes/espace/").content.decode()


def test_anonyme_renvoye_vers_la_connexion(client, refuse):
    reponse = client.get("/territoires/chargements/")
    assert reponse.status_code == 302
    assert reponse.url.startswith("/comptes/connexion/")


def test_chargement_inconnu(client):
    client.force_login(UtilisateurFactory(role=Role.PILOTE))
    assert client.get("/territoires/chargements/999999/").status_code == 404
