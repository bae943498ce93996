import gzip
import json
import re

import pytest
from django.urls import reverse
from django.utils import timezone

from maillage.territoires.models import QPV, Chargement, Commune
from tests.conftest import carre
from tests.territoires.factories import CommuneFactory, DepartementFactory, QPVFactory, RegionFactory

pytestmark = pytest.mark.django_db

NNBSP = "\u202f"
URL_94 = "/territoires/departements/94/"
GEOJSON_94 = "/territoires/departements/94/communes.geojson"


def lignes_du_tableau(html: str) -> list[str]:
    """Commune names of the table, in display order."""
    return re.findall(r'<th scope="row"><a href="/territoires/communes/\d\w+/">([^<]+)</a></th>', html)


def chargement():
    maintenant = timezone.now()
    return Chargement.objects.create(
        commande="charger_territoires", statut=Chargement.Statut.REUSSI, debut=maintenant, fin=maintenant
    )


# --- Choosing a département ---------------------------------------------------


def test_choisir_redirige_vers_le_departement(client, territoire_94):
    reponse = client.get("/territoires/choisir/", {"departement": "94"})
    assert reponse.status_code == 302
    assert reponse["Location"] == URL_94


def test_choisir_accepte_les_minuscules_de_la_corse(client):
    DepartementFactory(code="2A", nom="Corse-du-Sud", region=RegionFactory(code="94", nom="Corse"))
    reponse = client.get("/territoires/choisir/", {"departement": " 2a "})
    assert reponse["Location"] == "/territoires/departements/2A/"


@pytest.mark.parametrize("code", ["99", "", "<script>", "9" * 40])
def test_choisir_un_code_inconnu_donne_une_404_en_francais(client, territoire_94, code):
    reponse = client.get("/territoires/choisir/", {"departement": code})
    assert reponse.status_code == 404
    assert "Page introuvable" in reponse.content.decode()


# --- Département page ---------------------------------------------------------


def test_page_departement(client, territoire_94):
    reponse = client.get(URL_94)
    assert reponse.status_code == 200
    html = reponse.content.decode()
    assert "<h1>Val-de-Marne" in html
    # Breadcrumb: Accueil › Région › Département.
    fil = html[html.index('aria-label="Fil d\'Ariane"') :]
    fil = fil[: fil.index("</nav>")]
    assert '<a href="/">Accueil</a>' in fil
    assert '<a href="/#region-11">Île-de-France</a>' in fil
    assert '<span aria-current="page">Val-de-Marne</span>' in fil
    # Key figures in French format (narrow no-break space), with millésime and source.
    assert f"246{NNBSP}214" in html
    assert "Population municipale 2017" in html
    assert "INSEE, populations légales" in html
    assert re.search(r"chiffre__valeur\">3</dd>\s*</div>", html)  # communes
    assert "Génération 2024" in html


def test_page_departement_chiffres_cles(client, territoire_94):
    contexte = client.get(URL_94).context
    assert contexte["departement"].nombre_communes == 3
    assert contexte["nombre_epci"] == 1
    assert contexte["nombre_qpv"] == 3
    assert contexte["generation_qpv"] == 2024


def test_page_departement_carte_sans_geometrie_dans_le_html(client, territoire_94):
    html = client.get(URL_94).content.decode()
    assert f'data-geojson="{GEOJSON_94}"' in html
    assert 'role="region" aria-label="Carte des communes du département Val-de-Marne"' in html
    assert "équivalent accessible de la carte" in html
    assert "coordinates" not in html
    assert "Polygon" not in html
    # No tile server unless configured.
    assert "data-tuiles-url" not in html
    # CSP: no inline script nor style attribute.
    assert "<script>" not in html
    assert " style=" not in html
    assert "vendor/leaflet/leaflet.js" in html
    assert "maillage/js/carte.js" in html


