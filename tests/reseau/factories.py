"""Factories of the network and its events (factory_boy)."""

import datetime

import factory
from django.utils import timezone

from maillage.reseau.models import (
    Actualite,
    Categorie,
    Evenement,
    Inscription,
    Personne,
    Ressource,
    SerieAteliers,
    SessionProgramme,
)
from tests.territoires.factories import DepartementFactory


def dans(jours: int, heure: int = 9) -> datetime.datetime:
    """An aware instant `jours` days from now at `heure` o'clock (Europe/Paris)."""
    jour = timezone.localdate() + datetime.timedelta(days=jours)
    return timezone.make_aware(datetime.datetime.combine(jour, datetime.time(heure)))


class EvenementFactory(factory.django.DjangoModelFactory):
    """A published departmental day open to all, in 30 days, 100 places."""

    class Meta:
        model = Evenement
        skip_postgeneration_save = True

    departement = factory.SubFactory(DepartementFactory)
    titre = factory.Sequence(lambda n: f"Journée fictive n° {n}")
    type = Evenement.Type.JOURNEE
    statut = Evenement.Statut.PUBLIE
    acces = Evenement.Acces.PUBLIC
    debut = factory.LazyFunction(lambda: dans(30, 9))
    fin = factory.LazyFunction(lambda: dans(30, 17))
    lieu_nom = "Salle fictive"
    capacite = 100


class SessionProgrammeFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = SessionProgramme

    evenement = factory.SubFactory(EvenementFactory)
    titre = factory.Sequence(lambda n: f"Atelier fictif n° {n}")
    type = SessionProgramme.Type.ATELIER
    debut = factory.LazyAttribute(lambda o: o.evenement.debut + datetime.timedelta(hours=5))
    fin = factory.LazyAttribute(lambda o: o.evenement.debut + datetime.timedelta(hours=7))
    au_choix = True


class InscriptionFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Inscription

    evenement = factory.SubFactory(EvenementFactory)
    nom = factory.Sequence(lambda n: f"Durand{n}")
    prenom = "Alex"
    email = factory.Sequence(lambda n: f"inscrit{n}@exemple.fr")
    categorie = Categorie.ASSOCIATION


class PersonneFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Personne

    departement = factory.SubFactory(DepartementFactory)
    nom = factory.Sequence(lambda n: f"Bernard{n}")
    prenom = "Dominique"
    fonction = "Directrice"
    categorie = Categorie.CENTRE_SOCIAL
    email = factory.Sequence(lambda n: f"contact{n}@exemple.fr")


class SerieAteliersFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = SerieAteliers

    departement = factory.SubFactory(DepartementFactory)
    titre = factory.Sequence(lambda n: f"Ateliers fictifs n° {n}")


class RessourceFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Ressource

    departement = factory.SubFactory(DepartementFactory)
    titre = factory.Sequence(lambda n: f"Guide fictif n° {n}")
    lien = "https://exemple.fr/guide"
    visibilite = "public"


class ActualiteFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Actualite

    departement = factory.SubFactory(DepartementFactory)
    titre = factory.Sequence(lambda n: f"Actualité fictive n° {n}")
    date = datetime.date(2016, 11, 21)
    statut = Actualite.Statut.PUBLIEE
    auteur_libelle = "Communication fictive"
    resume = "Résumé fictif."
    texte = "Texte fictif."


class ListeDiffusionFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = "reseau.ListeDiffusion"
        skip_postgeneration_save = True

    departement = factory.SubFactory(DepartementFactory)
    nom = factory.Sequence(lambda n: f"Liste fictive n° {n}")
