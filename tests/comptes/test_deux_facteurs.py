"""Two-factor authentication: enforcement by role, code step, enrolment, recovery codes, throttling."""

import time

import pytest
from django.urls import reverse
from django_otp.oath import TOTP
from django_otp.plugins.otp_static.models import StaticToken
from django_otp.plugins.otp_totp.models import TOTPDevice

from maillage.comptes import deux_facteurs
from maillage.comptes.models import Role
from tests.comptes.factories import UtilisateurFactory

from .conftest import MOT_DE_PASSE

pytestmark = pytest.mark.django_db

CONNEXION = reverse("comptes:connexion")
ESPACE = reverse("comptes:espace")
# Landing page after login: the role's home.
ACCUEIL = reverse("accueil:espace")
CODE = reverse("comptes:otp_verifier")
AJOUTER = reverse("comptes:otp_ajouter")


def code_de(appareil, decalage=0) -> str:
    """The code the app shows `decalage` steps from now (each step can be used once)."""
    totp = TOTP(appareil.bin_key, appareil.step, appareil.t0, appareil.digits, appareil.drift)
    totp.time = time.time() + decalage * appareil.step
    return f"{totp.token():0{appareil.digits}d}"


def connecter(client, email):
    return client.post(CONNEXION, {"username": email, "password": MOT_DE_PASSE})


def appareil_pour(user) -> TOTPDevice:
    appareil = TOTPDevice.objects.create(user=user, name="Téléphone", confirmed=True)
    deux_facteurs._codes_secours_creer(user)
    return appareil


@pytest.fixture
def obligatoire(settings):
    settings.MAILLAGE_2FA_OBLIGATOIRE = True


@pytest.fixture
def structure_compte(val_de_marne):
    return UtilisateurFactory(email="directrice@cs.fr", role=Role.STRUCTURE, departements=[val_de_marne])


class TestObligation:
    def test_obligatoire_pour_pilote_sans_appareil(self, client, pilote, obligatoire):
        reponse = connecter(client, "pilote@caf94.fr")
        assert reponse.status_code == 302
        assert reponse.url.startswith(AJOUTER)
        # Every other page waits for the enrolment, the Django admin and the API included.
        for url in (ESPACE, reverse("structures:annuaire"), "/admin/"):
            reponse = client.get(url)
            assert reponse.status_code == 302 and reponse.url.startswith(AJOUTER), url
        assert client.get("/api/v1/comptes/moi").status_code == 403
        assert client.get(AJOUTER).status_code == 200

    def test_enrolement_complet_puis_acces(self, client, pilote, obligatoire):
        connecter(client, "pilote@caf94.fr")
        page = client.get(AJOUTER)
        assert 'src="data:image/svg+xml;base64,' in page.content.decode()
        appareil = TOTPDevice.objects.get(user=pilote, confirmed=False)
        reponse = client.post(AJOUTER, {"nom": "Mon téléphone", "code": code_de(appareil), "next": ESPACE})
        assert reponse.status_code == 200
        assert "ne seront plus jamais affichés" in reponse.content.decode()
        assert len(reponse.context["codes"]) == deux_facteurs.NOMBRE_CODES_SECOURS
        appareil.refresh_from_db()
        assert appareil.confirmed and appareil.name == "Mon téléphone"
        assert client.get(ESPACE).status_code == 200

    def test_administration_django_protegee(self, client, obligatoire):
        UtilisateurFactory(email="admin@maillage.fr", role=Role.ADMIN, is_staff=True, is_superuser=True)
        reponse = client.post(
            "/admin/login/?next=/admin/", {"username": "admin@maillage.fr", "password": MOT_DE_PASSE, "next": "/admin/"}
        )
        assert reponse.status_code == 302
        reponse = client.get("/admin/")
        assert reponse.status_code == 302 and reponse.url.startswith(AJOUTER)

    def test_facultatif_pour_structure(self, client, structure_compte, obligatoire):
        reponse = connecter(client, "directrice@cs.fr")
        assert reponse.url == ACCUEIL
        page = client.get(ESPACE).content.decode()
        assert "elle est facultative pour votre compte" in page

    def test_pas_obligatoire_avec_debug(self, client, pilote, settings):
        # The demo setting (DEBUG=1): MAILLAGE_2FA_OBLIGATOIRE defaults to False, login is unchanged.
        assert settings.MAILLAGE_2FA_OBLIGATOIRE is False
        reponse = connecter(client, "pilote@caf94.fr")
        assert reponse.url == ACCUEIL
        assert client.get(ESPACE).status_code == 200

    def test_reglage_par_defaut_suit_debug(self):
        import subprocess
        import sys

        programme = (
            "import django,os;django.setup();from django.conf import settings;print(settings.MAILLAGE_2FA_OBLIGATOIRE)"
        )
        env = {"DJANGO_SETTINGS_MODULE": "maillage.settings", "PATH": "/usr/bin:/bin"}
        sortie = {
            debug: subprocess.run(
                [sys.executable, "-c", programme],
                env={**env, "DEBUG": debug, "SECRET_KEY": "x" * 50},
                capture_output=True,
                text=True,
                check=True,
            ).stdout.strip()
            for debug in ("1", "0")
        }
        assert sortie == {"1": "False", "0": "True"}


