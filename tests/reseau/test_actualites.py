"""News of the network: the public page (published only, by département, by tag, paginated; drafts for the Caf of
the département), a post (paragraphs of plain text, no HTML injection, image with its description as alt and served
after the rule, linked event), writing and editing by the Caf (status, checked image, version), and the denials."""

import datetime
import io
import re

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from PIL import Image

from maillage.reseau.models import Actualite, Etiquette
from tests.conftest import enregistrer_deux_fois, message_conflit
from tests.reseau.factories import ActualiteFactory, EvenementFactory
from tests.reseau.test_ressources import client_de, creer_monde


def image_png(largeur=20, hauteur=10) -> bytes:
    tampon = io.BytesIO()
    Image.new("RGB", (largeur, hauteur), (200, 30, 30)).save(tampon, format="PNG")
    return tampon.getvalue()


@pytest.fixture
def monde(db):
    m = creer_monde()
    m.publiee = ActualiteFactory(departement=m.dep, titre="Journée départementale : le programme",
                                 date=datetime.date(2016, 9, 1))  # fmt: skip
    m.brouillon = ActualiteFactory(departement=m.dep, titre="Brouillon du bilan", statut="brouillon",
                                   date=datetime.date(2016, 10, 1))  # fmt: skip
    m.ailleurs = ActualiteFactory(departement=m.autre, titre="Nouvelles du 93")
    return m


def ecrire(client, *, departement="94", query="", **autres):
    donnees = {
        "titre": "Retour sur la journée",
        "date": "2016-09-30",
        "statut": "publiee",
        "auteur_libelle": "Communication Caf",
        "resume": "Deux cents participants.",
        "texte": "Premier paragraphe.\n\nSecond paragraphe.",
        **autres,
    }
    return client.post(reverse("reseau:actualite_creer") + (query or f"?departement={departement}"), donnees)


# --- Reading ------------------------------------------------------------------------------------------------------


@pytest.mark.parametrize("visiteur", ["anonyme", "structure", "partenaire", "pilote93"])
def test_les_brouillons_sont_invisibles_hors_caf_du_departement(monde, visiteur):
    client = client_de(getattr(monde, visiteur))
    page = client.get(reverse("reseau:actualites"), {"departement": "94"})
    assert page.status_code == 200
    assert [a.titre for a in page.context["page"].object_list] == [monde.publiee.titre]
    assert "Brouillon du bilan" not in page.content.decode()
    assert client.get(reverse("reseau:actualite", args=[monde.brouillon.pk])).status_code == 404
    assert client.get(reverse("reseau:actualite", args=[monde.publiee.pk])).status_code == 200


@pytest.mark.parametrize("visiteur", ["pilote", "conseiller"])
def test_la_caf_du_departement_voit_ses_brouillons(monde, visiteur):
    client = client_de(getattr(monde, visiteur))
    page = client.get(reverse("reseau:actualites"), {"departement": "94"})
    assert [a.titre for a in page.context["page"].object_list] == [monde.brouillon.titre, monde.publiee.titre]
    assert "Brouillon" in page.content.decode()
    assert client.get(reverse("reseau:actualite", args=[monde.brouillon.pk])).status_code == 200


def test_filtre_par_etiquette_et_par_departement(monde):
    jeunesse = Etiquette.objects.create(nom="jeunesse")
    monde.publiee.etiquettes.add(jeunesse)
    ActualiteFactory(departement=monde.dep, titre="Sans étiquette")
    client = client_de(None)
    page = client.get(reverse("reseau:actualites"), {"departement": "94", "etiquette": jeunesse.pk})
    assert [a.titre for a in page.context["page"].object_list] == [monde.publiee.titre]
    tous = client.get(reverse("reseau:actualites"), {"departement": ""})
    assert "Nouvelles du 93" in tous.content.decode()
    assert client.get(reverse("reseau:actualites"), {"departement": "94", "etiquette": "x"}).status_code == 400


def test_liste_paginee_et_requetes_constantes(monde, django_assert_max_num_queries):
    for i in range(25):
        a = ActualiteFactory(departement=monde.dep, titre=f"Nouvelle {i}", date=datetime.date(2017, 1, 1 + i))
        a.etiquettes.add(Etiquette.objects.get_or_create(nom=f"thème {i % 3}")[0])
    client = client_de(monde.pilote)
    client.get(reverse("reseau:actualites"))
    with django_assert_max_num_queries(10):
        page = client.get(reverse("reseau:actualites"), {"departement": "94"})
    assert len(page.context["page"].object_list) == 10
    assert page.context["page"].object_list[0].titre == "Nouvelle 24"
    suivante = client_de(None).get(reverse("reseau:actualites"), {"departement": "94", "page": 3})
    assert len(suivante.context["page"].object_list) == 6  # 26 published
    assert "page=2" in suivante.content.decode()
    with django_assert_max_num_queries(8):
        assert client_de(None).get(reverse("reseau:actualites"), {"departement": "94"}).status_code == 200


