"""Pages of the network (see the urls_ module of the same area). Placeholder views until the area lands: 404."""

from django.http import Http404


def _a_venir(request, *args, **kwargs):
    raise Http404("Page en préparation.")


pointage = _a_venir
pointer = _a_venir
sur_place = _a_venir
emargement = _a_venir
statistiques = _a_venir
enquete = _a_venir
enquete_repondre = _a_venir
