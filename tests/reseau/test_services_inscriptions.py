"""Registrations: confirmation, waiting list, promotion after a cancellation, same e-mail, closed events."""

import pytest
from django.core import mail
from django.core.exceptions import PermissionDenied, ValidationError

from maillage.reseau import notifications, services
from maillage.reseau.models import Evenement, Inscription
from tests.reseau.factories import EvenementFactory, SessionProgrammeFactory, dans


def _inscrire(ev, n, **k):
    return services.inscription_creer(evenement=ev, nom=f"Nom{n}", email=f"p{n}@exemple.fr", **k)


def test_meme_email_renvoie_l_inscription_existante(territoire_94):
    ev = EvenementFactory(departement=territoire_94.departement)
    premiere, cree = _inscrire(ev, 1)
    seconde, cree2 = services.inscription_creer(evenement=ev, nom="Autre", email=" P1@Exemple.fr ")
    assert cree and not cree2 and premiere.pk == seconde.pk
    assert Inscription.objects.filter(evenement=ev).count() == 1


def test_evenement_passe_ou_ferme_refuse_avec_une_raison(territoire_94):
    passe = EvenementFactory(departement=territoire_94.departement, debut=dans(-3), fin=dans(-3, 17))
    with pytest.raises(services.InscriptionImpossible, match="passé"):
        _inscrire(passe, 1)
    ferme = EvenementFactory(departement=territoire_94.departement, inscriptions_fermees=True)
    with pytest.raises(services.InscriptionImpossible, match="fermées"):
        _inscrire(ferme, 1)


def test_champs_invalides_refuses_en_francais(territoire_94):
    ev = EvenementFactory(departement=territoire_94.departement)
    with pytest.raises(ValidationError) as erreur:
        services.inscription_creer(evenement=ev, nom="", email="pas-une-adresse", categorie="inconnue")
    assert set(erreur.value.message_dict) == {"nom", "email", "categorie"}
    assert Inscription.objects.count() == 0


def test_evenement_sur_invitation_refuse_le_formulaire_anonyme(territoire_94):
    ev = EvenementFactory(departement=territoire_94.departement, acces=Evenement.Acces.INVITATION)
    with pytest.raises(PermissionDenied):
        _inscrire(ev, 1)


def test_session_complete_refusee(territoire_94):
    ev = EvenementFactory(departement=territoire_94.departement)
    atelier = SessionProgrammeFactory(evenement=ev, capacite=1)
    _inscrire(ev, 1, sessions=[atelier.pk])
    with pytest.raises(ValidationError, match="Plus de place"):
        _inscrire(ev, 2, sessions=[atelier.pk])


def test_au_dela_de_la_capacite_liste_d_attente_puis_promotion(territoire_94, django_capture_on_commit_callbacks):
    ev = EvenementFactory(departement=territoire_94.departement, capacite=2)
    with django_capture_on_commit_callbacks(execute=True):
        a, _ = _inscrire(ev, 1)
        _inscrire(ev, 2)
        c, cree = _inscrire(ev, 3)
    assert cree and c.statut == Inscription.Statut.LISTE_ATTENTE
    assert a.statut == Inscription.Statut.CONFIRMEE
    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        promues = services.inscription_annuler(inscription=a)
    c.refresh_from_db()
    assert [p.pk for p in promues] == [c.pk] and c.statut == Inscription.Statut.CONFIRMEE and c.promue_le
    sujets = sorted(m.subject for m in mail.outbox)
    assert any("place s'est libérée" in s for s in sujets) and any("annulée" in s for s in sujets)


def test_organisateur_confirme_depuis_la_liste_d_attente_au_dela_de_la_capacite(
    territoire_94, django_capture_on_commit_callbacks
):
    from maillage.core.roles import Role
    from tests.comptes.factories import UtilisateurFactory

    ev = EvenementFactory(departement=territoire_94.departement, capacite=1)
    atelier = SessionProgrammeFactory(evenement=ev, capacite=5)
    _inscrire(ev, 1)
    attente, _ = _inscrire(ev, 2, sessions=[atelier.pk])
    assert attente.choix.get().reservee is False
    pilote = UtilisateurFactory(role=Role.PILOTE, departements=[territoire_94.departement])
    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        services.inscription_promouvoir(par=pilote, inscription=attente)
    attente.refresh_from_db()
    assert attente.statut == Inscription.Statut.CONFIRMEE and attente.promue_le and attente.choix.get().reservee
    assert any("place s'est libérée" in m.subject for m in mail.outbox)
    with pytest.raises(services.InscriptionImpossible, match="liste d'attente"):
        services.inscription_promouvoir(par=pilote, inscription=attente)


def test_confirmation_manuelle_refusee_hors_organisateurs(territoire_94):
    from maillage.core.roles import Role
    from tests.comptes.factories import UtilisateurFactory
    from tests.territoires.factories import DepartementFactory

    ev = EvenementFactory(departement=territoire_94.departement, capacite=1)
    _inscrire(ev, 1)
    attente, _ = _inscrire(ev, 2)
    for compte in (
        None,
        UtilisateurFactory(role=Role.PILOTE, departements=[DepartementFactory(code="93")]),
        UtilisateurFactory(role=Role.PARTENAIRE, departements=[territoire_94.departement]),
    ):
        with pytest.raises(PermissionDenied):
            services.inscription_promouvoir(par=compte, inscription=attente)
    attente.refresh_from_db()
    assert attente.statut == Inscription.Statut.LISTE_ATTENTE


def test_invitation_d_un_autre_evenement_refusee(territoire_94):
    from maillage.reseau.models import Invitation

    ev = EvenementFactory(departement=territoire_94.departement, acces=Evenement.Acces.INVITATION)
    autre = EvenementFactory(departement=territoire_94.departement, acces=Evenement.Acces.INVITATION)
    invitation = Invitation.objects.create(evenement=autre, email="p1@exemple.fr")
    with pytest.raises(PermissionDenied, match="ne correspond pas"):
        _inscrire(ev, 1, invitation=invitation, origine=Inscription.Origine.INVITATION)
    assert not Inscription.objects.exists()


def test_avec_le_worker_l_inscription_n_attend_pas_son_courriel(
    territoire_94, settings, django_capture_on_commit_callbacks
):
    """With the database backend the registration only queues its e-mail: the worker renders and sends it."""
    from django.core import mail
    from django_tasks_db.models import DBTaskResult

    settings.TASKS = {"default": {**settings.TASKS["base"]}}
    ev = EvenementFactory(departement=territoire_94.departement)
    with django_capture_on_commit_callbacks(execute=True):
        inscription, _ = _inscrire(ev, 1)
    assert not mail.outbox
    tache = DBTaskResult.objects.get()
    assert tache.args_kwargs["kwargs"] == {"nom": "inscription_enregistree", "inscription_id": inscription.pk}
    notifications.envoyer_notification.call(**tache.args_kwargs["kwargs"])  # what the worker does
    assert [m.to for m in mail.outbox] == [["p1@exemple.fr"]] and "confirmée" in mail.outbox[0].subject
