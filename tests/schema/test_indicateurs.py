"""Indicators of a schéma on small factory data: each definition's exact value, recomputation only when the data
change (frozen history untouched), typed values and their permissions, indicator forms, API and pages."""

import datetime
from decimal import Decimal
from types import SimpleNamespace

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from maillage.comptes.models import Role
from maillage.observatoire.models import Statut
from maillage.schema import selectors_indicateurs as selectors
from maillage.schema import services_indicateurs as services
from maillage.schema.graphiques import svg_indicateur
from maillage.schema.models import Indicateur, Schema, ValeurIndicateur
from maillage.structures.models import Agrement, Gestionnaire, SituationQPV, TypeStructure
from maillage.territoires.models import QPV
from tests.comptes.factories import OrganisationFactory, UtilisateurFactory
from tests.financements.factories import BudgetFactory, LigneProduitFactory
from tests.observatoire.factories import CampagneFactory, ReponseFactory
from tests.schema.factories import AxeFactory, FicheActionFactory, IndicateurFactory, SchemaFactory
from tests.structures.factories import AgrementFactory, GestionnaireFactory, StructureFactory
from tests.territoires.factories import DepartementFactory

J = datetime.date
FIN_2015 = J(2015, 12, 31)
AUJOURDHUI = J(2016, 10, 15)


@pytest.fixture(autouse=True)
def _horloge(settings):
    settings.MAILLAGE_AUJOURDHUI = AUJOURDHUI.isoformat()


@pytest.fixture
def donnees(territoire_94, types_ps):
    """Three structures active at 31/12/2015 (two CS, one EVS) and one closed since 2014, in Créteil and Vitry;
    their budgets réalisés 2015; a 2016 SENACS campaign (data 2015) with two validated answers out of three."""
    creteil, vitry, _ivry = territoire_94.communes
    associatif = GestionnaireFactory(forme_juridique=Gestionnaire.FormeJuridique.ASSOCIATION)
    communal = GestionnaireFactory(forme_juridique=Gestionnaire.FormeJuridique.COMMUNE)

    def structure(type_, commune, gestionnaire, **champs):
        return StructureFactory(
            type=type_, commune=commune, gestionnaire=gestionnaire, longitude=commune.longitude,
            latitude=commune.latitude, **champs,
        )  # fmt: skip

    cs1 = structure(TypeStructure.CENTRE_SOCIAL, creteil, associatif, situation_qpv=SituationQPV.DANS_QPV)
    cs2 = structure(TypeStructure.CENTRE_SOCIAL, vitry, communal)
    evs = structure(TypeStructure.EVS, creteil, associatif)
    evs.qpv_competence.set([QPV.objects.get(code="QN09414M")])
    fermee = structure(TypeStructure.EVS, vitry, associatif, situation_qpv=SituationQPV.DANS_QPV)
    AgrementFactory(structure=cs1, debut=J(2014, 1, 1), fin=J(2017, 12, 31))
    # cs2: renewed on time in 2015 (decided before the end); the EVS: renewed late (decided after the end).
    AgrementFactory(structure=cs2, debut=J(2013, 7, 1), fin=J(2015, 6, 30), statut=Agrement.Statut.EXPIRE)
    AgrementFactory(structure=cs2, debut=J(2015, 7, 1), fin=J(2019, 6, 30), date_decision=J(2015, 5, 1))
    AgrementFactory(structure=evs, debut=J(2013, 1, 1), fin=J(2015, 12, 31), statut=Agrement.Statut.EXPIRE)
    AgrementFactory(structure=evs, debut=J(2016, 1, 1), fin=J(2017, 12, 31), date_decision=J(2016, 2, 1))
    AgrementFactory(structure=fermee, debut=J(2011, 1, 1), fin=J(2014, 12, 31), statut=Agrement.Statut.EXPIRE)

    b1 = BudgetFactory(structure=cs1, annee=2015, charges_totales=Decimal(500_000))
    BudgetFactory(structure=cs2, annee=2015, charges_totales=Decimal(300_000))
    b3 = BudgetFactory(structure=evs, annee=2015, charges_totales=Decimal(80_000))
    BudgetFactory(structure=fermee, annee=2015, charges_totales=Decimal(999_999))  # not active: not counted
    LigneProduitFactory(budget=b1, montant=Decimal(50_000))
    LigneProduitFactory(budget=b3, financeur="caf_fonds_locaux", type_ps=None, montant=Decimal(10_000))

    campagne = CampagneFactory(
        departement=territoire_94.departement,
        ouverture=J(2016, 3, 1),
        date_limite_reponse=J(2016, 5, 31),
        date_limite_relecture=J(2016, 7, 15),
    )
    moment = timezone.make_aware(datetime.datetime(2016, 6, 1, 12))
    valide = {"statut": Statut.VALIDEE, "verrouillee": True, "soumise_le": moment, "validee_le": moment}
    ReponseFactory(
        campagne=campagne, structure=cs1, **valide,
        valeurs={"gouv_habitants_instance": 5, "gouv_benevoles_activite": 10, "gouv_benevoles_gouvernance": 3},
    )  # fmt: skip
    ReponseFactory(
        campagne=campagne,
        structure=cs2,
        valeurs={"gouv_habitants_instance": 7, "gouv_benevoles_activite": 20},
        **valide,
    )
    ReponseFactory(campagne=campagne, structure=evs)
    return SimpleNamespace(departement=territoire_94.departement, cs1=cs1, cs2=cs2, evs=evs, fermee=fermee)


