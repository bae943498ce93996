from django.utils.functional import SimpleLazyObject

from .navigation import menu


def navigation(request):
    """The header's entries, built from the permission rules (maillage.accueil.navigation); computed only when a
    template reads them (not for htmx fragments)."""
    return {"navigation": SimpleLazyObject(lambda: menu(request))}
