"""What the answering pages show: input values, tables cell by cell, prefill origins, neighbouring sections."""

from types import SimpleNamespace

import pytest

from maillage.observatoire.saisie import presentation as p


@pytest.mark.parametrize(
    ("type_", "valeur", "attendu"),
    [
        ("entier", None, ""),
        ("entier", 1234, "1 234"),
        ("euros", 1234.5, "1 234,5"),
        ("oui_non", True, "oui"),
        ("oui_non", False, "non"),
        ("texte", "Quartier", "Quartier"),
        ("choix", "asso", "asso"),
    ],
)
def test_valeur_saisie(type_, valeur, attendu):
    assert p.valeur_saisie({"type": type_}, valeur) == attendu


def test_origines_prefill():
    definition = SimpleNamespace(
        questions={"a": {"prefill": "structure.nom"}, "b": {"prefill": "budget.total"}, "c": {}, "d": {"prefill": "x"}}
    )
    assert p.origines_prefill(definition, ["a", "b", "c", "d"]) == {
        "a": "le registre des structures",
        "b": "le budget réalisé",
        "c": "la réponse validée de l'an dernier",
        "d": "la réponse validée de l'an dernier",
    }


def test_questions_affichees():
    tableau = {
        "code": "benevoles",
        "type": "tableau",
        "lignes": [{"code": "reguliers"}],
        "colonnes": [{"code": "nombre", "type": "entier"}, {"code": "heures", "type": "decimal"}],
    }
    section = {
        "questions": [
            {"code": "nom", "type": "texte"},
            {"code": "cache", "type": "texte"},
            {"code": "salaries", "type": "entier"},
            {"code": "publics", "type": "choix_multiple"},
            tableau,
        ]
    }
    valeurs = {"nom": "CS", "salaries": 12, "publics": ["jeunes"], "benevoles": {"reguliers": {"nombre": 1500}}}
    vues = p.questions_affichees(
        section,
        valeurs,
        visibles={"nom", "salaries", "publics", "benevoles"},
        erreurs={"salaries": ["Trop grand."]},
        brutes={"q-salaries": "12 000 000", "q-benevoles-reguliers-heures": "3,5"},
        prefillees={"nom": "le registre des structures"},
        commentaires={},
    )
    assert [v["code"] for v in vues] == ["nom", "salaries", "publics", "benevoles"]
    nom, salaries, publics, benevoles = vues
    assert (nom["valeur"], nom["prefill"], nom["id"], nom["nom"]) == (
        "CS",
        "le registre des structures",
        "q-nom",
        "q-nom",
    )
    assert (salaries["valeur"], salaries["erreurs"]) == ("12 000 000", ["Trop grand."])
    assert publics["valeur"] == ["jeunes"]
    cellules = benevoles["lignes"][0]["cellules"]
    assert [(c["nom"], c["valeur"], c["decimal"]) for c in cellules] == [
        ("q-benevoles-reguliers-nombre", "1 500", False),
        ("q-benevoles-reguliers-heures", "3,5", True),
    ]


def test_sections_voisines(monkeypatch):
    definition = SimpleNamespace(sections=[{"code": "a"}, {"code": "b"}, {"code": "c"}])
    monkeypatch.setattr(p.regles, "progression", lambda definition, valeurs, contexte: {"a": 0, "c": 0})
    assert p.sections_voisines(definition, "a", {}, None) == {"precedente": None, "suivante": {"code": "c"}}
    assert p.sections_voisines(definition, "c", {}, None) == {"precedente": {"code": "a"}, "suivante": None}
    assert p.sections_voisines(definition, "b", {}, None) == {}