ATTENDUS_2015 = {
    ("structures_actives", ""): Decimal(3),
    ("structures_actives", "centre_social"): Decimal(2),
    ("structures_actives", "evs"): Decimal(1),
    # 3 structures for 90 605 + 93 557 + 62 052 = 246 214 inhabitants.
    ("structures_pour_10000_habitants", ""): Decimal("0.12"),
    # Ivry (62 052) has no structure within 2 km: 184 162 / 246 214.
    ("part_population_couverte", ""): Decimal("74.80"),
    ("communes_sans_structure", ""): Decimal(1),
    ("qpv_sans_structure", ""): Decimal(0),
    ("part_cs_gestion_associative", ""): Decimal("50.00"),
    ("budget_cumule", ""): Decimal(880_000),
    ("budget_cumule", "evs"): Decimal(80_000),
    ("financement_caf", ""): Decimal(60_000),
    # Two agréments ended in 2015: cs2's renewed on time, the EVS's decided after its end.
    ("agrements_renouveles_a_temps", ""): Decimal("50.00"),
    # Three answers expected, two received.
    ("taux_reponse_observatoire", ""): Decimal("66.67"),
    ("habitants_instances_gouvernance", ""): Decimal(12),
    ("benevoles", ""): Decimal(33),
    # cs1 in a QPV, the EVS serving one (its zone); the closed one is not active.
    ("structures_en_qpv", ""): Decimal(2),
}


@pytest.mark.django_db
@pytest.mark.parametrize(("code", "type_"), list(ATTENDUS_2015))
def test_chaque_definition_sur_les_donnees_du_registre(donnees, code, type_):
    from maillage.schema import indicateurs as cat

    lecteur = selectors.Lecteur("94", jour=AUJOURDHUI)
    resultat = cat.calculer(code, lecteur, FIN_2015, {"type": type_} if type_ else {})
    assert resultat.valeur == ATTENDUS_2015[(code, type_)], resultat.methode
    assert resultat.methode


@pytest.mark.django_db
def test_la_valeur_courante_suit_les_donnees_du_jour(donnees):
    from maillage.schema import indicateurs as cat

    lecteur = selectors.Lecteur("94", jour=AUJOURDHUI)
    # On 15/10/2016 the EVS holds its renewed agrément: still three active; no agrément ended in 2016 yet.
    assert cat.calculer("structures_actives", lecteur, AUJOURDHUI).valeur == 3
    assert cat.calculer("agrements_renouveles_a_temps", lecteur, AUJOURDHUI).valeur is None
    # Budgets and the observatory read the last complete year (2015) and its campaign (2016).
    assert cat.calculer("budget_cumule", lecteur, AUJOURDHUI).valeur == 880_000
    assert cat.calculer("benevoles", lecteur, AUJOURDHUI).valeur == 33


