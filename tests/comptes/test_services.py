"""Services check the actor's rights themselves: any caller, not only the forms."""

import pytest
from django.core import mail
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction

from maillage.comptes import services
from maillage.comptes.models import Role, Utilisateur
from tests.comptes.factories import UtilisateurFactory

pytestmark = pytest.mark.django_db

URL = "https://maillage.exemple.fr/"


def inviter(par, **autres):
    donnees = {
        "email": "nouveau@exemple.fr",
        "prenom": "Léa",
        "nom": "Roux",
        "role": Role.PARTENAIRE,
        "departements": [],
        "url_site": URL,
        **autres,
    }
    return services.compte_inviter(par=par, **donnees)


def erreurs(exc) -> dict:
    return exc.value.message_dict


class TestInviter:
    def test_cree_le_compte_et_envoie_le_lien(self, pilote, val_de_marne, django_capture_on_commit_callbacks):
        with django_capture_on_commit_callbacks(execute=True):
            compte = inviter(pilote, email=" Nouveau@Exemple.FR ", departements=[val_de_marne])
        assert compte.email == "nouveau@exemple.fr"
        assert not compte.has_usable_password()
        assert len(mail.outbox) == 1
        assert "https://maillage.exemple.fr/comptes/activation/" in mail.outbox[0].body
        assert "Camille" in mail.outbox[0].body  # who invited

    def test_pas_d_e_mail_si_la_transaction_echoue(self, pilote, val_de_marne, django_capture_on_commit_callbacks):
        with (
            django_capture_on_commit_callbacks(execute=True) as rappels,
            pytest.raises(RuntimeError),
            transaction.atomic(),
        ):
            inviter(pilote, departements=[val_de_marne])
            raise RuntimeError
        assert rappels == []
        assert mail.outbox == []
        assert not Utilisateur.objects.filter(email="nouveau@exemple.fr").exists()

    @pytest.mark.parametrize(
        "autres,champ",
        [
            ({"role": Role.PILOTE}, "role"),
            ({"role": Role.ADMIN}, "role"),
            ({"email": "pas une adresse"}, "email"),
        ],
    )
    def test_refus_par_champ(self, pilote, val_de_marne, autres, champ):
        with pytest.raises(ValidationError) as exc:
            inviter(pilote, departements=[val_de_marne], **autres)
        assert champ in erreurs(exc)
        assert not Utilisateur.objects.filter(email="nouveau@exemple.fr").exists()

    def test_departement_hors_perimetre(self, pilote, seine_saint_denis):
        with pytest.raises(ValidationError) as exc:
            inviter(pilote, departements=[seine_saint_denis])
        assert erreurs(exc)["departements"] == ["Vous ne gérez pas les comptes de : Seine-Saint-Denis (93)."]

    def test_sans_departement(self, pilote):
        with pytest.raises(ValidationError) as exc:
            inviter(pilote)
        assert "departements" in erreurs(exc)

    def test_commune_hors_des_departements(self, pilote, val_de_marne, bobigny):
        with pytest.raises(ValidationError) as exc:
            inviter(pilote, role=Role.CONSEILLER, departements=[val_de_marne], communes=[bobigny])
        assert "Bobigny" in erreurs(exc)["communes"][0]

    def test_communes_reservees_aux_conseillers(self, pilote, val_de_marne, creteil):
        with pytest.raises(ValidationError) as exc:
            inviter(pilote, role=Role.STRUCTURE, departements=[val_de_marne], communes=[creteil])
        assert "communes" in erreurs(exc)

    def test_adresse_existante(self, pilote, val_de_marne, partenaire):
        with pytest.raises(ValidationError) as exc:
            inviter(pilote, email="PARTENAIRE@CD94.FR", departements=[val_de_marne])
        assert "email" in erreurs(exc)

    @pytest.mark.parametrize("fixture", ["conseiller", "partenaire"])
    def test_autres_roles(self, request, fixture, val_de_marne):
        with pytest.raises(ValidationError):
            inviter(request.getfixturevalue(fixture), departements=[val_de_marne])
        assert not Utilisateur.objects.filter(email="nouveau@exemple.fr").exists()

    def test_admin_peut_inviter_un_pilote(self, admin_technique, seine_saint_denis):
        compte = inviter(admin_technique, role=Role.PILOTE, departements=[seine_saint_denis])
        assert compte.role == Role.PILOTE


class TestModifier:
    def test_modifie(self, pilote, conseiller, val_de_marne, vitry):
        services.compte_modifier(
            par=pilote,
            cible=conseiller,
            prenom="A",
            nom="B",
            organisme="C",
            role=Role.CONSEILLER,
            departements=[val_de_marne],
            communes=[vitry],
        )
        conseiller.refresh_from_db()
        assert (conseiller.first_name, conseiller.last_name, conseiller.organisme) == ("A", "B", "C")
        assert list(conseiller.communes.all()) == [vitry]

    def test_cible_hors_perimetre(self, pilote, conseiller_93, val_de_marne):
        with pytest.raises(PermissionDenied):
            services.compte_modifier(
                par=pilote,
                cible=conseiller_93,
                prenom="A",
                nom="B",
                organisme="",
                role=Role.CONSEILLER,
                departements=[val_de_marne],
            )
        conseiller_93.refresh_from_db()
        assert conseiller_93.first_name != "A"

    def test_donner_un_departement_hors_perimetre(self, pilote, partenaire, val_de_marne, seine_saint_denis):
        with pytest.raises(ValidationError):
            services.compte_modifier(
                par=pilote,
                cible=partenaire,
                prenom="A",
                nom="B",
                organisme="",
                role=Role.PARTENAIRE,
                departements=[val_de_marne, seine_saint_denis],
            )
        assert [d.code for d in partenaire.departements.all()] == ["94"]


class TestActivite:
    def test_desactiver_et_reactiver(self, pilote, partenaire):
        services.compte_desactiver(par=pilote, cible=partenaire)
        partenaire.refresh_from_db()
        assert not partenaire.is_active
        services.compte_reactiver(par=pilote, cible=partenaire)
        partenaire.refresh_from_db()
        assert partenaire.is_active

    def test_pilote_ne_desactive_pas_un_pilote(self, pilote, val_de_marne):
        collegue = UtilisateurFactory(role=Role.PILOTE, departements=[val_de_marne])
        with pytest.raises(PermissionDenied):
            services.compte_desactiver(par=pilote, cible=collegue)
        collegue.refresh_from_db()
        assert collegue.is_active

    def test_reinviter_un_compte_desactive(self, pilote, val_de_marne):
        invite = UtilisateurFactory(role=Role.PARTENAIRE, departements=[val_de_marne], is_active=False)
        invite.set_unusable_password()
        invite.save()
        with pytest.raises(ValidationError, match="désactivé"):
            services.compte_reinviter(par=pilote, cible=invite, url_site=URL)
        assert mail.outbox == []
