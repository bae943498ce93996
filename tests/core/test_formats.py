"""French formats: our filters (1 387 926, 17,5 M€) and Django's localisation (31/12/2015)."""

import datetime
from decimal import Decimal

import pytest
from django.template import Context, Template
from django.utils import formats as django_formats
from django.utils import translation

from maillage.core.formats import cle_texte, euros, euros_compacts, nombre, pourcentage

NNBSP = "\u202f"
NBSP = "\xa0"


@pytest.mark.parametrize(
    ("valeur", "decimales", "attendu"),
    [
        (1_387_926, 0, f"1{NNBSP}387{NNBSP}926"),
        (999, 0, "999"),
        (1000, 0, f"1{NNBSP}000"),
        (0, 0, "0"),
        (-12_345, 0, f"-12{NNBSP}345"),
        (12.5, 1, "12,5"),
        (Decimal("1234.56"), 2, f"1{NNBSP}234,56"),
        ("2500", 0, f"2{NNBSP}500"),
        (None, 0, "—"),
        ("", 0, "—"),
    ],
)
def test_nombre(valeur, decimales, attendu):
    assert nombre(valeur, decimales) == attendu


def test_euros():
    assert euros(467_000) == f"467{NNBSP}000{NBSP}€"
    assert euros(Decimal("12.5"), 2) == f"12,50{NBSP}€"
    assert euros(None) == "—"


@pytest.mark.parametrize(
    ("valeur", "attendu"),
    [
        (17_500_000, f"17,5{NBSP}M€"),
        (2_700_000, f"2,7{NBSP}M€"),
        (18_000_000, f"18{NBSP}M€"),
        (467_000, f"467{NBSP}k€"),
        (1_500, f"2{NBSP}k€"),
        (950, f"950{NBSP}€"),
        (Decimal("17500000.00"), f"17,5{NBSP}M€"),
        (None, "—"),
    ],
)
def test_euros_compacts(valeur, attendu):
    assert euros_compacts(valeur) == attendu


def test_pourcentage():
    assert pourcentage(2 / 3) == f"66,7{NBSP}%"
    assert pourcentage(Decimal("0.424")) == f"42,4{NBSP}%"
    assert pourcentage(1, 0) == f"100{NBSP}%"
    assert pourcentage(None) == "—"


def test_filtres_de_gabarit():
    rendu = Template(
        "{% load maillage %}{{ n|nombre }}|{{ m|euros_compacts }}|{{ m|euros }}|{{ p|pourcentage }}|{{ v|nombre }}"
    ).render(Context({"n": 1_387_926, "m": 17_500_000, "p": 0.5, "v": None}))
    assert rendu == (f"1{NNBSP}387{NNBSP}926|17,5{NBSP}M€|17{NNBSP}500{NNBSP}000{NBSP}€|50,0{NBSP}%|—")


def test_formats_django_en_francais():
    with translation.override("fr"):
        assert django_formats.date_format(datetime.date(2015, 12, 31)) == "31/12/2015"
        assert django_formats.date_format(datetime.date(2015, 12, 31), "SHORT_DATE_FORMAT") == "31/12/2015"
        assert Template("{{ d }}").render(Context({"d": datetime.date(2016, 9, 29)})) == "29/09/2016"
        assert django_formats.number_format(1_387_926.5, 1, force_grouping=True) == f"1{NNBSP}387{NNBSP}926,5"
        assert "%d/%m/%Y" in django_formats.get_format("DATE_INPUT_FORMATS")


def test_arrondis_aux_frontieres():
    from maillage.core.formats import euros_compacts, nombre

    assert euros_compacts(999_950) == "1\xa0M€"
    assert euros_compacts(999_400) == "999\xa0k€"
    assert nombre(-0.4) == "0"
    assert nombre(-1.4) == "-1"


def test_cle_texte_trie_sans_accents_ni_casse():
    assert sorted(["Orly", "Île-Saint-Denis", "ivry"], key=cle_texte) == ["Île-Saint-Denis", "ivry", "Orly"]
