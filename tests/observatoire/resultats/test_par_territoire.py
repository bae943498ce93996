"""The synthesis "par territoire": validated answers grouped by the EPT, the EPCI or a Caf grouping of their
structure's commune, at 31 December of the campaign's year, with a "hors périmètre" row and an overlap note."""

import datetime
import html

import pytest

from maillage.observatoire import agregats
from maillage.observatoire.resultats import selectors as selectors_resultats
from maillage.territoires.models import Appartenance, Regroupement

from . import test_resultats as base

jeu = base.jeu  # the shared dataset fixture
url_synthese = base.url_synthese
DEBUT_EPT = datetime.date(2016, 1, 1)


def regroupement(type_, code, nom, communes, *, departement="94", debut=DEBUT_EPT, fin=None, fins=None):
    r = Regroupement.objects.create(type=type_, code=code, nom=nom, departement_id=departement, debut=debut, fin=fin)
    for commune in communes:
        Appartenance.objects.create(regroupement=r, commune_id=commune, debut=debut, fin=(fins or {}).get(commune))
    return r


@pytest.fixture
def ept(jeu):
    """Two EPT (national: no département): Créteil in one, Vitry and Ivry in the other."""
    regroupement(Regroupement.Type.EPT, "200058006", "Grand Paris Sud Est Avenir", ["94028"], departement=None)
    regroupement(Regroupement.Type.EPT, "200058014", "Grand-Orly Seine Bièvre", ["94081", "94041"], departement=None)
    return jeu


def _noms_et_structures(donnees):
    return [(g["nom"], g["groupe"].structures) for g in donnees["groupes"]]


def test_agreger_par_affectation_compte_chaque_perimetre_et_le_hors_perimetre():
    lignes = [
        agregats.Ligne(1, {"pub_personnes": 10}, commune="a"),
        agregats.Ligne(2, {"pub_personnes": 30}, commune="b"),
        agregats.Ligne(3, {"pub_personnes": 5}, commune="z"),
    ]
    groupes, hors = agregats.agreger_par_affectation(lignes, {"a": ["p1", "p2"], "b": ["p2"]}, tous=["p2", "p1", "p3"])
    assert [(g.cle, g.structures, g.indicateurs["personnes"].total) for g in groupes] == [
        ("p2", 2, 40),
        ("p1", 1, 10),
        ("p3", 0, 0),
    ]
    assert groupes[0].parts["structures"] == pytest.approx(0.6667)
    assert (hors.structures, hors.indicateurs["personnes"].total) == (1, 5)
    assert agregats.agreger_par_affectation(lignes[:1], {"a": ["p1"]})[1] is None


def test_par_ept_chaque_reponse_validee_dans_l_ept_de_sa_commune(ept):
    donnees = selectors_resultats.groupes_par_decoupage(ept.c2016, "ept")
    assert donnees["decoupage"].libelle_court == "EPT"
    assert donnees["date"] == datetime.date(2016, 12, 31)
    # Créteil: the Bleuets (validated); Vitry: Balzac; Ivry: the EVS and Curie. Drafts and submitted answers: none.
    assert _noms_et_structures(donnees) == [("Grand Paris Sud Est Avenir", 1), ("Grand-Orly Seine Bièvre", 3)]
    assert donnees["groupes"][1]["groupe"].indicateurs["personnes"].total == 300 + 50 + 200
    assert donnees["hors"] is None and donnees["chevauchement"] is False
    # The EPCI remains a choice: one row, the Métropole.
    epci = selectors_resultats.groupes_par_decoupage(ept.c2016, "epci")
    assert _noms_et_structures(epci) == [("Métropole du Grand Paris", 4)]
    assert selectors_resultats.groupes_par_decoupage(ept.c2016, "inconnu") is None
    assert selectors_resultats.groupes_par_decoupage(ept.c2016, "ctg") is None  # no CTG perimeter in the 94


def test_par_defaut_l_ept_s_il_y_en_a_sinon_l_epci(ept):
    decoupages = selectors_resultats.decoupages_de_la_campagne(ept.c2016)
    assert [d.cle for d in decoupages] == ["epci", "ept"]
    assert selectors_resultats.decoupage_choisi(decoupages, None).cle == "ept"
    assert selectors_resultats.decoupage_choisi(decoupages, "epci").cle == "epci"
    assert selectors_resultats.decoupage_choisi(decoupages, "<script>").cle == "ept"
    # The 2015 campaign reads the périmètres of 31/12/2015: the EPT did not exist yet.
    avant = selectors_resultats.decoupages_de_la_campagne(ept.c2015)
    assert selectors_resultats.decoupage_choisi(avant, "ept").cle == "epci"


