"""Criteria per agrément type on the pages: the decision form asks the type's criteria, an older assessment stays
readable (labelled out of the type's list), the services refuse another type's criteria."""

import datetime

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse

from maillage.comptes.models import Role
from maillage.structures import regles, services_agrements
from maillage.structures.models import EvaluationCritere, TypeStructure
from tests.comptes.factories import UtilisateurFactory
from tests.structures.factories import AgrementFactory, StructureFactory
from tests.territoires.factories import CommuneFactory, DepartementFactory

pytestmark = pytest.mark.django_db

D = datetime.date


@pytest.fixture
def monde(db):
    vdm = DepartementFactory(code="94")
    creteil = CommuneFactory(code="94028", departement=vdm)
    centre = StructureFactory(commune=creteil)
    evs = StructureFactory(commune=creteil, type=TypeStructure.EVS)
    return {
        "pilote": UtilisateurFactory(role=Role.PILOTE, departements=[vdm]),
        "centre": centre,
        "evs": evs,
        "globale": AgrementFactory(structure=centre),
        "acf": AgrementFactory(structure=centre, type="acf", statut="en_instruction", date_decision=None),
        "locale": AgrementFactory(structure=evs, statut="en_instruction", date_decision=None),
    }


def test_formulaire_de_decision_par_type(client, monde):
    client.force_login(monde["pilote"])
    evs = client.get(reverse("structures:agrement_decider", args=[monde["locale"].pk])).content.decode()
    assert "Démarche participative" in evs and "Qualification et temps de travail du directeur" not in evs
    acf = client.get(reverse("structures:agrement_decider", args=[monde["acf"].pk])).content.decode()
    assert "Référent ou référente familles" in acf and "Projet familles" in acf
    assert "Démarche participative" not in acf


def test_decider_un_evs_avec_ses_sept_criteres(monde):
    evaluations = dict.fromkeys(regles.REGLES_2012.codes_criteres("animation_locale"), ("satisfait", ""))
    services_agrements.agrement_decider(
        par=monde["pilote"],
        agrement=monde["locale"],
        statut="accorde",
        date_decision=D(2013, 10, 1),
        evaluations=evaluations,
        commentaire="Avis favorable.",
        aujourd_hui=D(2016, 1, 1),
    )
    assert monde["locale"].evaluations.count() == 7
    with pytest.raises(ValidationError, match="sans objet"):
        services_agrements.agrement_decider(
            par=monde["pilote"],
            agrement=monde["locale"],
            statut="accorde",
            date_decision=D(2013, 10, 1),
            evaluations={**evaluations, "direction": ("satisfait", "")},
            commentaire="Avis favorable.",
            aujourd_hui=D(2016, 1, 1),
        )


def test_appreciation_ancienne_lisible(client, monde):
    EvaluationCritere.objects.create(agrement=monde["locale"], critere="direction", appreciation="partiel")
    client.force_login(monde["pilote"])
    texte = client.get(reverse("structures:agrements", args=[monde["evs"].pk])).content.decode()
    assert "Qualification et temps de travail du directeur ou de la directrice (hors critères de ce type)" in texte


def test_formulaire_d_ajout_dit_le_type_de_chaque_critere(client, monde):
    client.force_login(monde["pilote"])
    texte = client.get(reverse("structures:agrement_ajouter", args=[monde["centre"].pk])).content.decode()
    assert "(animation globale)" in texte and "(ACF)" in texte
    evs = client.get(reverse("structures:agrement_ajouter", args=[monde["evs"].pk])).content.decode()
    assert "(animation globale)" not in evs and "Réforme 2027" not in evs
