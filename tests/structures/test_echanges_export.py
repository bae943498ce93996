"""Exports of the registry: CSV, XLSX, GeoJSON, data·inclusion, command and directory download."""

import csv
import datetime
import io
import json

import pytest
from django.core.management import call_command
from openpyxl import load_workbook

from maillage.structures import exports
from maillage.structures.models import Agrement, Contact, Gestionnaire, SituationQPV, TypeAgrement, TypeStructure
from maillage.structures.siret import luhn_valide
from maillage.territoires.models import QPV
from tests.structures.factories import AgrementFactory, GestionnaireFactory, StructureFactory
from tests.territoires.factories import CommuneFactory, DepartementFactory


def siret_valide(debut: str) -> str:
    """A 14-digit SIRET starting with `debut` (13 digits) and its Luhn key."""
    for cle in range(10):
        if luhn_valide(debut + str(cle)):
            return debut + str(cle)
    raise AssertionError


@pytest.fixture
def registre(territoire_94):
    """Three structures of the 94 with different histories, and one in the 93.

    - cs_bleuets (Créteil, association, fédération): agrément 2014-2017 → active in 2015, not in 2012;
    - evs_balzac (Vitry, commune, no position): agrément 2010-2012 → active in 2012 only;
    - cs_ivry (Ivry, CCAS): agrément 2012-2015 → active in 2012 and 2015.
    """
    creteil, vitry, ivry = territoire_94.communes
    association = GestionnaireFactory(
        nom="Association des Bleuets", forme_juridique=Gestionnaire.FormeJuridique.ASSOCIATION
    )
    bleuets = StructureFactory(
        nom="Centre social Les Bleuets",
        type=TypeStructure.CENTRE_SOCIAL,
        siret=siret_valide("4230000000001"),
        gestionnaire=association,
        commune=creteil,
        adresse="2 place des Bleuets",
        code_postal="94000",
        longitude=2.4612,
        latitude=48.7801,
        date_premier_agrement=datetime.date(2006, 1, 1),
        adherent_federation=True,
        multi_sites=True,
        situation_qpv=SituationQPV.DANS_QPV,
        telephone="01 43 99 00 00",
        email="accueil@bleuets.example",
        site_web="https://bleuets.example/",
        date_ouverture=datetime.date(2005, 9, 1),
    )
    bleuets.communes_competence.set([creteil, vitry])
    bleuets.qpv_competence.set(QPV.objects.filter(code="QN09406I"))
    AgrementFactory(structure=bleuets, debut=datetime.date(2014, 1, 1), fin=datetime.date(2017, 12, 31))
    AgrementFactory(
        structure=bleuets,
        type=TypeAgrement.ACF,
        debut=datetime.date(2014, 1, 1),
        fin=datetime.date(2017, 12, 31),
        commentaire="Appréciation interne à ne jamais publier",
    )
    Contact.objects.create(
        structure=bleuets, fonction="direction", prenom="Prénom", nom="Secret", email="direction.secrete@example.org"
    )

    commune_gestion = GestionnaireFactory(
        nom="Ville de Vitry-sur-Seine", forme_juridique=Gestionnaire.FormeJuridique.COMMUNE
    )
    balzac = StructureFactory(
        nom="Espace de vie sociale Balzac",
        type=TypeStructure.EVS,
        gestionnaire=commune_gestion,
        commune=vitry,
        longitude=None,
        latitude=None,
        date_fermeture=datetime.date(2013, 6, 30),
    )
    AgrementFactory(structure=balzac, debut=datetime.date(2010, 1, 1), fin=datetime.date(2012, 12, 31))

    ccas = GestionnaireFactory(nom="CCAS d'Ivry-sur-Seine", forme_juridique=Gestionnaire.FormeJuridique.CCAS)
    ivry_cs = StructureFactory(
        nom="Centre social Ivry Port", gestionnaire=ccas, commune=ivry, longitude=2.39, latitude=48.81
    )
    AgrementFactory(structure=ivry_cs, debut=datetime.date(2012, 1, 1), fin=datetime.date(2015, 12, 31))
    AgrementFactory(
        structure=ivry_cs,
        statut=Agrement.Statut.REFUSE,
        debut=datetime.date(2016, 1, 1),
        fin=datetime.date(2019, 12, 31),
    )

    seine_saint_denis = DepartementFactory(code="93", nom="Seine-Saint-Denis", region=territoire_94.region)
    bobigny = CommuneFactory(code="93008", nom="Bobigny", departement=seine_saint_denis)
    bobigny_cs = StructureFactory(nom="Centre social de Bobigny", commune=bobigny)
    AgrementFactory(structure=bobigny_cs)
    return {"bleuets": bleuets, "balzac": balzac, "ivry": ivry_cs, "bobigny": bobigny_cs, "territoire": territoire_94}


