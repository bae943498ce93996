"""The pure rules engine on hand-made answers (no database)."""

import pytest

from maillage.observatoire import regles

from .conftest import CS, CS_ACF, EVS, reponse_complete


def _regles(resultat):
    return {a.regle: a for a in resultat.anomalies}


def test_reponse_coherente_sans_anomalie(definition):
    resultat = regles.controler(definition, reponse_complete(), CS)
    assert resultat.erreurs == {}
    assert resultat.anomalies == []
    assert not resultat.bloquant


def test_obligatoires_manquants(definition):
    resultat = regles.controler(definition, reponse_complete(pers_etp=None, id_milieu=""), CS)
    assert resultat.erreurs == {
        "pers_etp": ["Cette question est obligatoire."],
        "id_milieu": ["Cette question est obligatoire."],
    }
    assert resultat.bloquant


@pytest.mark.parametrize(
    ("code", "valeur", "attendu", "message"),
    [
        ("pub_personnes", "12,5", None, "Saisissez un nombre entier."),
        ("pub_personnes", -3, None, "La valeur doit être supérieure ou égale à 0."),
        ("pub_personnes", "1 200", 1200, None),
        ("pub_personnes", True, None, "Saisissez un nombre."),
        ("fin_charges_totales", "487 000,50", 487000.5, None),
        ("fin_resultat", -1500, -1500, None),
        ("pub_part_habitants_qpv", 120, None, "La valeur doit être inférieure ou égale à 100."),
        ("id_jours_ouverture", 400, None, "La valeur doit être inférieure ou égale à 366."),
        ("id_milieu", "montagne", None, "Choisissez une des réponses proposées."),
        ("proj_enjeux", ["parentalite", "acces_droits"], ["acces_droits", "parentalite"], None),
        ("proj_enjeux", ["inconnu"], None, "Choisissez parmi les réponses proposées."),
        ("id_hors_les_murs", "oui", True, None),
        ("id_hors_les_murs", "peut-être", None, "Répondez par oui ou par non."),
        ("id_site_internet", "x" * 251, None, "Le texte ne doit pas dépasser 250 caractères."),
        ("pub_tranches_age", {"0-3": {"personnes": "12"}}, {"0-3": {"personnes": 12}}, None),
        ("pub_tranches_age", {"0-2": {"personnes": 1}}, None, "Ligne inconnue : « 0-2 »."),
        ("pers_contrats", {"cdi": {"etp": "2,5"}}, {"cdi": {"etp": 2.5}}, None),
        ("pers_contrats", {"cdi": {"effectif": 2.5}}, None, "CDI, Effectif : Saisissez un nombre entier."),
    ],
)
def test_conversion_et_bornes(definition, code, valeur, attendu, message):
    propres, erreurs = regles.valider_types(definition, {code: valeur})
    if message:
        assert erreurs == {code: [message]}
    else:
        assert erreurs == {}
        assert propres[code] == attendu


def test_question_inconnue(definition):
    _, erreurs = regles.valider_types(definition, {"zz": 1})
    assert erreurs == {"zz": ["Question inconnue : « zz »."]}


def test_produits_par_financeur_egaux_au_total(definition):
    resultat = regles.controler(definition, reponse_complete(fin_produit_usagers=40000), CS)
    anomalie = _regles(resultat)["produits_par_financeur"]
    assert anomalie.niveau == "erreur"
    assert anomalie.message == (
        "Les produits par financeur (500\u202f000 €) ne font pas le total des produits (510\u202f000 €) :"
        " écart de -10\u202f000 €."
    )
    assert resultat.bloquant


def test_tolerance_d_un_euro(definition):
    resultat = regles.controler(definition, reponse_complete(fin_produit_usagers=50000.6), CS)
    assert "produits_par_financeur" not in _regles(resultat)


def test_resultat_egal_produits_moins_charges(definition):
    resultat = regles.controler(definition, reponse_complete(fin_resultat=-10000), CS)
    assert _regles(resultat)["resultat"].message == (
        "Produits − charges = 10\u202f000 €, mais le résultat déclaré est de -10\u202f000 €."
    )


