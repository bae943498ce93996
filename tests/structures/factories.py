"""Factories of the registry: gestionnaires, structures, agréments (factory_boy)."""

import datetime

import factory

from maillage.structures.models import Agrement, Gestionnaire, Structure, TypeAgrement, TypeStructure
from tests.territoires.factories import CommuneFactory


class GestionnaireFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Gestionnaire

    nom = factory.Sequence(lambda n: f"Association fictive n° {n}")
    forme_juridique = Gestionnaire.FormeJuridique.ASSOCIATION


class StructureFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Structure
        skip_postgeneration_save = True

    type = TypeStructure.CENTRE_SOCIAL
    nom = factory.Sequence(lambda n: f"Centre social fictif n° {n}")
    siret = ""
    gestionnaire = factory.SubFactory(GestionnaireFactory)
    commune = factory.SubFactory(CommuneFactory)
    adresse = "1 rue de l'Exemple"
    longitude = 2.43
    latitude = 48.83


class AgrementFactory(factory.django.DjangoModelFactory):
    """An agrément accordé for four years from 1 January 2014 (covers 31/12/2015)."""

    class Meta:
        model = Agrement

    structure = factory.SubFactory(StructureFactory)
    type = factory.LazyAttribute(
        lambda o: (
            TypeAgrement.ANIMATION_LOCALE if o.structure.type == TypeStructure.EVS else TypeAgrement.ANIMATION_GLOBALE
        )
    )
    debut = datetime.date(2014, 1, 1)
    fin = datetime.date(2017, 12, 31)
    statut = Agrement.Statut.ACCORDE
    date_decision = datetime.date(2013, 10, 15)