def exporter(**options) -> str:
    sortie = io.StringIO()
    call_command("exporter_structures", stdout=sortie, stderr=io.StringIO(), **options)
    return sortie.getvalue()


def lire_csv(texte: str) -> list[dict]:
    assert texte.startswith("\ufeff")
    return list(csv.DictReader(io.StringIO(texte.lstrip("\ufeff")), delimiter=";"))


def test_csv_en_tetes_et_valeurs_a_une_date(registre):
    # For people: French labels, French values, dd/mm/yyyy, decimal commas, Oui/Non.
    texte = exporter(departement="94", date="2015-12-31", format="csv")
    entete = texte.lstrip("\ufeff").splitlines()[0].split(";")
    assert entete == [c.libelle for c in exports.COLONNES]
    lignes = lire_csv(texte)
    assert [ligne["Nom"] for ligne in lignes] == ["Centre social Ivry Port", "Centre social Les Bleuets"]
    bleuets = lignes[1]
    attendu = {
        "Identifiant": str(registre["bleuets"].pk),
        "Type": "Centre social",
        "SIRET": registre["bleuets"].siret,
        "Gestionnaire": "Association des Bleuets",
        "Forme juridique": "Association loi 1901",
        "Désignation du gestionnaire": "Association (projet porté par l'association elle-même)",
        "Mode de gestion": "Associatif",
        "Code postal": "94000",
        "Code commune (INSEE)": "94028",
        "Commune": "Créteil",
        "Longitude": "2,4612",
        "Latitude": "48,7801",
        "Date du premier agrément": "01/01/2006",
        "Agrément à la date : type": "Animation globale (centre social)",
        "Agrément à la date : début": "01/01/2014",
        "Agrément à la date : fin": "31/12/2017",
        "Multi-sites": "Oui",
        "Itinérante": "Non",
        "Situation QPV": SituationQPV.DANS_QPV.label,
        "Adhérente à la fédération": "Oui",
        "Date d'ouverture": "01/09/2005",
        "Date de fermeture": "",
        "Téléphone": "01 43 99 00 00",
        "E-mail": "accueil@bleuets.example",
        "Site web": "https://bleuets.example/",
    }
    assert {cle: bleuets[cle] for cle in attendu} == attendu
    assert lignes[0]["Mode de gestion"] == "Collectivité locale"
    # No code left among the values of an enumerated column.
    for ligne in lignes:
        for colonne in ("Type", "Forme juridique", "Mode de gestion", "Situation QPV", "Agrément à la date : type"):
            assert "_" not in ligne[colonne] and ligne[colonne][:1].isupper(), (colonne, ligne[colonne])


def test_csv_variante_codes_pour_les_programmes(registre):
    # The raw data: codes as headers and values, ISO dates, decimal points.
    texte = exporter(departement="94", date="2015-12-31", format="csv", variante="codes")
    assert texte.lstrip("\ufeff").splitlines()[0].split(";") == [c.code for c in exports.COLONNES]
    bleuets = lire_csv(texte)[1]
    attendu = {
        "type": "centre_social",
        "forme_juridique": "association",
        "designation": "association",
        "mode_gestion": "associative",
        "longitude": "2.4612",
        "date_premier_agrement": "2006-01-01",
        "agrement_type": "animation_globale",
        "multi_sites": "oui",
        "situation_qpv": "dans_qpv",
    }
    assert {cle: bleuets[cle] for cle in attendu} == attendu


def test_sans_date_toutes_les_structures_du_departement(registre):
    lignes = lire_csv(exporter(departement="94"))
    assert {ligne["Nom"] for ligne in lignes} == {
        "Centre social Ivry Port",
        "Centre social Les Bleuets",
        "Espace de vie sociale Balzac",
    }
    balzac = next(ligne for ligne in lignes if ligne["Type"] == "Espace de vie sociale")
    # No agrément covers today for the closed EVS.
    assert balzac["Agrément à la date : type"] == "" and balzac["Longitude"] == ""
    assert balzac["Date de fermeture"] == "30/06/2013"


def test_date_de_2012_donne_une_autre_liste(registre):
    noms = {ligne["Nom"] for ligne in lire_csv(exporter(departement="94", date="2012-06-30"))}
    assert noms == {"Centre social Ivry Port", "Espace de vie sociale Balzac"}


