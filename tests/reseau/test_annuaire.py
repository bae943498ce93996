"""Annuaire pages: who sees what (Caf staff of the département; a person their own entry), filters and counts,
creation with deduplication, editing with its version, export; query counts."""

import datetime

import pytest
from django.urls import reverse
from django.utils import timezone

from maillage.core.roles import Role
from maillage.core.tableurs import DEBUTS_DANGEREUX
from maillage.reseau.models import BaseLegale, Personne
from tests.comptes.factories import OrganisationFactory, UtilisateurFactory
from tests.conftest import enregistrer_deux_fois, message_conflit
from tests.reseau.factories import PersonneFactory, jeu_annuaire, refus


@pytest.fixture
def jeu(territoire_94):
    return jeu_annuaire(territoire_94)


def _pages(jeu):
    p = jeu.personnes[0]
    q = f"?departement={jeu.dep.pk}"
    return [
        ("get", reverse("reseau:annuaire") + q),
        ("get", reverse("reseau:personne", args=[p.pk])),
        ("get", reverse("reseau:personne_creer") + q),
        ("post", reverse("reseau:personne_creer") + q),
        ("get", reverse("reseau:personne_modifier", args=[p.pk])),
        ("post", reverse("reseau:personne_modifier", args=[p.pk])),
        ("get", reverse("reseau:personne_effacer", args=[p.pk])),
        ("post", reverse("reseau:personne_effacer", args=[p.pk])),
        ("get", reverse("reseau:annuaire_importer") + q),
        ("post", reverse("reseau:annuaire_importer") + q),
        ("get", reverse("reseau:annuaire_export", args=["csv"]) + q),
        ("get", reverse("reseau:annuaire_export", args=["xlsx"]) + q),
    ]


@pytest.mark.parametrize("qui", ["partenaire", "structure", "pilote_autre", "anonyme"])
def test_refus_sur_chaque_page_de_l_annuaire(client, jeu, qui):
    user = None if qui == "anonyme" else getattr(jeu, qui)
    for methode, url in _pages(jeu):
        refus(client, user, methode, url, {"action": "effacer", "confirmation": "oui"})
    assert Personne.objects.filter(departement=jeu.dep).count() == 3


def test_un_departement_inconnu_est_refuse_sans_le_dire(client, jeu):
    client.force_login(jeu.pilote)
    assert client.get(reverse("reseau:annuaire") + "?departement=999").status_code == 403


def test_pilote_et_conseiller_voient_l_annuaire(client, jeu):
    for user in (jeu.pilote, jeu.conseiller):
        client.force_login(user)
        reponse = client.get(reverse("reseau:annuaire"), {"departement": "94"})
        assert reponse.status_code == 200
        page = reponse.content.decode()
        assert "Alpha" in page and "Mairie de Créteil" in page and "Créteil" in page
        assert [(c, n) for c, _, n in reponse.context["compteurs"]] == [("elu", 1), ("centre_social", 1), ("ccas", 1)]


@pytest.mark.parametrize(
    "filtres, attendus",
    [
        ({"categorie": "ccas"}, ["Bravo"]),
        ({"type_organisation": "commune"}, ["Alpha"]),
        ({"commune": "94041"}, ["Charlie"]),
        ({"epci": "200054781"}, ["Alpha", "Bravo", "Charlie"]),
        ({"q": "vitry"}, ["Bravo"]),
        ({"q": "alpha@exemple"}, ["Alpha"]),
    ],
)
def test_filtres_de_l_annuaire(client, jeu, filtres, attendus):
    client.force_login(jeu.pilote)
    reponse = client.get(reverse("reseau:annuaire"), {"departement": "94", **filtres})
    assert [p.nom for p in reponse.context["personnes"]] == attendus


def test_filtres_invalides_ne_cassent_pas_la_page(client, jeu):
    client.force_login(jeu.pilote)
    reponse = client.get(reverse("reseau:annuaire"), {"departement": "94", "commune": "xx", "page": "zz"})
    assert reponse.status_code == 200


