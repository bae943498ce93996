"""Documents and reports on S3-compatible object storage (moto's server on the loopback, fixture `stockage_s3`): the
real flows, as the other tests run them on the local disk — upload through the pages, download through the views
that check the rights (streamed, with its length), background reports reused then purged, import previews
forgotten, backup and restore — with every file in the bucket, nothing on the disk, and never a bucket URL given
out. Also the readiness check of the storage (`maillage.core.stockage.stockage_pret`)."""

import datetime
import hashlib
import io

import pytest
from django.contrib.contenttypes.models import ContentType
from django.core.files.base import ContentFile
from django.core.files.storage import FileSystemStorage, default_storage
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import call_command
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from maillage.core.models import Travail
from maillage.core.sauvegarde import restaurer, sauvegarder
from maillage.core.stockage import ouvrir_flux, stockage_pret
from maillage.core.telechargements import BLOC
from maillage.reseau.models import Actualite, Ressource
from maillage.schema.models import DocumentSchema, Schema
from maillage.structures.models import DocumentProjet
from tests.core.test_sauvegarde import vider
from tests.observatoire.resultats.test_rapports import lire_classeur, sans_pango, url
from tests.observatoire.resultats.test_resultats import jeu  # noqa: F401  (fixture: an observatoire's campaigns)
from tests.reseau.factories import RessourceFactory
from tests.reseau.test_actualites import ecrire, image_png
from tests.reseau.test_ressources import ATTENDU, PDF, ajouter, creer_monde
from tests.s3 import ServeurS3
from tests.schema.factories import SchemaFactory
from tests.schema.test_documents import deposer
from tests.schema.test_gouvernance import construire_jeu, pdf
from tests.structures.test_echanges_export import registre  # noqa: F401  (fixture: the registry of the 94)
from tests.structures.test_echanges_import import csv_de, nouvelle_ligne
from tests.structures.test_registre_pages import monde  # noqa: F401  (fixture: structures, accounts, a document)

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def s3(stockage_s3, settings):
    """Every file of these tests in a fresh bucket; the local media folder must stay absent."""
    yield stockage_s3
    assert not settings.MEDIA_ROOT.exists(), "un fichier a été écrit sur le disque local"


def recuperer(client, adresse, **params):
    """The response with its body read whole: the test client then closes the file (and a streamed object's
    connection), as a WSGI server does."""
    reponse = client.get(adresse, params)
    reponse.contenu = b"".join(reponse.streaming_content) if reponse.streaming else reponse.content
    return reponse


def client_de(utilisateur=None) -> Client:
    client = Client(raise_request_exception=False)
    if utilisateur is not None:
        client.force_login(utilisateur)
    return client


def sans_adresse_du_bucket(s3, *reponses):
    """No page, API answer or header names the object storage: files go through Maillage's views only."""
    for reponse in reponses:
        assert reponse.status_code == 200, reponse.status_code
        textes = [reponse.contenu if hasattr(reponse, "contenu") else reponse.content, str(dict(reponse.headers))]
        for texte in textes:
            texte = texte if isinstance(texte, str) else texte.decode("utf-8", "replace")
            for trace in (s3.serveur.url, f"127.0.0.1:{s3.serveur.port}", s3.bucket, "X-Amz-", "AWSAccessKeyId"):
                assert trace not in texte, (trace, reponse.request["PATH_INFO"])


def telecharge(s3, reponse, contenu: bytes, nom: str):
    """A protected download: streamed from the bucket, whole, with its length, as an attachment."""
    assert reponse.status_code == 200 and reponse.streaming
    assert reponse.contenu == contenu
    assert reponse["Content-Length"] == str(len(contenu))
    assert reponse["X-Content-Type-Options"] == "nosniff"
    assert f'filename="{nom}"' in reponse["Content-Disposition"]
    sans_adresse_du_bucket(s3, reponse)


# --- Documents ------------------------------------------------------------------------------------------------------