def test_xlsx_relu_avec_openpyxl(registre, tmp_path):
    chemin = tmp_path / "structures.xlsx"
    exporter(departement="94", date="2015-12-31", format="xlsx", sortie=str(chemin))
    classeur = load_workbook(chemin)
    assert classeur.sheetnames == ["Structures", "Zone de compétence"]
    feuille = classeur["Structures"]
    rangees = list(feuille.iter_rows(values_only=True))
    assert list(rangees[0]) == [c.libelle for c in exports.COLONNES]
    assert len(rangees) == 3
    bleuets = dict(zip(rangees[0], rangees[2], strict=True))
    assert bleuets["Nom"] == "Centre social Les Bleuets"
    assert bleuets["Identifiant"] == registre["bleuets"].pk
    assert bleuets["Longitude"] == pytest.approx(2.4612)
    assert bleuets["Agrément à la date : début"] == datetime.datetime(2014, 1, 1)
    assert feuille.cell(row=3, column=list(rangees[0]).index("Agrément à la date : début") + 1).number_format == (
        "DD/MM/YYYY"
    )
    assert bleuets["Adhérente à la fédération"] == "Oui"
    assert bleuets["Type"] == "Centre social" and bleuets["Mode de gestion"] == "Associatif"
    zone = list(classeur["Zone de compétence"].iter_rows(values_only=True))
    assert zone[0] == ("Identifiant de la structure", "Structure", "Nature", "Code", "Nom")
    assert set(zone[1:]) == {
        (registre["bleuets"].pk, "Centre social Les Bleuets", "Commune", "94028", "Créteil"),
        (registre["bleuets"].pk, "Centre social Les Bleuets", "Commune", "94081", "Vitry-sur-Seine"),
        (registre["bleuets"].pk, "Centre social Les Bleuets", "Quartier prioritaire (QPV)", "QN09406I", "Les Bleuets"),
    }


def test_xlsx_variante_codes(registre, tmp_path):
    chemin = tmp_path / "structures.xlsx"
    exporter(departement="94", date="2015-12-31", format="xlsx", sortie=str(chemin), variante="codes")
    classeur = load_workbook(chemin)
    rangees = list(classeur["Structures"].iter_rows(values_only=True))
    assert list(rangees[0]) == [c.code for c in exports.COLONNES]
    assert dict(zip(rangees[0], rangees[2], strict=True))["type"] == "centre_social"
    assert next(classeur["Zone de compétence"].iter_rows(values_only=True))[0] == "structure_id"


def test_geojson_points(registre):
    collection = json.loads(exporter(departement="94", format="geojson"))
    assert collection["type"] == "FeatureCollection"
    par_nom = {f["properties"]["nom"]: f for f in collection["features"]}
    assert len(par_nom) == 3
    bleuets = par_nom["Centre social Les Bleuets"]
    assert bleuets["geometry"] == {"type": "Point", "coordinates": [2.4612, 48.7801]}
    assert bleuets["properties"]["commune_code"] == "94028"
    assert bleuets["properties"]["adherent_federation"] is True
    assert par_nom["Espace de vie sociale Balzac"]["geometry"] is None


def test_datainclusion(registre):
    structures = json.loads(exporter(departement="94", date="2015-12-31", format="datainclusion"))
    par_id = {s["id"]: s for s in structures}
    bleuets = par_id[str(registre["bleuets"].pk)]
    assert bleuets["source"] == "maillage"
    assert bleuets["nom"] == "Centre social Les Bleuets"
    assert bleuets["typologie"] == "CS"
    assert bleuets["reseaux_porteurs"] == ["caf", "fcsf"]
    assert bleuets["code_insee"] == "94028" and bleuets["commune"] == "Créteil" and bleuets["code_postal"] == "94000"
    assert bleuets["siret"] == registre["bleuets"].siret
    assert bleuets["telephone"] == "+33143990000"
    assert bleuets["courriel"] == "accueil@bleuets.example"
    assert bleuets["site_web"] == "https://bleuets.example/"
    assert bleuets["longitude"] == 2.4612 and bleuets["latitude"] == 48.7801
    assert 50 <= len(bleuets["description"]) <= 2000
    assert len(bleuets["presentation_resume"]) <= 280
    assert datetime.date.fromisoformat(bleuets["date_maj"])
    ivry = par_id[str(registre["ivry"].pk)]
    assert ivry["reseaux_porteurs"] == ["caf"]
    assert ivry["siret"] is None and ivry["telephone"] is None


