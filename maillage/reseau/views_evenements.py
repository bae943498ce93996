"""Pages of the network (see the urls_ module of the same area). Placeholder views until the area lands: 404."""

from django.http import Http404


def _a_venir(request, *args, **kwargs):
    raise Http404("Page en préparation.")


evenements = _a_venir
evenement_creer = _a_venir
evenement = _a_venir
evenement_modifier = _a_venir
programme = _a_venir
session_modifier = _a_venir
session_supprimer = _a_venir
evenement_ics = _a_venir
evenements_ics = _a_venir
series = _a_venir
serie_creer = _a_venir
serie = _a_venir
serie_modifier = _a_venir
