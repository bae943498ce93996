"""The pilote's editing pages of a schéma: create, edit (version lock), change status (figures frozen), copy,
ordered lists, fiches actions and milestones; French messages on bad input; every other role refused."""

import datetime
import html

import pytest
from django.test import Client
from django.urls import reverse

from maillage.core.formulaires import CHAMP_JETON, nouveau_jeton
from maillage.schema.models import Enjeu, FicheAction, Jalon, Orientation, Schema
from tests.conftest import enregistrer_deux_fois, message_conflit
from tests.schema.factories import jeu_schema_94

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


def _urls(jeu) -> list[tuple[str, str]]:
    """Every editing page of the schéma, GET and POST alike."""
    s, f, j = jeu.schema.pk, jeu.fiches[0].pk, jeu.jalons[0].pk
    o = jeu.orientations[1].pk
    return [
        ("get", reverse("schema:creer") + "?departement=94"),
        ("get", reverse("schema:modifier", args=[s])),
        ("get", reverse("schema:statut", args=[jeu.brouillon.pk])),
        ("get", reverse("schema:copier", args=[s])),
        ("get", reverse("schema:structure", args=[s])),
        ("get", reverse("schema:element_ajouter", args=[s, "enjeu"])),
        ("get", reverse("schema:element_modifier", args=["orientation", o])),
        ("get", reverse("schema:element_supprimer", args=["orientation", o])),
        ("post", reverse("schema:element_deplacer", args=["orientation", o])),
        ("post", reverse("schema:elements_renumeroter", args=[s, "enjeu"])),
        ("get", reverse("schema:fiche_creer", args=[s])),
        ("get", reverse("schema:fiche_modifier", args=[f])),
        ("get", reverse("schema:jalon_ajouter", args=[f])),
        ("get", reverse("schema:jalon_modifier", args=[j])),
        ("post", reverse("schema:jalon_supprimer", args=[j])),
    ]


def test_le_pilote_ouvre_chaque_page_d_edition(jeu):
    client = client_de(jeu.pilote)
    for methode, url in _urls(jeu):
        if methode == "get":
            assert client.get(url).status_code == 200, url


@pytest.mark.parametrize("qui", ["partenaire", "conseiller", "compte_structure", "pilote93", None])
def test_pages_d_edition_refusees_aux_autres(jeu, qui):
    utilisateur = getattr(jeu, qui) if qui else None
    client = client_de(utilisateur)
    enjeux = list(Enjeu.objects.filter(schema=jeu.schema).values_list("numero", "titre"))
    for methode, url in _urls(jeu):
        reponse = getattr(client, methode)(url, {"titre": "Intrus", "sens": "monter"})
        if utilisateur is None:
            assert reponse.status_code == 302 and reverse("comptes:connexion") in reponse["Location"], url
        else:
            assert reponse.status_code == 403, url
    assert list(Enjeu.objects.filter(schema=jeu.schema).values_list("numero", "titre")) == enjeux
    assert Jalon.objects.filter(pk=jeu.jalons[0].pk).exists()


def test_nature_inconnue_404(jeu):
    client = client_de(jeu.pilote)
    assert client.get(reverse("schema:element_ajouter", args=[jeu.schema.pk, "bidule"])).status_code == 404
    assert client.get(reverse("schema:element_modifier", args=["bidule", 1])).status_code == 404
    ajouter_orientation = reverse("schema:element_ajouter", args=[jeu.schema.pk, "orientation"])
    for axe in ("", "abc", str(jeu.axes[0].pk + 1000)):
        assert client.get(ajouter_orientation, {"axe": axe}).status_code == 404, axe
    renumeroter = reverse("schema:elements_renumeroter", args=[jeu.schema.pk, "orientation"])
    assert client.post(renumeroter, {"axe": "x"}).status_code == 404


# --- The schéma ---------------------------------------------------------------------------------------------------


