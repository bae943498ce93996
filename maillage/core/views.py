from django.db import connection
from django.http import JsonResponse
from django.shortcuts import render

from maillage.territoires.selectors import departements_pour_choix


def accueil(request):
    return render(request, "core/accueil.html", {"departements": departements_pour_choix()})


def sante(request):
    """Liveness and database check for the load balancer."""
    with connection.cursor() as cursor:
        cursor.execute("SELECT 1")
    return JsonResponse({"statut": "ok"})


def erreur_403(request, exception=None):
    return render(request, "403.html", status=403)


def erreur_404(request, exception=None):
    return render(request, "404.html", status=404)


def erreur_500(request):
    # No context processors that may hit the database: the error may come from it.
    return render(request, "500.html", status=500)