def _calcule(schema, code, definition=None, **champs):
    from maillage.schema.indicateurs import CATALOGUE

    definition = definition or code
    return IndicateurFactory(
        schema=schema, code=code, libelle=code, source=Indicateur.Source.CALCULE, definition=definition,
        unite=CATALOGUE[definition].unite, **champs,
    )  # fmt: skip


@pytest.fixture
def schema_94(donnees):
    return SchemaFactory(departement=donnees.departement)


@pytest.mark.django_db
def test_recalcul_fige_les_annees_closes_et_garde_la_valeur_courante(schema_94):
    indicateur = _calcule(
        schema_94, "structures_actives", reference_date=FIN_2015, cible_valeur=5, cible_date=J(2020, 12, 31)
    )
    assert services.indicateurs_recalculer(schema=schema_94) == 1
    valeurs = {v.date: v for v in ValeurIndicateur.objects.filter(indicateur=indicateur)}
    assert set(valeurs) == {FIN_2015, AUJOURDHUI}
    assert (valeurs[FIN_2015].valeur, valeurs[FIN_2015].figee) == (3, True)
    assert (valeurs[AUJOURDHUI].valeur, valeurs[AUJOURDHUI].figee) == (3, False)
    assert "3 structures actives au 31/12/2015" in valeurs[FIN_2015].methode
    # The computed baseline is the value at the reference date.
    (ligne,) = selectors.indicateurs_du_schema(schema_94)
    assert ligne.reference == (Decimal(3), FIN_2015)
    assert ligne.derniere.valeur == 3 and ligne.derniere.date == AUJOURDHUI
    # 3 expected 3.2 on 15/10/2016 on the line 3 → 5 (2015-2020): behind.
    assert ligne.en_bonne_voie is False


@pytest.mark.django_db
def test_recalcul_seulement_quand_les_donnees_changent(schema_94, donnees, django_assert_max_num_queries):
    _calcule(schema_94, "structures_actives")
    _calcule(schema_94, "budget_cumule")
    assert services.indicateurs_recalculer(schema=schema_94) == 2
    with django_assert_max_num_queries(4):
        assert services.indicateurs_recalculer(schema=schema_94) == 0
    # A change of the schéma itself (a fiche action) is not a change of the data.
    fiche = FicheActionFactory(orientation__axe__schema=schema_94)
    fiche.avancement = 80
    fiche.save()
    assert services.indicateurs_recalculer(schema=schema_94) == 0
    # A budget changes: recomputed (the frozen 2015 value stays; the current one reads 2015 budgets too).
    budget = donnees.cs1.budgets.get()
    budget.charges_totales = Decimal(600_000)
    budget.save()
    assert services.indicateurs_recalculer(schema=schema_94) == 2
    courant = ValeurIndicateur.objects.get(indicateur__code="budget_cumule", date=AUJOURDHUI)
    fige = ValeurIndicateur.objects.get(indicateur__code="budget_cumule", date=FIN_2015)
    assert (courant.valeur, fige.valeur) == (980_000, 880_000)


@pytest.mark.django_db
def test_une_structure_ferme_la_valeur_courante_change_pas_l_historique_fige(schema_94, donnees):
    indicateur = _calcule(schema_94, "structures_actives")
    services.indicateurs_recalculer(schema=schema_94)
    fige = ValeurIndicateur.objects.get(indicateur=indicateur, date=FIN_2015)
    # cs1 closes in June 2016: its agrément ends then (an audited change of the registry).
    agrement = donnees.cs1.agrements.get()
    agrement.fin = J(2016, 6, 30)
    agrement.save()
    # Even a change that would alter 2015 (the EVS's 2013-2015 agrément withdrawn) leaves the frozen value alone.
    donnees.evs.agrements.filter(debut=J(2013, 1, 1)).delete()
    assert services.indicateurs_recalculer(schema=schema_94, force=True) == 1
    valeurs = dict(ValeurIndicateur.objects.filter(indicateur=indicateur).values_list("date", "valeur"))
    assert valeurs == {FIN_2015: 3, AUJOURDHUI: 2}
    fige.refresh_from_db()
    assert fige.figee and fige.methode.startswith("3 structures actives")