def test_etp_au_plus_l_effectif(definition):
    resultat = regles.controler(definition, reponse_complete(pers_etp=31), CS)
    assert _regles(resultat)["etp_effectif"].message == "Les ETP (31) dépassent le nombre de salariés (30)."
    assert _regles(resultat)["etp_effectif"].niveau == "erreur"


def test_habitants_au_plus_les_membres_de_l_instance(definition):
    resultat = regles.controler(definition, reponse_complete(gouv_habitants_instance=21), CS)
    assert _regles(resultat)["habitants_instance"].questions == ("gouv_habitants_instance", "gouv_membres_instance")
    assert resultat.bloquant


def test_tranches_d_age_au_plus_les_personnes(definition):
    tranches = {"0-3": {"personnes": 700}, "60+": {"personnes": 600}}
    resultat = regles.controler(definition, reponse_complete(pub_tranches_age=tranches), CS)
    assert _regles(resultat)["tranches_age"].message == (
        "La somme des tranches d'âge (1\u202f300) dépasse le nombre de personnes touchées (1\u202f200)."
    )


def test_alerte_non_bloquante(definition):
    contrats = {"cdi": {"effectif": 20, "etp": 14}}
    resultat = regles.controler(definition, reponse_complete(pers_contrats=contrats), CS)
    anomalies = _regles(resultat)
    assert anomalies["contrats_effectif"].niveau == "alerte"
    assert anomalies["contrats_etp"].niveau == "alerte"
    assert not resultat.bloquant


def test_ligne_acf_reservee_a_l_agrement_acf(definition):
    valeurs = reponse_complete(fin_produit_caf_ps_acf=20000, fin_produits_totaux=530000, fin_resultat=30000)
    sans_acf = regles.controler(definition, valeurs, CS)
    assert "fin_produit_caf_ps_acf" not in sans_acf.visibles
    assert "fin_produit_caf_ps_acf" not in sans_acf.valeurs
    assert _regles(sans_acf)["reserve_ps"].questions == ("fin_produit_caf_ps_acf",)
    assert sans_acf.bloquant
    avec_acf = regles.controler(definition, valeurs, CS_ACF)
    assert avec_acf.anomalies == []
    assert avec_acf.valeurs["fin_produit_caf_ps_acf"] == 20000


def test_evs_animation_locale_et_pas_d_agc(definition):
    valeurs = reponse_complete(pers_fonctions={"direction": {"effectif": 1}})
    resultat = regles.controler(definition, valeurs, EVS)
    assert "fin_produit_caf_ps_agc" not in resultat.visibles
    assert "fin_produit_caf_ps_animation_locale" in resultat.visibles
    assert "pers_fonctions" not in resultat.visibles  # lighter staff block for EVS
    assert "gouv_comite_usagers_evs" in resultat.visibles
    assert _regles(resultat)["reserve_ps"].questions == ("fin_produit_caf_ps_agc",)
    evs = reponse_complete(fin_produit_caf_ps_agc=None, fin_produit_caf_ps_animation_locale=60000)
    assert regles.controler(definition, evs, EVS).anomalies == []


def test_questions_masquees_ignorees(definition):
    # th16_accompagnement_numerique shows only when th16_point_numerique is yes: its (bad) answer is then ignored.
    valeurs = reponse_complete(th16_point_numerique=False, th16_accompagnement_numerique="beaucoup")
    resultat = regles.controler(definition, valeurs, CS)
    assert "th16_accompagnement_numerique" not in resultat.visibles
    assert resultat.erreurs == {}
    affichee = regles.controler(definition, reponse_complete(th16_accompagnement_numerique="beaucoup"), CS)
    assert affichee.erreurs == {"th16_accompagnement_numerique": ["Saisissez un nombre."]}


def test_condition_sur_un_choix(definition):
    qpv = regles.questions_visibles(definition, {"id_situation_qpv": "proximite"}, CS)
    aucune = regles.questions_visibles(definition, {"id_situation_qpv": "aucune"}, CS)
    assert "pub_part_habitants_qpv" in qpv
    assert "pub_part_habitants_qpv" not in aucune


