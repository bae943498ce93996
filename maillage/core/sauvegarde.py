"""Backup and restore of a whole instance: database and media in one ZIP archive, with its schema version.

The archive (`sauvegarder --sortie F`, `restaurer F [--force]`, docs/exploitation.md) holds:

- `manifeste.json`: format, application version, date, database engine, the applied migrations per app (the
  schema version), for each table its file, row count and SHA-256, for each media file its size and SHA-256,
  and the content types and permissions the rows refer to;
- `donnees/<app>.<modele>.jsonl`: one file per table (auto-created many-to-many tables included), one Django
  serialised object per line, in primary-key order; references to content types and permissions are natural
  keys (those tables are rebuilt by `migrate` with other ids), every other reference is a primary key;
- `media/<nom>`: the files of the default storage (`MEDIA_ROOT` or an S3 bucket), through the storage API, each
  streamed from the storage into the archive (never whole in memory).

The model list comes from the apps registry: a new app or model is saved without touching this module. Left
out: the tables `migrate` rebuilds (`RECREES`) and transient ones (`TRANSITOIRES`: sessions, login throttling,
the task queue and the background jobs whose reports regenerate on demand), which a restore empties.

Nothing here imports a domain app: an app whose migrations write rows says so with `sauvegarde_donnees_initiales`
on its AppConfig, so that a freshly migrated base still counts as empty.
"""

import hashlib
import io
import json
import posixpath
import tomllib
import zipfile
import zlib
from collections.abc import Iterator
from contextlib import closing, contextmanager
from dataclasses import dataclass, field
from pathlib import Path

from django.apps import apps
from django.conf import settings
from django.core import serializers
from django.core.cache import caches
from django.core.files.base import File
from django.core.files.storage import default_storage
from django.core.management.color import no_style
from django.core.serializers.base import DeserializationError
from django.core.serializers.jsonl import Serializer as SerialiseurJsonl
from django.db import DEFAULT_DB_ALIAS, DatabaseError, connections, transaction
from django.db.migrations.loader import MigrationLoader
from django.utils import timezone

from .stockage import erreurs_stockage, ouvrir_flux

FORMAT = 1
MANIFESTE = "manifeste.json"
DOSSIER_DONNEES = "donnees/"
DOSSIER_MEDIA = "media/"
# Rebuilt by `migrate` (other ids on another base): referenced by natural keys, never saved nor emptied.
RECREES = frozenset({"contenttypes.contenttype", "auth.permission"})
# Transient: not saved, emptied by a restore (stale sessions, lockouts, queued tasks, jobs and their reports,
# one-time form tokens).
TRANSITOIRES = frozenset(
    {
        "sessions.session",
        "axes.accessattempt",
        "axes.accessattemptexpiration",
        "django_tasks_database.dbtaskresult",
        "core.travail",
        "core.jetonformulaire",
    }
)
# Media written by the transient models above (core.Travail's reports): regenerated on demand.
MEDIA_TRANSITOIRES = ("travaux/",)
LOT = 2000  # rows read or inserted at a time
TAMPON = 1024 * 1024


class SauvegardeRefusee(Exception):
    """A backup or a restore refused or failed; the message says why, in French. Nothing was changed."""


@dataclass
class Bilan:
    """What a backup wrote or a restore loaded."""

    chemin: Path
    tables: dict[str, int] = field(default_factory=dict)
    fichiers: int = 0
    octets_media: int = 0
    manifeste: dict = field(default_factory=dict)

    @property
    def lignes(self) -> int:
        return sum(self.tables.values())


# --- What is saved ------------------------------------------------------------------------------------------


def _label(modele) -> str:
    return modele._meta.label_lower


def _proprietaire(modele):
    """The model itself, or for an auto-created many-to-many table the model that declares it."""
    return modele._meta.auto_created or modele


def modeles_sauvegardes() -> list:
    """Every table of the project and its third-party apps that a backup holds, from the apps registry."""
    return [
        modele
        for modele in apps.get_models(include_auto_created=True)
        if not modele._meta.proxy
        and modele._meta.managed
        and _label(_proprietaire(modele)) not in RECREES | TRANSITOIRES
    ]


def modeles_transitoires() -> list:
    return [
        modele
        for modele in apps.get_models(include_auto_created=True)
        if not modele._meta.proxy and modele._meta.managed and _label(_proprietaire(modele)) in TRANSITOIRES
    ]


def references_vers_exclus(modeles=None) -> list[str]:
    """Saved tables with a foreign key to a transient table: a restore could not load them (checked by a test)."""
    return [
        f"{_label(modele)}.{champ.name} → {_label(champ.related_model)}"
        for modele in modeles or modeles_sauvegardes()
        for champ in modele._meta.concrete_fields
        if champ.is_relation and _label(champ.related_model) in TRANSITOIRES
    ]


