"""Results served from the cache per data version: the common case reads no answer, and a change (an answer
validated or edited, a structure moved) shows at once on the synthesis, the national sheet and the API."""

import html

from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from maillage.observatoire import services
from maillage.observatoire.models import Reponse, Statut
from maillage.observatoire.resultats import selectors as selectors_resultats
from maillage.structures.models import TypeStructure

from . import test_resultats as base

jeu = base.jeu  # the shared dataset fixture
publier, url_synthese = base.publier, base.url_synthese
NBSP, NNBSP = "\xa0", "\u202f"


def texte(reponse) -> str:
    assert reponse.status_code == 200
    return html.unescape(reponse.content.decode()).replace(NBSP, " ").replace(NNBSP, " ")


def chiffre(page: str, libelle: str) -> str:
    """The value shown under a key figure's label (`<dt>libelle</dt><dd …>valeur</dd>`)."""
    debut = page.index(f"<dt>{libelle}</dt>")
    return page[page.index(">", page.index("<dd", debut)) + 1 : page.index("</dd>", debut)]


def soumise(jeu) -> Reponse:
    return Reponse.objects.get(campagne=jeu.c2016, statut=Statut.SOUMISE)


def test_synthese_montre_une_reponse_validee_aussitot(client, jeu):
    client.force_login(jeu.pilote)
    url = url_synthese(jeu.c2016)
    page = texte(client.get(url))
    assert chiffre(page, "Réponses validées") == "4" and "650" in page
    services.reponse_valider(par=jeu.pilote, reponse=soumise(jeu))
    page = texte(client.get(url))
    assert chiffre(page, "Réponses validées") == "5"
    assert "10 649" in page  # 650 + the 9,999 people of the answer just validated


def test_synthese_suit_une_reponse_validee_modifiee_et_une_structure_changee(client, jeu):
    publier(jeu.c2016)
    url = url_synthese(jeu.c2016)
    assert "Espace de vie sociale" in texte(client.get(url))
    jeu.r1.valeurs = {**jeu.r1.valeurs, "pub_personnes": 1100}  # an edit saved through the ORM
    jeu.r1.save()
    assert "1 650" in texte(client.get(url))  # 650 - 100 + 1,100
    jeu.evs.type = TypeStructure.CENTRE_SOCIAL  # the only EVS becomes a centre social (audited edit)
    jeu.evs.save()
    assert "Espace de vie sociale" not in texte(client.get(url))


def test_fiche_nationale_et_api_suivent_une_validation(client, jeu):
    client.force_login(jeu.pilote)
    url_fiche = reverse("observatoire:fiche_nationale", args=[2016])
    url_api = "/api/v1/observatoire/campagnes/2016/departements/94/synthese"
    assert "1 650" in texte(client.get(url_fiche))  # 650 (94) + 1,000 (93)
    assert client.get(url_api).json()["indicateurs"]["personnes"]["total"] == 650
    services.reponse_valider(par=jeu.pilote, reponse=soumise(jeu))
    assert "11 649" in texte(client.get(url_fiche))
    api = client.get(url_api).json()
    assert api["indicateurs"]["personnes"]["total"] == 10649 and api["reponses"]["validees"] == 5


def test_fiche_nationale_ne_relit_que_la_campagne_changee(jeu):
    selectors_resultats.fiche_nationale(2016)  # fills the cache
    jeu.r1.valeurs = {**jeu.r1.valeurs, "pub_personnes": 101}
    jeu.r1.save()
    with CaptureQueriesContext(connection) as requetes:
        fiche = selectors_resultats.fiche_nationale(2016)
    assert fiche["ensemble"].indicateurs["personnes"].total == 1651
    lectures = [q["sql"] for q in requetes.captured_queries if '"valeurs"' in q["sql"]]
    assert len(lectures) == 1  # the answers' values of one campaign only: the 94's
    assert str(jeu.c2016.pk) in lectures[0] and str(jeu.c93.pk) not in lectures[0].split("IN (")[-1]


def test_fiche_nationale_publique_sans_les_campagnes_non_publiees(client, jeu):
    url = reverse("observatoire:fiche_nationale", args=[2016])
    lien_94 = f'href="{url_synthese(jeu.c2016)}"'
    client.force_login(jeu.pilote)
    assert lien_94 in texte(client.get(url))
    client.logout()
    page = texte(client.get(url))  # another reader, another set of campaigns: not the pilote's cached page
    assert lien_94 not in page and f'href="{url_synthese(jeu.c93)}"' in page and "et l'ayant publiée" in page


def test_pages_en_cache_requetes_bornees(client, jeu, django_assert_max_num_queries):
    publier(jeu.c2016)
    url_fiche = reverse("observatoire:fiche_nationale", args=[2016])
    client.get(url_synthese(jeu.c2016))
    client.get(url_fiche)
    # The common case: the campaigns, the answers' fingerprint, the data version (audit trail and loads).
    with django_assert_max_num_queries(3):
        assert client.get(url_synthese(jeu.c2016)).status_code == 200
    with django_assert_max_num_queries(3):
        assert client.get(url_fiche).status_code == 200


def test_une_structure_d_un_autre_departement_ne_fait_pas_relire_la_synthese(jeu):
    selectors_resultats.synthese(jeu.c2016)  # fills the cache
    cs93 = Reponse.objects.get(campagne=jeu.c93).structure
    cs93.nom = "Centre social de Bobigny-Centre"
    cs93.save()
    with CaptureQueriesContext(connection) as requetes:
        selectors_resultats.synthese(jeu.c2016)
    assert not [q for q in requetes.captured_queries if '"valeurs"' in q["sql"]]  # the 94's answers not read again
