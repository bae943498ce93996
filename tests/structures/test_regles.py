"""The pure rules engine of agréments: durations, overlaps, compatible types, dated rule sets, milestones."""

import datetime

import pytest

from maillage.structures import regles
from maillage.structures.models import Agrement, EvaluationCritere, TypeAgrement, TypeStructure
from maillage.structures.regles import (
    ACCORDE,
    ACF,
    ANIMATION_GLOBALE,
    ANIMATION_LOCALE,
    CENTRE_SOCIAL,
    EN_INSTRUCTION,
    EVS,
    EXPIRE,
    REFUSE,
    AgrementDonnees,
    verifier_agrement,
)

D = datetime.date
DECISION = D(2013, 10, 15)


def ag(debut, fin, *, type=ANIMATION_GLOBALE, statut=ACCORDE, id=None, decision=DECISION):
    return AgrementDonnees(
        type=type,
        debut=debut,
        fin=fin,
        statut=statut,
        id=id,
        date_decision=None if statut == EN_INSTRUCTION else decision,
    )


def test_les_valeurs_suivent_les_modeles():
    assert {regles.CENTRE_SOCIAL, regles.EVS} == set(TypeStructure.values)
    assert {ANIMATION_GLOBALE, ACF, ANIMATION_LOCALE} == set(TypeAgrement.values)
    assert {EN_INSTRUCTION, ACCORDE, REFUSE, EXPIRE} == set(Agrement.Statut.values)
    assert set(regles.APPRECIATIONS) == set(EvaluationCritere.Appreciation.values)


class TestReferentiels:
    def test_choix_par_date_de_debut(self):
        assert regles.regles_pour(D(2010, 1, 1)).code == "circulaire_2012"
        assert regles.regles_pour(D(2026, 12, 31)).code == "circulaire_2012"
        assert regles.regles_pour(D(2027, 1, 1)).code == "reforme_2027"
        assert regles.regles_pour(D(2031, 6, 1)).code == "reforme_2027"

    def test_huit_criteres_de_2012(self):
        r = regles.REGLES_2012
        codes = r.codes_criteres(ANIMATION_GLOBALE)
        assert len(codes) == 8 == len(set(codes))
        assert codes[0] == "demarche_participative"
        assert codes[-1] == "direction"
        for type_agrement in (ANIMATION_GLOBALE, ACF, ANIMATION_LOCALE):
            assert all(libelle and libelle[0].isupper() for _, libelle in r.criteres_pour(type_agrement))

    @pytest.mark.parametrize("referentiel", [regles.REGLES_2012, regles.REGLES_2027])
    def test_evs_sans_le_critere_de_la_direction(self, referentiel):
        codes = referentiel.codes_criteres(ANIMATION_LOCALE)
        assert codes == regles.REGLES_2012.codes_criteres(ANIMATION_GLOBALE)[:7]
        assert "direction" not in codes

    @pytest.mark.parametrize("referentiel", [regles.REGLES_2012, regles.REGLES_2027])
    def test_acf_apprecie_le_projet_et_le_referent_familles(self, referentiel):
        codes = referentiel.codes_criteres(ACF)
        assert {"projet_familles", "referent_familles"} <= set(codes)
        assert not set(codes) & set(regles.REGLES_2012.codes_criteres(ANIMATION_GLOBALE))

    def test_2027_ajoute_le_volet_familles_a_l_animation_globale(self):
        r = regles.REGLES_2027
        assert r.codes_criteres(ANIMATION_GLOBALE)[-1] == "volet_familles"
        assert len(r.codes_criteres(ANIMATION_GLOBALE)) == 9
        assert len(r.codes_criteres(ANIMATION_LOCALE)) == 7
        assert "volet_familles" not in r.codes_criteres(ACF)

    def test_criteres_libelles_pour_l_historique(self):
        from maillage.structures import criteres_agrement

        assert criteres_agrement.LIBELLES["direction"].startswith("Qualification")
        assert set(criteres_agrement.JEUX) == set(regles.REFERENTIELS)

    def test_referentiel_inconnu(self):
        with pytest.raises(ValueError, match="inconnu"):
            regles.regles_du_referentiel("circulaire_1998")


