"""The default storage of uploaded documents and produced reports: the local `MEDIA_ROOT` or an S3-compatible bucket
(django-storages, `MAILLAGE_S3_*` settings), seen from what the storage API alone does not say.

- `ouvrir_flux(stockage, nom)`: a stored file opened for streaming, with its size. django-storages' `S3File` downloads
  the whole object into memory before its first byte is read; here an object's body is read as it comes.
- `stockage_pret()`: is the storage reachable? Cheap and without writing (the `/pret/` readiness check).
- `maillage.core.stockage_objet.StockageObjetPrive`: the S3 backend of `MAILLAGE_S3_BUCKET` (no bucket URL given).
"""

import os
import sys
import weakref
from pathlib import Path

from django.core.files.storage import FileSystemStorage, storages

DELAI_CONNEXION = 2  # seconds: a readiness check answers fast, or says the storage does not
DELAI_LECTURE = 3
_clients_verification: "weakref.WeakKeyDictionary" = weakref.WeakKeyDictionary()


def est_stockage_objet(stockage) -> bool:
    # Without importing boto3 where object storage is not configured (nothing can then be an S3Storage).
    module = sys.modules.get("storages.backends.s3")
    return module is not None and isinstance(stockage, module.S3Storage)


def erreurs_stockage() -> tuple[type[BaseException], ...]:
    """What a storage may raise: the disk's errors, or object storage's (unreachable, refused)."""
    if "botocore" not in sys.modules:
        return (OSError,)
    from botocore.exceptions import BotoCoreError, ClientError

    return (OSError, BotoCoreError, ClientError)


def _erreur_s3_introuvable(erreur) -> bool:
    reponse = getattr(erreur, "response", None) or {}
    statut = reponse.get("ResponseMetadata", {}).get("HTTPStatusCode")
    code = reponse.get("Error", {}).get("Code")
    # A missing bucket is a misconfiguration, not a missing file: it is not turned into a 404 of the download.
    return code != "NoSuchBucket" and (statut == 404 or code in {"NoSuchKey", "NotFound", "404"})


def ouvrir_flux(stockage, nom: str):
    """(binary file object read in chunks, size in bytes) of a stored file; FileNotFoundError when it is not there.
    The caller closes the file object."""
    if est_stockage_objet(stockage):
        from botocore.exceptions import ClientError
        from storages.backends.s3 import _filter_download_params
        from storages.utils import clean_name

        cle = stockage._normalize_name(clean_name(nom))
        parametres = _filter_download_params(stockage.get_object_parameters(cle))
        try:
            reponse = stockage.connection.meta.client.get_object(Bucket=stockage.bucket_name, Key=cle, **parametres)
        except ClientError as erreur:
            if _erreur_s3_introuvable(erreur):
                raise FileNotFoundError(nom) from None
            raise
        return reponse["Body"], int(reponse["ContentLength"])
    fichier = stockage.open(nom, "rb")
    try:
        taille = fichier.size
    except (OSError, AttributeError):
        taille = None
    return fichier, taille


# --- Readiness ---------------------------------------------------------------------------------------------------


def stockage_pret(stockage=None) -> tuple[bool, str]:
    """(True, "") when the default storage can be used, else (False, the reason in French). Writes nothing: a HEAD on
    the bucket (object storage), or the rights on `MEDIA_ROOT` or the folder that will hold it (local disk)."""
    try:
        # The storage itself, not the `default_storage` proxy: the check's client belongs to this one.
        stockage = stockage or storages["default"]
        if est_stockage_objet(stockage):
            return _bucket_pret(stockage)
        if isinstance(stockage, FileSystemStorage):
            return _dossier_pret(Path(stockage.location))
    except Exception as erreur:  # a readiness check reports, it never raises
        return False, f"Stockage des fichiers inutilisable ({type(erreur).__name__} : {erreur})."
    return True, ""


def _dossier_pret(dossier: Path) -> tuple[bool, str]:
    if dossier.exists():
        if not dossier.is_dir():
            return False, f"Le dossier des fichiers déposés ({dossier}) n'est pas un dossier."
        if not os.access(dossier, os.W_OK | os.X_OK):
            return False, f"Le dossier des fichiers déposés ({dossier}) n'est pas accessible en écriture."
        return True, ""
    # Created at the first upload: its nearest existing parent must let it be.
    parent = next((p for p in dossier.parents if p.exists()), None)
    if parent is None or not parent.is_dir() or not os.access(parent, os.W_OK | os.X_OK):
        return False, f"Le dossier des fichiers déposés ({dossier}) n'existe pas et ne peut pas être créé."
    return True, ""


def _client_verification(stockage):
    """A client of the storage's own endpoint and keys, with short delays and no retry (one per storage)."""
    client = _clients_verification.get(stockage)
    if client is None:
        from botocore.config import Config

        config = Config(connect_timeout=DELAI_CONNEXION, read_timeout=DELAI_LECTURE, retries={"total_max_attempts": 1})
        if stockage.client_config is not None:
            config = stockage.client_config.merge(config)
        client = stockage._create_session().client(
            "s3",
            region_name=stockage.region_name,
            use_ssl=stockage.use_ssl,
            endpoint_url=stockage.endpoint_url,
            config=config,
            verify=stockage.verify,
        )
        _clients_verification[stockage] = client
    return client


def _bucket_pret(stockage) -> tuple[bool, str]:
    from botocore.exceptions import BotoCoreError, ClientError, NoCredentialsError

    bucket = stockage.bucket_name
    adresse = stockage.endpoint_url or "Amazon S3"
    try:
        _client_verification(stockage).head_bucket(Bucket=bucket)
    except NoCredentialsError:
        return False, "Stockage objet : aucune clé d'accès (MAILLAGE_S3_ACCESS_KEY_ID, MAILLAGE_S3_SECRET_ACCESS_KEY)."
    except ClientError as erreur:
        code = erreur.response.get("ResponseMetadata", {}).get("HTTPStatusCode")
        if _erreur_s3_introuvable(erreur):
            return False, f"Stockage objet : le bucket « {bucket} » n'existe pas sur {adresse}."
        if code in (401, 403):
            return False, f"Stockage objet : accès refusé au bucket « {bucket} » (clés d'accès ou droits)."
        return False, f"Stockage objet : le bucket « {bucket} » ne répond pas normalement (HTTP {code or '?'})."
    except BotoCoreError as erreur:
        return False, f"Stockage objet injoignable ({adresse}) : {erreur}"
    return True, ""
