"""Home page: above the domain apps (it presents them all), so that core stays free of domain imports."""

from itertools import groupby

from django.conf import settings
from django.shortcuts import render

from maillage.core.formats import cle_texte
from maillage.territoires.selectors import departements_pour_choix


def accueil(request):
    departements = list(departements_pour_choix())
    # By région name ("Île-de-France" among the I), then département code.
    par_region = sorted(departements, key=lambda d: (cle_texte(d.region.nom), d.region.code, d.code))
    regions = [
        {"region": region, "departements": list(deps)} for region, deps in groupby(par_region, key=lambda d: d.region)
    ]
    codes = {d.code for d in departements}
    defaut = settings.MAILLAGE_PLATEFORME.get("departement_defaut", "")
    return render(
        request,
        "accueil/accueil.html",
        {
            "departements": departements,
            "regions": regions,
            "departement_defaut": defaut if defaut in codes else "",
        },
    )
