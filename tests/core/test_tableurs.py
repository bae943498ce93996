"""Spreadsheet files written by the application never hold a formula (CSV/XLSX injection)."""

import csv
import datetime
import io
import re
from pathlib import Path

import pytest
from openpyxl import load_workbook

from maillage.core.tableurs import cellule_sure, classeur_octets, ecrire_csv, nouveau_classeur
from tests.structures.factories import AgrementFactory, StructureFactory

HOSTILES = ['=HYPERLINK("http://x","y")', "+1", "-2+3", "@SUM(A1)", "\tx", "\rx", "=cmd|' /C calc'!A0"]
RACINE = Path(__file__).resolve().parents[2] / "maillage"


@pytest.mark.parametrize("valeur", HOSTILES)
def test_cellule_sure_prefixe_le_texte_dangereux(valeur):
    assert cellule_sure(valeur) == "'" + valeur


@pytest.mark.parametrize("valeur", ["Centre social", "", "l'Arche", -2, -2.5, 0, None, datetime.date(2024, 1, 1), True])
def test_cellule_sure_laisse_le_reste(valeur):
    assert cellule_sure(valeur) == valeur


def test_csv_nombres_negatifs_restent_des_nombres():
    texte = ecrire_csv(["a", "b", "c"], [["-2", -2, -2.5], ["=1+1", None, datetime.date(2024, 5, 1)]])
    lignes = list(csv.reader(io.StringIO(texte.lstrip("\ufeff")), delimiter=";"))
    assert lignes == [["a", "b", "c"], ["'-2", "-2", "-2.5"], ["'=1+1", "", "2024-05-01"]]


def test_classeur_ne_garde_aucune_formule_quelle_que_soit_l_ecriture():
    resultat = nouveau_classeur()
    feuille = resultat.active
    feuille.append(["=1+1", -3, 2.5, datetime.date(2024, 1, 1), "ok"])
    feuille.cell(row=2, column=1, value='=HYPERLINK("http://x","y")')
    feuille["B2"] = "@SUM(A1)"
    relu = load_workbook(io.BytesIO(classeur_octets(resultat)))
    cellules = {c.coordinate: c for ligne in relu.active.iter_rows() for c in ligne}
    assert all(c.data_type != "f" for c in cellules.values())
    assert cellules["A1"].value == "'=1+1" and cellules["A2"].value.startswith("'=HYPERLINK")
    assert cellules["B1"].value == -3 and cellules["B1"].data_type == "n"
    assert cellules["C1"].value == 2.5 and cellules["D1"].is_date
    assert cellules["B2"].value == "'@SUM(A1)"


@pytest.fixture
def hostiles(territoire_94):
    creteil = territoire_94.communes[0]
    structures = [StructureFactory(nom=nom, commune=creteil, telephone="") for nom in HOSTILES]
    for structure in structures:
        AgrementFactory(structure=structure)
    # A QPV name reaches the « Zone de compétence » sheet.
    quartier = creteil.qpv.first()
    quartier.nom = "=1+2"
    quartier.save()
    structures[0].qpv_competence.set([quartier])
    return structures


def test_export_csv_de_l_annuaire_neutralise_les_noms(client, hostiles):
    reponse = client.get("/structures/export/", {"departement": "94", "date": "2015-12-31", "format": "csv"})
    lignes = list(csv.DictReader(io.StringIO(reponse.content.decode().lstrip("\ufeff")), delimiter=";"))
    noms = sorted(ligne["Nom"] for ligne in lignes)
    assert noms == sorted("'" + nom for nom in HOSTILES)


def test_export_xlsx_de_l_annuaire_sans_formule(client, hostiles):
    reponse = client.get("/structures/export/", {"departement": "94", "date": "2015-12-31", "format": "xlsx"})
    relu = load_workbook(io.BytesIO(reponse.content))
    cellules = [c for feuille in relu.worksheets for ligne in feuille.iter_rows() for c in ligne]
    assert all(c.data_type != "f" for c in cellules)
    textes = [c.value for c in cellules if isinstance(c.value, str)]
    assert all(not t.startswith(("=", "+", "-", "@", "\t", "\r")) for t in textes)
    # XML reads a carriage return back as a line feed.
    assert {"'" + nom.replace("\r", "\n") for nom in HOSTILES} <= {
        c.value for ligne in relu["Structures"].iter_rows() for c in ligne
    }
    assert "'=1+2" in {c.value for ligne in relu["Zone de compétence"].iter_rows() for c in ligne}
    # Numbers stay numbers.
    assert any(isinstance(c.value, int | float) and not isinstance(c.value, bool) for c in cellules)


ECRIVAINS = re.compile(r"csv\.writer\(|DictWriter\(|Workbook\(|openpyxl import Workbook|xlsxwriter")


def test_aucun_tableur_ecrit_hors_du_socle():
    """Every CSV/XLSX writer goes through maillage.core.tableurs, so that a new export cannot skip the check."""
    fautifs = [
        str(chemin.relative_to(RACINE))
        for chemin in RACINE.rglob("*.py")
        if chemin.name != "tableurs.py" and ECRIVAINS.search(chemin.read_text(encoding="utf-8"))
    ]
    assert fautifs == []


# --- Files for people ------------------------------------------------------------------------------------------


def test_csv_pour_personnes_dates_virgules_oui_non():
    from maillage.core.tableurs import Colonne, csv_pour_personnes

    colonnes = [
        Colonne("Nom", "nom", "nom"),
        Colonne("Ouverte le", "ouverture", "ouverture"),
        Colonne("Taux", "taux", "taux"),
        Colonne("Adhérente", lambda ligne: ligne["adherente"], "adherente"),
    ]
    texte = csv_pour_personnes(
        colonnes, [{"nom": "Les Bleuets", "ouverture": datetime.date(2005, 9, 1), "taux": 0.125, "adherente": True}]
    )
    assert texte.startswith("\ufeff")
    assert texte.lstrip("\ufeff").splitlines() == ["Nom;Ouverte le;Taux;Adhérente", "Les Bleuets;01/09/2005;0,125;Oui"]


def test_classeur_pour_personnes_une_feuille_par_tableau_et_vraies_dates():
    from maillage.core.tableurs import Colonne, classeur_pour_personnes

    contenu = classeur_pour_personnes(
        [
            (
                "Structures",
                [Colonne("Nom", "nom"), Colonne("Fermée le", "fin")],
                [{"nom": "A", "fin": datetime.date(2013, 6, 30)}],
            ),
            (
                "Zone",
                [Colonne("Commune", "commune"), Colonne("Active", "active")],
                [{"commune": "Créteil", "active": False}],
            ),
        ]
    )
    classeur = load_workbook(io.BytesIO(contenu))
    assert classeur.sheetnames == ["Structures", "Zone"]
    assert classeur["Structures"]["B2"].value == datetime.datetime(2013, 6, 30)
    assert classeur["Structures"]["B2"].number_format == "DD/MM/YYYY"
    assert classeur["Structures"]["A1"].font.bold and classeur["Structures"].freeze_panes == "A2"
    assert classeur["Zone"]["B2"].value == "Non"


@pytest.mark.parametrize("texte", ["structure_id", "id_mode_gestion", "siret", "nom"])
def test_entete_machine_reconnait_un_code(texte):
    from maillage.core.tableurs import entete_machine

    assert entete_machine(texte)


@pytest.mark.parametrize("texte", ["Nom", "Code INSEE", "E-mail", "SIRET", "Total N-1", "Agrément à la date : type"])
def test_entete_machine_laisse_un_libelle(texte):
    from maillage.core.tableurs import entete_machine

    assert not entete_machine(texte)
