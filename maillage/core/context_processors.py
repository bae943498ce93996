from django.conf import settings


def plateforme(request):
    """White-label identity (names, logo, colour) for every template."""
    return {"plateforme": settings.MAILLAGE_PLATEFORME, "maillage_demo": settings.MAILLAGE_DEMO}
