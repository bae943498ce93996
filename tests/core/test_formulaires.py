import re
from pathlib import Path

from django import forms
from django.core.exceptions import ValidationError

from maillage.core.formulaires import ajouter_erreurs_du_service


class Formulaire(forms.Form):
    nom = forms.CharField()
    date = forms.DateField(required=False)


def _formulaire():
    form = Formulaire({"nom": "Centre social", "date": "2015-12-31"})
    assert form.is_valid()
    return form


def test_erreurs_par_champ():
    form = _formulaire()
    ajouter_erreurs_du_service(form, ValidationError({"nom": ["Nom déjà pris."], "date": ["Trop tôt.", "Un lundi."]}))
    assert form.errors == {"nom": ["Nom déjà pris."], "date": ["Trop tôt.", "Un lundi."]}
    assert "nom" not in form.cleaned_data


def test_champ_inconnu_et_all_en_tete():
    form = _formulaire()
    ajouter_erreurs_du_service(form, ValidationError({"departement": ["Département inconnu."], "__all__": ["Refusé."]}))
    assert form.non_field_errors() == ["Département inconnu.", "Refusé."]
    assert set(form.errors) == {"__all__"}


def test_liste_de_messages_en_tete():
    form = _formulaire()
    ajouter_erreurs_du_service(form, ValidationError(["Premier.", "Second."]))
    assert form.non_field_errors() == ["Premier.", "Second."]


def test_message_avec_parametres():
    form = _formulaire()
    ajouter_erreurs_du_service(form, ValidationError({"nom": ValidationError("Au plus %(n)s.", params={"n": 3})}))
    assert form.errors["nom"] == ["Au plus 3."]


def test_chaque_vue_de_creation_est_a_usage_unique():
    """Every creation view refuses a second sending of the same form (`core.formulaires.creation_unique`)."""
    racine = Path(__file__).resolve().parents[2] / "maillage"
    motif = re.compile(r"((?:@[^\n]+\n)*)def (\w+_(?:creer|ajouter|deposer)|inviter|simulation)\(request")
    vues = {}
    for chemin in racine.rglob("views*.py"):
        for decorateurs, nom in motif.findall(chemin.read_text(encoding="utf-8")):
            vues[f"{chemin.parent.name}.{nom}"] = "@creation_unique" in decorateurs
    assert len(vues) >= 10
    assert [nom for nom, unique in vues.items() if not unique] == []
