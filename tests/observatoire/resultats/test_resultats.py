"""Results of the observatoire: pure aggregates, the synthesis with N-1, the national sheet, portraits, access."""

from types import SimpleNamespace

import pytest
from django.urls import reverse
from django.utils import timezone

from maillage.comptes.models import Mandat, Role
from maillage.observatoire import agregats, services
from maillage.observatoire.models import Statut
from maillage.observatoire.resultats import selectors as selectors_resultats
from maillage.structures.models import TypeStructure
from tests.comptes.factories import MandatFactory, UtilisateurFactory
from tests.observatoire.factories import CampagneFactory, ReponseFactory
from tests.structures.factories import StructureFactory
from tests.territoires.factories import CommuneFactory, DepartementFactory

from ..conftest import SOCLE


def repondre(campagne, structure, statut, valeurs):
    maintenant = timezone.now()
    return ReponseFactory(
        campagne=campagne,
        structure=structure,
        statut=statut,
        valeurs=valeurs,
        soumise_le=None if statut == Statut.BROUILLON else maintenant,
        validee_le=maintenant if statut == Statut.VALIDEE else None,
        verrouillee=statut == Statut.VALIDEE,
    )


@pytest.fixture
def jeu(territoire_94):
    """Dép. 94, campaign 2016 (unpublished): 4 validated answers, 1 submitted, 1 sent back, 1 draft; campaign 2015
    with 2 validated answers; dép. 93, campaign 2016 (published) with 1 validated answer."""
    creteil, vitry, ivry = territoire_94.communes
    dep = territoire_94.departement
    socle, _ = services.questionnaire_charger(chemin=SOCLE)
    c2016 = CampagneFactory(departement=dep, annee=2016, questionnaire=socle)
    c2015 = CampagneFactory(departement=dep, annee=2015, questionnaire=socle, publiee=True, publiee_le=timezone.now())
    cs1 = StructureFactory(nom="Centre social des Bleuets", commune=creteil)
    cs2 = StructureFactory(nom="Centre social Balzac", commune=vitry)
    evs = StructureFactory(nom="EVS d'Ivry", type=TypeStructure.EVS, commune=ivry)
    cs4 = StructureFactory(nom="Centre social Pierre et Marie Curie", commune=ivry)
    soumise = StructureFactory(nom="Centre social soumis", commune=creteil)
    a_corriger = StructureFactory(nom="Centre social à corriger", commune=creteil)
    brouillon = StructureFactory(nom="Centre social en brouillon", commune=vitry)
    V = Statut.VALIDEE
    r1 = repondre(c2016, cs1, V, {
        "pub_personnes": 100, "pub_tranches_age": {"0-3": {"personnes": 10}, "60+": {"personnes": 30}},
        "gouv_benevoles_activite": 10, "gouv_benevoles_gouvernance": 5, "gouv_habitants_instance": 3,
        "pers_etp": 2.5, "fin_charges_totales": 100000, "fin_produits_totaux": 100000,
        "fin_produit_caf_ps_agc": 40000, "fin_produit_communes": 60000,
    })  # fmt: skip
    repondre(c2016, cs2, V, {
        "pub_personnes": 300, "gouv_benevoles_activite": 20, "gouv_benevoles_gouvernance": 1,
        "gouv_habitants_instance": 5, "pers_etp": 4, "fin_charges_totales": 300000, "fin_produits_totaux": 300000,
        "fin_produit_caf_ps_agc": 60000, "fin_produit_communes": 240000,
    })  # fmt: skip
    repondre(c2016, evs, V, {
        "pub_personnes": 50, "gouv_benevoles_activite": 6, "pers_etp": 1, "fin_charges_totales": 50000,
        "fin_produits_totaux": 40000, "fin_produit_caf_ps_animation_locale": 20000, "fin_produit_communes": 20000,
    })  # fmt: skip
    repondre(c2016, cs4, V, {
        "pub_personnes": 200, "gouv_benevoles_activite": 4, "gouv_benevoles_gouvernance": 2, "pers_etp": 3,
        "fin_charges_totales": 150000,
    })  # fmt: skip
    repondre(c2016, soumise, Statut.SOUMISE, {"pub_personnes": 9999, "gouv_benevoles_activite": 999})
    repondre(c2016, a_corriger, Statut.A_CORRIGER, {"pub_personnes": 8888})
    repondre(c2016, brouillon, Statut.BROUILLON, {"pub_personnes": 7777})
    repondre(c2015, cs1, V, {"pub_personnes": 80, "gouv_benevoles_activite": 12})
    repondre(c2015, cs2, V, {"pub_personnes": 120})
    repondre(c2015, evs, Statut.SOUMISE, {"pub_personnes": 5000})

    dep93 = DepartementFactory(code="93", nom="Seine-Saint-Denis", region=territoire_94.region)
    bobigny = CommuneFactory(code="93008", nom="Bobigny", departement=dep93)
    c93 = CampagneFactory(departement=dep93, annee=2016, questionnaire=socle, publiee=True, publiee_le=timezone.now())
    cs93 = StructureFactory(nom="Centre social de Bobigny", commune=bobigny)
    repondre(c93, cs93, V, {"pub_personnes": 1000, "gouv_benevoles_activite": 40, "fin_charges_totales": 400000})

    def compte(role, **kw):
        return UtilisateurFactory(role=role, **kw)

    return SimpleNamespace(
        dep=dep, dep93=dep93, c2016=c2016, c2015=c2015, c93=c93, cs1=cs1, cs2=cs2, evs=evs, cs4=cs4, r1=r1,
        creteil=creteil, vitry=vitry, ivry=ivry, epci=territoire_94.epci,
        pilote=compte(Role.PILOTE, departements=[dep]),
        conseiller=compte(Role.CONSEILLER, departements=[dep], communes=[creteil]),
        partenaire=compte(Role.PARTENAIRE, departements=[dep]),
        correspondant=compte(Role.PARTENAIRE, departements=[dep], organisation=MandatFactory(
            nature=Mandat.Nature.CORRESPONDANT_OBSERVATOIRE, organisation__departement=dep).organisation),
        pilote93=compte(Role.PILOTE, departements=[dep93]),
        structure_cs1=compte(Role.STRUCTURE, departements=[dep], structure=cs1),
        structure_cs2=compte(Role.STRUCTURE, departements=[dep], structure=cs2),
    )  # fmt: skip


