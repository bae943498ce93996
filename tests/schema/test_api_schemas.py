"""API of the schémas directeurs: /api/v1/schemas, /api/v1/schemas/{id}, GET and PATCH /api/v1/schemas/actions/{id}."""

import datetime
import json

import pytest
from django.test import Client

from maillage.comptes.models import Role
from maillage.schema.models import CommentaireAction, FicheAction, Schema
from tests.comptes.factories import OrganisationFactory, UtilisateurFactory
from tests.schema.factories import (
    AxeFactory,
    DirectionFactory,
    EnjeuFactory,
    FicheActionFactory,
    JalonFactory,
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
def petit():
    """A small adopted schéma of the 94: 1 enjeu, 1 direction, 1 axe, 2 orientations, 3 fiches actions."""
    dep = DepartementFactory(code="94", nom="Val-de-Marne")
    caf = OrganisationFactory(nom="Caf du Val-de-Marne", type="caf", departement=dep)
    cd = OrganisationFactory(nom="Conseil départemental", type="conseil_departemental", departement=dep)
    schema = SchemaFactory(departement=dep, titre="SDAVS 2016-2020", signataires=[cd, caf])
    EnjeuFactory(schema=schema, numero=1, titre="Couvrir le territoire")
    DirectionFactory(schema=schema, numero=1, titre="Mieux se coordonner")
    axe = AxeFactory(schema=schema, numero=1, titre="Développer")
    o1 = OrientationFactory(axe=axe, numero=1, titre="Ouvrir des EVS")
    o2 = OrientationFactory(axe=axe, numero=2, titre="Former")
    f1 = FicheActionFactory(orientation=o1, numero="1.1.1", titre="Repérer", pilote=caf, avancement=40, poids=1)
    f2 = FicheActionFactory(
        orientation=o1, numero="1.1.2", titre="Accompagner", pilote=cd, avancement=80, poids=3, partenaires=[caf]
    )
    f3 = FicheActionFactory(orientation=o2, numero="1.2.1", titre="Former", avancement=10, statut="abandonnee")
    j1 = JalonFactory(fiche=f2, libelle="Cahier des charges", echeance=datetime.date(2016, 10, 1))
    j2 = JalonFactory(
        fiche=f2, libelle="Lancement", echeance=datetime.date(2016, 9, 1), fait=True, fait_le=datetime.date(2016, 9, 2)
    )
    return {"schema": schema, "caf": caf, "cd": cd, "fiches": [f1, f2, f3], "jalons": [j2, j1], "dep": dep}


def _compte(role, departement, organisation=None):
    return UtilisateurFactory(role=role, departements=[departement], organisation=organisation)


def _client(user=None, **kwargs) -> Client:
    client = Client(**kwargs)
    if user is not None:
        client.force_login(user)
    return client


def test_liste_des_schemas_au_contrat(client, petit):
    reponse = client.get(URL, {"departement": "94"})
    assert reponse.status_code == 200
    schema = petit["schema"]
    assert reponse.json() == {
        "count": 1,
        "items": [
            {
                "id": schema.pk,
                "departement": "94",
                "titre": "SDAVS 2016-2020",
                "debut": 2016,
                "fin": 2020,
                "statut": "adopte",
                # (40 × 1 + 80 × 3) / 4, the abandoned action left out
                "avancement": 70.0,
            }
        ],
    }


def test_liste_brouillon_visible_du_seul_departement(petit):
    brouillon = SchemaFactory(
        departement=petit["dep"], titre="SDAVS 2021-2025", debut=2021, fin=2025, statut="en_elaboration",
        date_adoption=None,
    )  # fmt: skip
    autre = DepartementFactory(code="93", nom="Seine-Saint-Denis")
    anonyme = Client().get(URL).json()
    assert [s["id"] for s in anonyme["items"]] == [petit["schema"].pk]
    ailleurs = _client(_compte(Role.PILOTE, autre)).get(URL).json()
    assert brouillon.pk not in [s["id"] for s in ailleurs["items"]]
    partenaire = _client(_compte(Role.PARTENAIRE, petit["dep"])).get(URL, {"departement": "94"}).json()
    assert partenaire["count"] == 2
    # No action yet: no progress, not 0 %.
    assert {s["id"]: s["avancement"] for s in partenaire["items"]} == {brouillon.pk: None, petit["schema"].pk: 70.0}


def test_liste_filtres_refuses(client, petit):
    assert client.get(URL, {"departement": "999"}).status_code == 404
    reponse = client.get(URL, {"limit": 0})
    assert reponse.status_code == 422 and "limit" in reponse.json()["detail"]
    assert client.get(URL, {"offset": -1}).status_code == 422
    assert client.get(URL, {"limit": 1, "offset": 1}).json() == {"count": 1, "items": []}
    assert client.get(URL, {"offset": 10**20}).json() == {"count": 1, "items": []}
    assert client.get(f"{URL}/{10**20}").status_code == 404
    assert client.get(f"{URL}/actions/{10**20}").status_code == 404


def test_schema_detail_au_contrat(client, petit):
    schema, caf, cd = petit["schema"], petit["caf"], petit["cd"]
    f1, f2, f3 = petit["fiches"]
    reponse = client.get(f"{URL}/{schema.pk}")
    assert reponse.status_code == 200
    assert reponse.json() == {
        "id": schema.pk,
        "departement": "94",
        "titre": "SDAVS 2016-2020",
        "debut": 2016,
        "fin": 2020,
        "statut": "adopte",
        "date_adoption": "2016-06-30",
        "avancement": 70.0,
        "signataires": [
            {"nom": "Caf du Val-de-Marne", "type": "caf"},
            {"nom": "Conseil départemental", "type": "conseil_departemental"},
        ],
        "enjeux": [{"numero": 1, "titre": "Couvrir le territoire"}],
        "directions": [{"numero": 1, "titre": "Mieux se coordonner"}],
        "axes": [
            {
                "numero": 1,
                "titre": "Développer",
                "avancement": 70.0,
                "orientations": [
                    {
                        "numero": 1,
                        "titre": "Ouvrir des EVS",
                        "avancement": 70.0,
                        "actions": [
                            {
                                "id": f1.pk,
                                "numero": "1.1.1",
                                "titre": "Repérer",
                                "pilote": caf.nom,
                                "statut": "en_cours",
                                "avancement": 40,
                            },
                            {
                                "id": f2.pk,
                                "numero": "1.1.2",
                                "titre": "Accompagner",
                                "pilote": cd.nom,
                                "statut": "en_cours",
                                "avancement": 80,
                            },
                        ],
                    },
                    {
                        "numero": 2,
                        "titre": "Former",
                        "avancement": None,
                        "actions": [
                            {
                                "id": f3.pk,
                                "numero": "1.2.1",
                                "titre": "Former",
                                "pilote": None,
                                "statut": "abandonnee",
                                "avancement": 10,
                            }
                        ],
                    },
                ],
            }
        ],
    }


def _schema_avec_actions(n: int) -> Schema:
    schema = SchemaFactory(signataires=[OrganisationFactory(), OrganisationFactory()])
    EnjeuFactory(schema=schema)
    DirectionFactory(schema=schema)
    pilotes = [OrganisationFactory(departement=schema.departement) for _ in range(3)]
    orientations = [OrientationFactory(axe=AxeFactory(schema=schema, numero=a)) for a in (1, 2, 3, 4)]
    for i in range(n):
        fiche = FicheActionFactory(orientation=orientations[i % 4], numero=f"{i + 1}", pilote=pilotes[i % 3])
        if i % 10 == 0:
            JalonFactory(fiche=fiche)
    return schema


def test_schema_detail_en_requetes_constantes(client, django_assert_max_num_queries):
    petit, grand = _schema_avec_actions(20), _schema_avec_actions(200)
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    with CaptureQueriesContext(connection) as requetes_petit:
        assert client.get(f"{URL}/{petit.pk}").status_code == 200
    with django_assert_max_num_queries(len(requetes_petit)):
        reponse = client.get(f"{URL}/{grand.pk}")
    assert sum(len(o["actions"]) for a in reponse.json()["axes"] for o in a["orientations"]) == 200
    with django_assert_max_num_queries(6):
        assert client.get(URL).json()["count"] == 2


def test_schema_en_elaboration_refuse_au_public_et_aux_autres_departements(petit):
    brouillon = SchemaFactory(departement=petit["dep"], statut="en_elaboration", date_adoption=None)
    fiche = FicheActionFactory(orientation__axe__schema=brouillon)
    autre = DepartementFactory(code="93", nom="Seine-Saint-Denis")
    for client in (Client(), _client(_compte(Role.PILOTE, autre))):
        for url in (f"{URL}/{brouillon.pk}", f"{URL}/actions/{fiche.pk}"):
            reponse = client.get(url)
            # Answered like an unknown id: nothing says it exists.
            assert reponse.status_code == 404, url
            assert "inconnu" in reponse.json()["detail"]
    assert _client(_compte(Role.STRUCTURE, petit["dep"])).get(f"{URL}/{brouillon.pk}").status_code == 200
    assert Client().get(f"{URL}/123456").status_code == 404
    assert Client().get(f"{URL}/actions/123456").status_code == 404


def test_fiche_action_publique_sans_commentaires(client, petit):
    f2 = petit["fiches"][1]
    j_fait, j_retard = petit["jalons"]
    CommentaireAction.objects.create(fiche=f2, texte="Note interne", auteur_libelle="Camille (Caf)")
    reponse = client.get(f"{URL}/actions/{f2.pk}")
    assert reponse.status_code == 200
    assert reponse.json() == {
        "id": f2.pk,
        "schema": petit["schema"].pk,
        "numero": "1.1.2",
        "titre": "Accompagner",
        "objectifs": "",
        "description": "",
        "pilote": "Conseil départemental",
        "partenaires": ["Caf du Val-de-Marne"],
        "statut": "en_cours",
        "avancement": 80,
        "poids": 3,
        "debut": "2016-09-01",
        "fin": "2018-12-31",
        "jalons": [
            {"id": j_fait.pk, "libelle": "Lancement", "echeance": "2016-09-01", "fait": True, "en_retard": False},
            {
                "id": j_retard.pk,
                "libelle": "Cahier des charges",
                "echeance": "2016-10-01",
                "fait": False,
                "en_retard": True,
            },
        ],
        "version": 1,
    }
    assert "Note interne" not in reponse.content.decode()


def test_fiche_action_commentaires_pour_le_suivi_interne(petit):
    f2 = petit["fiches"][1]
    CommentaireAction.objects.create(
        fiche=f2, texte="Note interne", auteur_libelle="Camille (Caf)", statut="en_cours", avancement=80
    )
    reponse = _client(_compte(Role.PARTENAIRE, petit["dep"])).get(f"{URL}/actions/{f2.pk}")
    commentaires = reponse.json()["commentaires"]
    assert [(c["texte"], c["auteur"], c["statut"], c["avancement"]) for c in commentaires] == [
        ("Note interne", "Camille (Caf)", "en_cours", 80)
    ]
    autre = DepartementFactory(code="93", nom="Seine-Saint-Denis")
    assert "commentaires" not in _client(_compte(Role.PILOTE, autre)).get(f"{URL}/actions/{f2.pk}").json()


# --- PATCH ---------------------------------------------------------------------------------------------------


def _patch(client, fiche, corps, **kwargs):
    return client.patch(f"{URL}/actions/{fiche.pk}", data=json.dumps(corps), content_type="application/json", **kwargs)


def _etat(fiche):
    fiche = FicheAction.objects.get(pk=fiche.pk)
    return (fiche.statut, fiche.avancement, fiche.version, CommentaireAction.objects.filter(fiche=fiche).count())


def test_patch_par_le_partenaire_pilote(petit):
    f1 = petit["fiches"][0]
    partenaire = _compte(Role.PARTENAIRE, petit["dep"], petit["caf"])
    reponse = _patch(_client(partenaire), f1, {"avancement": 65.4, "commentaire": "Trois EVS repérés", "version": 1})
    assert reponse.status_code == 200, reponse.content
    donnees = reponse.json()
    assert (donnees["avancement"], donnees["statut"], donnees["version"]) == (65, "en_cours", 2)
    assert donnees["commentaires"][0]["texte"] == "Trois EVS repérés"
    assert _etat(f1) == ("en_cours", 65, 2, 1)
    # The change is in the audit trail, with its author.
    from auditlog.models import LogEntry

    entree = LogEntry.objects.get_for_object(FicheAction.objects.get(pk=f1.pk)).latest("pk")
    assert entree.actor == partenaire and entree.changes_dict["avancement"] == ["40", "65"]


def test_patch_realisee_passe_a_100(petit):
    f1 = petit["fiches"][0]
    pilote = _compte(Role.PILOTE, petit["dep"])
    reponse = _patch(_client(pilote), f1, {"statut": "realisee", "version": 1})
    assert reponse.status_code == 200
    assert (reponse.json()["statut"], reponse.json()["avancement"]) == ("realisee", 100)


def test_patch_version_perimee_409_avec_les_champs_changes(petit):
    f1 = petit["fiches"][0]
    pilote = _client(_compte(Role.PILOTE, petit["dep"]))
    assert _patch(pilote, f1, {"avancement": 50, "version": 1}).status_code == 200
    avant = _etat(f1)
    reponse = _patch(pilote, f1, {"avancement": 90, "statut": "reportee", "version": 1})
    assert reponse.status_code == 409
    corps = reponse.json()
    assert corps["version"] == 2
    assert {"champ": "Avancement (%)", "avant": "40", "maintenant": "50"} in corps["changements"]
    assert "Depuis que vous avez ouvert" in corps["detail"]
    assert _etat(f1) == avant


def test_patch_sans_le_droit_403(petit):
    f1 = petit["fiches"][0]  # piloted by the Caf
    avant = _etat(f1)
    for user in (
        _compte(Role.PARTENAIRE, petit["dep"], petit["cd"]),  # another organisation
        _compte(Role.STRUCTURE, petit["dep"]),
        _compte(Role.CONSEILLER, petit["dep"]),  # not a referent
        _compte(Role.PILOTE, DepartementFactory(code="93", nom="Seine-Saint-Denis")),
    ):
        reponse = _patch(_client(user), f1, {"avancement": 99, "version": 1})
        assert reponse.status_code == 403, user.role
        assert reponse.json()["detail"]
    assert _etat(f1) == avant


def test_patch_anonyme_401_et_sans_jeton_csrf_403(petit):
    f1 = petit["fiches"][0]
    avant = _etat(f1)
    reponse = _patch(Client(), f1, {"avancement": 99, "version": 1})
    assert reponse.status_code == 401
    pilote = _compte(Role.PILOTE, petit["dep"])
    reponse = _patch(_client(pilote, enforce_csrf_checks=True), f1, {"avancement": 99, "version": 1})
    assert reponse.status_code == 403 and "CSRF" in reponse.json()["detail"]
    assert _etat(f1) == avant


@pytest.mark.parametrize(
    "corps,champs",
    [
        ({"avancement": 120, "version": 1}, {"avancement"}),
        ({"avancement": "60", "version": 1}, {"avancement"}),  # a number, not text
        ({"avancement": True, "version": 1}, {"avancement"}),
        ({"statut": "fini", "avancement": -1, "version": 1}, {"statut", "avancement"}),
        ({"statut": "realisee", "avancement": 80, "version": 1}, {"avancement"}),
        ({"statut": 3, "version": 1}, {"statut"}),
        ({"commentaire": "x" * 4001, "version": 1}, {"commentaire"}),
        ({"commentaire": ["liste"], "version": 1}, {"commentaire"}),
        ({"avancement": 50}, {"version"}),
        ({"avancement": 50, "version": "1"}, {"version"}),
    ],
)
def test_patch_valeur_refusee_422_en_francais(petit, corps, champs):
    f1 = petit["fiches"][0]
    avant = _etat(f1)
    reponse = _patch(_client(_compte(Role.PILOTE, petit["dep"])), f1, corps)
    assert reponse.status_code == 422
    erreurs = reponse.json()["erreurs"]
    assert set(erreurs) == champs
    assert all(message[0].isupper() and message.endswith(".") for messages in erreurs.values() for message in messages)
    assert _etat(f1) == avant


def test_patch_fiche_inconnue_ou_illisible_404(petit):
    pilote = _client(_compte(Role.PILOTE, DepartementFactory(code="93", nom="Seine-Saint-Denis")))
    brouillon = FicheActionFactory(
        orientation__axe__schema=SchemaFactory(departement=petit["dep"], statut="en_elaboration", date_adoption=None)
    )
    assert _patch(pilote, brouillon, {"avancement": 1, "version": 1}).status_code == 404
    reponse = pilote.patch(f"{URL}/actions/999999", data="{}", content_type="application/json")
    assert reponse.status_code == 404
    assert _etat(brouillon)[1] == 50


def test_patch_corps_illisible(petit):
    f1 = petit["fiches"][0]
    pilote = _client(_compte(Role.PILOTE, petit["dep"]))
    reponse = pilote.patch(f"{URL}/actions/{f1.pk}", data="{pas du json", content_type="application/json")
    assert reponse.status_code in (400, 422)
    assert _etat(f1) == ("en_cours", 40, 1, 0)


def test_patch_referent_conseiller(petit):
    f3 = petit["fiches"][2]
    conseiller = _compte(Role.CONSEILLER, petit["dep"])
    f3.referents.add(conseiller)
    reponse = _patch(_client(conseiller), f3, {"statut": "en_cours", "avancement": 20, "version": 1})
    assert reponse.status_code == 200
    assert _etat(f3)[:2] == ("en_cours", 20)
