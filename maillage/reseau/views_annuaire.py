"""Pages of the network (see the urls_ module of the same area). Placeholder views until the area lands: 404."""

from django.http import Http404


def _a_venir(request, *args, **kwargs):
    raise Http404("Page en préparation.")


annuaire = _a_venir
personne_creer = _a_venir
personne = _a_venir
personne_modifier = _a_venir
personne_effacer = _a_venir
annuaire_importer = _a_venir
annuaire_export = _a_venir
listes = _a_venir
liste_creer = _a_venir
liste = _a_venir
liste_modifier = _a_venir
liste_export = _a_venir
