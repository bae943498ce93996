"""The door: check-in page (search by name or code, toggle with and without htmx), walk-ins, the feuille
d'émargement (PDF), and who may use them."""

import time
from types import SimpleNamespace

import pytest
from django.urls import reverse

from maillage.core.roles import Role
from maillage.reseau import sorties
from maillage.reseau.models import Categorie, Inscription
from tests.comptes.factories import UtilisateurFactory
from tests.reseau.factories import EvenementFactory, InscriptionFactory
from tests.territoires.factories import DepartementFactory

CONFIRMEE, ATTENTE, ANNULEE = (Inscription.Statut.CONFIRMEE, Inscription.Statut.LISTE_ATTENTE,
                               Inscription.Statut.ANNULEE)  # fmt: skip


def acteurs(departement) -> SimpleNamespace:
    """An organiser (pilote, conseiller) of `departement` and those who may not organise its events."""
    autre = DepartementFactory(code="93", nom="Seine-Saint-Denis", region=departement.region)
    return SimpleNamespace(
        pilote=UtilisateurFactory(role=Role.PILOTE, departements=[departement]),
        conseiller=UtilisateurFactory(role=Role.CONSEILLER, departements=[departement]),
        partenaire=UtilisateurFactory(role=Role.PARTENAIRE, departements=[departement]),
        structure=UtilisateurFactory(role=Role.STRUCTURE, departements=[departement]),
        pilote_autre=UtilisateurFactory(role=Role.PILOTE, departements=[autre]),
    )


@pytest.fixture
def jeu(territoire_94):
    dep = territoire_94.departement
    ev = EvenementFactory(departement=dep, titre="Journée départementale fictive", capacite=3)
    gens = acteurs(dep)
    inscrits = [
        InscriptionFactory(evenement=ev, nom="Dupont", prenom="Claire", organisation_nom="Centre social Fictif",
                           categorie=Categorie.CENTRE_SOCIAL),
        InscriptionFactory(evenement=ev, nom="Martin", prenom="Émile", categorie=Categorie.ELU),
        InscriptionFactory(evenement=ev, nom="Lefèvre", prenom="Inès", categorie=Categorie.CAF),
        InscriptionFactory(evenement=ev, nom="Attente", prenom="Paul", statut=ATTENTE),
        InscriptionFactory(evenement=ev, nom="Annulé", prenom="Luc", statut=ANNULEE),
    ]  # fmt: skip
    return SimpleNamespace(evenement=ev, inscrits=inscrits, **vars(gens))


def _pages(jeu):
    ev, i = jeu.evenement, jeu.inscrits[0]
    return [
        ("get", reverse("reseau:pointage", args=[ev.pk])),
        ("post", reverse("reseau:pointer", args=[ev.pk, i.pk])),
        ("get", reverse("reseau:sur_place", args=[ev.pk])),
        ("get", reverse("reseau:emargement", args=[ev.pk])),
        ("get", reverse("reseau:statistiques", args=[ev.pk])),
        ("get", reverse("reseau:statistiques", args=[ev.pk]) + "?format=csv"),
        ("get", reverse("reseau:enquete", args=[ev.pk])),
        ("post", reverse("reseau:enquete", args=[ev.pk])),
    ]


@pytest.mark.parametrize("qui", ["partenaire", "structure", "pilote_autre"])
def test_refus_aux_non_organisateurs_sur_chaque_page(client, jeu, qui):
    client.force_login(getattr(jeu, qui))
    for methode, url in _pages(jeu):
        reponse = getattr(client, methode)(url)
        assert reponse.status_code == 403, (qui, url)
    jeu.inscrits[0].refresh_from_db()
    assert not jeu.inscrits[0].present


def test_anonyme_envoye_a_la_connexion(client, jeu):
    for methode, url in _pages(jeu):
        reponse = getattr(client, methode)(url)
        assert reponse.status_code == 302 and "connexion" in reponse["Location"], url


def test_evenement_inconnu_404(client, jeu):
    client.force_login(jeu.pilote)
    assert client.get(reverse("reseau:pointage", args=[999999])).status_code == 404
    autre_ev = EvenementFactory(departement=jeu.evenement.departement)
    url = reverse("reseau:pointer", args=[autre_ev.pk, jeu.inscrits[0].pk])
    assert client.post(url).status_code == 404


