"""Account management by a pilote: list, invite, modify, deactivate; refusals of forged requests."""

import re

import pytest
from django.core import mail
from django.urls import reverse

from maillage.comptes.models import Role, Utilisateur
from tests.comptes.factories import UtilisateurFactory
from tests.conftest import enregistrer_deux_fois, message_conflit

from .test_connexion import connecter, est_connecte

pytestmark = pytest.mark.django_db


def url(nom, *args):
    return reverse(f"comptes:{nom}", args=args)


def invitation(departements, **autres):
    return {
        "email": "nouvelle@centre-social.fr",
        "prenom": "Inès",
        "nom": "Lefort",
        "organisme": "Centre social des Bords de Marne",
        "role": Role.STRUCTURE,
        "departements": [d.code for d in departements],
        **autres,
    }


def assert_refus_403(reponse):
    assert reponse.status_code == 403
    assert "Accès refusé" in reponse.content.decode()


class TestAcces:
    @pytest.mark.parametrize(
        "nom,args",
        [
            ("gestion", ()),
            ("liste", ("94",)),
            ("inviter", ("94",)),
            ("journal", ("94",)),
            ("modifier", (1,)),
            ("desactiver", (1,)),
        ],
    )
    def test_anonyme_redirige_vers_la_connexion(self, client, val_de_marne, nom, args):
        reponse = client.get(url(nom, *args))
        assert reponse.status_code == 302
        assert reponse.url.startswith(reverse("comptes:connexion") + "?next=")

    @pytest.mark.parametrize("fixture", ["conseiller", "partenaire"])
    def test_autres_roles_refuses(self, client_de, request, fixture):
        client = client_de(request.getfixturevalue(fixture))
        assert_refus_403(client.get(url("gestion")))
        assert_refus_403(client.get(url("liste", "94")))
        assert_refus_403(client.get(url("inviter", "94")))

    def test_pilote_hors_de_son_departement(self, client_de, pilote, seine_saint_denis):
        client = client_de(pilote)
        assert_refus_403(client.get(url("liste", "93")))
        assert_refus_403(client.get(url("inviter", "93")))

    def test_departement_inconnu(self, client_de, pilote):
        assert client_de(pilote).get(url("liste", "999")).status_code == 404

    def test_gestion_mene_au_seul_departement_du_pilote(self, client_de, pilote):
        reponse = client_de(pilote).get(url("gestion"))
        assert reponse.url == url("liste", "94")

    def test_gestion_propose_les_departements_a_l_admin(
        self, client_de, admin_technique, val_de_marne, seine_saint_denis
    ):
        page = client_de(admin_technique).get(url("gestion")).content.decode()
        assert url("liste", "94") in page and url("liste", "93") in page


class TestListe:
    def test_comptes_du_departement_seulement(self, client_de, pilote, conseiller, partenaire, conseiller_93):
        page = client_de(pilote).get(url("liste", "94")).content.decode()
        assert "conseiller@caf94.fr" in page
        assert "partenaire@cd94.fr" in page
        assert "conseiller@caf93.fr" not in page
        assert url("modifier", conseiller.pk) in page
        # A pilote does not modify their own account nor another pilote's.
        assert url("modifier", pilote.pk) not in page

    def test_nombre_de_requetes_borne(self, client_de, pilote, val_de_marne, creteil, django_assert_max_num_queries):
        client = client_de(pilote)
        UtilisateurFactory.create_batch(3, role=Role.CONSEILLER, departements=[val_de_marne], communes=[creteil])
        with django_assert_max_num_queries(8):
            petite = client.get(url("liste", "94"))
        UtilisateurFactory.create_batch(40, role=Role.PARTENAIRE, departements=[val_de_marne])
        with django_assert_max_num_queries(8):
            grande = client.get(url("liste", "94"))
        assert petite.status_code == grande.status_code == 200
        assert len(grande.context["lignes"]) == 44

    def test_filtres(self, client_de, pilote, conseiller, partenaire):
        client = client_de(pilote)
        reponse = client.get(url("liste", "94"), {"role": "partenaire"})
        assert [ligne["compte"] for ligne in reponse.context["lignes"]] == [partenaire]
        reponse = client.get(url("liste", "94"), {"recherche": "CONSEILLER@"})
        assert [ligne["compte"] for ligne in reponse.context["lignes"]] == [conseiller]
        conseiller.is_active = False
        conseiller.save()
        reponse = client.get(url("liste", "94"), {"statut": "desactive"})
        assert [ligne["compte"] for ligne in reponse.context["lignes"]] == [conseiller]
        # A forged filter is ignored, not a 500.
        assert client.get(url("liste", "94"), {"role": "roi", "page": "x"}).status_code == 200

    def test_pagination(self, client_de, pilote, val_de_marne):
        UtilisateurFactory.create_batch(55, role=Role.PARTENAIRE, departements=[val_de_marne])
        client = client_de(pilote)
        assert len(client.get(url("liste", "94")).context["lignes"]) == 50
        assert len(client.get(url("liste", "94"), {"page": 2}).context["lignes"]) == 6


