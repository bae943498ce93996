"""The network's library: who sees which resource (public / réseau / Caf × each kind of visitor, the list as a query
agreeing with the rule), the file served through the rule (name, type, nosniff; 404 anonymous, 403 account), the
publication by the Caf of the département (file checked by its content and size, French reasons, nothing written
on a refusal, one-time token, series and event preselected, tags reused), edit with version, deletion."""

import io
import re
import zipfile
from types import SimpleNamespace

import pytest
from django.contrib.auth.models import AnonymousUser
from django.core.files.base import ContentFile
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.urls import reverse

from maillage.comptes.models import Role
from maillage.core.permissions import peut
from maillage.reseau import selectors_publications
from maillage.reseau.models import Etiquette, Ressource
from tests.comptes.factories import UtilisateurFactory
from tests.conftest import enregistrer_deux_fois, message_conflit
from tests.reseau.factories import EvenementFactory, RessourceFactory, SerieAteliersFactory
from tests.territoires.factories import DepartementFactory

PDF = b"%PDF-1.4\n% document de test\n"
VISITEURS = ("anonyme", "structure", "partenaire", "conseiller", "pilote", "pilote93")
# Who reads a resource of the 94, by visibility.
ATTENDU = {
    "public": set(VISITEURS),
    "reseau": {"structure", "partenaire", "conseiller", "pilote"},
    "caf": {"conseiller", "pilote"},
}


def docx() -> bytes:
    tampon = io.BytesIO()
    with zipfile.ZipFile(tampon, "w") as archive:
        archive.writestr("[Content_Types].xml", "<Types/>")
        archive.writestr("word/document.xml", "<document/>")
    return tampon.getvalue()


def creer_monde():
    dep = DepartementFactory(code="94", nom="Val-de-Marne")
    autre = DepartementFactory(code="93", nom="Seine-Saint-Denis")
    return SimpleNamespace(
        dep=dep,
        autre=autre,
        anonyme=None,
        structure=UtilisateurFactory(role=Role.STRUCTURE, departements=[dep]),
        partenaire=UtilisateurFactory(role=Role.PARTENAIRE, departements=[dep]),
        conseiller=UtilisateurFactory(role=Role.CONSEILLER, departements=[dep]),
        pilote=UtilisateurFactory(role=Role.PILOTE, departements=[dep]),
        pilote93=UtilisateurFactory(role=Role.PILOTE, departements=[autre]),
    )


@pytest.fixture
def monde(db):
    m = creer_monde()
    m.ressources = {
        v: RessourceFactory(departement=m.dep, visibilite=v, titre=f"Ressource {v}", lien="", fichier=None)
        for v in ATTENDU
    }
    for ressource in m.ressources.values():
        ressource.nom_fichier = f"Compte rendu {ressource.visibilite} (version finale).pdf"
        ressource.fichier.save("cr.pdf", ContentFile(PDF), save=True)
    return m


def client_de(utilisateur) -> Client:
    client = Client()
    if utilisateur is not None:
        client.force_login(utilisateur)
    return client


def ajouter(client, *, departement="94", nom="compte-rendu.pdf", contenu=PDF, query="", **autres):
    donnees = {"titre": "Compte rendu du comité", "nature": "compte_rendu", "visibilite": "reseau", **autres}
    if nom is not None:
        donnees["fichier"] = SimpleUploadedFile(nom, contenu)
    url = reverse("reseau:ressource_creer") + (query or f"?departement={departement}")
    return client.post(url, donnees)


# --- Visibility ---------------------------------------------------------------------------------------------------


