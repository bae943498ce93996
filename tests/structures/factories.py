"""Factories of the registry: gestionnaires, structures, contacts, agréments, projets sociaux (factory_boy)."""

import datetime

import factory

from maillage.structures.models import (
    Agrement,
    Contact,
    DocumentProjet,
    EvaluationCritere,
    Gestionnaire,
    ProjetSocial,
    Structure,
    TypeAgrement,
    TypeStructure,
)
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


class EvaluationCritereFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = EvaluationCritere

    agrement = factory.SubFactory(AgrementFactory)
    critere = factory.Sequence(lambda n: f"critere_{n}")
    appreciation = EvaluationCritere.Appreciation.choices[0][0]


class ContactFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Contact

    structure = factory.SubFactory(StructureFactory)
    fonction = Contact.Fonction.DIRECTION
    prenom = "Camille"
    nom = factory.Sequence(lambda n: f"Durand{n}")


class ProjetSocialFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = ProjetSocial

    structure = factory.SubFactory(StructureFactory)
    intitule = "Projet social 2014-2017"
    debut = datetime.date(2014, 1, 1)
    fin = datetime.date(2017, 12, 31)


class DocumentProjetFactory(factory.django.DjangoModelFactory):
    """A stored file written directly (the upload checks live in `services.document_deposer`)."""

    class Meta:
        model = DocumentProjet

    projet = factory.SubFactory(ProjetSocialFactory)
    nature = DocumentProjet.Nature.choices[0][0]
    titre = "Projet social"
    fichier = factory.django.FileField(filename="projet.pdf", data=b"%PDF-1.4\n")
