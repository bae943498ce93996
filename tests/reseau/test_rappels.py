"""The daily reminder command (`envoyer_rappels`): published events starting within N days, confirmed registrants
only, once per person whatever the number of runs."""

import datetime
from io import StringIO

import pytest
from django.core import mail
from django.core.management import CommandError, call_command
from icalendar import Calendar

from maillage.reseau.models import Envoi, Evenement, Inscription
from tests.reseau.factories import EvenementFactory, InscriptionFactory, dans


def _lancer(*args):
    sortie = StringIO()
    call_command("envoyer_rappels", *args, stdout=sortie)
    return sortie.getvalue()


@pytest.fixture
def evenements(territoire_94):
    dep = territoire_94.departement
    demain = EvenementFactory(departement=dep, titre="Atelier de demain", debut=dans(1), fin=dans(1, 17))
    lointain = EvenementFactory(departement=dep, titre="Dans dix jours", debut=dans(10), fin=dans(10, 17))
    brouillon = EvenementFactory(departement=dep, statut=Evenement.Statut.BROUILLON, debut=dans(1), fin=dans(1, 17))
    return demain, lointain, brouillon


def test_rappel_une_seule_fois_aux_confirmes(evenements):
    demain, lointain, brouillon = evenements
    InscriptionFactory(evenement=demain, email="a@exemple.fr")
    InscriptionFactory(evenement=demain, email="b@exemple.fr")
    InscriptionFactory(evenement=demain, email="attente@exemple.fr", statut=Inscription.Statut.LISTE_ATTENTE)
    InscriptionFactory(evenement=demain, email="annule@exemple.fr", statut=Inscription.Statut.ANNULEE)
    InscriptionFactory(evenement=lointain, email="loin@exemple.fr")
    InscriptionFactory(evenement=brouillon, email="brouillon@exemple.fr")

    sortie = _lancer()
    assert "Atelier de demain" in sortie and "2 inscrit(s)" in sortie
    assert sorted(m.to[0] for m in mail.outbox) == ["a@exemple.fr", "b@exemple.fr"]
    courriel = mail.outbox[0]
    assert courriel.subject == "Rappel — Atelier de demain"
    assert "Votre code d'entrée" in courriel.body and courriel.alternatives
    (piece,) = courriel.attachments
    assert Calendar.from_ical(piece[1]).walk("VEVENT")

    # Twice: nothing more.
    assert "Aucun rappel" in _lancer()
    assert len(mail.outbox) == 2
    assert Envoi.objects.filter(nature="rappel").count() == 1

    # Someone registered since: only them on the next run.
    InscriptionFactory(evenement=demain, email="tard@exemple.fr")
    _lancer()
    assert [m.to[0] for m in mail.outbox[2:]] == ["tard@exemple.fr"]


def test_horizon_en_jours(evenements):
    _, lointain, _ = evenements
    InscriptionFactory(evenement=lointain, email="loin@exemple.fr")
    _lancer("--jours", "2")
    assert not mail.outbox
    _lancer("--jours", "11")
    assert [m.to for m in mail.outbox] == [["loin@exemple.fr"]]


def test_horloge_fixee(evenements, settings):
    """The command reads the application's clock: pinned a week later, tomorrow's event is past."""
    demain, _, _ = evenements
    InscriptionFactory(evenement=demain)
    settings.MAILLAGE_AUJOURDHUI = (demain.debut + datetime.timedelta(days=7)).date()
    assert "Aucun rappel" in _lancer()
    assert not mail.outbox


def test_jours_invalides():
    with pytest.raises(CommandError):
        _lancer("--jours", "-1")
