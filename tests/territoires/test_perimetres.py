"""Cuts of a département (EPCI, EPT, a Caf's groupings) as pages filter and aggregate by them."""

import datetime

import pytest
from django.core.management import call_command

from maillage.territoires import perimetres
from maillage.territoires.models import Appartenance, Regroupement

JOUR = datetime.date(2016, 10, 15)


@pytest.fixture
def val_de_marne(db):
    call_command("charger_territoires", "--departements", "94", verbosity=0)
    territoire = Regroupement.objects.create(
        type=Regroupement.Type.TERRITOIRE_CAF,
        code="94-est",
        nom="Territoire Est",
        departement_id="94",
        debut=datetime.date(2016, 1, 1),
    )
    for code in ("94058", "94028"):
        Appartenance.objects.create(regroupement=territoire, commune_id=code, debut=datetime.date(2016, 1, 1))
    return territoire


def test_les_decoupages_du_94_offrent_l_epci_les_trois_ept_et_les_territoires_de_la_caf(val_de_marne):
    choix = perimetres.perimetres_du_departement("94", date=JOUR)
    assert [d.cle for d, _ in choix] == ["epci", "ept", "territoire_caf"]
    par_cle = {d.cle: liste for d, liste in choix}
    assert [p.nom for p in par_cle["epci"]] == ["Métropole du Grand Paris"]
    assert [p.nom for p in par_cle["ept"]] == [
        "Grand Paris Sud Est Avenir",
        "Grand-Orly Seine Bièvre",
        "Paris-Est-Marne et Bois",
    ]
    assert par_cle["territoire_caf"][0].valeur == "territoire_caf:94-est"
    # Before the EPT existed (1 January 2016) and before the Caf's grouping began, only the EPCI remains.
    assert [d.cle for d in perimetres.decoupages_du_departement("94", date=datetime.date(2015, 12, 31))] == ["epci"]


def test_un_perimetre_se_lit_depuis_sa_valeur_et_donne_ses_communes(val_de_marne):
    ept = perimetres.perimetre_lu("94", "ept:200057941", date=JOUR)
    assert ept.nom == "Paris-Est-Marne et Bois"
    assert len(perimetres.communes_du_perimetre("94", ept, date=JOUR)) == 13
    caf = perimetres.perimetre_lu("94", "territoire_caf:94-est", date=JOUR)
    assert perimetres.communes_du_perimetre("94", caf, date=JOUR) == {"94058", "94028"}
    epci = perimetres.perimetre_lu("94", "epci:200054781", date=JOUR)
    assert len(perimetres.communes_du_perimetre("94", epci, date=JOUR)) == 47
    # Unknown, malformed, of another département or not yet in force: ignored.
    for valeur in ("ept:999999999", "ept", "inconnu:1", "", None, "territoire_caf:94-ouest"):
        assert perimetres.perimetre_lu("94", valeur, date=JOUR) is None
    assert perimetres.perimetre_lu("94", "territoire_caf:94-est", date=datetime.date(2015, 6, 1)) is None
    assert perimetres.perimetre_lu("75", "ept:200057941", date=JOUR) is None


def test_l_agregation_par_ept_somme_les_communes_et_garde_le_hors_perimetre(val_de_marne):
    affectation = perimetres.affectations("94", "ept", date=JOUR)
    assert len(affectation) == 47
    assert affectation["94058"][0].nom == "Paris-Est-Marne et Bois"
    valeurs = {"94058": {"structures": 2}, "94028": {"structures": 3}, "99999": {"structures": 1}}
    tous = [p for d, liste in perimetres.perimetres_du_departement("94", date=JOUR) if d.cle == "ept" for p in liste]
    groupes, hors = perimetres.grouper(valeurs, affectation, tous=tous)
    assert [(p.nom, v.get("structures", 0)) for p, v in groupes] == [
        ("Grand Paris Sud Est Avenir", 3),
        ("Grand-Orly Seine Bièvre", 0),
        ("Paris-Est-Marne et Bois", 2),
    ]
    assert hors == {"structures": 1}
    caf = perimetres.affectations("94", "territoire_caf", date=JOUR)
    assert set(caf) == {"94058", "94028"}
    assert perimetres.affectations("94", "inconnu", date=JOUR) == {}
