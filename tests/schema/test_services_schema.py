"""Writes of a schéma and its structure: creation, edit with version lock, dated status transitions with the
diagnostic frozen at adoption, copy into the next schéma, ordered lists, fiches actions and milestones."""

import datetime
from decimal import Decimal

import pytest
from auditlog.models import LogEntry
from django.core.exceptions import PermissionDenied, ValidationError

from maillage.core.versions import ConflitVersion
from maillage.schema import services_schema
from maillage.schema.models import (
    Axe,
    CommentaireAction,
    Enjeu,
    FicheAction,
    Indicateur,
    Jalon,
    Orientation,
    Schema,
    TransitionSchema,
    ValeurIndicateur,
)
from tests.financements.factories import BudgetFactory
from tests.schema.factories import (
    DecisionFactory,
    IndicateurFactory,
    InstanceFactory,
    ReunionFactory,
    ValeurIndicateurFactory,
    jeu_schema_94,
)
from tests.structures.factories import AgrementFactory, StructureFactory

AUJOURDHUI = datetime.date(2016, 11, 15)


@pytest.fixture
def jeu(territoire_94, settings):
    settings.MAILLAGE_AUJOURDHUI = AUJOURDHUI.isoformat()
    return jeu_schema_94(territoire_94)


def _donnees_schema(**kwargs):
    return {"titre": "Schéma fictif 2021-2025", "debut": 2021, "fin": 2025, "realise_par": "Cabinet fictif",
            "presentation": "Une présentation", "resume_diagnostic": "", "signataires": [], **kwargs}  # fmt: skip


# --- The schéma ---------------------------------------------------------------------------------------------------


def test_creer_un_schema_en_elaboration_avec_sa_premiere_etape(jeu):
    schema = services_schema.schema_creer(
        par=jeu.pilote, departement=jeu.dep, donnees=_donnees_schema(signataires=[jeu.caf])
    )
    assert (schema.statut, schema.departement_id, schema.date_adoption) == ("en_elaboration", "94", None)
    assert list(schema.signataires.all()) == [jeu.caf]
    transition = schema.transitions.get()
    assert (transition.vers, transition.date, transition.par) == ("en_elaboration", AUJOURDHUI, jeu.pilote)
    assert LogEntry.objects.get_for_object(schema).filter(actor=jeu.pilote).exists()


def test_creation_validee_avant_d_ecrire(jeu):
    avant = Schema.objects.count()
    with pytest.raises(ValidationError) as erreur:
        services_schema.schema_creer(
            par=jeu.pilote,
            departement=jeu.dep,
            donnees=_donnees_schema(titre=" ", debut=2025, fin=2021, signataires=[jeu.org93]),
        )
    assert erreur.value.message_dict == {
        "titre": ["Donnez un titre au schéma."],
        "fin": ["La dernière année ne peut pas précéder la première."],
        "signataires": ["Les signataires sont des organisations actives du département."],
    }
    with pytest.raises(ValidationError, match="au plus 10 ans"):
        services_schema.schema_creer(par=jeu.pilote, departement=jeu.dep, donnees=_donnees_schema(fin=2040))
    assert Schema.objects.count() == avant


@pytest.mark.parametrize("qui", ["conseiller", "partenaire", "compte_structure", "pilote93"])
def test_creation_refusee_hors_pilote_du_departement(jeu, qui):
    with pytest.raises(PermissionDenied):
        services_schema.schema_creer(par=getattr(jeu, qui), departement=jeu.dep, donnees=_donnees_schema())


def test_modifier_refuse_une_version_perimee(jeu):
    schema = jeu.brouillon
    version = schema.version
    services_schema.schema_modifier(
        par=jeu.pilote, schema=schema, donnees=_donnees_schema(titre="Premier titre"), version=version
    )
    with pytest.raises(ConflitVersion) as conflit:
        services_schema.schema_modifier(
            par=jeu.pilote, schema=Schema.objects.get(pk=schema.pk), donnees=_donnees_schema(), version=version
        )
    assert "Titre" in conflit.value.message_conflit and "Premier titre" in conflit.value.message_conflit
    assert Schema.objects.get(pk=schema.pk).titre == "Premier titre"


