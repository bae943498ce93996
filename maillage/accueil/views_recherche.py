"""Search across the platform (the box in the header): structures, communes, fiches actions, events, resources and
news, each kind filtered by what the user may see (maillage/accueil/recherche.py)."""

from django.shortcuts import render
from django.views.decorators.http import require_safe

from .recherche import LONGUEUR_MAX, mots_de, rechercher


@require_safe
def recherche(request):
    requete = request.GET.get("q", "").strip()[:LONGUEUR_MAX]
    groupes = rechercher(request.user, requete) if requete else []
    return render(
        request,
        "accueil/recherche.html",
        {
            "q": requete,
            "groupes": groupes,
            "total": sum(len(g.resultats) for g in groupes),
            "mots_valides": bool(mots_de(requete)),
        },
    )