@pytest.mark.django_db
def test_une_valeur_provisoire_n_est_pas_figee_et_l_ancienne_valeur_courante_s_en_va(schema_94, settings):
    # Campaign 2016 still under review: the 2015 observatory value is not final.
    schema_94.departement.campagnes.update(date_limite_relecture=J(2016, 12, 1))
    indicateur = _calcule(schema_94, "benevoles")
    services.indicateurs_recalculer(schema=schema_94)
    assert not ValeurIndicateur.objects.get(indicateur=indicateur, date=FIN_2015).figee
    settings.MAILLAGE_AUJOURDHUI = "2016-10-16"
    assert services.indicateurs_recalculer(schema=schema_94) == 1
    assert set(ValeurIndicateur.objects.filter(indicateur=indicateur).values_list("date", flat=True)) == {
        FIN_2015,
        J(2016, 10, 16),
    }


# --- Typed values and their permissions --------------------------------------------------------------------------


@pytest.fixture
def fiche_et_comptes(schema_94):
    organisation = OrganisationFactory(departement=schema_94.departement)
    fiche = FicheActionFactory(orientation__axe__schema=schema_94, pilote=organisation)
    autre_departement = DepartementFactory(code="93", nom="Seine-Saint-Denis")
    return SimpleNamespace(
        fiche=fiche,
        pilote=UtilisateurFactory(role=Role.PILOTE, departements=[schema_94.departement]),
        partenaire_pilote=UtilisateurFactory(
            role=Role.PARTENAIRE, departements=[schema_94.departement], organisation=organisation
        ),
        autre_partenaire=UtilisateurFactory(
            role=Role.PARTENAIRE, departements=[schema_94.departement], organisation=OrganisationFactory()
        ),
        pilote_93=UtilisateurFactory(role=Role.PILOTE, departements=[autre_departement]),
    )


@pytest.mark.django_db
def test_saisie_d_une_valeur_selon_les_droits(schema_94, fiche_et_comptes):
    c = fiche_et_comptes
    de_la_fiche = IndicateurFactory(schema=schema_94, fiche=c.fiche, code="F1")
    du_schema = IndicateurFactory(schema=schema_94, code="S1")
    valeur = services.valeur_saisir(
        par=c.pilote, indicateur=du_schema, date=J(2016, 6, 30), valeur="12,5", commentaire="Enquête"
    )
    assert (valeur.valeur, valeur.auteur, valeur.commentaire, valeur.source) == (
        Decimal("12.5"),
        c.pilote,
        "Enquête",
        "manuel",
    )
    services.valeur_saisir(par=c.partenaire_pilote, indicateur=de_la_fiche, date=J(2016, 6, 30), valeur=4)
    for refuse, indicateur in [
        (c.partenaire_pilote, du_schema),
        (c.autre_partenaire, de_la_fiche),
        (c.pilote_93, du_schema),
        (None, du_schema),
    ]:
        with pytest.raises(PermissionDenied):
            services.valeur_saisir(par=refuse, indicateur=indicateur, date=J(2016, 7, 1), valeur=1)
    assert ValeurIndicateur.objects.count() == 2


@pytest.mark.django_db
def test_saisie_refusee_avec_un_message_clair(schema_94, fiche_et_comptes):
    pilote = fiche_et_comptes.pilote
    indicateur = IndicateurFactory(schema=schema_94, code="S1")
    services.valeur_saisir(par=pilote, indicateur=indicateur, date=J(2016, 6, 30), valeur=1)
    cas = [
        ({"date": J(2016, 6, 30), "valeur": 2}, "date", "existe déjà au 30/06/2016"),
        ({"date": J(2016, 12, 31), "valeur": 2}, "date", "comprise entre le 01/01/1990 et le 15/10/2016"),
        ({"date": J(2016, 7, 1), "valeur": "douze"}, "valeur", "doit être un nombre"),
        ({"date": J(2016, 7, 1), "valeur": "1e20"}, "valeur", "moins de 12 chiffres"),
        ({"date": J(2016, 7, 1), "valeur": "NaN"}, "valeur", "nombre fini"),
    ]
    for arguments, champ, message in cas:
        with pytest.raises(ValidationError) as erreur:
            services.valeur_saisir(par=pilote, indicateur=indicateur, commentaire="", **arguments)
        assert message in " ".join(erreur.value.message_dict[champ])
    calcule = _calcule(schema_94, "structures_actives")
    with pytest.raises(ValidationError, match="calculé"):
        services.valeur_saisir(par=pilote, indicateur=calcule, date=J(2016, 7, 1), valeur=1)
    assert ValeurIndicateur.objects.count() == 1


