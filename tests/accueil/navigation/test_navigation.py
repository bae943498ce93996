"""The navigation is derived from the permission rules: each role sees only links it may open (demo data)."""

import re

import pytest
from django.urls import reverse

from maillage.accueil import navigation
from tests.transverse.conftest import ROLES, client_de

pytestmark = pytest.mark.django_db

# What each demo role's header offers (principal entries, then « Plus », then the account menu).
_CARTES = ["Territoires", "Annuaire", "Tableau de bord", "Diagnostic"]
_RESEAU = ["Expériences", "Ressources", "Actualités"]
_CAF = ["Mon espace", *_CARTES, "Observatoire", "Schéma directeur", "Événements"]
_GESTION = ["Import de structures", "Regroupements de communes", "Journal des imports", "Comptes", "Barème", "API"]
RESULTATS = "Résultats de l'observatoire"
ATTENDUES = {
    "anonyme": ["Accueil", *_CARTES, "Observatoire", "Schéma directeur", "Événements", *_RESEAU, "API",
                "Se connecter"],
    "pilote": [*_CAF, "Renouvellements", RESULTATS, *_RESEAU, "Mes inscriptions", "Annuaire du réseau", *_GESTION,
               "Mon compte"],
    "conseiller": [*_CAF, RESULTATS, *_RESEAU, "Mes inscriptions", "Annuaire du réseau", "Barème", "API",
                   "Mon compte"],
    # The demo partner holds a correspondant observatoire mandate: the campaigns it reviews.
    "partenaire": [*_CAF, RESULTATS, *_RESEAU, "Mes inscriptions", "Barème", "API", "Mon compte"],
    "structure": ["Mon espace", *_CARTES, "Mon questionnaire", "Schéma directeur", "Événements", "Ma structure",
                  RESULTATS, *_RESEAU, "Mes inscriptions", "API", "Mon compte"],
    "admin": [*_CAF, "Renouvellements", RESULTATS, *_RESEAU, "Mes inscriptions", "Annuaire du réseau", *_GESTION,
              "Administration", "Mon compte"],
}  # fmt: skip


def html_lu(texte: str) -> str:
    return texte.replace("&amp;", "&").replace("&#x27;", "'")


def liens_de_navigation(html: str) -> list[tuple[str, str]]:
    bloc = html[html.index('<nav class="navigation"') :]
    bloc = bloc[: bloc.index("</nav>")]
    return [
        (html_lu(texte.strip()), html_lu(url)) for url, texte in re.findall(r'<a href="([^"]+)"[^>]*>([^<]+)</a>', bloc)
    ]


def page_de_depart(role):
    return reverse("accueil:accueil") if role == "anonyme" else reverse("accueil:espace")


@pytest.mark.parametrize("role", ROLES)
def test_chaque_lien_de_la_navigation_s_ouvre(demo, role):
    client = client_de(role)
    html = client.get(page_de_depart(role)).content.decode()
    liens = [(t, u) for t, u in liens_de_navigation(html) if t != "Fermer le menu"]
    assert [t for t, _ in liens] == ATTENDUES[role]
    for texte, url in liens:
        reponse = client.get(url, follow=True)
        assert reponse.status_code == 200, (role, texte, url, reponse.status_code)


def test_partenaire_sans_mandat_n_a_ni_suivi_ni_pages_de_la_caf(demo, client):
    from maillage.territoires.models import Departement
    from tests.comptes.factories import UtilisateurFactory

    # The demo partner holds a correspondant observatoire mandate (the campaigns, which it reviews); one without
    # gets the published results instead of a list whose follow-up links it may not open.
    client.force_login(UtilisateurFactory(role="partenaire", departements=[Departement.objects.get(code="94")]))
    html = client.get(reverse("accueil:espace")).content.decode()
    urls = [u for _, u in liens_de_navigation(html)]
    assert reverse("observatoire:publications") in urls
    assert not any("/campagnes/" in u for u in urls)
    interdites = [reverse("structures:renouvellements", args=["94"]), reverse("comptes:gestion"),
                  reverse("territoires:chargements"), reverse("reseau:annuaire")]  # fmt: skip
    assert not any(u.startswith(tuple(interdites)) for u in urls)
    for url in urls:
        assert client.get(url, follow=True).status_code == 200, url


def test_page_courante_signalee(demo):
    client = client_de("pilote")
    html = client.get(reverse("accueil:espace")).content.decode()
    assert '<a href="/espace/" aria-current="page">Mon espace</a>' in html
    html = client.get(reverse("structures:renouvellements", args=["94"])).content.decode()
    assert (
        f'<a href="{reverse("structures:renouvellements", args=["94"])}" aria-current="page">Renouvellements</a>'
        in html
    )
    assert 'class="sous-menu__actif"' in html


def test_menu_de_telephone_et_recherche_dans_l_entete(demo):
    html = client_de("anonyme").get("/").content.decode()
    # Without JavaScript the « Menu » link opens the navigation (:target); navigation.js makes it a button.
    assert '<a class="menu-bouton" id="menu-bouton" href="#navigation" aria-controls="navigation">Menu</a>' in html
    assert '<nav class="navigation" id="navigation" aria-label="Navigation principale">' in html
    assert 'src="/static/maillage/js/navigation.js" defer' in html
    formulaire = html[html.index('<form class="recherche-entete"') :]
    formulaire = formulaire[: formulaire.index("</form>")]
    assert f'action="{reverse("accueil:recherche")}"' in formulaire and 'method="get"' in formulaire
    assert '<label class="visuellement-cache" for="recherche-entete">Rechercher</label>' in formulaire
    assert 'name="q"' in formulaire


def test_plan_du_site_reprend_la_navigation(demo):
    for role in ("anonyme", "pilote", "partenaire"):
        client = client_de(role)
        html = client.get(reverse("accueil:plan_du_site")).content.decode()
        contenu = html[html.index("<h1>Plan du site</h1>") :]
        for entree in navigation.entrees(client_de(role).get("/").wsgi_request.user):
            assert f'<a href="{entree.url}">{entree.libelle}</a>' in html_lu(contenu), (role, entree)
    assert "Renouvellements" not in client_de("partenaire").get(reverse("accueil:plan_du_site")).content.decode()