def test_recherche_par_nom_partiel_et_par_code(client, jeu):
    client.force_login(jeu.conseiller)
    url = reverse("reseau:pointage", args=[jeu.evenement.pk])
    reponse = client.get(url, {"q": "dup"})
    assert reponse.status_code == 200
    # The page's main part only: the header names the logged-in account (a factory's « Camille Martin… »).
    contenu = reponse.content.decode().split('id="contenu"', 1)[1]
    assert "Dupont" in contenu and "Centre social Fictif" in contenu and "Martin" not in contenu
    assert "0</strong> présent / 3 inscrits" in contenu
    # A person's code, typed with spaces and in lower case.
    code = jeu.inscrits[1].code
    contenu = client.get(url, {"q": f"{code[:4].lower()} {code[4:]}"}).content.decode().split('id="contenu"', 1)[1]
    assert "Code reconnu" in contenu and "Martin" in contenu and "Dupont" not in contenu
    # Accents and first names.
    assert "Lefèvre" in client.get(url, {"q": "inès"}).content.decode()


def test_liste_d_attente_et_annulee_signalees_sur_le_bouton(client, jeu):
    client.force_login(jeu.pilote)
    contenu = client.get(reverse("reseau:pointage", args=[jeu.evenement.pk]), {"q": "attente"}).content.decode()
    assert "Liste d&#x27;attente" in contenu and "confirme l'inscription" in contenu


def test_partiel_htmx_ne_renvoie_que_les_resultats(client, jeu):
    client.force_login(jeu.pilote)
    reponse = client.get(
        reverse("reseau:pointage", args=[jeu.evenement.pk]), {"q": "martin"}, HTTP_HX_REQUEST="true",
        HTTP_HX_TARGET="resultats",
    )  # fmt: skip
    contenu = reponse.content.decode()
    assert "Martin" in contenu and "<html" not in contenu


def test_camera_permise_sur_la_page_de_pointage_seulement(client, jeu):
    client.force_login(jeu.pilote)
    reponse = client.get(reverse("reseau:pointage", args=[jeu.evenement.pk]))
    assert "camera=(self)" in reponse["Permissions-Policy"] and "microphone=()" in reponse["Permissions-Policy"]
    assert "camera=()" in client.get(reverse("reseau:sur_place", args=[jeu.evenement.pk]))["Permissions-Policy"]


def test_pointer_sans_javascript_revient_a_la_recherche(client, jeu):
    client.force_login(jeu.pilote)
    i = jeu.inscrits[0]
    url = reverse("reseau:pointer", args=[jeu.evenement.pk, i.pk])
    reponse = client.post(url, {"q": "dup", "present": "1"})
    assert reponse.status_code == 302 and reponse["Location"].endswith("/pointage/?q=dup")
    i.refresh_from_db()
    assert i.present and i.pointe_par == jeu.pilote
    client.post(url, {"q": "dup", "present": "0"})
    i.refresh_from_db()
    assert not i.present
    assert client.get(url).status_code == 405


def test_pointer_avec_htmx_renvoie_la_ligne_et_le_compteur(client, jeu):
    client.force_login(jeu.pilote)
    i = jeu.inscrits[1]
    reponse = client.post(reverse("reseau:pointer", args=[jeu.evenement.pk, i.pk]), {"present": "1"},
                          HTTP_HX_REQUEST="true")  # fmt: skip
    contenu = reponse.content.decode()
    assert reponse.status_code == 200 and f'id="i{i.pk}"' in contenu and "Annuler" in contenu
    assert 'id="compteur"' in contenu and 'hx-swap-oob="true"' in contenu and "1</strong> présent / 3" in contenu


def test_personne_en_liste_d_attente_entre_et_est_confirmee(client, jeu):
    client.force_login(jeu.pilote)
    attente = jeu.inscrits[3]
    client.post(reverse("reseau:pointer", args=[jeu.evenement.pk, attente.pk]), {"present": "1"})
    attente.refresh_from_db()
    assert attente.present and attente.statut == CONFIRMEE


def test_page_legere_pour_50_resultats(client, jeu, django_assert_max_num_queries):
    ev = jeu.evenement
    for n in range(60):
        InscriptionFactory(evenement=ev, nom=f"Nomdefamille{n}", prenom="Prénom",
                           organisation_nom="Centre social fictif des Bords de Marne")  # fmt: skip
    client.force_login(jeu.pilote)
    with django_assert_max_num_queries(12):
        reponse = client.get(reverse("reseau:pointage", args=[ev.pk]), {"q": "nomdefamille"})
    contenu = reponse.content.decode()
    assert contenu.count('<li id="i') == 50 and "60 résultats" in contenu
    assert len(reponse.content) < 30_000, len(reponse.content)


