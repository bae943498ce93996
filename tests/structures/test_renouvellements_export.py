"""Export of the renewal follow-up board: CSV / XLSX, for people or with codes, filters, denials."""

import datetime
import io

import pytest
from django.urls import reverse
from openpyxl import load_workbook

from maillage.comptes.models import Role
from maillage.core.tableurs import entete_machine
from maillage.structures.models import TypeStructure
from tests.comptes.factories import UtilisateurFactory
from tests.structures.factories import AgrementFactory, StructureFactory
from tests.territoires.factories import CommuneFactory, DepartementFactory

pytestmark = pytest.mark.django_db

D = datetime.date


@pytest.fixture
def donnees(db):
    vdm = DepartementFactory(code="94", nom="Val-de-Marne")
    DepartementFactory(code="93", nom="Seine-Saint-Denis")
    creteil = CommuneFactory(code="94028", nom="Créteil", departement=vdm)
    vitry = CommuneFactory(code="94081", nom="Vitry-sur-Seine", departement=vdm)
    centre = StructureFactory(nom="=Centre social des Bleuets", commune=creteil)
    retard = AgrementFactory(structure=centre)  # ends 31/12/2017
    evs = StructureFactory(nom="EVS Balzac", type=TypeStructure.EVS, commune=vitry)
    AgrementFactory(structure=evs, debut=D(2014, 7, 1), fin=D(2018, 6, 30))
    return {"vdm": vdm, "creteil": creteil, "vitry": vitry, "centre": centre, "retard": retard}


@pytest.fixture
def pilote(donnees):
    return UtilisateurFactory(role=Role.PILOTE, departements=[donnees["vdm"]])


def url(code="94"):
    return reverse("structures:renouvellements_export", args=[code])


def test_csv_pour_personnes(client, pilote, donnees):
    client.force_login(pilote)
    reponse = client.get(url(), {"date": "2017-05-15"})
    assert reponse.status_code == 200
    assert reponse["Content-Type"] == "text/csv; charset=utf-8"
    assert 'filename="renouvellements-94-2017-05-15.csv"' in reponse["Content-Disposition"]
    lignes = reponse.content.decode("utf-8-sig").splitlines()
    entetes = lignes[0].split(";")
    assert entetes[:3] == ["Identifiant de la structure", "Structure", "Code commune (INSEE)"]
    assert "Lancement (14 mois) : état" in entetes
    assert len(lignes) == 3
    # Most urgent first; a name starting like a formula is neutralised; French dates and labels.
    premiere = dict(zip(entetes, lignes[1].split(";"), strict=True))
    assert premiere["Structure"] == "'=Centre social des Bleuets"
    assert premiere["Fin"] == "31/12/2017"
    assert premiere["Type d'agrément"] == "Animation globale (centre social)"
    assert premiere["Lancement (14 mois) : état"] == "en retard"
    assert premiere["Jalons en retard"] == "2"


def test_csv_codes_et_filtres(client, pilote, donnees):
    client.force_login(pilote)
    reponse = client.get(url(), {"date": "2017-05-15", "variante": "codes", "commune": donnees["vitry"].code})
    lignes = reponse.content.decode("utf-8-sig").splitlines()
    entetes = lignes[0].split(";")
    assert all(entete_machine(e) for e in entetes)
    assert len(lignes) == 2
    ligne = dict(zip(entetes, lignes[1].split(";"), strict=True))
    assert ligne["type"] == "animation_locale" and ligne["fin"] == "2018-06-30"
    assert ligne["lancement_etat"] == "en_retard"
    assert "renouvellements-94-2017-05-15-codes.csv" in reponse["Content-Disposition"]


def test_xlsx(client, pilote, donnees):
    client.force_login(pilote)
    reponse = client.get(url(), {"date": "2017-05-15", "format": "xlsx"})
    assert reponse.status_code == 200
    feuille = load_workbook(io.BytesIO(reponse.content))["Renouvellements"]
    lignes = list(feuille.values)
    assert lignes[0][1] == "Structure"
    assert lignes[1][7] == datetime.datetime(2017, 12, 31)
    assert len(lignes) == 3
    codes = load_workbook(io.BytesIO(client.get(url(), {"format": "xlsx", "variante": "codes"}).content))
    assert all(entete_machine(c) for c in next(codes["Renouvellements"].values))


@pytest.mark.parametrize(
    "parametres, message",
    [
        ({"format": "pdf"}, "Format inconnu"),
        ({"variante": "brute"}, "Variante inconnue"),
        ({"date": "32/13/2017"}, "Filtres invalides"),
        ({"type": "x"}, "Filtres invalides"),
    ],
)
def test_parametres_invalides_400(client, pilote, donnees, parametres, message):
    client.force_login(pilote)
    reponse = client.get(url(), parametres)
    assert reponse.status_code == 400
    assert message in reponse.content.decode()


def test_anonyme_redirige(client, donnees):
    reponse = client.get(url())
    assert reponse.status_code == 302
    assert reponse.url.startswith(reverse("comptes:connexion"))


def test_departement_inconnu_404(client, pilote):
    client.force_login(pilote)
    assert client.get(url("99")).status_code == 404


@pytest.mark.parametrize("role", [Role.STRUCTURE, Role.CONSEILLER, Role.PARTENAIRE])
def test_autres_roles_403(client, donnees, role):
    user = UtilisateurFactory(role=role, departements=[donnees["vdm"]], communes=[donnees["creteil"]])
    if role == Role.STRUCTURE:
        user.structure = donnees["centre"]
        user.save()
    client.force_login(user)
    assert client.get(url()).status_code == 403


def test_pilote_d_un_autre_departement_403(client, donnees):
    client.force_login(UtilisateurFactory(role=Role.PILOTE, departements=[DepartementFactory(code="75")]))
    assert client.get(url()).status_code == 403


def test_lien_sur_la_page_avec_les_filtres(client, pilote, donnees):
    client.force_login(pilote)
    texte = client.get(reverse("structures:renouvellements", args=["94"]), {"type": "acf"}).content.decode()
    assert f"{url()}?format=csv&amp;type=acf" in texte
