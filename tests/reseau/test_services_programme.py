"""Writes of the programme and of the series: rules, French refusals, permission first, no lost update."""

import datetime

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from maillage.core.roles import Role
from maillage.core.versions import ConflitVersion
from maillage.reseau import services, services_programme
from maillage.reseau.models import SessionProgramme
from tests.comptes.factories import UtilisateurFactory
from tests.reseau.factories import EvenementFactory, SerieAteliersFactory, SessionProgrammeFactory
from tests.territoires.factories import DepartementFactory


@pytest.fixture
def dep(territoire_94):
    return territoire_94.departement


@pytest.fixture
def pilote(dep):
    return UtilisateurFactory(role=Role.PILOTE, departements=[dep])


def _champs(session, **k):
    return {"titre": session.titre, "type": session.type, "debut": session.debut, "fin": session.fin, **k}


def test_session_modifiee_et_intervenants_remplaces(dep, pilote):
    session = SessionProgrammeFactory(evenement=EvenementFactory(departement=dep))
    services_programme.session_modifier(
        par=pilote, session=session, **_champs(session, salle="B", intervenants=[{"fonction": "Élue", "nom": "X"}])
    )
    services_programme.session_modifier(
        par=pilote, session=session, **_champs(session, intervenants=[{"fonction": "Directrice"}])
    )
    session.refresh_from_db()
    assert [i.fonction for i in session.intervenants.all()] == ["Directrice"] and session.salle == ""


def test_session_hors_evenement_ou_incoherente_refusee(dep, pilote):
    session = SessionProgrammeFactory(evenement=EvenementFactory(departement=dep))
    tard = session.evenement.fin + datetime.timedelta(hours=1)
    with pytest.raises(ValidationError) as erreur:
        services_programme.session_modifier(par=pilote, session=session, **_champs(session, fin=tard, titre=""))
    assert set(erreur.value.message_dict) == {"debut", "titre"}
    with pytest.raises(ValidationError, match="après le début"):
        services_programme.session_modifier(
            par=pilote, session=session, **_champs(session, fin=session.debut - datetime.timedelta(minutes=1))
        )
    with pytest.raises(ValidationError, match="fonction"):
        services_programme.session_modifier(
            par=pilote, session=session, **_champs(session, intervenants=[{"nom": "Y"}])
        )


def test_capacite_de_session_pas_sous_les_places_reservees(dep, pilote):
    ev = EvenementFactory(departement=dep)
    atelier = SessionProgrammeFactory(evenement=ev, capacite=3)
    for n in range(2):
        services.inscription_creer(evenement=ev, nom=f"N{n}", email=f"n{n}@exemple.fr", sessions=[atelier.pk])
    with pytest.raises(ValidationError, match="2 places sont déjà réservées"):
        services_programme.session_modifier(par=pilote, session=atelier, **_champs(atelier, capacite=1, au_choix=True))
    services_programme.session_modifier(par=pilote, session=atelier, **_champs(atelier, capacite=2, au_choix=True))


@pytest.mark.parametrize("role", [Role.PARTENAIRE, Role.STRUCTURE])
def test_programme_refuse_aux_partenaires_et_structures(dep, role):
    session = SessionProgrammeFactory(evenement=EvenementFactory(departement=dep))
    autre = UtilisateurFactory(role=role, departements=[dep])
    with pytest.raises(PermissionDenied):
        services_programme.session_modifier(par=autre, session=session, **_champs(session))
    with pytest.raises(PermissionDenied):
        services_programme.session_supprimer(par=autre, session=session)
    assert SessionProgramme.objects.filter(pk=session.pk).exists()


def test_programme_refuse_au_pilote_d_un_autre_departement(dep):
    session = SessionProgrammeFactory(evenement=EvenementFactory(departement=dep))
    ailleurs = UtilisateurFactory(role=Role.PILOTE, departements=[DepartementFactory(code="93")])
    with pytest.raises(PermissionDenied):
        services_programme.session_supprimer(par=ailleurs, session=session)
    with pytest.raises(PermissionDenied):
        services_programme.serie_modifier(
            par=ailleurs, serie=SerieAteliersFactory(departement=dep), version=1, titre="X"
        )


def test_serie_modifiee_avec_sa_version(dep, pilote):
    serie = SerieAteliersFactory(departement=dep)
    lue = serie.version
    services_programme.serie_modifier(par=pilote, serie=serie, version=lue, titre="Ateliers 2016")
    with pytest.raises(ConflitVersion):
        services_programme.serie_modifier(par=pilote, serie=serie, version=lue, titre="Perdu")
    with pytest.raises(ValidationError) as erreur:
        services_programme.serie_modifier(par=pilote, serie=serie, version=serie.version, titre=" ")
    assert "titre" in erreur.value.message_dict
    serie.refresh_from_db()
    assert serie.titre == "Ateliers 2016"
