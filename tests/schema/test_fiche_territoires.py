"""The territories of a fiche action: EPT and the département's groupings beside communes, EPCI and QPV (form, page,
export, audit, copy), and the schéma's actions filtered by a territory."""

import datetime
import html
import io

import pytest
from auditlog.models import LogEntry
from django.contrib.contenttypes.models import ContentType
from django.core.exceptions import ValidationError
from django.test import Client
from django.urls import reverse
from openpyxl import load_workbook

from maillage.schema import selectors_schema, services_schema
from maillage.schema.models import FicheAction
from maillage.territoires import perimetres
from maillage.territoires.models import Appartenance, Regroupement
from tests.schema.factories import FicheActionFactory, jeu_schema_94
from tests.territoires.factories import CommuneFactory, EPCIFactory, QPVFactory

pytestmark = pytest.mark.django_db
AUJOURDHUI = datetime.date(2016, 11, 15)
DEBUT = datetime.date(2016, 1, 1)


def regroupement(type_, code, nom, communes, *, departement=None):
    r = Regroupement.objects.create(type=type_, code=code, nom=nom, departement=departement, debut=DEBUT)
    for commune in communes:
        Appartenance.objects.create(regroupement=r, commune=commune, debut=DEBUT)
    return r


@pytest.fixture
def jeu(territoire_94, settings):
    """The schéma test set, with the EPT of its communes (Créteil: Grand Paris Sud Est Avenir; Vitry and Ivry:
    Grand-Orly Seine Bièvre), a Caf territory (Vitry), and a grouping of the 93."""
    settings.MAILLAGE_AUJOURDHUI = AUJOURDHUI.isoformat()
    jeu = jeu_schema_94(territoire_94)
    creteil, vitry, ivry = jeu.communes
    jeu.gpsea = regroupement("ept", "200058006", "Grand Paris Sud Est Avenir", [creteil])
    jeu.gosb = regroupement("ept", "200058014", "Grand-Orly Seine Bièvre", [vitry, ivry])
    jeu.caf_vitry = regroupement("territoire_caf", "94-vitry", "Territoire Vitry", [vitry], departement=jeu.dep)
    bobigny = CommuneFactory(code="93008", nom="Bobigny", departement=jeu.dep93)
    jeu.caf93 = regroupement("territoire_caf", "93-nord", "Territoire Nord 93", [bobigny], departement=jeu.dep93)
    return jeu


def texte(reponse) -> str:
    assert reponse.status_code == 200, reponse.status_code
    return html.unescape(reponse.content.decode())


def client_de(utilisateur=None) -> Client:
    client = Client()
    if utilisateur is not None:
        client.force_login(utilisateur)
    return client


def donnees(jeu, **kwargs):
    return {
        "numero": "1.2.1", "titre": "Action en territoire", "orientation": jeu.orientations[1].pk,
        "pilote": jeu.federation.pk, "communes": [jeu.communes[0].pk], "epci": [jeu.communes[0].epci_id],
        "regroupements": [jeu.gosb.pk, jeu.caf_vitry.pk], "qpv": [], "structures": [], "partenaires": [],
        "referents": [], "debut": "2017-01-01", "fin": "2018-12-31", "poids": "1", "budget": "",
        **kwargs,
    }  # fmt: skip


def test_le_formulaire_offre_les_ept_et_les_regroupements_du_departement(jeu):
    client = client_de(jeu.pilote)
    page = texte(client.get(reverse("schema:fiche_creer", args=[jeu.schema.pk])))
    assert "EPT et regroupements de communes" in page and "EPCI / EPT" not in page
    assert "Grand-Orly Seine Bièvre (EPT)" in page and "Territoire Vitry (Territoire Caf)" in page
    assert "Territoire Nord 93" not in page
    reponse = client.post(reverse("schema:fiche_creer", args=[jeu.schema.pk]), donnees(jeu))
    fiche = FicheAction.objects.get(numero="1.2.1")
    assert reponse["Location"] == reverse("schema:fiche", args=[fiche.pk])
    assert set(fiche.regroupements.all()) == {jeu.gosb, jeu.caf_vitry}
    page = texte(client_de().get(reverse("schema:fiche", args=[fiche.pk])))  # the public fiche page
    assert "<dt>EPCI</dt><dd>Métropole du Grand Paris</dd>" in page
    assert "<dt>EPT et regroupements</dt>" in page and "Grand-Orly Seine Bièvre" in page
    assert "Territoire Vitry" in page


