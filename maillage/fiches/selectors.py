"""Reads of the fiches expérience: the themes list and the fiches a user may see."""

import json
from functools import cache
from pathlib import Path

from django.db.models import Q

from maillage.comptes.models import Role
from maillage.core.permissions import actif, codes_departements, est_admin
from maillage.structures.models import Structure
from maillage.territoires.models import Commune

from .models import FicheExperience

FICHIER_THEMES = Path(__file__).resolve().parents[1] / "observatoire" / "questionnaires" / "senacs-socle-v1.json"
LISTE_THEMES = "themes_actions"


@cache
def themes() -> tuple[tuple[tuple[str, str], ...], str]:
    """The SENACS action themes of the core questionnaire: ((code, label), …) and the list's stated source."""
    liste = json.loads(FICHIER_THEMES.read_text(encoding="utf-8"))["listes"][LISTE_THEMES]
    return tuple((c["code"], c["libelle"]) for c in liste["choix"]), liste.get("source", "")


def libelle_theme(code: str) -> str:
    return dict(themes()[0]).get(code, code)


def fiches_visibles(user):
    """Public fiches for everyone; network fiches for logged-in users of the département; all the fiches of their
    own structure for a structure account; all the fiches of their départements for a pilote."""
    fiches = FicheExperience.objects.select_related("structure", "structure__commune")
    if est_admin(user):
        return fiches
    filtre = Q(statut=FicheExperience.Statut.PUBLIEE_PUBLIC)
    if actif(user):
        codes = codes_departements(user)
        filtre |= Q(statut=FicheExperience.Statut.PUBLIEE_RESEAU, structure__departement_id__in=codes)
        if user.role == Role.PILOTE:
            filtre |= Q(structure__departement_id__in=codes)
        if user.role == Role.STRUCTURE and user.structure_id:
            filtre |= Q(structure_id=user.structure_id)
    return fiches.filter(filtre)


def communes_des_fiches(fiches) -> list[tuple[str, str]]:
    """(code, name) of the communes of these fiches' structures, by name: the filter's choices."""
    return list(
        Commune.objects.filter(code__in=fiches.values("structure__commune_id"))
        .order_by("nom")
        .values_list("code", "nom")
    )


def structures_par_nom():
    """Every structure, by name: those an administrator may write a fiche for."""
    return Structure.objects.order_by("nom")


def filtrer(fiches, *, theme: str = "", commune: str = "", type_structure: str = ""):
    if theme:
        fiches = fiches.filter(theme=theme)
    if commune:
        fiches = fiches.filter(structure__commune_id=commune)
    if type_structure:
        fiches = fiches.filter(structure__type=type_structure)
    return fiches
