"""Attendance statistics: headline, breakdowns as tables and SVG charts, CSV/XLSX exports, query counts."""

import io

import pytest
from django.urls import reverse
from openpyxl import load_workbook

from maillage.comptes.models import Organisation
from maillage.reseau import graphiques, selectors_pointage
from maillage.reseau.models import Categorie, Inscription
from tests.reseau.factories import EvenementFactory, InscriptionFactory
from tests.reseau.test_pointage import acteurs

CONFIRMEE, ATTENTE = Inscription.Statut.CONFIRMEE, Inscription.Statut.LISTE_ATTENTE


@pytest.fixture
def jeu(territoire_94):
    dep = territoire_94.departement
    creteil, vitry, _ = territoire_94.communes
    ev = EvenementFactory(departement=dep, capacite=None)
    maintenant = ev.debut
    for n in range(4):
        InscriptionFactory(evenement=ev, categorie=Categorie.CENTRE_SOCIAL, commune=creteil,
                           type_organisation=Organisation.Type.CAF if n == 0 else "",
                           present_le=maintenant if n < 3 else None)  # fmt: skip
    InscriptionFactory(evenement=ev, categorie=Categorie.ELU, commune=vitry, present_le=maintenant)
    InscriptionFactory(evenement=ev, categorie=Categorie.ELU, statut=ATTENTE)
    InscriptionFactory(evenement=ev, categorie=Categorie.EVS, statut=Inscription.Statut.ANNULEE)
    InscriptionFactory(evenement=ev, nom="=HYPERLINK(1)", categorie=Categorie.EVS, present_le=maintenant,
                       origine=Inscription.Origine.SUR_PLACE, organisation_nom="=cmd")  # fmt: skip
    return ev, acteurs(dep)


def test_statistiques_chiffres(jeu):
    ev, _ = jeu
    stats = selectors_pointage.statistiques(ev)
    assert (stats["inscrits"], stats["presents"], stats["liste_attente"], stats["annulees"], stats["sur_place"]) == (
        6,
        5,
        1,
        1,
        1,
    )
    centres = next(p for p in stats["par_categorie"] if p["cle"] == Categorie.CENTRE_SOCIAL)
    assert (centres["inscrits"], centres["presents"], centres["taux"]) == (4, 3, 75.0)


def test_page_statistiques(client, jeu, django_assert_max_num_queries):
    ev, gens = jeu
    client.force_login(gens.conseiller)
    with django_assert_max_num_queries(14):
        reponse = client.get(reverse("reseau:statistiques", args=[ev.pk]))
    contenu = reponse.content.decode()
    assert reponse.status_code == 200
    assert "5 participants sur 6 inscrits." in contenu
    assert contenu.count("<caption>") == 3 and contenu.count('<figure class="presence"') == 3
    assert "Centre social (présidence, direction, équipe) : 4 inscrits, 3 présents" in contenu
    assert "Créteil" in contenu and "75,0" in contenu
    assert "<table" in contenu and 'role="img"' in contenu


def test_phrase_plus_de_150_partenaires():
    assert graphiques.phrase_presence({"presents": 152, "inscrits": 168}) == (
        "152 participants sur 168 inscrits : plus de 150 partenaires réunis."
    )
    assert graphiques.phrase_presence({"presents": 1, "inscrits": 1}) == "1 participant sur 1 inscrit."
    assert "plus de" not in graphiques.phrase_presence({"presents": 40, "inscrits": 1200})
    assert "1\u202f200 inscrits" in graphiques.phrase_presence({"presents": 40, "inscrits": 1200})
    assert graphiques.phrase_presence({"presents": 0, "inscrits": 0}).startswith("Aucune")


def test_graphique_svg_accessible():
    svg = graphiques.barres_presence("g", "Par catégorie", [
        {"libelle": "Élu·e <b>", "inscrits": 1200, "presents": 600}, {"libelle": "Vide", "inscrits": 0, "presents": 0}
    ])  # fmt: skip
    assert 'width="100.0%"' in svg and 'width="50.0%"' in svg
    assert "<title" in svg and "aria-label" in svg and "&lt;b&gt;" in svg and "<b>" not in svg
    assert "1\u202f200" in svg and "Vide" not in svg
    assert graphiques.barres_presence("g", "Vide", []) == ""


def test_exports_csv_et_xlsx_sans_formule(client, jeu):
    ev, gens = jeu
    client.force_login(gens.pilote)
    url = reverse("reseau:statistiques", args=[ev.pk])
    csv = client.get(url, {"format": "csv"})
    assert csv.status_code == 200 and "attachment" in csv["Content-Disposition"]
    texte = csv.content.decode("utf-8-sig")
    assert texte.startswith("Ventilation;Libellé;Inscrits;Présents") and "Catégorie;Élu·e;1;1;100;1" in texte
    xlsx = client.get(url, {"format": "xlsx"})
    feuille = load_workbook(io.BytesIO(xlsx.content)).active
    valeurs = [c.value for ligne in feuille.iter_rows() for c in ligne]
    assert "Inscrits confirmés" in valeurs and 6 in valeurs
    assert not any(isinstance(v, str) and v.startswith("=") for v in valeurs)
    assert client.get(url, {"format": "pdf"}).status_code == 400


@pytest.mark.parametrize("qui", ["partenaire", "structure", "pilote_autre"])
def test_exports_refuses(client, jeu, qui):
    ev, gens = jeu
    client.force_login(getattr(gens, qui))
    for format_ in ("csv", "xlsx"):
        assert client.get(reverse("reseau:statistiques", args=[ev.pk]), {"format": format_}).status_code == 403