class TestDates:
    def test_ajouter_mois_borne_au_dernier_jour(self):
        assert regles.ajouter_mois(D(2018, 3, 31), -1) == D(2018, 2, 28)
        assert regles.ajouter_mois(D(2017, 12, 31), -14) == D(2016, 10, 31)
        assert regles.ajouter_mois(D(2017, 1, 15), 13) == D(2018, 2, 15)

    def test_bornes_de_fin(self):
        assert regles.bornes_de_fin(D(2014, 1, 1), regles.REGLES_2012) == (D(2014, 12, 31), D(2017, 12, 31))
        assert regles.bornes_de_fin(D(2014, 3, 15), regles.REGLES_2012) == (D(2015, 3, 14), D(2018, 3, 31))
        # 29 February: the years count to 28 February.
        assert regles.bornes_de_fin(D(2016, 2, 29), regles.REGLES_2012) == (D(2017, 2, 28), D(2020, 2, 29))


class TestDurees:
    @pytest.mark.parametrize(
        "debut,fin",
        [
            (D(2014, 1, 1), D(2014, 12, 31)),  # 1 year exactly
            (D(2014, 1, 1), D(2017, 12, 31)),  # 4 years exactly
            (D(2014, 1, 1), D(2016, 6, 30)),
            (D(2014, 3, 15), D(2018, 3, 14)),  # 4 years from mid-month
            (D(2014, 3, 15), D(2018, 3, 31)),  # ... aligned on the month's end: tolerated
        ],
    )
    def test_acceptees(self, debut, fin):
        assert verifier_agrement(ag(debut, fin), [], CENTRE_SOCIAL) == []

    @pytest.mark.parametrize(
        "debut,fin",
        [
            (D(2014, 1, 1), D(2018, 1, 1)),  # 4 years and a day
            (D(2014, 1, 1), D(2018, 12, 31)),  # 5 years
            (D(2014, 3, 15), D(2018, 4, 1)),  # beyond the month's end
            (D(2014, 1, 1), D(2014, 12, 30)),  # a day short of a year
            (D(2014, 1, 1), D(2014, 6, 30)),
        ],
    )
    def test_refusees(self, debut, fin):
        erreurs = verifier_agrement(ag(debut, fin), [], CENTRE_SOCIAL)
        assert len(erreurs) == 1
        assert "1 à 4 ans" in erreurs[0]

    def test_message_donne_les_bornes(self):
        [erreur] = verifier_agrement(ag(D(2014, 1, 1), D(2019, 1, 1)), [], CENTRE_SOCIAL)
        assert "entre le 31/12/2014 et le 31/12/2017" in erreur

    @pytest.mark.parametrize("debut,fin", [(D(1, 1, 1), D(1, 12, 31)), (D(9999, 1, 1), D(9999, 12, 31))])
    def test_dates_extremes_refusees_sans_exception(self, debut, fin):
        [erreur] = verifier_agrement(ag(debut, fin), [], CENTRE_SOCIAL)
        assert erreur.startswith("Date invalide")

    def test_fin_avant_debut(self):
        assert verifier_agrement(ag(D(2014, 1, 1), D(2013, 1, 1)), [], CENTRE_SOCIAL) == [
            "La fin de l'agrément doit suivre son début."
        ]


class TestChevauchements:
    existant = ag(D(2014, 1, 1), D(2017, 12, 31), id=1)

    def test_meme_type_refuse(self):
        erreurs = verifier_agrement(ag(D(2017, 1, 1), D(2020, 12, 31)), [self.existant], CENTRE_SOCIAL)
        assert len(erreurs) == 1
        assert "chevauche l'agrément d'animation globale du 01/01/2014 au 31/12/2017" in erreurs[0]

    def test_un_seul_jour_commun_suffit(self):
        assert verifier_agrement(ag(D(2017, 12, 31), D(2021, 12, 30)), [self.existant], CENTRE_SOCIAL)

    def test_renouvellement_le_lendemain_accepte(self):
        assert verifier_agrement(ag(D(2018, 1, 1), D(2021, 12, 31)), [self.existant], CENTRE_SOCIAL) == []

    def test_agrement_refuse_ignore(self):
        refuse = ag(D(2014, 1, 1), D(2017, 12, 31), id=1, statut=REFUSE)
        assert verifier_agrement(ag(D(2015, 1, 1), D(2018, 12, 31)), [refuse], CENTRE_SOCIAL) == []

    def test_en_instruction_et_expire_comptent(self):
        for statut in (EN_INSTRUCTION, EXPIRE):
            autre = ag(D(2014, 1, 1), D(2017, 12, 31), id=1, statut=statut)
            assert verifier_agrement(ag(D(2015, 1, 1), D(2018, 12, 31)), [autre], CENTRE_SOCIAL)

    def test_un_nouvel_agrement_refuse_peut_chevaucher(self):
        assert (
            verifier_agrement(ag(D(2015, 1, 1), D(2018, 12, 31), statut=REFUSE), [self.existant], CENTRE_SOCIAL) == []
        )

    def test_modification_ne_se_chevauche_pas_elle_meme(self):
        modifie = ag(D(2014, 1, 1), D(2016, 12, 31), id=1)
        assert verifier_agrement(modifie, [self.existant], CENTRE_SOCIAL) == []

    def test_types_differents_se_superposent(self):
        acf = ag(D(2014, 1, 1), D(2017, 12, 31), type=ACF)
        assert verifier_agrement(acf, [self.existant], CENTRE_SOCIAL) == []


