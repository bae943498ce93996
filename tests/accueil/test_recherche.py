"""The search page (/recherche/): accents and case ignored on SQLite and PostgreSQL, results grouped by kind and
linked to their page, and only what the user may see."""

import pytest

from maillage.accueil.recherche import mots_de, sans_accents
from maillage.core.roles import Role
from maillage.reseau.models import Actualite, Evenement
from maillage.schema.models import Schema
from tests.comptes.factories import UtilisateurFactory
from tests.reseau.factories import ActualiteFactory, EvenementFactory, RessourceFactory
from tests.schema.factories import FicheActionFactory, OrientationFactory, SchemaFactory
from tests.structures.factories import StructureFactory
from tests.territoires.factories import CommuneFactory, DepartementFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def jeu(territoire_94):
    creteil, vitry, ivry = territoire_94.communes
    bords = StructureFactory(
        nom="Centre social des Bords", commune=creteil, code_postal="94000", siret="44306184100047"
    )
    kennedy = StructureFactory(nom="Centre social Kennedy", commune=vitry, code_postal="94400")
    autre_dep = DepartementFactory(code="93", nom="Seine-Saint-Denis", region=territoire_94.region)
    bondy = CommuneFactory(code="93010", nom="Bondy", departement=autre_dep)
    return {
        "dep": territoire_94.departement,
        "autre_dep": autre_dep,
        "creteil": creteil,
        "vitry": vitry,
        "bords": bords,
        "kennedy": kennedy,
        "bondy": bondy,
    }


def groupes(client, q):
    reponse = client.get("/recherche/", {"q": q})
    assert reponse.status_code == 200
    return {g.cle: [r.titre for r in g.resultats] for g in reponse.context["groupes"]}


def test_normalisation_des_mots():
    assert sans_accents("Île-de-France CŒUR Straße") == "ile-de-france coeur strasse"
    assert mots_de("  l'Île  Créteil ") == ["ile", "creteil"]
    assert mots_de("???") == []


def test_commune_sans_accent_ni_majuscule(client, jeu):
    trouve = groupes(client, "creteil")
    assert trouve["communes"] == ["Créteil"]
    # The structure located in Créteil is found by its commune too.
    assert trouve["structures"] == ["Centre social des Bords"]
    assert groupes(client, "CRÉTEIL")["communes"] == ["Créteil"]


def test_structure_par_un_mot_de_son_nom(client, jeu):
    assert groupes(client, "bords")["structures"] == ["Centre social des Bords"]
    assert groupes(client, "BORD")["structures"] == ["Centre social des Bords"]
    # Every word must match: "bords vitry" finds nothing.
    assert "structures" not in groupes(client, "bords vitry")
    assert groupes(client, "kennedy vitry")["structures"] == ["Centre social Kennedy"]


def test_structure_par_siret_et_commune_par_code(client, jeu):
    assert groupes(client, "44306184100047")["structures"] == ["Centre social des Bords"]
    assert groupes(client, "94081")["communes"] == ["Vitry-sur-Seine"]
    # A postal code: the commune where a structure has it.
    assert groupes(client, "94400")["communes"] == ["Vitry-sur-Seine"]


def test_resultats_lies_a_leur_page(client, jeu):
    html = client.get("/recherche/", {"q": "creteil"}).content.decode()
    assert f'href="/structures/{jeu["bords"].pk}/"' in html
    assert 'href="/territoires/communes/94028/"' in html
    assert '<h3 id="titre-communes">Communes</h3>' in html
    assert 'lang="fr"' in html


def test_aucun_resultat_et_requete_vide(client, jeu):
    html = client.get("/recherche/", {"q": "zzzz"}).content.decode()
    assert "Aucun résultat pour « zzzz »" in html
    assert client.get("/recherche/").status_code == 200
    assert "Saisissez au moins une lettre" in client.get("/recherche/", {"q": "!!"}).content.decode()
    # A read-only page: a POST is refused.
    assert client.post("/recherche/", {"q": "creteil"}).status_code == 405
    # A very long query is cut, never an error.
    assert client.get("/recherche/", {"q": "é" * 5000}).status_code == 200


def test_evenements_ressources_actualites_selon_les_droits(client, jeu):
    dep, autre = jeu["dep"], jeu["autre_dep"]
    EvenementFactory(departement=dep, titre="Journée des Bénévoles", lieu_commune=jeu["creteil"])
    EvenementFactory(departement=dep, titre="Réunion interne des bénévoles", acces=Evenement.Acces.RESEAU)
    EvenementFactory(departement=autre, titre="Brouillon bénévoles 93", statut=Evenement.Statut.BROUILLON)
    RessourceFactory(departement=dep, titre="Guide des bénévoles")
    RessourceFactory(departement=dep, titre="Note Caf bénévoles", visibilite="caf")
    ActualiteFactory(departement=dep, titre="Bénévoles à l'honneur")
    ActualiteFactory(departement=dep, titre="Brouillon bénévoles", statut=Actualite.Statut.BROUILLON)

    public = groupes(client, "benevoles")
    assert public["evenements"] == ["Journée des Bénévoles"]
    assert public["ressources"] == ["Guide des bénévoles"]
    assert public["actualites"] == ["Bénévoles à l'honneur"]

    pilote = UtilisateurFactory(role=Role.PILOTE, departements=[dep])
    client.force_login(pilote)
    interne = groupes(client, "benevoles")
    assert sorted(interne["evenements"]) == ["Journée des Bénévoles", "Réunion interne des bénévoles"]
    assert sorted(interne["ressources"]) == ["Guide des bénévoles", "Note Caf bénévoles"]
    assert sorted(interne["actualites"]) == ["Brouillon bénévoles", "Bénévoles à l'honneur"]
    # Another département's draft never appears.
    assert "Brouillon bénévoles 93" not in interne["evenements"]


def test_fiches_actions_d_un_schema_en_elaboration_reservees(client, jeu):
    dep, autre = jeu["dep"], jeu["autre_dep"]
    adopte = SchemaFactory(departement=dep)
    FicheActionFactory(orientation=OrientationFactory(axe__schema=adopte), titre="Accueil des familles")
    brouillon = SchemaFactory(departement=autre, statut=Schema.Statut.EN_ELABORATION, date_adoption=None)
    FicheActionFactory(orientation=OrientationFactory(axe__schema=brouillon), titre="Accueil des jeunes")

    titres = groupes(client, "accueil")["fiches"]
    assert len(titres) == 1 and titres[0].endswith("Accueil des familles")
    pilote_93 = UtilisateurFactory(role=Role.PILOTE, departements=[autre])
    client.force_login(pilote_93)
    assert len(groupes(client, "accueil")["fiches"]) == 2


def test_nombre_de_requetes_borne(client, jeu, django_assert_max_num_queries):
    for i in range(30):
        StructureFactory(nom=f"Centre social Bords {i}", commune=jeu["creteil"])
        EvenementFactory(departement=jeu["dep"], titre=f"Atelier Bords {i}")
    pilote = UtilisateurFactory(role=Role.PILOTE, departements=[jeu["dep"]])
    client.force_login(pilote)
    with django_assert_max_num_queries(16):
        reponse = client.get("/recherche/", {"q": "bords"})
    groupes_ = {g.cle: g for g in reponse.context["groupes"]}
    assert len(groupes_["structures"].resultats) == 20 and groupes_["structures"].plus
    assert "Seuls les 20 premiers résultats" in reponse.content.decode()
