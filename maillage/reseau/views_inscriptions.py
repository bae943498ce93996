"""Pages of the network (see the urls_ module of the same area). Placeholder views until the area lands: 404."""

from django.http import Http404


def _a_venir(request, *args, **kwargs):
    raise Http404("Page en préparation.")


inscrire = _a_venir
invitation = _a_venir
inscription = _a_venir
inscription_annuler = _a_venir
inscription_qr = _a_venir
inscriptions = _a_venir
inscriptions_export = _a_venir
inscription_ajouter = _a_venir
mes_inscriptions = _a_venir
