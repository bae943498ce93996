"""Groupings of communes: the EPT of the Grand Paris loaded with the referential, a pilote's imported groupings."""

import datetime
import io

import pytest
from django.core.management import CommandError, call_command

from maillage.core.imports import ImportRefuse
from maillage.territoires import regroupements as lecture
from maillage.territoires import selectors
from maillage.territoires.models import Appartenance, Chargement, Departement, Regroupement
from maillage.territoires.services import regroupements_importer

EPT_94 = {
    "200057941": "Paris-Est-Marne et Bois",
    "200058006": "Grand Paris Sud Est Avenir",
    "200058014": "Grand-Orly Seine Bièvre",
}


def test_le_fichier_des_ept_couvre_la_petite_couronne_sans_paris():
    lignes = lecture.lire_ept()
    assert len({ligne.siren for ligne in lignes}) == 11
    par_departement = {}
    for ligne in lignes:
        par_departement.setdefault(ligne.code_commune[:2], set()).add(ligne.code_commune)
    # Every commune of the 92, 93 (Pierrefitte merged into Saint-Denis in 2025) and 94, none of Paris.
    assert {dep: len(codes) for dep, codes in par_departement.items()} == {
        "91": 6,
        "92": 36,
        "93": 39,
        "94": 47,
        "95": 1,
    }
    assert len({ligne.code_commune for ligne in lignes}) == len(lignes)
    assert {ligne.debut for ligne in lignes} == {datetime.date(2016, 1, 1)}


@pytest.mark.django_db
def test_charger_territoires_rattache_les_communes_du_94_a_leurs_trois_ept(client, settings):
    sortie = io.StringIO()
    call_command("charger_territoires", "--departements", "94", stdout=sortie)
    assert "EPT du Grand Paris : 3 créé(s)" in sortie.getvalue()
    assert dict(Regroupement.objects.filter(type="ept").values_list("code", "nom")) == EPT_94
    assert Appartenance.objects.count() == 47
    # The département's article is stored at load (« du Val-de-Marne »), not read from the package at run time.
    assert Departement.objects.get(code="94").type_nom == "2"
    du_94 = selectors.regroupements_du_departement("94", date=datetime.date(2016, 10, 15))
    assert {r.code for r in du_94} == set(EPT_94)

    settings.MAILLAGE_AUJOURDHUI = "2016-10-15"
    communes = client.get("/api/v1/territoires/departements/94/communes").json()
    par_code = {c["code"]: c for c in communes}
    assert par_code["94028"]["ept"] == {"code": "200058006", "nom": "Grand Paris Sud Est Avenir"}  # Créteil
    assert par_code["94058"]["ept"]["code"] == "200057941"  # Le Perreux-sur-Marne
    assert par_code["94081"]["ept"]["code"] == "200058014"  # Vitry-sur-Seine
    assert all(c["ept"] for c in communes)
    assert client.get("/api/v1/territoires/communes/94028").json()["ept"]["code"] == "200058006"

    # Before their creation on 1 January 2016, no commune had an EPT.
    settings.MAILLAGE_AUJOURDHUI = "2015-12-31"
    assert {c["ept"] for c in client.get("/api/v1/territoires/departements/94/communes").json()} == {None}

    # Loading again changes nothing.
    sortie = io.StringIO()
    call_command("charger_territoires", "--departements", "94", stdout=sortie)
    assert "EPT du Grand Paris : 0 créé(s), 0 modifié(s), 3 inchangé(s)" in sortie.getvalue()
    assert Appartenance.objects.count() == 47


# --- A pilote's groupings ----------------------------------------------------------------------------------------

FICHIER = (
    "regroupement;code_commune;nom_commune\n"
    "Territoire Est;94028;Créteil\n"
    "Territoire Ouest;94081;Vitry-sur-Seine\n"
    "Territoire Ouest;94041;Ivry-sur-Seine\n"
).encode()


def importer(contenu=FICHIER, **options):
    valeurs = {"type": "territoire_caf", "departement": "94", "debut": datetime.date(2016, 1, 1), "fin": None}
    return regroupements_importer(
        contenu=contenu, nom_fichier="territoires.csv", auteur="test", **{**valeurs, **options}
    )


