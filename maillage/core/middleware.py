from django.conf import settings
from django.http import HttpResponseBadRequest


class RefusOctetNulMiddleware:
    """Refuse NUL bytes in the path or query string with a 400.

    PostgreSQL text cannot hold them, so they would otherwise surface as a 500 wherever a URL
    parameter reaches a query; one guard here covers every view and API route.
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        if "\x00" in request.path or "%00" in request.META.get("QUERY_STRING", "") or "\x00" in str(request.GET):
            return HttpResponseBadRequest(
                "Requête invalide : caractère nul interdit.", content_type="text/plain; charset=utf-8"
            )
        return self.get_response(request)


class PermissionsPolicyMiddleware:
    """Send `Permissions-Policy` (settings.PERMISSIONS_POLICY: feature → allowed origins, [] = nobody).

    Django's SecurityMiddleware and django-csp set the other security headers; this one has no home there. The
    pages use none of these browser features, so a script injected despite the CSP cannot use them either."""

    def __init__(self, get_response):
        self.get_response = get_response
        politique = getattr(settings, "PERMISSIONS_POLICY", {})
        self.valeur = ", ".join(f"{fonction}=({' '.join(origines)})" for fonction, origines in politique.items())

    def __call__(self, request):
        reponse = self.get_response(request)
        if self.valeur:
            reponse.headers.setdefault("Permissions-Policy", self.valeur)
        return reponse
