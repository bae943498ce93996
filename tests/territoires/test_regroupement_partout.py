"""A grouping a pilote imports from a CSV file appears at once in every place that filters or aggregates by
territory: diagnostic, dashboard, public directory and observatory synthesis (issue: territories as people work
them). Each place has its own detailed tests; this one follows the file from its import to the pages."""

import datetime

import pytest
from django.urls import reverse

from maillage.territoires.services import regroupements_importer
from tests.observatoire.resultats import test_resultats as base

jeu = base.jeu  # the observatory's dataset: the 94 with Créteil, Vitry, Ivry, answers to the 2016 campaign

FICHIER = "regroupement;code_commune\nTerritoire Nord-Ouest;94081\nTerritoire Nord-Ouest;94041\nTerritoire Est;94028\n"
VALEUR = "territoire_caf:94-territoire-nord-ouest"


@pytest.fixture
def importe(jeu, settings):
    settings.MAILLAGE_AUJOURDHUI = "2016-10-15"
    resume = regroupements_importer(
        contenu=FICHIER.encode(),
        type="territoire_caf",
        departement="94",
        debut=datetime.date(2016, 1, 1),
        nom_fichier="territoires.csv",
        auteur="test",
    )
    assert resume["regroupements"]["crees"] == 2
    return jeu


def _option(html: str) -> bool:
    return f'value="{VALEUR}"' in html


def test_le_regroupement_importe_est_offert_partout(client, importe):
    client.force_login(importe.pilote)
    diagnostic = client.get(reverse("diagnostic:departement", args=["94"]), {"decoupage": "territoire_caf"})
    assert _option(diagnostic.content.decode()) and "Territoire Nord-Ouest" in diagnostic.content.decode()
    filtre = client.get(reverse("diagnostic:departement", args=["94"]), {"perimetre": VALEUR}).content.decode()
    assert "Vitry-sur-Seine" in filtre and "Créteil</" not in filtre  # the commune table keeps only its communes

    bord = client.get(
        reverse("financements:tableau_de_bord", args=["94", 2015]), {"decoupage": "territoire_caf"}
    ).content.decode()
    assert _option(bord) and "Territoire Est" in bord

    annuaire = client.get(reverse("structures:annuaire"), {"departement": "94", "perimetre": VALEUR}).content.decode()
    assert f'value="{VALEUR}" selected' in annuaire  # the list, map and exports are filtered by it (own tests)

    synthese = client.get(
        reverse("observatoire:synthese", args=[2016, "94"]), {"decoupage": "territoire_caf"}
    ).content.decode()
    assert "Territoire Nord-Ouest" in synthese and "Territoire Est" in synthese
