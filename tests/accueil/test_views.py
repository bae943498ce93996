"""Home page: the platform explained, and the choice of a département."""

import re

import pytest

from tests.territoires.factories import CommuneFactory, DepartementFactory, RegionFactory

pytestmark = pytest.mark.django_db


def test_accueil_explique_maillage(client, territoire_94):
    reponse = client.get("/")
    assert reponse.status_code == 200
    html = reponse.content.decode()
    assert "<h1>Maillage" in html
    for mot in ("centres sociaux", "espaces de vie sociale", "agréments", "SENACS", "Pour qui"):
        assert mot in html
    # Never announce what is not built: the schéma and the network get their card with their pages.
    assert "<h3>Le schéma directeur</h3>" not in html and "<h3>Le réseau</h3>" not in html
    assert '<a class="lien-evitement" href="#contenu">Aller au contenu</a>' in html


def test_accueil_choix_du_departement(client, territoire_94):
    # A département without communes is not offered.
    DepartementFactory(code="75", nom="Paris", region=territoire_94.region)
    html = client.get("/").content.decode()
    formulaire = html[html.index('<form class="formulaire formulaire--en-ligne"') :]
    formulaire = formulaire[: formulaire.index("</form>")]
    assert 'action="/territoires/choisir/"' in formulaire
    assert '<label for="departement">Département</label>' in formulaire
    assert re.findall(r'<option value="(\w+)"', formulaire) == ["94"]
    assert '<option value="94" selected>94 — Val-de-Marne</option>' in formulaire
    assert '<button type="submit" class="bouton">Afficher</button>' in formulaire
    # And as links grouped by région.
    assert '<h3 id="region-11">Île-de-France</h3>' in html
    assert '<a href="/territoires/departements/94/">Val-de-Marne (94)</a>' in html
    assert "/territoires/departements/75/" not in html


def test_accueil_sans_territoire(client):
    html = client.get("/").content.decode()
    assert "Aucun territoire n'est encore chargé" in html
    assert "<select" not in html


def test_accueil_defaut_absent_n_est_pas_preselectionne(client, settings):
    settings.MAILLAGE_PLATEFORME = {**settings.MAILLAGE_PLATEFORME, "departement_defaut": "13"}
    dep = DepartementFactory(code="2A", nom="Corse-du-Sud", region=RegionFactory(code="94", nom="Corse"))
    CommuneFactory(departement=dep, code="2A004", nom="Ajaccio")
    html = client.get("/").content.decode()
    assert '<option value="2A">2A — Corse-du-Sud</option>' in html
    assert " selected" not in html


def test_accueil_avec_101_departements(client, django_assert_max_num_queries):
    regions = [RegionFactory(code=f"{r:02d}", nom=f"Région {chr(65 + r)}") for r in range(18)]
    for i in range(101):
        dep = DepartementFactory(code=f"{i + 1:03d}", nom=f"Département {i + 1}", region=regions[i % 18])
        CommuneFactory(departement=dep, code=f"{i + 1:03d}01")
    with django_assert_max_num_queries(2):
        html = client.get("/").content.decode()
    assert len(re.findall(r"<option value=", html)) == 101
    assert len(re.findall(r'<h3 id="region-', html)) == 18
    assert len(re.findall(r'<a href="/territoires/departements/\d+/">Département', html)) == 101
    assert "101 départements, par région." in html


def test_accueil_regions_triees_sans_tenir_compte_des_accents(client):
    for code, nom, dep in [("11", "Île-de-France", "94"), ("32", "Hauts-de-France", "59"), ("24", "Centre", "37")]:
        d = DepartementFactory(code=dep, nom=f"Dép. {dep}", region=RegionFactory(code=code, nom=nom))
        CommuneFactory(departement=d, code=f"{dep}001")
    html = client.get("/").content.decode()
    assert re.findall(r'<h3 id="region-\d+">([^<]+)</h3>', html) == ["Centre", "Hauts-de-France", "Île-de-France"]
