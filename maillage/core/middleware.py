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
