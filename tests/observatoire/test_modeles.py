"""Database constraints of the observatoire's models."""

import datetime

import pytest
from django.db import IntegrityError, transaction
from django.utils import timezone

from maillage.observatoire.models import Statut, Transition
from tests.observatoire.factories import CampagneFactory, QuestionnaireFactory, ReponseFactory


def _refus(fonction):
    with pytest.raises(IntegrityError), transaction.atomic():
        fonction()


@pytest.mark.django_db
def test_campagne_dates_ordonnees():
    _refus(lambda: CampagneFactory(date_limite_reponse=datetime.date(2016, 3, 1)))
    _refus(lambda: CampagneFactory(date_limite_relecture=datetime.date(2016, 4, 1)))
    assert CampagneFactory().pk


@pytest.mark.django_db
def test_campagne_donnees_de_l_annee_precedente():
    _refus(lambda: CampagneFactory(annee_donnees=2016))


@pytest.mark.django_db
def test_campagne_unique_par_departement_et_annee():
    campagne = CampagneFactory()
    _refus(lambda: CampagneFactory(departement=campagne.departement))
    assert CampagneFactory(departement=campagne.departement, annee=2017).pk


@pytest.mark.django_db
def test_questionnaire_version_unique():
    QuestionnaireFactory(code="q", version=1)
    _refus(lambda: QuestionnaireFactory(code="q", version=1))


@pytest.mark.django_db
def test_reponse_unique_validee_verrouillee_soumise_datee():
    reponse = ReponseFactory()
    _refus(lambda: ReponseFactory(campagne=reponse.campagne, structure=reponse.structure))
    campagne, maintenant = reponse.campagne, timezone.now()
    _refus(
        lambda: ReponseFactory(campagne=campagne, statut=Statut.VALIDEE, soumise_le=maintenant, validee_le=maintenant)
    )
    _refus(lambda: ReponseFactory(campagne=campagne, statut=Statut.SOUMISE))
    assert ReponseFactory(
        campagne=campagne, statut=Statut.VALIDEE, soumise_le=maintenant, validee_le=maintenant, verrouillee=True
    ).pk


@pytest.mark.django_db
def test_transition_change_de_statut():
    reponse = ReponseFactory()
    _refus(lambda: Transition.objects.create(reponse=reponse, de=Statut.SOUMISE, vers=Statut.SOUMISE))
