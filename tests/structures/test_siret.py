import pytest
from django.core.exceptions import ValidationError

from maillage.structures.models import valider_siret
from maillage.structures.siret import erreur_siret, luhn_valide, normaliser


def test_siret_valide():
    assert erreur_siret("73282932000074") is None


def test_cle_de_luhn_fausse():
    assert luhn_valide("73282932000075") is False
    assert "clé de contrôle (Luhn)" in erreur_siret("73282932000075")


@pytest.mark.parametrize("valeur", ["7328293200007", "732829320000741", "7328293200007A", ""])
def test_longueur_ou_caracteres(valeur):
    assert erreur_siret(valeur) == "Le SIRET doit comporter 14 chiffres."


def test_espaces_acceptes():
    assert normaliser(" 732 829 320\u00a000074 ") == "73282932000074"
    assert erreur_siret("732 829 320 00074") is None


def test_exception_la_poste():
    # La Poste's establishments fail Luhn: the sum of their digits is a multiple of 5 instead.
    assert luhn_valide("35600000049837") is False
    assert erreur_siret("35600000049837") is None
    # Luhn-valid but not a valid La Poste number.
    assert luhn_valide("35600000000048") is True
    assert "La Poste" in erreur_siret("35600000000048")


def test_validateur_du_modele():
    valider_siret("")
    valider_siret("73282932000074")
    with pytest.raises(ValidationError) as erreur:
        valider_siret("73282932000075")
    assert erreur.value.code == "siret"