def test_un_regroupement_d_un_autre_departement_est_refuse(jeu):
    reponse = client_de(jeu.pilote).post(
        reverse("schema:fiche_creer", args=[jeu.schema.pk]), donnees(jeu, regroupements=[jeu.caf93.pk])
    )
    assert reponse.status_code == 200 and "regroupements" in reponse.context["form"].errors
    assert not FicheAction.objects.filter(numero="1.2.1").exists()
    # The service checks it again, in French, with nothing written.
    propres = {**donnees(jeu), "orientation": jeu.orientations[1], "pilote": jeu.federation}
    propres.update(communes=[], epci=[], regroupements=[jeu.caf93])
    with pytest.raises(ValidationError) as erreur:
        services_schema.fiche_creer(par=jeu.pilote, schema=jeu.schema, donnees=propres)
    assert "Choisissez des EPT ou des regroupements de communes du département." in str(erreur.value)
    assert not FicheAction.objects.filter(numero="1.2.1").exists()


def test_les_regroupements_d_une_fiche_sont_journalises_et_copies(jeu):
    fiche = jeu.fiches[1]
    propres = {
        **{c: getattr(fiche, c) for c in services_schema.CHAMPS_FICHE},
        "orientation": fiche.orientation,
        "pilote": fiche.pilote,
        "regroupements": [jeu.gpsea],
    }
    services_schema.fiche_modifier(par=jeu.pilote, fiche=fiche, donnees=propres, version=fiche.version)
    entrees = LogEntry.objects.filter(
        content_type=ContentType.objects.get_for_model(FicheAction), object_id=fiche.pk
    ).order_by("-pk")
    assert any("regroupements" in (e.changes_dict or {}) for e in entrees)
    copie = services_schema.schema_copier(par=jeu.pilote, source=jeu.schema, titre="Suite", debut=2021, fin=2025)
    assert list(FicheAction.objects.get(schema=copie, numero=fiche.numero).regroupements.all()) == [jeu.gpsea]


def test_l_export_du_schema_nomme_les_regroupements(jeu):
    jeu.fiches[0].regroupements.set([jeu.gpsea, jeu.caf_vitry])
    reponse = client_de(jeu.pilote).get(reverse("schema:export_xlsx", args=[jeu.schema.pk]))
    assert reponse.status_code == 200
    wb = load_workbook(io.BytesIO(reponse.content))
    lignes = list(wb["Fiches actions"].iter_rows(values_only=True))
    entetes = lignes[0]
    assert "EPCI" in entetes and "EPT et regroupements" in entetes and "EPCI / EPT" not in entetes
    par_numero = {ligne[0]: dict(zip(entetes, ligne, strict=True)) for ligne in lignes[1:]}
    assert par_numero["1.1.1"]["EPT et regroupements"] == "Grand Paris Sud Est Avenir, Territoire Vitry"


@pytest.fixture
def territoires_des_fiches(jeu):
    """1.1.1: Créteil (GPSEA); 1.1.2 names Grand-Orly Seine Bièvre; 2.1.1: the Métropole (EPCI, every commune);
    1.2.1: a QPV of Vitry; 1.2.2: the Caf's Vitry territory (inside Grand-Orly Seine Bièvre), both « à lancer »;
    1.2.3: nothing."""
    f1, f2, f3 = jeu.fiches
    f2.regroupements.set([jeu.gosb])
    f3.epci.set([jeu.communes[0].epci])
    o12 = jeu.orientations[1]
    qpv = FicheActionFactory(orientation=o12, numero="1.2.1", titre="Action QPV Balzac", statut="a_lancer")
    qpv.qpv.set([QPVFactory(code="QN09414X", nom="Balzac (test)", communes=[jeu.communes[1]])])
    caf = FicheActionFactory(orientation=o12, numero="1.2.2", titre="Action du territoire Caf", statut="a_lancer")
    caf.regroupements.set([jeu.caf_vitry])
    FicheActionFactory(orientation=o12, numero="1.2.3", titre="Action sans territoire")
    return jeu