def test_regroupement_de_la_caf_hors_perimetre_chevauchement_et_dates(ept):
    # A CTG perimeter (overlapping cut): Créteil and Vitry, Vitry also in a second one; Ivry in none.
    regroupement(Regroupement.Type.CTG, "94-ctg-nord", "CTG Nord", ["94028", "94081"])
    regroupement(Regroupement.Type.CTG, "94-ctg-sud", "CTG Sud", ["94081"])
    # Left on 30/06/2016: not a member at 31/12/2016.
    regroupement(Regroupement.Type.CTG, "94-ctg-est", "CTG Est", ["94041"], fins={"94041": datetime.date(2016, 6, 30)})
    donnees = selectors_resultats.groupes_par_decoupage(ept.c2016, "ctg")
    assert _noms_et_structures(donnees) == [("CTG Est", 0), ("CTG Nord", 2), ("CTG Sud", 1)]
    assert donnees["hors"]["nom"] == "Hors périmètre" and donnees["hors"]["groupe"].structures == 2
    assert donnees["chevauchement"] is True


def test_la_page_montre_le_choix_du_decoupage_et_suit_un_regroupement_ajoute(client, ept):
    client.force_login(ept.pilote)
    page = html.unescape(client.get(url_synthese(ept.c2016)).content.decode())
    section = page[page.index('id="par-territoire"') :]
    assert '<option value="ept" selected>' in section and '<option value="epci">' in section
    assert "Grand-Orly Seine Bièvre" in section and "Hors périmètre" not in section
    epci = html.unescape(client.get(url_synthese(ept.c2016), {"decoupage": "epci"}).content.decode())
    assert '<option value="epci" selected>' in epci and "Grand-Orly" not in epci[epci.index('id="par-territoire"') :]
    # A grouping drawn afterwards is offered at once (its version is part of the cache keys).
    regroupement(Regroupement.Type.TERRITOIRE_CAF, "94-plateau", "Territoire du plateau", ["94028", "94041"])
    caf = html.unescape(client.get(url_synthese(ept.c2016), {"decoupage": "territoire_caf"}).content.decode())
    section = caf[caf.index('id="par-territoire"') :]
    assert '<option value="territoire_caf" selected>' in section
    assert "Territoire du plateau" in section and "Hors périmètre" in section
    assert 'data-note="chevauchement"' not in section


def test_la_page_dit_le_chevauchement(client, ept):
    regroupement(Regroupement.Type.AUTRE, "94-a", "Zone A", ["94028", "94081"])
    regroupement(Regroupement.Type.AUTRE, "94-b", "Zone B", ["94028"])
    client.force_login(ept.pilote)
    page = client.get(url_synthese(ept.c2016), {"decoupage": "autre"}).content.decode()
    assert 'data-note="chevauchement"' in page


def test_choix_du_decoupage_en_cache_nombre_de_requetes_borne(client, ept, django_assert_max_num_queries):
    client.force_login(ept.pilote)
    client.get(url_synthese(ept.c2016), {"decoupage": "epci"})
    with django_assert_max_num_queries(12):
        assert client.get(url_synthese(ept.c2016), {"decoupage": "epci"}).status_code == 200


def test_synthese_non_publiee_par_territoire_reservee(client, ept):
    assert client.get(url_synthese(ept.c2016), {"decoupage": "ept"}).status_code in (302, 403)
    client.force_login(ept.structure_cs1)
    assert client.get(url_synthese(ept.c2016), {"decoupage": "ept"}).status_code == 403


def url_api(campagne, **params):
    from django.urls import reverse

    url = reverse(
        "api:observatoire_synthese_territoires",
        kwargs={"annee": campagne.annee, "code": campagne.departement_id},
    )
    return url + ("?" + "&".join(f"{k}={v}" for k, v in params.items()) if params else "")


def test_api_par_territoire(client, ept):
    base.publier(ept.c2016)
    donnees = client.get(url_api(ept.c2016)).json()
    assert donnees["decoupage"] == "ept" and donnees["decoupages"] == ["epci", "ept"]
    assert donnees["date_des_perimetres"] == "2016-12-31"
    assert [(g["nom"], g["structures"]) for g in donnees["groupes"]] == [
        ("Grand Paris Sud Est Avenir", 1),
        ("Grand-Orly Seine Bièvre", 3),
    ]
    assert donnees["groupes"][1]["indicateurs"]["personnes"]["total"] == 550
    assert donnees["hors_perimetre"] is None
    epci = client.get(url_api(ept.c2016, decoupage="epci")).json()
    assert [g["structures"] for g in epci["groupes"]] == [4]
    inconnu = client.get(url_api(ept.c2016, decoupage="ctg"))
    assert inconnu.status_code == 404 and "proposés : epci, ept" in inconnu.json()["detail"]


def test_api_par_territoire_non_publiee_reservee(client, ept):
    assert client.get(url_api(ept.c2016)).status_code == 403
    client.force_login(ept.partenaire)
    assert client.get(url_api(ept.c2016)).status_code == 200
    client.force_login(ept.structure_cs1)
    assert client.get(url_api(ept.c2016)).status_code == 403


def test_api_par_territoire_nombre_de_requetes_borne(client, ept, django_assert_max_num_queries):
    base.publier(ept.c2016)
    with django_assert_max_num_queries(10):
        assert client.get(url_api(ept.c2016)).status_code == 200
    with django_assert_max_num_queries(5):
        assert client.get(url_api(ept.c2016)).status_code == 200
