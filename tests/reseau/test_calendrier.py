"""iCalendar files of the event pages: one event, and the public feed of a département (read back with icalendar)."""

import pytest
from django.urls import reverse
from icalendar import Calendar

from maillage.core.roles import Role
from tests.comptes.factories import UtilisateurFactory
from tests.reseau.factories import EvenementFactory, dans
from tests.territoires.factories import DepartementFactory


@pytest.fixture
def dep(territoire_94):
    return territoire_94.departement


def _evenements(reponse):
    assert reponse.status_code == 200
    assert reponse["Content-Type"] == "text/calendar; charset=utf-8"
    return Calendar.from_ical(reponse.content).walk("VEVENT")


def test_ics_d_un_evenement(client, dep):
    ev = EvenementFactory(departement=dep, titre="Journée fictive", lieu_adresse="1 rue fictive",
                          lieu_commune=dep.communes.get(code="94028"))  # fmt: skip
    (vevent,) = _evenements(client.get(reverse("reseau:evenement_ics", args=[ev.pk])))
    assert str(vevent["UID"]) == f"evenement-{ev.pk}@maillage"
    assert vevent.decoded("DTSTART") == ev.debut
    assert str(vevent["SUMMARY"]) == "Journée fictive"
    assert str(vevent["LOCATION"]) == "Salle fictive, 1 rue fictive, Créteil"
    assert str(vevent["URL"]).endswith(reverse("reseau:evenement", args=[ev.pk]))


def test_ics_d_un_brouillon_ou_hors_perimetre_refuse(client, dep):
    brouillon = EvenementFactory(departement=dep, statut="brouillon")
    reseau = EvenementFactory(departement=dep, acces="reseau")
    assert client.get(reverse("reseau:evenement_ics", args=[brouillon.pk])).status_code == 404
    assert client.get(reverse("reseau:evenement_ics", args=[reseau.pk])).status_code == 404
    client.force_login(UtilisateurFactory(role=Role.PARTENAIRE, departements=[dep]))
    assert client.get(reverse("reseau:evenement_ics", args=[reseau.pk])).status_code == 200
    assert client.get(reverse("reseau:evenement_ics", args=[brouillon.pk])).status_code == 404


def test_flux_du_departement_evenements_publics_seulement(client, dep):
    publics = [
        EvenementFactory(departement=dep, titre="Ouvert", debut=dans(5), fin=dans(5, 17)),
        EvenementFactory(departement=dep, titre="Sur invitation", acces="invitation", debut=dans(9), fin=dans(9, 17)),
        EvenementFactory(departement=dep, titre="Annulé", statut="annule", debut=dans(12), fin=dans(12, 17)),
    ]
    EvenementFactory(departement=dep, titre="Brouillon", statut="brouillon")
    EvenementFactory(departement=dep, titre="Réseau", acces="reseau")
    EvenementFactory(departement=DepartementFactory(code="93"), titre="Ailleurs")
    client.force_login(UtilisateurFactory(role=Role.PILOTE, departements=[dep]))  # the feed is the same for all
    vevents = _evenements(client.get(reverse("reseau:evenements_ics", args=["94"])))
    assert [str(v["SUMMARY"]) for v in vevents] == ["Ouvert", "Sur invitation", "Annulé"]
    assert {str(v["UID"]) for v in vevents} == {f"evenement-{e.pk}@maillage" for e in publics}
    assert str(vevents[2]["STATUS"]) == "CANCELLED"
    assert [v.decoded("DTSTART") for v in vevents] == [e.debut for e in publics]


def test_flux_departement_inconnu_404(client, dep):
    assert client.get(reverse("reseau:evenements_ics", args=["zz"])).status_code == 404
    assert client.get(reverse("reseau:evenements_ics", args=["99"])).status_code == 404