@pytest.mark.django_db
def test_correction_et_suppression_d_une_valeur_saisie(schema_94, fiche_et_comptes):
    from maillage.core.versions import ConflitVersion

    pilote = fiche_et_comptes.pilote
    indicateur = IndicateurFactory(schema=schema_94, code="S1")
    valeur = services.valeur_saisir(par=pilote, indicateur=indicateur, date=J(2016, 6, 30), valeur=1)
    services.valeur_modifier(
        par=pilote, valeur_indicateur=valeur, date=J(2016, 6, 30), valeur=2, commentaire="Corrigé", version=1
    )
    valeur.refresh_from_db()
    assert (valeur.valeur, valeur.commentaire, valeur.version) == (2, "Corrigé", 2)
    with pytest.raises(ConflitVersion):
        services.valeur_modifier(par=pilote, valeur_indicateur=valeur, date=J(2016, 6, 30), valeur=3, version=1)
    with pytest.raises(PermissionDenied):
        services.valeur_supprimer(par=fiche_et_comptes.autre_partenaire, valeur_indicateur=valeur)
    services.valeur_supprimer(par=pilote, valeur_indicateur=valeur)
    assert not ValeurIndicateur.objects.exists()


# --- Indicators: create, edit, delete ---------------------------------------------------------------------------


@pytest.mark.django_db
def test_creation_d_un_indicateur_validee(schema_94, fiche_et_comptes):
    c = fiche_et_comptes
    axe = AxeFactory(schema=schema_94)
    cree = services.indicateur_creer(
        par=c.pilote,
        schema=schema_94,
        donnees={
            "code": "CS",
            "source": "calcule",
            "definition": "structures_actives",
            "parametres": {"type": "centre_social"},
            "axe": axe,
        },
    )
    # Label, unit and direction come from the definition when left empty.
    assert (cree.libelle, cree.unite, cree.sens, cree.axe) == ("Structures actives", "structures", "hausse", axe)
    autre_schema = SchemaFactory(departement=schema_94.departement)
    cas = [
        ({"code": "X", "source": "calcule", "definition": "inconnue"}, "definition", "Définition inconnue"),
        (
            {"code": "X", "source": "calcule", "definition": "financement_caf", "parametres": {"type": "evs"}},
            "parametres",
            "Paramètre inconnu",
        ),
        (
            {"code": "X", "source": "calcule", "definition": "structures_actives", "parametres": {"type": "creche"}},
            "parametres",
            "Valeur inconnue",
        ),
        ({"code": "X", "libelle": "X", "axe": axe, "fiche": c.fiche}, "fiche", "pas aux deux"),
        ({"code": "X", "libelle": "X", "axe": AxeFactory(schema=autre_schema)}, "axe", "axe de ce schéma"),
        ({"code": "CS", "libelle": "Doublon"}, "code", "déjà celui d'un autre indicateur"),
        ({"code": "é !", "libelle": "X"}, "code", "sans accent"),
        ({"code": "X", "libelle": "X", "cible_valeur": "10"}, "cible_date", "une valeur et une date"),
        (
            {
                "code": "X",
                "libelle": "X",
                "reference_valeur": "1",
                "reference_date": J(2016, 1, 1),
                "cible_valeur": "2",
                "cible_date": J(2015, 1, 1),
            },
            "cible_date",
            "doit suivre",
        ),
        ({"code": "X", "libelle": "X", "reference_date": J(2015, 12, 31)}, "reference_valeur", "Indiquez la valeur"),
    ]
    for donnees, champ, message in cas:
        with pytest.raises(ValidationError) as erreur:
            services.indicateur_creer(par=c.pilote, schema=schema_94, donnees=donnees)
        assert message in " ".join(erreur.value.message_dict[champ]), (donnees, erreur.value.message_dict)
    with pytest.raises(PermissionDenied):
        services.indicateur_creer(par=c.partenaire_pilote, schema=schema_94, donnees={"code": "Y", "libelle": "Y"})
    assert Indicateur.objects.filter(schema=schema_94).count() == 1


