"""Factories of the observatoire: questionnaires, campaigns, answers (factory_boy)."""

import datetime

import factory

from maillage.observatoire.models import (
    Campagne,
    Commentaire,
    CommentaireRapport,
    Questionnaire,
    Reponse,
    Statut,
    Transition,
)
from tests.structures.factories import StructureFactory
from tests.territoires.factories import DepartementFactory


class QuestionnaireFactory(factory.django.DjangoModelFactory):
    """A minimal core questionnaire; tests of the SENACS content load the shipped files instead."""

    class Meta:
        model = Questionnaire

    code = factory.Sequence(lambda n: f"test-socle-{n}")
    version = 1
    nature = Questionnaire.Nature.SOCLE
    titre = "Questionnaire de test"
    definition = factory.LazyAttribute(
        lambda o: {
            "format": 1,
            "code": o.code,
            "version": o.version,
            "nature": o.nature,
            "titre": o.titre,
            "annee": None,
            "listes": {},
            "sections": [
                {
                    "code": "s1",
                    "titre": "Section",
                    "aide": "",
                    "condition": None,
                    "questions": [
                        {
                            "code": "q_nombre",
                            "libelle": "Un nombre",
                            "type": "entier",
                            "aide": "",
                            "obligatoire": False,
                            "condition": None,
                            "reprise": False,
                            "suivi_evolution": True,
                            "min": 0,
                        }
                    ],
                }
            ],
            "regles": [],
        }
    )
    empreinte = factory.Sequence(lambda n: f"{n:064d}")


def dates_campagne_en_cours() -> dict:
    """Dates of a campaign as tests need it whatever today is: answers are late (the answer deadline is past) but
    still accepted (the review deadline is ahead). A campaign's collection year does not constrain its dates."""
    from django.utils import timezone

    aujourd_hui = timezone.localdate()
    return {
        "ouverture": aujourd_hui - datetime.timedelta(days=90),
        "date_limite_reponse": aujourd_hui - datetime.timedelta(days=10),
        "date_limite_relecture": aujourd_hui + datetime.timedelta(days=60),
    }


class CampagneFactory(factory.django.DjangoModelFactory):
    """The 2016 campaign (data 2015) of a département, open now (see `dates_campagne_en_cours`)."""

    class Meta:
        model = Campagne

    departement = factory.SubFactory(DepartementFactory)
    annee = 2016
    annee_donnees = factory.LazyAttribute(lambda o: o.annee - 1)
    questionnaire = factory.SubFactory(QuestionnaireFactory)
    ouverture = factory.LazyFunction(lambda: dates_campagne_en_cours()["ouverture"])
    date_limite_reponse = factory.LazyFunction(lambda: dates_campagne_en_cours()["date_limite_reponse"])
    date_limite_relecture = factory.LazyFunction(lambda: dates_campagne_en_cours()["date_limite_relecture"])


class ReponseFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Reponse

    campagne = factory.SubFactory(CampagneFactory)
    structure = factory.SubFactory(StructureFactory)


class TransitionFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Transition

    reponse = factory.SubFactory(ReponseFactory)
    de = Statut.BROUILLON
    vers = Statut.SOUMISE


class CommentaireFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Commentaire

    reponse = factory.SubFactory(ReponseFactory)
    texte = "Un commentaire de relecture"


class CommentaireRapportFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = CommentaireRapport

    campagne = factory.SubFactory(CampagneFactory)
    section = CommentaireRapport.Section.EDITORIAL
    texte = "Une année de consolidation pour les structures du département."
