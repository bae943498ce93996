"""Serving a stored file after the caller has checked the rights: the one home of protected downloads.

Documents, minutes, resources and images are never reached through a public media URL nor a bucket URL (signed or
not): each view checks its rule, then hands the file field here, which streams it from the storage (local disk or
object storage alike, chunk by chunk: `maillage.core.stockage.ouvrir_flux`), with its length, a type that is never
sniffed into another one and a cache policy that keeps private files out of shared caches."""

import logging
import mimetypes

from django.http import FileResponse, Http404, HttpResponse

from .stockage import erreurs_stockage, ouvrir_flux

logger = logging.getLogger("maillage.stockage")
INDISPONIBLE = "Le stockage des fichiers est momentanément indisponible : réessayez dans quelques minutes."

BLOC = 64 * 1024  # bytes read from the storage at a time


def servir_fichier(
    champ,
    *,
    nom: str = "",
    type_mime: str | None = None,
    public: bool = False,
    piece_jointe: bool = True,
    introuvable: str = "Le fichier est introuvable.",
) -> HttpResponse:
    """`champ`: a FieldFile (document, image); `nom`: the name offered to the browser (default: the stored name);
    `public`: may be kept 5 minutes by shared caches, else private and never stored."""
    if not champ:
        raise Http404(introuvable)
    try:
        fichier, taille = ouvrir_flux(champ.storage, champ.name)
    except (FileNotFoundError, ValueError):
        raise Http404(introuvable) from None
    except erreurs_stockage() as erreur:
        if isinstance(erreur, OSError):  # the local disk: unreadable file, as missing
            raise Http404(introuvable) from None
        # Object storage unreachable or refusing: the file exists, the service does not answer.
        logger.warning("Stockage indisponible pour %s : %s", champ.name, erreur)
        reponse = HttpResponse(INDISPONIBLE, status=503, content_type="text/plain; charset=utf-8")
        reponse["Retry-After"] = "60"
        return reponse
    nom = nom or champ.name.rsplit("/", 1)[-1]
    type_mime = type_mime or mimetypes.guess_type(nom)[0] or "application/octet-stream"
    if piece_jointe:
        reponse = FileResponse(fichier, as_attachment=True, filename=nom, content_type=type_mime)
    else:
        reponse = FileResponse(fichier, content_type=type_mime)
    reponse.block_size = BLOC
    if taille is not None:
        reponse["Content-Length"] = str(taille)
    reponse["X-Content-Type-Options"] = "nosniff"
    reponse["Cache-Control"] = "public, max-age=300" if public else "private, no-store"
    return reponse
