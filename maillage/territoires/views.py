from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render

from . import selectors
from .models import Commune, Departement


def choisir(request):
    code = (request.GET.get("departement") or "").strip().upper()
    if not Departement.objects.filter(code=code).exists():
        raise Http404("Département inconnu.")
    return redirect("territoires:departement", code=code)


def departement(request, code):
    try:
        dep = selectors.departement_avec_chiffres(code)
    except Departement.DoesNotExist:
        raise Http404("Département inconnu.") from None
    return render(request, "territoires/departement.html", {"departement": dep})


def departement_geojson(request, code):
    get_object_or_404(Departement, code=code)
    return HttpResponse("{}", content_type="application/geo+json")


def commune(request, code):
    commune = get_object_or_404(Commune.objects.select_related("departement", "epci"), code=code)
    return render(request, "territoires/commune.html", {"commune": commune})