def _donnees_initiales() -> set[str]:
    """Tables that migrations fill (declared by each AppConfig): rows there do not make a base "non-empty"."""
    labels = set()
    for config in apps.get_app_configs():
        for nom in getattr(config, "sauvegarde_donnees_initiales", ()):
            labels.add(f"{config.label}.{nom}".lower())
    return labels


def migrations_du_code() -> dict[str, list[str]]:
    """The schema version of this code: the migration files of each installed app."""
    chargeur = MigrationLoader(None, ignore_no_migrations=True)
    return _par_application(chargeur.disk_migrations)


def migrations_appliquees(alias: str = DEFAULT_DB_ALIAS) -> dict[str, list[str]]:
    """The schema version of a base: its applied migrations of installed apps."""
    chargeur = MigrationLoader(connections[alias], ignore_no_migrations=True)
    # Only this code's migrations: records of deleted (squashed) files are history, not schema.
    return _par_application(cle for cle in chargeur.applied_migrations if cle in chargeur.disk_migrations)


def _par_application(cles) -> dict[str, list[str]]:
    installees = {config.label for config in apps.get_app_configs()}
    resultat: dict[str, list[str]] = {}
    for app, nom in cles:
        if app in installees:
            resultat.setdefault(app, []).append(nom)
    return {app: sorted(noms) for app, noms in sorted(resultat.items())}


def differences_migrations(a: dict, b: dict) -> list[str]:
    return sorted(app for app in set(a) | set(b) if sorted(a.get(app, [])) != sorted(b.get(app, [])))


def version_application() -> str:
    try:
        with open(Path(settings.BASE_DIR) / "pyproject.toml", "rb") as fichier:
            return tomllib.load(fichier)["project"]["version"]
    except (OSError, KeyError, tomllib.TOMLDecodeError):
        return "inconnue"


# --- Writing ------------------------------------------------------------------------------------------------


class _Empreinte(io.RawIOBase):
    """A binary writer that hashes and counts what goes through it to the underlying stream."""

    def __init__(self, flux):
        self.flux = flux
        self.sha256 = hashlib.sha256()
        self.taille = 0

    def writable(self):
        return True

    def write(self, donnees):
        self.sha256.update(donnees)
        self.taille += len(donnees)
        self.flux.write(donnees)
        return len(donnees)


class _Serialiseur(SerialiseurJsonl):
    """Django's JSON Lines serialiser, with natural keys only towards the tables `migrate` rebuilds.

    Many-to-many fields are left out: their auto-created tables are saved as tables of their own, streamed
    instead of one query per object. The natural keys come from maps loaded once (no query per row).
    """

    def __init__(self, naturelles: dict):
        super().__init__()
        self.naturelles = naturelles

    def handle_fk_field(self, obj, field):
        cles = self.naturelles.get(_label(field.related_model))
        if cles is None:
            return super().handle_fk_field(obj, field)
        valeur = getattr(obj, field.attname)
        self._current[field.name] = None if valeur is None else cles[valeur]

    def handle_m2m_field(self, obj, field):
        pass


def _cles_naturelles(alias: str) -> dict[str, dict]:
    from django.contrib.auth.models import Permission
    from django.contrib.contenttypes.models import ContentType

    types = {ct.pk: [ct.app_label, ct.model] for ct in ContentType.objects.using(alias)}
    permissions = {
        pk: [codename, *types[ct]]
        for pk, codename, ct in Permission.objects.using(alias).values_list("pk", "codename", "content_type")
    }
    return {"contenttypes.contenttype": types, "auth.permission": permissions}


@contextmanager
def _instantane(alias: str):
    """One consistent read of the whole base: a REPEATABLE READ snapshot on PostgreSQL, a read transaction on
    SQLite (a snapshot in WAL mode, taken without the write lock that `transaction_mode` would ask for)."""
    connexion = connections[alias]
    if connexion.in_atomic_block:
        # Inside the caller's transaction (tests): it already sees one state of the base.
        yield
        return
    connexion.ensure_connection()
    if connexion.vendor == "sqlite":
        mode, connexion.transaction_mode = connexion.transaction_mode, None
        try:
            with transaction.atomic(using=alias):
                yield
        finally:
            connexion.transaction_mode = mode
    else:
        with transaction.atomic(using=alias):
            if connexion.vendor == "postgresql":
                with connexion.cursor() as curseur:
                    curseur.execute("SET TRANSACTION ISOLATION LEVEL REPEATABLE READ, READ ONLY")
            yield


