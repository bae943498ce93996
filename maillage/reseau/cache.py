"""The public face of the network served from the cache: what an anonymous visitor reads (agenda, event page and
the events API) depends only on the request and the network's data, so it is computed once per address, data
version (`version_reseau`: audited edits and registrations, loads) and minute (registration deadlines pass with
the clock), then shared by every process through the cache. Logged-in users, who see more, are computed."""

import functools
import hashlib

from django.core.cache import cache
from django.http import HttpResponse

from maillage.comptes.models import Organisation
from maillage.core.horloge import maintenant
from maillage.territoires.models import Commune, Departement
from maillage.territoires.selectors import version_des_donnees

from .models import Evenement, Inscription, Intervenant, Ressource, SerieAteliers, SessionProgramme

DUREE = 10 * 60


def version_reseau() -> str:
    return version_des_donnees(
        Evenement, SessionProgramme, Intervenant, Inscription, Ressource, SerieAteliers, Departement, Commune,
        Organisation,
    )  # fmt: skip


def cle_publique(nom: str, parametres: str) -> str:
    empreinte = hashlib.sha256(parametres.encode()).hexdigest()[:32]
    return f"reseau:{nom}:{empreinte}:{version_reseau()}:{maintenant():%Y%m%d%H%M}"


def _anonyme_sans_etat(request) -> bool:
    # A pending flash message (cookie) or an htmx fragment request is answered afresh.
    return (
        not request.user.is_authenticated
        and request.method == "GET"
        and "messages" not in request.COOKIES
        and not request.headers.get("HX-Request")
    )


def page_publique_en_cache(vue):
    """Serve the anonymous answer of `vue` from the cache (200 answers without cookies only)."""

    @functools.wraps(vue)
    def envelopper(request, *args, **kwargs):
        if not _anonyme_sans_etat(request):
            return vue(request, *args, **kwargs)
        cle = cle_publique(f"page:{vue.__name__}", request.get_full_path())
        if (en_cache := cache.get(cle)) is not None:
            contenu, type_contenu = en_cache
            return HttpResponse(contenu, content_type=type_contenu)
        reponse = vue(request, *args, **kwargs)
        if reponse.status_code == 200 and not reponse.streaming and not reponse.cookies:
            cache.set(cle, (reponse.content, reponse["Content-Type"]), DUREE)
        return reponse

    return envelopper


def reponse_api_en_cache(request, nom: str, parametres, calculer):
    """The anonymous API answer `calculer()` (a JSON-able dict) from the cache."""
    if not _anonyme_sans_etat(request):
        return calculer()
    cle = cle_publique(f"api:{nom}", repr(parametres))
    if (en_cache := cache.get(cle)) is None:
        en_cache = calculer()
        cache.set(cle, en_cache, DUREE)
    return en_cache
