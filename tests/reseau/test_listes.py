"""Mailing lists: members by category and territory plus hand-picked people (`membres_liste`), pages, export for a
mailing tool, denials, query counts."""

import pytest
from django.urls import reverse
from django.utils import timezone

from maillage.reseau import selectors_annuaire, services_annuaire
from maillage.reseau.models import Categorie, ListeDiffusion
from tests.reseau.factories import ListeDiffusionFactory, PersonneFactory, jeu_annuaire, refus


@pytest.fixture
def jeu(territoire_94):
    return jeu_annuaire(territoire_94)


def _noms(qs):
    return sorted(p.nom for p in qs)


def test_membres_par_categorie_territoire_et_a_la_main(jeu):
    alpha, bravo, charlie = jeu.personnes
    liste = ListeDiffusionFactory(departement=jeu.dep, categories=[Categorie.ELU, Categorie.CCAS])
    assert _noms(selectors_annuaire.membres_liste(liste)) == ["Alpha", "Bravo"]
    liste.communes.set([jeu.communes[1]])  # Vitry
    assert _noms(selectors_annuaire.membres_liste(liste)) == ["Bravo"]
    liste.personnes.set([charlie])
    assert _noms(selectors_annuaire.membres_liste(liste)) == ["Bravo", "Charlie"]
    liste.communes.clear()
    liste.epci.set([jeu.epci])
    liste.categories = []
    liste.save()
    assert _noms(selectors_annuaire.membres_liste(liste)) == ["Alpha", "Bravo", "Charlie"]


def test_liste_sans_critere_ne_compte_que_les_personnes_ajoutees(jeu):
    liste = ListeDiffusionFactory(departement=jeu.dep)
    assert _noms(selectors_annuaire.membres_liste(liste)) == []
    liste.personnes.set([jeu.personnes[0]])
    assert _noms(selectors_annuaire.membres_liste(liste)) == ["Alpha"]


def test_opposes_et_autres_departements_exclus(jeu):
    PersonneFactory(departement=jeu.autre, categorie=Categorie.ELU, nom="Ailleurs")
    jeu.personnes[0].opposition_le = timezone.now()
    jeu.personnes[0].save()
    liste = ListeDiffusionFactory(departement=jeu.dep, categories=[Categorie.ELU])
    liste.personnes.set([jeu.personnes[0]])
    assert _noms(selectors_annuaire.membres_liste(liste)) == []


def test_service_refuse_hors_departement_et_nom_en_double(jeu):
    ailleurs = PersonneFactory(departement=jeu.autre)
    ListeDiffusionFactory(departement=jeu.dep, nom="Élus")
    with pytest.raises(Exception) as erreur:
        services_annuaire.liste_creer(
            par=jeu.pilote, departement=jeu.dep, nom="élus", categories=["inconnue"], personnes=[ailleurs]
        )
    assert set(erreur.value.message_dict) == {"nom", "categories", "personnes"}
    with pytest.raises(Exception, match="accès"):
        services_annuaire.liste_creer(par=jeu.partenaire, departement=jeu.dep, nom="X")


def test_pages_creer_voir_modifier_exporter(client, jeu):
    client.force_login(jeu.conseiller)
    url = reverse("reseau:liste_creer") + "?departement=94"
    assert client.get(url).status_code == 200
    reponse = client.post(
        url, {"nom": "Élus et CCAS", "categories": ["elu", "ccas"], "personnes": [jeu.personnes[2].pk]}
    )
    assert reponse.status_code == 302
    liste = ListeDiffusion.objects.get(nom="Élus et CCAS")
    reponse = client.get(reverse("reseau:liste", args=[liste.pk]))
    assert reponse.status_code == 200 and reponse.context["nombre"] == 3
    assert "Bravo" in reponse.content.decode()
    assert "Élus et CCAS" in client.get(reverse("reseau:listes") + "?departement=94").content.decode()
    modifier = reverse("reseau:liste_modifier", args=[liste.pk])
    version = client.get(modifier).context["form"]["version"].value()
    reponse = client.post(modifier, {"nom": "Élus", "categories": ["elu"], "version": version})
    assert reponse.status_code == 302
    liste.refresh_from_db()
    assert liste.nom == "Élus" and liste.personnes.count() == 0
    reponse = client.post(modifier, {"nom": "Vieux", "categories": ["elu"], "version": version})
    assert reponse.status_code == 400  # stale version
    csv = client.get(reverse("reseau:liste_export", args=[liste.pk, "csv"]))
    assert csv.status_code == 200
    lignes = csv.content.decode("utf-8-sig").splitlines()
    assert lignes == ["Nom;Prénom;Organisation;E-mail", "Alpha;Dominique;Mairie de Créteil;alpha@exemple.fr"]
    xlsx = client.get(reverse("reseau:liste_export", args=[liste.pk, "xlsx"]))
    assert xlsx.status_code == 200 and xlsx.content[:2] == b"PK"
    assert client.get(reverse("reseau:liste_export", args=[liste.pk, "json"])).status_code == 404


