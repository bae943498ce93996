"""The catalogue's formulas on plain data (no database): a fake lecteur gives the figures the selectors would."""

import datetime
from decimal import Decimal

import pytest

from maillage.schema import indicateurs as cat

J = datetime.date


def _espaces(texte: str) -> str:
    return texte.replace("\u202f", " ").replace("\xa0", " ")


class LecteurFactice:
    departement = "94"

    def registre(self, date):
        return cat.Registre(
            par_type={"centre_social": 35, "evs": 12},
            cs_par_mode={"associative": 23, "collectivite": 12},
            qpv_par_type={"centre_social": 25, "evs": 9},
        )

    def couverture(self, date):
        return cat.Couverture(1_387_926, 1_283_940, 47, 17, 47, 2, 2024, 2.0)

    def finances(self, annee):
        return cat.Finances(
            annee=annee,
            structures_par_type={"centre_social": 35, "evs": 12},
            budget_par_type={"centre_social": Decimal("17031254"), "evs": Decimal("466812")},
            budgets_renseignes={"centre_social": 35, "evs": 11},
            prestations_service=Decimal("2578320"),
            fonds_locaux=Decimal("120140"),
        )

    def renouvellements(self, debut, fin):
        return cat.Renouvellements(echus=20, renouveles_a_temps=15)

    def observatoire(self, annee):
        if annee != 2016:
            return None
        return cat.Observatoire(2016, 2015, 47, 44, 40, True, {"benevoles": (1601, 40), "habitants_instances": (0, 0)})


def test_le_catalogue_a_au_moins_treize_definitions_aux_codes_du_contrat():
    contrat = {
        "structures_actives",
        "structures_pour_10000_habitants",
        "part_population_couverte",
        "communes_sans_structure",
        "qpv_sans_structure",
        "part_cs_gestion_associative",
        "budget_cumule",
        "financement_caf",
        "agrements_renouveles_a_temps",
        "taux_reponse_observatoire",
        "habitants_instances_gouvernance",
        "benevoles",
        "structures_en_qpv",
    }
    assert contrat <= set(cat.CATALOGUE)
    for d in cat.CATALOGUE.values():
        assert d.libelle and d.unite and d.sens in {"hausse", "baisse"} and d.donnees and d.explication
        assert set(d.donnees) <= set(cat.DONNEES)


@pytest.mark.parametrize(
    ("code", "parametres", "valeur", "extrait"),
    [
        ("structures_actives", {}, Decimal(47), "47 structures actives au 31/12/2015"),
        ("structures_actives", {"type": "evs"}, Decimal(12), "12 espaces de vie sociale actifs"),
        ("structures_pour_10000_habitants", {}, Decimal("0.34"), "soit 0,34 pour 10 000 habitants"),
        ("part_population_couverte", {}, Decimal("92.51"), "1 283 940 habitants sur 1 387 926"),
        ("communes_sans_structure", {}, Decimal(17), "17 communes sur 47"),
        ("qpv_sans_structure", {}, Decimal(2), "géographie prioritaire 2024"),
        ("part_cs_gestion_associative", {}, Decimal("65.71"), "23 centres sociaux à gestion associative sur 35"),
        ("budget_cumule", {}, Decimal("17498066.00"), "budgets réalisés 2015 de 46 structures sur 47"),
        ("budget_cumule", {"type": "evs"}, Decimal("466812.00"), "11 espaces de vie sociale sur 12 actifs"),
        ("financement_caf", {}, Decimal("2698460.00"), "2\u202f578\u202f320\xa0€ de prestations de service"),
        ("agrements_renouveles_a_temps", {}, Decimal("75.00"), "15 agréments renouvelés à temps sur 20"),
        ("taux_reponse_observatoire", {}, Decimal("93.62"), "campagne SENACS 2016 (données 2015, campagne close)"),
        ("benevoles", {}, Decimal("1601.00"), "total des 40 réponses validées"),
        ("structures_en_qpv", {}, Decimal(34), "34 sur 47 structures actives"),
    ],
)
def test_chaque_definition_donne_sa_valeur_et_dit_comment(code, parametres, valeur, extrait):
    resultat = cat.calculer(code, LecteurFactice(), J(2015, 12, 31), parametres)
    assert resultat.valeur == valeur
    assert _espaces(extrait) in _espaces(resultat.methode)