def test_document_de_projet_social_depose_et_servi_depuis_le_bucket(s3, monde, django_capture_on_commit_callbacks):  # noqa: F811
    # The fixture's document went to the bucket too.
    assert monde.document.fichier.name in s3.objets()
    client = client_de(monde.compte_structure)
    contenu = b"%PDF-1.5\n% evaluation\n"
    reponse = client.post(
        reverse("structures:document_deposer", args=[monde.projet.pk]),
        {"nature": "evaluation", "titre": "Évaluation", "fichier": SimpleUploadedFile("eval.pdf", contenu)},
    )
    assert reponse.status_code == 302
    document = DocumentProjet.objects.get(titre="Évaluation")
    assert sorted(s3.objets()) == sorted([monde.document.fichier.name, document.fichier.name])

    adresse = reverse("structures:document", args=[document.pk])
    telecharge(s3, recuperer(client, adresse), contenu, "eval.pdf")
    assert recuperer(client_de(monde.pilote), adresse).contenu == contenu
    for refuse in (monde.compte_autre, monde.pilote93, monde.partenaire):
        assert recuperer(client_de(refuse), adresse).status_code == 403
    assert recuperer(client_de(), adresse).status_code == 302
    fiche = recuperer(client, reverse("structures:structure", args=[monde.structure.pk]))
    assert adresse in fiche.contenu.decode()
    sans_adresse_du_bucket(s3, fiche)

    with django_capture_on_commit_callbacks(execute=True):
        assert client.post(reverse("structures:document_supprimer", args=[document.pk])).status_code == 302
    assert s3.objets() == [monde.document.fichier.name]
    # Gone from the bucket behind the row's back: a clear 404, not a 500.
    default_storage.delete(monde.document.fichier.name)
    assert recuperer(client, reverse("structures:document", args=[monde.document.pk])).status_code == 404


def test_document_et_compte_rendu_du_schema(s3):
    m = creer_monde()
    schema = SchemaFactory(departement=m.dep, statut=Schema.Statut.EN_COURS)
    assert deposer(client_de(m.pilote), schema, titre="Annexe interne").status_code == 302
    document = DocumentSchema.objects.get()
    assert s3.objets() == [document.fichier.name]
    adresse = reverse("schema:document", args=[document.pk])
    telecharge(s3, recuperer(client_de(m.partenaire), adresse), b"%PDF-1.4\n% document de test\n", "schema.pdf")
    assert recuperer(client_de(m.pilote93), adresse).status_code == 403
    sans_adresse_du_bucket(s3, recuperer(client_de(m.pilote), reverse("schema:documents", args=[schema.pk])))


def test_compte_rendu_de_copil(s3, settings):
    from maillage.schema import services_gouvernance

    g = construire_jeu(settings)
    fichier = pdf()
    services_gouvernance.reunion_modifier(par=g.pilote, reunion=g.juin, date=g.juin.date, fichier=fichier)
    g.juin.refresh_from_db()
    assert s3.objets() == [g.juin.compte_rendu_fichier.name]
    adresse = reverse("schema:reunion_compte_rendu", args=[g.juin.pk])
    fichier.seek(0)
    telecharge(s3, recuperer(client_de(g.conseiller), adresse), fichier.read(), "compte-rendu.pdf")
    assert recuperer(client_de(g.structure), adresse).status_code == 403
    sans_adresse_du_bucket(s3, recuperer(client_de(g.pilote), reverse("schema:reunion", args=[g.juin.pk])))


@pytest.mark.parametrize("visibilite", list(ATTENDU))
def test_ressource_du_reseau_selon_sa_visibilite(s3, visibilite):
    m = creer_monde()
    assert ajouter(client_de(m.pilote), visibilite=visibilite).status_code == 302
    ressource = Ressource.objects.get()
    assert s3.objets() == [ressource.fichier.name]
    adresse = reverse("reseau:ressource_fichier", args=[ressource.pk])
    for visiteur in ("anonyme", "structure", "partenaire", "conseiller", "pilote", "pilote93"):
        reponse = recuperer(client_de(getattr(m, visiteur)), adresse)
        if visiteur in ATTENDU[visibilite]:
            telecharge(s3, reponse, PDF, "compte-rendu.pdf")
            page = recuperer(client_de(getattr(m, visiteur)), reverse("reseau:ressource", args=[ressource.pk]))
            # The size shown on the page is read from the bucket.
            assert page.context["taille_fichier"] == len(PDF)
            sans_adresse_du_bucket(s3, page)
        else:
            assert reponse.status_code == (404 if visiteur == "anonyme" else 403), visiteur
            assert PDF not in reponse.contenu


