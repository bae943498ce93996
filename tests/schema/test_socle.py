"""The schéma's foundation: progress roll-up rule, tree with late milestones in constant queries, the one update
service (statut, avancement, commentaire, jalons) with its permissions and version lock."""

import datetime

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from maillage.comptes.models import Role
from maillage.core.versions import ConflitVersion
from maillage.schema import progression, selectors, services
from maillage.schema.models import CommentaireAction, FicheAction
from tests.comptes.factories import OrganisationFactory, UtilisateurFactory
from tests.schema.factories import (
    AxeFactory,
    FicheActionFactory,
    JalonFactory,
    OrientationFactory,
    SchemaFactory,
)

A = progression.Action


def test_avancement_moyenne_ponderee_sans_les_abandonnees():
    assert progression.avancement([A(100, 1), A(0, 3)]) == 25.0
    assert progression.avancement([A(100, 1), A(0, 3, "abandonnee")]) == 100.0
    assert progression.avancement([A(40, 1, "abandonnee")]) is None
    assert progression.avancement([]) is None


@pytest.mark.django_db
def test_arbre_remonte_l_avancement_et_signale_les_jalons_en_retard(django_assert_num_queries):
    schema = SchemaFactory()
    axe1, axe2 = AxeFactory(schema=schema, numero=1), AxeFactory(schema=schema, numero=2)
    o11 = OrientationFactory(axe=axe1, numero=1)
    o12 = OrientationFactory(axe=axe1, numero=2)
    o21 = OrientationFactory(axe=axe2, numero=1)
    f1 = FicheActionFactory(orientation=o11, numero="1.1.1", avancement=100, poids=1)
    FicheActionFactory(orientation=o11, numero="1.1.10", avancement=0, poids=3)
    FicheActionFactory(orientation=o12, numero="1.2.1", avancement=80, statut="abandonnee")
    FicheActionFactory(orientation=o21, numero="2.1.1", avancement=50, poids=2)
    JalonFactory(fiche=f1, echeance=datetime.date(2016, 10, 1))
    JalonFactory(fiche=f1, echeance=datetime.date(2016, 10, 2), fait=True, fait_le=datetime.date(2016, 10, 2))
    JalonFactory(fiche=f1, echeance=datetime.date(2017, 1, 1))
    with django_assert_num_queries(5):
        a = selectors.arbre(schema, jour=datetime.date(2016, 11, 1))
        assert a.axes[0].orientations[0].avancement == 25.0
        assert a.axes[0].orientations[1].avancement is None
        assert a.axes[0].avancement == 25.0
        assert a.axes[1].avancement == 50.0
        assert a.avancement == round((100 + 0 + 100) / 6, 1)
        assert [f.fiche.numero for f in a.axes[0].orientations[0].fiches] == ["1.1.1", "1.1.10"]
        assert [j.echeance for j in a.jalons_en_retard] == [datetime.date(2016, 10, 1)]
    assert selectors.avancements([schema]) == {schema.pk: a.avancement}


@pytest.fixture
def fiche_pilotee():
    schema = SchemaFactory()
    organisation = OrganisationFactory(departement=schema.departement)
    fiche = FicheActionFactory(orientation__axe__schema=schema, pilote=organisation, avancement=20)
    return fiche, organisation


def _compte(role, departement, organisation=None):
    return UtilisateurFactory(role=role, departements=[departement], organisation=organisation)


@pytest.mark.django_db
def test_le_partenaire_pilote_met_a_jour_sa_fiche_pas_une_autre(fiche_pilotee):
    fiche, organisation = fiche_pilotee
    partenaire = _compte(Role.PARTENAIRE, fiche.schema.departement, organisation)
    services.fiche_mettre_a_jour(par=partenaire, fiche=fiche, avancement="60", commentaire="Bon élan", version=1)
    fiche.refresh_from_db()
    assert (fiche.avancement, fiche.version) == (60, 2)
    commentaire = CommentaireAction.objects.get(fiche=fiche)
    assert (commentaire.texte, commentaire.avancement, commentaire.auteur) == ("Bon élan", 60, partenaire)
    autre = FicheActionFactory(orientation__axe__schema=fiche.schema)
    with pytest.raises(PermissionDenied):
        services.fiche_mettre_a_jour(par=partenaire, fiche=autre, avancement=70)
    assert FicheAction.objects.get(pk=autre.pk).avancement == 50


@pytest.mark.django_db
def test_referent_conseiller_et_refus_hors_perimetre(fiche_pilotee):
    fiche, _ = fiche_pilotee
    conseiller = _compte(Role.CONSEILLER, fiche.schema.departement)
    with pytest.raises(PermissionDenied):
        services.fiche_mettre_a_jour(par=conseiller, fiche=fiche, statut="reportee")
    fiche.referents.add(conseiller)
    services.fiche_mettre_a_jour(par=conseiller, fiche=fiche, statut="reportee")
    assert FicheAction.objects.get(pk=fiche.pk).statut == "reportee"
    structure = _compte(Role.STRUCTURE, fiche.schema.departement)
    with pytest.raises(PermissionDenied):
        services.fiche_mettre_a_jour(par=structure, fiche=fiche, statut="en_cours")


@pytest.mark.django_db
def test_valeurs_refusees_et_version_perimee(fiche_pilotee):
    fiche, _ = fiche_pilotee
    pilote = _compte(Role.PILOTE, fiche.schema.departement)
    with pytest.raises(ValidationError) as e:
        services.fiche_mettre_a_jour(par=pilote, fiche=fiche, avancement="120", statut="fini")
    assert set(e.value.message_dict) == {"avancement", "statut"}
    with pytest.raises(ValidationError):
        services.fiche_mettre_a_jour(par=pilote, fiche=fiche, statut="realisee", avancement=80)
    services.fiche_mettre_a_jour(par=pilote, fiche=fiche, statut="realisee", version=1)
    fiche.refresh_from_db()
    assert (fiche.statut, fiche.avancement) == ("realisee", 100)
    with pytest.raises(ConflitVersion) as e:
        services.fiche_mettre_a_jour(par=pilote, fiche=fiche, statut="en_cours", avancement=10, version=1)
    assert "Avancement" in e.value.message_conflit
    assert FicheAction.objects.get(pk=fiche.pk).avancement == 100


@pytest.mark.django_db
def test_jalon_coche_et_date(fiche_pilotee):
    fiche, _ = fiche_pilotee
    jalon = JalonFactory(fiche=fiche)
    pilote = _compte(Role.PILOTE, fiche.schema.departement)
    services.fiche_mettre_a_jour(
        par=pilote, fiche=fiche, jalons_faits={jalon.pk: True}, jour=datetime.date(2016, 11, 2)
    )
    jalon.refresh_from_db()
    assert (jalon.fait, jalon.fait_le) == (True, datetime.date(2016, 11, 2))
    autre = JalonFactory()
    with pytest.raises(ValidationError):
        services.fiche_mettre_a_jour(par=pilote, fiche=fiche, jalons_faits={autre.pk: True})
