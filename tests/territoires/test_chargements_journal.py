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


# --- Scope: a pilote sees the loads of their départements and the national ones --------------------------------


def _chargement(fichier, parametres):
    maintenant = timezone.now()
    return Chargement.objects.create(
        commande="importer_structures",
        fichier=fichier,
        parametres=parametres,
        statut=Chargement.Statut.REFUSE,
        erreurs=[{"ligne": 2, "champ": "nom", "raison": "valeur « Centre de Mme Dupont » refusée"}],
        auteur="pilote94@exemple.fr",
        debut=maintenant,
        fin=maintenant,
    )


def test_le_pilote_d_un_autre_departement_ne_voit_pas_le_journal_du_94(client, refuse):
    dep_94, dep_93 = DepartementFactory(code="94"), DepartementFactory(code="93")
    du_94 = _chargement("structures_94.csv", {"departement": "94"})
    plusieurs = _chargement("indicateurs_93_94.csv", {"departements": ["93", "94"]})
    pilote_93 = UtilisateurFactory(role=Role.PILOTE, departements=[dep_93])
    client.force_login(pilote_93)
    liste = client.get("/territoires/chargements/").content.decode()
    assert "structures_94.csv" not in liste and "pilote94@exemple.fr" not in liste
    # A load of several départements needs them all; a national one (no département) is seen by every pilote.
    assert "indicateurs_93_94.csv" not in liste
    assert "qpv_casse.csv" in liste
    assert client.get(f"/territoires/chargements/{du_94.pk}/").status_code == 403
    assert client.get(f"/territoires/chargements/{plusieurs.pk}/").status_code == 403
    assert client.get(f"/territoires/chargements/{refuse.pk}/").status_code == 200

    client.force_login(UtilisateurFactory(role=Role.PILOTE, departements=[dep_94]))
    assert "structures_94.csv" in client.get("/territoires/chargements/").content.decode()
    assert client.get(f"/territoires/chargements/{du_94.pk}/").status_code == 200
    client.force_login(UtilisateurFactory(role=Role.PILOTE, departements=[dep_93, dep_94]))
    assert client.get(f"/territoires/chargements/{plusieurs.pk}/").status_code == 200


def test_l_administrateur_voit_tout_le_journal(client):
    DepartementFactory(code="94")
    du_94 = _chargement("structures_94.csv", {"departement": "94"})
    client.force_login(UtilisateurFactory(role=Role.ADMIN, is_superuser=True, is_staff=True))
    assert client.get(f"/territoires/chargements/{du_94.pk}/").status_code == 200
