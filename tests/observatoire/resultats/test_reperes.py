"""Published references in the results: the selector (levels, nearest earlier year), the honest naming of the
comparison of départements, the pages (fiche, synthesis, portrait) and the API."""

from decimal import Decimal

import pytest
from django.urls import reverse

from maillage.observatoire import selectors_references
from maillage.observatoire.models import Campagne, ValeurReference
from maillage.observatoire.resultats import selectors as selectors_resultats
from tests.territoires.factories import DepartementFactory, RegionFactory

from .test_resultats import jeu, publier  # noqa: F401 - the shared data set of the results

SOURCE = "SENACS national"


def repere(indicateur, annee, valeur, niveau="national", territoire="", **autres):
    return ValeurReference.objects.create(
        indicateur=indicateur,
        annee=annee,
        niveau=niveau,
        territoire=territoire,
        valeur=Decimal(str(valeur)),
        unite="nombre",
        source=autres.pop("source", f"{SOURCE} {annee}"),
        **autres,
    )


@pytest.fixture
def reperes(jeu):  # noqa: F811
    """National figures for 2014 and 2016 (and a later one, 2018), Île-de-France 2015, Val-de-Marne 2016, and a
    figure of another région and of another département that must never show."""
    autre_region = RegionFactory(code="84", nom="Auvergne-Rhône-Alpes")
    DepartementFactory(code="69", nom="Rhône", region=autre_region)
    repere("benevoles_moyenne", 2014, 14)
    repere("benevoles_moyenne", 2016, 15, url="https://www.senacs.fr")
    repere("benevoles_moyenne", 2018, 99)
    repere("benevoles_moyenne", 2015, 13, niveau="regional", territoire="11", source="SENACS Île-de-France 2015")
    repere("benevoles_moyenne", 2016, 77, niveau="regional", territoire="84")
    repere("benevoles_moyenne", 2016, 77, niveau="departemental", territoire="69")
    repere("salaries_etp_moyenne", 2014, 12.5)
    repere(
        "part_caf", 2016, 21, niveau="departemental", territoire="94", source="Caf du Val-de-Marne", illustratif=True
    )
    return jeu


# --- Selector ---------------------------------------------------------------------------------------------------


def test_references_par_niveau_et_annee_la_plus_proche_avant(reperes, django_assert_max_num_queries):
    with django_assert_max_num_queries(2):
        lues = selectors_references.references_pour(
            ["benevoles_moyenne", "salaries_etp_moyenne", "part_caf"], annee=2016, departement="94"
        )
    assert [(r.indicateur, r.niveau, r.territoire_nom, r.annee, r.valeur) for r in lues] == [
        ("benevoles_moyenne", "national", "France", 2016, 15.0),
        ("benevoles_moyenne", "regional", "Île-de-France", 2015, 13.0),  # nearest earlier year
        ("salaries_etp_moyenne", "national", "France", 2014, 12.5),
        ("part_caf", "departemental", "Val-de-Marne", 2016, 21.0),
    ]
    assert lues[1].annee_anterieure and not lues[0].annee_anterieure
    assert lues[0].url == "https://www.senacs.fr" and lues[0].source == "SENACS national 2016"
    assert lues[3].illustratif and lues[3].unite == "pourcentage"


def test_references_jamais_d_une_annee_posterieure(reperes):
    lues = selectors_references.references_pour(["benevoles_moyenne"], annee=2015, departement="94")
    assert [(r.niveau, r.annee, r.valeur) for r in lues] == [("national", 2014, 14.0), ("regional", 2015, 13.0)]
    assert selectors_references.references_pour(["benevoles_moyenne"], annee=2013) == []


def test_references_sans_departement_nationales_seulement(reperes):
    lues = selectors_references.references_pour(annee=2016)
    assert {r.niveau for r in lues} == {"national"}
    assert selectors_references.references_pour(["code_inconnu"], annee=2016) == []


def test_valeur_observee_dans_les_agregats(reperes):
    ensemble = selectors_resultats.synthese(reperes.c2016)["ensemble"]
    # 4 validated answers; Caf income 120,000 of 440,000 of total income
    assert selectors_references.valeur_observee(ensemble, "structures") == 4
    assert (
        selectors_references.valeur_observee(ensemble, "benevoles_moyenne") == ensemble.indicateurs["benevoles"].moyenne
    )
    assert selectors_references.valeur_observee(ensemble, "part_caf") == round(120000 / 440000 * 100, 2)


# --- Honest naming ------------------------------------------------------------------------------------------------