class TestTypes:
    def test_evs_avec_animation_globale_refuse(self):
        [erreur] = verifier_agrement(ag(D(2014, 1, 1), D(2017, 12, 31)), [], EVS)
        assert "animation globale n'est pas possible pour un espace de vie sociale" in erreur
        assert "types possibles : animation locale" in erreur

    def test_evs_avec_acf_refuse(self):
        assert verifier_agrement(ag(D(2014, 1, 1), D(2017, 12, 31), type=ACF), [], EVS)

    def test_centre_social_avec_animation_locale_refuse(self):
        [erreur] = verifier_agrement(ag(D(2014, 1, 1), D(2017, 12, 31), type=ANIMATION_LOCALE), [], CENTRE_SOCIAL)
        assert "pour un centre social" in erreur

    def test_evs_animation_locale_accepte(self):
        assert verifier_agrement(ag(D(2014, 1, 1), D(2017, 12, 31), type=ANIMATION_LOCALE), [], EVS) == []


class TestACF:
    def test_sans_animation_globale_refuse(self):
        [erreur] = verifier_agrement(ag(D(2014, 1, 1), D(2017, 12, 31), type=ACF), [], CENTRE_SOCIAL)
        assert "n'est possible que si un agrément d'animation globale" in erreur

    def test_animation_globale_refusee_ne_couvre_pas(self):
        globale = ag(D(2014, 1, 1), D(2017, 12, 31), id=1, statut=REFUSE)
        assert verifier_agrement(ag(D(2014, 1, 1), D(2017, 12, 31), type=ACF), [globale], CENTRE_SOCIAL)

    def test_animation_globale_en_instruction_couvre(self):
        globale = ag(D(2014, 1, 1), D(2017, 12, 31), id=1, statut=EN_INSTRUCTION)
        assert verifier_agrement(ag(D(2014, 1, 1), D(2017, 12, 31), type=ACF), [globale], CENTRE_SOCIAL) == []

    def test_couverture_partielle_refusee(self):
        globale = ag(D(2014, 1, 1), D(2016, 12, 31), id=1)
        assert verifier_agrement(ag(D(2014, 1, 1), D(2017, 12, 31), type=ACF), [globale], CENTRE_SOCIAL)

    def test_deux_animations_globales_bout_a_bout_couvrent(self):
        globales = [ag(D(2012, 1, 1), D(2015, 12, 31), id=1), ag(D(2016, 1, 1), D(2019, 12, 31), id=2)]
        assert verifier_agrement(ag(D(2014, 1, 1), D(2017, 12, 31), type=ACF), globales, CENTRE_SOCIAL) == []

    def test_trou_entre_deux_animations_globales(self):
        globales = [ag(D(2012, 1, 1), D(2015, 12, 30), id=1), ag(D(2016, 1, 1), D(2019, 12, 31), id=2)]
        assert verifier_agrement(ag(D(2014, 1, 1), D(2017, 12, 31), type=ACF), globales, CENTRE_SOCIAL)

    def test_reduire_l_animation_globale_sous_une_acf_refuse(self):
        globale = ag(D(2014, 1, 1), D(2017, 12, 31), id=1)
        acf = ag(D(2014, 1, 1), D(2017, 12, 31), id=2, type=ACF)
        erreurs = verifier_agrement(ag(D(2014, 1, 1), D(2015, 12, 31), id=1), [globale, acf], CENTRE_SOCIAL)
        assert len(erreurs) == 1
        assert "ne serait plus couvert" in erreurs[0]
        refus = ag(D(2014, 1, 1), D(2017, 12, 31), id=1, statut=REFUSE)
        assert verifier_agrement(refus, [globale, acf], CENTRE_SOCIAL)


