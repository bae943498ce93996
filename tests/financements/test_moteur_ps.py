"""The PS engine on plain data: no database."""

import datetime
from decimal import Decimal

import pytest

from maillage.financements.moteur_ps import Bareme, Charges, calculer_ligne, calculer_ps, prorata_annee

D = Decimal
AGC = Bareme(
    type_ps="agc",
    libelle="AGC",
    base="pilotage_logistique",
    taux=D("0.4240"),
    prix_plafond=D("70000"),
    illustratif=True,
)
CHARGES = Charges(totales=D(500_000), pilotage=D(120_000), logistique=D(60_000), referent_familles=D(30_000))


def test_plafond_limite_la_base():
    ligne = calculer_ligne(charges=CHARGES, bareme=AGC)
    assert ligne.depenses_eligibles == D(180_000)
    assert ligne.base_retenue == D(70_000)
    assert ligne.montant == D("29680.00")  # 70 000 × 42,4 %
    assert any("(plafonnées)" in etape for etape in ligne.explication)


def test_sous_le_plafond_les_depenses_entieres():
    petit = Charges(totales=D(100_000), pilotage=D(30_000), logistique=D(10_000))
    ligne = calculer_ligne(charges=petit, bareme=AGC)
    assert ligne.base_retenue == D(40_000)
    assert ligne.montant == D("16960.00")
    assert not any("plafonnées" in etape for etape in ligne.explication)


def test_prorata_applique_et_explique():
    ligne = calculer_ligne(charges=CHARGES, bareme=AGC, prorata=D("0.5"))
    assert ligne.montant == D("14840.00")
    assert ligne.explication[-1].startswith("× prorata de l'année couverte par l'agrément 50")


def test_prorata_hors_bornes_refuse():
    with pytest.raises(ValueError):
        calculer_ligne(charges=CHARGES, bareme=AGC, prorata=D("1.5"))


def test_plafond_manquant_calcul_sans_plafond_et_avertissement():
    sans = Bareme(type_ps="acf", libelle="ACF", base="referent_familles", taux=D("0.6"), prix_plafond=None)
    ligne = calculer_ligne(charges=CHARGES, bareme=sans)
    assert ligne.montant == D("18000.00")
    assert "Prix plafond : non renseigné" in ligne.explication
    assert any("non renseigné" in a for a in ligne.avertissements)


def test_valeur_illustrative_signalee():
    ligne = calculer_ligne(charges=CHARGES, bareme=AGC)
    assert ligne.illustratif is True
    assert any("valeur illustrative" in etape for etape in ligne.explication)
    officiel = calculer_ligne(charges=CHARGES, bareme=Bareme(**{**AGC.__dict__, "illustratif": False}))
    assert not any("illustrative" in etape for etape in officiel.explication)


def test_ecarts_signales_au_dela_de_la_tolerance():
    resultat = calculer_ps(
        charges=CHARGES,
        baremes=[AGC],
        enregistres={"agc": D("29680.50"), "acf": D(12_000)},
    )
    agc, acf = resultat.lignes
    assert agc.ecart == D("0.50")
    assert agc.avertissements == []
    assert acf.montant == 0 and acf.ecart == D(12_000)
    assert [ligne.type_ps for ligne in resultat.ecarts] == ["acf"]
    ecart = calculer_ps(charges=CHARGES, baremes=[AGC], enregistres={"agc": D(30_000)})
    assert ecart.lignes[0].ecart == D("320.00")
    assert "de plus" in ecart.lignes[0].avertissements[-1]
    assert resultat.total == D("29680.00")


@pytest.mark.parametrize(
    ("periodes", "attendu"),
    [
        ([(datetime.date(2014, 1, 1), datetime.date(2017, 12, 31))], D(1)),
        ([], D(0)),
        ([(datetime.date(2010, 1, 1), datetime.date(2014, 12, 31))], D(0)),
        ([(datetime.date(2015, 7, 1), datetime.date(2018, 6, 30))], D("0.5041")),  # 184 / 365
        # Two successive agréments, overlapping ones counted once.
        (
            [
                (datetime.date(2012, 1, 1), datetime.date(2015, 6, 30)),
                (datetime.date(2015, 7, 1), datetime.date(2019, 1, 1)),
            ],
            D(1),
        ),
        (
            [
                (datetime.date(2015, 1, 1), datetime.date(2015, 3, 31)),
                (datetime.date(2015, 2, 1), datetime.date(2015, 3, 31)),
            ],
            D("0.2466"),
        ),
    ],
)
def test_prorata_annee(periodes, attendu):
    assert prorata_annee(2015, periodes) == attendu


def test_prorata_annee_bissextile():
    assert prorata_annee(2016, [(datetime.date(2016, 1, 1), datetime.date(2016, 6, 30))]) == D("0.4973")  # 182/366
