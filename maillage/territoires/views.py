import gzip
import hashlib
import json

from django.conf import settings
from django.contrib.auth.decorators import login_required
from django.core.cache import cache
from django.core.paginator import Paginator
from django.http import Http404, HttpResponse, HttpResponseNotModified
from django.shortcuts import redirect, render
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils.cache import patch_cache_control, patch_vary_headers

from maillage.core.formats import cle_texte
from maillage.core.permissions import exiger, peut

from . import selectors
from .models import Commune

# Browsers revalidate with the ETag after this; data loads are rare, so a few minutes is plenty.
GEOJSON_MAX_AGE = 300
GEOJSON_CACHE_TIMEOUT = 24 * 60 * 60
TYPE_GEOJSON = "application/geo+json"
# A national population load changes thousands of communes: an import's page shows the first entries and the count.
LIMITE_ENTREES_AUDIT = 500

# Table sort keys: column → (key on a commune, default order on first click).
TRIS = {
    "nom": (lambda c: (cle_texte(c.nom), c.code), "asc"),
    "code": (lambda c: c.code, "asc"),
    "population": (lambda c: (c.population is None, c.population or 0, cle_texte(c.nom)), "desc"),
    "epci": (lambda c: (c.epci is None, cle_texte(c.epci.nom) if c.epci else "", cle_texte(c.nom)), "asc"),
    "qpv": (lambda c: (c.nombre_qpv, cle_texte(c.nom)), "desc"),
}
LIBELLES_TRI = {"nom": "nom", "code": "code INSEE", "population": "population", "epci": "EPCI", "qpv": "nombre de QPV"}


def choisir(request):
    dep = selectors.departement_par_code(request.GET.get("departement") or "")
    return redirect("territoires:departement", code=dep.code)


def _tri(request) -> tuple[str, str]:
    tri = request.GET.get("tri", "nom")
    if tri not in TRIS:
        tri = "nom"
    ordre = request.GET.get("ordre", TRIS[tri][1])
    if ordre not in ("asc", "desc"):
        ordre = TRIS[tri][1]
    return tri, ordre


def _colonnes(tri: str, ordre: str) -> list[dict]:
    """Header cells of the sortable table: link target and aria-sort state of each column."""
    colonnes = []
    for cle, libelle, numerique in (
        ("nom", "Commune", False),
        ("code", "Code INSEE", False),
        ("population", "Population", True),
        ("qpv", "QPV", True),
        ("epci", "EPCI", False),
    ):
        active = cle == tri
        suivant = ("desc" if ordre == "asc" else "asc") if active else TRIS[cle][1]
        colonnes.append(
            {
                "cle": cle,
                "libelle": libelle,
                "numerique": numerique,
                "aria_sort": ("ascending" if ordre == "asc" else "descending") if active else "",
                "ordre_suivant": suivant,
                "consigne": "trier par ordre croissant" if suivant == "asc" else "trier par ordre décroissant",
            }
        )
    return colonnes


def _millesimes_et_sources(communes) -> tuple[str, str]:
    millesimes = sorted({c.population_millesime for c in communes if c.population_millesime})
    sources = sorted({c.population_source for c in communes if c.population_source})
    if not millesimes:
        texte_millesime = ""
    elif len(millesimes) == 1:
        texte_millesime = str(millesimes[0])
    else:
        texte_millesime = f"{millesimes[0]} à {millesimes[-1]}"
    return texte_millesime, " ; ".join(sources)


def departement(request, code):
    tri, ordre = _tri(request)
    # Territorial data changes only with a load, an import or an audited edit: the page's data and its
    # table are computed once per data version and sort order, then served from the cache.
    cle = f"territoires:page:departement:{code}:{tri}:{ordre}:{selectors.version_territoires()}"
    contexte = cache.get(cle)
    if contexte is None:
        contexte = _contexte_departement(code, tri, ordre)
        cache.set(cle, contexte, GEOJSON_CACHE_TIMEOUT)
    if request.htmx and not request.htmx.history_restore_request:
        # Sorting from the table headers: only the table is swapped, the map stays.
        return render(request, "territoires/_tableau_communes_partiel.html", contexte)
    gerer = peut(request.user, "departement.gerer", contexte["departement"].code)
    return render(request, "territoires/departement.html", {**contexte, **_tuiles(), "peut_gerer": gerer})


def _contexte_departement(code: str, tri: str, ordre: str) -> dict:
    dep = selectors.departement_par_code(code, avec_chiffres=True)
    generations = selectors.qpv_par_generation(departement=dep.code)
    generation = next(iter(generations), None)
    communes = list(selectors.communes_pour_tableau(dep.code, generation))
    communes.sort(key=TRIS[tri][0], reverse=ordre == "desc")
    # One reverse() for the whole table, not one per row: a département may have 900 communes.
    modele_url = reverse("territoires:commune", args=["__code__"])
    for c in communes:
        c.url = modele_url.replace("__code__", c.code)
    millesime, source = _millesimes_et_sources(communes)
    contexte = {
        "departement": dep,
        "nombre_epci": len({c.epci_id for c in communes if c.epci_id}),
        "generations_qpv": generations,
        "generation_qpv": generation,
        "nombre_qpv": generations.get(generation, 0),
        "population_millesime": millesime,
        "population_source": source,
        "tri": tri,
        "ordre": ordre,
        "libelle_tri": LIBELLES_TRI[tri],
    }
    contexte["tableau_communes"] = render_to_string(
        "territoires/_tableau_communes.html", {**contexte, "communes": communes, "colonnes": _colonnes(tri, ordre)}
    )
    return contexte