def test_creer_un_schema_par_le_formulaire(jeu):
    client = client_de(jeu.pilote)
    url = reverse("schema:creer") + "?departement=94"
    donnees = {"titre": "Schéma fictif 2021-2025", "debut": "2021", "fin": "2025", "realise_par": "Cabinet fictif",
               "signataires": [jeu.caf.pk, jeu.federation.pk], CHAMP_JETON: nouveau_jeton()}  # fmt: skip
    reponse = client.post(url, donnees)
    schema = Schema.objects.get(titre="Schéma fictif 2021-2025")
    assert reponse.status_code == 302 and reponse["Location"] == reverse("schema:detail", args=[schema.pk])
    assert (schema.statut, schema.realise_par, schema.signataires.count()) == ("en_elaboration", "Cabinet fictif", 2)
    # The same form sent twice creates one schéma.
    client.post(url, donnees)
    assert Schema.objects.filter(titre="Schéma fictif 2021-2025").count() == 1


def test_formulaire_du_schema_montre_les_messages(jeu):
    reponse = client_de(jeu.pilote).post(
        reverse("schema:creer") + "?departement=94",
        {"titre": "", "debut": "2025", "fin": "2021", "signataires": [jeu.org93.pk]},
    )
    assert reponse.status_code == 200
    erreurs = reponse.context["form"].errors
    assert "titre" in erreurs and "signataires" in erreurs
    page = texte(reponse)
    assert "Ce champ est obligatoire." in page
    reponse = client_de(jeu.pilote).post(
        reverse("schema:creer") + "?departement=94", {"titre": "Un titre", "debut": "2025", "fin": "2021"}
    )
    assert "La dernière année ne peut pas précéder la première." in texte(reponse)
    assert not Schema.objects.filter(titre="Un titre").exists()


def test_creer_dans_un_autre_departement_refuse(jeu):
    assert client_de(jeu.pilote).get(reverse("schema:creer") + "?departement=93").status_code == 403
    assert client_de(jeu.pilote).get(reverse("schema:creer") + "?departement=00").status_code == 404


def test_modifier_le_schema_perime_montre_les_champs_changes(jeu):
    url = reverse("schema:modifier", args=[jeu.schema.pk])
    base = {"titre": jeu.schema.titre, "debut": "2016", "fin": "2020", "signataires": [jeu.caf.pk]}
    reponse = enregistrer_deux_fois(
        url, (jeu.pilote, {**base, "realise_par": "TMO Régions (fictif)"}), (jeu.pilote, {**base, "titre": "Autre"})
    )
    assert "Élaboration accompagnée par : « (vide) » → « TMO Régions (fictif) »" in message_conflit(reponse)
    assert Schema.objects.get(pk=jeu.schema.pk).titre == "Schéma directeur fictif 2016-2020"


def test_adopter_par_le_formulaire_fige_les_chiffres(jeu):
    schema = jeu.brouillon
    url = reverse("schema:statut", args=[schema.pk])
    client = client_de(jeu.pilote)
    assert "Passer à « Adopté »" in texte(client.get(url))
    reponse = client.post(url, {"vers": "adopte", "date": "2016-12-01", "version": schema.version})
    assert "La date d'effet ne peut pas être dans le futur." in texte(reponse)
    reponse = client.post(url, {"vers": "adopte", "date": "2016-06-30", "version": schema.version})
    assert reponse.status_code == 302
    schema.refresh_from_db()
    assert schema.statut == "adopte" and schema.diagnostic_fige["chiffres"]["structures"] == 3
    page = texte(client_de().get(reverse("schema:detail", args=[schema.pk])))
    assert "À l'adoption, le 30/06/2016" in page and "<dt>Date d'adoption</dt><dd>30/06/2016</dd>" in page