@pytest.mark.parametrize("visiteur", VISITEURS)
def test_matrice_de_visibilite_de_la_liste_de_la_regle_et_des_pages(monde, visiteur):
    utilisateur = getattr(monde, visiteur)
    client = client_de(utilisateur)
    attendues = {v for v, qui in ATTENDU.items() if visiteur in qui}
    qui = utilisateur or AnonymousUser()
    visibles = {r.visibilite for r in selectors_publications.ressources_visibles(qui, departement=monde.dep)}
    assert visibles == attendues
    assert {v for v, r in monde.ressources.items() if peut(qui, "ressource.voir", r)} == attendues

    page = client.get(reverse("reseau:ressources"), {"departement": "94"})
    assert page.status_code == 200
    assert {r.visibilite for r in page.context["page"].object_list} == attendues
    for visibilite, ressource in monde.ressources.items():
        for route in ("reseau:ressource", "reseau:ressource_fichier"):
            reponse = client.get(reverse(route, args=[ressource.pk]))
            contenu = b"".join(reponse.streaming_content) if reponse.streaming else reponse.content
            if visibilite in attendues:
                assert reponse.status_code == 200, (route, visibilite)
            else:
                # Nothing to learn for an anonymous visitor; an account is told it lacks the right.
                assert reponse.status_code == (404 if utilisateur is None else 403), (route, visibilite)
                assert f"Ressource {visibilite}".encode() not in contenu


def test_administrateur_voit_tout(monde):
    admin = UtilisateurFactory(role=Role.ADMIN)
    assert selectors_publications.ressources_visibles(admin).count() == 3


def test_le_fichier_est_servi_par_la_vue_avec_son_nom_d_origine(monde):
    reponse = client_de(monde.structure).get(reverse("reseau:ressource_fichier", args=[monde.ressources["reseau"].pk]))
    assert reponse.status_code == 200
    assert b"".join(reponse.streaming_content) == PDF
    assert reponse["Content-Type"] == "application/pdf"
    assert reponse["X-Content-Type-Options"] == "nosniff"
    assert "attachment" in reponse["Content-Disposition"]
    assert 'filename="Compte rendu reseau (version finale).pdf"' in reponse["Content-Disposition"]
    assert reponse["Cache-Control"] == "private, no-store"
    # Never a public media URL in the page.
    page = client_de(monde.structure).get(reverse("reseau:ressource", args=[monde.ressources["reseau"].pk]))
    assert b"/media/" not in page.content
    assert reverse("reseau:ressource_fichier", args=[monde.ressources["reseau"].pk]).encode() in page.content


def test_une_ressource_lien_n_a_pas_de_fichier(monde):
    lien = RessourceFactory(departement=monde.dep, visibilite="public", lien="https://exemple.fr/guide")
    assert client_de(None).get(reverse("reseau:ressource_fichier", args=[lien.pk])).status_code == 404
    page = client_de(None).get(reverse("reseau:ressource", args=[lien.pk]))
    assert b'href="https://exemple.fr/guide"' in page.content


def test_ressource_inconnue_404(db):
    assert client_de(None).get(reverse("reseau:ressource", args=[999])).status_code == 404
    assert client_de(None).get(reverse("reseau:ressource_fichier", args=[2**70])).status_code == 404


# --- Filters ------------------------------------------------------------------------------------------------------


def test_filtres_etiquette_nature_serie_evenement_recherche(monde):
    serie = SerieAteliersFactory(departement=monde.dep, titre="Ateliers d'évaluation")
    evenement = EvenementFactory(departement=monde.dep, titre="Journée départementale")
    jeunesse = Etiquette.objects.create(nom="jeunesse")
    a = RessourceFactory(departement=monde.dep, titre="Restitution atelier 1", nature="restitution", serie=serie)
    a.etiquettes.add(jeunesse)
    b = RessourceFactory(departement=monde.dep, titre="Programme de la journée", evenement=evenement)
    RessourceFactory(departement=monde.autre, titre="Restitution ailleurs", nature="restitution")
    client = client_de(None)
    url = reverse("reseau:ressources")

    def titres(**params):
        reponse = client.get(url, {"departement": "94", **params})
        assert reponse.status_code == 200
        return {r.titre for r in reponse.context["page"].object_list}

    assert titres(etiquette=jeunesse.pk) == {a.titre}
    assert titres(nature="restitution") == {a.titre}
    assert titres(serie=serie.pk) == {a.titre}
    assert titres(evenement=evenement.pk) == {b.titre}
    assert titres(q="PROGRAMME journée") == {b.titre}
    assert titres(q="programme journée") == {b.titre}
    assert "Restitution ailleurs" in titres(departement="", nature="restitution")
    # A filter value the page does not offer: a 400 with the French reason, not a 500.
    reponse = client.get(url, {"departement": "94", "etiquette": "abc"})
    assert reponse.status_code == 400
    assert client.get(url, {"departement": "94", "serie": "999999"}).status_code == 400


