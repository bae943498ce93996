"""Factories of the accounts (factory_boy)."""

import datetime

import factory

from maillage.comptes.models import Mandat, Organisation, Role, Utilisateur
from tests.territoires.factories import DepartementFactory


class OrganisationFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Organisation
        skip_postgeneration_save = True

    nom = factory.Sequence(lambda n: f"Organisation fictive n° {n}")
    type = Organisation.Type.FEDERATION
    departement = factory.SubFactory(DepartementFactory)

    @factory.post_generation
    def communes(self, create, extracted, **kwargs):
        if create and extracted:
            self.communes.set(extracted)


class UtilisateurFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Utilisateur
        skip_postgeneration_save = True

    email = factory.Sequence(lambda n: f"personne{n}@exemple.fr")
    first_name = "Camille"
    last_name = factory.Sequence(lambda n: f"Martin{n}")
    role = Role.PILOTE
    password = factory.django.Password("mot-de-passe-solide-42")

    @factory.post_generation
    def departements(self, create, extracted, **kwargs):
        if create and extracted:
            self.departements.set(extracted)

    @factory.post_generation
    def communes(self, create, extracted, **kwargs):
        if create and extracted:
            self.communes.set(extracted)


class MandatFactory(factory.django.DjangoModelFactory):
    """A live mandate (from 1 January 2016, no end) in its organisation's département."""

    class Meta:
        model = Mandat

    organisation = factory.SubFactory(OrganisationFactory)
    nature = Mandat.Nature.CORRESPONDANT_OBSERVATOIRE
    departement = factory.LazyAttribute(lambda o: o.organisation.departement)
    debut = datetime.date(2016, 1, 1)
    motif = "Convention fictive"
    accorde_par = factory.SubFactory(UtilisateurFactory)
