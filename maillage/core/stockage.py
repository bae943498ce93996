"""Readiness of the file storage (MEDIA_ROOT or the S3 bucket), for the `/pret/` probe.

Minimal version written for the readiness endpoint; the object-storage work (helper A, issue 15) owns this module
and may replace it, keeping the signature `stockage_pret() -> tuple[bool, str]`.
"""

import logging
import os
from pathlib import Path

from django.core.files.storage import FileSystemStorage, default_storage

logger = logging.getLogger("maillage.stockage")

CLE_SONDE = "maillage-pret"


def stockage_pret() -> tuple[bool, str]:
    """(ready, French reason). One cheap request: a HEAD on the bucket for S3, a stat for a local folder."""
    try:
        default_storage.exists(CLE_SONDE)
    except Exception:  # any client, network or credential error means "not ready"
        logger.warning("Stockage des fichiers injoignable", exc_info=True)
        return False, "Le stockage des fichiers ne répond pas."
    if isinstance(default_storage, FileSystemStorage):
        dossier = Path(default_storage.location)
        while not dossier.exists() and dossier.parent != dossier:
            dossier = dossier.parent  # created on the first upload: its nearest existing parent must be writable
        if not os.access(dossier, os.W_OK):
            return False, "Le dossier des fichiers déposés n'est pas accessible en écriture."
    return True, "ok"
