"""Backup and restore (`sauvegarder`, `restaurer`, maillage.core.sauvegarde): a dump restored into an empty base
answers the API the same, across engines; refusals (other schema, non-empty base, corrupted archive) change nothing."""

import datetime
import json
import zipfile

import pytest
from django.apps import apps
from django.conf import settings
from django.contrib.auth.management import create_permissions
from django.contrib.auth.models import Group, Permission
from django.contrib.contenttypes.management import create_contenttypes
from django.contrib.contenttypes.models import ContentType
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.core.management import CommandError, call_command
from django.db import connections

from maillage.core import sauvegarde
from maillage.core.sauvegarde import SauvegardeRefusee, donnees_presentes, restaurer, sauvegarder
from maillage.structures.models import DocumentProjet, ProjetSocial, Structure
from maillage.territoires.models import Commune
from tests.financements.conftest import bobigny, jeu, seine_saint_denis  # noqa: F401  (the known 2015 dataset)

# A second, empty base for the round trip: in-memory SQLite, so that on PostgreSQL the test crosses engines
# (PostgreSQL → SQLite → PostgreSQL). Declared before pytest-django creates the test databases.
AUTRE = "sauvegarde_autre"
settings.DATABASES.setdefault(
    AUTRE,
    {
        "ENGINE": "django.db.backends.sqlite3",
        "NAME": ":memory:",
        "ATOMIC_REQUESTS": False,
        "AUTOCOMMIT": True,
        "CONN_MAX_AGE": 0,
        "CONN_HEALTH_CHECKS": False,
        "OPTIONS": {},
        "TIME_ZONE": None,
        "USER": "",
        "PASSWORD": "",
        "HOST": "",
        "PORT": "",
        "TEST": {"CHARSET": None, "COLLATION": None, "MIGRATE": True, "MIRROR": None, "NAME": None},
    },
)

URLS = [
    "/api/v1/indicateurs/departements/94?annee=2015",
    "/api/v1/structures?departement=94&limit=100",
    "/api/v1/structures?departement=94&date=2015-12-31&type=evs",
    "/api/v1/territoires/departements/94/communes",
]


@pytest.fixture(autouse=True)
def _cache_des_types_de_contenu():
    # `vider` rebuilds content types with other ids, rolled back after the test: forget the cached ones.
    yield
    ContentType.objects.clear_cache()


@pytest.fixture
def donnees(jeu):  # noqa: F811
    """The 2015 dataset, plus what a backup must carry: a document and its file, a group with a permission
    (natural keys), zones de compétence (many-to-many tables) and the audit entries the factories left."""
    from tests.comptes.factories import UtilisateurFactory

    structure = Structure.objects.get(nom="Centre social Alpha")
    structure.communes_competence.set(Commune.objects.filter(departement__code="94"))
    groupe = Group.objects.create(name="Relecteurs")
    groupe.permissions.add(Permission.objects.get(codename="change_structure"))
    pilote = UtilisateurFactory(email="pilote@exemple.fr", departements=[structure.commune.departement])
    pilote.groups.add(groupe)
    projet = ProjetSocial.objects.create(
        structure=structure, intitule="Vivre ensemble", debut=datetime.date(2014, 1, 1), fin=datetime.date(2017, 12, 31)
    )
    DocumentProjet.objects.create(
        projet=projet,
        nature=DocumentProjet.Nature.PROJET_SOCIAL,
        titre="Projet social 2014-2017",
        fichier=ContentFile("Projet social, texte intégral €".encode(), name="projet.txt"),
        depose_par=pilote,
    )
    return structure


def reponses(client):
    return {url: (client.get(url).status_code, client.get(url).json()) for url in URLS}


def comptes(alias="default"):
    return {sauvegarde._label(m): m._base_manager.using(alias).count() for m in sauvegarde.modeles_sauvegardes()}


def vider(alias="default"):
    """An empty, freshly migrated base: no rows, and content types and permissions rebuilt with other ids."""
    connexion = connections[alias]
    with connexion.cursor() as curseur:
        for modele in [*sauvegarde.modeles_sauvegardes(), Permission, ContentType]:
            curseur.execute(f"DELETE FROM {connexion.ops.quote_name(modele._meta.db_table)}")
    ContentType.objects.clear_cache()
    for config in apps.get_app_configs():
        create_contenttypes(config, verbosity=0, using=alias)
        create_permissions(config, verbosity=0, using=alias)
    ContentType.objects.clear_cache()


def contenu_media():
    contenus = {}
    for document in DocumentProjet.objects.all():
        with default_storage.open(document.fichier.name, "rb") as fichier:
            contenus[document.fichier.name] = fichier.read()
    return contenus


