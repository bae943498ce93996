"""Hostile files against every importer and upload (property-based, hypothesis): random bytes, CSV-like text,
truncated or damaged XLSX, wrong encodings. Each importer either accepts the file or refuses it with its documented
refusal (ImportRefuse, a French reason per error), in bounded time, and writes nothing but its refused journal row.
"""

import io
import zipfile

import pytest
from django.apps import apps
from django.core.files.uploadedfile import SimpleUploadedFile
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from openpyxl import Workbook

from maillage.core.imports import ImportRefuse
from maillage.diagnostic.services_import import indicateurs_caf_importer, populations_importer
from maillage.observatoire import services as services_observatoire
from maillage.observatoire.services_import import campagne_importer
from maillage.structures.exports import COLONNES
from maillage.structures.services import erreur_document
from maillage.structures.services_import import structures_importer
from maillage.territoires.services import qpv_importer
from tests.observatoire.conftest import SOCLE
from tests.structures.factories import AgrementFactory, StructureFactory

REGLAGES = settings(
    max_examples=25,
    deadline=4000,  # ms per example: generous for a loaded machine, still a bound
    derandomize=True,  # the same examples on every run: no flaky suite
    database=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow, HealthCheck.data_too_large],
)
# Journal rows (a refusal is journaled) and sessions are not the importers' data.
HORS_DONNEES = {"territoires.chargement", "auditlog.logentry", "sessions.session", "core.jetonformulaire"}


def etat() -> dict[str, int]:
    return {
        m._meta.label_lower: m.objects.count()
        for m in apps.get_models()
        if m._meta.label_lower not in HORS_DONNEES and m._meta.managed
    }


def xlsx(rangees: list[list]) -> bytes:
    livre = Workbook()
    for rangee in rangees:
        livre.active.append(rangee)
    tampon = io.BytesIO()
    livre.save(tampon)
    return tampon.getvalue()


def abime(contenu: bytes):
    """Strategies deriving hostile variants of a valid file: truncated, one byte changed, re-encoded."""
    return st.one_of(
        st.integers(0, len(contenu)).map(lambda n: contenu[:n]),
        st.tuples(st.integers(0, len(contenu) - 1), st.integers(0, 255)).map(
            lambda p: contenu[: p[0]] + bytes([p[1]]) + contenu[p[0] + 1 :]
        ),
    )


CELLULE = st.text(alphabet=st.characters(codec="utf-8", exclude_categories=["Cs"]), max_size=30) | st.sampled_from(
    ["", "94028", "=1+1", '"', ";", "\n", "\x00", "-2", "oui", "2015-01-01", "\ufeff"]
)


def texte_csv(entetes: list[str]):
    """CSV-like text: the expected header or not, random rows, a random separator, a random encoding."""

    def assembler(t):
        entete, lignes, separateur, encodage = t
        texte = "\n".join(separateur.join(ligne) for ligne in [entete, *lignes])
        return texte.encode(encodage, errors="replace")

    return st.tuples(
        st.one_of(st.just(entetes), st.lists(CELLULE, max_size=8)),
        st.lists(st.lists(CELLULE, max_size=len(entetes) + 2), max_size=6),
        st.sampled_from([";", ",", "\t", "|"]),
        st.sampled_from(["utf-8", "utf-8-sig", "cp1252", "latin-1", "utf-16", "utf-32"]),
    ).map(assembler)


def hostiles(entetes: list[str], exemple: list[str]):
    csv_valide = ";".join(entetes).encode() + b"\n" + ";".join(exemple).encode() + b"\n"
    classeur_valide = xlsx([entetes, exemple])
    return st.one_of(
        st.binary(max_size=2000),
        texte_csv(entetes),
        abime(csv_valide),
        abime(classeur_valide),
        st.just(b"PK\x03\x04" + bytes(100)),
        st.binary(max_size=500).map(lambda b: _zip({"[Content_Types].xml": b, "xl/workbook.xml": b})),
    )