def test_page_departement_tuiles_configurees(client, territoire_94, settings):
    settings.MAILLAGE_TUILES_URL = "https://tuiles.exemple.fr/{z}/{x}/{y}.png"
    settings.MAILLAGE_TUILES_ATTRIBUTION = "© Exemple & contributeurs"
    html = client.get(URL_94).content.decode()
    assert 'data-tuiles-url="https://tuiles.exemple.fr/{z}/{x}/{y}.png"' in html
    assert 'data-tuiles-attribution="© Exemple &amp; contributeurs"' in html


def test_tableau_des_communes(client, territoire_94):
    html = client.get(URL_94).content.decode()
    # Sorted by name by default, one row per commune, linked to its page.
    assert lignes_du_tableau(html) == ["Créteil", "Ivry-sur-Seine", "Vitry-sur-Seine"]
    assert '<caption id="legende-communes">' in html
    assert f'<td class="nombre">90{NNBSP}605</td>' in html
    assert "Métropole du Grand Paris" in html
    assert 'aria-sort="ascending"' in html


def test_tableau_nombre_de_qpv_par_commune(client, territoire_94):
    communes = {c.code: c.nombre_qpv for c in client.get(URL_94).context["communes"]}
    assert communes == {"94028": 2, "94081": 1, "94041": 0}


@pytest.mark.parametrize(
    ("parametres", "attendu", "aria"),
    [
        ({"tri": "population", "ordre": "desc"}, ["Vitry-sur-Seine", "Créteil", "Ivry-sur-Seine"], "descending"),
        ({"tri": "population", "ordre": "asc"}, ["Ivry-sur-Seine", "Créteil", "Vitry-sur-Seine"], "ascending"),
        ({"tri": "qpv"}, ["Créteil", "Vitry-sur-Seine", "Ivry-sur-Seine"], "descending"),
        ({"tri": "code"}, ["Créteil", "Ivry-sur-Seine", "Vitry-sur-Seine"], "ascending"),
        ({"tri": "nom", "ordre": "desc"}, ["Vitry-sur-Seine", "Ivry-sur-Seine", "Créteil"], "descending"),
        # Forged parameters fall back to the default order.
        ({"tri": "geometrie", "ordre": "n'importe"}, ["Créteil", "Ivry-sur-Seine", "Vitry-sur-Seine"], "ascending"),
    ],
)
def test_tri_du_tableau(client, territoire_94, parametres, attendu, aria):
    html = client.get(URL_94, parametres).content.decode()
    assert lignes_du_tableau(html) == attendu
    assert html.count("aria-sort=") == 1
    assert f'aria-sort="{aria}"' in html


def test_tri_sans_tenir_compte_des_accents(client, territoire_94):
    CommuneFactory(departement=territoire_94.departement, code="94999", nom="Île-Fictive")
    html = client.get(URL_94).content.decode()
    assert lignes_du_tableau(html) == ["Créteil", "Île-Fictive", "Ivry-sur-Seine", "Vitry-sur-Seine"]


def test_liens_de_tri_utilisables_sans_javascript(client, territoire_94):
    html = client.get(URL_94, {"tri": "population", "ordre": "desc"}).content.decode()
    # The active column offers the reverse order; the link's name says what it does.
    assert 'href="?tri=population&amp;ordre=asc#communes"' in html
    assert 'Population<span class="visuellement-cache"> : trier par ordre croissant</span>' in html
    assert 'href="?tri=nom&amp;ordre=asc#communes"' in html


def test_tri_avec_htmx_ne_renvoie_que_le_tableau(client, territoire_94):
    reponse = client.get(URL_94, {"tri": "population", "ordre": "desc"}, headers={"HX-Request": "true"})
    html = reponse.content.decode()
    assert "<html" not in html
    assert html.startswith('<div class="tableau-defilant" id="tableau-communes"')
    assert lignes_du_tableau(html) == ["Vitry-sur-Seine", "Créteil", "Ivry-sur-Seine"]
    assert 'id="annonce-tri" hx-swap-oob="innerHTML">Tableau trié par population, ordre décroissant.' in html


def test_restauration_d_historique_htmx_renvoie_la_page_entiere(client, territoire_94):
    entetes = {"HX-Request": "true", "HX-History-Restore-Request": "true"}
    html = client.get(URL_94, headers=entetes).content.decode()
    assert "<html" in html
    assert "hx-swap-oob" not in html


