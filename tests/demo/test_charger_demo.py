"""charger_demo: refused outside the demo, idempotent, one account per role."""

from io import StringIO

import pytest
from django.core.management import call_command, get_commands
from django.core.management.base import CommandError

from maillage.comptes.models import Mandat, Organisation, Role, Utilisateur
from maillage.demo.management.commands import charger_demo
from maillage.territoires.models import QPV, Appartenance, Commune, Regroupement
from tests.territoires.factories import CommuneFactory, QPVFactory

pytestmark = pytest.mark.django_db


def lancer(*args):
    sortie = StringIO()
    call_command("charger_demo", *args, stdout=sortie, stderr=StringIO())
    return sortie.getvalue()


@pytest.fixture
def demo(settings):
    settings.DEBUG = True
    settings.MAILLAGE_DEMO = True


@pytest.fixture
def communes_94(val_de_marne):
    for code, nom in [("94028", "Créteil"), ("94081", "Vitry-sur-Seine"), ("94041", "Ivry-sur-Seine")]:
        CommuneFactory(code=code, nom=nom, departement=val_de_marne)


@pytest.mark.parametrize("debug,demo_active", [(False, True), (True, False), (False, False)])
def test_refuse_hors_de_la_demo(settings, val_de_marne, debug, demo_active):
    settings.DEBUG = debug
    settings.MAILLAGE_DEMO = demo_active  # forced: settings.py itself never allows it with DEBUG off
    with pytest.raises(CommandError, match="MAILLAGE_DEMO=1 et DEBUG=1"):
        lancer("--sans-territoires")
    assert not Utilisateur.objects.exists()


def test_un_compte_par_role(demo, communes_94, val_de_marne):
    sortie = lancer("--sans-territoires")
    comptes = {c.role: c for c in Utilisateur.objects.all()}
    assert set(comptes) == {Role.PILOTE, Role.CONSEILLER, Role.PARTENAIRE, Role.STRUCTURE, Role.ADMIN}
    assert all(c.est_demo and c.is_active for c in comptes.values())
    assert all(list(c.departements.all()) == [val_de_marne] for c in comptes.values())
    assert sorted(c.code for c in comptes[Role.CONSEILLER].communes.all()) == ["94028", "94041", "94081"]
    assert comptes[Role.ADMIN].is_superuser and comptes[Role.ADMIN].is_staff
    assert not comptes[Role.PILOTE].is_staff
    # The demo partner is the federation's correspondant observatoire (a live mandate granted by the pilote).
    federation = comptes[Role.PARTENAIRE].organisation
    assert federation.type == Organisation.Type.FEDERATION
    assert comptes[Role.PARTENAIRE].organisme == federation.nom
    mandat = federation.mandats.get()
    assert mandat.nature == Mandat.Nature.CORRESPONDANT_OBSERVATOIRE and mandat.en_vigueur()
    assert mandat.accorde_par == comptes[Role.PILOTE]
    assert comptes[Role.PILOTE].organisation.type == Organisation.Type.CAF
    assert set(Organisation.objects.values_list("type", flat=True)) == {
        Organisation.Type.CAF,
        Organisation.Type.CONSEIL_DEPARTEMENTAL,
        Organisation.Type.PREFECTURE,
        Organisation.Type.FEDERATION,
    }
    assert all(c.check_password(charger_demo.MOT_DE_PASSE) for c in comptes.values())
    for compte in comptes.values():
        assert compte.email in sortie
    assert charger_demo.MOT_DE_PASSE in sortie
    assert "pas encore rattaché à une structure" in sortie
    assert "http://127.0.0.1:8000/comptes/connexion/" in sortie
    assert "ignoré (--sans-territoires)" in sortie


def test_idempotent(demo, communes_94, client):
    lancer("--sans-territoires")
    pilote = Utilisateur.objects.get(email="pilote@demo.maillage.fr")
    pilote.set_password("change-par-quelqu-un")
    pilote.first_name = "Autre"
    pilote.save()
    lancer("--sans-territoires")
    assert Utilisateur.objects.count() == 5
    pilote.refresh_from_db()
    assert pilote.first_name == "Claire"
    assert pilote.check_password(charger_demo.MOT_DE_PASSE)
    reponse = client.post(
        "/comptes/connexion/", {"username": "pilote@demo.maillage.fr", "password": "demo-maillage-94"}
    )
    assert reponse.status_code == 302


def test_les_etapes_de_territoires_sont_sautees_si_deja_chargees(demo, communes_94, monkeypatch):
    QPVFactory(communes=[Commune.objects.get(code="94028")])
    appels = []
    monkeypatch.setattr(charger_demo, "call_command", lambda *a, **k: appels.append(a))
    sortie = lancer()
    assert appels == []
    assert "déjà chargés" in sortie and "déjà importés" in sortie


def test_fichier_qpv_manquant(demo, communes_94, monkeypatch, tmp_path):
    monkeypatch.setattr(charger_demo, "FICHIER_QPV", tmp_path / "absent.csv")
    with pytest.raises(CommandError, match="Fichier des QPV introuvable"):
        lancer()


COMMANDES_PRETES = (
    "charger_territoires" in get_commands() and "importer_qpv" in get_commands() and charger_demo.FICHIER_QPV.exists()
)


@pytest.mark.skipif(
    not COMMANDES_PRETES,
    reason="charger_territoires, importer_qpv ou data/qpv2024_liste_94.csv pas encore dans le dépôt",
)
def test_demo_complete(demo):
    lancer()
    assert Commune.objects.filter(departement_id="94").count() == 47
    assert QPV.objects.filter(communes__departement_id="94").exists()
    conseiller = Utilisateur.objects.get(email="conseiller@demo.maillage.fr")
    assert conseiller.communes.count() == 3
    # The Caf's fictional sectors, imported through the pilote's grouping service, cover the 47 communes.
    secteurs = Regroupement.objects.filter(departement_id="94", type="territoire_caf")
    assert sorted(secteurs.values_list("nom", flat=True)) == [
        "Secteur Centre (fictif)",
        "Secteur Est (fictif)",
        "Secteur Ouest (fictif)",
    ]
    assert Appartenance.objects.filter(regroupement__in=secteurs).count() == 47
    # A second run is quick: nothing is reloaded.
    assert "déjà chargés" in lancer()