class TestInvitation:
    def test_parcours_complet(self, client_de, pilote, val_de_marne, creteil, django_capture_on_commit_callbacks):
        client = client_de(pilote)
        formulaire = client.get(url("inviter", "94")).content.decode()
        assert "Créteil (94028)" in formulaire
        donnees = invitation([val_de_marne], role=Role.CONSEILLER, communes=[creteil.code], email="Nouvelle@Caf94.fr")
        with django_capture_on_commit_callbacks(execute=True):
            reponse = client.post(url("inviter", "94"), donnees)
        assert reponse.status_code == 302, reponse.context["form"].errors
        assert reponse.url == url("liste", "94")

        compte = Utilisateur.objects.get(email="nouvelle@caf94.fr")
        assert (compte.first_name, compte.last_name, compte.role) == ("Inès", "Lefort", Role.CONSEILLER)
        assert list(compte.departements.all()) == [val_de_marne]
        assert list(compte.communes.all()) == [creteil]
        assert not compte.has_usable_password()
        assert compte.is_active and not compte.is_staff and not compte.est_demo

        assert len(mail.outbox) == 1
        message = mail.outbox[0]
        assert message.to == ["nouvelle@caf94.fr"]
        assert message.subject == "Votre compte sur Maillage"
        assert "Conseiller·e territorial·e" in message.body
        lien = re.search(r"http://testserver(/comptes/activation/\S+)", message.body).group(1)

        # The invitee follows the link, chooses a password, and logs in.
        client.post(url("deconnexion"))
        redirection = client.get(lien)
        page = client.get(redirection.url)
        assert "Activer votre compte" in page.content.decode()
        fin = client.post(
            redirection.url, {"new_password1": "mon-secret-de-centre", "new_password2": "mon-secret-de-centre"}
        )
        assert fin.url == url("mot_de_passe_termine")
        assert connecter(client, "nouvelle@caf94.fr", "mon-secret-de-centre").status_code == 302
        assert est_connecte(client)
        # The link worked once.
        client.post(url("deconnexion"))
        assert not client.get(lien).context.get("validlink")

    def _refuse(self, client, donnees, champ, message, code="94"):
        avant = Utilisateur.objects.count()
        reponse = client.post(url("inviter", code), donnees)
        assert reponse.status_code == 200
        erreurs = reponse.context["form"].errors
        assert champ in erreurs, erreurs
        assert message in " ".join(erreurs[champ])
        assert Utilisateur.objects.count() == avant
        assert mail.outbox == []

    def test_departement_hors_perimetre(self, client_de, pilote, val_de_marne, seine_saint_denis):
        self._refuse(client_de(pilote), invitation([seine_saint_denis]), "departements", "Sélectionnez un choix valide")

    @pytest.mark.parametrize("role", [Role.PILOTE, Role.ADMIN, "empereur"])
    def test_role_que_le_pilote_ne_donne_pas(self, client_de, pilote, val_de_marne, role):
        self._refuse(client_de(pilote), invitation([val_de_marne], role=role), "role", "Sélectionnez un choix valide")

    def test_commune_hors_des_departements(self, client_de, pilote, val_de_marne, bobigny):
        donnees = invitation([val_de_marne], role=Role.CONSEILLER, communes=[bobigny.code])
        self._refuse(client_de(pilote), donnees, "communes", "Sélectionnez un choix valide")

    def test_communes_pour_un_autre_role_que_conseiller(self, client_de, pilote, val_de_marne, creteil):
        donnees = invitation([val_de_marne], role=Role.PARTENAIRE, communes=[creteil.code])
        self._refuse(client_de(pilote), donnees, "communes", "Seul·e un·e conseiller·e")

    def test_commune_d_un_departement_non_coche(self, client_de, admin_technique, val_de_marne, seine_saint_denis):
        # An admin is offered the communes of the département at hand, but they must match the ticked ones.
        from tests.territoires.factories import CommuneFactory

        commune = CommuneFactory(code="94046", nom="Maisons-Alfort", departement=val_de_marne)
        donnees = invitation([seine_saint_denis], role=Role.CONSEILLER, communes=[commune.code])
        self._refuse(client_de(admin_technique), donnees, "communes", "ne sont pas dans les départements cochés")

    def test_sans_departement(self, client_de, pilote):
        self._refuse(client_de(pilote), invitation([]), "departements", "obligatoire")

    def test_adresse_deja_utilisee(self, client_de, pilote, val_de_marne, partenaire):
        donnees = invitation([val_de_marne], email="PARTENAIRE@cd94.fr")
        self._refuse(client_de(pilote), donnees, "email", "Un compte existe déjà")

    def test_adresse_invalide(self, client_de, pilote, val_de_marne):
        self._refuse(client_de(pilote), invitation([val_de_marne], email="pas-une-adresse"), "email", "valide")

    def test_erreurs_reliees_aux_champs(self, client_de, pilote, val_de_marne):
        page = client_de(pilote).post(url("inviter", "94"), invitation([val_de_marne], email="")).content.decode()
        assert 'aria-describedby="id_email_helptext id_email_error"' in page
        assert 'role="alert"' in page


