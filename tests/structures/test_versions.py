"""No lost update on the registry's edit forms: a save from a form opened before another save is refused."""

import datetime
import threading
import time

import pytest
from django.db import connection, transaction
from django.urls import reverse

from maillage.comptes.models import Role
from maillage.core.versions import ConflitVersion
from maillage.structures import services
from maillage.structures.models import Contact, ProjetSocial, Structure
from tests.comptes.factories import UtilisateurFactory
from tests.conftest import enregistrer_deux_fois, message_conflit
from tests.structures.factories import GestionnaireFactory, StructureFactory


@pytest.fixture
def monde(territoire_94):
    creteil = territoire_94.communes[0]
    dep94 = territoire_94.departement
    structure = StructureFactory(
        nom="Centre social des Bleuets",
        commune=creteil,
        gestionnaire=GestionnaireFactory(nom="Association des Bleuets", commune=creteil),
        longitude=2.46,
        latitude=48.80,
    )
    pilote = UtilisateurFactory(role=Role.PILOTE, departements=[dep94], first_name="Paule", last_name="Pilote")
    compte = UtilisateurFactory(role=Role.STRUCTURE, departements=[dep94], structure=structure)
    return type("Monde", (), {"structure": structure, "pilote": pilote, "compte": compte, "creteil": creteil})


def _profil(**autres):
    return {"nom": "Centre social des Bleuets", "commune": "94028", "situation_qpv": "dans_qpv", **autres}


@pytest.mark.django_db
def test_structure_deuxieme_enregistrement_refuse(monde):
    url = reverse("structures:structure_modifier", args=[monde.structure.pk])
    reponse = enregistrer_deux_fois(
        url,
        (monde.pilote, _profil(type="centre_social", gestionnaire=monde.structure.gestionnaire_id, telephone="01 02")),
        (monde.compte, _profil(presentation="Bienvenue")),
    )
    message = message_conflit(reponse)
    assert "Paule Pilote" in message
    assert "Téléphone : « (vide) » → « 01 02 »" in message
    monde.structure.refresh_from_db()
    assert monde.structure.telephone == "01 02"
    assert monde.structure.presentation == ""
    assert monde.structure.version == 2
    # The refused form keeps its stale version: saving again is refused too, until a reload.
    assert 'name="version" value="1"' in reponse.content.decode()


@pytest.mark.django_db
def test_structure_enregistrement_a_jour_accepte_et_version_suivante(client, monde):
    url = reverse("structures:structure_modifier", args=[monde.structure.pk])
    client.force_login(monde.compte)
    assert client.get(url).context["form"]["version"].value() == 1
    assert client.post(url, _profil(presentation="Bonjour", version=1)).status_code == 302
    assert client.get(url).context["form"]["version"].value() == 2
    assert client.post(url, _profil(presentation="Bonsoir", version=2)).status_code == 302
    monde.structure.refresh_from_db()
    assert (monde.structure.presentation, monde.structure.version) == ("Bonsoir", 3)


@pytest.mark.django_db
def test_structure_sans_version_refusee(client, monde):
    client.force_login(monde.compte)
    reponse = client.post(reverse("structures:structure_modifier", args=[monde.structure.pk]), _profil(nom="X"))
    assert reponse.status_code == 200
    assert "rechargez la page" in str(reponse.context["form"].non_field_errors())
    monde.structure.refresh_from_db()
    assert monde.structure.nom == "Centre social des Bleuets"


@pytest.mark.django_db
def test_fermeture_entre_deux_change_la_version(monde):
    """Every save raises the version, not only the edit form's: a form opened before a closing is stale."""
    services.structure_fermer(par=monde.pilote, structure=monde.structure, date=datetime.date(2020, 1, 1))
    with pytest.raises(ConflitVersion) as refus:
        services.structure_modifier(par=monde.compte, structure=monde.structure, version=1, presentation="X")
    assert "Date de fermeture" in refus.value.message_conflit or "date de fermeture" in refus.value.message_conflit


