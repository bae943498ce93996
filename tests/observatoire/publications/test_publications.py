"""The public list of the published syntheses (`observatoire:publications`) and its navigation entry."""

from types import SimpleNamespace

import pytest
from django.urls import resolve, reverse

from maillage.comptes.models import Role
from maillage.observatoire.models import Statut
from tests.comptes.factories import UtilisateurFactory
from tests.observatoire.factories import CampagneFactory
from tests.structures.factories import StructureFactory
from tests.territoires.factories import DepartementFactory, RegionFactory

from ..test_affichage import MAINTENANT, _repondre, _texte


@pytest.fixture
def publications(territoire_94):
    """94: 2016 published, 2017 not published; 93: 2016 not published."""
    dep94 = territoire_94.departement
    dep93 = DepartementFactory(code="93", nom="Seine-Saint-Denis", region=territoire_94.region)
    p2016 = CampagneFactory(departement=dep94, annee=2016, publiee=True, publiee_le=MAINTENANT)
    n2017 = CampagneFactory(departement=dep94, annee=2017, questionnaire=p2016.questionnaire)
    n93 = CampagneFactory(departement=dep93, annee=2016, questionnaire=p2016.questionnaire)
    _repondre(p2016, StructureFactory(commune=territoire_94.communes[0]), Statut.VALIDEE, {"q_nombre": 1})
    _repondre(p2016, StructureFactory(commune=territoire_94.communes[1]), Statut.SOUMISE, {"q_nombre": 2})
    return SimpleNamespace(dep94=dep94, dep93=dep93, p2016=p2016, n2017=n2017, n93=n93)


URL = "/observatoire/resultats/"


def _synthese(campagne):
    return reverse("observatoire:synthese", args=[campagne.annee, campagne.departement_id])


def test_url_sans_conflit():
    assert reverse("observatoire:publications") == URL
    assert resolve(URL).url_name == "publications"
    assert resolve("/observatoire/resultats/2016/").url_name == "fiche_nationale"
    assert resolve("/observatoire/resultats/2016/94/").url_name == "synthese"


@pytest.mark.django_db
def test_anonyme_voit_seulement_les_publiees(client, publications):
    page = client.get(URL)
    assert page.status_code == 200
    texte = _texte(page)
    assert _synthese(publications.p2016) in texte
    assert _synthese(publications.n2017) not in texte and _synthese(publications.n93) not in texte
    assert "non publiée" not in texte
    assert reverse("observatoire:fiche_nationale", args=[2016]) in texte
    assert reverse("observatoire:fiche_nationale", args=[2017]) not in texte
    assert '<td class="nombre">1</td>' in texte  # validated answers only
    assert client.get(_synthese(publications.p2016)).status_code == 200


@pytest.mark.django_db
def test_pilote_voit_ses_non_publiees_pas_celles_des_autres(client, publications):
    client.force_login(UtilisateurFactory(role=Role.PILOTE, departements=[publications.dep94]))
    texte = _texte(client.get(URL))
    assert _synthese(publications.p2016) in texte and _synthese(publications.n2017) in texte
    assert "non publiée" in texte
    assert _synthese(publications.n93) not in texte
    assert reverse("observatoire:fiche_nationale", args=[2017]) in texte

    client.force_login(UtilisateurFactory(role=Role.PILOTE, departements=[publications.dep93]))
    texte = _texte(client.get(URL))
    assert _synthese(publications.n93) in texte and _synthese(publications.p2016) in texte
    assert _synthese(publications.n2017) not in texte


@pytest.mark.django_db
def test_structure_et_partenaire(client, publications, territoire_94):
    cs = StructureFactory(commune=territoire_94.communes[0])
    client.force_login(UtilisateurFactory(role=Role.STRUCTURE, structure=cs, departements=[publications.dep94]))
    texte = _texte(client.get(URL))
    assert _synthese(publications.n2017) not in texte and _synthese(publications.p2016) in texte
    # A partner of the département sees its non-public reports (rule departement.voir_pilotage).
    client.force_login(UtilisateurFactory(role=Role.PARTENAIRE, departements=[publications.dep94]))
    assert _synthese(publications.n2017) in _texte(client.get(URL))


@pytest.mark.django_db
def test_filtre_par_departement(client, publications, admin_client):
    texte = _texte(admin_client.get(URL, {"departement": "93"}))
    assert _synthese(publications.n93) in texte and _synthese(publications.p2016) not in texte
    # An unknown or hidden département is ignored, not an error.
    assert client.get(URL, {"departement": "93"}).status_code == 200
    assert _synthese(publications.p2016) in _texte(client.get(URL, {"departement": "zz"}))


@pytest.mark.django_db
def test_aucune_publication(client):
    assert "Aucune synthèse publiée" in _texte(client.get(URL))


@pytest.mark.django_db
def test_nombre_de_requetes_borne(client, django_assert_max_num_queries, territoire_94):
    region = RegionFactory(code="84", nom="Auvergne-Rhône-Alpes")
    pilote = UtilisateurFactory(role=Role.PILOTE, departements=[territoire_94.departement])
    campagne = CampagneFactory(departement=territoire_94.departement, annee=2010)
    for i in range(12):
        dep = DepartementFactory(code=f"{i + 1:02d}", nom=f"Département {i}", region=region)
        for annee in (2011, 2012):
            autre = CampagneFactory(
                departement=dep,
                annee=annee,
                questionnaire=campagne.questionnaire,
                publiee=annee == 2011,
                publiee_le=MAINTENANT if annee == 2011 else None,
            )
            _repondre(autre, StructureFactory(commune=territoire_94.communes[0]), Statut.VALIDEE)
    with django_assert_max_num_queries(1):  # the campaigns, with their counts of validated answers
        assert client.get(URL).status_code == 200
    client.force_login(pilote)
    with django_assert_max_num_queries(4):  # session, user, their départements, the campaigns
        texte = _texte(client.get(URL))
    assert _synthese(campagne) in texte and texte.count('badge--attente">non publiée') == 1


@pytest.mark.django_db
def test_entree_de_navigation_pour_tous(client, publications):
    lien = f'href="{URL}"'
    assert lien in _texte(client.get(reverse("accueil:accueil")))
    page = _texte(client.get(URL))
    assert f'<a href="{URL}" aria-current="page">Observatoire</a>' in page
    client.force_login(UtilisateurFactory(role=Role.PILOTE, departements=[publications.dep94]))
    assert lien in _texte(client.get(reverse("accueil:accueil")))
    # On the fiches, the « Expériences » entry is the current one, not the observatoire's results.
    fiches = _texte(client.get(reverse("observatoire:fiches")))
    # (a pilote's « Observatoire » is its campaigns; the published results are under « Plus »)
    assert f'<a href="{URL}">Résultats de l\'observatoire</a>' in fiches
    assert f'<a href="{reverse("observatoire:fiches")}" aria-current="page">Expériences</a>' in fiches
