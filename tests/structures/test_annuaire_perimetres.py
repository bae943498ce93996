"""The public directory filtered by a territory of the chosen département (EPCI, EPT, a Caf's grouping): the list,
the map's GeoJSON and the export links alike, in a bounded number of queries."""

import csv
import datetime
import io

import pytest
from django.urls import reverse

from maillage.structures.models import TypeStructure
from maillage.territoires.models import Appartenance, Regroupement
from tests.structures.factories import AgrementFactory, StructureFactory
from tests.territoires.factories import CommuneFactory, DepartementFactory

pytestmark = pytest.mark.django_db
URL = reverse("structures:annuaire")
URL_GEOJSON = reverse("structures:annuaire_geojson")
URL_EXPORT = reverse("structures:export")
DEBUT_EPT = datetime.date(2016, 1, 1)
FILTRE = {"date": "2015-12-31", "departement": "94", "perimetre": "ept:200058006"}


def regroupement(type_, code, nom, communes, *, departement=None):
    r = Regroupement.objects.create(type=type_, code=code, nom=nom, departement=departement, debut=DEBUT_EPT)
    for commune in communes:
        Appartenance.objects.create(regroupement=r, commune=commune, debut=DEBUT_EPT)
    return r


@pytest.fixture
def reseau(territoire_94):
    """CS and EVS in Créteil (Grand Paris Sud Est Avenir), a CS in Vitry (Grand-Orly Seine Bièvre); agréments
    2014-2017."""
    creteil, vitry, ivry = territoire_94.communes
    regroupement("ept", "200058006", "Grand Paris Sud Est Avenir", [creteil])
    regroupement("ept", "200058014", "Grand-Orly Seine Bièvre", [vitry, ivry])
    for nom, type_, commune in [
        ("CS Créteil", TypeStructure.CENTRE_SOCIAL, creteil),
        ("EVS Créteil", TypeStructure.EVS, creteil),
        ("CS Vitry", TypeStructure.CENTRE_SOCIAL, vitry),
    ]:
        AgrementFactory(structure=StructureFactory(nom=nom, type=type_, commune=commune, longitude=2.4, latitude=48.8))
    return territoire_94


def noms_geojson(client, params) -> set[str]:
    reponse = client.get(URL_GEOJSON, params)
    assert reponse.status_code == 200
    return {f["properties"]["nom"] for f in reponse.json()["features"]}


def test_le_filtre_territoire_restreint_la_liste_la_carte_et_l_export(client, reseau):
    page = client.get(URL, FILTRE).content.decode()
    assert "CS Créteil" in page and "EVS Créteil" in page and "CS Vitry" not in page
    assert '<option value="ept:200058006" selected>Grand Paris Sud Est Avenir</option>' in page
    assert noms_geojson(client, FILTRE) == {"CS Créteil", "EVS Créteil"}
    # The map and the export links carry the filter.
    assert "perimetre=ept%3A200058006" in page
    assert f"{URL_EXPORT}?date=2015-12-31&amp;departement=94&amp;perimetre=ept%3A200058006&amp;format=csv" in page
    reponse = client.get(URL_EXPORT, {**FILTRE, "format": "csv"})
    assert reponse.status_code == 200
    contenu = b"".join(reponse.streaming_content) if reponse.streaming else reponse.content
    lignes = list(csv.DictReader(io.StringIO(contenu.decode("utf-8-sig")), delimiter=";"))
    assert sorted(ligne["Nom"] for ligne in lignes) == ["CS Créteil", "EVS Créteil"]
    # Another EPT, with the other filters combined.
    autre = {**FILTRE, "perimetre": "ept:200058014"}
    assert noms_geojson(client, autre) == {"CS Vitry"}
    assert noms_geojson(client, {**FILTRE, "type": "evs"}) == {"EVS Créteil"}