def test_copier_par_le_formulaire(jeu):
    client = client_de(jeu.pilote)
    url = reverse("schema:copier", args=[jeu.schema.pk])
    assert 'value="Schéma directeur fictif 2021-2025"' in texte(client.get(url))
    reponse = client.post(url, {"titre": "Schéma fictif 2021-2025", "debut": "2021", "fin": "2025"})
    copie = Schema.objects.get(titre="Schéma fictif 2021-2025")
    assert reponse["Location"] == reverse("schema:detail", args=[copie.pk])
    assert copie.precedent == jeu.schema and copie.fiches.count() == 3
    reponse = client.post(url, {"titre": "Mauvaise", "debut": "2021", "fin": "2040"})
    assert "Un schéma couvre au plus 10 ans." in texte(reponse)


# --- Ordered lists ------------------------------------------------------------------------------------------------


def test_listes_ordonnees_par_les_pages(jeu):
    client = client_de(jeu.pilote)
    schema = jeu.schema
    reponse = client.post(
        reverse("schema:element_ajouter", args=[schema.pk, "enjeu"]), {"numero": "1", "titre": "Enjeu ajouté"}
    )
    assert reponse.status_code == 302
    assert Enjeu.objects.get(schema=schema, numero=1).titre == "Enjeu ajouté"
    reponse = client.post(
        reverse("schema:element_ajouter", args=[schema.pk, "orientation"]) + f"?axe={jeu.axes[1].pk}",
        {"titre": "Nouvelle orientation"},
    )
    assert Orientation.objects.get(axe=jeu.axes[1], numero=2).titre == "Nouvelle orientation"
    premier = Enjeu.objects.get(schema=schema, numero=1)
    client.post(reverse("schema:element_deplacer", args=["enjeu", premier.pk]), {"sens": "descendre"})
    premier.refresh_from_db()
    assert premier.numero == 2
    page = texte(client.get(reverse("schema:structure", args=[schema.pk])))
    assert "Enjeu ajouté" in page and "Nouvelle orientation" in page and "2 fiches actions" in page
    reponse = client.post(reverse("schema:element_modifier", args=["enjeu", premier.pk]), {"titre": ""})
    assert reponse.status_code == 200 and "Ce champ est obligatoire." in texte(reponse)


def test_supprimer_une_orientation_avec_fiches_refuse_avec_un_message(jeu):
    client = client_de(jeu.pilote)
    o11 = jeu.orientations[0]
    reponse = client.post(reverse("schema:element_supprimer", args=["orientation", o11.pk]), follow=True)
    assert "L'orientation 1.1 a encore 2 fiche(s) action" in texte(reponse)
    assert Orientation.objects.filter(pk=o11.pk).exists()
    o12 = jeu.orientations[1]
    assert "Supprimer orientation « 2. Partager le diagnostic » ?" in texte(
        client.get(reverse("schema:element_supprimer", args=["orientation", o12.pk]))
    )
    client.post(reverse("schema:element_supprimer", args=["orientation", o12.pk]))
    assert not Orientation.objects.filter(pk=o12.pk).exists()


def test_renumeroter_propose_quand_la_liste_a_des_trous(jeu):
    client = client_de(jeu.pilote)
    url = reverse("schema:structure", args=[jeu.schema.pk])
    assert "Renuméroter à partir de 1" not in texte(client.get(url))
    Enjeu.objects.filter(schema=jeu.schema, numero=2).update(numero=5)
    assert "Renuméroter à partir de 1" in texte(client.get(url))
    client.post(reverse("schema:elements_renumeroter", args=[jeu.schema.pk, "enjeu"]))
    assert sorted(Enjeu.objects.filter(schema=jeu.schema).values_list("numero", flat=True)) == [1, 2]


# --- Fiches and milestones ----------------------------------------------------------------------------------------


def _donnees_fiche(jeu, **kwargs):
    return {
        "numero": "1.2.1", "titre": "Action fictive créée", "orientation": jeu.orientations[1].pk,
        "pilote": jeu.federation.pk, "partenaires": [jeu.ville.pk, jeu.caf.pk], "referents": [jeu.partenaire.pk],
        "communes": [c.pk for c in jeu.communes[:2]], "epci": [], "qpv": [], "structures": [jeu.structures[0].pk],
        "debut": "2017-01-01", "fin": "2018-12-31", "poids": "2", "budget": "12 500,50", "publics": "Familles",
        **kwargs,
    }  # fmt: skip