def test_texte_en_paragraphes_sans_injection_html(monde):
    actualite = ActualiteFactory(
        departement=monde.dep,
        titre="<b>Titre</b>",
        texte="Premier <script>alert(1)</script> paragraphe.\n\nSecond paragraphe.",
    )
    contenu = client_de(None).get(reverse("reseau:actualite", args=[actualite.pk])).content.decode()
    assert "<script>alert(1)</script>" not in contenu
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in contenu
    assert "<b>Titre</b>" not in contenu
    assert "<p>Second paragraphe.</p>" in contenu


def test_evenement_lie_et_image_avec_sa_description(monde, settings):
    evenement = EvenementFactory(departement=monde.dep, titre="Journée du 29 septembre")
    actualite = ActualiteFactory(departement=monde.dep, evenement=evenement, image_description="La salle comble")
    actualite.image.save("salle.png", SimpleUploadedFile("salle.png", image_png()), save=True)
    client = client_de(None)
    contenu = client.get(reverse("reseau:actualite", args=[actualite.pk])).content.decode()
    assert f'href="{reverse("reseau:evenement", args=[evenement.pk])}"' in contenu
    assert f'src="{reverse("reseau:actualite_image", args=[actualite.pk])}" alt="La salle comble"' in contenu
    image = client.get(reverse("reseau:actualite_image", args=[actualite.pk]))
    assert image.status_code == 200 and image["Content-Type"] == "image/png"
    assert b"".join(image.streaming_content) == image_png()
    assert image["X-Content-Type-Options"] == "nosniff"


def test_evenement_brouillon_non_montre_au_public(monde):
    brouillon = EvenementFactory(departement=monde.dep, titre="Comité en préparation", statut="brouillon")
    actualite = ActualiteFactory(departement=monde.dep, evenement=brouillon)
    assert (
        "Comité en préparation"
        not in client_de(None).get(reverse("reseau:actualite", args=[actualite.pk])).content.decode()
    )


def test_l_image_d_un_brouillon_n_est_pas_publique(monde):
    monde.brouillon.image.save("x.png", SimpleUploadedFile("x.png", image_png()), save=True)
    url = reverse("reseau:actualite_image", args=[monde.brouillon.pk])
    assert client_de(None).get(url).status_code == 404
    assert client_de(monde.structure).get(url).status_code == 404
    reponse = client_de(monde.pilote).get(url)
    assert reponse.status_code == 200 and reponse["Cache-Control"] == "private, no-store"
    assert b"".join(reponse.streaming_content) == image_png()  # read to the end: the file is closed
    assert client_de(None).get(reverse("reseau:actualite_image", args=[monde.publiee.pk])).status_code == 404


# --- Writing ------------------------------------------------------------------------------------------------------


def test_le_pilote_ecrit_une_actualite_avec_image(monde):
    client = client_de(monde.pilote)
    page = client.get(reverse("reseau:actualite_creer"), {"departement": "94"})
    assert page.status_code == 200
    assert page.context["form"].initial["statut"] == "brouillon"
    reponse = ecrire(
        client,
        etiquettes="Journée, bilan",
        image=SimpleUploadedFile("photo.png", image_png()),
        image_description="Les participants en atelier",
    )
    assert reponse.status_code == 302
    actualite = Actualite.objects.get(titre="Retour sur la journée")
    assert reponse["Location"] == reverse("reseau:actualite", args=[actualite.pk])
    assert actualite.statut == "publiee" and actualite.auteur == monde.pilote
    assert actualite.image.name.endswith(".png") and actualite.image_description == "Les participants en atelier"
    assert {e.nom for e in actualite.etiquettes.all()} == {"bilan", "Journée"}


def test_evenement_preselectionne(monde):
    evenement = EvenementFactory(departement=monde.dep)
    client = client_de(monde.conseiller)
    page = client.get(reverse("reseau:actualite_creer"), {"evenement": evenement.pk})
    assert page.context["form"].initial["evenement"] == evenement
    assert ecrire(client, query=f"?evenement={evenement.pk}", evenement=evenement.pk).status_code == 302
    assert Actualite.objects.get(titre="Retour sur la journée").evenement == evenement
    ailleurs = EvenementFactory(departement=monde.autre)
    assert ecrire(client, evenement=ailleurs.pk).status_code == 400


