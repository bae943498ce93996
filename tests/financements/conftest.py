"""A small Val-de-Marne dataset whose 2015 figures are known exactly (see `jeu`)."""

import datetime
from decimal import Decimal
from types import SimpleNamespace

import pytest

from maillage.comptes.models import Mandat, Organisation, Role
from maillage.financements.models import Budget, LigneProduit
from maillage.structures.models import Agrement, Gestionnaire, TypeAgrement, TypeStructure
from tests.comptes.factories import MandatFactory, OrganisationFactory, UtilisateurFactory
from tests.financements.factories import BudgetFactory
from tests.structures.factories import AgrementFactory, GestionnaireFactory, StructureFactory
from tests.territoires.factories import CommuneFactory, DepartementFactory, RegionFactory


def produit(budget, financeur, montant, type_ps=None):
    return LigneProduit.objects.create(budget=budget, financeur=financeur, type_ps_id=type_ps, montant=Decimal(montant))


def budget_realise(structure, total, annee=2015, nature=Budget.Nature.REALISE, **kwargs):
    return BudgetFactory(structure=structure, annee=annee, nature=nature, charges_totales=Decimal(total), **kwargs)


@pytest.fixture
def seine_saint_denis(db):
    return DepartementFactory(code="93", nom="Seine-Saint-Denis", region=RegionFactory(code="11"))


@pytest.fixture
def bobigny(seine_saint_denis):
    return CommuneFactory(code="93008", nom="Bobigny", departement=seine_saint_denis)


@pytest.fixture
def jeu(territoire_94, types_ps, bobigny):
    """2015 in the 94, structures active on 31/12/2015: CS1 (association, Créteil), CS2 (commune, Vitry,
    AG + ACF from 1 July 2015), EVS1 (association, Créteil). Not counted: CS3 (agrément from 2016), EVS2
    (agrément ended 30/06/2015), CS93 (other département), CS1's prévisionnel 2015 and réalisé 2014.

    Expected 2015: 3 structures (2 CS, 1 EVS), 1 associative CS (50 %), budget 840 000 (CS 800 000,
    EVS 40 000), PS 125 000 (AGC 90 000, ACF 15 000, animation locale 20 000), fonds locaux 10 000,
    Caf 135 000, communes 350 000, usagers 5 000."""
    creteil, vitry, ivry = territoire_94.communes
    commune_vitry = GestionnaireFactory(nom="Ville de Vitry", forme_juridique=Gestionnaire.FormeJuridique.COMMUNE)

    cs1 = StructureFactory(nom="Centre social Alpha", commune=creteil)
    AgrementFactory(structure=cs1)
    b = budget_realise(cs1, 500_000, charges_pilotage=Decimal(120_000), charges_logistique=Decimal(60_000))
    produit(b, "caf_ps", 50_000, "agc")
    produit(b, "caf_fonds_locaux", 10_000)
    produit(b, "communes", 200_000)
    produit(budget_realise(cs1, 450_000, nature=Budget.Nature.PREVISIONNEL), "caf_ps", 45_000, "agc")
    produit(budget_realise(cs1, 480_000, annee=2014), "caf_ps", 48_000, "agc")

    cs2 = StructureFactory(nom="Centre social Bêta", commune=vitry, gestionnaire=commune_vitry)
    AgrementFactory(structure=cs2)
    AgrementFactory(
        structure=cs2, type=TypeAgrement.ACF, debut=datetime.date(2015, 7, 1), fin=datetime.date(2018, 6, 30)
    )
    b = budget_realise(
        cs2,
        300_000,
        charges_pilotage=Decimal(80_000),
        charges_logistique=Decimal(20_000),
        charges_referent_familles=Decimal(40_000),
    )
    produit(b, "caf_ps", 40_000, "agc")
    produit(b, "caf_ps", 15_000, "acf")
    produit(b, "communes", 150_000)

    cs3 = StructureFactory(nom="Centre social Gamma", commune=ivry)
    AgrementFactory(structure=cs3, debut=datetime.date(2016, 1, 1), fin=datetime.date(2019, 12, 31))
    produit(budget_realise(cs3, 100_000), "communes", 100_000)

    evs1 = StructureFactory(nom="Espace Delta", type=TypeStructure.EVS, commune=creteil)
    AgrementFactory(structure=evs1)
    b = budget_realise(evs1, 40_000, charges_pilotage=Decimal(0), charges_logistique=Decimal(0))
    produit(b, "caf_ps", 20_000, "animation_locale")
    produit(b, "usagers", 5_000)

    evs2 = StructureFactory(nom="Espace Epsilon", type=TypeStructure.EVS, commune=vitry)
    AgrementFactory(
        structure=evs2,
        debut=datetime.date(2012, 7, 1),
        fin=datetime.date(2015, 6, 30),
        statut=Agrement.Statut.EXPIRE,
    )
    produit(budget_realise(evs2, 30_000, charges_pilotage=Decimal(0), charges_logistique=Decimal(0)), "usagers", 1)

    cs93 = StructureFactory(nom="Centre social Bobigny", commune=bobigny)
    AgrementFactory(structure=cs93)
    produit(budget_realise(cs93, 999_999), "caf_ps", 99_999, "agc")
    return SimpleNamespace(
        territoire=territoire_94, cs1=cs1, cs2=cs2, cs3=cs3, evs1=evs1, evs2=evs2, cs93=cs93, types_ps=types_ps
    )


@pytest.fixture
def pilote(territoire_94):
    return UtilisateurFactory(email="pilote@caf94.fr", role=Role.PILOTE, departements=[territoire_94.departement])


@pytest.fixture
def partenaire(territoire_94):
    """The Conseil départemental, co-financeur of the whole département (a live mandate)."""
    conseil = OrganisationFactory(
        departement=territoire_94.departement, type=Organisation.Type.CONSEIL_DEPARTEMENTAL, nom="CD 94"
    )
    MandatFactory(organisation=conseil, nature=Mandat.Nature.CO_FINANCEUR)
    return UtilisateurFactory(
        email="partenaire@cd94.fr",
        role=Role.PARTENAIRE,
        departements=[territoire_94.departement],
        organisation=conseil,
    )


@pytest.fixture
def partenaire_sans_mandat(territoire_94):
    return UtilisateurFactory(
        email="partenaire@prefecture94.fr", role=Role.PARTENAIRE, departements=[territoire_94.departement]
    )


@pytest.fixture
def conseiller(territoire_94):
    return UtilisateurFactory(
        email="conseiller@caf94.fr",
        role=Role.CONSEILLER,
        departements=[territoire_94.departement],
        communes=[territoire_94.communes[0]],
    )


@pytest.fixture
def pilote_93(seine_saint_denis):
    return UtilisateurFactory(email="pilote@caf93.fr", role=Role.PILOTE, departements=[seine_saint_denis])


@pytest.fixture
def partenaire_93(seine_saint_denis):
    return UtilisateurFactory(email="partenaire@cd93.fr", role=Role.PARTENAIRE, departements=[seine_saint_denis])


@pytest.fixture
def compte_structure(jeu):
    return UtilisateurFactory(
        email="direction@alpha.fr",
        role=Role.STRUCTURE,
        departements=[jeu.territoire.departement],
        structure=jeu.cs1,
    )
