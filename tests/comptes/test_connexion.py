"""Login (with django-axes throttling), logout, password reset and change."""

import datetime
import re

import pytest
from axes.models import AccessAttempt
from django.conf import settings
from django.core import mail
from django.db.models import F
from django.urls import reverse

from tests.comptes.factories import UtilisateurFactory

from .conftest import MOT_DE_PASSE

pytestmark = pytest.mark.django_db

CONNEXION = reverse("comptes:connexion")


def connecter(client, email, mot_de_passe, **extra):
    return client.post(CONNEXION, {"username": email, "password": mot_de_passe, **extra})


def depuis(client, adresse, email, mot_de_passe):
    """A login attempt from this network address."""
    return client.post(CONNEXION, {"username": email, "password": mot_de_passe}, REMOTE_ADDR=adresse)


def est_connecte(client) -> bool:
    return "_auth_user_id" in client.session


class TestConnexion:
    def test_formulaire_accessible(self, client):
        page = client.get(CONNEXION).content.decode()
        assert '<label for="id_username">Adresse e-mail' in page
        assert 'autocomplete="email"' in page
        assert 'autocomplete="current-password"' in page
        assert "Se connecter" in page
        assert reverse("comptes:mot_de_passe_oublie") in page

    def test_connexion_puis_mon_espace(self, client, pilote):
        reponse = connecter(client, "pilote@caf94.fr", MOT_DE_PASSE)
        assert reponse.status_code == 302
        assert reponse.url == reverse("accueil:espace")
        assert est_connecte(client)

    def test_casse_de_l_adresse_indifferente(self, client, pilote):
        connecter(client, "  Pilote@CAF94.fr ", MOT_DE_PASSE)
        assert est_connecte(client)

    def test_next_interne_suivi(self, client, pilote):
        reponse = connecter(client, "pilote@caf94.fr", MOT_DE_PASSE, next="/comptes/gestion/")
        assert reponse.url == "/comptes/gestion/"

    def test_next_externe_ignore(self, client, pilote):
        reponse = connecter(client, "pilote@caf94.fr", MOT_DE_PASSE, next="https://exemple.invalid/piege")
        assert reponse.url == reverse("accueil:espace")

    def test_next_repris_dans_le_formulaire(self, client):
        page = client.get(CONNEXION, {"next": "/comptes/espace/"}).content.decode()
        assert 'name="next" value="/comptes/espace/"' in page

    def test_mauvais_mot_de_passe(self, client, pilote):
        reponse = connecter(client, "pilote@caf94.fr", "pas-le-bon")
        assert reponse.status_code == 200
        assert "Adresse e-mail ou mot de passe incorrect." in reponse.content.decode()
        assert not est_connecte(client)

    def test_compte_desactive_refuse(self, client, pilote):
        pilote.is_active = False
        pilote.save()
        reponse = connecter(client, "pilote@caf94.fr", MOT_DE_PASSE)
        assert reponse.status_code == 200
        assert not est_connecte(client)

    def test_deja_connecte_redirige(self, client, pilote):
        client.force_login(pilote)
        assert client.get(CONNEXION).status_code == 302


class TestDeconnexion:
    def test_get_refuse(self, client, pilote):
        client.force_login(pilote)
        assert client.get(reverse("comptes:deconnexion")).status_code == 405
        assert est_connecte(client)

    def test_post_deconnecte(self, client, pilote):
        client.force_login(pilote)
        reponse = client.post(reverse("comptes:deconnexion"))
        assert reponse.status_code == 302
        assert reponse.url == reverse("accueil:accueil")
        assert not est_connecte(client)


