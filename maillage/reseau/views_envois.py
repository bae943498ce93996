"""Pages of the network (see the urls_ module of the same area). Placeholder views until the area lands: 404."""

from django.http import Http404


def _a_venir(request, *args, **kwargs):
    raise Http404("Page en préparation.")


envois = _a_venir
envoi_creer = _a_venir
envoi = _a_venir
