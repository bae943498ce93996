"""Factories of the budgets (factory_boy)."""

from decimal import Decimal

import factory

from maillage.financements.models import Budget, LigneProduit, TypePS
from tests.structures.factories import StructureFactory


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