class TestLimitationDesTentatives:
    def test_cinq_echecs_bloquent_meme_le_bon_mot_de_passe(self, client, pilote):
        for _ in range(4):
            assert connecter(client, "pilote@caf94.fr", "mauvais").status_code == 200
        cinquieme = connecter(client, "pilote@caf94.fr", "mauvais")
        assert cinquieme.status_code == 429
        sixieme = connecter(client, "pilote@caf94.fr", MOT_DE_PASSE)
        assert sixieme.status_code == 429
        page = sixieme.content.decode()
        assert "Connexion temporairement bloquée" in page
        assert "Attendez 15 minutes" in page
        assert not est_connecte(client)

    def test_quatre_echecs_ne_bloquent_pas(self, client, pilote):
        for _ in range(4):
            connecter(client, "pilote@caf94.fr", "mauvais")
        assert connecter(client, "pilote@caf94.fr", MOT_DE_PASSE).status_code == 302
        assert est_connecte(client)

    def test_varier_la_casse_ne_contourne_pas_le_blocage(self, client, pilote):
        for email in ["pilote@caf94.fr", "PILOTE@caf94.fr", "Pilote@Caf94.fr", "pilote@CAF94.FR", "piLote@caf94.fr"]:
            connecter(client, email, "mauvais")
        assert connecter(client, "pilote@caf94.fr", MOT_DE_PASSE).status_code == 429

    def test_un_autre_compte_n_est_pas_bloque(self, client, pilote, partenaire):
        for _ in range(5):
            connecter(client, "pilote@caf94.fr", "mauvais")
        assert connecter(client, "partenaire@cd94.fr", MOT_DE_PASSE).status_code == 302

    def test_un_nouveau_mot_de_passe_leve_le_blocage(self, client, pilote):
        for _ in range(5):
            connecter(client, "pilote@caf94.fr", "mauvais")
        lien = demander_un_lien(client, "pilote@caf94.fr")
        choisir_mot_de_passe(client, lien, "un-tout-nouveau-secret-7")
        assert connecter(client, "pilote@caf94.fr", "un-tout-nouveau-secret-7").status_code == 302
        assert est_connecte(client)


class TestVerrouillageParCompteEtParAdresse:
    """Beyond the e-mail + address pair: one e-mail guessed from many addresses, many e-mails tried from one."""

    def test_echecs_sur_un_compte_depuis_des_adresses_differentes_le_bloquent(self, client, pilote):
        limite = settings.VERROUILLAGE_LIMITE_COMPTE
        assert limite > settings.AXES_FAILURE_LIMIT
        for i in range(limite - 1):
            assert depuis(client, f"10.0.{i}.1", "pilote@caf94.fr", "mauvais").status_code == 200
        # One failure short: the owner still gets in from their own machine, which clears the account's counters.
        assert depuis(client, "192.168.1.20", "pilote@caf94.fr", MOT_DE_PASSE).status_code == 302
        client.logout()
        for i in range(limite):
            depuis(client, f"10.1.{i}.1", "pilote@caf94.fr", "mauvais")
        reponse = depuis(client, "192.168.1.20", "pilote@caf94.fr", MOT_DE_PASSE)
        assert reponse.status_code == 429
        assert "Connexion temporairement bloquée" in reponse.content.decode()
        assert not est_connecte(client)

    def test_echecs_sur_des_comptes_differents_depuis_une_adresse_la_bloquent(self, client, pilote, partenaire):
        limite = settings.VERROUILLAGE_LIMITE_ADRESSE
        for i in range(limite - 1):
            depuis(client, "203.0.113.7", f"inconnu{i}@exemple.fr", "mauvais")
        assert depuis(client, "203.0.113.7", "pilote@caf94.fr", MOT_DE_PASSE).status_code == 302
        client.logout()
        # That success cleared the pilot's counters, not the address's: one more failure locks the address.
        depuis(client, "203.0.113.7", "encore@exemple.fr", "mauvais")
        assert depuis(client, "203.0.113.7", "partenaire@cd94.fr", MOT_DE_PASSE).status_code == 429
        assert not est_connecte(client)
        # The accounts themselves are not locked: from another address they get in.
        assert depuis(client, "198.51.100.2", "partenaire@cd94.fr", MOT_DE_PASSE).status_code == 302

    def test_le_blocage_d_un_compte_cesse_apres_le_delai_meme_si_l_on_insiste(self, client, pilote):
        """Attempts during a lock are not counted: knocking on a locked account does not keep it locked."""
        for i in range(settings.VERROUILLAGE_LIMITE_COMPTE):
            depuis(client, f"10.2.{i}.1", "pilote@caf94.fr", "mauvais")
        delai = datetime.timedelta(hours=settings.AXES_COOLOFF_TIME)
        AccessAttempt.objects.update(attempt_time=F("attempt_time") - delai + datetime.timedelta(minutes=1))
        for i in range(3):
            assert depuis(client, f"10.3.{i}.1", "pilote@caf94.fr", "mauvais").status_code == 429
        AccessAttempt.objects.update(attempt_time=F("attempt_time") - datetime.timedelta(minutes=2))
        assert depuis(client, "192.168.1.20", "pilote@caf94.fr", MOT_DE_PASSE).status_code == 302


def demander_un_lien(client, email) -> str:
    mail.outbox.clear()
    reponse = client.post(reverse("comptes:mot_de_passe_oublie"), {"email": email})
    assert reponse.status_code == 302
    assert reponse.url == reverse("comptes:mot_de_passe_envoye")
    assert len(mail.outbox) == 1
    return re.search(r"https?://\S+", mail.outbox[0].body).group(0)