def test_departement_inconnu_donne_une_404_en_francais(client, territoire_94):
    reponse = client.get("/territoires/departements/99/")
    assert reponse.status_code == 404
    html = reponse.content.decode()
    assert "Page introuvable" in html
    assert '<html lang="fr">' in html


def test_departement_sans_qpv(client):
    dep = DepartementFactory(code="2A", nom="Corse-du-Sud", region=RegionFactory(code="94", nom="Corse"))
    CommuneFactory(departement=dep, code="2A004", nom="Ajaccio", population=70_000)
    html = client.get("/territoires/departements/2A/").content.decode()
    assert "Aucun quartier prioritaire chargé" in html
    assert "legende__symbole--qpv-1" not in html


def test_departement_sans_commune(client):
    DepartementFactory(code="976", nom="Mayotte", region=RegionFactory(code="06", nom="Mayotte"))
    reponse = client.get("/territoires/departements/976/")
    assert reponse.status_code == 200
    assert "Aucune commune n'est chargée pour ce département." in reponse.content.decode()


def test_deux_generations_de_qpv_ne_sont_pas_additionnees(client, territoire_94):
    creteil = territoire_94.communes[0]
    QPVFactory(code="QP094001", nom="Ancien quartier", generation=QPV.Generation.G2015, communes=[creteil])
    reponse = client.get(URL_94)
    assert reponse.context["nombre_qpv"] == 3
    assert reponse.context["generations_qpv"] == {2024: 3, 2015: 1}
    assert {c.code: c.nombre_qpv for c in reponse.context["communes"]}["94028"] == 2
    assert "1 en génération 2015" in reponse.content.decode()


def test_un_qpv_sur_deux_communes_compte_une_fois(client, territoire_94):
    creteil, vitry, _ = territoire_94.communes
    QPVFactory(code="QN09499M", nom="Quartier partagé", communes=[creteil, vitry])
    assert client.get(URL_94).context["nombre_qpv"] == 4


def test_requetes_bornees_quel_que_soit_le_nombre_de_communes(client, territoire_94, django_assert_max_num_queries):
    # Two queries for the data version, four to compute the page.
    with django_assert_max_num_queries(6):
        client.get(URL_94)
    # Fifty more communes (and communes elsewhere) add no query.
    for i in range(50):
        CommuneFactory(departement=territoire_94.departement, code=f"94{500 + i}", nom=f"Commune {i}")
    autre = DepartementFactory(code="93", nom="Seine-Saint-Denis", region=territoire_94.region)
    for i in range(20):
        CommuneFactory(departement=autre, code=f"93{500 + i}", nom=f"Commune {i}")
    with django_assert_max_num_queries(6):
        reponse = client.get(URL_94)
    assert len(reponse.context["communes"]) == 53


def test_page_departement_en_cache_jusqu_au_prochain_changement(client, territoire_94, django_assert_num_queries):
    client.get(URL_94)
    # Cached: only the data version is read.
    with django_assert_num_queries(2):
        reponse = client.get(URL_94)
    assert "Créteil" in reponse.content.decode()
    # An audited edit (admin, service) changes the version: the page is recomputed.
    creteil = territoire_94.communes[0]
    creteil.nom = "Créteil-Renommée"
    creteil.save()
    assert "Créteil-Renommée" in client.get(URL_94).content.decode()


def test_les_requetes_de_la_page_ne_lisent_pas_les_contours(client, territoire_94):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    with CaptureQueriesContext(connection) as requetes:
        client.get(URL_94)
    assert not any('"geometrie"' in q["sql"] and 'FROM "territoires_commune"' in q["sql"] for q in requetes)


# --- Département GeoJSON --------------------------------------------------------