@pytest.mark.parametrize("qui", ["partenaire", "structure", "pilote_autre", "anonyme"])
def test_refus_sur_chaque_page_des_listes(client, jeu, qui):
    user = None if qui == "anonyme" else getattr(jeu, qui)
    liste = ListeDiffusionFactory(departement=jeu.dep, nom="Existante", categories=["elu"])
    q = "?departement=94"
    for methode, url in [
        ("get", reverse("reseau:listes") + q),
        ("get", reverse("reseau:liste_creer") + q),
        ("post", reverse("reseau:liste_creer") + q),
        ("get", reverse("reseau:liste", args=[liste.pk])),
        ("get", reverse("reseau:liste_modifier", args=[liste.pk])),
        ("post", reverse("reseau:liste_modifier", args=[liste.pk])),
        ("get", reverse("reseau:liste_export", args=[liste.pk, "csv"])),
        ("get", reverse("reseau:liste_export", args=[liste.pk, "xlsx"])),
    ]:
        refus(client, user, methode, url, {"nom": "Piratée"})
    assert list(ListeDiffusion.objects.values_list("nom", flat=True)) == ["Existante"]


def test_page_liste_nombre_de_requetes_constant(client, jeu, django_assert_max_num_queries):
    liste = ListeDiffusionFactory(departement=jeu.dep, categories=["centre_social"])
    liste.communes.set(jeu.communes)
    client.force_login(jeu.pilote)
    url = reverse("reseau:liste", args=[liste.pk])
    client.get(url)
    with django_assert_max_num_queries(14) as peu:
        client.get(url)
    for i in range(30):
        p = PersonneFactory(departement=jeu.dep, organisation=jeu.mairie, commune=jeu.communes[i % 3])
        if i % 2:
            liste.personnes.add(p)
    with django_assert_max_num_queries(len(peu.captured_queries)):
        reponse = client.get(url)
    assert reponse.context["nombre"] == 31


def test_page_des_listes_requetes_constantes_et_nombres_justes(client, jeu, django_assert_max_num_queries):
    creteil, vitry, ivry = jeu.communes
    ListeDiffusionFactory(departement=jeu.dep, categories=["elu"])
    client.force_login(jeu.pilote)
    url = reverse("reseau:listes") + "?departement=94"
    client.get(url)
    with django_assert_max_num_queries(12) as peu:
        client.get(url)
    jeu.personnes[1].opposition_le = timezone.now()
    jeu.personnes[1].save()
    a = ListeDiffusionFactory(departement=jeu.dep, categories=["ccas", "centre_social"])
    a.communes.set([ivry, vitry])
    b = ListeDiffusionFactory(departement=jeu.dep)
    b.epci.set([jeu.epci])
    c = ListeDiffusionFactory(departement=jeu.dep)
    c.personnes.set(jeu.personnes)
    d = ListeDiffusionFactory(departement=jeu.dep, categories=["elu"])
    d.personnes.set([jeu.personnes[2]])
    with django_assert_max_num_queries(len(peu.captured_queries)):
        reponse = client.get(url)
    for liste, nombre in reponse.context["lignes"]:
        assert nombre == selectors_annuaire.membres_liste(liste).count(), liste.nom
