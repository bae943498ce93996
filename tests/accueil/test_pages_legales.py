"""The pages every French public-service site has, linked from the footer, white-label through the settings."""

import pytest
from django.urls import reverse

from maillage.comptes.models import Role
from tests.comptes.factories import UtilisateurFactory

pytestmark = pytest.mark.django_db

PAGES = {
    "accueil:accessibilite": "Déclaration d'accessibilité",
    "accueil:mentions_legales": "Mentions légales",
    "accueil:donnees_personnelles": "Données personnelles",
    "accueil:plan_du_site": "Plan du site",
    "accueil:aide": "Aide",
    "accueil:contact": "Contact",
}


@pytest.fixture
def marque(settings):
    settings.MAILLAGE_PLATEFORME = {
        **settings.MAILLAGE_PLATEFORME,
        "nom": "Réseau AVS",
        "organisme": "Caf de la Gironde",
        "contact": "avs@caf33.example",
        "editeur_adresse": "rue du Docteur-Gabriel-Péry, Bordeaux",
        "directeur_publication": "Dominique Exemple, directrice",
        "hebergeur": "Hébergeur fictif SAS",
        "hebergeur_adresse": "1 rue des Serveurs, Roubaix",
        "dpo_contact": "dpd@caf33.example",
        "accessibilite_date": "2026-11-30",
        "accessibilite_contact": "",
    }


@pytest.mark.parametrize("nom,titre", PAGES.items())
def test_page_liee_depuis_le_pied_de_page(client, nom, titre):
    html = client.get("/").content.decode()
    pied = html[html.index('<footer class="pied"') :]
    assert f'href="{reverse(nom)}"' in pied
    reponse = client.get(reverse(nom))
    assert reponse.status_code == 200
    assert f"<h1>{titre}</h1>" in reponse.content.decode()


def test_declaration_d_accessibilite_honnete(client, marque):
    html = client.get(reverse("accueil:accessibilite")).content.decode().replace("&#x27;", "'")
    assert "Réseau AVS est partiellement conforme</strong>" in html
    assert "Aucun audit de conformité RGAA n'a encore été réalisé" in html
    assert "axe-core" in html and "375 pixels" in html
    assert "établie le 30 novembre 2026" in html
    # The contact falls back on the platform's, and the recourse to the Défenseur des droits is given.
    assert 'href="mailto:avs@caf33.example"' in html
    assert "Défenseur des droits" in html and "Libre réponse 71120" in html


def test_mentions_legales_depuis_les_reglages(client, marque):
    html = client.get(reverse("accueil:mentions_legales")).content.decode()
    assert "édité par Caf de la Gironde, rue du Docteur-Gabriel-Péry, Bordeaux." in html
    assert "Dominique Exemple, directrice." in html
    assert "Hébergeur fictif SAS, 1 rue des Serveurs, Roubaix." in html


def test_mentions_legales_sans_hebergeur_le_disent(client, settings):
    settings.MAILLAGE_PLATEFORME = {**settings.MAILLAGE_PLATEFORME, "hebergeur": ""}
    html = client.get(reverse("accueil:mentions_legales")).content.decode()
    assert "n'a pas encore été renseigné" in html.replace("&#x27;", "'") and "MAILLAGE_HEBERGEUR" in html


def test_donnees_personnelles_et_page_du_pilote(client, marque, territoire_94):
    lien = reverse("comptes:donnees_personnelles")
    html = client.get(reverse("accueil:donnees_personnelles")).content.decode()
    assert "Combien de temps" in html and "6 ans par défaut" in html
    assert 'href="mailto:dpd@caf33.example"' in html
    assert lien not in html
    client.force_login(UtilisateurFactory(role=Role.PILOTE, departements=[territoire_94.departement]))
    assert lien in client.get(reverse("accueil:donnees_personnelles")).content.decode()
    client.force_login(UtilisateurFactory(role=Role.PARTENAIRE, departements=[territoire_94.departement]))
    assert lien not in client.get(reverse("accueil:donnees_personnelles")).content.decode()


def test_aide_signale_le_role_du_visiteur(client, territoire_94):
    client.force_login(UtilisateurFactory(role=Role.CONSEILLER, departements=[territoire_94.departement]))
    html = client.get(reverse("accueil:aide")).content.decode()
    assert "Conseiller·e territorial·e (votre rôle)" in html
    assert "Pilote Caf (votre rôle)" not in html
    # Its own pages with what each is for (from the navigation entries).
    assert '<dt><a href="/espace/">Mon espace</a></dt>' in html


def test_plan_du_site_anonyme(client, territoire_94):
    html = client.get(reverse("accueil:plan_du_site")).content.decode()
    assert f'<a href="{reverse("comptes:connexion")}">Se connecter</a>' in html
    assert "Renouvellements" not in html and "Mon espace" not in html


@pytest.mark.parametrize("nom", [*PAGES, "accueil:espace"])
def test_pages_en_lecture_seule(client, nom):
    assert client.post(reverse(nom)).status_code == 405