def test_les_territoires_offerts_sont_ceux_du_departement(client, reseau):
    dep_93 = DepartementFactory(code="93", nom="Seine-Saint-Denis")
    bobigny = CommuneFactory(code="93008", nom="Bobigny", departement=dep_93)
    regroupement("ept", "200057875", "Est Ensemble", [bobigny])
    regroupement("territoire_caf", "94-nord", "Territoire Nord", reseau.communes[:1], departement=reseau.departement)
    page = client.get(URL, {"departement": "94"}).content.decode()
    assert '<optgroup label="Établissements publics territoriaux (EPT)">' in page
    assert '<optgroup label="Territoires d&#x27;intervention de la Caf">' in page
    assert "Territoire Nord" in page and "Métropole du Grand Paris" in page
    assert "Est Ensemble" not in page
    # Without a département, nothing to choose.
    assert "Choisissez d&#x27;abord un département" in client.get(URL).content.decode()


@pytest.mark.parametrize(
    "params",
    [
        {**FILTRE, "perimetre": "ept:999999999"},
        {**FILTRE, "perimetre": "ept:200057875"},  # of another département
        {"date": "2015-12-31", "perimetre": "ept:200058006"},  # without a département
        {**FILTRE, "perimetre": "<b>x</b>"},
    ],
)
def test_un_territoire_invalide_est_ignore_avec_son_erreur(client, reseau, params):
    reponse = client.get(URL, params)
    assert reponse.status_code == 200
    assert reponse.context["filtre"].errors["perimetre"]
    page = reponse.content.decode()
    assert "CS Vitry" in page and "CS Créteil" in page and "<b>x</b>" not in page
    assert noms_geojson(client, params) == {"CS Créteil", "EVS Créteil", "CS Vitry"}
    # The export refuses it with its reason rather than exporting something else than asked.
    export = client.get(URL_EXPORT, {**params, "format": "csv"})
    assert export.status_code == 400
    assert "Territoire" in export.content.decode()


def test_un_territoire_change_se_voit_aussitot(client, reseau):
    vitry = reseau.communes[1]
    assert noms_geojson(client, FILTRE) == {"CS Créteil", "EVS Créteil"}
    page = client.get(URL, FILTRE).content.decode()
    assert "CS Vitry" not in page
    Appartenance.objects.create(regroupement=Regroupement.objects.get(code="200058006"), commune=vitry, debut=DEBUT_EPT)
    assert "CS Vitry" in client.get(URL, FILTRE).content.decode()


def test_requetes_bornees_avec_le_filtre(client, reseau, django_assert_max_num_queries):
    creteil = reseau.communes[0]
    params = {**FILTRE, "par_page": "50"}
    with django_assert_max_num_queries(9):
        client.get(URL, params)
    with django_assert_max_num_queries(7):
        noms_geojson(client, params)
    for i in range(30):
        AgrementFactory(structure=StructureFactory(nom=f"S{i:03d}", commune=creteil))
    regroupement("territoire_caf", "94-a", "Territoire A", [creteil], departement=reseau.departement)
    with django_assert_max_num_queries(9):
        assert "S029" in client.get(URL, params).content.decode()
    with django_assert_max_num_queries(7):
        assert len(noms_geojson(client, params)) == 32


def test_l_api_de_l_annuaire_filtre_par_territoire(client, reseau):
    url = reverse("api:structures_liste")
    regroupement("territoire_caf", "94-vitry", "Secteur Vitry", reseau.communes[1:2], departement=reseau.departement)
    reponse = client.get(url, FILTRE)
    assert reponse.status_code == 200
    assert sorted(s["nom"] for s in reponse.json()["items"]) == ["CS Créteil", "EVS Créteil"]
    assert reponse.json()["count"] == 2
    caf = client.get(url, {**FILTRE, "perimetre": "territoire_caf:94-vitry"}).json()
    assert [s["nom"] for s in caf["items"]] == ["CS Vitry"]
    # Refusals with their reason: no département, or a périmètre that is not one of its own.
    sans = client.get(url, {"perimetre": "ept:200058006"})
    assert sans.status_code == 422 and "departement" in sans.json()["detail"]
    inconnu = client.get(url, {**FILTRE, "perimetre": "ept:000000000"})
    assert inconnu.status_code == 422 and "Périmètre inconnu" in inconnu.json()["detail"]
