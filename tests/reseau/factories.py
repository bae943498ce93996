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


def jeu_annuaire(territoire_94):
    """Département 94 with its Caf staff, a partner, a structure account, the pilote of another département and
    a few people of the annuaire."""
    from types import SimpleNamespace

    from maillage.core.roles import Role
    from tests.comptes.factories import OrganisationFactory, UtilisateurFactory

    dep = territoire_94.departement
    autre = DepartementFactory(code="93", nom="Seine-Saint-Denis", region=territoire_94.region)
    creteil, vitry, ivry = territoire_94.communes
    mairie = OrganisationFactory(nom="Mairie de Créteil", type="commune", departement=dep)
    ccas = OrganisationFactory(nom="CCAS de Vitry", type="ccas", departement=dep)
    personnes = [
        PersonneFactory(departement=dep, nom="Alpha", organisation=mairie, categorie=Categorie.ELU, commune=creteil,
                        email="alpha@exemple.fr"),
        PersonneFactory(departement=dep, nom="Bravo", organisation=ccas, categorie=Categorie.CCAS, commune=vitry,
                        email="bravo@exemple.fr"),
        PersonneFactory(departement=dep, nom="Charlie", organisation=None, categorie=Categorie.CENTRE_SOCIAL,
                        commune=ivry, email=""),
    ]  # fmt: skip
    return SimpleNamespace(
        dep=dep,
        autre=autre,
        communes=territoire_94.communes,
        epci=territoire_94.epci,
        mairie=mairie,
        ccas=ccas,
        personnes=personnes,
        pilote=UtilisateurFactory(role=Role.PILOTE, departements=[dep]),
        conseiller=UtilisateurFactory(role=Role.CONSEILLER, departements=[dep]),
        partenaire=UtilisateurFactory(role=Role.PARTENAIRE, departements=[dep]),
        structure=UtilisateurFactory(role=Role.STRUCTURE, departements=[dep]),
        pilote_autre=UtilisateurFactory(role=Role.PILOTE, departements=[autre]),
    )


def refus(client, user, methode, url, donnees=None):
    """The answer of a refused request: 403 for an account, redirect to the login page for an anonymous one."""
    from django.urls import reverse

    if user is not None:
        client.force_login(user)
    reponse = client.get(url) if methode == "get" else client.post(url, donnees or {})
    if user is None:
        assert reponse.status_code == 302 and reverse("comptes:connexion") in reponse["Location"], reponse
    else:
        assert reponse.status_code == 403, (user.role, url, reponse.status_code)
    client.logout()
    return reponse
