"""First years of the PS types: documented in the barème data, applied by migration 0005, respected by the demo."""

import importlib

import pytest

from maillage.demo import registre
from maillage.financements import bareme_initial
from maillage.financements.models import TypePS

pytestmark = pytest.mark.django_db


def test_premieres_annees_documentees():
    assert bareme_initial.PREMIERES_ANNEES == {"agc": 1971, "acf": 1998, "animation_locale": 2002}
    migration = importlib.import_module("maillage.financements.migrations.0005_premieres_annees_ps")
    assert migration.PREMIERES_ANNEES == bareme_initial.PREMIERES_ANNEES


def test_types_de_la_base(types_ps):
    assert dict(TypePS.objects.values_list("code", "premiere_annee")) == bareme_initial.PREMIERES_ANNEES


def test_la_demo_ne_date_aucun_premier_agrement_avant_la_ps():
    assert bareme_initial.PREMIERES_ANNEES["agc"] == registre.PREMIERE_ANNEE_CS
    assert bareme_initial.PREMIERES_ANNEES["animation_locale"] == registre.PREMIERE_ANNEE_EVS
    assert [registre._entre(a, 2000, 2009, 2002) for a in (2000, 2005, 2009)] == [2002, 2005, 2009]
    assert registre._entre(1968, 1968, 2008, 1971) == 1971 and registre._entre(2008, 1968, 2008, 1971) == 2008