def test_image_d_actualite_servie_apres_la_regle(s3):
    m = creer_monde()
    image = image_png()
    reponse = ecrire(
        client_de(m.pilote),
        statut="brouillon",
        image=SimpleUploadedFile("photo.png", image),
        image_description="Les participants",
    )
    assert reponse.status_code == 302
    actualite = Actualite.objects.get()
    assert s3.objets() == [actualite.image.name]
    adresse = reverse("reseau:actualite_image", args=[actualite.pk])
    reponse = recuperer(client_de(m.pilote), adresse)
    assert reponse.contenu == image and reponse["Content-Type"] == "image/png"
    assert reponse["Content-Length"] == str(len(image)) and reponse["Cache-Control"] == "private, no-store"
    # A draft's image is not public.
    assert recuperer(client_de(), adresse).status_code == 404
    assert recuperer(client_de(m.pilote93), adresse).status_code in (403, 404)
    sans_adresse_du_bucket(s3, recuperer(client_de(m.pilote), reverse("reseau:actualite", args=[actualite.pk])))


def test_gros_fichier_lu_par_blocs_depuis_le_bucket(s3, monde, monkeypatch):  # noqa: F811
    """The view streams the object: its first block goes out before the rest is read from the bucket."""
    gros = b"%PDF-1.4\n" + bytes(range(256)) * (3 * 4096)  # 3 Mo
    monde.document.fichier.save("gros.pdf", ContentFile(gros), save=True)
    ouverts = []

    def ouvrir(stockage, nom):
        flux, taille = ouvrir_flux(stockage, nom)
        ouverts.append(flux)
        return flux, taille

    monkeypatch.setattr("maillage.core.telechargements.ouvrir_flux", ouvrir)
    reponse = client_de(monde.pilote).get(reverse("structures:document", args=[monde.document.pk]))
    assert reponse["Content-Length"] == str(len(gros))
    blocs = iter(reponse.streaming_content)
    premier = next(blocs)
    assert len(premier) == BLOC
    assert ouverts[0].tell() == BLOC  # not downloaded whole first
    assert premier + b"".join(blocs) == gros


def test_ouvrir_flux_d_un_fichier_absent(s3):
    with pytest.raises(FileNotFoundError):
        ouvrir_flux(default_storage, "nulle/part.pdf")


# --- Background reports -------------------------------------------------------------------------------------------


@pytest.mark.parametrize("format", ["xlsx", pytest.param("pdf", marks=sans_pango)])
def test_rapport_de_l_observatoire_produit_dans_le_bucket_reutilise_puis_purge(s3, jeu, format):  # noqa: F811
    client = client_de(jeu.pilote)
    adresse = url(f"rapport_{format}", jeu.c2016)
    premier = recuperer(client, adresse)
    assert premier.status_code == 200
    travail = Travail.objects.get()
    assert travail.statut == Travail.Statut.TERMINE and s3.objets() == [travail.fichier.name]
    assert travail.fichier.name.startswith("travaux/")
    if format == "xlsx":
        assert lire_classeur(premier.contenu)["Réponses"].max_row > 2
    else:
        assert premier.contenu.startswith(b"%PDF-")
    sans_adresse_du_bucket(s3, premier)

    # The same data: the stored file is served again, no new job.
    assert recuperer(client, adresse).contenu == premier.contenu
    assert Travail.objects.count() == 1
    # The file lost from the bucket: a new job makes it again.
    default_storage.delete(travail.fichier.name)
    assert recuperer(client, adresse).contenu
    assert Travail.objects.count() == 2
    nouveau = Travail.objects.exclude(pk=travail.pk).get()
    assert s3.objets() == [nouveau.fichier.name]

    Travail.objects.update(termine_le=timezone.now() - datetime.timedelta(days=40))
    call_command("purger_travaux", "--jours", "30", stdout=io.StringIO())
    assert not Travail.objects.exists() and s3.objets() == []


