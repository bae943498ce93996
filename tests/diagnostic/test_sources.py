"""Which QPV generation and which population millésime a diagnostic uses at a date, and how the page, the API and
the export say it; the caches keyed accordingly."""

import datetime
import html
from io import StringIO

import pytest
from django.core.management import call_command

from maillage.diagnostic import moteur, selectors
from maillage.diagnostic.models import IndicateurCommune
from maillage.territoires import perimetres
from maillage.territoires.models import QPV, Appartenance, Regroupement
from tests.diagnostic.test_selectors import FIN_2015, monde  # noqa: F401
from tests.territoires.factories import QPVFactory

pytestmark = pytest.mark.django_db

URL = "/diagnostic/departements/94/"
API = "/api/v1/diagnostic/departements/94"
EN_2016 = datetime.date(2016, 6, 30)


def _texte(reponse) -> str:
    return html.unescape(reponse.content.decode()).replace("\u202f", " ").replace("\xa0", " ")


# --- QPV generation -------------------------------------------------------------------------------------------------


def test_regle_de_la_generation_qpv():
    assert selectors.generation_qpv({2015, 2024}, datetime.date(2023, 12, 31)) == (2015, None)
    assert selectors.generation_qpv({2015, 2024}, datetime.date(2024, 1, 1)) == (2024, None)
    assert selectors.generation_qpv({2024}, FIN_2015) == (
        2024,
        "la génération 2015 n'est pas chargée : liste 2024 utilisée",
    )
    assert selectors.generation_qpv({2015}, datetime.date(2025, 1, 1)) == (
        2015,
        "la génération 2024 n'est pas chargée : liste 2015 utilisée",
    )
    assert selectors.generation_qpv(set(), FIN_2015) == (None, None)


def test_un_diagnostic_2015_utilise_les_qpv_2015_quand_ils_sont_charges(client, monde):  # noqa: F811
    ancien = QPVFactory(code="QP094001", nom="Ancien quartier", generation=2015, communes=[monde.b])
    sources = selectors.sources_diagnostic("94", FIN_2015)
    assert (sources.generation_qpv, sources.generation_qpv_raison) == (2015, None)
    synthese = client.get(API, {"date": "2015-12-31"}).json()["synthese"]
    assert (synthese["generation_qpv"], synthese["generation_qpv_raison"], synthese["qpv_total"]) == (2015, None, 1)
    assert "QPV : génération 2015 (en vigueur au 31/12/2015)." in _texte(client.get(URL, {"date": "2015-12-31"}))
    # In 2024 the 2024 list, in force.
    synthese = client.get(API, {"date": "2024-06-01"}).json()["synthese"]
    assert (synthese["generation_qpv"], synthese["generation_qpv_raison"], synthese["qpv_total"]) == (2024, None, 4)
    # A périmètre uses its département's generation, even without any 2015 QPV of its own.
    regroupement = Regroupement.objects.create(
        type=Regroupement.Type.TERRITOIRE_CAF, code="94-a", nom="A", departement=monde.dep, debut=FIN_2015
    )
    Appartenance.objects.create(regroupement=regroupement, commune=monde.a, debut=FIN_2015)
    perimetre = perimetres.perimetre_lu("94", "territoire_caf:94-a", date=FIN_2015)
    assert selectors.sources_diagnostic("94", FIN_2015, perimetre=perimetre).generation_qpv == 2015
    assert selectors.diagnostic_departement("94", FIN_2015, perimetre=perimetre).synthese.qpv_total == 0
    assert ancien.generation == 2015


def test_seule_la_liste_2024_chargee_un_diagnostic_2015_le_dit(client, monde):  # noqa: F811
    """The demo's case: only the 2024 list, used for a 2015 diagnostic, with the reason."""
    synthese = client.get(API, {"date": "2015-12-31"}).json()["synthese"]
    assert synthese["generation_qpv"] == 2024
    assert synthese["generation_qpv_raison"] == "la génération 2015 n'est pas chargée : liste 2024 utilisée"
    texte = _texte(client.get(URL, {"date": "2015-12-31"}))
    assert "QPV : génération 2024 — la génération 2015 n'est pas chargée : liste 2024 utilisée." in texte
    # Only the 2015 list, in 2024: the other way round.
    QPV.objects.all().delete()
    QPVFactory(code="QP094001", generation=2015, communes=[monde.b])
    sources = selectors.sources_diagnostic("94", datetime.date(2024, 6, 1))
    assert (sources.generation_qpv, sources.generation_qpv_raison) == (
        2015,
        "la génération 2024 n'est pas chargée : liste 2015 utilisée",
    )


# --- Population millésime -------------------------------------------------------------------------------------------


@pytest.fixture
def historique(monde, tmp_path):  # noqa: F811
    """Populations légales 2012 and 2013 of the four communes, imported as history (the commune's reference
    population stays the factory's millésime 2017: newer)."""
    fichier = tmp_path / "historique.csv"
    fichier.write_text(
        "CODGEO;PMUN2013;PMUN2012\n94001;11000;10500\n94002;5100;5050\n94003;3100;3050\n94004;2100;2050\n",
        encoding="utf-8",
    )
    call_command("importer_populations", str(fichier), "--departements", "94", stdout=StringIO())
    assert IndicateurCommune.objects.filter(indicateur="population").count() == 8
    return monde