def test_geojson_du_departement(client, territoire_94):
    reponse = client.get(GEOJSON_94)
    assert reponse.status_code == 200
    assert reponse["Content-Type"] == "application/geo+json"
    donnees = json.loads(reponse.content)
    assert donnees["type"] == "FeatureCollection"
    features = {f["properties"]["code"]: f for f in donnees["features"]}
    assert set(features) == {"94028", "94081", "94041"}
    creteil = features["94028"]
    assert creteil["type"] == "Feature"
    assert creteil["properties"] == {
        "code": "94028",
        "nom": "Créteil",
        "population": 90_605,
        "qpv": 2,
        "url": "/territoires/communes/94028/",
    }
    assert creteil["geometry"] == json.loads(carre(2.44, 48.78))


def test_geojson_reprend_le_texte_stocke_tel_quel(client, territoire_94):
    # The stored text is concatenated, not parsed and re-dumped (35,000 outlines must stay cheap).
    texte = '{"type": "Polygon",  "coordinates": [[[2.1, 48.1], [2.2, 48.1], [2.2, 48.2], [2.1, 48.1]]]}'
    Commune.objects.filter(code="94028").update(geometrie=texte)
    assert texte.encode() in client.get(GEOJSON_94).content


def test_geojson_omet_les_communes_sans_contour(client, territoire_94):
    Commune.objects.filter(code="94041").update(geometrie="")
    codes = [f["properties"]["code"] for f in json.loads(client.get(GEOJSON_94).content)["features"]]
    assert codes == ["94028", "94081"]


def test_geojson_departement_inconnu(client, territoire_94):
    assert client.get("/territoires/departements/99/communes.geojson").status_code == 404


def test_geojson_departement_sans_commune(client):
    DepartementFactory(code="976", nom="Mayotte", region=RegionFactory(code="06", nom="Mayotte"))
    reponse = client.get("/territoires/departements/976/communes.geojson")
    assert json.loads(reponse.content) == {"type": "FeatureCollection", "features": []}


def test_geojson_etag_et_304(client, territoire_94):
    reponse = client.get(GEOJSON_94)
    etag = reponse["ETag"]
    assert re.fullmatch(r'"[0-9a-f]{32}"', etag)
    assert "public" in reponse["Cache-Control"]
    assert "max-age=300" in reponse["Cache-Control"]
    assert "Accept-Encoding" in reponse["Vary"]

    revalidation = client.get(GEOJSON_94, headers={"If-None-Match": etag})
    assert revalidation.status_code == 304
    assert revalidation.content == b""
    assert revalidation["ETag"] == etag

    faible = client.get(GEOJSON_94, headers={"If-None-Match": f'"autre", W/{etag}'})
    assert faible.status_code == 304

    perime = client.get(GEOJSON_94, headers={"If-None-Match": '"perime"'})
    assert perime.status_code == 200


def test_geojson_compresse_quand_le_client_l_accepte(client, territoire_94):
    clair = client.get(GEOJSON_94).content
    reponse = client.get(GEOJSON_94, headers={"Accept-Encoding": "gzip, deflate, br"})
    assert reponse["Content-Encoding"] == "gzip"
    assert gzip.decompress(reponse.content) == clair


def test_geojson_en_cache_une_seule_requete(client, territoire_94, django_assert_num_queries):
    client.get(GEOJSON_94)
    # Once cached, a request costs two small queries (the data version), whatever the size of the outlines.
    with django_assert_num_queries(2):
        reponse = client.get(GEOJSON_94)
    assert reponse.status_code == 200


def test_geojson_change_apres_un_chargement(client, territoire_94):
    avant = client.get(GEOJSON_94)
    Commune.objects.filter(code="94028").update(geometrie=carre(2.0, 48.0))
    # Without a new load, the cached bytes are served (loads are the only bulk writers).
    assert client.get(GEOJSON_94)["ETag"] == avant["ETag"]
    chargement()
    apres = client.get(GEOJSON_94)
    assert apres["ETag"] != avant["ETag"]
    features = {f["properties"]["code"]: f for f in json.loads(apres.content)["features"]}
    assert features["94028"]["geometry"] == json.loads(carre(2.0, 48.0))
    assert client.get(GEOJSON_94, headers={"If-None-Match": avant["ETag"]}).status_code == 200


