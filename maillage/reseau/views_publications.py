"""Pages of the network (see the urls_ module of the same area). Placeholder views until the area lands: 404."""

from django.http import Http404


def _a_venir(request, *args, **kwargs):
    raise Http404("Page en préparation.")


ressources = _a_venir
ressource_creer = _a_venir
ressource = _a_venir
ressource_modifier = _a_venir
ressource_supprimer = _a_venir
ressource_fichier = _a_venir
actualites = _a_venir
actualite_creer = _a_venir
actualite = _a_venir
actualite_modifier = _a_venir
actualites_atom = _a_venir
actualites_rss = _a_venir