def test_un_brouillon_d_evenement_n_est_pas_propose_dans_les_filtres_du_public(monde):
    brouillon = EvenementFactory(departement=monde.dep, titre="Comité secret", statut="brouillon")
    RessourceFactory(departement=monde.dep, evenement=brouillon, visibilite="public")
    assert (
        "Comité secret" not in client_de(None).get(reverse("reseau:ressources"), {"departement": "94"}).content.decode()
    )
    assert "Comité secret" in client_de(monde.pilote).get(reverse("reseau:ressources")).content.decode()


def test_la_liste_a_un_nombre_de_requetes_constant(monde, django_assert_max_num_queries):
    for i in range(30):
        r = RessourceFactory(departement=monde.dep, titre=f"Guide {i}", visibilite="reseau")
        r.etiquettes.add(Etiquette.objects.get_or_create(nom=f"thème {i % 4}")[0])
    client = client_de(monde.pilote)
    client.get(reverse("reseau:ressources"), {"departement": "94"})
    with django_assert_max_num_queries(12):
        reponse = client.get(reverse("reseau:ressources"), {"departement": "94"})
    assert len(reponse.context["page"].object_list) == 25
    with django_assert_max_num_queries(10):
        assert client_de(None).get(reverse("reseau:ressources"), {"departement": "94"}).status_code == 200


# --- Publication ----------------------------------------------------------------------------------------------------


def test_le_pilote_ajoute_un_document_avec_ses_etiquettes(monde):
    Etiquette.objects.create(nom="Jeunesse")
    client = client_de(monde.pilote)
    assert client.get(reverse("reseau:ressource_creer"), {"departement": "94"}).status_code == 200
    reponse = ajouter(client, nom="CR comité.docx", contenu=docx(), etiquettes="jeunesse, Parentalité, jeunesse")
    assert reponse.status_code == 302
    ressource = Ressource.objects.get(titre="Compte rendu du comité")
    assert reponse["Location"] == reverse("reseau:ressource", args=[ressource.pk])
    assert ressource.departement_id == "94" and ressource.publie_par == monde.pilote
    assert ressource.nom_fichier == "CR comité.docx"
    assert sorted(e.nom for e in ressource.etiquettes.all()) == ["Jeunesse", "Parentalité"]
    assert Etiquette.objects.filter(nom__iexact="jeunesse").count() == 1
    telechargement = client.get(reverse("reseau:ressource_fichier", args=[ressource.pk]))
    assert b"".join(telechargement.streaming_content) == docx()
    assert telechargement["Content-Type"].startswith("application/vnd.openxmlformats")
    assert "filename*=utf-8''CR%20comit%C3%A9.docx" in telechargement["Content-Disposition"]


def test_ajout_d_un_lien_sans_fichier(monde):
    reponse = ajouter(client_de(monde.conseiller), nom=None, lien="https://exemple.fr/guide", visibilite="public")
    assert reponse.status_code == 302
    assert Ressource.objects.get(titre="Compte rendu du comité").lien == "https://exemple.fr/guide"