def _fichiers_media(stockage, dossier: str = "") -> Iterator[str]:
    try:
        dossiers, fichiers = stockage.listdir(dossier)
    except FileNotFoundError:
        return
    for nom in sorted(fichiers):
        yield posixpath.join(dossier, nom)
    for sous_dossier in sorted(dossiers):
        yield from _fichiers_media(stockage, posixpath.join(dossier, sous_dossier))


def sauvegarder(sortie, *, alias: str = DEFAULT_DB_ALIAS, stockage=None, progression=None) -> Bilan:
    """Write the archive to `sortie` (through a temporary name: a failed backup leaves no half archive)."""
    sortie = Path(sortie)
    stockage = stockage or default_storage
    partiel = sortie.with_name(sortie.name + ".partiel")
    manifeste = {
        "format": FORMAT,
        "application": {"nom": "maillage", "version": version_application()},
        "date": timezone.now().isoformat(),
        "moteur": connections[alias].vendor,
        "migrations": {},
        "tables": {},
        "media": {},
    }
    bilan = Bilan(chemin=sortie, manifeste=manifeste)
    try:
        with zipfile.ZipFile(partiel, "w", compression=zipfile.ZIP_DEFLATED, allowZip64=True) as archive:
            with _instantane(alias):
                manifeste["migrations"] = migrations_appliquees(alias)
                naturelles = _cles_naturelles(alias)
                manifeste["types_de_contenu"] = sorted(naturelles["contenttypes.contenttype"].values())
                manifeste["permissions"] = sorted(naturelles["auth.permission"].values())
                for modele in modeles_sauvegardes():
                    label = _label(modele)
                    nom = f"{DOSSIER_DONNEES}{label}.jsonl"
                    lignes, empreinte = _ecrire_table(archive, nom, modele, alias, naturelles)
                    manifeste["tables"][label] = {"fichier": nom, "lignes": lignes, "sha256": empreinte}
                    bilan.tables[label] = lignes
                    if progression:
                        progression(f"{label} : {lignes} ligne(s)")
            # Media after the snapshot: a file saved meanwhile is archived unused; a file that a saved row names is
            # there unless it was deleted meanwhile.
            for nom in _fichiers_media(stockage):
                if nom.startswith(MEDIA_TRANSITOIRES):
                    continue
                try:
                    source, _ = ouvrir_flux(stockage, nom)
                except FileNotFoundError:  # deleted since it was listed: no row names it any more
                    continue
                with (
                    closing(source),
                    archive.open(_membre(DOSSIER_MEDIA + nom), "w", force_zip64=True) as brut,
                ):
                    destination = _Empreinte(brut)
                    while bloc := source.read(TAMPON):
                        destination.write(bloc)
                manifeste["media"][nom] = {"taille": destination.taille, "sha256": destination.sha256.hexdigest()}
                bilan.fichiers += 1
                bilan.octets_media += destination.taille
            archive.writestr(_membre(MANIFESTE), json.dumps(manifeste, ensure_ascii=False, indent=1))
        partiel.replace(sortie)
    except BaseException:
        partiel.unlink(missing_ok=True)
        raise
    return bilan


def _membre(nom: str) -> zipfile.ZipInfo:
    """A member dated now (ZipFile.open would date it 1980), compressed."""
    info = zipfile.ZipInfo(nom, date_time=timezone.localtime().timetuple()[:6])
    info.compress_type = zipfile.ZIP_DEFLATED
    return info


def _ecrire_table(archive, nom, modele, alias, naturelles) -> tuple[int, str]:
    requete = modele._base_manager.using(alias).order_by("pk")
    with archive.open(_membre(nom), "w", force_zip64=True) as brut:
        empreinte = _Empreinte(brut)
        texte = io.TextIOWrapper(io.BufferedWriter(empreinte, TAMPON), encoding="utf-8", newline="\n")
        compte = [0]

        def objets():
            for objet in requete.iterator(chunk_size=LOT):
                compte[0] += 1
                yield objet

        _Serialiseur(naturelles).serialize(objets(), stream=texte)
        texte.flush()
        texte.detach().detach()
    return compte[0], empreinte.sha256.hexdigest()


# --- Reading and restoring ----------------------------------------------------------------------------------


def lire_manifeste(chemin) -> dict:
    """The archive's manifest; refuses a missing, unreadable or foreign file with a French message."""
    try:
        with zipfile.ZipFile(chemin) as archive:
            return _manifeste(archive)
    except FileNotFoundError:
        raise SauvegardeRefusee(f"L'archive {chemin} n'existe pas.") from None
    except (zipfile.BadZipFile, OSError, EOFError) as erreur:
        raise SauvegardeRefusee(f"L'archive {chemin} est illisible ou corrompue ({erreur}).") from None