# --- Status and frozen figures ------------------------------------------------------------------------------------


def test_adoption_fige_les_chiffres_a_la_date_et_ils_ne_bougent_plus(jeu):
    schema = jeu.brouillon
    services_schema.schema_changer_statut(
        par=jeu.pilote, schema=schema, vers="adopte", date=datetime.date(2016, 6, 30), version=schema.version
    )
    schema.refresh_from_db()
    assert schema.statut == "adopte" and schema.date_adoption == datetime.date(2016, 6, 30)
    fige = schema.diagnostic_fige
    assert fige["date"] == "2016-06-30" and fige["annee_budgets"] == 2015
    chiffres = fige["chiffres"]
    assert (chiffres["structures"], chiffres["centres_sociaux"], chiffres["evs"]) == (3, 2, 1)
    assert chiffres["part_cs_associatifs"] == 0.5
    assert chiffres["budget_total"] == 1_200_000.0 and chiffres["budget_evs"] == 400_000.0
    assert chiffres["population"] == 90_605 + 93_557 + 62_052
    assert [t.vers for t in schema.transitions.order_by("date", "pk")] == ["adopte"]
    copie = dict(fige)

    # The data change afterwards: a new CS opens, a budget grows; the frozen figures stay, today's move.
    nouveau = StructureFactory(nom="Nouveau centre fictif", commune=jeu.communes[2])
    AgrementFactory(structure=nouveau, debut=datetime.date(2016, 7, 1), fin=datetime.date(2019, 12, 31))
    BudgetFactory(structure=nouveau, annee=2015, charges_totales=Decimal("100000"))
    services_schema.schema_modifier(
        par=jeu.pilote,
        schema=schema,
        donnees=_donnees_schema(titre=schema.titre, debut=2021, fin=2025),
        version=schema.version,
    )
    services_schema.schema_changer_statut(par=jeu.pilote, schema=schema, vers="en_cours", date=AUJOURDHUI)
    schema.refresh_from_db()
    assert schema.diagnostic_fige == copie
    from maillage.schema.selectors_schema import chiffres_diagnostic

    assert chiffres_diagnostic("94", AUJOURDHUI)["chiffres"]["structures"] == 4


@pytest.mark.parametrize(
    ("vers", "date", "champ", "message"),
    [
        ("en_cours", datetime.date(2016, 6, 30), "vers", "il ne peut passer qu'à « Adopté »"),
        ("adopte", datetime.date(2017, 1, 1), "date", "dans le futur"),
        ("adopte", None, "date", "Indiquez la date d'effet"),
    ],
)
def test_transition_refusee_avec_un_message(jeu, vers, date, champ, message):
    schema = jeu.brouillon
    with pytest.raises(ValidationError) as erreur:
        services_schema.schema_changer_statut(par=jeu.pilote, schema=schema, vers=vers, date=date)
    assert message in erreur.value.message_dict[champ][0]
    schema.refresh_from_db()
    assert (schema.statut, schema.diagnostic_fige) == ("en_elaboration", {})
    assert not schema.transitions.exists()


def test_transition_ne_precede_pas_la_derniere_et_un_schema_clos_ne_change_plus(jeu):
    schema = services_schema.schema_creer(par=jeu.pilote, departement=jeu.dep, donnees=_donnees_schema())
    with pytest.raises(ValidationError, match="ne peut pas précéder le dernier changement"):
        services_schema.schema_changer_statut(
            par=jeu.pilote, schema=schema, vers="adopte", date=datetime.date(2016, 1, 1)
        )
    for vers in ("adopte", "en_cours", "evalue", "clos"):
        services_schema.schema_changer_statut(par=jeu.pilote, schema=schema, vers=vers, date=AUJOURDHUI)
    assert [t.vers for t in schema.transitions.order_by("pk")] == [
        "en_elaboration", "adopte", "en_cours", "evalue", "clos",
    ]  # fmt: skip
    with pytest.raises(ValidationError, match="clos"):
        services_schema.schema_changer_statut(par=jeu.pilote, schema=schema, vers="clos", date=AUJOURDHUI)


