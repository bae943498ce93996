"""Answers of the schéma kept in cache by version of its data (`selectors.version_schema`): the API's detail and the
schéma's page (its tree, rendered once per filters, and today's figures). Any change through the services, the API,
the admin (audited saves) or a write that skips the audit trail is seen by the very next read."""

import datetime
import html
import json

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from maillage.comptes.models import Role
from maillage.core.audit import acteur
from maillage.schema import selectors, services
from maillage.schema.models import FicheAction
from tests.comptes.factories import OrganisationFactory, UtilisateurFactory
from tests.schema.factories import (
    AxeFactory,
    EnjeuFactory,
    FicheActionFactory,
    JalonFactory,
    OrientationFactory,
    SchemaFactory,
    jeu_schema_94,
)
from tests.territoires.factories import DepartementFactory

URL = "/api/v1/schemas"

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _jour(settings):
    settings.MAILLAGE_AUJOURDHUI = datetime.date(2016, 11, 15)


@pytest.fixture
def schema():
    dep = DepartementFactory(code="94", nom="Val-de-Marne")
    caf = OrganisationFactory(nom="Caf du Val-de-Marne", type="caf", departement=dep)
    schema = SchemaFactory(departement=dep, titre="SDAVS 2016-2020", signataires=[caf])
    EnjeuFactory(schema=schema, numero=1, titre="Couvrir le territoire")
    axe = AxeFactory(schema=schema, numero=1, titre="Développer")
    orientation = OrientationFactory(axe=axe, numero=1, titre="Ouvrir des EVS")
    FicheActionFactory(orientation=orientation, numero="1.1.1", titre="Repérer", pilote=caf, avancement=40)
    FicheActionFactory(orientation=orientation, numero="1.1.2", titre="Accompagner", pilote=caf, avancement=80)
    return schema


def _detail(client, schema) -> dict:
    reponse = client.get(f"{URL}/{schema.pk}")
    assert reponse.status_code == 200
    assert reponse.headers["Content-Type"] == "application/json; charset=utf-8"
    return reponse.json()


def _actions(donnees) -> dict:
    return {a["numero"]: a for axe in donnees["axes"] for o in axe["orientations"] for a in o["actions"]}


def test_detail_servi_du_cache_tant_que_rien_ne_change(client, schema):
    premier = client.get(f"{URL}/{schema.pk}")
    with CaptureQueriesContext(connection) as requetes:
        second = client.get(f"{URL}/{schema.pk}")
    assert second.content == premier.content
    # The schéma read for its rule, and the data version: the tree is not read again.
    assert len(requetes) == 2
    assert not any("schema_ficheaction" in q["sql"] and "ORDER BY" in q["sql"] for q in requetes.captured_queries)


def test_patch_visible_aussitot_dans_le_detail(schema):
    dep = schema.departement
    caf = schema.signataires.get()
    partenaire = UtilisateurFactory(role=Role.PARTENAIRE, departements=[dep], organisation=caf)
    client = Client()
    client.force_login(partenaire)
    avant = _detail(client, schema)
    assert _actions(avant)["1.1.1"]["avancement"] == 40 and avant["avancement"] == 60.0
    fiche = FicheAction.objects.get(schema=schema, numero="1.1.1")
    reponse = client.patch(
        f"{URL}/actions/{fiche.pk}",
        data=json.dumps({"avancement": 90, "statut": "en_cours", "version": fiche.version}),
        content_type="application/json",
    )
    assert reponse.status_code == 200, reponse.content
    apres = _detail(client, schema)
    assert _actions(apres)["1.1.1"]["avancement"] == 90
    assert apres["avancement"] == 85.0 and apres["axes"][0]["avancement"] == 85.0


def test_changements_par_les_services_et_les_enregistrements_visibles_aussitot(client, schema):
    pilote = UtilisateurFactory(role=Role.PILOTE, departements=[schema.departement])
    _detail(client, schema)
    fiche = FicheAction.objects.get(schema=schema, numero="1.1.2")
    services.fiche_mettre_a_jour(par=pilote, fiche=fiche, statut="abandonnee", version=fiche.version)
    assert _actions(_detail(client, schema))["1.1.2"]["statut"] == "abandonnee"
    # An audited save of a titled element, of the pilot organisation (its name is shown), of the schéma itself.
    with acteur(pilote):
        axe = schema.axes.get()
        axe.titre = "Développer et consolider"
        axe.save()
        caf = schema.signataires.get()
        caf.nom = "Caisse d'allocations familiales du Val-de-Marne"
        caf.save()
    donnees = _detail(client, schema)
    assert donnees["axes"][0]["titre"] == "Développer et consolider"
    assert donnees["signataires"][0]["nom"] == caf.nom and _actions(donnees)["1.1.1"]["pilote"] == caf.nom
    schema.titre = "SDAVS du Val-de-Marne"
    schema.save()
    assert _detail(client, schema)["titre"] == "SDAVS du Val-de-Marne"


