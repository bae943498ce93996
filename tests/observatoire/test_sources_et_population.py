"""Questionnaire notes (sources, « à confirmer ») correctable on a used version, the title shown once with its
version, and a campaign's population (centres sociaux only, or with the EVS)."""

import datetime
import json

import pytest
from django.core.exceptions import ValidationError

from maillage.comptes.models import Role
from maillage.observatoire import services
from maillage.observatoire.models import Campagne, Questionnaire
from maillage.observatoire.services import questionnaire_charger
from maillage.structures.models import TypeStructure
from tests.comptes.factories import UtilisateurFactory
from tests.observatoire.factories import CampagneFactory
from tests.structures.factories import AgrementFactory, StructureFactory
from tests.territoires.factories import CommuneFactory, DepartementFactory

from .conftest import SOCLE


def test_listes_sourcees_et_a_confirmer():
    donnees = json.loads(SOCLE.read_text(encoding="utf-8"))
    for nom, liste in donnees["listes"].items():
        # Nothing here was checked against the official guide: every list says so.
        assert liste["a_confirmer"] is True, nom
        assert "à confirmer" in liste["source"] or "à aligner" in liste["source"], nom
        assert not liste["source"].startswith("Guide SENACS"), nom


@pytest.mark.django_db
def test_titre_avec_sa_version_une_seule_fois():
    assert str(Questionnaire(titre="SENACS — socle du questionnaire (v1)", version=1)) == (
        "SENACS — socle du questionnaire (v1)"
    )
    assert str(Questionnaire(titre="Bloc thématique 2016", version=2)) == "Bloc thématique 2016 (v2)"
    questionnaire, _ = questionnaire_charger(chemin=SOCLE)
    assert str(questionnaire).count("(v1)") == 1


@pytest.mark.django_db
def test_notes_corrigees_sur_une_version_utilisee(tmp_path):
    questionnaire, _ = questionnaire_charger(chemin=SOCLE)
    CampagneFactory(questionnaire=questionnaire, departement__code="94")
    donnees = json.loads(SOCLE.read_text(encoding="utf-8"))
    donnees["listes"]["milieux"]["source"] = "Guide officiel SENACS 2024, vérifié"
    donnees["listes"]["milieux"]["a_confirmer"] = False
    chemin = tmp_path / "socle.json"
    chemin.write_text(json.dumps(donnees, ensure_ascii=False), encoding="utf-8")
    corrige, etat = questionnaire_charger(chemin=chemin)
    assert etat == "mis_a_jour"
    assert corrige.definition["listes"]["milieux"]["source"] == "Guide officiel SENACS 2024, vérifié"
    # A change to what is asked stays refused.
    donnees["listes"]["milieux"]["choix"][0]["libelle"] = "Changé"
    chemin.write_text(json.dumps(donnees, ensure_ascii=False), encoding="utf-8")
    with pytest.raises(ValidationError, match="déjà utilisée"):
        questionnaire_charger(chemin=chemin)


@pytest.fixture
def monde(db):
    vdm = DepartementFactory(code="94")
    creteil = CommuneFactory(code="94028", departement=vdm)
    cs = StructureFactory(commune=creteil)
    evs = StructureFactory(commune=creteil, type=TypeStructure.EVS)
    for structure in (cs, evs):
        AgrementFactory(structure=structure)  # 2014-2017: active on 31/12/2015
    socle, _ = questionnaire_charger(chemin=SOCLE)
    pilote = UtilisateurFactory(role=Role.PILOTE, departements=[vdm])
    return {"cs": cs, "evs": evs, "socle": socle, "pilote": pilote}


def _creer(monde, **autres):
    return services.campagne_creer(
        par=monde["pilote"],
        departement="94",
        annee=2016,
        questionnaire=monde["socle"],
        ouverture=datetime.date(2016, 3, 1),
        date_limite_reponse=datetime.date(2016, 5, 31),
        date_limite_relecture=datetime.date(2016, 7, 15),
        **autres,
    )


def test_population_centres_sociaux_seulement(monde):
    campagne = _creer(monde, population=Campagne.Population.CS)
    assert list(campagne.reponses.values_list("structure_id", flat=True)) == [monde["cs"].pk]


def test_population_par_defaut_avec_les_evs(monde):
    campagne = _creer(monde)
    assert campagne.population == Campagne.Population.CS_EVS
    assert set(campagne.reponses.values_list("structure_id", flat=True)) == {monde["cs"].pk, monde["evs"].pk}


def test_population_inconnue_refusee(monde):
    with pytest.raises(ValidationError) as erreur:
        _creer(monde, population="tout")
    assert "population" in erreur.value.message_dict
    assert not Campagne.objects.exists()