def test_evolution_annuelle_signalee(definition):
    precedentes = reponse_complete(gouv_benevoles_activite=18, pers_effectif=29, pub_personnes=5)
    resultat = regles.controler(definition, reponse_complete(), CS, precedentes=precedentes)
    evolutions = [a for a in resultat.anomalies if a.regle == "evolution"]
    assert [a.questions for a in evolutions] == [("pub_personnes",), ("gouv_benevoles_activite",)]
    assert evolutions[1].message == (
        "« Bénévoles d'activité » : 18 l'an dernier, 30 cette année (+67 %) : évolution à vérifier."
    )
    assert all(a.niveau == "alerte" for a in evolutions)
    assert not resultat.bloquant


def test_seuil_d_evolution_parametrable(definition):
    precedentes = reponse_complete(gouv_benevoles_activite=18)
    resultat = regles.controler(definition, reponse_complete(), CS, precedentes=precedentes, seuil_evolution=0.7)
    assert not [a for a in resultat.anomalies if a.regle == "evolution"]


def test_petites_valeurs_non_signalees(definition):
    precedentes = reponse_complete(gouv_jeunes_benevoles=1)
    resultat = regles.controler(definition, reponse_complete(), CS, precedentes=precedentes)
    assert not [a for a in resultat.anomalies if a.regle == "evolution"]


def test_progression_par_section(definition):
    avancement = regles.progression(definition, reponse_complete(), CS)
    assert avancement["publics"] == (2, 7)  # pub_part_habitants_qpv shown (dans_qpv): all 7 questions
    assert avancement["finances"][1] == 20  # CS without ACF: no ACF lines, no animation locale


def test_prefill_sources_puis_annee_precedente(definition):
    sources = {"budget.charges_totales": 480000, "budget.produit.caf_ps.acf": 1000, "structure.mode_gestion": "caf"}
    precedentes = {"id_milieu": "rural", "pub_personnes": 900, "id_echelle": "commune"}
    proposees = regles.prefill(definition, sources, precedentes, CS, deja={"id_echelle": "quartier"})
    # pub_personnes is not carried over (not marked reprise); ACF hidden for a CS without ACF; answered kept.
    assert proposees == {"fin_charges_totales": 480000, "id_mode_gestion": "caf", "id_milieu": "rural"}


def test_chaque_anomalie_rattachee_a_une_seule_question(definition):
    resultat = regles.controler(definition, reponse_complete(pub_personnes=500), CS)
    anomalie = _regles(resultat)["tranches_age"]
    assert set(anomalie.questions) == {"pub_tranches_age", "pub_personnes"}
    # The last of its questions in the questionnaire's order (the bands come after the head count)…
    assert regles.rattachement(definition, anomalie, resultat.visibles) == "pub_tranches_age"
    # …or the last among those on screen, and none when none of them is.
    assert regles.rattachement(definition, anomalie, {"pub_personnes"}) == "pub_personnes"
    assert regles.rattachement(definition, anomalie, {"fin_resultat"}) is None
    par_question, autres = regles.anomalies_par_question(definition, resultat.anomalies, resultat.visibles)
    assert sum(len(liste) for liste in par_question.values()) + len(autres) == len(resultat.anomalies)
    assert [a.regle for a in par_question["pub_tranches_age"]] == ["tranches_age"]
    assert "pub_personnes" not in par_question


def test_messages_par_defaut_accordes_au_pluriel(definition):
    regle = {
        "code": "r",
        "type": "inferieur_ou_egal",
        "gauche": ["pub_adherents", "gouv_jeunes_benevoles"],
        "droite": "pub_personnes",
        "niveau": "alerte",
        "message": "",
    }
    valeurs = {"pub_adherents": 10, "gouv_jeunes_benevoles": 5, "pub_personnes": 12}
    anomalie = regles._evaluer(regle, definition, valeurs, valeurs, set(valeurs))
    assert ") dépassent « " in anomalie.message
    reserve = {
        "code": "r",
        "type": "reserve",
        "questions": ["fin_produit_caf_ps_agc", "fin_produit_caf_ps_acf"],
        "niveau": "erreur",
        "message": "",
    }
    brutes = {"fin_produit_caf_ps_agc": 10, "fin_produit_caf_ps_acf": 5}
    anomalie = regles._evaluer(reserve, definition, brutes, brutes, set())
    assert (
        "lignes réservées à un autre type de structure ou d'agrément ; elles doivent rester vides." in anomalie.message
    )
