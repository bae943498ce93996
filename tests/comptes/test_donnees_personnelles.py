"""Export and erasure of one person's personal data: registry, command, page, permissions and journal; purge of
the journals past their retention."""

import datetime
import json

import pytest
from auditlog.models import LogEntry
from axes.models import AccessAttempt
from django.core.management import call_command
from django.urls import reverse
from django.utils import timezone

from maillage.comptes.models import OperationDonneesPersonnelles, Role, Utilisateur
from maillage.core import donnees_personnelles as registre
from maillage.core.audit import acteur
from maillage.structures.models import Contact
from maillage.territoires.models import Chargement
from tests.comptes.factories import UtilisateurFactory
from tests.structures.factories import StructureFactory

pytestmark = pytest.mark.django_db

PAGE = reverse("comptes:donnees_personnelles")
EXPORT = reverse("comptes:donnees_exporter")
EFFACEMENT = reverse("comptes:donnees_effacer")


@pytest.fixture
def personne(val_de_marne, creteil, pilote):
    """A structure director: an account that changed data, a contact row, a failed login."""
    structure = StructureFactory(commune=creteil, departement=val_de_marne)
    compte = UtilisateurFactory(
        email="directrice@cs-exemple.fr", role=Role.STRUCTURE, departements=[val_de_marne], structure=structure
    )
    with acteur(compte):
        contact = Contact.objects.create(
            structure=structure, fonction="direction", prenom="Alice", nom="Exemple", email="Directrice@cs-exemple.fr"
        )
    AccessAttempt.objects.create(
        username="directrice@cs-exemple.fr",
        ip_address="10.0.0.1",
        user_agent="Navigateur",
        attempt_time=timezone.now(),
        failures_since_start=1,
    )
    return {"compte": compte, "contact": contact, "structure": structure}


class TestRegistre:
    def test_sources_des_applications(self):
        assert {"comptes", "contacts"} <= {s.cle for s in registre.sources()}

    def test_source_en_double_refusee(self):
        with pytest.raises(ValueError):
            registre.source("comptes", libelle="x", exporter=list, departements=set, effacer=str)


class TestCommande:
    def test_exporter(self, personne, tmp_path):
        sortie = tmp_path / "export.json"
        call_command("donnees_personnelles", "exporter", "directrice@cs-exemple.fr", "--sortie", str(sortie))
        export = json.loads(sortie.read_text())
        assert export["personne"] == "directrice@cs-exemple.fr"
        types = {d["type"] for d in export["sources"]["comptes"]["donnees"]}
        assert {"compte", "tentatives de connexion", "modification faite par la personne"} <= types
        assert export["sources"]["contacts"]["donnees"][0]["prenom"] == "Alice"
        operation = OperationDonneesPersonnelles.objects.get()
        assert operation.action == "export" and operation.par_libelle == "ligne de commande"

    def test_effacer_anonymise_un_compte_qui_a_un_historique(self, personne):
        call_command("donnees_personnelles", "effacer", "directrice@cs-exemple.fr", "--oui")
        compte = Utilisateur.objects.get(pk=personne["compte"].pk)
        assert compte.email.endswith("@anonyme.invalid") and not compte.is_active
        assert compte.first_name == "" and not compte.has_usable_password()
        assert not Contact.objects.filter(pk=personne["contact"].pk).exists()
        assert not AccessAttempt.objects.exists()
        # The trail of who changed what stays, without the erased values.
        entree = LogEntry.objects.get(content_type__model="contact", object_pk=str(personne["contact"].pk))
        assert entree.actor_id == compte.pk
        assert entree.changes["prenom"] == [registre.EFFACE, registre.EFFACE]
        assert "Alice" not in json.dumps(list(LogEntry.objects.values("changes", "object_repr")), default=str)
        assert OperationDonneesPersonnelles.objects.get().action == "effacement"

    def test_effacer_anonymise_un_compte_qui_signe_des_lignes(self, val_de_marne):
        # No audit entry, but a row names the account as its author: deleting would blank that author.
        compte = UtilisateurFactory(email="pilote2@caf94.fr", role=Role.PILOTE, departements=[val_de_marne])
        OperationDonneesPersonnelles.objects.create(
            action="export", email="x@exemple.fr", par=compte, par_libelle=str(compte)
        )
        call_command("donnees_personnelles", "effacer", "pilote2@caf94.fr", "--oui")
        compte.refresh_from_db()
        assert compte.email.endswith("@anonyme.invalid")

    def test_effacer_supprime_un_compte_sans_historique(self, val_de_marne):
        compte = UtilisateurFactory(email="partenaire@cd94.fr", role=Role.PARTENAIRE, departements=[val_de_marne])
        call_command("donnees_personnelles", "effacer", "partenaire@cd94.fr", "--oui")
        assert not Utilisateur.objects.filter(pk=compte.pk).exists()