def _populations(resultat):
    return {c.code: c.population for c in resultat.communes}


def test_la_population_en_vigueur_a_la_date(client, historique):
    # Millésime 2013 in force from 1 January 2016, 2012 from 1 January 2015.
    en_2016 = selectors.diagnostic_departement("94", EN_2016)
    assert _populations(en_2016) == {"94001": 11000, "94002": 5100, "94003": 3100, "94004": 2100}
    assert en_2016.synthese.population == 21_300
    en_2015 = selectors.diagnostic_departement("94", FIN_2015)
    assert _populations(en_2015)["94001"] == 10500
    sources = selectors.sources_diagnostic("94", EN_2016)
    assert sources.population_millesime == 2013
    assert sources.population_source == (
        "Populations légales 2013 de l'INSEE, en vigueur au 30/06/2016 (depuis le 1er janvier 2016)."
    )
    synthese = client.get(API, {"date": "2016-06-30"}).json()["synthese"]
    assert (synthese["population_millesime"], synthese["population"]) == (2013, 21_300)
    assert synthese["population_source"] == sources.population_source
    texte = _texte(client.get(URL, {"date": "2016-06-30"}))
    assert "Populations légales 2013 de l'INSEE, en vigueur au 30/06/2016" in texte


def test_avant_tout_millesime_importe_la_population_de_reference_et_on_le_dit(client, historique):
    # In 2014 neither 2012 (from 2015) nor 2013 is in force: the reference population (millésime 2017).
    resultat = selectors.diagnostic_departement("94", datetime.date(2014, 6, 30))
    assert _populations(resultat) == {"94001": 10_000, "94002": 5_000, "94003": 3_000, "94004": 2_000}
    sources = selectors.sources_diagnostic("94", datetime.date(2014, 6, 30))
    assert sources.population_millesime == 2017
    assert sources.population_source == (
        "Populations légales 2017 (en vigueur seulement à partir du 1er janvier 2020) : aucun millésime en vigueur "
        "au 30/06/2014 n'est importé, la population de référence des communes est utilisée."
    )
    texte = _texte(client.get(URL, {"date": "2014-06-30"}))
    assert "aucun millésime en vigueur au 30/06/2014 n'est importé" in texte


def test_millesimes_meles_le_plus_frequent_et_les_autres(historique):
    IndicateurCommune.objects.filter(commune=historique.d, millesime=2013).delete()
    selectors.cache.clear()
    sources = selectors.sources_diagnostic("94", EN_2016)
    assert sources.population_millesime == 2013
    assert sources.population_source == (
        "Populations légales 2013 de l'INSEE, en vigueur au 30/06/2016 (depuis le 1er janvier 2016), pour 3 "
        "communes sur 4 ; autres communes — 1 commune : millésime 2012."
    )


def test_phrase_population_repli_et_millesime_inconnu():
    jour = datetime.date(2016, 6, 30)
    assert selectors.phrase_population({None: 2}, jour) == (
        None,
        "Population de référence des communes, de millésime inconnu : aucun millésime en vigueur au 30/06/2016 "
        "n'est importé.",
    )
    millesime, phrase = selectors.phrase_population({2013: 5, 2019: 1, None: 1}, jour)
    assert millesime == 2013
    assert "1 commune : millésime 2019, hors vigueur" in phrase
    assert "1 commune : population de référence sans millésime connu" in phrase
    assert selectors.phrase_population({}, jour) == (None, "Aucune commune.")


def test_la_preparation_suit_la_population_de_la_date(historique):
    """Two dates, two populations: each has its preparation, and one prepared for other populations is refused."""
    selectors._PREPARATIONS.clear()
    selectors.diagnostic_departement("94", FIN_2015)
    selectors.diagnostic_departement("94", EN_2016)
    territoire = selectors.Territoire(departement="94")
    cle_2015 = selectors._cle_preparation(territoire, FIN_2015)
    cle_2016 = selectors._cle_preparation(territoire, EN_2016)
    assert cle_2015 != cle_2016
    preparation_2015 = selectors._PREPARATIONS[cle_2015][1]
    entrees_2016 = selectors.entrees_diagnostic("94", EN_2016)
    assert not selectors._correspond(preparation_2015, list(entrees_2016.communes), list(entrees_2016.qpv))
    entrees_2015 = selectors.entrees_diagnostic("94", FIN_2015)
    assert selectors._correspond(preparation_2015, list(entrees_2015.communes), list(entrees_2015.qpv))
    # Used under the wrong key anyway, it is prepared again: the 2016 populations, not 2015's.
    selectors._PREPARATIONS[cle_2016] = selectors._PREPARATIONS[cle_2015]
    selectors.cache.set(f"{cle_2016}:jeton", selectors._PREPARATIONS[cle_2015][0])
    resultat = selectors._diagnostiquer(entrees_2016, moteur.Parametres(), cle_2016)
    assert resultat.synthese.population == 21_300


def test_la_serie_de_dates_donne_les_memes_sources(historique):
    series = selectors._construire_entrees_dates("94", [FIN_2015, EN_2016], 2.2)
    for date, entrees in series.items():
        une = selectors._construire_entrees(selectors.Territoire(departement="94"), date, 2.2)
        assert entrees == une
        assert selectors.sources_des_entrees(entrees, date) == selectors.sources_des_entrees(une, date)