def choisir_mot_de_passe(client, lien, nouveau):
    chemin = lien.split("testserver", 1)[1]
    reponse = client.get(chemin)
    assert reponse.status_code == 302  # to the same page without the token
    formulaire = client.get(reponse.url)
    assert formulaire.context["validlink"]
    fin = client.post(reponse.url, {"new_password1": nouveau, "new_password2": nouveau})
    assert fin.status_code == 302, fin.context["form"].errors if fin.context else fin
    assert fin.url == reverse("comptes:mot_de_passe_termine")
    return chemin


class TestMotDePasseOublie:
    def test_parcours_complet(self, client, pilote):
        lien = demander_un_lien(client, "Pilote@caf94.fr")
        message = mail.outbox[0]
        assert message.to == ["pilote@caf94.fr"]
        assert message.subject == "Maillage : choisir un nouveau mot de passe"
        assert "Bonjour Camille" in message.body
        assert "expire dans 24 heures" in message.body
        chemin = choisir_mot_de_passe(client, lien, "un-tout-nouveau-secret-7")
        assert "Mot de passe enregistré" in client.get(reverse("comptes:mot_de_passe_termine")).content.decode()
        assert connecter(client, "pilote@caf94.fr", "un-tout-nouveau-secret-7").status_code == 302
        client.post(reverse("comptes:deconnexion"))
        # The link is single-use.
        reutilise = client.get(chemin)
        assert reutilise.status_code == 200
        assert not reutilise.context.get("validlink")
        assert "Ce lien n'est plus valable" in reutilise.content.decode()

    def test_mots_de_passe_differents_refuses(self, client, pilote):
        lien = demander_un_lien(client, "pilote@caf94.fr")
        redirection = client.get(lien.split("testserver", 1)[1])
        reponse = client.post(redirection.url, {"new_password1": "un-secret-bien-long", "new_password2": "autre-chose"})
        assert reponse.status_code == 200
        page = reponse.content.decode()
        assert 'id="id_new_password2_error"' in page
        assert 'aria-describedby="id_new_password2_helptext id_new_password2_error"' in page
        pilote.refresh_from_db()
        assert pilote.check_password(MOT_DE_PASSE)

    def test_adresse_inconnue_meme_reponse_sans_e_mail(self, client):
        reponse = client.post(reverse("comptes:mot_de_passe_oublie"), {"email": "personne@nulle-part.fr"})
        assert reponse.url == reverse("comptes:mot_de_passe_envoye")
        assert mail.outbox == []

    def test_compte_desactive_ne_recoit_rien_et_son_ancien_lien_ne_marche_plus(self, client, pilote):
        lien = demander_un_lien(client, "pilote@caf94.fr")
        pilote.is_active = False
        pilote.save()
        reponse = client.get(lien.split("testserver", 1)[1])
        assert reponse.status_code == 200
        assert not reponse.context.get("validlink")
        mail.outbox.clear()
        client.post(reverse("comptes:mot_de_passe_oublie"), {"email": "pilote@caf94.fr"})
        assert mail.outbox == []

    def test_lien_forge(self, client, pilote):
        reponse = client.get(reverse("comptes:mot_de_passe_nouveau", kwargs={"uidb64": "MTIz", "token": "faux-jeton"}))
        assert reponse.status_code == 200
        assert not reponse.context.get("validlink")


class TestChangerDeMotDePasse:
    def test_changement(self, client, partenaire):
        client.force_login(partenaire)
        reponse = client.post(
            reverse("comptes:mot_de_passe_changer"),
            {
                "old_password": MOT_DE_PASSE,
                "new_password1": "encore-un-secret-99",
                "new_password2": "encore-un-secret-99",
            },
        )
        assert reponse.url == reverse("comptes:mot_de_passe_change")
        partenaire.refresh_from_db()
        assert partenaire.check_password("encore-un-secret-99")
        assert est_connecte(client)

    def test_anonyme_redirige(self, client):
        reponse = client.get(reverse("comptes:mot_de_passe_changer"))
        assert reponse.url.startswith(CONNEXION)


def test_usine_sans_mot_de_passe_utilisable_pas_de_reinitialisation(client, db):
    # An invited account that never chose its password gets its invitation again, not a reset link.
    compte = UtilisateurFactory(email="invite@exemple.fr")
    compte.set_unusable_password()
    compte.save()
    client.post(reverse("comptes:mot_de_passe_oublie"), {"email": "invite@exemple.fr"})
    assert mail.outbox == []