@pytest.mark.parametrize(
    ("nom", "contenu", "message"),
    [
        ("programme.exe", b"MZ\x90\x00", "Format refusé : déposez un fichier PDF, ODT, ODS, DOCX ou XLSX."),
        ("faux.pdf", b"<html>pas un pdf</html>", "Ce fichier n'est pas un PDF valide."),
        ("faux.docx", b"PK pas une archive", "Le contenu du fichier ne correspond pas à un document DOCX."),
        ("vide.pdf", b"", "Le fichier est vide."),
    ],
)
def test_fichier_refuse_rien_n_est_ecrit(monde, settings, nom, contenu, message):
    avant = Ressource.objects.count()
    reponse = ajouter(client_de(monde.pilote), nom=nom, contenu=contenu)
    assert reponse.status_code == 400
    erreurs = " ".join(reponse.context["form"].errors.get("fichier", []))
    assert message in erreurs or (not contenu and erreurs)
    assert Ressource.objects.count() == avant
    # Only the three files of the fixture on disk.
    assert len(list((settings.MEDIA_ROOT / "reseau" / "ressources" / "94").iterdir())) == 3


def test_fichier_trop_gros_refuse(monde, monkeypatch, settings):
    monkeypatch.setattr("maillage.structures.services.TAILLE_MAX_DOCUMENT", 1024)
    avant = len(list((settings.MEDIA_ROOT / "reseau" / "ressources" / "94").iterdir()))
    reponse = ajouter(client_de(monde.pilote), contenu=PDF + b"0" * 2048)
    assert reponse.status_code == 400
    assert "Le fichier dépasse la taille maximale de 0 Mo." in reponse.context["form"].errors["fichier"]
    assert not Ressource.objects.filter(titre="Compte rendu du comité").exists()
    assert len(list((settings.MEDIA_ROOT / "reseau" / "ressources" / "94").iterdir())) == avant


def test_toutes_les_erreurs_a_la_fois(monde):
    reponse = ajouter(client_de(monde.pilote), nom=None, titre="", nature="inconnue", lien="ftp://x")
    assert reponse.status_code == 400
    erreurs = reponse.context["form"].errors
    assert {"titre", "nature"} <= set(erreurs)
    reponse = ajouter(client_de(monde.pilote), nom=None)
    assert reponse.context["form"].errors["fichier"] == ["Joignez un fichier ou indiquez un lien."]


@pytest.mark.parametrize("visiteur", ["structure", "partenaire", "pilote93"])
def test_publier_refuse_hors_caf_du_departement(monde, visiteur):
    client = client_de(getattr(monde, visiteur))
    assert client.get(reverse("reseau:ressource_creer"), {"departement": "94"}).status_code == 403
    assert ajouter(client).status_code == 403
    ressource = monde.ressources["public"]
    assert client.get(reverse("reseau:ressource_modifier", args=[ressource.pk])).status_code == 403
    assert client.post(reverse("reseau:ressource_supprimer", args=[ressource.pk])).status_code == 403
    assert Ressource.objects.count() == 3


def test_publier_anonyme_renvoye_a_la_connexion(monde):
    reponse = client_de(None).get(reverse("reseau:ressource_creer"), {"departement": "94"})
    assert reponse.status_code == 302 and "connexion" in reponse["Location"]
    assert client_de(monde.pilote).get(reverse("reseau:ressource_creer"), {"departement": "00"}).status_code == 404


def test_jeton_a_usage_unique(monde):
    client = client_de(monde.pilote)
    page = client.get(reverse("reseau:ressource_creer"), {"departement": "94"})
    valeur = re.search(rb'name="jeton_formulaire" value="([0-9a-f]{32})"', page.content).group(1).decode()
    for _ in range(2):
        reponse = ajouter(client, nom=None, lien="https://exemple.fr", jeton_formulaire=valeur)
        assert reponse.status_code == 302
    assert Ressource.objects.filter(titre="Compte rendu du comité").count() == 1