class TestModification:
    def test_formulaire_prerempli(self, client_de, pilote, conseiller):
        reponse = client_de(pilote).get(url("modifier", conseiller.pk))
        assert reponse.status_code == 200
        page = reponse.content.decode()
        assert 'value="94028"' in page and "checked" in page
        assert "email" not in reponse.context["form"].fields

    def test_modifie(self, client_de, pilote, conseiller, val_de_marne, vitry):
        reponse = client_de(pilote).post(
            url("modifier", conseiller.pk),
            {
                "prenom": "Nora",
                "nom": "Haddad",
                "organisme": "Caf 94",
                "role": Role.CONSEILLER,
                "departements": ["94"],
                "communes": [vitry.code],
                "version": conseiller.version,
            },
        )
        assert reponse.status_code == 302
        assert reponse.url == url("liste", "94")
        conseiller.refresh_from_db()
        assert (conseiller.first_name, conseiller.last_name, conseiller.organisme) == ("Nora", "Haddad", "Caf 94")
        assert list(conseiller.communes.all()) == [vitry]

    def test_compte_d_un_autre_departement(self, client_de, pilote, conseiller_93):
        client = client_de(pilote)
        assert_refus_403(client.get(url("modifier", conseiller_93.pk)))
        donnees = {"prenom": "X", "nom": "Y", "organisme": "", "role": Role.PARTENAIRE, "departements": ["94"]}
        assert_refus_403(client.post(url("modifier", conseiller_93.pk), donnees))
        conseiller_93.refresh_from_db()
        assert conseiller_93.role == Role.CONSEILLER
        assert [d.code for d in conseiller_93.departements.all()] == ["93"]

    def test_compte_d_un_pilote_ou_d_un_admin(self, client_de, pilote, val_de_marne, admin_technique):
        collegue = UtilisateurFactory(role=Role.PILOTE, departements=[val_de_marne])
        client = client_de(pilote)
        donnees = {"prenom": "X", "nom": "Y", "organisme": "", "role": Role.PARTENAIRE, "departements": ["94"]}
        for cible in (collegue, admin_technique, pilote):
            assert_refus_403(client.post(url("modifier", cible.pk), donnees))
            cible.refresh_from_db()
            assert cible.last_name != "Y"

    def test_compte_inconnu(self, client_de, pilote):
        assert client_de(pilote).get(url("modifier", 999999)).status_code == 404

    def test_departement_force_hors_perimetre(self, client_de, pilote, conseiller, seine_saint_denis):
        reponse = client_de(pilote).post(
            url("modifier", conseiller.pk),
            {"prenom": "X", "nom": "Y", "organisme": "", "role": Role.CONSEILLER, "departements": ["93"]},
        )
        assert reponse.status_code == 200
        assert "departements" in reponse.context["form"].errors
        conseiller.refresh_from_db()
        assert conseiller.last_name != "Y"
        assert [d.code for d in conseiller.departements.all()] == ["94"]

    def test_promotion_en_pilote_refusee(self, client_de, pilote, partenaire):
        reponse = client_de(pilote).post(
            url("modifier", partenaire.pk),
            {"prenom": "X", "nom": "Y", "organisme": "", "role": Role.PILOTE, "departements": ["94"]},
        )
        assert "role" in reponse.context["form"].errors
        partenaire.refresh_from_db()
        assert partenaire.role == Role.PARTENAIRE