class TestReforme2027:
    GLOBALE = ag(D(2027, 1, 1), D(2030, 12, 31), id=1, decision=D(2026, 10, 1))
    ACF_2027 = ag(D(2027, 1, 1), D(2030, 12, 31), type=ACF, decision=D(2026, 10, 1))

    def test_acf_a_partir_de_2027_avertissement_par_defaut(self):
        assert verifier_agrement(self.ACF_2027, [self.GLOBALE], CENTRE_SOCIAL) == []
        [avertissement] = regles.avertissements_agrement(self.ACF_2027)
        assert "fusionnées entre 2027 et 2030" in avertissement
        assert "règle de transition du département : avertissement" in avertissement

    def test_acf_a_partir_de_2027_refusee_si_le_departement_le_choisit(self):
        erreurs = verifier_agrement(self.ACF_2027, [self.GLOBALE], CENTRE_SOCIAL, transition=regles.TRANSITION_REFUS)
        assert len(erreurs) == 1
        assert erreurs[0].startswith("Règle de transition du département")
        assert "choix du département" in erreurs[0] and "pas une règle nationale" in erreurs[0]
        assert regles.avertissements_agrement(self.ACF_2027, regles.TRANSITION_REFUS) == []

    def test_transition_sans_effet_avant_2027_et_hors_acf(self):
        globale = ag(D(2025, 1, 1), D(2028, 12, 31), id=1)
        acf = ag(D(2025, 1, 1), D(2028, 12, 31), type=ACF)
        assert verifier_agrement(acf, [globale], CENTRE_SOCIAL, transition=regles.TRANSITION_REFUS) == []
        assert regles.avertissements_agrement(acf) == []
        assert regles.avertissements_agrement(self.GLOBALE) == []
        assert not regles.acf_remplacee(D(2026, 12, 31), regles.TRANSITION_REFUS)
        assert regles.acf_remplacee(D(2027, 1, 1), regles.TRANSITION_REFUS)
        assert not regles.acf_remplacee(D(2027, 1, 1), regles.TRANSITION_AVERTISSEMENT)

    def test_acf_commencee_avant_2027_reste_valable(self):
        globale = ag(D(2025, 1, 1), D(2028, 12, 31), id=1)
        acf = ag(D(2025, 1, 1), D(2028, 12, 31), type=ACF)
        assert verifier_agrement(acf, [globale], CENTRE_SOCIAL) == []

    def test_animation_globale_et_locale_acceptees(self):
        assert verifier_agrement(ag(D(2027, 1, 1), D(2030, 12, 31)), [], CENTRE_SOCIAL) == []
        assert verifier_agrement(ag(D(2027, 1, 1), D(2030, 12, 31), type=ANIMATION_LOCALE), [], EVS) == []
        assert verifier_agrement(ag(D(2027, 1, 1), D(2031, 12, 31)), [], CENTRE_SOCIAL)

    def test_chevauchement_entre_referentiels(self):
        ancien = ag(D(2024, 1, 1), D(2027, 12, 31), id=1)
        assert verifier_agrement(ag(D(2027, 1, 1), D(2030, 12, 31)), [ancien], CENTRE_SOCIAL)