def test_geojson_meme_donnees_meme_etag(client, territoire_94):
    from django.core.cache import cache

    premier = client.get(GEOJSON_94)["ETag"]
    cache.clear()
    assert client.get(GEOJSON_94)["ETag"] == premier


# --- Commune page -----------------------------------------------------------------


def test_page_commune(client, territoire_94):
    reponse = client.get("/territoires/communes/94028/")
    assert reponse.status_code == 200
    html = reponse.content.decode()
    assert "<h1>Créteil" in html
    fil = html[html.index('aria-label="Fil d\'Ariane"') :]
    fil = fil[: fil.index("</nav>")]
    assert '<a href="/#region-11">Île-de-France</a>' in fil
    assert '<a href="/territoires/departements/94/">Val-de-Marne</a>' in fil
    assert '<span aria-current="page">Créteil</span>' in fil
    assert f"90{NNBSP}605" in html
    assert "Population municipale 2017" in html
    assert "INSEE, populations légales" in html
    assert "Métropole du Grand Paris" in html
    assert "Métropole</span>" in html  # EPCI type
    # QPV: code, name, generation.
    assert "QN09405M" in html
    assert "Mont Mesly - La Habette - Coteaux du Sud" in html
    assert "Les Bleuets" in html
    assert '<td class="nombre">2024</td>' in html
    assert "QN09414M" not in html  # Vitry's
    # Link to the API representation, and the small map fed by a URL.
    assert 'href="/api/v1/territoires/communes/94028"' in html
    assert 'data-geojson="/territoires/communes/94028/contour.geojson"' in html
    assert "coordinates" not in html
    assert "quartier prioritaire</li>" in html  # the legend: one QPV has an outline


def test_page_commune_sans_qpv(client, territoire_94):
    html = client.get("/territoires/communes/94041/").content.decode()
    assert "Aucun quartier prioritaire n'est enregistré pour cette commune." in html
    assert "legende__symbole--qpv" not in html


def test_page_commune_requetes_bornees(client, territoire_94, django_assert_max_num_queries):
    with django_assert_max_num_queries(2):
        client.get("/territoires/communes/94028/")


def test_commune_inconnue(client, territoire_94):
    reponse = client.get("/territoires/communes/94999/")
    assert reponse.status_code == 404
    assert "Page introuvable" in reponse.content.decode()


def test_geojson_de_la_commune_avec_ses_qpv(client, territoire_94):
    reponse = client.get("/territoires/communes/94028/contour.geojson")
    assert reponse["Content-Type"] == "application/geo+json"
    assert reponse["ETag"]
    features = json.loads(reponse.content)["features"]
    assert [f["properties"]["categorie"] for f in features] == ["commune", "qpv"]
    assert features[0]["properties"]["nom"] == "Créteil"
    assert features[0]["geometry"] == json.loads(carre(2.44, 48.78))
    # Only QPV with an outline are drawn.
    assert features[1]["properties"] == {
        "code": "QN09405M",
        "nom": "Mont Mesly - La Habette - Coteaux du Sud",
        "generation": 2024,
        "categorie": "qpv",
    }
    revalidation = client.get("/territoires/communes/94028/contour.geojson", headers={"If-None-Match": reponse["ETag"]})
    assert revalidation.status_code == 304


def test_geojson_commune_inconnue(client, territoire_94):
    assert client.get("/territoires/communes/94999/contour.geojson").status_code == 404


def test_urls_nommees():
    assert reverse("territoires:departement", args=["94"]) == URL_94
    assert reverse("territoires:departement_geojson", args=["94"]) == GEOJSON_94
    assert reverse("territoires:commune", args=["94028"]) == "/territoires/communes/94028/"
    assert reverse("territoires:commune_geojson", args=["94028"]) == "/territoires/communes/94028/contour.geojson"
    assert reverse("territoires:choisir") == "/territoires/choisir/"


def test_la_page_departement_mene_a_l_annuaire_au_tableau_de_bord_et_au_diagnostic(client, territoire_94):
    contenu = client.get(URL_94).content.decode()
    assert "/structures/?departement=94" in contenu
    assert "/financements/departements/94/" in contenu
    assert "/diagnostic/departements/94/" in contenu