@pytest.mark.parametrize(
    ("nom", "contenu", "message"),
    [
        ("photo.png", b"pas une image", "Ce fichier n'est pas une image lisible"),
        ("photo.png", b"", "vide"),
        ("dessin.svg", b'<svg xmlns="http://www.w3.org/2000/svg"/>', "Ce fichier n'est pas une image lisible"),
    ],
)
def test_image_refusee_rien_n_est_ecrit(monde, settings, nom, contenu, message):
    reponse = ecrire(client_de(monde.pilote), image=SimpleUploadedFile(nom, contenu), image_description="Une image")
    assert reponse.status_code == 400
    assert any(message in e for e in reponse.context["form"].errors["image"])
    assert not Actualite.objects.filter(titre="Retour sur la journée").exists()
    assert not (settings.MEDIA_ROOT / "reseau" / "actualites").exists()


def test_image_trop_grande_refusee(monde, monkeypatch, settings):
    monkeypatch.setattr("maillage.reseau.services_publications.TAILLE_MAX_IMAGE", 50)
    reponse = ecrire(
        client_de(monde.pilote), image=SimpleUploadedFile("p.png", image_png(200, 200)), image_description="x"
    )
    assert reponse.status_code == 400
    assert "L'image dépasse la taille maximale" in reponse.context["form"].errors["image"][0]
    assert not (settings.MEDIA_ROOT / "reseau" / "actualites").exists()


def test_image_sans_description_refusee_et_toutes_les_erreurs_a_la_fois(monde):
    reponse = ecrire(client_de(monde.pilote), titre="", resume="", image=SimpleUploadedFile("p.png", image_png()))
    assert reponse.status_code == 400
    erreurs = reponse.context["form"].errors
    assert {"titre", "resume"} <= set(erreurs)
    reponse = ecrire(client_de(monde.pilote), image=SimpleUploadedFile("p.png", image_png()))
    assert "Décrivez l'image" in reponse.context["form"].errors["image_description"][0]
    assert not Actualite.objects.filter(titre="Retour sur la journée").exists()


@pytest.mark.parametrize("visiteur", ["structure", "partenaire", "pilote93"])
def test_ecrire_refuse_hors_caf_du_departement(monde, visiteur):
    client = client_de(getattr(monde, visiteur))
    assert client.get(reverse("reseau:actualite_creer"), {"departement": "94"}).status_code == 403
    assert ecrire(client).status_code == 403
    assert client.get(reverse("reseau:actualite_modifier", args=[monde.publiee.pk])).status_code == 403
    assert client.post(reverse("reseau:actualite_modifier", args=[monde.publiee.pk]), {}).status_code == 403
    assert Actualite.objects.count() == 3


def test_ecrire_anonyme_renvoye_a_la_connexion(monde):
    reponse = client_de(None).get(reverse("reseau:actualite_creer"))
    assert reponse.status_code == 302 and "connexion" in reponse["Location"]
    assert client_de(None).get(reverse("reseau:actualite_modifier", args=[1])).status_code == 302


def test_jeton_a_usage_unique(monde):
    client = client_de(monde.pilote)
    page = client.get(reverse("reseau:actualite_creer"), {"departement": "94"})
    jeton = re.search(rb'name="jeton_formulaire" value="([0-9a-f]{32})"', page.content).group(1).decode()
    assert ecrire(client, jeton_formulaire=jeton).status_code == 302
    assert ecrire(client, jeton_formulaire=jeton).status_code == 302
    assert Actualite.objects.filter(titre="Retour sur la journée").count() == 1


def test_publier_un_brouillon_puis_retirer_l_image(monde, django_capture_on_commit_callbacks, settings):
    monde.brouillon.image.save("x.png", SimpleUploadedFile("x.png", image_png()), save=True)
    chemin = settings.MEDIA_ROOT / monde.brouillon.image.name
    client = client_de(monde.pilote)
    url = reverse("reseau:actualite_modifier", args=[monde.brouillon.pk])
    page = client.get(url)
    assert page.status_code == 200 and "supprimer_image" in page.context["form"].fields
    form = page.context["form"]
    donnees = {nom: form[nom].value() or "" for nom in form.fields if nom not in ("image", "supprimer_image")}
    donnees.update(statut="publiee", etiquettes="bilan", supprimer_image="on")
    with django_capture_on_commit_callbacks(execute=True):
        reponse = client.post(url, donnees)
    assert reponse.status_code == 302, reponse.context and reponse.context["form"].errors
    monde.brouillon.refresh_from_db()
    assert monde.brouillon.statut == "publiee" and not monde.brouillon.image
    assert not chemin.exists()
    assert client_de(None).get(reverse("reseau:actualite", args=[monde.brouillon.pk])).status_code == 200


def test_modification_concurrente_refusee(monde):
    url = reverse("reseau:actualite_modifier", args=[monde.publiee.pk])
    base = {"date": "2016-09-01", "statut": "publiee", "auteur_libelle": "Caf", "resume": "R", "texte": "T"}
    reponse = enregistrer_deux_fois(
        url, (monde.pilote, {**base, "titre": "Titre A"}), (monde.conseiller, {**base, "titre": "Titre B"})
    )
    assert "Titre A" in message_conflit(reponse)