def test_les_donnees_annuelles_lisent_la_derniere_annee_complete_et_la_campagne_suivante():
    assert cat.annee_des_donnees(J(2015, 12, 31)) == 2015
    assert cat.annee_des_donnees(J(2016, 10, 15)) == 2015
    assert cat.annee_des_donnees(J(2016, 1, 1)) == 2015
    # On 15/10/2016 the observatory figure is still that of the 2016 campaign (data 2015).
    assert cat.calculer("benevoles", LecteurFactice(), J(2016, 10, 15)).valeur == Decimal(1601)
    # At 31/12/2016 it would be the 2017 campaign, absent: no value, said in words, and not final.
    absent = cat.calculer("benevoles", LecteurFactice(), J(2016, 12, 31))
    assert absent.valeur is None and absent.provisoire and "Pas de campagne SENACS 2017" in absent.methode


def test_une_valeur_incomplete_est_provisoire():
    # 46 budgets réalisés on 47 active structures: the value may still move.
    assert cat.calculer("budget_cumule", LecteurFactice(), J(2015, 12, 31)).provisoire
    assert not cat.calculer("budget_cumule", LecteurFactice(), J(2015, 12, 31), {"type": "centre_social"}).provisoire
    vide = cat.calculer("habitants_instances_gouvernance", LecteurFactice(), J(2015, 12, 31))
    assert vide.valeur is None


def test_les_parametres_sont_valides():
    definition = cat.CATALOGUE["structures_actives"]
    assert definition.valider_parametres({"type": "evs"}) == {"type": "evs"}
    assert definition.valider_parametres({"type": ""}) == {}
    with pytest.raises(ValueError, match="Valeur inconnue"):
        definition.valider_parametres({"type": "creche"})
    with pytest.raises(ValueError, match="Paramètre inconnu"):
        cat.CATALOGUE["financement_caf"].valider_parametres({"type": "evs"})
    with pytest.raises(ValueError, match="objet JSON"):
        definition.valider_parametres(["evs"])


def test_en_bonne_voie_compare_a_la_droite_de_la_reference_a_la_cible():
    reference, cible = (Decimal(40), J(2015, 12, 31)), (Decimal(50), J(2020, 12, 31))
    mi_parcours = J(2018, 7, 2)  # about half-way: 45 expected
    assert cat.attendu(reference, cible, mi_parcours).quantize(Decimal("0.1")) == Decimal("45.0")
    assert cat.en_bonne_voie("hausse", reference, cible, (Decimal(46), mi_parcours)) is True
    assert cat.en_bonne_voie("hausse", reference, cible, (Decimal(44), mi_parcours)) is False
    # Lower is better: 20 → 10; at half-way 15 expected.
    ref_b, cible_b = (Decimal(20), J(2015, 12, 31)), (Decimal(10), J(2020, 12, 31))
    assert cat.en_bonne_voie("baisse", ref_b, cible_b, (Decimal(14), mi_parcours)) is True
    assert cat.en_bonne_voie("baisse", ref_b, cible_b, (Decimal(16), mi_parcours)) is False
    # Without a target, or with no value after the baseline: unknown.
    assert cat.en_bonne_voie("hausse", reference, None, (Decimal(46), mi_parcours)) is None
    assert cat.en_bonne_voie("hausse", reference, cible, (Decimal(40), J(2015, 12, 31))) is None
    # After the target date, the target itself is expected.
    assert cat.en_bonne_voie("hausse", reference, cible, (Decimal(49), J(2021, 6, 30))) is False


def test_les_valeurs_s_ecrivent_a_la_francaise():
    assert cat.formater(Decimal("17498066.0000"), "€") == "17\u202f498\u202f066\xa0€"
    assert cat.formater(Decimal("65.7100"), "%") == "65,7\xa0%"
    assert cat.formater(Decimal("47.0000"), "structures") == "47\xa0structures"
    assert cat.formater(Decimal("0.3400"), "pour 10 000 hab.") == "0,34\xa0pour 10 000 hab."
    assert cat.formater(None, "%") == "—"