@pytest.mark.django_db(databases=["default", AUTRE])
def test_aller_retour_dans_une_base_vide_memes_reponses(client, donnees, tmp_path):
    avant, comptes_avant, fichiers_avant = reponses(client), comptes(), contenu_media()
    assert avant[URLS[0]][1]["structures"]["total"] == 3
    assert comptes_avant["auditlog.logentry"] > 0 and comptes_avant["structures.structure_communes_competence"] > 0

    premiere = tmp_path / "premiere.zip"
    bilan = sauvegarder(premiere)
    assert bilan.tables == comptes_avant and bilan.fichiers == 1
    manifeste = sauvegarde.lire_manifeste(premiere)
    assert manifeste["moteur"] == connections["default"].vendor
    assert manifeste["migrations"]["structures"] == sauvegarde.migrations_du_code()["structures"]
    assert manifeste["tables"]["structures.structure"]["lignes"] == Structure.objects.count()

    # Into the other base (another engine on PostgreSQL runs), then back from it into the emptied first one.
    vider(AUTRE)
    restaurer(premiere, alias=AUTRE)
    assert comptes(AUTRE) == comptes_avant
    seconde = tmp_path / "seconde.zip"
    sauvegarder(seconde, alias=AUTRE)

    vider()
    default_storage.delete(DocumentProjet.objects.using(AUTRE).get().fichier.name)
    assert Structure.objects.count() == 0
    restaurer(seconde)

    assert comptes() == comptes_avant
    assert reponses(client) == avant
    assert contenu_media() == fichiers_avant
    groupe = Group.objects.get(name="Relecteurs")
    assert list(groupe.permissions.values_list("codename", flat=True)) == ["change_structure"]
    assert groupe.user_set.get().email == "pilote@exemple.fr"
    # Sequences follow the restored ids: new rows get fresh keys, many-to-many included.
    nouvelle = Structure.objects.create(nom="Nouvelle", commune=donnees.commune, gestionnaire=donnees.gestionnaire)
    assert nouvelle.pk > max(Structure.objects.exclude(pk=nouvelle.pk).values_list("pk", flat=True))
    nouvelle.communes_competence.add(donnees.commune)


def test_base_tout_juste_migree_comptee_vide(db, types_ps):
    from maillage.financements.models import TypePS

    assert TypePS.objects.exists()
    assert donnees_presentes() == {}


def test_aucune_table_sauvegardee_ne_pointe_vers_une_table_transitoire():
    assert sauvegarde.references_vers_exclus() == []


def test_tables_du_registre_sans_liste_en_dur():
    labels = {sauvegarde._label(m) for m in sauvegarde.modeles_sauvegardes()}
    assert {"structures.structure", "structures.structure_communes_competence", "auditlog.logentry"} <= labels
    assert not labels & (sauvegarde.RECREES | sauvegarde.TRANSITOIRES)


@pytest.mark.django_db
def test_base_non_vide_refusee_sans_force(donnees, tmp_path):
    archive = tmp_path / "s.zip"
    sauvegarder(archive)
    Structure.objects.filter(pk=donnees.pk).update(nom="Modifié après la sauvegarde")
    avant = comptes()
    with pytest.raises(SauvegardeRefusee, match="contient déjà des données.*--force"):
        restaurer(archive)
    assert comptes() == avant
    assert Structure.objects.get(pk=donnees.pk).nom == "Modifié après la sauvegarde"

    restaurer(archive, force=True)
    assert Structure.objects.get(pk=donnees.pk).nom == "Centre social Alpha"
    assert comptes() == avant


def reecrire(source, destination, *, manifeste=None, membres=None):
    """Copy an archive, with its manifest edited by `manifeste(dict)` and members replaced by `membres`."""
    membres = membres or {}
    with zipfile.ZipFile(source) as entree, zipfile.ZipFile(destination, "w") as sortie:
        for info in entree.infolist():
            contenu = membres.get(info.filename, entree.read(info.filename))
            if info.filename == sauvegarde.MANIFESTE and manifeste:
                donnees_manifeste = json.loads(contenu)
                manifeste(donnees_manifeste)
                contenu = json.dumps(donnees_manifeste).encode()
            sortie.writestr(info.filename, contenu)
    return destination


@pytest.mark.django_db
def test_version_du_schema_differente_refusee(donnees, tmp_path):
    archive = tmp_path / "s.zip"
    sauvegarder(archive)

    def autre_schema(manifeste):
        manifeste["migrations"]["structures"].append("0099_future")
        manifeste["migrations"]["financements"].pop()

    modifiee = reecrire(archive, tmp_path / "autre.zip", manifeste=autre_schema)
    avant = comptes()
    with pytest.raises(SauvegardeRefusee, match=r"version du schéma.*financements, structures"):
        restaurer(modifiee, force=True)
    assert comptes() == avant