@pytest.mark.django_db(transaction=True)
def test_verification_atomique_un_seul_gagne(monde):
    """Two saves of the same version: the first claims the row, the second is refused (no silent overwrite)."""
    gagnants, refus = [], []
    for texte in ("Premier", "Second"):
        try:
            with transaction.atomic():
                s = services.structure_modifier(
                    par=monde.compte,
                    structure=Structure.objects.get(pk=monde.structure.pk),
                    version=1,
                    presentation=texte,
                )
                gagnants.append(s.presentation)
        except ConflitVersion as erreur:
            refus.append(erreur)
    assert gagnants == ["Premier"] and len(refus) == 1
    assert Structure.objects.get(pk=monde.structure.pk).presentation == "Premier"


@pytest.mark.django_db
def test_contact_deuxieme_enregistrement_refuse(monde):
    contact = Contact.objects.create(structure=monde.structure, fonction="direction", prenom="Alex", nom="Martin")
    url = reverse("structures:contact_modifier", args=[contact.pk])
    base = {"fonction": "direction", "prenom": "Alex", "nom": "Martin", "base_legale": "mission_publique"}
    reponse = enregistrer_deux_fois(
        url, (monde.pilote, {**base, "telephone": "0600"}), (monde.compte, {**base, "nom": "Martine"})
    )
    assert "Téléphone professionnel : « (vide) » → « 0600 »" in message_conflit(reponse)
    contact.refresh_from_db()
    assert (contact.nom, contact.telephone, contact.version) == ("Martin", "0600", 2)


@pytest.mark.django_db
def test_projet_social_deuxieme_enregistrement_refuse(monde):
    projet = ProjetSocial.objects.create(
        structure=monde.structure,
        intitule="Projet 2024",
        debut=datetime.date(2024, 1, 1),
        fin=datetime.date(2027, 12, 31),
    )
    url = reverse("structures:projet_modifier", args=[projet.pk])
    base = {"intitule": "Projet 2024", "debut": "2024-01-01", "fin": "2027-12-31"}
    reponse = enregistrer_deux_fois(
        url, (monde.pilote, {**base, "intitule": "Projet 2024-2027"}), (monde.compte, {**base, "axes": "Jeunesse"})
    )
    assert "Projet 2024 » → « Projet 2024-2027" in message_conflit(reponse)
    projet.refresh_from_db()
    assert (projet.intitule, projet.axes, projet.version) == ("Projet 2024-2027", "", 2)


@pytest.mark.django_db(transaction=True)
def test_deux_enregistrements_simultanes_un_seul_gagne(monde):
    """Truly concurrent on PostgreSQL: both sessions read version 1, the row lock makes the second one wait and
    then refuses it (SQLite serialises whole transactions: the sequential test above covers it)."""
    if connection.vendor != "postgresql":
        pytest.skip("concurrence réelle : PostgreSQL seulement")
    barriere = threading.Barrier(2)
    resultats = []

    def enregistrer(texte):
        try:
            with transaction.atomic():
                lue = Structure.objects.get(pk=monde.structure.pk)
                barriere.wait(timeout=10)
                services.structure_modifier(par=monde.compte, structure=lue, version=lue.version, presentation=texte)
                time.sleep(0.3)  # hold the row while the other session tries
            resultats.append(texte)
        except ConflitVersion:
            resultats.append("refusé")
        finally:
            connection.close()

    fils = [threading.Thread(target=enregistrer, args=(texte,)) for texte in ("Premier", "Second")]
    for f in fils:
        f.start()
    for f in fils:
        f.join(timeout=30)
    assert sorted(r == "refusé" for r in resultats) == [False, True]  # one saved, one refused
    gagnant = next(r for r in resultats if r != "refusé")
    s = Structure.objects.get(pk=monde.structure.pk)
    assert (s.presentation, s.version) == (gagnant, 2)
