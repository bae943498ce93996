import re

import pytest
from django.contrib.auth.models import AnonymousUser
from django.test import Client, RequestFactory

from maillage.core.views import contraste, erreur_403, erreur_500, theme_css

pytestmark = pytest.mark.django_db


# --- Layout ---------------------------------------------------------------------------


def test_gabarit_commun(client, territoire_94, settings):
    settings.MAILLAGE_PLATEFORME = {
        **settings.MAILLAGE_PLATEFORME,
        "nom": "Réseau 94",
        "organisme": "Caf de démonstration",
        "organisme_url": "https://caf.exemple.fr",
    }
    html = client.get("/territoires/departements/94/").content.decode()
    assert '<html lang="fr">' in html
    assert "<title>Val-de-Marne (94) — Réseau 94</title>" in html
    assert '<span class="marque__nom">Réseau 94</span>' in html
    assert '<span class="marque__organisme">Caf de démonstration</span>' in html
    assert '<a href="https://caf.exemple.fr">Caf de démonstration</a>' in html
    assert '<nav class="navigation" id="navigation" aria-label="Navigation principale">' in html
    assert 'aria-current="page">Territoires</a>' in html
    assert '<main id="contenu" tabindex="-1">' in html
    # The theme follows the main stylesheet, so that it overrides its defaults.
    css = html.index("maillage/css/maillage.css")
    theme = html.index("/theme.css?v=%230b5c8a")
    assert css < theme
    assert "django_htmx/htmx-2.min.js" in html
    assert " style=" not in html
    assert "<script>" not in html


def test_bandeau_de_demonstration(client, territoire_94, settings):
    assert "bandeau-demo" not in client.get("/").content.decode()
    settings.MAILLAGE_DEMO = True
    assert "les structures, personnes et montants sont fictifs" in client.get("/").content.decode()


def test_instance_nationale_sans_departement_par_defaut(client, territoire_94, settings):
    settings.MAILLAGE_PLATEFORME = {**settings.MAILLAGE_PLATEFORME, "departement_defaut": ""}
    reponse = client.get("/territoires/departements/94/")
    assert reponse.status_code == 200
    assert '<a href="/#titre-choix" aria-current="true">Territoires</a>' in reponse.content.decode()


def test_logo_absolu_servi_tel_quel(client, settings):
    settings.MAILLAGE_PLATEFORME = {**settings.MAILLAGE_PLATEFORME, "logo": "/media/logo-caf.png"}
    assert 'src="/media/logo-caf.png"' in client.get("/").content.decode()


# --- Theme -----------------------------------------------------------------------------


def test_theme_css(client):
    reponse = client.get("/theme.css")
    assert reponse.status_code == 200
    assert reponse["Content-Type"] == "text/css; charset=utf-8"
    assert "max-age=86400" in reponse["Cache-Control"]
    assert "public" in reponse["Cache-Control"]
    css = reponse.content.decode()
    assert css.startswith(":root{--couleur-primaire:#0b5c8a;")
    assert "--couleur-primaire-contraste:#0b5c8a;" in css


def test_theme_suit_la_couleur_de_la_caf(client, settings):
    settings.MAILLAGE_PLATEFORME = {**settings.MAILLAGE_PLATEFORME, "couleur_primaire": "#C8102E"}
    css = client.get("/theme.css").content.decode()
    assert "--couleur-primaire:#c8102e;" in css
    assert '/theme.css?v=%23C8102E"' in client.get("/").content.decode()


def _couleur(css: str, nom: str) -> tuple[int, int, int]:
    hexa = re.search(rf"--{nom}:#([0-9a-f]{{6}});", css).group(1)
    return int(hexa[0:2], 16), int(hexa[2:4], 16), int(hexa[4:6], 16)


@pytest.mark.parametrize("couleur", ["#f5b700", "#ffffff", "#7fd1ff", "#0b5c8a", "#000"])
def test_theme_garantit_le_contraste_aa(couleur):
    css = theme_css(couleur)
    blanc = (255, 255, 255)
    # Links on white and white text on buttons both need 4.5:1, whatever colour the Caf chose.
    assert contraste(_couleur(css, "couleur-primaire-contraste"), blanc) >= 4.5
    assert contraste(_couleur(css, "couleur-primaire-survol"), blanc) >= 4.5


@pytest.mark.parametrize("couleur", ["red;}body{display:none", "", "javascript:alert(1)", "#12345", None])
def test_theme_refuse_une_couleur_invalide(couleur):
    assert theme_css(couleur).startswith(":root{--couleur-primaire:#0b5c8a;")


def test_contraste():
    assert contraste((0, 0, 0), (255, 255, 255)) == pytest.approx(21)
    assert contraste((255, 255, 255), (255, 255, 255)) == pytest.approx(1)
    assert contraste((0x76, 0x76, 0x76), (255, 255, 255)) == pytest.approx(4.54, abs=0.01)


# --- Error pages -----------------------------------------------------------------------


def test_404_en_production(client, settings, territoire_94):
    settings.DEBUG = False
    reponse = client.get("/cette-page-n-existe-pas/")
    assert reponse.status_code == 404
    html = reponse.content.decode()
    assert '<html lang="fr">' in html
    assert '<h1 class="erreur__titre">Page introuvable</h1>' in html
    assert "Retour à l'accueil" in html
    assert "Aller au contenu" in html  # the full layout


@pytest.mark.urls("tests.core.urls_erreurs")
def test_403_en_francais(client, settings):
    settings.DEBUG = False
    reponse = client.get("/interdit/")
    assert reponse.status_code == 403
    html = reponse.content.decode()
    assert '<h1 class="erreur__titre">Accès refusé</h1>' in html
    assert "/comptes/connexion/?next=/interdit/" in html


def test_gabarit_403(rf):
    requete = rf.get("/quelque-part/")
    requete.user = AnonymousUser()
    reponse = erreur_403(requete)
    assert reponse.status_code == 403
    assert "Votre compte ne donne pas accès à cette page." in reponse.content.decode()


@pytest.mark.urls("tests.core.urls_erreurs")
def test_500_en_production(settings):
    settings.DEBUG = False
    client = Client(raise_request_exception=False)
    reponse = client.get("/panne/")
    assert reponse.status_code == 500
    html = reponse.content.decode()
    assert '<html lang="fr">' in html
    assert "Une erreur est survenue" in html
    assert "maillage/css/maillage.css" in html
    assert " style=" not in html
    assert "<script" not in html


def test_500_sans_acces_a_la_base(django_assert_num_queries):
    requete = RequestFactory().get("/")
    with django_assert_num_queries(0):
        reponse = erreur_500(requete)
    assert reponse.status_code == 500
    assert "Maillage" in reponse.content.decode()


# --- Health ------------------------------------------------------------------------------


def test_sante(client):
    assert client.get("/sante/").json() == {"statut": "ok"}