def test_datainclusion_evs():
    ligne = exports.structure_datainclusion(
        _FausseStructure(type=TypeStructure.EVS, nom="EVS du Port.", presentation="x" * 3000)
    )
    assert ligne["typologie"] == "EVS"
    assert ligne["nom"] == "EVS du Port"  # never ends with a full stop
    assert len(ligne["description"]) == 2000 and len(ligne["presentation_resume"]) == 280


class _FausseStructure:
    def __init__(self, **valeurs):
        self.pk = 7
        self.siret = ""
        self.code_postal = ""
        self.adresse = ""
        self.longitude = self.latitude = None
        self.telephone = "+32 2 555 12 12"
        self.email = ""
        self.site_web = ""
        self.adherent_federation = False
        self.commune = type("C", (), {"nom": "Créteil"})()
        self.commune_id = "94028"
        self.modifie_le = datetime.datetime(2016, 1, 2, 10, 0, tzinfo=datetime.UTC)  # aware, as the model stores it
        self.__dict__.update(valeurs)


def test_commande_refuse_departement_ou_date_invalides(registre):
    from django.core.management.base import CommandError

    with pytest.raises(CommandError, match="Département inconnu"):
        exporter(departement="999")
    with pytest.raises(CommandError, match="Date invalide"):
        exporter(departement="94", date="31/12/2015")


# --- Download from the directory ---------------------------------------------------------------


def test_telechargement_public_avec_les_filtres_de_l_annuaire(client, registre):
    reponse = client.get("/structures/export/", {"departement": "94", "date": "2015-12-31", "format": "csv"})
    assert reponse.status_code == 200
    assert reponse["Content-Type"].startswith("text/csv")
    assert 'filename="structures-94-2015-12-31.csv"' in reponse["Content-Disposition"]
    texte = reponse.content.decode("utf-8")
    assert [ligne["Nom"] for ligne in lire_csv(texte)] == ["Centre social Ivry Port", "Centre social Les Bleuets"]
    # Public fields only: no contact, no pilot's comment.
    assert "Secret" not in texte and "direction.secrete" not in texte and "Appréciation" not in texte

    reponse = client.get(
        "/structures/export/", {"departement": "94", "date": "2015-12-31", "type": "evs", "format": "csv"}
    )
    assert lire_csv(reponse.content.decode()) == []


@pytest.mark.parametrize("format_", ["xlsx", "geojson", "datainclusion"])
def test_telechargement_autres_formats(client, registre, format_):
    reponse = client.get("/structures/export/", {"departement": "94", "date": "2015-12-31", "format": format_})
    assert reponse.status_code == 200
    assert reponse["Content-Type"] == exports.TYPES_CONTENU[format_]
    if format_ == "xlsx":
        feuille = load_workbook(io.BytesIO(reponse.content))["Structures"]
        assert feuille.max_row == 3
    else:
        contenu = json.loads(reponse.content)
        assert len(contenu if format_ == "datainclusion" else contenu["features"]) == 2
        assert "direction.secrete" not in reponse.content.decode()


def test_telechargement_variante_codes(client, registre):
    reponse = client.get(
        "/structures/export/", {"departement": "94", "date": "2015-12-31", "format": "csv", "variante": "codes"}
    )
    assert reponse.status_code == 200
    assert 'filename="structures-94-2015-12-31-codes.csv"' in reponse["Content-Disposition"]
    assert reponse.content.decode().lstrip("\ufeff").startswith("id;nom;type;")
    reponse = client.get("/structures/export/", {"departement": "94", "format": "csv", "variante": "xml"})
    assert reponse.status_code == 400
    assert "Variante inconnue" in reponse.content.decode()


def test_telechargement_parametres_invalides(client, registre):
    reponse = client.get("/structures/export/", {"departement": "94", "format": "pdf"})
    assert reponse.status_code == 400
    assert "Format inconnu" in reponse.content.decode()
    reponse = client.get("/structures/export/", {"departement": "94", "date": "2015-13-45", "format": "csv"})
    assert reponse.status_code == 400
    assert "Filtres invalides" in reponse.content.decode()


def test_telechargement_requetes_constantes(client, registre, django_assert_max_num_queries):
    for numero in range(20):
        structure = StructureFactory(nom=f"Centre {numero}", commune=registre["territoire"].communes[0])
        AgrementFactory(structure=structure)
    with django_assert_max_num_queries(8):
        reponse = client.get("/structures/export/", {"departement": "94", "date": "2015-12-31", "format": "csv"})
    assert len(lire_csv(reponse.content.decode())) == 22


def test_xlsx_sans_sortie_ni_flux_binaire(registre):
    from django.core.management.base import CommandError

    with pytest.raises(CommandError, match="--sortie"):
        exporter(departement="94", format="xlsx")