# --- Import previews ----------------------------------------------------------------------------------------------


def test_apercus_d_import_gardes_dans_le_bucket_puis_oublies(s3, registre, monkeypatch):  # noqa: F811
    from maillage.comptes.models import Role
    from maillage.structures import views_echanges
    from tests.comptes.factories import UtilisateurFactory

    pilote = UtilisateurFactory(role=Role.PILOTE, departements=[registre["territoire"].departement])
    client = client_de(pilote)

    def apercu(contenu):
        fichier = SimpleUploadedFile("structures.csv", contenu, content_type="text/csv")
        assert client.post("/structures/import/", {"departement": "94", "fichier": fichier}).status_code == 200
        return f"imports/structures/{pilote.pk}/{hashlib.sha256(contenu).hexdigest()}"

    premier = apercu(csv_de([nouvelle_ligne()]))
    assert s3.objets() == [premier]
    # A second preview the same day keeps the first; once it is older than the retention, it is forgotten.
    second = apercu(csv_de([nouvelle_ligne(Nom="Centre social du Fort")]))
    assert sorted(s3.objets()) == sorted([premier, second])
    monkeypatch.setattr(views_echanges, "DUREE_CONSERVATION", datetime.timedelta(seconds=-60))
    troisieme = apercu(csv_de([nouvelle_ligne(Nom="Espace de vie sociale du Port", Type="EVS")]))
    assert s3.objets() == [troisieme]

    empreinte = troisieme.rsplit("/", 1)[-1]
    reponse = client.post("/structures/import/confirmer/", {"departement": "94", "empreinte": empreinte})
    assert reponse.status_code == 200 and "Import des structures enregistré" in reponse.content.decode()
    assert s3.objets() == []


# --- Backup and restore -------------------------------------------------------------------------------------------


def contenus(s3) -> dict[str, bytes]:
    resultat = {}
    for nom in s3.objets():
        with default_storage.open(nom, "rb") as fichier:
            resultat[nom] = fichier.read()
    return resultat


def test_sauvegarde_et_restauration_des_fichiers_du_bucket(s3, monde, tmp_path):  # noqa: F811
    ressource = RessourceFactory(departement=monde.dep94, visibilite="reseau", lien="", fichier=None)
    ressource.fichier.save("cr.pdf", ContentFile(PDF), save=True)
    fini = Travail.objects.create(
        nature="essai", libelle="Rapport", statut=Travail.Statut.TERMINE, termine_le=timezone.now()
    )
    fini.fichier.save("rapport.pdf", ContentFile(b"%PDF"), save=True)
    fichiers = {nom: contenu for nom, contenu in contenus(s3).items() if not nom.startswith("travaux/")}
    assert len(fichiers) == 2

    archive = tmp_path / "sauvegarde.zip"
    bilan = sauvegarder(archive)
    assert bilan.fichiers == 2 and set(bilan.manifeste["media"]) == set(fichiers)
    try:
        vider()
        for nom in s3.objets():
            default_storage.delete(nom)
        restaurer(archive)
    finally:
        ContentType.objects.clear_cache()
    # The documents are back in the bucket, the report (transient) is not; they are served again.
    assert contenus(s3) == fichiers
    reponse = recuperer(client_de(monde.pilote), reverse("structures:document", args=[monde.document.pk]))
    assert reponse.contenu == b"%PDF-1.4 contenu confidentiel"


# --- Readiness -------------------------------------------------------------------------------------------------------


def test_stockage_objet_injoignable_au_telechargement_503_clair(s3, monde, settings):  # noqa: F811
    adresse = reverse("structures:document", args=[monde.document.pk])
    settings.STORAGES = {**settings.STORAGES, "default": ServeurS3().stockage(s3.bucket)}  # nothing answers there
    reponse = recuperer(client_de(monde.pilote), adresse)
    assert reponse.status_code == 503
    assert (
        reponse.contenu.decode()
        == "Le stockage des fichiers est momentanément indisponible : réessayez dans quelques minutes."
    )
    assert reponse["Retry-After"] == "60"