def numeros(jeu, valeur) -> list[str]:
    perimetre = perimetres.perimetre_lu("94", valeur, date=AUJOURDHUI)
    pks = selectors_schema.fiches_du_perimetre(jeu.schema, perimetre, date=AUJOURDHUI)
    return sorted(FicheAction.objects.filter(pk__in=pks).values_list("numero", flat=True))


def test_une_action_est_dans_un_territoire_par_ses_communes_ses_qpv_ses_regroupements(
    territoires_des_fiches, django_assert_max_num_queries
):
    jeu = territoires_des_fiches
    perimetre = perimetres.perimetre_lu("94", "ept:200058014", date=AUJOURDHUI)
    with django_assert_max_num_queries(6):
        selectors_schema.fiches_du_perimetre(jeu.schema, perimetre, date=AUJOURDHUI)
    # The Métropole (2.1.1) does not lie inside an EPT; the Caf's Vitry territory does.
    assert numeros(jeu, "ept:200058014") == ["1.1.2", "1.2.1", "1.2.2"]
    assert numeros(jeu, "ept:200058006") == ["1.1.1"]
    assert numeros(jeu, "territoire_caf:94-vitry") == ["1.2.1", "1.2.2"]
    # Every territory of the 94 lies in the Métropole, which 2.1.1 names.
    assert numeros(jeu, "epci:200054781") == ["1.1.1", "1.1.2", "1.2.1", "1.2.2", "2.1.1"]


def test_la_liste_des_actions_d_un_schema_se_filtre_par_territoire(territoires_des_fiches):
    jeu = territoires_des_fiches
    url = reverse("schema:detail", args=[jeu.schema.pk])
    for client in (client_de(), client_de(jeu.pilote), client_de(jeu.partenaire)):
        page = texte(client.get(url, {"perimetre": "ept:200058014"}))
        assert '<option value="ept:200058014" selected>Grand-Orly Seine Bièvre</option>' in page
        assert "3 fiches actions correspondent aux filtres" in page
        assert "Convention fictive" in page and "Action du territoire Caf" in page
        assert "Comité des financeurs fictif" not in page and "Action sans territoire" not in page
    # Combined with another filter.
    page = texte(client_de().get(url, {"perimetre": "ept:200058014", "statut": "a_lancer"}))
    assert "2 fiches actions correspondent" in page and "Convention fictive" not in page
    # Unknown or foreign: its error shown, the other filters kept, no 500.
    for valeur in ("ept:999999999", "territoire_caf:93-nord", "<i>x</i>"):
        reponse = client_de().get(url, {"perimetre": valeur, "statut": "a_lancer"})
        page = texte(reponse)
        assert "Sélectionnez un choix valide" in page and "<i>x</i>" not in reponse.content.decode()
        assert "Grille d'évaluation fictive" in page and "Convention fictive" not in page


def test_un_territoire_change_se_voit_aussitot_dans_le_filtre(territoires_des_fiches):
    jeu = territoires_des_fiches
    url = reverse("schema:detail", args=[jeu.schema.pk])
    assert "Comité des financeurs fictif" not in texte(client_de().get(url, {"perimetre": "ept:200058014"}))
    Appartenance.objects.create(regroupement=jeu.gosb, commune=jeu.communes[0], debut=DEBUT)
    assert "Comité des financeurs fictif" in texte(client_de().get(url, {"perimetre": "ept:200058014"}))


def test_le_filtre_ne_coute_pas_plus_avec_plus_de_fiches(territoires_des_fiches, django_assert_max_num_queries):
    jeu = territoires_des_fiches
    url = reverse("schema:detail", args=[jeu.schema.pk])
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    with CaptureQueriesContext(connection) as avant:
        texte(client_de().get(url, {"perimetre": "ept:200058014"}))
    epci = EPCIFactory(code="200099999", nom="Autre EPCI (test)")
    for n in range(12):
        fiche = FicheActionFactory(orientation=jeu.orientations[2], numero=f"2.1.{n + 5}")
        fiche.communes.set(jeu.communes)
        fiche.regroupements.set([jeu.gpsea, jeu.caf_vitry])
        fiche.epci.set([epci])
    with django_assert_max_num_queries(len(avant)):
        texte(client_de().get(url, {"perimetre": "ept:200058014"}))
