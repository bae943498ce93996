"""Reads of the published reference figures (`ValeurReference`): what the pages, the API and the PDF compare with.

`references_pour(indicateurs, annee=, departement=)` gives, for each indicator, the published value of the year or of
the nearest earlier year (`Reference.annee` says which) at each level: national, the département's région, the
département itself. `valeur_observee(groupe, code)` reads the same figure in the observatory's own aggregates.
"""

from django.core.cache import cache
from django.db.models import Q

from maillage.territoires.models import Departement

from . import references
from .models import ValeurReference
from .references import Reference

DUREE_CACHE = 24 * 60 * 60
ORDRE_NIVEAUX = {references.NATIONAL: 0, references.REGIONAL: 1, references.DEPARTEMENTAL: 2}


def references_pour(indicateurs=None, *, annee: int, departement: str | None = None) -> list[Reference]:
    """Published figures of `indicateurs` (codes of `references.INDICATEURS_REFERENCE`; None: all of them) for the
    campaign year `annee`: national ones, and with `departement` (a code) those of its région and its own.

    For each indicator and level, the value of `annee` or, when there is none, of the nearest earlier year; never a
    later year. Ordered as `INDICATEURS_REFERENCE`, then national, régional, départemental. Two queries at most."""
    codes = [c for c in (indicateurs if indicateurs is not None else references.CODES) if c in references.PAR_CODE]
    if not codes:
        return []
    niveaux = Q(niveau=references.NATIONAL)
    noms = {"": "France"}
    if departement:
        dep = Departement.objects.select_related("region").filter(code=departement).first()
        if dep is not None:
            niveaux |= Q(niveau=references.DEPARTEMENTAL, territoire=dep.code)
            noms[dep.code] = dep.nom
            if dep.region_id:
                niveaux |= Q(niveau=references.REGIONAL, territoire=dep.region_id)
                noms[dep.region_id] = dep.region.nom
    choisies: dict[tuple, ValeurReference] = {}
    for valeur in ValeurReference.objects.filter(niveaux, indicateur__in=codes, annee__lte=annee).order_by("-annee"):
        choisies.setdefault((valeur.indicateur, valeur.niveau), valeur)
    rang = {code: i for i, code in enumerate(references.CODES)}
    resultat = []
    for (code, niveau), valeur in sorted(choisies.items(), key=lambda c: (rang[c[0][0]], ORDRE_NIVEAUX[c[0][1]])):
        indicateur = references.PAR_CODE[code]
        resultat.append(
            Reference(
                indicateur=code,
                libelle=indicateur.libelle,
                annee=valeur.annee,
                annee_demandee=annee,
                niveau=niveau,
                territoire=valeur.territoire,
                territoire_nom=noms.get(valeur.territoire, valeur.territoire),
                valeur=float(valeur.valeur),
                unite=indicateur.unite,
                source=valeur.source,
                url=valeur.url,
                illustratif=valeur.illustratif,
            )
        )
    return resultat


def references_en_cache(version: str, *, annee: int, departement: str | None = None) -> list[Reference]:
    """`references_pour` (all indicators) read once per data `version`: the `Etat.version` of the results, which
    changes with every import of references (journal of loads) and every audited edit of one."""
    cle = f"observatoire:references:{annee}:{departement or ''}:{version}"
    lues = cache.get(cle)
    if lues is None:
        lues = references_pour(annee=annee, departement=departement)
        cache.set(cle, lues, DUREE_CACHE)
    return lues


def valeur_observee(groupe, code: str) -> float | None:
    """The observatory's own value of a reference indicator in an aggregate (`agregats.Groupe`), in the reference's
    unit (a share of income as a percentage); None when not computed."""
    indicateur = references.PAR_CODE.get(code)
    if groupe is None or indicateur is None:
        return None
    if indicateur.statistique == "structures":
        return groupe.structures
    if indicateur.statistique == "part":
        part = groupe.parts.get(indicateur.agregat)
        return None if part is None else round(part * 100, 2)
    stat = groupe.indicateurs.get(indicateur.agregat)
    return None if stat is None else getattr(stat, indicateur.statistique)


def comparaison(groupe, reperes: list[Reference]) -> list[dict]:
    """One row per indicator having a reference: {indicateur, libelle, unite, observee, references: [Reference]}."""
    lignes: dict[str, dict] = {}
    for repere in reperes:
        ligne = lignes.setdefault(
            repere.indicateur,
            {
                "indicateur": repere.indicateur,
                "libelle": repere.libelle,
                "unite": repere.unite,
                "observee": valeur_observee(groupe, repere.indicateur),
                "references": [],
            },
        )
        ligne["references"].append(repere)
    return list(lignes.values())


def valeurs_importees():
    """Every imported reference, for the page that lists them (one query)."""
    return ValeurReference.objects.order_by("-annee", "indicateur", "niveau", "territoire")