class TestEtapeDuCode:
    def test_compte_avec_appareil_passe_par_le_code(self, client, structure_compte):
        appareil = appareil_pour(structure_compte)
        reponse = connecter(client, "directrice@cs.fr")
        assert reponse.url.startswith(CODE)
        assert client.get(ESPACE).url.startswith(CODE)
        # A password alone does not add a device either.
        assert client.get(AJOUTER).url == CODE
        reponse = client.post(CODE, {"code": code_de(appareil), "next": ESPACE})
        assert reponse.url == ESPACE
        assert client.get(ESPACE).status_code == 200

    def test_mauvais_code_refuse(self, client, structure_compte):
        appareil_pour(structure_compte)
        connecter(client, "directrice@cs.fr")
        reponse = client.post(CODE, {"code": "000000"})
        assert reponse.status_code == 200
        assert "Code incorrect" in reponse.content.decode()
        assert client.get(ESPACE).status_code == 302

    def test_essais_freines(self, client, structure_compte, settings):
        settings.OTP_TOTP_THROTTLE_FACTOR = settings.OTP_STATIC_THROTTLE_FACTOR = 60
        appareil = appareil_pour(structure_compte)
        connecter(client, "directrice@cs.fr")
        client.post(CODE, {"code": "000000"})
        # Right after a failure, even the right code waits (django-otp's throttling).
        reponse = client.post(CODE, {"code": code_de(appareil)})
        assert "patientez quelques secondes" in reponse.content.decode()
        assert client.get(ESPACE).status_code == 302

    def test_code_de_secours_une_seule_fois(self, client, structure_compte):
        appareil_pour(structure_compte)
        secours = StaticToken.objects.filter(device__user=structure_compte).first().token
        connecter(client, "directrice@cs.fr")
        reponse = client.post(CODE, {"code": secours, "next": ESPACE})
        assert reponse.url == ESPACE
        assert client.get(ESPACE).status_code == 200
        client.post(reverse("comptes:deconnexion"))
        connecter(client, "directrice@cs.fr")
        reponse = client.post(CODE, {"code": secours})
        assert reponse.status_code == 200 and "Code incorrect" in reponse.content.decode()

    def test_connexion_demo_inchangee(self, client, pilote):
        # Accounts without a device log in with the password only, as the crawl tests do.
        reponse = connecter(client, "pilote@caf94.fr")
        assert reponse.url == ACCUEIL


class TestMonEspace:
    def _verifie(self, client, user):
        appareil = appareil_pour(user)
        connecter(client, user.email)
        client.post(CODE, {"code": code_de(appareil)})
        return appareil

    def test_statut_affiche(self, client, structure_compte):
        self._verifie(client, structure_compte)
        page = client.get(ESPACE).content.decode()
        assert "Activée" in page and "Codes de secours restants : 10" in page

    def test_suppression_demande_un_code(self, client, structure_compte):
        appareil = self._verifie(client, structure_compte)
        url = reverse("comptes:otp_supprimer", args=[appareil.pk])
        client.post(url, {"code": "123"})
        assert TOTPDevice.objects.filter(pk=appareil.pk).exists()
        appareil.refresh_from_db()
        appareil.throttling_failure_count = 0
        appareil.save()
        client.post(url, {"code": code_de(appareil, 1)})
        assert not TOTPDevice.objects.filter(pk=appareil.pk).exists()
        assert deux_facteurs.codes_secours_restants(structure_compte) == 0

    def test_codes_regeneres_affiches_une_fois(self, client, structure_compte):
        appareil = self._verifie(client, structure_compte)
        anciens = set(StaticToken.objects.filter(device__user=structure_compte).values_list("token", flat=True))
        reponse = client.post(reverse("comptes:otp_codes_regenerer"), {"code": code_de(appareil, 1)})
        nouveaux = set(reponse.context["codes"])
        assert len(nouveaux) == 10 and not nouveaux & anciens
        assert (
            set(StaticToken.objects.filter(device__user=structure_compte).values_list("token", flat=True)) == nouveaux
        )
        assert "ne seront plus jamais affichés" in reponse.content.decode()
