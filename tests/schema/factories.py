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


# --- A whole scenario for the schéma and fiche pages (tests/schema/test_pages*.py, test_services_schema.py) -----


def jeu_schema_94(territoire_94):
    """Val-de-Marne (tests.conftest.territoire_94) with two CS and one EVS active, their 2015 budgets, the
    organisations and accounts of every role (and of the 93), an adopted schéma 2016-2020 (2 enjeux, 2 directions,
    2 axes, 3 orientations, 3 fiches: one piloted by the Fédération with a conseiller referent, a late milestone and an
    internal comment) and a draft schéma. Returns a SimpleNamespace."""
    from decimal import Decimal
    from types import SimpleNamespace

    from maillage.comptes.models import Organisation, Role
    from maillage.schema.models import CommentaireAction
    from maillage.structures.models import Gestionnaire
    from tests.comptes.factories import OrganisationFactory, UtilisateurFactory
    from tests.financements.factories import BudgetFactory
    from tests.structures.factories import AgrementFactory, GestionnaireFactory, StructureFactory
    from tests.territoires.factories import DepartementFactory

    dep = territoire_94.departement
    creteil, vitry, ivry = territoire_94.communes
    dep93 = DepartementFactory(code="93", nom="Seine-Saint-Denis", region=territoire_94.region)
    associatif = GestionnaireFactory(nom="Association fictive des Bleuets")
    municipal = GestionnaireFactory(nom="Ville fictive", forme_juridique=Gestionnaire.FormeJuridique.COMMUNE)
    cs1 = StructureFactory(nom="Centre social fictif des Bleuets", commune=creteil, gestionnaire=associatif)
    cs2 = StructureFactory(nom="Centre social fictif Balzac", commune=vitry, gestionnaire=municipal)
    evs = StructureFactory(nom="EVS fictif d'Ivry", type="evs", commune=ivry, gestionnaire=associatif)
    for structure in (cs1, cs2, evs):
        AgrementFactory(structure=structure)
        BudgetFactory(structure=structure, annee=2015, charges_totales=Decimal("400000"))
    caf = OrganisationFactory(nom="Caf du Val-de-Marne", type=Organisation.Type.CAF, departement=dep)
    federation = OrganisationFactory(nom="Fédération fictive des centres sociaux", departement=dep)
    ville = OrganisationFactory(nom="Ville fictive de Vitry", type=Organisation.Type.COMMUNE, departement=dep)
    org93 = OrganisationFactory(nom="Fédération fictive du 93", departement=dep93)

    def compte(role, departement=dep, **kwargs):
        return UtilisateurFactory(role=role, departements=[departement], **kwargs)

    jeu = SimpleNamespace(
        dep=dep,
        dep93=dep93,
        communes=territoire_94.communes,
        structures=(cs1, cs2, evs),
        caf=caf,
        federation=federation,
        ville=ville,
        org93=org93,
        pilote=compte(Role.PILOTE, organisation=caf),
        conseiller=compte(
            Role.CONSEILLER, communes=[creteil], organisation=caf, first_name="Dominique", last_name="Référente"
        ),
        partenaire=compte(Role.PARTENAIRE, organisation=federation),
        partenaire_autre=compte(Role.PARTENAIRE, organisation=ville),
        compte_structure=compte(Role.STRUCTURE, structure=cs1),
        pilote93=compte(Role.PILOTE, dep93, organisation=org93),
        partenaire93=compte(Role.PARTENAIRE, dep93, organisation=org93),
    )
    schema = SchemaFactory(departement=dep, titre="Schéma directeur fictif 2016-2020", signataires=[caf, federation])
    EnjeuFactory(schema=schema, numero=1, titre="Promouvoir les espaces de dialogue")
    EnjeuFactory(schema=schema, numero=2, titre="Faciliter l'accès aux droits")
    DirectionFactory(schema=schema, numero=1, titre="Le maillage territorial")
    DirectionFactory(schema=schema, numero=2, titre="La participation des habitants")
    axe1 = AxeFactory(schema=schema, numero=1, titre="Organiser l'action publique")
    axe2 = AxeFactory(schema=schema, numero=2, titre="Redonner du sens à l'évaluation")
    o11 = OrientationFactory(axe=axe1, numero=1, titre="Coopérer entre financeurs")
    o12 = OrientationFactory(axe=axe1, numero=2, titre="Partager le diagnostic")
    o21 = OrientationFactory(axe=axe2, numero=1, titre="Évaluer ensemble")
    f1 = FicheActionFactory(
        orientation=o11,
        numero="1.1.1",
        titre="Comité des financeurs fictif",
        pilote=federation,
        avancement=40,
        referents=[jeu.conseiller],
        partenaires=[ville],
    )
    f1.communes.set([creteil])
    f2 = FicheActionFactory(orientation=o11, numero="1.1.2", titre="Convention fictive", pilote=ville, avancement=80)
    f3 = FicheActionFactory(
        orientation=o21, numero="2.1.1", titre="Grille d'évaluation fictive", statut="a_lancer", avancement=0
    )
    retard = JalonFactory(fiche=f1, libelle="Première réunion fictive", echeance=datetime.date(2016, 10, 1))
    a_venir = JalonFactory(fiche=f1, libelle="Charte fictive signée", echeance=datetime.date(2017, 6, 30))
    CommentaireAction.objects.create(
        fiche=f1, auteur=jeu.conseiller, auteur_libelle="Dominique Référente (Caf)", texte="Note interne confidentielle"
    )
    brouillon = SchemaFactory(
        departement=dep, titre="Schéma fictif en préparation 2021-2025", debut=2021, fin=2025,
        statut="en_elaboration", date_adoption=None,
    )  # fmt: skip
    jeu.schema, jeu.brouillon = schema, brouillon
    jeu.axes, jeu.orientations, jeu.fiches = (axe1, axe2), (o11, o12, o21), (f1, f2, f3)
    jeu.jalons = (retard, a_venir)
    return jeu