def _manifeste(archive: zipfile.ZipFile) -> dict:
    try:
        manifeste = json.loads(archive.read(MANIFESTE).decode("utf-8"))
    except KeyError:
        raise SauvegardeRefusee(f"Ce n'est pas une sauvegarde de Maillage : pas de {MANIFESTE}.") from None
    except (ValueError, UnicodeDecodeError):
        raise SauvegardeRefusee(f"Le manifeste de l'archive ({MANIFESTE}) est illisible.") from None
    version = manifeste.get("format") if isinstance(manifeste, dict) else "?"
    if version != FORMAT:
        raise SauvegardeRefusee(
            f"Format de sauvegarde non pris en charge ({version} ; cette version lit le format {FORMAT})."
        )
    return manifeste


def _verifier_schema(manifeste: dict, alias: str):
    code = migrations_du_code()
    ecarts = differences_migrations(manifeste.get("migrations") or {}, code)
    if ecarts:
        raise SauvegardeRefusee(
            "La sauvegarde ne correspond pas à la version du schéma de ce code (migrations différentes pour : "
            f"{', '.join(ecarts)}). Restaurez-la avec la version de Maillage qui l'a produite, puis mettez à jour."
        )
    retard = differences_migrations(migrations_appliquees(alias), code)
    if retard:
        raise SauvegardeRefusee(
            f"La base n'est pas à jour (migrations : {', '.join(retard)}) : lancez d'abord « manage.py migrate »."
        )
    inconnues = [label for label in manifeste.get("tables", {}) if _modele(label) is None]
    if inconnues:
        raise SauvegardeRefusee(f"Tables inconnues de ce code dans l'archive : {', '.join(sorted(inconnues))}.")


def _modele(label: str):
    app, _, nom = label.partition(".")
    try:
        return apps.get_model(app, nom)
    except LookupError:
        return None


def _verifier_integrite(archive: zipfile.ZipFile, manifeste: dict):
    """Read every member once and compare its SHA-256 with the manifest, before anything is written."""
    attendus = {table["fichier"]: table["sha256"] for table in manifeste.get("tables", {}).values()}
    attendus |= {DOSSIER_MEDIA + nom: media["sha256"] for nom, media in manifeste.get("media", {}).items()}
    for nom, sha256 in attendus.items():
        empreinte = hashlib.sha256()
        try:
            with archive.open(nom) as membre:
                while bloc := membre.read(TAMPON):
                    empreinte.update(bloc)
        except KeyError:
            raise SauvegardeRefusee(f"Archive incomplète : {nom} manque.") from None
        except (zipfile.BadZipFile, zlib.error, OSError, EOFError, ValueError) as erreur:
            raise SauvegardeRefusee(f"Archive corrompue : {nom} est illisible ({erreur}).") from None
        if empreinte.hexdigest() != sha256:
            raise SauvegardeRefusee(f"Archive corrompue : l'empreinte de {nom} ne correspond pas au manifeste.")


def donnees_presentes(alias: str = DEFAULT_DB_ALIAS) -> dict[str, int]:
    """Saved tables that hold rows, apart from those that migrations fill."""
    initiales = _donnees_initiales()
    presentes = {}
    for modele in modeles_sauvegardes():
        label = _label(modele)
        if label in initiales or _label(_proprietaire(modele)) in initiales:
            continue
        if modele._base_manager.using(alias).exists():
            presentes[label] = modele._base_manager.using(alias).count()
    return presentes