def test_nombre_de_requetes_constant(client, jeu, django_assert_max_num_queries):
    client.force_login(jeu.pilote)
    url = reverse("reseau:annuaire") + "?departement=94"
    client.get(url)
    with django_assert_max_num_queries(12) as peu:
        client.get(url)
    orgs = [OrganisationFactory(departement=jeu.dep) for _ in range(5)]
    for i in range(40):
        PersonneFactory(departement=jeu.dep, organisation=orgs[i % 5], commune=jeu.communes[i % 3])
    with django_assert_max_num_queries(len(peu.captured_queries)):
        reponse = client.get(url)
    assert len(reponse.context["personnes"]) == 43


def test_une_personne_voit_sa_fiche_et_seulement_la_sienne(client, jeu):
    moi = UtilisateurFactory(role=Role.PARTENAIRE, departements=[jeu.dep], email="Alpha@Exemple.fr")
    client.force_login(moi)
    reponse = client.get(reverse("reseau:personne", args=[jeu.personnes[0].pk]))
    assert reponse.status_code == 200
    page = reponse.content.decode()
    assert "Mission d" in page and reverse("reseau:personne_modifier", args=[jeu.personnes[0].pk]) not in page
    assert client.get(reverse("reseau:personne", args=[jeu.personnes[1].pk])).status_code == 403
    assert client.get(reverse("reseau:annuaire") + "?departement=94").status_code == 403
    assert client.get(reverse("reseau:personne_modifier", args=[jeu.personnes[0].pk])).status_code == 403


def test_fiche_montre_base_legale_et_consentement(client, jeu):
    p = jeu.personnes[1]
    p.base_legale = BaseLegale.CONSENTEMENT
    p.consentement_le = timezone.make_aware(datetime.datetime(2016, 11, 21, 10))
    p.consentement_objet = "Invitations aux journées départementales"
    p.save()
    client.force_login(jeu.conseiller)
    page = client.get(reverse("reseau:personne", args=[p.pk])).content.decode()
    assert "Consentement de la personne" in page and "21/11/2016" in page and "Invitations aux journées" in page


def _donnees(**k):
    return {"nom": "Delta", "prenom": "Eva", "categorie": "evs", "base_legale": "mission_publique", **k}


def test_creer_une_personne(client, jeu):
    client.force_login(jeu.conseiller)
    reponse = client.post(
        reverse("reseau:personne_creer") + "?departement=94",
        _donnees(email=" Eva.Delta@Exemple.FR ", organisation=jeu.ccas.pk, commune="94081", oppose="on"),
    )
    assert reponse.status_code == 302
    p = Personne.objects.get(nom="Delta")
    assert p.email == "eva.delta@exemple.fr" and p.organisation == jeu.ccas and p.commune_id == "94081"
    assert p.opposition_le is not None and p.departement == jeu.dep


def test_creation_refuse_consentement_sans_date_et_orga_d_un_autre_departement(client, jeu):
    client.force_login(jeu.pilote)
    ailleurs = OrganisationFactory(departement=jeu.autre)
    reponse = client.post(
        reverse("reseau:personne_creer") + "?departement=94",
        _donnees(base_legale="consentement", organisation=ailleurs.pk, commune="93001", email="pas-une-adresse"),
    )
    assert reponse.status_code == 400
    assert {"consentement_le", "organisation", "commune", "email"} <= set(reponse.context["form"].errors)
    assert not Personne.objects.filter(nom="Delta").exists()


def test_creation_dedoublonne_par_email_avec_lien(client, jeu):
    client.force_login(jeu.pilote)
    reponse = client.post(reverse("reseau:personne_creer") + "?departement=94", _donnees(email="ALPHA@exemple.fr"))
    assert reponse.status_code == 400
    page = reponse.content.decode()
    assert "déjà celle de Dominique Alpha" in page
    assert "Voir la fiche existante" in page and reverse("reseau:personne", args=[jeu.personnes[0].pk]) in page
    assert Personne.objects.filter(email="alpha@exemple.fr").count() == 1