@pytest.mark.django_db
def test_import_d_un_regroupement_puis_reimport_identique(territoire_94):
    resume = importer()
    assert resume["regroupements"] == {"crees": 2, "modifies": 0, "inchanges": 0, "communes": 3}
    ouest = Regroupement.objects.get(nom="Territoire Ouest")
    assert ouest.code == "94-territoire-ouest" and ouest.departement_id == "94"
    assert selectors.communes_du_regroupement(ouest, date=datetime.date(2016, 6, 1)) == {"94081", "94041"}
    assert importer()["regroupements"] == {"crees": 0, "modifies": 0, "inchanges": 2, "communes": 3}
    assert Appartenance.objects.count() == 3

    # A commune moves: the grouping's communes are the file's.
    importer(contenu=b"regroupement,code_commune\nTerritoire Ouest,94081\n")
    assert selectors.communes_du_regroupement(ouest, date=datetime.date(2016, 6, 1)) == {"94081"}
    assert Regroupement.objects.filter(nom="Territoire Est").exists()  # not in the file: untouched


@pytest.mark.django_db
def test_regroupements_du_departement_et_des_communes_a_une_date(territoire_94):
    importer(fin=datetime.date(2019, 12, 31))
    en_2017 = selectors.regroupements_du_departement("94", date=datetime.date(2017, 1, 1))
    assert [r.nom for r in en_2017] == ["Territoire Est", "Territoire Ouest"]
    assert selectors.regroupements_du_departement("94", date=datetime.date(2020, 1, 1)) == []
    assert selectors.regroupements_du_departement("94", date=datetime.date(2015, 1, 1)) == []
    par_commune = selectors.regroupements_des_communes(
        ["94028", "94041"], type="territoire_caf", date=datetime.date(2017, 1, 1)
    )
    assert {code: r.nom for code, r in par_commune.items()} == {"94028": "Territoire Est", "94041": "Territoire Ouest"}


@pytest.mark.django_db
def test_un_fichier_fautif_est_refuse_en_entier_avec_ses_lignes(territoire_94):
    from tests.territoires.factories import CommuneFactory

    CommuneFactory(code="75056", nom="Paris", departement__code="75")
    contenu = (
        b"regroupement;code_commune\n"
        b"Territoire Est;94028\n"
        b";94081\n"
        b"Territoire Est;99999\n"
        b"Territoire Est;75056\n"
        b"Territoire Est;94028\n"
    )
    with pytest.raises(ImportRefuse) as refus:
        importer(contenu=contenu)
    messages = [e["message"] for e in refus.value.erreurs]
    assert messages == [
        "ligne 3, colonne « regroupement » : le nom du regroupement est vide",
        "ligne 4, colonne « code_commune » : commune « 99999 » inconnue du référentiel",
        "ligne 5, colonne « code_commune » : la commune 75056 est dans le département 75, pas dans le 94",
        "ligne 6, colonne « code_commune » : la commune 94028 est déjà dans « Territoire Est » (ligne 2)",
    ]
    assert not Regroupement.objects.exists()
    assert Chargement.objects.get().statut == Chargement.Statut.REFUSE


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("contenu", "options", "attendu"),
    [
        (b"nom_commune\nCreteil\n", {}, "colonne(s) obligatoire(s) absente(s) : regroupement, code_commune"),
        (b"", {}, "vide"),
        (FICHIER, {"type": "ept"}, "type « ept » inconnu"),
        (FICHIER, {"departement": "00"}, "département « 00 » inconnu"),
        (FICHIER, {"fin": datetime.date(2015, 1, 1)}, "la fin de validité précède son début"),
    ],
)
def test_refus_clairs(territoire_94, contenu, options, attendu):
    with pytest.raises(ImportRefuse) as refus:
        importer(contenu=contenu, **options)
    assert attendu in " ".join(e["message"] for e in refus.value.erreurs)
    assert not Regroupement.objects.exists()


@pytest.mark.django_db
def test_commande_importer_regroupements(territoire_94, tmp_path):
    fichier = tmp_path / "ctg.csv"
    fichier.write_bytes(FICHIER)
    sortie = io.StringIO()
    call_command(
        "importer_regroupements",
        fichier,
        "--type",
        "ctg",
        "--departement",
        "94",
        "--debut",
        "2016-01-01",
        stdout=sortie,
    )
    assert "2 créé(s)" in sortie.getvalue()
    assert set(Regroupement.objects.values_list("type", flat=True)) == {"ctg"}

    fichier.write_bytes(b"regroupement;code_commune\nX;99999\n")
    with pytest.raises(CommandError, match="ligne 2, colonne « code_commune » : commune « 99999 » inconnue"):
        call_command("importer_regroupements", fichier, "--type", "ctg", "--departement", "94", "--debut", "2016-01-01")
    with pytest.raises(CommandError, match="AAAA-MM-JJ"):
        call_command("importer_regroupements", fichier, "--type", "ctg", "--departement", "94", "--debut", "hier")