class TestDecision:
    def test_date_de_decision_exigee_ou_interdite(self):
        sans_date = AgrementDonnees(type=ANIMATION_GLOBALE, debut=D(2014, 1, 1), fin=D(2017, 12, 31), statut=ACCORDE)
        assert any("date de la décision" in e for e in verifier_agrement(sans_date, [], CENTRE_SOCIAL))
        avec_date = AgrementDonnees(
            type=ANIMATION_GLOBALE, debut=D(2014, 1, 1), fin=D(2017, 12, 31), date_decision=D(2013, 10, 1)
        )
        assert verifier_agrement(avec_date, [], CENTRE_SOCIAL) == [
            "Un agrément en instruction n'a pas encore de date de décision."
        ]

    def test_dates_futures(self):
        futur = ag(D(2014, 1, 1), D(2017, 12, 31), decision=D(2016, 1, 1))
        assert verifier_agrement(futur, [], CENTRE_SOCIAL, aujourd_hui=D(2015, 1, 1)) == [
            "La date de décision ne peut pas être dans le futur."
        ]
        expire_trop_tot = ag(D(2014, 1, 1), D(2017, 12, 31), statut=EXPIRE)
        assert verifier_agrement(expire_trop_tot, [], CENTRE_SOCIAL, aujourd_hui=D(2016, 1, 1))
        assert verifier_agrement(expire_trop_tot, [], CENTRE_SOCIAL, aujourd_hui=D(2018, 1, 1)) == []

    def test_evaluations_completes_et_commentaire(self):
        r = regles.REGLES_2012
        completes = dict.fromkeys(r.codes_criteres(ANIMATION_GLOBALE), ("satisfait", ""))
        assert regles.verifier_evaluations(r, ANIMATION_GLOBALE, completes, "Avis favorable.") == []
        erreurs = regles.verifier_evaluations(r, ANIMATION_GLOBALE, completes, "  ")
        assert erreurs == ["Une décision exige le commentaire de l'instruction (annotation privée du ou de la pilote)."]
        incompletes = dict(completes)
        del incompletes["direction"]
        [erreur] = regles.verifier_evaluations(r, ANIMATION_GLOBALE, incompletes, "ok")
        assert "chacun des 8 critères" in erreur
        assert "Qualification et temps de travail" in erreur
        [erreur] = regles.verifier_evaluations(r, ANIMATION_GLOBALE, {**completes, "direction": ("bof", "")}, "ok")
        assert "Appréciation invalide pour : direction" in erreur
        [erreur] = regles.verifier_evaluations(
            r, ANIMATION_GLOBALE, {**completes, "volet_familles": ("satisfait", "")}, "ok"
        )
        assert "Critères inconnus" in erreur

    def test_2027_exige_le_volet_familles(self):
        r = regles.REGLES_2027
        huit = dict.fromkeys(regles.REGLES_2012.codes_criteres(ANIMATION_GLOBALE), ("satisfait", ""))
        [erreur] = regles.verifier_evaluations(r, ANIMATION_GLOBALE, huit, "ok")
        assert "chacun des 9 critères" in erreur and "Volet familles" in erreur
        sept = dict.fromkeys(r.codes_criteres(ANIMATION_LOCALE), ("satisfait", ""))
        assert regles.verifier_evaluations(r, ANIMATION_LOCALE, sept, "ok") == []
        [erreur] = regles.verifier_evaluations(r, ANIMATION_LOCALE, huit, "ok")
        assert "sans objet pour un agrément d'animation locale" in erreur and "Qualification" in erreur

    def test_acf_exige_ses_propres_criteres(self):
        r = regles.REGLES_2012
        huit = dict.fromkeys(r.codes_criteres(ANIMATION_GLOBALE), ("satisfait", ""))
        erreurs = regles.verifier_evaluations(r, ACF, huit, "ok")
        assert any("sans objet" in e for e in erreurs)
        assert any("Référent ou référente familles" in e for e in erreurs)
        propres = dict.fromkeys(r.codes_criteres(ACF), ("satisfait", ""))
        assert regles.verifier_evaluations(r, ACF, propres, "ok") == []


class TestJalons:
    def test_dates_du_calendrier(self):
        jalons = regles.jalons_renouvellement(D(2017, 12, 31))
        assert [(j.code, j.debut, j.echeance) for j in jalons] == [
            ("lancement", D(2016, 10, 31), D(2016, 10, 31)),
            ("evaluation_diagnostic", D(2016, 12, 31), D(2017, 4, 30)),
            ("enjeux_axes", D(2017, 6, 30), D(2017, 6, 30)),
            ("decision", D(2017, 9, 30), D(2017, 9, 30)),
        ]

    def test_retards(self):
        etats = regles.etat_jalons(D(2017, 12, 31), D(2017, 5, 15), set())
        assert [e.en_retard for e in etats] == [True, True, False, False]
        assert [e.fait for e in etats] == [False] * 4
        assert not any(e.en_cours for e in etats)

    def test_jalon_en_cours(self):
        etats = regles.etat_jalons(D(2017, 12, 31), D(2017, 1, 10), {"lancement"})
        assert [(e.fait, e.en_retard, e.en_cours) for e in etats] == [
            (True, False, False),
            (False, False, True),
            (False, False, False),
            (False, False, False),
        ]

    def test_echeance_du_jour_pas_encore_en_retard(self):
        etats = regles.etat_jalons(D(2017, 12, 31), D(2017, 9, 30), {"enjeux_axes"})
        assert [e.en_retard for e in etats] == [False, False, False, False]
        assert etats[3].en_cours

    def test_un_jalon_fait_implique_les_precedents(self):
        etats = regles.etat_jalons(D(2017, 12, 31), D(2017, 11, 1), {"decision"})
        assert all(e.fait and not e.en_retard for e in etats)

    def test_cle_urgence(self):
        aujourd_hui = D(2017, 5, 15)
        en_retard = regles.etat_jalons(D(2017, 12, 31), aujourd_hui, set())
        a_jour = regles.etat_jalons(D(2017, 9, 30), aujourd_hui, {"evaluation_diagnostic"})
        termine = regles.etat_jalons(D(2017, 8, 31), aujourd_hui, {"decision"})
        cles = {
            "en_retard": regles.cle_urgence(D(2017, 12, 31), en_retard),
            "a_jour": regles.cle_urgence(D(2017, 9, 30), a_jour),
            "termine": regles.cle_urgence(D(2017, 8, 31), termine),
        }
        assert sorted(cles, key=cles.get) == ["en_retard", "a_jour", "termine"]