class TestDesactivation:
    def test_confirmation_puis_desactivation(self, client_de, pilote, partenaire):
        client = client_de(pilote)
        confirmation = client.get(url("desactiver", partenaire.pk))
        assert "ne pourra plus se connecter" in confirmation.content.decode()
        partenaire.refresh_from_db()
        assert partenaire.is_active  # a GET changes nothing
        reponse = client.post(url("desactiver", partenaire.pk))
        assert reponse.url == url("modifier", partenaire.pk)
        partenaire.refresh_from_db()
        assert not partenaire.is_active
        assert Utilisateur.objects.filter(pk=partenaire.pk).exists()  # never deleted
        client.post(url("deconnexion"))
        connecter(client, "partenaire@cd94.fr", "mot-de-passe-solide-42")
        assert not est_connecte(client)

    def test_reactivation(self, client_de, pilote, partenaire):
        partenaire.is_active = False
        partenaire.save()
        client = client_de(pilote)
        assert client.get(url("reactiver", partenaire.pk)).status_code == 405
        client.post(url("reactiver", partenaire.pk))
        partenaire.refresh_from_db()
        assert partenaire.is_active

    def test_refusee_hors_perimetre(self, client_de, pilote, conseiller_93, val_de_marne):
        client = client_de(pilote)
        collegue = UtilisateurFactory(role=Role.PILOTE, departements=[val_de_marne])
        for cible in (conseiller_93, collegue):
            assert_refus_403(client.post(url("desactiver", cible.pk)))
            cible.refresh_from_db()
            assert cible.is_active

    def test_refusee_au_partenaire(self, client_de, partenaire, conseiller):
        assert_refus_403(client_de(partenaire).post(url("desactiver", conseiller.pk)))
        conseiller.refresh_from_db()
        assert conseiller.is_active


class TestRenvoiDInvitation:
    def test_renvoi(self, client_de, pilote, val_de_marne, django_capture_on_commit_callbacks):
        invite = UtilisateurFactory(email="invite@exemple.fr", role=Role.PARTENAIRE, departements=[val_de_marne])
        invite.set_unusable_password()
        invite.save()
        with django_capture_on_commit_callbacks(execute=True):
            reponse = client_de(pilote).post(url("reinviter", invite.pk))
        assert reponse.url == url("modifier", invite.pk)
        assert [m.to for m in mail.outbox] == [["invite@exemple.fr"]]
        assert "/comptes/activation/" in mail.outbox[0].body

    def test_inutile_si_le_mot_de_passe_est_choisi(self, client_de, pilote, partenaire):
        client = client_de(pilote)
        reponse = client.post(url("reinviter", partenaire.pk), follow=True)
        assert "a déjà choisi son mot de passe" in reponse.content.decode()
        assert mail.outbox == []

    def test_refuse_hors_perimetre(self, client_de, pilote, conseiller_93):
        assert_refus_403(client_de(pilote).post(url("reinviter", conseiller_93.pk)))
        assert mail.outbox == []


@pytest.mark.parametrize(
    ("chemin", "statut"),
    [
        ("/comptes/99999999999999999999/modifier/", 404),
        ("/comptes/departements/XX/", 404),
        # NUL bytes are refused for every URL by RefusOctetNulMiddleware.
        ("/comptes/departements/%00/", 400),
        ("/comptes/departements/9%004/journal/", 400),
    ],
)
def test_identifiants_aberrants(client_de, pilote, chemin, statut):
    assert client_de(pilote).get(chemin).status_code == statut


class TestVersions:
    def test_deux_modifications_la_seconde_refusee(self, pilote, conseiller, val_de_marne, vitry):
        autre = UtilisateurFactory(role=Role.PILOTE, departements=[val_de_marne], first_name="Iris", last_name="Autre")
        base = {"prenom": "Nora", "nom": "Haddad", "role": Role.CONSEILLER, "departements": ["94"]}
        reponse = enregistrer_deux_fois(
            url("modifier", conseiller.pk),
            (autre, {**base, "organisme": "Caf 94", "communes": [vitry.code]}),
            (pilote, {**base, "organisme": "Caf du Val-de-Marne"}),
        )
        message = message_conflit(reponse)
        assert "Iris Autre" in message and "Organisme : « (vide) » → « Caf 94 »" in message
        conseiller.refresh_from_db()
        assert conseiller.organisme == "Caf 94" and list(conseiller.communes.all()) == [vitry]

    def test_connexion_ne_change_pas_la_version(self, client, conseiller):
        version = conseiller.version
        client.force_login(conseiller)
        conseiller.refresh_from_db()
        assert conseiller.last_login is not None and conseiller.version == version