def test_libelle_honnete_selon_le_nombre_de_departements(reperes):
    deux = selectors_resultats.fiche_nationale(2016)
    assert deux["libelle_ensemble"] == "Ensemble des départements de cette plateforme (2 départements)"
    assert not deux["seul_departement"]
    un = selectors_resultats.fiche_nationale(2016, visible=lambda c: c.publiee)
    assert un["seul_departement"] and "national" not in un["libelle_ensemble"]


def test_page_avec_deux_departements(client, reperes):
    client.force_login(reperes.pilote)
    html = client.get(reverse("observatoire:fiche_nationale", args=[2016])).content.decode()
    assert "fiche nationale" not in html.lower()
    assert "Comparaison des départements de cette plateforme" in html
    assert "Ensemble des départements de cette plateforme (2 départements)" in html  # the « all » row
    assert "ce ne sont pas des chiffres nationaux" in html
    # National references only (no région or département is « the » one of the page)
    assert "SENACS national 2016" in html and "Île-de-France" not in html
    assert "valeur illustrative" not in html
    assert reverse("observatoire:reperes") in html  # the pilote may import


def test_page_avec_un_seul_departement_ne_se_compare_pas_a_lui_meme(client, reperes):
    # The public sees the 93 only (the 94's campaign is not published)
    reperes.c93.delete()
    publier(reperes.c2016)
    html = client.get(reverse("observatoire:fiche_nationale", args=[2016])).content.decode()
    assert "Ensemble des départements" not in html and "<tfoot>" not in html
    assert "ne compte qu'un département, Val-de-Marne" in html
    # Its own references at every level, the illustrative one said so
    assert "SENACS Île-de-France 2015" in html and "(pas de chiffre 2016)" in html
    assert "Caf du Val-de-Marne" in html and "valeur illustrative, non officielle" in html
    assert "Valeurs illustratives, non officielles" in html
    assert reverse("observatoire:reperes") not in html  # the public may not import


def test_page_sans_repere_le_dit(client, jeu):  # noqa: F811
    html = client.get(reverse("observatoire:fiche_nationale", args=[2016])).content.decode()
    assert "Aucun repère publié n'est importé" in html


def test_page_nombre_de_requetes_borne(client, reperes, django_assert_max_num_queries):
    url = reverse("observatoire:fiche_nationale", args=[2016])
    client.get(url)
    with django_assert_max_num_queries(12):
        assert client.get(url).status_code == 200


# --- Synthesis, portrait, API ------------------------------------------------------------------------------------


def test_synthese_montre_les_reperes_face_au_departement(client, reperes):
    client.force_login(reperes.pilote)
    html = client.get(reverse("observatoire:synthese", args=[2016, "94"])).content.decode()
    assert "Repères publiés" in html and "Val-de-Marne face aux repères publiés" in html
    assert "SENACS Île-de-France 2015" in html and "Auvergne" not in html
    assert "valeur illustrative, non officielle" in html


def test_portrait_montre_les_reperes(client, reperes):
    client.force_login(reperes.pilote)
    html = client.get(reverse("observatoire:portrait", args=[2016, reperes.cs1.pk])).content.decode()
    assert "Repères publiés" in html
    assert "Bénévoles par structure (moyenne) — national 2016 : <strong>15</strong>" in html
    assert 'href="https://www.senacs.fr"' in html


def test_api_synthese_porte_les_references(client, reperes):
    publier(reperes.c2016)
    donnees = client.get("/api/v1/observatoire/campagnes/2016/departements/94/synthese").json()
    lues = {(r["indicateur"], r["niveau"]): r for r in donnees["references"]}
    assert set(lues) == {
        ("benevoles_moyenne", "national"),
        ("benevoles_moyenne", "regional"),
        ("salaries_etp_moyenne", "national"),
        ("part_caf", "departemental"),
    }
    regional = lues[("benevoles_moyenne", "regional")]
    assert regional["annee"] == 2015 and regional["territoire"] == "11" and regional["valeur"] == 13
    assert regional["source"] == "SENACS Île-de-France 2015" and regional["url"] == ""
    assert regional["libelle"] == "Bénévoles par structure (moyenne)" and regional["unite"] == "nombre"
    assert regional["valeur_observee"] == donnees["indicateurs"]["benevoles"]["moyenne"]
    assert lues[("part_caf", "departemental")]["illustratif"] is True


def test_api_non_publiee_toujours_refusee(client, reperes):
    assert Campagne.objects.get(pk=reperes.c2016.pk).publiee is False
    assert client.get("/api/v1/observatoire/campagnes/2016/departements/94/synthese").status_code == 403