def test_transition_refusee_au_partenaire(jeu):
    with pytest.raises(PermissionDenied):
        services_schema.schema_changer_statut(par=jeu.partenaire, schema=jeu.brouillon, vers="adopte", date=AUJOURDHUI)


# --- Copy ---------------------------------------------------------------------------------------------------------


def test_copier_reprend_la_structure_et_remet_les_fiches_a_zero(jeu):
    source = jeu.schema
    f1 = jeu.fiches[0]
    IndicateurFactory(schema=source, code="STRUCT", libelle="Structures", reference_valeur=47, cible_valeur=50)
    ind_axe = IndicateurFactory(schema=source, axe=jeu.axes[1], code="AXE2")
    IndicateurFactory(schema=source, fiche=f1, code="F1")
    ValeurIndicateurFactory(indicateur=ind_axe)
    DecisionFactory(reunion=ReunionFactory(instance=InstanceFactory(schema=source))).fiches.set([f1])
    jeu.jalons[0].fait, jeu.jalons[0].fait_le = True, datetime.date(2016, 10, 3)
    jeu.jalons[0].save()

    copie = services_schema.schema_copier(par=jeu.pilote, source=source, titre="Schéma fictif 2021-2025",
                                          debut=2021, fin=2025)  # fmt: skip

    assert (copie.statut, copie.precedent, copie.date_adoption, copie.diagnostic_fige) == (
        "en_elaboration", source, None, {},
    )  # fmt: skip
    assert not copie.signataires.exists() and not copie.instances.exists()
    assert list(copie.enjeux.values_list("numero", "titre")) == list(source.enjeux.values_list("numero", "titre"))
    assert copie.directions.count() == 2
    assert list(copie.axes.values_list("numero", "titre")) == list(source.axes.values_list("numero", "titre"))
    assert Orientation.objects.filter(axe__schema=copie).count() == 3
    nouvelles = {f.numero: f for f in copie.fiches.all()}
    assert set(nouvelles) == {"1.1.1", "1.1.2", "2.1.1"}
    n1 = nouvelles["1.1.1"]
    assert (n1.statut, n1.avancement, n1.pilote, n1.orientation.axe.schema) == ("a_lancer", 0, jeu.federation, copie)
    assert list(n1.referents.all()) == [jeu.conseiller] and list(n1.partenaires.all()) == [jeu.ville]
    assert list(n1.communes.all()) == [jeu.communes[0]]
    assert (n1.debut, n1.fin) == (datetime.date(2021, 9, 1), datetime.date(2023, 12, 31))
    jalons = list(n1.jalons.order_by("echeance"))
    assert [(j.echeance, j.fait, j.fait_le) for j in jalons] == [
        (datetime.date(2021, 10, 1), False, None), (datetime.date(2022, 6, 30), False, None),
    ]  # fmt: skip
    assert not CommentaireAction.objects.filter(fiche__schema=copie).exists()
    assert not n1.decisions.exists()
    indicateurs = {i.code: i for i in copie.indicateurs.all()}
    assert indicateurs["STRUCT"].reference_valeur is None and indicateurs["STRUCT"].cible_valeur is None
    assert indicateurs["AXE2"].axe.schema == copie and indicateurs["F1"].fiche == n1
    assert not ValeurIndicateur.objects.filter(indicateur__schema=copie).exists()
    # The source is untouched.
    f1.refresh_from_db()
    assert (f1.avancement, f1.schema) == (40, source) and source.fiches.count() == 3


def test_copie_validee_et_reservee_au_pilote(jeu):
    avant = Schema.objects.count()
    with pytest.raises(ValidationError) as erreur:
        services_schema.schema_copier(par=jeu.pilote, source=jeu.schema, titre="", debut="x", fin=2025)
    assert set(erreur.value.message_dict) == {"titre", "debut"}
    with pytest.raises(PermissionDenied):
        services_schema.schema_copier(par=jeu.pilote93, source=jeu.schema, titre="Copie", debut=2021, fin=2025)
    assert Schema.objects.count() == avant


# --- Ordered lists ------------------------------------------------------------------------------------------------


def _titres(schema):
    return list(Enjeu.objects.filter(schema=schema).order_by("numero").values_list("numero", "titre"))


