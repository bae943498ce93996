"""The departmental dashboard served from the cache per data version: a budget saved or a structure edited shows
at once, the common case costs two queries."""

import html

import pytest
from django.urls import reverse

from maillage.financements import services
from maillage.financements.models import Budget

pytestmark = pytest.mark.django_db
URL = reverse("financements:tableau_de_bord", kwargs={"code": "94", "annee": 2015})


def texte(reponse) -> str:
    assert reponse.status_code == 200
    return html.unescape(reponse.content.decode()).replace("\xa0", " ").replace("\u202f", " ")


def test_un_budget_enregistre_se_voit_aussitot(client, jeu, pilote):
    assert "840 000 €" in texte(client.get(URL))
    services.budget_enregistrer(
        par=pilote,
        structure=jeu.evs1,
        annee=2015,
        nature=Budget.Nature.REALISE,
        charges_totales=140_000,
        produits={"usagers": 5_000, "caf_ps": {"animation_locale": 20_000}},
        version=Budget.objects.get(structure=jeu.evs1, annee=2015, nature=Budget.Nature.REALISE).version,
    )
    page = texte(client.get(URL))
    assert "940 000 €" in page and "840 000 €" not in page


def test_une_structure_renommee_se_voit_aussitot_dans_le_tableau_prive(client, jeu, pilote):
    client.force_login(pilote)
    assert "Centre social Alpha" in texte(client.get(URL))
    jeu.cs1.nom = "Centre social Aurore"
    jeu.cs1.save()
    page = texte(client.get(URL))
    assert "Centre social Aurore" in page and "Centre social Alpha" not in page
    client.logout()
    assert "Centre social Aurore" not in texte(client.get(URL))  # the public never gets the private table


def test_cas_courant_deux_requetes(client, jeu, django_assert_max_num_queries):
    client.get(URL)
    with django_assert_max_num_queries(2):  # the département, the data version
        assert "840 000 €" in texte(client.get(URL))