def publier(campagne):
    campagne.publiee, campagne.publiee_le = True, timezone.now()
    campagne.save()


# --- Pure aggregates -------------------------------------------------------------------------------


def test_statistiques_mediane_paire_et_impaire():
    assert agregats.statistiques([4, 1, 3, 2]).as_dict() == {"n": 4, "total": 10, "moyenne": 2.5, "mediane": 2.5}
    assert agregats.statistiques([5, 1, 3]).mediane == 3
    assert agregats.statistiques([]).as_dict() == {"n": 0, "total": 0, "moyenne": None, "mediane": None}


def test_lecture_des_valeurs_tableaux_sommes_et_absences():
    valeurs = {"a": 2, "b": "3,5", "t": {"x": {"c": 1}, "y": {"c": 4}}, "oui": True}
    assert agregats.lire_valeur(valeurs, "b") == 3.5
    assert agregats.lire_valeur(valeurs, "t.*.c") == 5
    assert agregats.lire_valeur(valeurs, "t.y.c") == 4
    assert agregats.lire_valeur(valeurs, ("a", "absente")) == 2
    assert agregats.lire_valeur(valeurs, ("absente", "autre")) is None
    assert agregats.lire_valeur(valeurs, "oui") is None  # a yes/no answer is not a number


def test_agreger_par_type_parts_et_valeurs_manquantes():
    lignes = [
        agregats.Ligne(1, {"pub_personnes": 10, "fin_produits_totaux": 100, "fin_produit_communes": 25}, type="cs"),
        agregats.Ligne(2, {"pub_personnes": 30}, type="cs"),
        agregats.Ligne(3, {}, type="evs"),
    ]
    groupes = agregats.agreger_par(lignes, "type")
    assert [g.cle for g in groupes] == ["cs", "evs"]
    cs, evs = groupes
    assert cs.indicateurs["personnes"].as_dict() == {"n": 2, "total": 40, "moyenne": 20, "mediane": 20}
    assert cs.parts["structures"] == pytest.approx(0.6667)
    assert cs.parts["produit_communes"] == 0.25
    assert evs.indicateurs["personnes"].n == 0  # not answered ≠ 0
    assert evs.parts["produit_communes"] is None
    with pytest.raises(ValueError):
        agregats.agreger_par(lignes, "region")


