"""Factories of the schéma directeur (factory_boy)."""

import datetime

import factory

from maillage.schema.models import (
    Axe,
    Decision,
    DirectionProgres,
    Enjeu,
    FicheAction,
    Indicateur,
    Instance,
    Jalon,
    Orientation,
    Reunion,
    Schema,
    ValeurIndicateur,
)
from tests.territoires.factories import DepartementFactory


class SchemaFactory(factory.django.DjangoModelFactory):
    """An adopted schéma 2016-2020 (public)."""

    class Meta:
        model = Schema
        skip_postgeneration_save = True

    departement = factory.SubFactory(DepartementFactory)
    titre = factory.Sequence(lambda n: f"Schéma directeur fictif n° {n}")
    debut = 2016
    fin = 2020
    statut = Schema.Statut.ADOPTE
    date_adoption = datetime.date(2016, 6, 30)

    @factory.post_generation
    def signataires(self, create, extracted, **kwargs):
        if create and extracted:
            self.signataires.set(extracted)


class EnjeuFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Enjeu

    schema = factory.SubFactory(SchemaFactory)
    numero = factory.Sequence(lambda n: n + 1)
    titre = factory.Sequence(lambda n: f"Enjeu {n}")


class DirectionFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = DirectionProgres

    schema = factory.SubFactory(SchemaFactory)
    numero = factory.Sequence(lambda n: n + 1)
    titre = factory.Sequence(lambda n: f"Direction {n}")


class AxeFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Axe

    schema = factory.SubFactory(SchemaFactory)
    numero = factory.Sequence(lambda n: n + 1)
    titre = factory.Sequence(lambda n: f"Axe {n}")


class OrientationFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Orientation

    axe = factory.SubFactory(AxeFactory)
    numero = factory.Sequence(lambda n: n + 1)
    titre = factory.Sequence(lambda n: f"Orientation {n}")


class FicheActionFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = FicheAction
        skip_postgeneration_save = True

    orientation = factory.SubFactory(OrientationFactory)
    schema = factory.LazyAttribute(lambda o: o.orientation.axe.schema)
    numero = factory.Sequence(lambda n: f"{n + 1}")
    titre = factory.Sequence(lambda n: f"Action fictive {n}")
    statut = FicheAction.Statut.EN_COURS
    avancement = 50
    debut = datetime.date(2016, 9, 1)
    fin = datetime.date(2018, 12, 31)

    @factory.post_generation
    def referents(self, create, extracted, **kwargs):
        if create and extracted:
            self.referents.set(extracted)

    @factory.post_generation
    def partenaires(self, create, extracted, **kwargs):
        if create and extracted:
            self.partenaires.set(extracted)


class JalonFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Jalon

    fiche = factory.SubFactory(FicheActionFactory)
    libelle = factory.Sequence(lambda n: f"Jalon {n}")
    echeance = datetime.date(2017, 3, 31)


class IndicateurFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Indicateur

    schema = factory.SubFactory(SchemaFactory)
    code = factory.Sequence(lambda n: f"IND{n}")
    libelle = factory.Sequence(lambda n: f"Indicateur {n}")
    unite = "nombre"
    source = Indicateur.Source.MANUEL


class ValeurIndicateurFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = ValeurIndicateur

    indicateur = factory.SubFactory(IndicateurFactory)
    date = datetime.date(2016, 12, 31)
    valeur = 10
    source = Indicateur.Source.MANUEL


class InstanceFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Instance

    schema = factory.SubFactory(SchemaFactory)
    type = Instance.Type.COPIL
    nom = factory.Sequence(lambda n: f"Comité de pilotage {n}")


class ReunionFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Reunion

    instance = factory.SubFactory(InstanceFactory)
    date = factory.LazyFunction(lambda: datetime.datetime(2016, 11, 15, 14, 0, tzinfo=datetime.UTC))
    lieu = "Caf, salle du conseil"


class DecisionFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Decision

    reunion = factory.SubFactory(ReunionFactory)
    texte = factory.Sequence(lambda n: f"Décision fictive {n}")
    echeance = datetime.date(2017, 3, 31)