def _tuiles() -> dict:
    """A background tile layer only when the Caf configured one; vector outlines alone otherwise."""
    return {"tuiles_url": settings.MAILLAGE_TUILES_URL, "tuiles_attribution": settings.MAILLAGE_TUILES_ATTRIBUTION}


def _collection(lignes) -> bytes:
    """A GeoJSON FeatureCollection built around the stored geometry text, which is never parsed."""
    modele_url = reverse("territoires:commune", args=["__code__"])
    morceaux = []
    for code, nom, population, nombre_qpv, geometrie in lignes:
        proprietes = {
            "code": code,
            "nom": nom,
            "population": population,
            "qpv": nombre_qpv,
            "url": modele_url.replace("__code__", code),
        }
        morceaux.append(
            '{"type":"Feature","geometry":'
            + geometrie
            + ',"properties":'
            + json.dumps(proprietes, ensure_ascii=False, separators=(",", ":"))
            + "}"
        )
    return ('{"type":"FeatureCollection","features":[' + ",".join(morceaux) + "]}").encode()


def _reponse_geojson(request, etag: str, corps_gz: bytes) -> HttpResponse:
    """Conditional, compressed answer: 304 when the client has it, gzip when it accepts it."""
    demandes = {e.strip().removeprefix("W/") for e in request.headers.get("If-None-Match", "").split(",")}
    if etag in demandes or "*" in demandes:
        reponse = HttpResponseNotModified()
    elif "gzip" in request.headers.get("Accept-Encoding", ""):
        reponse = HttpResponse(corps_gz, content_type=TYPE_GEOJSON)
        reponse["Content-Encoding"] = "gzip"
    else:
        reponse = HttpResponse(gzip.decompress(corps_gz), content_type=TYPE_GEOJSON)
    reponse["ETag"] = etag
    patch_cache_control(reponse, public=True, max_age=GEOJSON_MAX_AGE)
    patch_vary_headers(reponse, ["Accept-Encoding"])
    return reponse


def _empaqueter(corps: bytes) -> tuple[str, bytes]:
    # mtime=0: the same data gives the same bytes in every process.
    return f'"{hashlib.blake2b(corps, digest_size=16).hexdigest()}"', gzip.compress(corps, compresslevel=6, mtime=0)


def departement_geojson(request, code):
    """The communes' outlines of one département, cached per département and per data version."""
    cle = f"territoires:geojson:departement:{code}:{selectors.version_territoires()}"
    paquet = cache.get(cle)
    if paquet is None:
        dep = selectors.departement_par_code(code)
        generation = next(iter(selectors.qpv_par_generation(departement=dep.code)), None)
        paquet = _empaqueter(_collection(selectors.contours_du_departement(dep.code, generation)))
        cache.set(cle, paquet, GEOJSON_CACHE_TIMEOUT)
    return _reponse_geojson(request, *paquet)


def commune_geojson(request, code):
    """One commune's outline, with the outlines of its QPV when they are loaded."""
    commune = selectors.contour_commune(code)
    if commune is None:
        raise Http404("Commune inconnue.")
    code, nom, population, geometrie = commune
    morceaux = []
    if geometrie:
        proprietes = {"code": code, "nom": nom, "population": population, "categorie": "commune"}
        morceaux.append('{"type":"Feature","geometry":' + geometrie + ',"properties":' + json.dumps(proprietes) + "}")
    for qpv_code, qpv_nom, qpv_generation, qpv_geometrie in selectors.contours_qpv_de_la_commune(code):
        proprietes = {"code": qpv_code, "nom": qpv_nom, "generation": qpv_generation, "categorie": "qpv"}
        morceaux.append(
            '{"type":"Feature","geometry":' + qpv_geometrie + ',"properties":' + json.dumps(proprietes) + "}"
        )
    corps = ('{"type":"FeatureCollection","features":[' + ",".join(morceaux) + "]}").encode()
    return _reponse_geojson(request, *_empaqueter(corps))


def commune(request, code):
    try:
        commune = selectors.commune_detaillee(code)
    except Commune.DoesNotExist:
        raise Http404("Commune inconnue.") from None
    qpv = selectors.qpv_de_la_commune(commune)
    contexte = {"commune": commune, "qpv": qpv, "qpv_avec_contour": any(q.a_contour for q in qpv), **_tuiles()}
    return render(request, "territoires/commune.html", contexte)


@login_required
def chargements(request):
    """Journal of data loads and imports: what was loaded, from which file, by whom, with what result."""
    exiger(request.user, "chargement.voir")
    # Row by row: a pilote sees the loads of their départements and the national ones (rule `chargement.voir`).
    lignes = [c for c in selectors.journal_des_chargements() if peut(request.user, "chargement.voir", c)]
    page = Paginator(lignes, 50).get_page(request.GET.get("page"))
    return render(request, "territoires/chargements.html", {"page": page})


@login_required
def chargement(request, pk):
    exiger(request.user, "chargement.voir")
    ligne = selectors.chargement_par_pk(pk)
    if ligne is None:
        raise Http404("Chargement inconnu.")
    exiger(request.user, "chargement.voir", ligne)
    resume = json.dumps(ligne.resume, ensure_ascii=False, indent=2)
    entrees = selectors.entrees_du_chargement(ligne)
    contexte = {
        "chargement": ligne,
        "resume_json": resume,
        "nombre_entrees": entrees.count(),
        "entrees": entrees[:LIMITE_ENTREES_AUDIT],
        "limite_entrees": LIMITE_ENTREES_AUDIT,
    }
    return render(request, "territoires/chargement.html", contexte)