def test_stockage_pret_avec_le_bucket(s3):
    assert stockage_pret() == (True, "")
    assert s3.objets() == []  # checked without writing


def test_stockage_objet_injoignable_ou_bucket_absent(s3, settings):
    serveur = ServeurS3()  # a port of its own, never started: nothing answers there
    settings.STORAGES = {**settings.STORAGES, "default": serveur.stockage("maillage-absent")}
    ok, raison = stockage_pret()
    assert not ok and raison.startswith("Stockage objet injoignable") and serveur.url in raison
    settings.STORAGES = {**settings.STORAGES, "default": s3.serveur.stockage("maillage-absent")}
    assert stockage_pret() == (
        False,
        f"Stockage objet : le bucket « maillage-absent » n'existe pas sur {s3.serveur.url}.",
    )


def test_stockage_pret_sur_le_disque(s3, tmp_path):
    assert stockage_pret(FileSystemStorage(location=tmp_path / "disque" / "a" / "creer")) == (True, "")
    assert not (tmp_path / "disque").exists()  # nothing created by the check
    fichier = tmp_path / "un-fichier"
    fichier.write_text("x")
    ok, raison = stockage_pret(FileSystemStorage(location=fichier))
    assert not ok and "n'est pas un dossier" in raison
    ok, raison = stockage_pret(FileSystemStorage(location=fichier / "media"))
    assert not ok and "ne peut pas être créé" in raison


def test_passage_du_disque_au_bucket_par_sauvegarde_et_restauration(s3, monde, tmp_path):  # noqa: F811
    """The migration path the docs give: a backup of the files on disk, restored (--force) with the bucket set."""
    disque = FileSystemStorage(location=tmp_path / "ancien-media")
    fichiers = contenus(s3)
    for nom, contenu in fichiers.items():
        assert disque.save(nom, ContentFile(contenu)) == nom
        default_storage.delete(nom)
    assert s3.objets() == []
    archive = tmp_path / "avant-s3.zip"
    assert sauvegarder(archive, stockage=disque).fichiers == 1
    try:
        restaurer(archive, force=True)
    finally:
        ContentType.objects.clear_cache()
    assert contenus(s3) == fichiers
    reponse = recuperer(client_de(monde.pilote), reverse("structures:document", args=[monde.document.pk]))
    assert reponse.contenu == b"%PDF-1.4 contenu confidentiel"


def test_jamais_l_adresse_du_bucket_pas_meme_dans_l_administration(s3, admin_client, settings):
    """What still asks a file for its URL (the admin's file fields) gets a path Maillage does not serve, as with the
    local disk: never the bucket's address, signed or not."""
    from tests.schema.factories import ReunionFactory

    m = creer_monde()
    document = DocumentSchema.objects.create(
        schema=SchemaFactory(departement=m.dep), nature="annexe", titre="Annexe", fichier=ContentFile(PDF, "a.pdf")
    )
    assert default_storage.url(document.fichier.name) == settings.MEDIA_URL + document.fichier.name
    reunion = ReunionFactory(instance__schema=document.schema)
    reunion.compte_rendu_fichier.save("cr.pdf", ContentFile(PDF), save=True)
    travail = Travail.objects.create(
        nature="essai", libelle="R", statut=Travail.Statut.TERMINE, termine_le=timezone.now()
    )
    travail.fichier.save("r.pdf", ContentFile(PDF), save=True)
    pages = {
        reverse("admin:schema_documentschema_change", args=[document.pk]): document.fichier.name,
        reverse("admin:schema_reunion_change", args=[reunion.pk]): reunion.compte_rendu_fichier.name,
        reverse("admin:core_travail_change", args=[travail.pk]): travail.fichier.name,
    }
    for page, nom in pages.items():
        reponse = recuperer(admin_client, page)
        assert nom in reponse.contenu.decode()  # the file is named, its link leads nowhere outside
        sans_adresse_du_bucket(s3, reponse)
