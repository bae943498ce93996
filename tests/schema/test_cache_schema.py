"""Answers of the schéma kept in cache by version of its data (`selectors.version_schema`): any change through the
services, the API, the admin (audited saves) or a write that skips the audit trail is seen by the very next read."""

import datetime
import json

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
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
    OrientationFactory,
    SchemaFactory,
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
