"""API of the news, /api/v1/actualites: published only, newest first, by département and tag, paginated; the detail
with its text and the linked event (null when the caller may not see it); 404 with a reason, 422 on bad parameters;
the schemas in the OpenAPI document."""

import datetime

import pytest
from django.test import Client

from maillage.comptes.models import Role
from maillage.reseau.models import Etiquette
from tests.comptes.factories import UtilisateurFactory
from tests.reseau.factories import ActualiteFactory, EvenementFactory
from tests.territoires.factories import DepartementFactory

URL = "/api/v1/actualites"


@pytest.fixture
def monde(db):
    dep = DepartementFactory(code="94", nom="Val-de-Marne")
    autre = DepartementFactory(code="93", nom="Seine-Saint-Denis")
    evenement = EvenementFactory(departement=dep, titre="Journée départementale")
    publiee = ActualiteFactory(departement=dep, titre="Publiée", date=datetime.date(2016, 9, 1), evenement=evenement,
                               texte="Premier.\n\nSecond.", auteur_libelle="Communication Caf")  # fmt: skip
    publiee.etiquettes.add(Etiquette.objects.create(nom="journée"))
    ancienne = ActualiteFactory(departement=dep, titre="Ancienne", date=datetime.date(2016, 1, 1))
    brouillon = ActualiteFactory(departement=dep, titre="Brouillon", statut="brouillon", date=datetime.date(2017, 1, 1))
    ailleurs = ActualiteFactory(departement=autre, titre="Du 93", date=datetime.date(2016, 5, 1))
    pilote = UtilisateurFactory(role=Role.PILOTE, departements=[dep])
    return dep, publiee, ancienne, brouillon, ailleurs, pilote


def test_liste_des_actualites_publiees(monde, django_assert_max_num_queries):
    _, publiee, ancienne, *_ = monde
    with django_assert_max_num_queries(4):  # département, count, page, tags
        reponse = Client().get(URL, {"departement": "94"})
    assert reponse.status_code == 200
    corps = reponse.json()
    assert corps["count"] == 2
    assert corps["items"] == [
        {"id": publiee.pk, "titre": "Publiée", "date": "2016-09-01", "auteur": "Communication Caf",
         "etiquettes": ["journée"], "resume": "Résumé fictif."},
        {"id": ancienne.pk, "titre": "Ancienne", "date": "2016-01-01", "auteur": "Communication fictive",
         "etiquettes": [], "resume": "Résumé fictif."},
    ]  # fmt: skip


def test_les_brouillons_ne_sortent_jamais_meme_pour_la_caf(monde):
    *_, brouillon, _, pilote = monde
    client = Client()
    client.force_login(pilote)
    titres = [i["titre"] for i in client.get(URL).json()["items"]]
    assert titres == ["Publiée", "Du 93", "Ancienne"]
    reponse = client.get(f"{URL}/{brouillon.pk}")
    assert reponse.status_code == 404 and reponse.json()["detail"] == f"Actualité inconnue : {brouillon.pk}."


def test_pagination_et_filtre_par_etiquette(monde):
    client = Client()
    page = client.get(URL, {"limit": 1, "offset": 1}).json()
    assert page["count"] == 3 and [i["titre"] for i in page["items"]] == ["Du 93"]
    assert client.get(URL, {"offset": 10**12}).json() == {"count": 3, "items": []}
    assert [i["titre"] for i in client.get(URL, {"etiquette": "JOURNÉE"}).json()["items"]] in (["Publiée"], [])
    assert [i["titre"] for i in client.get(URL, {"etiquette": "journée"}).json()["items"]] == ["Publiée"]


@pytest.mark.parametrize(
    "parametres", [{"limit": 0}, {"limit": 1000}, {"offset": -1}, {"limit": "abc"}, {"offset": "1.5"}]
)
def test_parametres_invalides_422(monde, parametres):
    reponse = Client().get(URL, parametres)
    assert reponse.status_code == 422
    assert reponse.json()["detail"]


def test_departement_inconnu_404(monde):
    reponse = Client().get(URL, {"departement": "00"})
    assert reponse.status_code == 404
    assert reponse.json() == {"detail": "Département inconnu : '00'."}


def test_detail_avec_texte_et_evenement(monde):
    _, publiee, ancienne, *_ = monde
    corps = Client().get(f"{URL}/{publiee.pk}").json()
    assert corps["texte"] == "Premier.\n\nSecond."
    assert corps["evenement"] == {"id": publiee.evenement_id, "titre": "Journée départementale"}
    assert corps["etiquettes"] == ["journée"] and corps["auteur"] == "Communication Caf"
    assert Client().get(f"{URL}/{ancienne.pk}").json()["evenement"] is None


def test_evenement_brouillon_non_devoile(monde):
    _, publiee, *_ = monde
    publiee.evenement.statut = "brouillon"
    publiee.evenement.save()
    assert Client().get(f"{URL}/{publiee.pk}").json()["evenement"] is None


def test_detail_inconnu_404_et_id_invalide_422(monde):
    assert Client().get(f"{URL}/999999").status_code == 404
    assert Client().get(f"{URL}/{2**70}").status_code == 404
    assert Client().get(f"{URL}/-1").status_code == 404
    assert Client().get(f"{URL}/abc").status_code == 422


def test_schemas_dans_l_openapi(db):
    document = Client().get("/api/v1/openapi.json").json()
    schemas = document["components"]["schemas"]
    assert {"ActualiteOut", "ActualiteDetailOut", "PageActualites", "EvenementLieOut"} <= set(schemas)
    assert set(schemas["ActualiteDetailOut"]["properties"]) == {
        "id", "titre", "date", "auteur", "etiquettes", "resume", "texte", "evenement"
    }  # fmt: skip
    chemins = document["paths"]
    assert {"200", "404", "422"} <= set(chemins["/api/v1/actualites"]["get"]["responses"])
    assert {"200", "404", "422"} <= set(chemins["/api/v1/actualites/{id}"]["get"]["responses"])
