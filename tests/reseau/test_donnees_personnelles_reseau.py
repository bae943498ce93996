"""Personal data of the network, end to end: from a person's entry, export (JSON) and erasure through the registry
(`comptes.services_donnees`): the annuaire entry is deleted, registrations anonymised (kept for the statistics),
the audit trail keeps who and when but not the values; journaled; refused to whoever may not."""

import json

import pytest
from auditlog.models import LogEntry
from django.urls import reverse

from maillage.comptes.models import OperationDonneesPersonnelles
from maillage.core import donnees_personnelles as registre
from maillage.reseau import services, services_annuaire
from maillage.reseau.models import Inscription, Personne
from tests.reseau.factories import EvenementFactory, PersonneFactory, jeu_annuaire, refus


@pytest.fixture
def jeu(territoire_94):
    return jeu_annuaire(territoire_94)


def _inscrire(jeu, email="alpha@exemple.fr"):
    evenement = EvenementFactory(departement=jeu.dep)
    inscription, _ = services.inscription_creer(
        evenement=evenement, nom="Alpha", prenom="Dominique", email=email, telephone="0102030405"
    )
    return inscription


def test_effacer_un_inscrit_anonymise_ses_inscriptions_et_supprime_sa_fiche(client, jeu):
    alpha = jeu.personnes[0]
    services_annuaire.personne_modifier(
        par=jeu.pilote, personne=alpha, version=alpha.version, nom="Alpha", prenom="Dominique", categorie="elu",
        base_legale="mission_publique", email="alpha@exemple.fr", telephone="0607080910",
    )  # fmt: skip
    inscription = _inscrire(jeu)
    client.force_login(jeu.pilote)
    url = reverse("reseau:personne_effacer", args=[alpha.pk])
    page = client.get(url)
    assert page.status_code == 200 and "Réseau" in page.content.decode()
    # without the confirmation, nothing
    assert client.post(url, {"action": "effacer"}).status_code == 302
    assert Personne.objects.filter(pk=alpha.pk).exists()
    reponse = client.post(url, {"action": "effacer", "confirmation": "oui"})
    assert reponse.status_code == 302
    assert not Personne.objects.filter(pk=alpha.pk).exists()
    inscription.refresh_from_db()
    assert inscription.nom == registre.EFFACE and inscription.email.endswith("@invalid") and not inscription.telephone
    assert Inscription.objects.filter(pk=inscription.pk).exists()  # kept for the attendance statistics
    operation = OperationDonneesPersonnelles.objects.get(action="effacement")
    assert operation.email == "alpha@exemple.fr" and operation.par == jeu.pilote
    # the audit entries of the entry keep who and when, not the values
    entrees = LogEntry.objects.filter(object_pk=str(alpha.pk), content_type__model="personne")
    assert entrees.exists()
    assert not any("0607080910" in json.dumps(e.changes) or "alpha@exemple.fr" in json.dumps(e.changes)
                   for e in entrees)  # fmt: skip
    assert registre.exporter("alpha@exemple.fr")["reseau"]["donnees"] == []


def test_export_json_de_la_personne(client, jeu):
    _inscrire(jeu)
    client.force_login(jeu.pilote)
    reponse = client.post(reverse("reseau:personne_effacer", args=[jeu.personnes[0].pk]), {"action": "exporter"})
    assert reponse.status_code == 200 and reponse["Content-Type"].startswith("application/json")
    donnees = json.loads(reponse.content)
    types = [d["type"] for d in donnees["sources"]["reseau"]["donnees"]]
    assert "personne de l'annuaire du réseau" in types and "inscription à un événement" in types
    assert OperationDonneesPersonnelles.objects.filter(action="export", email="alpha@exemple.fr").exists()


def test_conseiller_ne_peut_ni_exporter_ni_effacer(client, jeu):
    client.force_login(jeu.conseiller)
    url = reverse("reseau:personne_effacer", args=[jeu.personnes[0].pk])
    assert client.get(url).status_code == 200
    assert client.post(url, {"action": "exporter"}).status_code == 302
    assert client.post(url, {"action": "effacer", "confirmation": "oui"}).status_code == 302
    assert Personne.objects.filter(pk=jeu.personnes[0].pk).exists()
    assert not OperationDonneesPersonnelles.objects.exists()


def test_personne_presente_dans_deux_departements_reservee(client, jeu):
    PersonneFactory(departement=jeu.autre, email="alpha@exemple.fr")
    client.force_login(jeu.pilote)
    url = reverse("reseau:personne_effacer", args=[jeu.personnes[0].pk])
    client.post(url, {"action": "effacer", "confirmation": "oui"})
    assert Personne.objects.filter(email="alpha@exemple.fr").count() == 2


def test_fiche_sans_email_supprimee_seule(client, jeu):
    charlie = jeu.personnes[2]
    client.force_login(jeu.pilote)
    reponse = client.post(
        reverse("reseau:personne_effacer", args=[charlie.pk]), {"action": "effacer", "confirmation": "oui"}
    )
    assert reponse.status_code == 302
    assert not Personne.objects.filter(pk=charlie.pk).exists()


@pytest.mark.parametrize("qui", ["partenaire", "structure", "pilote_autre", "anonyme"])
def test_refus(client, jeu, qui):
    user = None if qui == "anonyme" else getattr(jeu, qui)
    url = reverse("reseau:personne_effacer", args=[jeu.personnes[0].pk])
    refus(client, user, "get", url)
    refus(client, user, "post", url, {"action": "exporter"})
    refus(client, user, "post", url, {"action": "effacer", "confirmation": "oui"})
    assert Personne.objects.filter(pk=jeu.personnes[0].pk).exists()