def test_inscription_sur_place(client, jeu):
    client.force_login(jeu.pilote)
    url = reverse("reseau:sur_place", args=[jeu.evenement.pk])
    assert client.get(url).status_code == 200
    donnees = {"nom": "Nouveau", "prenom": "Sam", "email": "Sam@Exemple.fr", "organisation_nom": "EVS fictif",
               "categorie": Categorie.EVS}  # fmt: skip
    reponse = client.post(url, donnees)
    i = Inscription.objects.get(evenement=jeu.evenement, email="sam@exemple.fr")
    assert reponse.status_code == 302 and reponse["Location"].endswith(f"?q={i.code}")
    assert i.present and i.origine == Inscription.Origine.SUR_PLACE and i.statut == CONFIRMEE
    # The event was full (3 places): a walk-in still gets in.
    assert jeu.evenement.inscriptions.filter(statut=CONFIRMEE).count() == 4
    # Someone already registered is found and marked present.
    reponse = client.post(url, {**donnees, "email": jeu.inscrits[2].email, "nom": "Lefèvre"})
    jeu.inscrits[2].refresh_from_db()
    assert reponse.status_code == 302 and jeu.inscrits[2].present


def test_sur_place_erreurs_toutes_affichees(client, jeu):
    client.force_login(jeu.pilote)
    reponse = client.post(reverse("reseau:sur_place", args=[jeu.evenement.pk]),
                          {"nom": "", "email": "pas-une-adresse", "categorie": "inconnue"})  # fmt: skip
    assert reponse.status_code == 400
    assert set(reponse.context["form"].errors) == {"nom", "email", "categorie"}
    assert not Inscription.objects.filter(origine=Inscription.Origine.SUR_PLACE).exists()


# --- Feuille d'émargement ----------------------------------------------------------------------------------------


def _textes_pdf(html: str) -> tuple[int, list[str]]:
    """Pages and text of the document WeasyPrint composes from `html` (no PDF reader needed)."""
    import weasyprint

    document = weasyprint.HTML(string=html).render()
    textes = []
    for page in document.pages:
        for boite in page._page_box.descendants():
            if getattr(boite, "text", None):
                textes.append(boite.text)
    return len(document.pages), textes


def test_feuille_d_emargement(client, jeu):
    client.force_login(jeu.pilote)
    reponse = client.get(reverse("reseau:emargement", args=[jeu.evenement.pk]))
    assert reponse.status_code == 200 and reponse["Content-Type"] == "application/pdf"
    assert reponse.content.startswith(b"%PDF")
    _, textes = _textes_pdf(sorties.html_emargement(jeu.evenement))
    # Confirmed registrants only, sorted by name, accents ignored.
    noms = [t for t in textes if t in {"Dupont", "Martin", "Lefèvre", "Attente", "Annulé"}]
    assert noms == ["Dupont", "Lefèvre", "Martin"]
    assert "Journée départementale fictive" in " ".join(textes)


def test_feuille_de_300_inscrits_rapide_avec_entete_repete(jeu):
    ev = jeu.evenement
    Inscription.objects.bulk_create(
        [Inscription(evenement=ev, nom=f"Nom{n:03d}", prenom="Prénom", email=f"x{n}@exemple.fr",
                     code=f"ZZ{n:06d}", jeton=f"jeton-{n}") for n in range(300)]
    )  # fmt: skip
    debut = time.monotonic()
    contenu = sorties.emargement_pdf(ev)
    assert contenu.startswith(b"%PDF") and time.monotonic() - debut < 20
    pages, textes = _textes_pdf(sorties.html_emargement(ev))
    assert pages > 5
    assert textes.count("Signature") == pages  # the header row on every page
    assert "Nom299" in textes


def test_pdf_indisponible_message_clair(client, jeu, monkeypatch):
    def sans_pango():
        raise sorties.PDFIndisponible(sorties.MESSAGE_PDF)

    monkeypatch.setattr(sorties, "verifier_pdf", sans_pango)
    client.force_login(jeu.pilote)
    reponse = client.get(reverse("reseau:emargement", args=[jeu.evenement.pk]))
    assert reponse.status_code == 503 and "Pango" in reponse.content.decode()
