"""Back-office import: upload → dry-run preview → confirmation, and its permission denials."""

import hashlib

import pytest
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.core.files.uploadedfile import SimpleUploadedFile

from maillage.comptes.models import Role
from maillage.structures.models import Structure
from maillage.territoires.models import Chargement
from tests.comptes.factories import UtilisateurFactory
from tests.structures import test_echanges_export as jeu
from tests.structures.test_echanges_import import csv_de, nouvelle_ligne

# The shared data set (fixture) of the exports' tests.
registre = jeu.registre

URL = "/structures/import/"
URL_CONFIRMER = "/structures/import/confirmer/"


@pytest.fixture
def pilote(registre):
    return UtilisateurFactory(role=Role.PILOTE, departements=[registre["territoire"].departement])


@pytest.fixture
def pilote_93(registre):
    return UtilisateurFactory(role=Role.PILOTE, departements=[registre["bobigny"].departement])


def fichier(contenu: bytes, nom="structures.csv"):
    return SimpleUploadedFile(nom, contenu, content_type="text/csv")


def test_apercu_puis_confirmation(client, pilote):
    client.force_login(pilote)
    assert client.get(URL).status_code == 200
    contenu = csv_de([nouvelle_ligne(), nouvelle_ligne(Nom="Centre social du Fort", Type="CS")])
    reponse = client.post(URL, {"departement": "94", "fichier": fichier(contenu)})
    assert reponse.status_code == 200
    page = reponse.content.decode()
    assert "Aperçu de l'import" in page and "Création" in page and "Centre social du Fort" in page
    # The preview writes nothing.
    assert not Structure.objects.filter(nom="Centre social du Fort").exists()
    assert not Chargement.objects.exists()
    empreinte = hashlib.sha256(contenu).hexdigest()
    assert f'value="{empreinte}"' in page
    chemin = f"imports/structures/{pilote.pk}/{empreinte}"
    assert default_storage.exists(chemin)

    reponse = client.post(URL_CONFIRMER, {"departement": "94", "empreinte": empreinte, "nom_fichier": "structures.csv"})
    assert reponse.status_code == 200
    assert "Import des structures enregistré" in reponse.content.decode()
    assert Structure.objects.filter(nom="Centre social du Fort", departement_id="94").count() == 1
    journal = Chargement.objects.get(commande="importer_structures")
    assert journal.auteur == pilote.email and journal.statut == Chargement.Statut.REUSSI
    assert not default_storage.exists(chemin)
    # Confirming twice: the file is gone, nothing more is written.
    reponse = client.post(URL_CONFIRMER, {"departement": "94", "empreinte": empreinte})
    assert reponse.status_code == 302
    assert Structure.objects.filter(nom="Centre social du Fort").count() == 1


def test_fichier_faux_affiche_ligne_colonne_raison(client, pilote, registre):
    client.force_login(pilote)
    contenu = csv_de([nouvelle_ligne(), nouvelle_ligne(Identifiant=str(registre["bobigny"].pk), SIRET="123")])
    avant = Structure.objects.count()
    reponse = client.post(URL, {"departement": "94", "fichier": fichier(contenu)})
    assert reponse.status_code == 400
    page = reponse.content.decode()
    assert "Fichier refusé" in page
    assert "<td>3</td><td>SIRET</td>" in page and "14 chiffres" in page
    assert "<td>3</td><td>Identifiant</td>" in page and "autre département (93)" in page
    assert "Confirmer l'import" not in page
    assert Structure.objects.count() == avant


def test_anonyme_redirige_vers_la_connexion(client, registre):
    for url in (URL, URL_CONFIRMER):
        reponse = client.post(url, {"departement": "94", "empreinte": "0" * 64})
        assert reponse.status_code == 302 and "/comptes/" in reponse["Location"]
    assert client.get(URL).status_code == 302


@pytest.mark.parametrize("role", [Role.PARTENAIRE, Role.CONSEILLER, Role.STRUCTURE])
def test_autres_roles_refuses(client, registre, role):
    user = UtilisateurFactory(role=role, departements=[registre["territoire"].departement])
    client.force_login(user)
    assert client.get(URL).status_code == 403
    contenu = csv_de([nouvelle_ligne()])
    assert client.post(URL, {"departement": "94", "fichier": fichier(contenu)}).status_code == 403
    assert client.post(URL_CONFIRMER, {"departement": "94", "empreinte": "0" * 64}).status_code == 403
    assert not Structure.objects.filter(nom="Espace de vie sociale du Port").exists()


def test_pilote_d_un_autre_departement(client, pilote, pilote_93, settings):
    contenu = csv_de([nouvelle_ligne()])
    empreinte = hashlib.sha256(contenu).hexdigest()
    # The 94's pilot previews the file: it is stored under their account only.
    client.force_login(pilote)
    client.post(URL, {"departement": "94", "fichier": fichier(contenu)})

    client.force_login(pilote_93)
    reponse = client.post(URL, {"departement": "94", "fichier": fichier(contenu)})
    assert reponse.status_code == 400  # 94 is not among the choices offered
    assert client.post(URL_CONFIRMER, {"departement": "94", "empreinte": empreinte}).status_code == 403
    # In their own département, the 94's communes are refused row by row, and another user's file is not theirs.
    reponse = client.post(URL, {"departement": "93", "fichier": fichier(contenu)})
    assert reponse.status_code == 400 and "n&#x27;est pas dans le département 93" in reponse.content.decode()
    assert client.post(URL_CONFIRMER, {"departement": "93", "empreinte": empreinte}).status_code == 302
    assert not Structure.objects.filter(nom="Espace de vie sociale du Port").exists()


def test_empreinte_forgee(client, pilote):
    client.force_login(pilote)
    for empreinte in ("../../etc/passwd", "A" * 64, ""):
        assert client.post(URL_CONFIRMER, {"departement": "94", "empreinte": empreinte}).status_code == 403


def test_formulaire_sans_fichier(client, pilote):
    client.force_login(pilote)
    reponse = client.post(URL, {"departement": "94"})
    assert reponse.status_code == 400
    assert "obligatoire" in reponse.content.decode()


def test_fichiers_non_confirmes_oublies_apres_un_jour(client, pilote, settings):
    import os
    import time

    client.force_login(pilote)
    ancien = f"imports/structures/{pilote.pk}/{'a' * 64}"
    default_storage.save(ancien, ContentFile(b"ancien"))
    il_y_a_deux_jours = time.time() - 2 * 24 * 3600
    os.utime(default_storage.path(ancien), (il_y_a_deux_jours, il_y_a_deux_jours))
    contenu = csv_de([nouvelle_ligne()])
    client.post(URL, {"departement": "94", "fichier": fichier(contenu)})
    assert not default_storage.exists(ancien)
    assert default_storage.exists(f"imports/structures/{pilote.pk}/{hashlib.sha256(contenu).hexdigest()}")