@pytest.mark.django_db
def test_changer_de_definition_efface_les_valeurs_calculees(schema_94, fiche_et_comptes):
    pilote = fiche_et_comptes.pilote
    indicateur = _calcule(schema_94, "structures_actives")
    services.indicateurs_recalculer(schema=schema_94)
    services.indicateur_modifier(
        par=pilote,
        indicateur=indicateur,
        donnees={
            "code": indicateur.code,
            "libelle": "EVS",
            "source": "calcule",
            "definition": "structures_actives",
            "parametres": {"type": "evs"},
        },
        version=indicateur.version,
    )
    assert not indicateur.valeurs.exists()
    (ligne,) = selectors.indicateurs_du_schema(schema_94)
    assert [v.valeur for v in ligne.valeurs] == [1, 1]


# --- Selector, chart, API, pages --------------------------------------------------------------------------------


def _plusieurs(schema, nombre):
    axe = AxeFactory(schema=schema)
    fiche = FicheActionFactory(orientation__axe=axe)
    for i in range(nombre):
        rattache = [{}, {"axe": axe}, {"fiche": fiche}][i % 3]
        indicateur = IndicateurFactory(
            schema=schema, code=f"M{nombre}-{i}", cible_valeur=10, cible_date=J(2020, 12, 31), reference_valeur=1,
            reference_date=FIN_2015, **rattache,
        )  # fmt: skip
        ValeurIndicateur.objects.create(indicateur=indicateur, date=J(2016, 6, 30), valeur=i, source="manuel")
    _calcule(schema, f"structures_actives_{nombre}", definition="structures_actives")


@pytest.mark.django_db
def test_le_selecteur_a_un_nombre_constant_de_requetes(schema_94, django_assert_max_num_queries):
    _plusieurs(schema_94, 3)
    selectors.indicateurs_du_schema(schema_94)  # computes
    with django_assert_max_num_queries(4):
        lignes = selectors.indicateurs_du_schema(schema_94)
    _plusieurs(schema_94, 12)
    selectors.indicateurs_du_schema(schema_94)
    with django_assert_max_num_queries(4):
        lignes = selectors.indicateurs_du_schema(schema_94)
    assert [ligne.rattachement.split(" ")[0] for ligne in lignes][:1] == ["Schéma"]
    assert {ligne.rattachement.split(" ")[0] for ligne in lignes} == {"Schéma", "Axe", "Fiche"}


@pytest.mark.django_db
def test_le_graphique_est_une_image_accessible(schema_94):
    indicateur = IndicateurFactory(schema=schema_94, code="G", libelle="Bénévoles <formés>", reference_valeur=10,
                                   reference_date=FIN_2015, cible_valeur=20, cible_date=J(2020, 12, 31))  # fmt: skip
    ValeurIndicateur.objects.create(indicateur=indicateur, date=J(2016, 6, 30), valeur=14, source="manuel")
    (ligne,) = selectors.indicateurs_du_schema(schema_94)
    svg = svg_indicateur(ligne)
    assert 'role="img"' in svg and "<title" in svg and "<desc" in svg
    assert "Bénévoles &lt;formés&gt;" in svg and "<formés>" not in svg
    assert "Référence 10 au 31/12/2015 ; dernière valeur 14 au 30/06/2016 ; cible 20 au 31/12/2020" in svg
    assert "<polygon" in svg and "stroke-dasharray" in svg  # the target and the path to it
    assert "style=" not in svg
    vide = selectors.ligne(IndicateurFactory(schema=schema_94, code="V"))
    assert svg_indicateur(vide) == ""


