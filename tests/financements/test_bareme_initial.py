"""The initial barème (`bareme_initial`), written by migration 0003 and again by the demo and tests after a flush."""

from decimal import Decimal

import pytest

from maillage.financements import bareme_initial
from maillage.financements.models import BaremePS, TypePS

pytestmark = pytest.mark.django_db


def ecrire():
    bareme_initial.ecrire(modele_type_ps=TypePS, modele_bareme_ps=BaremePS)


def test_trois_types_et_leurs_taux_de_2010_a_2027():
    BaremePS.objects.all().delete()
    TypePS.objects.all().delete()
    ecrire()
    assert list(TypePS.objects.order_by("ordre").values_list("code", "base")) == [
        ("agc", "pilotage_logistique"),
        ("acf", "referent_familles"),
        ("animation_locale", "charges_totales"),
    ]
    assert BaremePS.objects.count() == 3 * 18
    taux = dict(BaremePS.objects.filter(type_ps="agc").values_list("annee", "taux"))
    assert (min(taux), max(taux)) == (2010, 2027)
    assert (taux[2022], taux[2023]) == (Decimal("0.4000"), Decimal("0.4240"))
    assert not BaremePS.objects.filter(prix_plafond__isnull=False).exists()


def test_idempotent_et_garde_ce_que_le_pilote_a_saisi():
    ecrire()
    BaremePS.objects.filter(annee=2015, type_ps="agc").update(prix_plafond=Decimal(130_000), taux=Decimal("0.41"))
    BaremePS.objects.filter(annee=2016, type_ps="acf").delete()
    ecrire()
    assert BaremePS.objects.count() == 3 * 18
    agc = BaremePS.objects.get(annee=2015, type_ps="agc")
    assert (agc.prix_plafond, agc.taux) == (Decimal(130_000), Decimal("0.41"))
    assert BaremePS.objects.get(annee=2016, type_ps="acf").taux == Decimal("0.6000")