class TestPage:
    def test_pilote_cherche_exporte_et_efface(self, client, pilote, personne):
        client.force_login(pilote)
        page = client.get(PAGE, {"email": "directrice@cs-exemple.fr"})
        assert page.status_code == 200 and "Contacts des structures" in page.content.decode()
        reponse = client.post(EXPORT, {"email": "directrice@cs-exemple.fr"})
        assert reponse["Content-Type"].startswith("application/json")
        assert "attachment" in reponse["Content-Disposition"]
        assert json.loads(reponse.content)["sources"]["contacts"]["donnees"]
        reponse = client.post(EFFACEMENT, {"email": "directrice@cs-exemple.fr", "confirmation": "oui"})
        assert reponse.status_code == 302
        assert not Contact.objects.exists()
        journal = list(OperationDonneesPersonnelles.objects.order_by("le").values_list("action", "par", "email"))
        assert journal == [
            ("export", pilote.pk, "directrice@cs-exemple.fr"),
            ("effacement", pilote.pk, "directrice@cs-exemple.fr"),
        ]

    def test_effacement_sans_confirmation_refuse(self, client, pilote, personne):
        client.force_login(pilote)
        client.post(EFFACEMENT, {"email": "directrice@cs-exemple.fr"})
        assert Contact.objects.exists()

    def test_pilote_d_un_autre_departement_refuse(self, client, seine_saint_denis, personne):
        autre = UtilisateurFactory(email="pilote@caf93.fr", role=Role.PILOTE, departements=[seine_saint_denis])
        client.force_login(autre)
        assert client.get(PAGE).status_code == 200
        assert client.get(PAGE, {"email": "directrice@cs-exemple.fr"}).status_code == 403
        assert client.post(EXPORT, {"email": "directrice@cs-exemple.fr"}).status_code == 403
        assert client.post(EFFACEMENT, {"email": "directrice@cs-exemple.fr", "confirmation": "oui"}).status_code == 403
        assert Contact.objects.exists() and not OperationDonneesPersonnelles.objects.exists()

    @pytest.mark.parametrize("role", [Role.PARTENAIRE, Role.STRUCTURE, Role.CONSEILLER])
    def test_autres_roles_refuses(self, client, val_de_marne, personne, role):
        client.force_login(UtilisateurFactory(email=f"{role}@exemple.fr", role=role, departements=[val_de_marne]))
        assert client.get(PAGE).status_code == 403
        assert client.post(EXPORT, {"email": "directrice@cs-exemple.fr"}).status_code == 403
        assert client.post(EFFACEMENT, {"email": "directrice@cs-exemple.fr", "confirmation": "oui"}).status_code == 403
        assert Contact.objects.exists()

    def test_compte_sans_departement_reserve_a_l_administration(self, client, pilote):
        UtilisateurFactory(email="admin@maillage.fr", role=Role.ADMIN, is_superuser=True)
        client.force_login(pilote)
        assert client.post(EXPORT, {"email": "admin@maillage.fr"}).status_code == 403

    def test_personne_inconnue(self, client, pilote):
        client.force_login(pilote)
        page = client.get(PAGE, {"email": "personne@nulle-part.fr"})
        assert "Aucune donnée personnelle" in page.content.decode()


class TestPurge:
    def test_purger_journaux(self, settings, val_de_marne):
        settings.MAILLAGE_RETENTION_CONNEXIONS_JOURS = 30
        settings.MAILLAGE_RETENTION_CHARGEMENTS_JOURS = 30
        settings.MAILLAGE_RETENTION_AUDIT_JOURS = 0
        vieux = timezone.now() - datetime.timedelta(days=40)
        AccessAttempt.objects.create(username="a@b.fr", ip_address="10.0.0.1", user_agent="x", failures_since_start=1)
        AccessAttempt.objects.filter(username="a@b.fr").update(attempt_time=vieux)  # auto_now_add on create
        AccessAttempt.objects.create(
            username="c@d.fr",
            ip_address="10.0.0.2",
            user_agent="x",
            attempt_time=timezone.now(),
            failures_since_start=1,
        )
        commun = {"commande": "importer_structures", "statut": "refuse", "auteur": "a@b.fr", "fin": vieux}
        ancien = Chargement.objects.create(**commun, debut=vieux, erreurs=[{"ligne": 2, "valeur": "Alice"}])
        Chargement.objects.filter(pk=ancien.pk).update(debut=vieux)
        recent = Chargement.objects.create(**commun, debut=timezone.now(), erreurs=[{"ligne": 2}])
        entrees = LogEntry.objects.count()
        call_command("purger_journaux")
        assert list(AccessAttempt.objects.values_list("username", flat=True)) == ["c@d.fr"]
        ancien.refresh_from_db()
        recent.refresh_from_db()
        assert ancien.erreurs == [] and recent.erreurs == [{"ligne": 2}]
        assert LogEntry.objects.count() == entrees  # 0: audit entries kept

    def test_purger_le_journal_d_audit_si_duree(self, settings, val_de_marne):
        settings.MAILLAGE_RETENTION_AUDIT_JOURS = 10
        LogEntry.objects.update(timestamp=timezone.now() - datetime.timedelta(days=11))
        assert LogEntry.objects.exists()
        call_command("purger_journaux")
        assert not LogEntry.objects.exists()


def test_compte_designe_dans_un_mandat_anonymise_sans_erreur(val_de_marne, pilote):
    """A mandate names the account (PROTECT): erasing it keeps the row, anonymised, and the mandate's record."""
    from maillage.comptes import services
    from maillage.comptes.models import Mandat, Organisation

    federation = services.organisation_creer(
        par=pilote, nom="Fédération (fictive)", type=Organisation.Type.FEDERATION, departement=val_de_marne
    )
    compte = UtilisateurFactory(
        email="correspondante@federation.fr", role=Role.PARTENAIRE, departements=[val_de_marne], organisation=federation
    )
    mandat = services.mandat_accorder(
        par=pilote,
        organisation=federation,
        nature=Mandat.Nature.CORRESPONDANT_OBSERVATOIRE,
        debut=datetime.date(2016, 1, 1),
        motif="Convention",
        utilisateur=compte,
    )
    registre.effacer("correspondante@federation.fr")
    compte.refresh_from_db()
    assert compte.email.endswith("@anonyme.invalid") and not compte.is_active
    assert Mandat.objects.get(pk=mandat.pk).utilisateur_id == compte.pk