def test_creer_et_modifier_une_fiche_par_le_formulaire(jeu):
    client = client_de(jeu.pilote)
    url = reverse("schema:fiche_creer", args=[jeu.schema.pk]) + f"?orientation={jeu.orientations[1].pk}"
    page = texte(client.get(url))
    assert f'value="{jeu.orientations[1].pk}" selected' in page and "cases-defilantes" in page
    reponse = client.post(url, _donnees_fiche(jeu))
    fiche = FicheAction.objects.get(numero="1.2.1")
    assert reponse["Location"] == reverse("schema:fiche", args=[fiche.pk])
    assert (fiche.statut, fiche.avancement, str(fiche.budget), fiche.poids) == ("a_lancer", 0, "12500.50", 2)
    assert fiche.partenaires.count() == 2 and list(fiche.referents.all()) == [jeu.partenaire]
    # The named referent may now keep it current.
    assert "Mettre à jour la fiche" in texte(client_de(jeu.partenaire).get(reverse("schema:fiche", args=[fiche.pk])))

    modifier = reverse("schema:fiche_modifier", args=[fiche.pk])
    reponse = enregistrer_deux_fois(
        modifier,
        (jeu.pilote, _donnees_fiche(jeu, titre="Titre revu")),
        (jeu.pilote, _donnees_fiche(jeu, poids="5")),
    )
    assert "Titre : « Action fictive créée » → « Titre revu »" in message_conflit(reponse)
    assert FicheAction.objects.get(pk=fiche.pk).poids == 2


def test_formulaire_de_fiche_refuse_les_choix_hors_departement(jeu):
    reponse = client_de(jeu.pilote).post(
        reverse("schema:fiche_creer", args=[jeu.schema.pk]),
        _donnees_fiche(jeu, numero="1.1.1", pilote=jeu.org93.pk, referents=[jeu.partenaire93.pk], fin="2016-01-01"),
    )
    assert reponse.status_code == 200
    erreurs = reponse.context["form"].errors
    assert {"pilote", "referents"} <= set(erreurs)
    reponse = client_de(jeu.pilote).post(
        reverse("schema:fiche_creer", args=[jeu.schema.pk]), _donnees_fiche(jeu, numero="1.1.1", fin="2016-01-01")
    )
    page = texte(reponse)
    assert "Le numéro 1.1.1 est déjà celui d'une autre fiche de ce schéma." in page
    assert "La fin ne peut pas précéder le début." in page
    assert not FicheAction.objects.filter(titre="Action fictive créée").exists()


def test_jalons_par_les_pages(jeu):
    client = client_de(jeu.pilote)
    fiche = jeu.fiches[1]
    reponse = client.post(
        reverse("schema:jalon_ajouter", args=[fiche.pk]), {"libelle": "Signature fictive", "echeance": "2016-11-01"}
    )
    assert reponse.status_code == 302
    jalon = Jalon.objects.get(libelle="Signature fictive")
    page = texte(client_de().get(reverse("schema:fiche", args=[fiche.pk])))
    assert "Signature fictive" in page and "En retard" in page
    client.post(
        reverse("schema:jalon_modifier", args=[jalon.pk]),
        {"libelle": "Signature fictive", "echeance": "2016-11-01", "fait": "on"},
    )
    jalon.refresh_from_db()
    assert (jalon.fait, jalon.fait_le) == (True, AUJOURDHUI)
    reponse = client.post(reverse("schema:jalon_ajouter", args=[fiche.pk]), {"libelle": "", "echeance": "x"})
    assert reponse.status_code == 200 and reponse.context["form"].errors.keys() == {"libelle", "echeance"}
    client.post(reverse("schema:jalon_supprimer", args=[jalon.pk]))
    assert not Jalon.objects.filter(pk=jalon.pk).exists()