def test_creation_jeton_unique(client, jeu):
    client.force_login(jeu.pilote)
    url = reverse("reseau:personne_creer") + "?departement=94"
    jeton = client.get(url).context["form"] and "a" * 32
    for _ in range(2):
        client.post(url, _donnees(email="unique@exemple.fr", jeton_formulaire=jeton))
    assert Personne.objects.filter(email="unique@exemple.fr").count() == 1


def test_modifier_une_personne(client, jeu):
    p = jeu.personnes[0]
    client.force_login(jeu.pilote)
    url = reverse("reseau:personne_modifier", args=[p.pk])
    version = client.get(url).context["form"]["version"].value()
    reponse = client.post(
        url,
        _donnees(nom="Alpha", prenom="Ali", email="alpha@exemple.fr", base_legale="consentement",
                 consentement_le="2024-03-01", consentement_objet="Newsletter", version=version, oppose="on"),
    )  # fmt: skip
    assert reponse.status_code == 302
    p.refresh_from_db()
    assert p.prenom == "Ali" and p.base_legale == "consentement" and p.consentement_objet == "Newsletter"
    assert timezone.localtime(p.consentement_le).date() == datetime.date(2024, 3, 1) and p.opposition_le
    # the e-mail of another person is refused
    version = client.get(url).context["form"]["version"].value()
    reponse = client.post(url, _donnees(email="bravo@exemple.fr", version=version))
    assert reponse.status_code == 400 and "email" in reponse.context["form"].errors


def test_modifier_refuse_une_version_perimee(jeu):
    p = jeu.personnes[0]
    url = reverse("reseau:personne_modifier", args=[p.pk])
    reponse = enregistrer_deux_fois(url, (jeu.pilote, _donnees(nom="Alpha1")), (jeu.conseiller, _donnees(nom="Alpha2")))
    assert "Alpha1" in message_conflit(reponse)
    p.refresh_from_db()
    assert p.nom == "Alpha1"


def test_export_csv_et_xlsx_sans_formule(client, jeu):
    jeu.personnes[0].fonction = '=HYPERLINK("http://mal.example")'
    jeu.personnes[0].save()
    client.force_login(jeu.conseiller)
    reponse = client.get(reverse("reseau:annuaire_export", args=["csv"]), {"departement": "94", "categorie": "elu"})
    assert reponse.status_code == 200 and reponse["Content-Type"].startswith("text/csv")
    texte = reponse.content.decode("utf-8-sig")
    entete, ligne = texte.splitlines()[:2]
    assert entete.startswith("Fiche n°;Nom;Prénom;Fonction;Organisation")
    assert "'=HYPERLINK" in ligne and "Bravo" not in texte
    reponse = client.get(reverse("reseau:annuaire_export", args=["xlsx"]), {"departement": "94"})
    from io import BytesIO

    from openpyxl import load_workbook

    feuille = load_workbook(BytesIO(reponse.content)).active
    valeurs = [c.value for ligne in feuille.iter_rows() for c in ligne if isinstance(c.value, str)]
    assert not any(v.startswith(DEBUTS_DANGEREUX) for v in valeurs)
    assert feuille.max_row == 4
    assert client.get(reverse("reseau:annuaire_export", args=["pdf"]), {"departement": "94"}).status_code == 404


def test_requetes_vides_ou_fausses_jamais_en_erreur_500(client, jeu):
    from tests.reseau.factories import ListeDiffusionFactory

    liste = ListeDiffusionFactory(departement=jeu.dep)
    client.force_login(jeu.pilote)
    urls = [url for _, url in _pages(jeu)] + [
        reverse("reseau:listes") + "?departement=94",
        reverse("reseau:liste_creer") + "?departement=94",
        reverse("reseau:liste", args=[liste.pk]),
        reverse("reseau:liste_modifier", args=[liste.pk]),
        reverse("reseau:liste_export", args=[liste.pk, "csv"]),
        reverse("reseau:annuaire") + "?departement=94&page=999&categorie=zz&epci=1",
    ]
    for url in urls:
        for methode in (client.get, client.post):
            assert methode(url).status_code < 500, url
    assert client.get(reverse("reseau:personne", args=[999999])).status_code == 404
    assert client.get(reverse("reseau:liste", args=[999999])).status_code == 404