def _zip(membres: dict[str, bytes]) -> bytes:
    tampon = io.BytesIO()
    with zipfile.ZipFile(tampon, "w") as archive:
        for nom, contenu in membres.items():
            archive.writestr(nom, contenu)
    return tampon.getvalue()


def verifier(importer, contenu: bytes):
    """The importer accepts or refuses with ImportRefuse (each error with a French reason); a refusal writes
    nothing."""
    avant = etat()
    try:
        importer(contenu)
    except ImportRefuse as refus:
        assert refus.erreurs and all(e["raison"] for e in refus.erreurs)
        assert etat() == avant


@pytest.fixture
def reseau(territoire_94):
    creteil = territoire_94.communes[0]
    structure = StructureFactory(nom="Centre social des Bleuets", commune=creteil, siret="35600000000048")
    AgrementFactory(structure=structure)
    services_observatoire.questionnaire_charger(chemin=SOCLE)
    return structure


ENTETES_STRUCTURES = [c.libelle for c in COLONNES]
EXEMPLE_STRUCTURE = ["" for _ in COLONNES]
for _code, _valeur in {
    "nom": "EVS du Port",
    "type": "evs",
    "gestionnaire": "Asso",
    "forme_juridique": "association",
    "commune_code": "94028",
}.items():
    EXEMPLE_STRUCTURE[[c.code for c in COLONNES].index(_code)] = _valeur


@REGLAGES
@given(contenu=hostiles(ENTETES_STRUCTURES, EXEMPLE_STRUCTURE))
def test_import_des_structures(reseau, contenu):
    verifier(
        lambda c: structures_importer(contenu=c, nom_fichier="hostile.csv", appliquer=True, departement="94"), contenu
    )


@REGLAGES
@given(contenu=hostiles(["siret", "pers_effectif", "pers_etp"], ["35600000000048", "12", "3,5"]))
def test_import_d_une_campagne(reseau, contenu):
    verifier(lambda c: campagne_importer(contenu=c, nom_fichier="hostile.csv", annee=2015, departement="94"), contenu)


def _par_chemin(importer, tmp_path, **options):
    chemin = tmp_path / "hostile.csv"

    def importer_contenu(contenu: bytes):
        chemin.write_bytes(contenu)
        return importer(fichier=chemin, **options)

    return importer_contenu


@REGLAGES
@given(contenu=hostiles(["CODGEO", "LIBGEO", "PMUN"], ["94028", "Créteil", "90605"]))
def test_import_des_populations(reseau, tmp_path_factory, contenu):
    verifier(_par_chemin(populations_importer, tmp_path_factory.mktemp("p"), millesime=2021), contenu)


@REGLAGES
@given(contenu=hostiles(["Communes", "Codes_Insee", "NB_Allocataires", "Date_ref"], ["Créteil", "94028", "12", "2022"]))
def test_import_des_indicateurs_caf(reseau, tmp_path_factory, contenu):
    verifier(_par_chemin(indicateurs_caf_importer, tmp_path_factory.mktemp("c")), contenu)


@REGLAGES
@given(
    contenu=hostiles(["code_qp", "lib_qp", "insee_com", "lib_com"], ["QN09405M", "Mont Mesly", "94028", "Créteil"])
    | st.binary(max_size=300).map(lambda b: b'{"type": "FeatureCollection", "features": [' + b)
)
def test_import_des_qpv(reseau, tmp_path_factory, contenu):
    verifier(_par_chemin(qpv_importer, tmp_path_factory.mktemp("q")), contenu)


@REGLAGES
@given(
    extension=st.sampled_from(["pdf", "odt", "ods", "docx", "xlsx", "exe"]),
    contenu=st.one_of(
        st.binary(min_size=1, max_size=2000),
        abime(xlsx([["a"]])),
        st.binary(max_size=300).map(lambda b: _zip({"mimetype": b, "[Content_Types].xml": b, "word/x": b})),
    ),
)
def test_depot_de_documents_du_projet_social(extension, contenu):
    raison = erreur_document(SimpleUploadedFile(f"projet.{extension}", contenu))
    assert raison is None or isinstance(raison, str)