def test_restitution_d_une_serie_preselectionnee(monde):
    serie = SerieAteliersFactory(departement=monde.dep, titre="Ateliers d'évaluation 2016")
    client = client_de(monde.pilote)
    page = client.get(reverse("reseau:ressource_creer"), {"serie": serie.pk})
    assert page.status_code == 200
    form = page.context["form"]
    assert form.initial["nature"] == "restitution" and form.initial["serie"] == serie
    reponse = ajouter(client, query=f"?serie={serie.pk}", nature="restitution", serie=serie.pk)
    assert reponse.status_code == 302
    assert Ressource.objects.get(titre="Compte rendu du comité").serie == serie
    # A restitution without series nor event is refused.
    reponse = ajouter(client, nature="restitution")
    assert "Une restitution se rattache" in reponse.context["form"].errors["serie"][0]
    # A series of another département: not offered (invalid choice), and its page is refused.
    ailleurs = SerieAteliersFactory(departement=monde.autre)
    assert ajouter(client, serie=ailleurs.pk).status_code == 400
    assert client.get(reverse("reseau:ressource_creer"), {"serie": ailleurs.pk}).status_code == 403
    assert client.get(reverse("reseau:ressource_creer"), {"serie": "x"}).status_code == 404
    assert client.get(reverse("reseau:ressource_creer"), {"serie": "9" * 30}).status_code == 404


def test_evenement_preselectionne(monde):
    evenement = EvenementFactory(departement=monde.dep)
    client = client_de(monde.pilote)
    page = client.get(reverse("reseau:ressource_creer"), {"evenement": evenement.pk})
    assert page.context["form"].initial["evenement"] == evenement
    ajouter(client, query=f"?evenement={evenement.pk}", evenement=evenement.pk)
    ressource = Ressource.objects.get(titre="Compte rendu du comité")
    assert ressource.evenement == evenement
    page = client_de(None).get(reverse("reseau:ressource", args=[monde.ressources["public"].pk]))
    assert page.status_code == 200


def test_modifier_avec_version_et_nouveau_fichier(monde, settings, django_capture_on_commit_callbacks):
    ressource = monde.ressources["reseau"]
    ancien = ressource.fichier.name
    client = client_de(monde.pilote)
    url = reverse("reseau:ressource_modifier", args=[ressource.pk])
    page = client.get(url)
    assert page.status_code == 200
    version = page.context["form"]["version"].value()
    with django_capture_on_commit_callbacks(execute=True):
        reponse = client.post(
        url,
        {"titre": "Nouveau titre", "nature": "guide", "visibilite": "caf", "etiquettes": "outil", "version": version,
         "fichier": SimpleUploadedFile("guide v2.pdf", PDF + b"v2")},
    )  # fmt: skip
    assert reponse.status_code == 302
    ressource.refresh_from_db()
    assert (ressource.titre, ressource.visibilite, ressource.nom_fichier) == ("Nouveau titre", "caf", "guide v2.pdf")
    assert [e.nom for e in ressource.etiquettes.all()] == ["outil"]
    assert not (settings.MEDIA_ROOT / ancien).exists()
    with ressource.fichier.open("rb") as fichier:
        assert fichier.read() == PDF + b"v2"


def test_modification_concurrente_refusee(monde):
    ressource = monde.ressources["public"]
    url = reverse("reseau:ressource_modifier", args=[ressource.pk])
    donnees = {"nature": "guide", "visibilite": "public"}
    reponse = enregistrer_deux_fois(
        url, (monde.pilote, {**donnees, "titre": "Titre A"}), (monde.conseiller, {**donnees, "titre": "Titre B"})
    )
    assert "Titre A" in message_conflit(reponse)
    ressource.refresh_from_db()
    assert ressource.titre == "Titre A"


def test_supprimer_avec_confirmation(monde, settings, django_capture_on_commit_callbacks):
    ressource = monde.ressources["caf"]
    chemin = settings.MEDIA_ROOT / ressource.fichier.name
    client = client_de(monde.conseiller)
    url = reverse("reseau:ressource_supprimer", args=[ressource.pk])
    confirmation = client.get(url)
    assert confirmation.status_code == 200 and "définitive" in confirmation.content.decode()
    assert Ressource.objects.filter(pk=ressource.pk).exists()
    with django_capture_on_commit_callbacks(execute=True):
        reponse = client.post(url)
    assert reponse.status_code == 302
    assert reponse["Location"] == reverse("reseau:ressources") + "?departement=94"
    assert not Ressource.objects.filter(pk=ressource.pk).exists()
    assert not chemin.exists()
