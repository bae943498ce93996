"""Home pages: the public one (the platform explained, the choice of a département), each role's own (what to do
next), and the pages every public-service site has (accessibility, legal notice, personal data, site map, help,
contact). Above the domain apps (it presents them all), so that core stays free of domain imports."""

import datetime
from itertools import groupby

from django.conf import settings
from django.contrib.auth.decorators import login_required
from django.shortcuts import render
from django.views.decorators.http import require_safe

from maillage.core.formats import cle_texte
from maillage.core.horloge import aujourdhui
from maillage.core.permissions import actif, est_admin, peut
from maillage.core.roles import Role
from maillage.territoires.selectors import departements_pour_choix

from . import a_faire, navigation


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


@require_safe
@login_required
def espace(request):
    """Each role's home, the landing page after login: what to do next, each item linking where it is done."""
    user = request.user
    return render(
        request,
        "accueil/espace.html",
        {
            "rubriques": a_faire.taches(user),
            "aujourdhui": aujourdhui(),
            "libelle_role": "Administration technique" if est_admin(user) else Role(user.role).label,
            "est_admin": est_admin(user),
            "raccourcis": [e for e in navigation.entrees(user) if e.groupe == navigation.PLUS],
        },
    )


def _page(request, gabarit, contexte=None):
    return render(request, f"accueil/pages/{gabarit}.html", contexte or {})


@require_safe
def accessibilite(request):
    try:
        date_declaration = datetime.date.fromisoformat(settings.MAILLAGE_PLATEFORME.get("accessibilite_date", ""))
    except ValueError:
        date_declaration = None  # shown as written in the settings
    return _page(request, "accessibilite", {"date_declaration": date_declaration})


@require_safe
def mentions_legales(request):
    return _page(request, "mentions_legales")


@require_safe
def donnees_personnelles(request):
    # The pilote's page to export or erase a person's data, for those allowed (rule of the comptes app).
    return _page(request, "donnees_personnelles", {"peut_gerer": peut(request.user, "donnees_personnelles.gerer")})


@require_safe
def plan_du_site(request):
    """The site map: the same entries as the header, so that it shows only what the visitor may open."""
    entrees = navigation.entrees(request.user)
    return _page(
        request,
        "plan_du_site",
        {
            "entrees": [e for e in entrees if e.groupe != navigation.COMPTE],
            "compte": [e for e in entrees if e.groupe == navigation.COMPTE],
        },
    )


@require_safe
def aide(request):
    """Help per role: what each main page is for (the visitor's own role first)."""
    return _page(
        request,
        "aide",
        {
            "entrees": navigation.entrees(request.user),
            "role": (None if not actif(request.user) else ("admin" if est_admin(request.user) else request.user.role)),
        },
    )


@require_safe
def contact(request):
    return _page(request, "contact")