def test_ajouter_deplacer_supprimer_renumerote(jeu):
    schema = jeu.schema
    services_schema.element_ajouter(par=jeu.pilote, schema=schema, nature="enjeu", titre="Au début", numero=1)
    assert _titres(schema) == [
        (1, "Au début"), (2, "Promouvoir les espaces de dialogue"), (3, "Faciliter l'accès aux droits"),
    ]  # fmt: skip
    services_schema.element_ajouter(par=jeu.pilote, schema=schema, nature="enjeu", titre="À la fin")
    assert _titres(schema)[-1] == (4, "À la fin")
    premier = Enjeu.objects.get(schema=schema, numero=1)
    services_schema.element_deplacer(par=jeu.pilote, element=premier, sens=1)
    assert [t for _, t in _titres(schema)][:2] == ["Promouvoir les espaces de dialogue", "Au début"]
    services_schema.element_modifier(par=jeu.pilote, element=Enjeu.objects.get(pk=premier.pk), titre="Déplacé",
                                     texte="", numero=4)  # fmt: skip
    assert _titres(schema)[-1] == (4, "Déplacé")
    services_schema.element_supprimer(par=jeu.pilote, element=Enjeu.objects.get(schema=schema, numero=1))
    assert [n for n, _ in _titres(schema)] == [1, 2, 3]
    # The audit trail says which number changed, from what to what.
    entrees = LogEntry.objects.get_for_object(premier).filter(actor=jeu.pilote)
    assert any(e.changes_dict.get("numero") == ["1", "2"] for e in entrees)


def test_orientation_avec_fiches_et_axe_avec_orientations_non_supprimes(jeu):
    o11 = jeu.orientations[0]
    with pytest.raises(ValidationError, match="L'orientation 1.1 a encore 2 fiche"):
        services_schema.element_supprimer(par=jeu.pilote, element=o11)
    with pytest.raises(ValidationError, match="encore des orientations"):
        services_schema.element_supprimer(par=jeu.pilote, element=jeu.axes[0])
    o12 = jeu.orientations[1]
    services_schema.element_supprimer(par=jeu.pilote, element=o12)
    assert list(Orientation.objects.filter(axe=jeu.axes[0]).values_list("numero", flat=True)) == [1]
    assert Axe.objects.filter(schema=jeu.schema).count() == 2


def test_ajouter_une_orientation_a_un_axe_d_un_autre_schema_refuse(jeu):
    autre = Axe.objects.create(schema=jeu.brouillon, numero=1, titre="Axe du brouillon")
    with pytest.raises(ValidationError, match="axe de ce schéma"):
        services_schema.element_ajouter(par=jeu.pilote, schema=jeu.schema, nature="orientation", titre="X", axe=autre)
    with pytest.raises(PermissionDenied):
        services_schema.element_ajouter(par=jeu.partenaire, schema=jeu.schema, nature="enjeu", titre="X")


def test_renumeroter_comble_les_trous(jeu):
    Enjeu.objects.filter(schema=jeu.schema, numero=2).update(numero=7)
    services_schema.elements_renumeroter(par=jeu.pilote, schema=jeu.schema, nature="enjeu")
    assert [n for n, _ in _titres(jeu.schema)] == [1, 2]


# --- Fiches and milestones ----------------------------------------------------------------------------------------


def _donnees_fiche(jeu, **kwargs):
    return {
        "numero": "1.2.1", "titre": "Action fictive nouvelle", "orientation": jeu.orientations[1], "objectifs": "",
        "description": "", "publics": "Familles", "pilote": jeu.federation, "partenaires": [jeu.ville],
        "referents": [jeu.partenaire], "communes": [jeu.communes[1]], "epci": [], "qpv": [], "structures": [],
        "debut": datetime.date(2017, 1, 1), "fin": datetime.date(2018, 12, 31), "poids": 2,
        "budget": Decimal("15000"), **kwargs,
    }  # fmt: skip