@pytest.mark.django_db
def test_archive_corrompue_refusee_sans_rien_changer(donnees, tmp_path):
    archive = tmp_path / "s.zip"
    sauvegarder(archive)
    avant = comptes()
    brut = archive.read_bytes()

    tronquee = tmp_path / "tronquee.zip"
    tronquee.write_bytes(brut[: len(brut) // 2])
    pas_zip = tmp_path / "pas.zip"
    pas_zip.write_text("ceci n'est pas une archive")
    table = "donnees/structures.structure.jsonl"
    alteree = reecrire(archive, tmp_path / "alteree.zip", membres={table: b'{"model": "structures.structure"}\n'})
    sans_manifeste = tmp_path / "sans.zip"
    with zipfile.ZipFile(sans_manifeste, "w") as z:
        z.writestr("autre.txt", "x")

    # Bytes flipped in the middle of a compressed member: its CRC (or the deflate stream) no longer matches.
    with zipfile.ZipFile(archive) as z:
        info = z.getinfo(table)
    milieu = info.header_offset + 30 + len(info.filename) + info.compress_size // 2
    abimee = tmp_path / "abimee.zip"
    abimee.write_bytes(brut[:milieu] + bytes(b ^ 0xFF for b in brut[milieu : milieu + 8]) + brut[milieu + 8 :])

    for fichier, message in [
        (tronquee, "illisible ou corrompue"),
        (pas_zip, "illisible ou corrompue"),
        (alteree, "empreinte de donnees/structures.structure.jsonl"),
        (sans_manifeste, "pas de manifeste.json"),
        (abimee, "corrompue"),
        (tmp_path / "absente.zip", "n'existe pas"),
    ]:
        with pytest.raises(SauvegardeRefusee, match=message):
            restaurer(fichier, force=True)
        assert comptes() == avant


@pytest.mark.django_db
def test_tout_ou_rien_quand_le_chargement_echoue(donnees, tmp_path):
    archive = tmp_path / "s.zip"
    sauvegarder(archive)
    Structure.objects.filter(pk=donnees.pk).update(nom="État courant")

    def compte_faux(manifeste):
        manifeste["tables"]["structures.agrement"]["lignes"] += 1

    faux = reecrire(archive, tmp_path / "faux.zip", manifeste=compte_faux)
    avant = comptes()
    with pytest.raises(SauvegardeRefusee, match="structures.agrement"):
        restaurer(faux, force=True)
    assert comptes() == avant
    assert Structure.objects.get(pk=donnees.pk).nom == "État courant"


@pytest.mark.django_db
def test_commandes(donnees, tmp_path, capsys):
    archive = tmp_path / "s.zip"
    call_command("sauvegarder", "--sortie", str(archive))
    assert "Sauvegarde écrite" in capsys.readouterr().out
    with pytest.raises(CommandError, match="--force"):
        call_command("restaurer", str(archive))
    call_command("restaurer", str(archive), "--force")
    assert "restaurée" in capsys.readouterr().out
    with pytest.raises(CommandError, match="n'existe pas"):
        call_command("restaurer", str(tmp_path / "absente.zip"))
    assert not list(tmp_path.glob("*.partiel"))


@pytest.mark.django_db
def test_tables_transitoires_ni_sauvegardees_ni_gardees(donnees, tmp_path):
    from django.contrib.sessions.models import Session
    from django.utils import timezone

    from maillage.core.models import Travail

    travail = Travail.objects.create(
        nature="essai", libelle="Rapport", statut=Travail.Statut.TERMINE, termine_le=timezone.now()
    )
    travail.fichier.save("rapport.pdf", ContentFile(b"%PDF"), save=True)
    Session.objects.create(session_key="x" * 32, session_data="", expire_date=timezone.now())
    archive = tmp_path / "s.zip"
    sauvegarder(archive)
    with zipfile.ZipFile(archive) as z:
        noms = z.namelist()
    transitoires = ("donnees/sessions.", "donnees/core.travail", "donnees/django_tasks", "media/travaux/")
    assert not [nom for nom in noms if nom.startswith(transitoires)]
    assert not [nom for nom in noms if "travail" in nom.split("/")[-1] or nom.endswith("sessions.session.jsonl")]
    assert "media/" + DocumentProjet.objects.get().fichier.name in noms

    restaurer(archive, force=True)
    assert not Travail.objects.exists() and not Session.objects.exists()
    assert not default_storage.exists(travail.fichier.name)
