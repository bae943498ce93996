"""Search across the registry (one box in the header). Built by the search work of issue 13."""

from django.http import Http404


def recherche(request):
    raise Http404("Recherche en cours de construction.")