def test_ecriture_sans_journal_visible_aussitot(client, schema):
    """A bulk write skips the audit trail: the fiches' count and last change are part of the version."""
    _detail(client, schema)
    FicheAction.objects.filter(schema=schema, numero="1.1.1").update(avancement=10, modifie_le=timezone.now())
    assert _actions(_detail(client, schema))["1.1.1"]["avancement"] == 10
    FicheAction.objects.filter(schema=schema, numero="1.1.2")._raw_delete(connection.alias)
    assert list(_actions(_detail(client, schema))) == ["1.1.1"]


def test_version_propre_a_chaque_schema(schema):
    autre = SchemaFactory()
    assert selectors.version_schema(schema) != selectors.version_schema(autre)


# --- The schéma's page: its tree rendered once per data version, day and filters --------------------------------


@pytest.fixture
def jeu(territoire_94, settings):
    settings.MAILLAGE_AUJOURDHUI = datetime.date(2016, 11, 15).isoformat()
    return jeu_schema_94(territoire_94)


def _page(client, schema, **filtres) -> str:
    reponse = client.get(reverse("schema:detail", args=[schema.pk]), filtres)
    assert reponse.status_code == 200
    return html.unescape(reponse.content.decode())


def test_page_mise_a_jour_de_fiche_visible_aussitot(jeu):
    client = Client()
    client.force_login(jeu.partenaire)
    f1 = jeu.fiches[0]
    page = _page(client, jeu.schema)
    assert "1 jalon en retard" not in page and "1 en retard" in page and "En cours" in page
    # Through the page's own form, then through the service: each visible on the next visit.
    services.fiche_mettre_a_jour(
        par=jeu.partenaire, fiche=f1, statut="realisee", jalons_faits={jeu.jalons[0].pk: True}, version=f1.version
    )
    page = _page(client, jeu.schema)
    assert "Réalisée" in page and "1 en retard" not in page and "Avec un jalon en retard : 0" in page
    # The filtered renderings too (another key): the fiche now « réalisée » is listed under that status.
    assert "Comité des financeurs fictif" in _page(client, jeu.schema, statut="realisee")
    assert "Comité des financeurs fictif" not in _page(client, jeu.schema, statut="en_cours")


def test_page_titres_et_pilotes_modifies_visibles_aussitot(client, jeu):
    _page(client, jeu.schema)
    with acteur(jeu.pilote):
        orientation = jeu.orientations[0]
        orientation.titre = "Coopérer entre tous les financeurs"
        orientation.save()
        jeu.ville.nom = "Ville fictive de Vitry-sur-Seine"
        jeu.ville.save()
    page = _page(client, jeu.schema)
    assert "Coopérer entre tous les financeurs" in page and "Ville fictive de Vitry-sur-Seine" in page


def test_page_jalon_en_retard_le_lendemain(client, jeu, settings):
    """The day is part of the key: a milestone becomes late at midnight without any change of the data."""
    f2 = jeu.fiches[1]
    JalonFactory(fiche=f2, libelle="Signature fictive", echeance=datetime.date(2016, 11, 15))
    assert "Avec un jalon en retard : 1" in _page(client, jeu.schema)
    settings.MAILLAGE_AUJOURDHUI = datetime.date(2016, 11, 16).isoformat()
    assert "Avec un jalon en retard : 2" in _page(client, jeu.schema)


def test_page_chiffres_du_jour_suivent_le_registre(client, jeu):
    """Today's figures are kept in cache by the version of the data they read: a structure closing shows."""
    assert _page(client, jeu.schema).count(">3<") >= 1
    with acteur(jeu.pilote):
        for agrement in jeu.structures[2].agrements.all():
            agrement.fin = datetime.date(2016, 1, 31)
            agrement.save()
    page = _page(client, jeu.schema)
    assert ">2<" in page


def test_page_une_variante_par_lecteur_et_par_filtres(jeu):
    """The content kept for the public is not the one of the pilote (management links, internal history), nor the
    one of another filter."""
    url = reverse("schema:detail", args=[jeu.schema.pk])
    public = html.unescape(Client().get(url).content.decode())
    pilote = Client()
    pilote.force_login(jeu.pilote)
    interne = html.unescape(pilote.get(url).content.decode())
    assert "Modifier le schéma" in interne and "Modifier le schéma" not in public
    assert "Modifier le schéma" not in html.unescape(Client().get(url).content.decode())
    filtree = html.unescape(Client().get(url, {"statut": "a_lancer"}).content.decode())
    assert "Grille d'évaluation fictive" in filtree and "Comité des financeurs fictif" not in filtree
    assert "Comité des financeurs fictif" in html.unescape(Client().get(url).content.decode())


def test_page_nom_d_un_compte_de_l_historique_visible_aussitot(jeu):
    """The internal history names who changed the status: an account renamed shows at once."""
    from maillage.schema.models import TransitionSchema

    TransitionSchema.objects.create(
        schema=jeu.schema, de="en_elaboration", vers="adopte", date=datetime.date(2016, 6, 30), par=jeu.pilote
    )
    client = Client()
    client.force_login(jeu.pilote)
    _page(client, jeu.schema)
    with acteur(jeu.pilote):
        jeu.pilote.first_name, jeu.pilote.last_name = "Camille", "Nouveau-Nom"
        jeu.pilote.save()
    assert "Camille Nouveau-Nom" in _page(client, jeu.schema)
