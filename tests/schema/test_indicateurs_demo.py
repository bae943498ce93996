"""The catalogue on the Val-de-Marne demo: the founding document's figures at 31/12/2015, computed from the data.

The demo is loaded once for the module (like tests/demo/), then the tables are flushed.
"""

import datetime
import time
from decimal import Decimal
from io import StringIO

import pytest
from django.core.management import call_command
from django.test import override_settings

from maillage.schema import services_indicateurs
from maillage.schema.indicateurs import CATALOGUE
from maillage.schema.models import Indicateur, Schema, ValeurIndicateur
from maillage.schema.selectors_indicateurs import indicateurs_du_schema
from tests.bareme import remettre_bareme_initial

FIN_2015 = datetime.date(2015, 12, 31)


@pytest.fixture(scope="module")
def demo_chargee(django_db_setup, django_db_blocker):
    with django_db_blocker.unblock():
        remettre_bareme_initial()
        with override_settings(DEBUG=True, MAILLAGE_DEMO=True):
            call_command("charger_demo", stdout=StringIO(), stderr=StringIO())
        yield
        call_command("flush", interactive=False, verbosity=0)
        remettre_bareme_initial()


@pytest.fixture
def schema_demo(demo_chargee, db, settings):
    settings.MAILLAGE_AUJOURDHUI = "2016-10-15"
    schema = Schema.objects.create(
        departement_id="94", titre="Schéma d'essai des indicateurs", debut=2016, fin=2020,
        statut=Schema.Statut.ADOPTE, date_adoption=datetime.date(2016, 6, 30),
    )  # fmt: skip
    for code, definition in CATALOGUE.items():
        Indicateur.objects.create(
            schema=schema, code=code[:30], libelle=definition.libelle, unite=definition.unite,
            source=Indicateur.Source.CALCULE, definition=code, reference_date=FIN_2015,
        )  # fmt: skip
    for code, type_ in (("CS", "centre_social"), ("EVS", "evs")):
        Indicateur.objects.create(
            schema=schema, code=code, libelle=code, source=Indicateur.Source.CALCULE,
            definition="structures_actives", parametres={"type": type_}, reference_date=FIN_2015,
        )  # fmt: skip
    Indicateur.objects.create(
        schema=schema, code="BUDGET_EVS", libelle="Budget des EVS", source=Indicateur.Source.CALCULE,
        definition="budget_cumule", parametres={"type": "evs"}, reference_date=FIN_2015,
    )  # fmt: skip
    return schema


@pytest.mark.django_db
def test_les_references_2015_sont_les_chiffres_du_document_fondateur(schema_demo):
    debut = time.perf_counter()
    services_indicateurs.indicateurs_recalculer(schema=schema_demo)
    duree = time.perf_counter() - debut
    reference = {ligne.code: ligne.reference for ligne in indicateurs_du_schema(schema_demo)}
    assert all(r is not None and r.date == FIN_2015 for r in reference.values())
    assert reference["structures_actives"].valeur == 47
    assert reference["CS"].valeur == 35
    assert reference["EVS"].valeur == 12
    # « un budget cumulé de 17,5 millions d'euros (dont près de 467 000 euros pour les EVS) »
    assert round(reference["budget_cumule"].valeur / 100_000) == 175
    assert round(reference["BUDGET_EVS"].valeur / 1000) == 467
    # « La Caf apporte un soutien financier à hauteur de près 2,7 millions d'euros »
    assert round(reference["financement_caf"].valeur / 100_000) == 27
    # « 2/3 des centres sociaux du département sont à gestion associative »
    assert abs(reference["part_cs_gestion_associative"].valeur - Decimal("66.67")) < 2
    # Every 2015 value is frozen (the 2016 campaign's review is over on 15/10/2016) and says how it was computed.
    for valeur in ValeurIndicateur.objects.filter(indicateur__schema=schema_demo, date=FIN_2015):
        assert valeur.figee and valeur.methode, valeur.indicateur.code
    print(f"\nRecalcul des {len(reference)} indicateurs calculés du 94 : {duree:.3f} s")