@pytest.mark.django_db
def test_api_des_indicateurs(schema_94):
    _calcule(schema_94, "budget_cumule", reference_date=FIN_2015, cible_valeur=1_000_000, cible_date=J(2020, 12, 31))
    manuel = IndicateurFactory(schema=schema_94, code="M", libelle="Manuel", unite="%")
    ValeurIndicateur.objects.create(indicateur=manuel, date=J(2016, 6, 30), valeur=Decimal("12.5"), source="manuel")
    reponse = Client().get(f"/api/v1/schemas/{schema_94.pk}/indicateurs")
    assert reponse.status_code == 200
    items = {i["code"]: i for i in reponse.json()["items"]}
    calcule = items["budget_cumule"]
    assert calcule["source"] == "calcule" and calcule["unite"] == "€"
    assert calcule["reference"] == {"valeur": 880000.0, "date": "2015-12-31"}
    assert calcule["cible"] == {"valeur": 1000000.0, "date": "2020-12-31"}
    assert calcule["derniere"] == {"valeur": 880000.0, "date": "2016-10-15"}
    assert calcule["valeurs"] == [
        {"date": "2015-12-31", "valeur": 880000.0},
        {"date": "2016-10-15", "valeur": 880000.0},
    ]
    assert items["M"]["source"] == "manuel" and items["M"]["reference"] is None
    assert items["M"]["valeurs"] == [{"date": "2016-06-30", "valeur": 12.5}]


@pytest.mark.django_db
def test_api_404_pour_un_schema_inconnu_ou_illisible(schema_94, fiche_et_comptes):
    assert Client().get("/api/v1/schemas/999999/indicateurs").status_code == 404
    brouillon = SchemaFactory(
        departement=schema_94.departement, statut=Schema.Statut.EN_ELABORATION, date_adoption=None
    )
    assert Client().get(f"/api/v1/schemas/{brouillon.pk}/indicateurs").status_code == 404
    client = Client()
    client.force_login(fiche_et_comptes.pilote_93)
    assert client.get(f"/api/v1/schemas/{brouillon.pk}/indicateurs").status_code == 404
    client.force_login(fiche_et_comptes.pilote)
    assert client.get(f"/api/v1/schemas/{brouillon.pk}/indicateurs").status_code == 200


@pytest.mark.django_db
def test_page_des_indicateurs(schema_94):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    _plusieurs(schema_94, 3)
    url = reverse("schema:indicateurs", args=[schema_94.pk])
    client = Client()
    client.get(url)  # the first reading computes
    with CaptureQueriesContext(connection) as requetes_4:
        reponse = client.get(url)
    assert reponse.status_code == 200
    contenu = reponse.content.decode()
    assert 'aria-label="Rubriques du schéma"' in contenu and 'aria-current="page"' in contenu
    assert contenu.count('role="img"') == 4 and "structures actives au 15/10/2016" in contenu
    assert 'class="badge badge--attente"' in contenu  # 0 to 2 typed against the line from 1 to 10: behind
    assert "Ajouter un indicateur" not in contenu
    _plusieurs(schema_94, 15)
    client.get(url)
    with CaptureQueriesContext(connection) as requetes_20:
        assert client.get(url).status_code == 200
    assert len(requetes_20) == len(requetes_4) <= 12


@pytest.mark.django_db
def test_page_d_un_indicateur_sans_nom_d_auteur_pour_le_public(schema_94, fiche_et_comptes):
    pilote = fiche_et_comptes.pilote
    indicateur = IndicateurFactory(schema=schema_94, code="S1", libelle="Habitants formés")
    services.valeur_saisir(
        par=pilote, indicateur=indicateur, date=J(2016, 6, 30), valeur=4, commentaire="Compté en juin"
    )
    url = reverse("schema:indicateur", args=[indicateur.pk])
    public = Client().get(url).content.decode()
    assert "Habitants formés" in public and "30/06/2016" in public
    assert pilote.last_name not in public and "Compté en juin" not in public and "Saisir une valeur" not in public
    client = Client()
    client.force_login(pilote)
    interne = client.get(url).content.decode()
    assert pilote.last_name in interne and "Compté en juin" in interne and "Saisir une valeur" in interne


