from decimal import Decimal

import pytest

from maillage.financements.phrase import montant_en_lettres, nom_avec_charniere, phrase_departement

NBSP, NNBSP = "\xa0", "\u202f"


def normaliser(texte: str) -> str:
    return texte.replace(NBSP, " ").replace(NNBSP, " ")


def test_phrase_du_document_fondateur():
    phrase = phrase_departement(
        nom="Val-de-Marne",
        code="94",
        type_nom="2",
        annee=2015,
        centres_sociaux=35,
        evs=12,
        budget_total=Decimal("17512345.67"),
        budget_evs=Decimal("466804"),
        organisme="Caf du Val-de-Marne",
        financement_caf=Decimal("2689000"),
    )
    assert normaliser(phrase) == (
        "Le département du Val-de-Marne comptait au 31 décembre 2015, 47 acteurs de l'animation de la vie sociale, "
        "dont 35 centres sociaux et 12 espaces de vie sociale, pour un budget cumulé de 17,5 millions d'euros "
        "(dont près de 467 000 euros pour les espaces de vie sociale). La Caf du Val-de-Marne apporte un soutien "
        "financier à hauteur de près de 2,7 millions d'euros."
    )
    assert f"467{NNBSP}000{NBSP}euros" in phrase


def test_singuliers_et_montants_exacts():
    phrase = phrase_departement(
        nom="Essonne",
        code="91",
        type_nom="5",
        annee=2020,
        centres_sociaux=1,
        evs=0,
        budget_total=2_000_000,
        budget_evs=0,
        organisme="Caf de l'Essonne",
        financement_caf=850,
    )
    assert normaliser(phrase) == (
        "Le département de l'Essonne comptait au 31 décembre 2020, 1 acteur de l'animation de la vie sociale, "
        "dont 1 centre social et aucun espace de vie sociale, pour un budget cumulé de 2 millions d'euros. "
        "La Caf de l'Essonne apporte un soutien financier à hauteur de 850 euros."
    )


def test_un_evs_sans_budget_ni_financement():
    phrase = normaliser(
        phrase_departement(
            nom="Hauts-de-Seine",
            code="92",
            type_nom="4",
            annee=2018,
            centres_sociaux=0,
            evs=1,
            budget_total=0,
            budget_evs=0,
            organisme="Caf des Hauts-de-Seine",
            financement_caf=0,
        )
    )
    assert phrase == (
        "Le département des Hauts-de-Seine comptait au 31 décembre 2018, 1 acteur de l'animation de la vie sociale, "
        "dont aucun centre social et 1 espace de vie sociale."
    )


def test_aucun_acteur():
    phrase = phrase_departement(
        nom="Lozère",
        code="48",
        type_nom="3",
        annee=2015,
        centres_sociaux=0,
        evs=0,
        budget_total=0,
        budget_evs=0,
        organisme="Caf de la Lozère",
        financement_caf=0,
    )
    assert (
        normaliser(phrase)
        == "Le département de la Lozère ne comptait au 31 décembre 2015 aucun acteur de l'animation de la vie sociale."
    )


@pytest.mark.parametrize(
    ("nom", "code", "type_nom", "attendu"),
    [
        ("Val-de-Marne", "94", "2", "du Val-de-Marne"),
        ("Seine-Saint-Denis", "93", "3", "de la Seine-Saint-Denis"),
        ("Hauts-de-Seine", "92", "4", "des Hauts-de-Seine"),
        ("Essonne", "91", "5", "de l'Essonne"),
        ("Paris", "75", "0", "de Paris"),
        ("Ille-et-Vilaine", "35", "1", "d'Ille-et-Vilaine"),
        ("Val-de-Marne", "94", None, "Val-de-Marne (94)"),
        ("Val-de-Marne", "94", "9", "Val-de-Marne (94)"),
    ],
)
def test_charniere(nom, code, type_nom, attendu):
    assert nom_avec_charniere(nom, code, type_nom) == attendu


@pytest.mark.parametrize(
    ("valeur", "texte", "arrondi"),
    [
        (17_512_345, "17,5 millions d'euros", True),
        (2_000_000, "2 millions d'euros", False),
        (1_450_000, "1,5 million d'euros", True),
        (999_960, "1 million d'euros", True),
        (466_804, "467 000 euros", True),
        (12_000, "12 000 euros", False),
        (850, "850 euros", False),
        (1, "1 euro", False),
    ],
)
def test_montant_en_lettres(valeur, texte, arrondi):
    resultat, a_ete_arrondi = montant_en_lettres(valeur)
    assert normaliser(resultat) == texte
    assert a_ete_arrondi is arrondi