# --- Synthesis of a campaign -----------------------------------------------------------------------


def test_synthese_sur_les_seules_reponses_validees(jeu):
    s = selectors_resultats.synthese(jeu.c2016)
    assert s["reponses"] == {"attendues": 7, "recues": 6, "validees": 4, "taux_reponse": 0.8571}
    ind = s["ensemble"].indicateurs
    assert ind["personnes"].as_dict() == {"n": 4, "total": 650, "moyenne": 162.5, "mediane": 150}
    assert ind["benevoles"].as_dict() == {"n": 4, "total": 48, "moyenne": 12, "mediane": 10.5}
    assert ind["salaries_etp"].as_dict() == {"n": 4, "total": 10.5, "moyenne": 2.62, "mediane": 2.75}
    assert ind["budget"].as_dict() == {"n": 4, "total": 600000, "moyenne": 150000, "mediane": 125000}
    assert ind["habitants_instances"].as_dict() == {"n": 2, "total": 8, "moyenne": 4, "mediane": 4}
    assert ind["tranches_0_3"].total == 10 and ind["tranches_60"].total == 30
    assert ind["produit_caf"].total == 120000
    assert s["ensemble"].parts["produit_caf"] == 0.2727
    assert s["ensemble"].parts["produit_communes"] == 0.7273
    assert s["ensemble"].parts["produit_epci"] is None  # nobody answered: unknown, not 0 %


def test_synthese_par_type_epci_et_commune(jeu):
    s = selectors_resultats.synthese(jeu.c2016)
    par_type = {g["cle"]: g for g in s["par_type"]}
    assert par_type["centre_social"]["nom"] == "Centre social"
    cs = par_type["centre_social"]["groupe"]
    assert (cs.structures, cs.parts["structures"]) == (3, 0.75)
    assert cs.indicateurs["personnes"].as_dict() == {"n": 3, "total": 600, "moyenne": 200, "mediane": 200}
    assert par_type["evs"]["groupe"].indicateurs["personnes"].total == 50
    assert [(g["nom"], g["groupe"].structures) for g in s["par_epci"]] == [("Métropole du Grand Paris", 4)]
    communes = {g["nom"]: g["groupe"] for g in s["par_commune"]}
    assert communes["Ivry-sur-Seine"].indicateurs["personnes"].total == 250
    assert communes["Créteil"].structures == 1  # the submitted and sent-back answers are not counted


def test_comparaison_n_moins_1(jeu):
    s = selectors_resultats.synthese(jeu.c2016)
    assert s["precedente"] == jeu.c2015
    personnes = s["comparaison"]["personnes"]
    assert personnes == {
        "total": 650, "total_n1": 200, "evolution_total": 2.25, "mediane": 150, "mediane_n1": 100,
    }  # fmt: skip
    assert s["comparaison"]["budget"]["total_n1"] is None
    sans_precedente = selectors_resultats.synthese(jeu.c93)
    assert sans_precedente["precedente"] is None
    assert sans_precedente["comparaison"]["personnes"]["evolution_total"] is None


def test_fiche_nationale(jeu):
    fiche = selectors_resultats.fiche_nationale(2016)
    assert [d["departement"].code for d in fiche["departements"]] == ["93", "94"]
    assert fiche["ensemble"].indicateurs["personnes"].total == 1650
    assert fiche["ensemble"].structures == 5
    publiees = selectors_resultats.fiche_nationale(2016, visible=lambda c: c.publiee)
    assert [d["departement"].code for d in publiees["departements"]] == ["93"]
    assert publiees["ensemble"].indicateurs["personnes"].total == 1000


# --- Pages and access ------------------------------------------------------------------------------


def url_synthese(campagne):
    return reverse("observatoire:synthese", args=[campagne.annee, campagne.departement_id])


def test_synthese_non_publiee_reservee_caf_et_partenaires(client, jeu):
    url = url_synthese(jeu.c2016)
    assert client.get(url).status_code == 403
    for user in (jeu.pilote93, jeu.structure_cs1):
        client.force_login(user)
        assert client.get(url).status_code == 403
    for user in (jeu.pilote, jeu.conseiller, jeu.partenaire):
        client.force_login(user)
        reponse = client.get(url)
        assert reponse.status_code == 200
        assert "650" in reponse.content.decode()


