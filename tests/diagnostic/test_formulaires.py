"""The simulation's forms give every error at once (a coordinate missing does not hide the others)."""

from maillage.diagnostic.forms import AjoutForm


def test_ajout_coordonnee_manquante_sur_son_champ_avec_les_autres_erreurs():
    form = AjoutForm(
        data={"type": "inconnu", "commune": "94001", "longitude": "2.4"}, communes=[("94001", "Ablon-sur-Seine")]
    )
    assert not form.is_valid()
    # Before: one error on top of the form, raised before the type's was even shown with it.
    assert form.errors["latitude"] == ["Indiquez la longitude et la latitude, ou aucune des deux."]
    assert "type" in form.errors and not form.non_field_errors()

    form = AjoutForm(data={"type": "evs", "commune": "94001", "latitude": "48.7"}, communes=[("94001", "Ablon")])
    assert form.errors == {"longitude": ["Indiquez la longitude et la latitude, ou aucune des deux."]}


def test_ajout_complet_valide():
    form = AjoutForm(
        data={"type": "evs", "commune": "94001", "longitude": "2.4", "latitude": "48.7"}, communes=[("94001", "Ablon")]
    )
    assert form.is_valid(), form.errors
    assert form.ajout() == {
        "nom": "Structure hypothétique",
        "type": "evs",
        "commune": "94001",
        "longitude": 2.4,
        "latitude": 48.7,
    }
