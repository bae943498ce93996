"""Definition files: the shipped SENACS core and theme block, and clear messages for bad files."""

import json

import pytest

from maillage.observatoire import questionnaire
from maillage.observatoire.questionnaire import DefinitionInvalide

from .conftest import SOCLE, lire


def test_le_socle_couvre_les_sections_senacs(definition):
    assert [s["code"] for s in definition.sections] == [
        "identite", "publics", "projet", "gouvernance", "partenariats", "personnel", "finances", "theme_2016",
    ]  # fmt: skip
    assert 60 <= len(definition.questions) <= 100
    types = {q["type"] for q in definition.questions.values()}
    assert types == set(questionnaire.TYPES)


def test_tranches_d_age_senacs_et_listes_a_confirmer():
    socle = lire(SOCLE)
    assert [c["code"] for c in socle["listes"]["tranches_age"]["choix"]] == [
        "0-3", "4-10", "11-14", "15-17", "18-25", "26-59", "60+",
    ]  # fmt: skip
    # Kept for comparability with the national sheets, but not checked against the official guide yet.
    assert socle["listes"]["tranches_age"]["a_confirmer"] is True
    assert socle["listes"]["enjeux"]["a_confirmer"] is True
    assert socle["listes"]["fonctions"]["a_confirmer"] is True
    assert all(liste["source"] for liste in socle["listes"].values())


def test_lignes_ps_conditionnees_au_type_et_a_l_agrement(definition):
    q = definition.questions
    assert q["fin_produit_caf_ps_acf"]["condition"] == {"type_structure": ["centre_social"], "agrement": ["acf"]}
    assert q["fin_produit_caf_ps_animation_locale"]["condition"] == {"type_structure": ["evs"]}
    assert q["fin_charges_totales"]["prefill"] == "budget.charges_totales"


def test_empreinte_ne_depend_pas_de_l_ordre_des_cles():
    socle = lire(SOCLE)
    melange = json.loads(json.dumps(socle, sort_keys=True))
    assert questionnaire.empreinte(socle) == questionnaire.empreinte(melange)
    melange["titre"] = "Autre"
    assert questionnaire.empreinte(socle) != questionnaire.empreinte(melange)


def _minimal(**changements):
    donnees = {
        "format": 1,
        "code": "essai",
        "version": 1,
        "nature": "socle",
        "titre": "Essai",
        "sections": [{"code": "s", "titre": "S", "questions": [{"code": "a", "libelle": "A", "type": "entier"}]}],
    }
    donnees.update(changements)
    return json.dumps(donnees)


def test_json_illisible_indique_ligne_et_colonne():
    with pytest.raises(DefinitionInvalide) as e:
        questionnaire.lire('{"format": 1,\n "code": }', "mauvais.json")
    assert e.value.erreurs == ["mauvais.json : JSON illisible ligne 2, colonne 10 : Expecting value."]


@pytest.mark.parametrize(
    ("changements", "attendu"),
    [
        ({"version": 0}, "la version doit être un entier supérieur ou égal à 1."),
        ({"version": "1"}, "la version doit être un entier supérieur ou égal à 1."),
        ({"nature": "autre"}, "la nature doit être « socle » ou « theme »."),
        ({"format": 2}, "format de définition « 2 » non pris en charge (attendu : 1)."),
        (
            {"sections": [{"code": "s", "titre": "S", "questions": [{"code": "a", "libelle": "A", "type": "date"}]}]},
            "question a : type « date » inconnu",
        ),
        (
            {
                "sections": [
                    {
                        "code": "s",
                        "titre": "S",
                        "questions": [{"code": "a", "libelle": "A", "type": "choix_unique", "choix": "absente"}],
                    }
                ]
            },
            "question a : la liste « absente » (choix) n'est pas définie dans « listes ».",
        ),
        (
            {
                "sections": [
                    {
                        "code": "s",
                        "titre": "S",
                        "questions": [
                            {"code": "a", "libelle": "A", "type": "entier"},
                            {"code": "a", "libelle": "B", "type": "entier"},
                        ],
                    }
                ]
            },
            "question a : code en double.",
        ),
        (
            {
                "sections": [
                    {
                        "code": "s",
                        "titre": "S",
                        "questions": [
                            {"code": "a", "libelle": "A", "type": "entier", "condition": {"question": "zz", "egal": 1}}
                        ],
                    }
                ]
            },
            "question a : la condition porte sur une question inconnue « zz ».",
        ),
        (
            {"regles": [{"code": "r", "type": "somme_egale", "termes": ["a"], "total": "b"}]},
            "règle r : question inconnue « b ».",
        ),
        ({"listes": {"l": {"choix": [{"code": "x", "libelle": "X"}]}}}, "liste l : indiquez sa source"),
    ],
)
def test_fichiers_invalides(changements, attendu):
    with pytest.raises(DefinitionInvalide) as e:
        questionnaire.lire(_minimal(**changements), "f.json")
    assert any(m.startswith(f"f.json : {attendu}") for m in e.value.erreurs), e.value.erreurs


def test_assembler_refuse_les_codes_en_double():
    a = questionnaire.lire(_minimal())
    b = questionnaire.lire(_minimal(code="autre", nature="theme"))
    with pytest.raises(DefinitionInvalide) as e:
        questionnaire.assembler(a, b)
    assert "la question « a » existe dans essai et autre." in e.value.erreurs
