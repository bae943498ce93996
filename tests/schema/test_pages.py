"""The schémas list, a schéma's page and a fiche action's page, for each role: what each one sees, the public page
without internal comment nor personal data, the update form of a fiche, constant query counts."""

import datetime
import html

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from maillage.schema.models import CommentaireAction, FicheAction
from tests.conftest import enregistrer_deux_fois, message_conflit
from tests.schema.factories import (
    DecisionFactory,
    FicheActionFactory,
    IndicateurFactory,
    InstanceFactory,
    JalonFactory,
    OrientationFactory,
    ReunionFactory,
    jeu_schema_94,
)
from tests.structures.factories import AgrementFactory, StructureFactory

AUJOURDHUI = datetime.date(2016, 11, 15)


@pytest.fixture
def jeu(territoire_94, settings):
    settings.MAILLAGE_AUJOURDHUI = AUJOURDHUI.isoformat()
    return jeu_schema_94(territoire_94)


def client_de(utilisateur=None) -> Client:
    client = Client()
    if utilisateur is not None:
        client.force_login(utilisateur)
    return client


def texte(reponse) -> str:
    return html.unescape(reponse.content.decode())


# --- List ---------------------------------------------------------------------------------------------------------


def test_liste_publique_montre_les_schemas_adoptes_du_departement_par_defaut(jeu, settings):
    settings.MAILLAGE_PLATEFORME = {**settings.MAILLAGE_PLATEFORME, "departement_defaut": "94"}
    reponse = client_de().get(reverse("schema:liste"))
    assert reponse.status_code == 200
    page = texte(reponse)
    assert "Schéma directeur fictif 2016-2020" in page and "2016-2020" in page
    assert "Schéma fictif en préparation" not in page
    assert "Nouveau schéma" not in page
    # Progress of the schéma, in French: (40 + 80 + 0) / 3.
    assert "40\xa0%" in page and "Adopté" in page


def test_liste_du_pilote_avec_brouillon_creation_et_copie(jeu, django_assert_max_num_queries):
    client = client_de(jeu.pilote)
    for i in range(5):
        jeu_schema = FicheActionFactory(orientation=jeu.orientations[2], numero=f"9.{i}").schema
    assert jeu_schema == jeu.schema
    with django_assert_max_num_queries(12):
        reponse = client.get(reverse("schema:liste"), {"departement": "94"})
    page = texte(reponse)
    assert "Schéma fictif en préparation 2021-2025" in page
    assert reverse("schema:creer") + "?departement=94" in page
    assert reverse("schema:copier", args=[jeu.schema.pk]) in page
    assert "Nouveau schéma à partir de celui-ci" in page


@pytest.mark.parametrize("qui", ["partenaire", "conseiller", "compte_structure"])
def test_liste_des_autres_roles_sans_bouton_de_creation(jeu, qui):
    page = texte(client_de(getattr(jeu, qui)).get(reverse("schema:liste"), {"departement": "94"}))
    assert "Schéma fictif en préparation 2021-2025" in page  # drafts are read in scope
    assert "Nouveau schéma" not in page


def test_liste_d_un_autre_departement_ne_montre_pas_les_brouillons(jeu):
    page = texte(client_de(jeu.pilote93).get(reverse("schema:liste"), {"departement": "94"}))
    assert "Schéma directeur fictif 2016-2020" in page and "en préparation" not in page
    assert "Nouveau schéma" not in page
    # An unknown département is an invalid choice, not an error.
    assert client_de().get(reverse("schema:liste"), {"departement": "zz"}).status_code == 200


# --- A schéma's page ----------------------------------------------------------------------------------------------


def test_page_publique_du_schema_sans_donnee_interne(jeu):
    reponse = client_de().get(reverse("schema:detail", args=[jeu.schema.pk]))
    assert reponse.status_code == 200
    page = texte(reponse)
    for attendu in (
        "Promouvoir les espaces de dialogue",
        "Le maillage territorial",
        "Axe 1 — Organiser l'action publique",
        "Orientation 1.1 — Coopérer entre financeurs",
        "Comité des financeurs fictif",
        "Fédération fictive des centres sociaux",
        "Caf du Val-de-Marne",
        "1 en retard",
        "les actions abandonnées n'y comptent pas",
        "Axes et actions",  # the tabs
    ):
        assert attendu in page, attendu
    assert "Note interne confidentielle" not in page
    assert jeu.conseiller.email not in page and "Référente" not in page
    assert reverse("schema:modifier", args=[jeu.schema.pk]) not in page
    assert 'aria-current="page">Axes et actions' in page


def test_brouillon_reserve_au_departement(jeu):
    url = reverse("schema:detail", args=[jeu.brouillon.pk])
    anonyme = client_de().get(url)
    assert anonyme.status_code == 302 and anonyme["Location"].startswith(reverse("comptes:connexion"))
    assert client_de(jeu.pilote93).get(url).status_code == 403
    assert client_de(jeu.partenaire93).get(url).status_code == 403
    for qui in ("pilote", "partenaire", "conseiller", "compte_structure"):
        assert client_de(getattr(jeu, qui)).get(url).status_code == 200, qui
    assert client_de(jeu.pilote).get(reverse("schema:detail", args=[999_999])).status_code == 404


