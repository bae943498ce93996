"""The versioned REST API (django-ninja): /api/v1/, OpenAPI at /api/v1/openapi.json, docs at /api/v1/docs."""

from django.core.exceptions import RequestDataTooBig
from django.http import Http404
from django.http.multipartparser import MultiPartParserError
from django.http.request import RawPostDataException
from ninja import NinjaAPI, Swagger
from ninja.errors import AuthenticationError, HttpError, ValidationError

api = NinjaAPI(
    title="API Maillage",
    version="1",
    description=(
        "API de Maillage, plateforme de pilotage de l'animation de la vie sociale. "
        'Montants en euros (nombres JSON), dates ISO 8601, codes INSEE en chaînes ("94", "94046").'
    ),
    urls_namespace="api",
    # Swagger UI from the django-ninja package (templates/ninja/swagger.html), same origin under the strict CSP.
    # No deep links: they put a link inside each operation's button (nested interactive controls).
    docs=Swagger(settings={"deepLinking": False, "docExpansion": "list"}),
)


@api.exception_handler(Http404)
def introuvable(request, exc):
    return api.create_response(request, {"detail": str(exc) or "Ressource introuvable."}, status=404)


@api.exception_handler(ValidationError)
def invalide(request, exc):
    return api.create_response(request, {"detail": "Paramètres invalides.", "erreurs": exc.errors}, status=422)


@api.exception_handler(HttpError)
def erreur_http(request, exc):
    # ninja's own messages are English; the one clients meet is a body that is not JSON.
    message = exc.message
    if exc.status_code == 400 and str(message).startswith("Cannot parse request body"):
        message = "Corps de la requête illisible : un document JSON valide est attendu."
    return api.create_response(request, {"detail": message}, status=exc.status_code)


CORPS_JSON_ATTENDU = "Type de contenu non pris en charge : envoyez un document JSON (Content-Type: application/json)."


@api.exception_handler(MultiPartParserError)
@api.exception_handler(RawPostDataException)
def corps_non_json(request, exc):
    # A JSON body sent as multipart/form-data: the CSRF check parses the form first (bad boundary), after which
    # the raw body can no longer be read; both used to end in a 500 or an HTML 400.
    return api.create_response(request, {"detail": CORPS_JSON_ATTENDU}, status=415)


@api.exception_handler(RequestDataTooBig)
def corps_trop_gros(request, exc):
    return api.create_response(request, {"detail": "Corps de la requête trop volumineux."}, status=413)


@api.exception_handler(AuthenticationError)
def non_authentifie(request, exc):
    return api.create_response(request, {"detail": "Authentification requise."}, status=401)


api.add_router("/territoires/", "maillage.territoires.api.router")
api.add_router("/comptes/", "maillage.comptes.api.router")
api.add_router("/structures", "maillage.structures.api.router")
api.add_router("/agrements", "maillage.structures.api_agrements.router")
api.add_router("/indicateurs/", "maillage.financements.api.router")
api.add_router("/diagnostic/", "maillage.diagnostic.api.router")
api.add_router("/observatoire/", "maillage.observatoire.api.router")
api.add_router("/schemas", "maillage.schema.api.router")
api.add_router("/evenements", "maillage.reseau.api.router_evenements")
api.add_router("/actualites", "maillage.reseau.api.router_actualites")
