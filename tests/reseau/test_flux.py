"""RSS and Atom feeds of the published news: valid XML, entries newest first with title, link, date, author, tags
as categories and summary; drafts and other départements absent; an unknown département is a 404."""

import datetime
import xml.etree.ElementTree as ET

import pytest
from django.test import Client
from django.urls import reverse

from maillage.reseau.models import Etiquette
from tests.reseau.factories import ActualiteFactory
from tests.territoires.factories import DepartementFactory

ATOM = "{http://www.w3.org/2005/Atom}"
DC = "{http://purl.org/dc/elements/1.1/}"


@pytest.fixture
def actualites(db):
    dep = DepartementFactory(code="94", nom="Val-de-Marne")
    autre = DepartementFactory(code="93", nom="Seine-Saint-Denis")
    ancienne = ActualiteFactory(departement=dep, titre="Ancienne", date=datetime.date(2016, 3, 1),
                                auteur_libelle="Communication Caf", resume="Résumé <ancien> & cie")  # fmt: skip
    recente = ActualiteFactory(departement=dep, titre="Récente", date=datetime.date(2016, 9, 30))
    recente.etiquettes.add(Etiquette.objects.create(nom="jeunesse"), Etiquette.objects.create(nom="journée"))
    ActualiteFactory(departement=dep, titre="Brouillon secret", statut="brouillon", date=datetime.date(2016, 12, 1))
    ActualiteFactory(departement=autre, titre="Du 93", date=datetime.date(2016, 10, 1))
    return ancienne, recente


def test_flux_atom(actualites):
    ancienne, recente = actualites
    reponse = Client().get(reverse("reseau:actualites_atom"), {"departement": "94"})
    assert reponse.status_code == 200
    assert reponse["Content-Type"].startswith("application/atom+xml")
    racine = ET.fromstring(reponse.content)
    assert racine.tag == f"{ATOM}feed"
    assert "Val-de-Marne" in racine.find(f"{ATOM}title").text
    entrees = racine.findall(f"{ATOM}entry")
    assert [e.find(f"{ATOM}title").text for e in entrees] == ["Récente", "Ancienne"]
    premiere, seconde = entrees
    assert premiere.find(f"{ATOM}link").get("href").endswith(reverse("reseau:actualite", args=[recente.pk]))
    assert premiere.find(f"{ATOM}published").text.startswith("2016-09-30")
    assert {c.get("term") for c in premiere.findall(f"{ATOM}category")} == {"jeunesse", "journée"}
    assert seconde.find(f"{ATOM}author/{ATOM}name").text == "Communication Caf"
    assert seconde.find(f"{ATOM}summary").text == "Résumé <ancien> & cie"


def test_flux_rss(actualites):
    ancienne, recente = actualites
    reponse = Client().get(reverse("reseau:actualites_rss"), {"departement": "94"})
    assert reponse.status_code == 200
    assert reponse["Content-Type"].startswith("application/rss+xml")
    canal = ET.fromstring(reponse.content).find("channel")
    items = canal.findall("item")
    assert [i.findtext("title") for i in items] == ["Récente", "Ancienne"]
    assert items[0].findtext("link").endswith(reverse("reseau:actualite", args=[recente.pk]))
    assert items[0].findtext("pubDate").startswith("Fri, 30 Sep 2016")
    assert {c.text for c in items[0].findall("category")} == {"jeunesse", "journée"}
    assert items[1].findtext(f"{DC}creator") == "Communication Caf"
    assert items[1].findtext("description") == "Résumé <ancien> & cie"
    assert b"Brouillon secret" not in reponse.content and b"Du 93" not in reponse.content


def test_flux_sans_departement_et_departement_inconnu(actualites, django_assert_max_num_queries):
    client = Client()
    with django_assert_max_num_queries(4):
        tous = client.get(reverse("reseau:actualites_atom"))
    titres = [e.findtext(f"{ATOM}title") for e in ET.fromstring(tous.content).findall(f"{ATOM}entry")]
    assert titres == ["Du 93", "Récente", "Ancienne"]
    assert client.get(reverse("reseau:actualites_rss"), {"departement": "00"}).status_code == 404


def test_la_page_annonce_ses_flux(actualites):
    contenu = Client().get(reverse("reseau:actualites"), {"departement": "94"}).content.decode()
    assert 'type="application/atom+xml"' in contenu and 'type="application/rss+xml"' in contenu