def test_creer_et_modifier_une_fiche(jeu):
    fiche = services_schema.fiche_creer(par=jeu.pilote, schema=jeu.schema, donnees=_donnees_fiche(jeu))
    assert (fiche.statut, fiche.avancement, fiche.poids, fiche.budget) == ("a_lancer", 0, 2, Decimal("15000"))
    assert list(fiche.referents.all()) == [jeu.partenaire]
    version = fiche.version
    services_schema.fiche_modifier(par=jeu.pilote, fiche=fiche, donnees=_donnees_fiche(jeu, titre="Renommée"),
                                   version=version)  # fmt: skip
    with pytest.raises(ConflitVersion) as conflit:
        services_schema.fiche_modifier(
            par=jeu.pilote, fiche=FicheAction.objects.get(pk=fiche.pk), donnees=_donnees_fiche(jeu), version=version
        )
    assert "Renommée" in conflit.value.message_conflit


def test_fiche_validee_avant_d_ecrire(jeu):
    avant = FicheAction.objects.count()
    autre_orientation = Orientation.objects.create(
        axe=Axe.objects.create(schema=jeu.brouillon, numero=1, titre="A"), numero=1, titre="O"
    )
    with pytest.raises(ValidationError) as erreur:
        services_schema.fiche_creer(
            par=jeu.pilote,
            schema=jeu.schema,
            donnees=_donnees_fiche(
                jeu,
                numero="1.1.1",
                orientation=autre_orientation,
                pilote=jeu.org93,
                referents=[jeu.partenaire93],
                fin=datetime.date(2016, 1, 1),
                poids=0,
                budget=Decimal("-5"),
            ),  # fmt: skip
        )
    assert set(erreur.value.message_dict) == {"numero", "orientation", "pilote", "referents", "fin", "poids", "budget"}
    assert "déjà celui d'une autre fiche" in erreur.value.message_dict["numero"][0]
    assert FicheAction.objects.count() == avant


def test_fiche_creee_seulement_par_le_pilote(jeu):
    with pytest.raises(PermissionDenied):
        services_schema.fiche_creer(par=jeu.partenaire, schema=jeu.schema, donnees=_donnees_fiche(jeu))


def test_jalons(jeu):
    fiche = jeu.fiches[1]
    jalon = services_schema.jalon_ajouter(par=jeu.pilote, fiche=fiche, libelle="Lancement",
                                          echeance=datetime.date(2017, 1, 15))  # fmt: skip
    services_schema.jalon_modifier(par=jeu.pilote, jalon=jalon, libelle="Lancement", echeance=jalon.echeance, fait=True)
    jalon.refresh_from_db()
    assert (jalon.fait, jalon.fait_le) == (True, AUJOURDHUI)
    with pytest.raises(ValidationError) as erreur:
        services_schema.jalon_modifier(par=jeu.pilote, jalon=jalon, libelle="", echeance=None, fait=False,
                                       fait_le=datetime.date(2016, 1, 1))  # fmt: skip
    assert set(erreur.value.message_dict) == {"libelle", "echeance", "fait_le"}
    with pytest.raises(PermissionDenied):
        services_schema.jalon_supprimer(par=jeu.partenaire_autre, jalon=jalon)
    services_schema.jalon_supprimer(par=jeu.pilote, jalon=jalon)
    assert not Jalon.objects.filter(pk=jalon.pk).exists()


def test_indicateurs_et_transitions_ne_sont_pas_modifies_par_l_edition(jeu):
    """Editing the schéma touches neither its dated steps nor its indicators."""
    IndicateurFactory(schema=jeu.schema, code="X")
    avant = TransitionSchema.objects.count()
    services_schema.schema_modifier(par=jeu.pilote, schema=jeu.schema, donnees=_donnees_schema(debut=2016, fin=2020))
    assert TransitionSchema.objects.count() == avant and Indicateur.objects.filter(schema=jeu.schema).count() == 1


def test_commentaire_d_une_fiche_date_sur_l_horloge(jeu):
    """The clock is pinned (the demo's story): the fiche's comment is dated on it, not on the real day."""
    from django.utils import timezone

    from maillage.schema import services

    fiche = jeu.fiches[1]
    services.fiche_mettre_a_jour(par=jeu.pilote, fiche=fiche, avancement=40, commentaire="Deux ateliers tenus")
    commentaire = fiche.commentaires.get()
    assert timezone.localdate(commentaire.le) == AUJOURDHUI