def test_page_du_pilote_avec_ses_liens_de_gestion(jeu):
    page = texte(client_de(jeu.pilote).get(reverse("schema:detail", args=[jeu.schema.pk])))
    for nom in ("modifier", "statut", "structure", "fiche_creer", "copier"):
        assert reverse(f"schema:{nom}", args=[jeu.schema.pk]) in page, nom


def test_chiffres_figes_a_l_adoption_a_cote_de_ceux_d_aujourd_hui(jeu):
    schema = jeu.schema
    schema.diagnostic_fige = {
        "date": "2016-06-30",
        "annee_budgets": 2015,
        "chiffres": {"structures": 47, "centres_sociaux": 35, "evs": 12, "budget_total": 17_500_000.0},
    }
    schema.save()
    page = texte(client_de().get(reverse("schema:detail", args=[schema.pk])))
    assert "À l'adoption, le 30/06/2016" in page and "Aujourd'hui, le 15/11/2016" in page
    assert "17,5\xa0M€" in page and ">47<" in page
    # Today's figures come from the data: 3 structures active, 1,2 M€ of 2015 budgets.
    assert ">3<" in page and "1,2\xa0M€" in page


def test_filtres_de_l_arbre_par_statut_pilote_et_retard(jeu):
    url = reverse("schema:detail", args=[jeu.schema.pk])
    client = client_de()
    page = texte(client.get(url, {"statut": "a_lancer"}))
    assert "Grille d'évaluation fictive" in page and "Comité des financeurs fictif" not in page
    page = texte(client.get(url, {"pilote": jeu.ville.pk}))
    assert "Convention fictive" in page and "Comité des financeurs fictif" not in page
    page = texte(client.get(url, {"retard": "on"}))
    assert "Comité des financeurs fictif" in page and "Convention fictive" not in page
    assert "1 fiche action correspond aux filtres" in page
    # A forged filter is ignored, not an error.
    assert client.get(url, {"pilote": "x", "statut": "zz"}).status_code == 200


def test_page_du_schema_en_requetes_constantes(jeu, django_assert_max_num_queries):
    client = client_de(jeu.pilote)
    url = reverse("schema:detail", args=[jeu.schema.pk])
    client.get(url)

    def compter(*, cache_vide: bool) -> int:
        from django.core.cache import cache
        from django.db import connection
        from django.test.utils import CaptureQueriesContext

        if cache_vide:
            cache.clear()  # the tree read and rendered again, as after any change of the schéma's data
        with CaptureQueriesContext(connection) as requetes:
            assert client.get(url).status_code == 200
        return len(requetes)

    peu = compter(cache_vide=True)
    orientation = OrientationFactory(axe=jeu.axes[1], numero=2)
    for i in range(25):
        fiche = FicheActionFactory(orientation=orientation, numero=f"2.2.{i}", pilote=jeu.federation)
        JalonFactory(fiche=fiche, echeance=datetime.date(2016, 1, 1))
    assert compter(cache_vide=True) == peu
    # A later visit: the tree and its rendering come from the cache (the data version's query only).
    assert compter(cache_vide=False) < peu
    with django_assert_max_num_queries(30):
        client.get(url)


# --- A fiche action's page ----------------------------------------------------------------------------------------


def _url_fiche(jeu, rang=0):
    return reverse("schema:fiche", args=[jeu.fiches[rang].pk])


def test_fiche_publique_sans_commentaire_ni_referent(jeu):
    f1 = jeu.fiches[0]
    DecisionFactory(
        reunion=ReunionFactory(instance=InstanceFactory(schema=jeu.schema)), texte="Décision interne fictive"
    ).fiches.set([f1])
    IndicateurFactory(schema=jeu.schema, fiche=f1, code="F1IND", libelle="Indicateur fictif de la fiche")
    reponse = client_de().get(_url_fiche(jeu))
    assert reponse.status_code == 200
    page = texte(reponse)
    for attendu in ("Comité des financeurs fictif", "Première réunion fictive", "En retard", "Créteil",
                    "Ville fictive de Vitry", "Indicateur fictif de la fiche"):  # fmt: skip
        assert attendu in page, attendu
    for absent in ("Note interne confidentielle", "Référente", jeu.conseiller.email, "Décision interne fictive",
                   "Mettre à jour la fiche", "Historique des mises à jour"):  # fmt: skip
        assert absent not in page, absent


def test_fiche_interne_avec_historique_referents_et_decisions(jeu):
    f1 = jeu.fiches[0]
    reunion = ReunionFactory(instance=InstanceFactory(schema=jeu.schema, nom="COPIL fictif"))
    DecisionFactory(reunion=reunion, texte="Décision interne fictive", responsable=jeu.federation).fiches.set([f1])
    page = texte(client_de(jeu.partenaire_autre).get(_url_fiche(jeu)))
    assert "Note interne confidentielle" in page and "Dominique Référente" in page
    assert "Décision interne fictive" in page and "COPIL fictif du 15/11/2016" in page
    # Not a pilot nor referent of this fiche: no update form.
    assert "Mettre à jour la fiche" not in page