def restaurer(chemin, *, force: bool = False, alias: str = DEFAULT_DB_ALIAS, stockage=None, progression=None) -> Bilan:
    """Replace the base's content (and the media files) with the archive's, in one transaction.

    Refused, with nothing changed: an unreadable or corrupted archive, another schema version, a base that
    already holds data (unless `force`, which empties it first).
    """
    stockage = stockage or default_storage
    try:
        archive = zipfile.ZipFile(chemin)
    except FileNotFoundError:
        raise SauvegardeRefusee(f"L'archive {chemin} n'existe pas.") from None
    except (zipfile.BadZipFile, OSError, EOFError) as erreur:
        raise SauvegardeRefusee(f"L'archive {chemin} est illisible ou corrompue ({erreur}).") from None
    with archive:
        manifeste = _manifeste(archive)
        _verifier_schema(manifeste, alias)
        _verifier_integrite(archive, manifeste)
        presentes = donnees_presentes(alias)
        if presentes and not force:
            exemples = ", ".join(f"{label} ({n})" for label, n in list(presentes.items())[:5])
            exemples += "…" if len(presentes) > 5 else ""
            raise SauvegardeRefusee(
                f"La base contient déjà des données ({exemples}) : restaurer les remplacerait. Relancez avec "
                "--force pour l'effacer et la remplacer par la sauvegarde."
            )
        bilan = Bilan(chemin=Path(chemin), manifeste=manifeste)
        from auditlog.context import disable_auditlog

        try:
            with transaction.atomic(using=alias), disable_auditlog():
                _charger(archive, manifeste, alias, bilan, progression)
                _restaurer_media(archive, manifeste, stockage, bilan)
        except (DatabaseError, DeserializationError) as erreur:
            raise SauvegardeRefusee(f"Restauration annulée, la base est inchangée : {erreur}") from erreur
        except erreurs_stockage() as erreur:
            raise SauvegardeRefusee(
                f"Restauration annulée, la base est inchangée (fichiers déposés : {erreur}) ; les fichiers déjà"
                " écrits restent dans le stockage."
            ) from erreur
    # The transient jobs' rows are gone: so are their files (reports regenerate on demand).
    for prefixe in MEDIA_TRANSITOIRES:
        for nom in _fichiers_media(stockage, prefixe.rstrip("/")):
            stockage.delete(nom)
    for cache in caches.all(initialized_only=True):
        cache.clear()
    return bilan


def _charger(archive, manifeste, alias, bilan, progression):
    from django.contrib.auth.models import Permission
    from django.contrib.contenttypes.models import ContentType

    connexion = connections[alias]
    # Content types and permissions of models the source still knew (stale ones referenced by old audit entries).
    for app_label, nom in manifeste.get("types_de_contenu", []):
        ContentType.objects.db_manager(alias).get_or_create(app_label=app_label, model=nom)
    for codename, app_label, nom in manifeste.get("permissions", []):
        type_contenu = ContentType.objects.db_manager(alias).get_by_natural_key(app_label, nom)
        Permission.objects.db_manager(alias).get_or_create(
            codename=codename, content_type=type_contenu, defaults={"name": codename}
        )
    modeles = modeles_sauvegardes()
    # Deferred foreign keys (Django creates them so on both engines): any order inside the transaction.
    with connexion.cursor() as curseur:
        for modele in [*modeles_transitoires(), *modeles]:
            curseur.execute(f"DELETE FROM {connexion.ops.quote_name(modele._meta.db_table)}")
    for label, table in manifeste["tables"].items():
        modele = _modele(label)
        with archive.open(table["fichier"]) as brut:
            texte = io.TextIOWrapper(brut, encoding="utf-8")
            lignes = _inserer(modele, serializers.deserialize("jsonl", texte, using=alias), alias)
        if lignes != table["lignes"] or modele._base_manager.using(alias).count() != table["lignes"]:
            raise SauvegardeRefusee(f"{label} : {lignes} ligne(s) chargée(s), {table['lignes']} attendue(s).")
        bilan.tables[label] = lignes
        if progression:
            progression(f"{label} : {lignes} ligne(s)")
    connexion.check_constraints()
    with connexion.cursor() as curseur:
        for requete in connexion.ops.sequence_reset_sql(no_style(), modeles):
            curseur.execute(requete)


def _inserer(modele, objets, alias) -> int:
    """Insert the deserialised rows by batches, as saved (raw: auto_now dates and defaults are not recomputed)."""
    champs = list(modele._meta.local_concrete_fields)
    connexion = connections[alias]
    taille = max(1, connexion.ops.bulk_batch_size(champs, [None] * LOT) or LOT)
    lot, total = [], 0
    for objet in objets:
        lot.append(objet.object)
        if len(lot) >= taille:
            modele._base_manager.using(alias)._insert(lot, fields=champs, using=alias, raw=True)
            total += len(lot)
            lot = []
    if lot:
        modele._base_manager.using(alias)._insert(lot, fields=champs, using=alias, raw=True)
        total += len(lot)
    return total


def _restaurer_media(archive, manifeste, stockage, bilan):
    for nom, media in manifeste.get("media", {}).items():
        if stockage.exists(nom):
            stockage.delete(nom)
        with archive.open(DOSSIER_MEDIA + nom) as membre:
            enregistre = stockage.save(nom, File(membre, name=posixpath.basename(nom)))
        if enregistre != nom:
            raise SauvegardeRefusee(f"Le fichier {nom} n'a pas pu être restauré sous son nom ({enregistre}).")
        bilan.fichiers += 1
        bilan.octets_media += media["taille"]
