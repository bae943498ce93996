from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from maillage.financements.models import Budget, LigneProduit
from maillage.financements.services import budget_enregistrer

pytestmark = pytest.mark.django_db


def _enregistrer(par, structure, **kwargs):
    arguments = {
        "annee": 2016,
        "nature": Budget.Nature.PREVISIONNEL,
        "charges_totales": "400000",
        "charges_pilotage": "100000",
        "charges_logistique": "50000",
        "charges_referent_familles": "30000",
        "produits": {"communes": "150000", "caf_fonds_locaux": "", "caf_ps": {"agc": "60000", "acf": "18000"}},
        **kwargs,
    }
    return budget_enregistrer(par=par, structure=structure, **arguments)


def _etat():
    return (
        list(Budget.objects.order_by("pk").values_list("pk", "charges_totales", "commentaire")),
        list(LigneProduit.objects.order_by("pk").values_list("pk", "financeur", "type_ps", "montant")),
    )


def test_creation_puis_mise_a_jour(jeu, pilote):
    budget = _enregistrer(pilote, jeu.cs2)
    lignes = {(p.financeur, p.type_ps_id): p.montant for p in budget.produits.all()}
    assert lignes == {
        ("communes", None): Decimal(150_000),
        ("caf_ps", "agc"): Decimal(60_000),
        ("caf_ps", "acf"): Decimal(18_000),
    }
    assert budget.charges_totales == Decimal(400_000)
    # Upsert: same budget, lines replaced, an emptied line removed, French decimal comma accepted.
    encore = _enregistrer(
        pilote,
        jeu.cs2,
        charges_totales="410 000,50",
        produits={"communes": "0", "usagers": "1200,5", "caf_ps": {"agc": "61000"}},
    )
    assert encore.pk == budget.pk
    assert Budget.objects.filter(structure=jeu.cs2, annee=2016).count() == 1
    encore.refresh_from_db()
    assert encore.charges_totales == Decimal("410000.50")
    assert {(p.financeur, p.type_ps_id): p.montant for p in encore.produits.all()} == {
        ("usagers", None): Decimal("1200.50"),
        ("caf_ps", "agc"): Decimal(61_000),
    }


@pytest.mark.parametrize(
    ("modifications", "cle", "message"),
    [
        ({"charges_totales": "-5"}, "charges_totales", "ne peut pas être négatif"),
        ({"charges_pilotage": "abc"}, "charges_pilotage", "Les charges de pilotage ne sont pas des montants valides"),
        ({"charges_pilotage": "-5"}, "charges_pilotage", "Les charges de pilotage ne peuvent pas être négatives."),
        ({"charges_logistique": "1,234"}, "charges_logistique", "Les charges de logistique ont plus de deux"),
        ({"charges_totales": "abc"}, "charges_totales", "Le total des charges n'est pas un montant valide."),
        ({"charges_totales": "100000"}, "charges_totales", "ne peuvent pas dépasser le total des charges"),
        ({"charges_totales": "1.234"}, "charges_totales", "plus de deux décimales"),
        ({"produits": {"communes": "-1"}}, "produit_communes", "ne peut pas être négatif"),
        ({"produits": {"mecene": "10"}}, "__all__", "Financeur inconnu"),
        ({"produits": {"caf_ps": {"animation_locale": "100"}}}, "ps_animation_locale", "ne concerne pas"),
        ({"produits": {"caf_ps": {"inconnue": "100"}}}, "__all__", "Prestation de service inconnue"),
        ({"annee": 1850}, "annee", "L'année doit être comprise"),
        ({"nature": "reve"}, "nature", "prévisionnel"),
    ],
)
def test_refus_n_ecrit_rien(jeu, pilote, modifications, cle, message):
    avant = _etat()
    with pytest.raises(ValidationError) as erreur:
        _enregistrer(pilote, jeu.cs2, **modifications)
    assert any(message in m for m in erreur.value.message_dict[cle])
    assert _etat() == avant


def test_acf_sans_agrement_acf_refusee(jeu, pilote):
    # CS1 holds animation globale only: no ACF PS, and nothing written (not even the valid lines).
    avant = _etat()
    with pytest.raises(ValidationError) as erreur:
        _enregistrer(pilote, jeu.cs1)
    assert "animation collective familles" in erreur.value.message_dict["ps_acf"][0]
    assert _etat() == avant
    # CS2's ACF agrément starts 1 July 2015: it covers 2015 and 2016.
    assert _enregistrer(pilote, jeu.cs2, annee=2015, nature=Budget.Nature.PREVISIONNEL).pk


def test_budget_existant_intact_apres_refus(jeu, pilote):
    budget = _enregistrer(pilote, jeu.cs2)
    avant = _etat()
    with pytest.raises(ValidationError):
        _enregistrer(pilote, jeu.cs2, charges_totales="10", produits={"communes": "5"})
    assert _etat() == avant
    budget.refresh_from_db()
    assert budget.charges_totales == Decimal(400_000)


def test_permission(jeu, partenaire, pilote_93, compte_structure, conseiller):
    for personne in (partenaire, pilote_93, compte_structure, conseiller):
        with pytest.raises(PermissionDenied):
            _enregistrer(personne, jeu.cs2)
    assert not Budget.objects.filter(annee=2016).exists()
