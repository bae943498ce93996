"""French formats: our filters (1 387 926, 17,5 M€) and Django's localisation (31/12/2015)."""

import datetime
import re
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


@pytest.mark.parametrize(
    ("valeur", "format_", "attendu"),
    [
        (datetime.date(2026, 12, 1), None, "1er décembre 2026"),
        (datetime.date(2016, 10, 15), None, "15 octobre 2016"),
        (datetime.date(2016, 9, 1), "l j F Y", "jeudi 1er septembre 2016"),
        (datetime.date(2016, 9, 2), "l j F Y", "vendredi 2 septembre 2016"),
        (datetime.datetime(2016, 9, 1, 14, 30), "j F Y à H:i", "1er septembre 2016 à 14:30"),
        (datetime.date(2016, 9, 1), r"j F Y \j", "1er septembre 2016 j"),  # an escaped j is text
        (datetime.date(2016, 9, 1), "d/m/Y", "01/09/2016"),  # numeric dates are untouched
        (None, None, ""),
        ("pas une date", None, ""),
    ],
)
def test_filtre_date_fr_premier_du_mois(valeur, format_, attendu):
    gabarit = "{% load maillage %}{{ d|date_fr" + (f':"{format_}"' if format_ else "") + " }}"
    with translation.override("fr"):
        assert Template(gabarit).render(Context({"d": valeur})) == attendu


def test_date_en_lettres():
    from maillage.core.formats import date_en_lettres

    assert date_en_lettres(datetime.date(2026, 12, 1)) == "1er décembre 2026"
    assert date_en_lettres(datetime.date(2016, 9, 29), annee=False) == "29 septembre"
    assert date_en_lettres(None) == "—"


def test_aucun_jour_en_lettres_sans_date_fr():
    """Every date written in words uses `date_fr` (the first of the month is "1er", not "1")."""
    from pathlib import Path

    racine = Path(__file__).resolve().parents[2] / "maillage"
    fautifs = [
        f"{chemin.relative_to(racine)}: {motif}"
        for chemin in racine.rglob("templates/**/*")
        if chemin.is_file()
        for motif in re.findall(r'\|date:"[^"]*\bj F[^"]*"', chemin.read_text(encoding="utf-8", errors="ignore"))
    ]
    assert not fautifs, fautifs


@pytest.mark.parametrize(
    ("valeur", "attendu"),
    [
        (0.019, f"+1,9{NBSP}point"),
        (0.0196, f"+2,0{NBSP}points"),  # rounded once, from the unrounded difference
        (-0.025, f"-2,5{NBSP}points"),
        (0.0, f"0,0{NBSP}point"),
        (-0.0004, f"0,0{NBSP}point"),
        (None, "—"),
    ],
)
def test_points_de_pourcentage(valeur, attendu):
    from maillage.core.formats import points

    assert points(valeur) == attendu