def test_synthese_publiee_publique_sans_reponses_individuelles(client, jeu):
    publier(jeu.c2016)
    reponse = client.get(url_synthese(jeu.c2016))
    assert reponse.status_code == 200
    html = reponse.content.decode()
    assert "Val-de-Marne" in html and "162,5" in html
    assert "Centre social des Bleuets" not in html  # no structure's own answer
    assert reverse("observatoire:rapport_xlsx", args=[2016, "94"]) not in html
    assert reverse("observatoire:rapport_pdf", args=[2016, "94"]) in html


def test_synthese_inconnue_404(client, jeu):
    assert client.get(reverse("observatoire:synthese", args=[2016, "75"])).status_code == 404
    assert client.get(reverse("observatoire:synthese", args=[2012, "94"])).status_code == 404


def test_synthese_nombre_de_requetes_borne(client, jeu, django_assert_max_num_queries):
    # A fixed number, whatever the answers: the cuts and their périmètres (2), the published references with the
    # département's région (2) come beside the campaign's own reads.
    publier(jeu.c2016)
    with django_assert_max_num_queries(12):
        assert client.get(url_synthese(jeu.c2016)).status_code == 200
    for i in range(6):
        repondre(jeu.c2016, StructureFactory(commune=jeu.vitry), Statut.VALIDEE, {"pub_personnes": i})
    with django_assert_max_num_queries(12):
        assert client.get(url_synthese(jeu.c2016)).status_code == 200


def test_fiche_nationale_page(client, jeu):
    url = reverse("observatoire:fiche_nationale", args=[2016])
    lien_94 = f'href="{url_synthese(jeu.c2016)}"'
    html = client.get(url).content.decode()
    assert f'href="{url_synthese(jeu.c93)}"' in html and lien_94 not in html
    client.force_login(jeu.pilote)
    html = client.get(url).content.decode()
    assert f'href="{url_synthese(jeu.c93)}"' in html and lien_94 in html


def test_portrait(client, jeu):
    url = reverse("observatoire:portrait", args=[2016, jeu.cs1.pk])
    publier(jeu.c2016)
    assert client.get(url).status_code == 403  # individual answers are never public
    for user in (jeu.structure_cs2, jeu.pilote93, jeu.partenaire):
        client.force_login(user)
        assert client.get(url).status_code == 403
    for user in (jeu.structure_cs1, jeu.pilote, jeu.conseiller):
        client.force_login(user)
        reponse = client.get(url)
        assert reponse.status_code == 200
    html = reponse.content.decode()
    assert "Centre social des Bleuets" in html
    assert "162,5" in html and "150" in html  # the département's mean and median of persons reached
    assert client.get(reverse("observatoire:portrait", args=[2013, jeu.cs1.pk])).status_code == 404


def _entetes(html: str) -> list[str]:
    import re

    tableau = html[html.index("Indicateurs de la campagne") :]
    tableau = tableau[: tableau.index("</thead>")]
    return [re.sub(r"<[^>]+>", "", t).strip() for t in re.findall(r"<th[^>]*>(.*?)</th>", tableau, re.S)]


def test_colonnes_de_l_annee_precedente_seulement_quand_elle_existe(client, jeu):
    client.force_login(jeu.pilote)
    avec = client.get(url_synthese(jeu.c2016)).content.decode()
    assert _entetes(avec)[-2:] == ["Total 2015", "Évolution"]
    assert "N-1" not in avec
    client.force_login(jeu.pilote93)
    sans = client.get(url_synthese(jeu.c93)).content.decode()
    entetes = _entetes(sans)
    assert entetes[-1] == "Médiane" and not any("Total 20" in e or "Évolution" in e for e in entetes)


def test_budget_de_l_observatoire_dit_son_perimetre(client, jeu):
    client.force_login(jeu.pilote)
    html = client.get(url_synthese(jeu.c2016)).content.decode()
    note = html[html.index('data-chiffre="perimetre-budget"') :][:400]
    assert "Réponses validées de la campagne 2016 (budgets 2015)" in note
    assert "budgets saisis" in note
