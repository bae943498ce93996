from pathlib import Path

import pytest

from maillage.observatoire import questionnaire

DOSSIER = Path(__file__).resolve().parents[2] / "maillage" / "observatoire" / "questionnaires"
SOCLE = DOSSIER / "senacs-socle-v1.json"
THEME = DOSSIER / "senacs-theme-2016-v1.json"


def lire(chemin: Path) -> dict:
    return questionnaire.lire(chemin.read_text(encoding="utf-8"), chemin.name)


@pytest.fixture(scope="session")
def definition():
    """The SENACS core v1 and the 2016 theme block, assembled (pure data, no database)."""
    return questionnaire.assembler(lire(SOCLE), lire(THEME))


CS = {"type_structure": "centre_social", "agrements": {"animation_globale"}}
CS_ACF = {"type_structure": "centre_social", "agrements": {"animation_globale", "acf"}}
EVS = {"type_structure": "evs", "agrements": {"animation_locale"}}


def reponse_complete(**changements) -> dict:
    """A consistent answer of a centre social (without ACF) to the core and the 2016 block."""
    valeurs = {
        "id_mode_gestion": "association",
        "id_milieu": "urbain",
        "id_situation_qpv": "dans_qpv",
        "id_echelle": "quartier",
        "id_hors_les_murs": False,
        "pub_personnes": 1200,
        "pub_tranches_age": {"0-3": {"personnes": 100}, "26-59": {"personnes": 600}, "60+": {"personnes": 200}},
        "proj_enjeux": ["acces_droits", "isolement_lien_social"],
        "gouv_membres_instance": 20,
        "gouv_habitants_instance": 12,
        "gouv_benevoles_activite": 30,
        "gouv_benevoles_gouvernance": 15,
        "gouv_jeunes_benevoles": 4,
        "part_commune": "convention",
        "pers_effectif": 30,
        "pers_etp": 17.5,
        "pers_contrats": {"cdi": {"effectif": 20, "etp": 14}, "cdd": {"effectif": 10, "etp": 3.5}},
        "fin_charges_totales": 500000,
        "fin_charges_personnel": 320000,
        "fin_produits_totaux": 510000,
        "fin_produit_caf_ps_agc": 60000,
        "fin_produit_communes": 300000,
        "fin_produit_etat": 100000,
        "fin_produit_usagers": 50000,
        "fin_resultat": 10000,
        "th16_point_numerique": True,
        "th16_accompagnement_numerique": 150,
        "th16_aller_vers": False,
    }
    valeurs.update(changements)
    return {code: valeur for code, valeur in valeurs.items() if valeur is not None}
