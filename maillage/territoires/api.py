"""API of the territorial referential (public, read-only)."""

from django.core.cache import cache
from django.http import Http404
from ninja import Router, Schema

from maillage.core.horloge import aujourdhui
from maillage.core.schemas import erreurs

from . import selectors
from .codes import code_departement
from .models import Commune

router = Router(tags=["Territoires"])


class CodeNom(Schema):
    code: str
    nom: str


class DepartementOut(Schema):
    code: str
    nom: str
    population: int
    nombre_communes: int
    region: CodeNom


class CommuneListeOut(Schema):
    code: str
    nom: str
    population: int | None
    epci: CodeNom | None
    # Établissement public territorial of the Métropole du Grand Paris at today's date, else null.
    ept: CodeNom | None


class CommuneOut(CommuneListeOut):
    departement: CodeNom
    region: CodeNom
    population_millesime: int | None
    population_source: str
    position: list[float] | None = None
    qpv: list[CodeNom]


@router.get(
    "/departements/{code}",
    response={200: DepartementOut, **erreurs(404)},
    summary="Un département et ses chiffres clés",
)
def departement(request, code: str):
    dep = selectors.departement_par_code(code, avec_chiffres=True)
    return {
        "code": dep.code,
        "nom": dep.nom,
        "population": dep.population or 0,
        "nombre_communes": dep.nombre_communes,
        "region": {"code": dep.region.code, "nom": dep.region.nom},
    }


@router.get(
    "/departements/{code}/communes",
    response={200: list[CommuneListeOut], **erreurs(404)},
    summary="Les communes d'un département",
)
def communes(request, code: str):
    # The typed code is normalised before it reaches the cache key (spaces or odd characters are not valid keys).
    normalise = code_departement(code)
    if normalise is None:
        selectors.departement_par_code(code)  # the 404 with its reason
    jour = aujourdhui()
    cle = f"territoires:api:communes:{normalise}:{jour.isoformat()}:{selectors.version_territoires()}"
    liste = cache.get(cle)
    if liste is None:
        dep = selectors.departement_par_code(normalise)
        communes = list(selectors.communes_du_departement(dep.code))
        ept = selectors.ept_des_communes([c.code for c in communes], date=jour)
        liste = [
            {
                "code": c.code,
                "nom": c.nom,
                "population": c.population,
                "epci": {"code": c.epci.code, "nom": c.epci.nom} if c.epci_id else None,
                "ept": {"code": ept[c.code].code, "nom": ept[c.code].nom} if c.code in ept else None,
            }
            for c in communes
        ]
        cache.set(cle, liste, 24 * 60 * 60)
    return liste


@router.get("/communes/{code}", response={200: CommuneOut, **erreurs(404)}, summary="Une commune")
def commune(request, code: str):
    try:
        c = selectors.commune_detaillee(code)
    except Commune.DoesNotExist:
        raise Http404(f"Commune inconnue : {code!r}.") from None
    ept = selectors.ept_des_communes([c.code], date=aujourdhui()).get(c.code)
    return {
        "code": c.code,
        "nom": c.nom,
        "population": c.population,
        "ept": {"code": ept.code, "nom": ept.nom} if ept else None,
        "population_millesime": c.population_millesime,
        "population_source": c.population_source,
        "epci": {"code": c.epci.code, "nom": c.epci.nom} if c.epci_id else None,
        "departement": {"code": c.departement.code, "nom": c.departement.nom},
        "region": {"code": c.departement.region.code, "nom": c.departement.region.nom},
        "position": list(c.point) if c.point else None,
        "qpv": [{"code": q.code, "nom": q.nom} for q in c.qpv.order_by("code")],
    }