@pytest.mark.django_db
def test_saisie_par_la_page(schema_94, fiche_et_comptes):
    c = fiche_et_comptes
    indicateur = IndicateurFactory(schema=schema_94, fiche=c.fiche, code="F1")
    url = reverse("schema:indicateur", args=[indicateur.pk])
    client = Client()
    assert client.post(url, {"date": "2016-06-30", "valeur": "7"}).status_code == 302  # to the login page
    client.force_login(c.autre_partenaire)
    assert client.post(url, {"date": "2016-06-30", "valeur": "7"}).status_code == 403
    client.force_login(c.partenaire_pilote)
    erreur = client.post(url, {"date": "2016-06-30", "valeur": "sept"})
    assert erreur.status_code == 200 and "doit être un nombre" in erreur.content.decode()
    assert client.post(url, {"date": "2016-06-30", "valeur": "7,5", "commentaire": "OK"}).status_code == 302
    assert indicateur.valeurs.get().valeur == Decimal("7.5")


@pytest.mark.django_db
def test_formulaires_du_pilote(schema_94, fiche_et_comptes):
    c = fiche_et_comptes
    client = Client()
    client.force_login(c.partenaire_pilote)
    assert client.get(reverse("schema:indicateur_creer", args=[schema_94.pk])).status_code == 403
    client.force_login(c.pilote)
    url = reverse("schema:indicateur_creer", args=[schema_94.pk])
    donnees = {"code": "EVS", "source": "calcule", "definition": "financement_caf", "type_structure": "evs",
               "rattachement": "schema", "sens": ""}  # fmt: skip
    refus = client.post(url, donnees)
    assert refus.status_code == 200 and "Paramètre inconnu" in refus.content.decode()
    reponse = client.post(url, {**donnees, "definition": "structures_actives"})
    assert reponse.status_code == 302
    indicateur = Indicateur.objects.get(code="EVS")
    assert (indicateur.parametres, indicateur.libelle) == ({"type": "evs"}, "Structures actives")
    modifier = reverse("schema:indicateur_modifier", args=[indicateur.pk])
    ouvert = client.get(modifier)
    version = ouvert.context["form"]["version"].value()
    assert (
        client.post(
            modifier, {**donnees, "definition": "structures_actives", "libelle": "EVS actifs", "version": version}
        ).status_code
        == 302
    )
    perime = client.post(
        modifier, {**donnees, "definition": "structures_actives", "libelle": "Autre", "version": version}
    )
    assert perime.status_code == 200 and "Depuis que vous avez ouvert ce formulaire" in perime.content.decode()
    supprimer = reverse("schema:indicateur_supprimer", args=[indicateur.pk])
    assert client.get(supprimer).status_code == 200
    assert client.post(supprimer).status_code == 302
    assert not Indicateur.objects.filter(code="EVS").exists()


@pytest.mark.django_db
def test_pages_refusees_hors_perimetre(schema_94, fiche_et_comptes):
    brouillon = SchemaFactory(
        departement=schema_94.departement, statut=Schema.Statut.EN_ELABORATION, date_adoption=None
    )
    indicateur = IndicateurFactory(schema=brouillon, code="B")
    urls = [reverse("schema:indicateurs", args=[brouillon.pk]), reverse("schema:indicateur", args=[indicateur.pk])]
    for url in urls:
        assert Client().get(url).status_code == 302
        client = Client()
        client.force_login(fiche_et_comptes.pilote_93)
        assert client.get(url).status_code == 403
    client = Client()
    client.force_login(fiche_et_comptes.pilote_93)
    for nom in ("indicateur_modifier", "indicateur_supprimer"):
        assert client.get(reverse(f"schema:{nom}", args=[indicateur.pk])).status_code == 403
    assert client.get("/schemas/indicateurs/999999/").status_code == 404


@pytest.mark.django_db
def test_commande_recalculer_indicateurs(schema_94):
    from io import StringIO

    from django.core.management import CommandError, call_command

    _calcule(schema_94, "structures_actives")
    sortie = StringIO()
    call_command("recalculer_indicateurs", "--departement", "94", stdout=sortie)
    assert "1 indicateur(s) recalculé(s)" in sortie.getvalue()
    with pytest.raises(CommandError, match="Département inconnu : 999"):
        call_command("recalculer_indicateurs", "--departement", "999", stdout=StringIO())