@pytest.mark.parametrize("qui", ["partenaire", "conseiller", "pilote"])
def test_mise_a_jour_par_qui_tient_la_fiche(jeu, qui):
    fiche, jalon = jeu.fiches[0], jeu.jalons[0]
    client = client_de(getattr(jeu, qui))
    assert "Mettre à jour la fiche" in texte(client.get(_url_fiche(jeu)))
    reponse = client.post(
        _url_fiche(jeu),
        {
            "statut": "en_cours",
            "avancement": "65",
            "jalons": [jalon.pk],
            "commentaire": "Réunion tenue",
            "version": fiche.version,
        },  # fmt: skip
    )
    assert reponse.status_code == 302, reponse.context and reponse.context["form"].errors
    fiche.refresh_from_db()
    jalon.refresh_from_db()
    assert (fiche.avancement, jalon.fait, jalon.fait_le) == (65, True, AUJOURDHUI)
    # The latest record (by key): the fixture's comment carries the real instant, the new one the pinned clock's.
    commentaire = CommentaireAction.objects.filter(fiche=fiche).order_by("-pk").first()
    assert (commentaire.texte, commentaire.avancement, commentaire.auteur) == ("Réunion tenue", 65, getattr(jeu, qui))
    assert timezone.localdate(commentaire.le) == AUJOURDHUI
    page = texte(client_de(getattr(jeu, qui)).get(_url_fiche(jeu)))
    assert "Réunion tenue" in page and "65\xa0%" in page


@pytest.mark.parametrize("qui", ["partenaire_autre", "compte_structure", "pilote93", None])
def test_mise_a_jour_refusee(jeu, qui):
    fiche = jeu.fiches[0]
    utilisateur = getattr(jeu, qui) if qui else None
    reponse = client_de(utilisateur).post(
        _url_fiche(jeu), {"statut": "realisee", "avancement": "100", "version": fiche.version}
    )
    assert reponse.status_code in (302, 403)
    if utilisateur is None:
        assert reponse["Location"].startswith(reverse("comptes:connexion"))
    else:
        assert reponse.status_code == 403
    fiche.refresh_from_db()
    assert (fiche.statut, fiche.avancement) == ("en_cours", 40)


def test_mise_a_jour_invalide_montre_le_message(jeu):
    fiche = jeu.fiches[0]
    reponse = client_de(jeu.partenaire).post(
        _url_fiche(jeu), {"statut": "realisee", "avancement": "50", "version": fiche.version}
    )
    assert reponse.status_code == 200
    assert "Une action réalisée est avancée à 100 %." in texte(reponse)
    reponse = client_de(jeu.partenaire).post(
        _url_fiche(jeu), {"statut": "en_cours", "avancement": "150", "version": fiche.version}
    )
    assert "100" in str(reponse.context["form"].errors["avancement"])
    fiche.refresh_from_db()
    assert fiche.avancement == 40 and not CommentaireAction.objects.filter(fiche=fiche, texte="").exists()


def test_mise_a_jour_perimee_montre_les_champs_changes(jeu):
    reponse = enregistrer_deux_fois(
        _url_fiche(jeu),
        (jeu.partenaire, {"statut": "en_cours", "avancement": "70", "commentaire": "Premier"}),
        (jeu.conseiller, {"statut": "reportee", "avancement": "10", "commentaire": "Second"}),
    )
    message = message_conflit(reponse)
    assert "Avancement (%) : « 40 » → « 70 »" in message
    fiche = FicheAction.objects.get(pk=jeu.fiches[0].pk)
    assert (fiche.statut, fiche.avancement) == ("en_cours", 70)
    assert not CommentaireAction.objects.filter(texte="Second").exists()


def test_fiche_d_un_brouillon_reservee_au_departement(jeu):
    fiche = FicheActionFactory(orientation__axe__schema=jeu.brouillon, numero="1")
    url = reverse("schema:fiche", args=[fiche.pk])
    assert client_de().get(url).status_code == 302
    assert client_de(jeu.pilote93).get(url).status_code == 403
    assert client_de(jeu.compte_structure).get(url).status_code == 200
    assert client_de(jeu.pilote).get(reverse("schema:fiche", args=[999_999])).status_code == 404


def test_page_de_fiche_en_requetes_constantes(jeu):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    client = client_de(jeu.pilote)
    url = _url_fiche(jeu)

    def compter():
        with CaptureQueriesContext(connection) as requetes:
            assert client.get(url).status_code == 200
        return len(requetes)

    peu = compter()
    fiche = jeu.fiches[0]
    for i in range(10):
        JalonFactory(fiche=fiche)
        CommentaireAction.objects.create(fiche=fiche, auteur=jeu.partenaire, texte=f"Commentaire {i}")
        structure = StructureFactory(commune=jeu.communes[1])
        AgrementFactory(structure=structure)
        fiche.structures.add(structure)
    assert compter() == peu
