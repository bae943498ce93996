"""Territorial cuts of a département that pages filter and aggregate by ("découpages"), and their parts
("périmètres"): the EPCI, the EPT of the Métropole du Grand Paris, and the groupings a Caf or a Département works
with (territoires d'intervention, CTG perimeters, territoires d'action sociale, others) — all dated.

A périmètre is named in query strings and APIs by a stable value: `epci:<SIREN>` for an EPCI, `<type>:<code>` for a
grouping (`ept:200057941`, `territoire_caf:94-plateau-briard`). Every consumer (diagnostic, dashboard, observatory,
directory, schéma) reads choices, filters and aggregations here, so that a grouping a pilote imports appears
everywhere at once.
"""

from __future__ import annotations

import datetime
from collections.abc import Iterable
from dataclasses import dataclass

from django.db.models import Q

from .models import EPCI, Appartenance, Commune, Regroupement

EPCI_CLE = "epci"

# The order in which the cuts are offered, and their plural labels.
LIBELLES = {
    EPCI_CLE: "Intercommunalités (EPCI)",
    Regroupement.Type.EPT: "Établissements publics territoriaux (EPT)",
    Regroupement.Type.TERRITOIRE_CAF: "Territoires d'intervention de la Caf",
    Regroupement.Type.CTG: "Périmètres de CTG",
    Regroupement.Type.TERRITOIRE_DEPARTEMENT: "Territoires d'action sociale du Département",
    Regroupement.Type.AUTRE: "Autres regroupements",
}
# Singular labels, for a column heading ("EPT", "Territoire de la Caf").
LIBELLES_COURTS = {
    EPCI_CLE: "EPCI",
    Regroupement.Type.EPT: "EPT",
    Regroupement.Type.TERRITOIRE_CAF: "Territoire Caf",
    Regroupement.Type.CTG: "CTG",
    Regroupement.Type.TERRITOIRE_DEPARTEMENT: "Territoire du Département",
    Regroupement.Type.AUTRE: "Regroupement",
}
# EPCI and EPT partition the communes they cover; CTG perimeters and "other" groupings may overlap.
CHEVAUCHANTS = {Regroupement.Type.CTG, Regroupement.Type.AUTRE}


@dataclass(frozen=True)
class Decoupage:
    cle: str  # "epci" or a Regroupement.Type value
    libelle: str
    libelle_court: str
    chevauchant: bool  # a commune may lie in several of its périmètres (aggregated rows then overlap)


@dataclass(frozen=True)
class Perimetre:
    valeur: str  # "epci:200054781", "ept:200057941", "territoire_caf:94-nord"
    nom: str
    decoupage: str
    pk: int | None = None  # the Regroupement's primary key (None for an EPCI)

    @property
    def code(self) -> str:
        return self.valeur.split(":", 1)[1]


def decoupage(cle: str) -> Decoupage | None:
    if cle not in LIBELLES:
        return None
    return Decoupage(cle, LIBELLES[cle], LIBELLES_COURTS[cle], cle in CHEVAUCHANTS)


def _en_vigueur(date: datetime.date, prefixe: str = "") -> Q:
    return Q(**{f"{prefixe}debut__lte": date}) & (
        Q(**{f"{prefixe}fin__isnull": True}) | Q(**{f"{prefixe}fin__gte": date})
    )


def _regroupements(code: str, date: datetime.date):
    """Groupings usable in the département at `date`: those its pilotes own, and national ones (EPT) holding one of
    its communes at that date."""
    membres = Appartenance.objects.filter(_en_vigueur(date), commune__departement_id=code)
    return (
        Regroupement.objects.filter(_en_vigueur(date))
        .filter(Q(departement_id=code) | Q(departement__isnull=True, appartenances__in=membres))
        .distinct()
    )


def perimetres_du_departement(code: str, *, date: datetime.date) -> list[tuple[Decoupage, list[Perimetre]]]:
    """The cuts available in the département at `date`, each with its périmètres sorted by name (two queries); a cut
    without any périmètre is left out. For a `<select>` with one `<optgroup>` per cut."""
    epci = [
        Perimetre(f"{EPCI_CLE}:{siren}", nom, EPCI_CLE)
        for siren, nom in EPCI.objects.filter(communes__departement_id=code)
        .distinct()
        .order_by("nom")
        .values_list("code", "nom")
    ]
    par_type: dict[str, list[Perimetre]] = {}
    for pk, type_, code_r, nom in _regroupements(code, date).order_by("nom").values_list("pk", "type", "code", "nom"):
        par_type.setdefault(type_, []).append(Perimetre(f"{type_}:{code_r}", nom, type_, pk))
    resultat = []
    for cle in LIBELLES:
        perimetres = epci if cle == EPCI_CLE else par_type.get(cle, [])
        if perimetres:
            resultat.append((decoupage(cle), perimetres))
    return resultat


def decoupages_du_departement(code: str, *, date: datetime.date) -> list[Decoupage]:
    return [d for d, _ in perimetres_du_departement(code, date=date)]


def perimetre_lu(code: str, valeur: str | None, *, date: datetime.date) -> Perimetre | None:
    """The périmètre named by `valeur` if it is one of the département's at `date`, else None (an unknown or
    foreign value is not an error for a filter: the page says it was ignored)."""
    if not valeur or ":" not in valeur or len(valeur) > 120:
        return None
    cle, code_p = valeur.split(":", 1)
    if cle == EPCI_CLE:
        epci = EPCI.objects.filter(code=code_p, communes__departement_id=code).values_list("nom", flat=True).first()
        return Perimetre(valeur, epci, EPCI_CLE) if epci else None
    if cle not in LIBELLES:
        return None
    trouve = _regroupements(code, date).filter(type=cle, code=code_p).values_list("pk", "nom").first()
    return Perimetre(valeur, trouve[1], cle, trouve[0]) if trouve else None


def communes_du_perimetre(code: str, perimetre: Perimetre, *, date: datetime.date) -> set[str]:
    """Codes of the département's communes in the périmètre at `date`."""
    communes = Commune.objects.filter(departement_id=code)
    if perimetre.decoupage == EPCI_CLE:
        communes = communes.filter(epci_id=perimetre.code)
    else:
        membres = Appartenance.objects.filter(_en_vigueur(date), regroupement_id=perimetre.pk)
        communes = communes.filter(pk__in=membres.values("commune_id"))
    return set(communes.values_list("code", flat=True))


def affectations(
    code: str, cle: str, *, date: datetime.date, communes: Iterable[str] | None = None
) -> dict[str, list[Perimetre]]:
    """commune code → the périmètres of cut `cle` it lies in at `date` (several for an overlapping cut; none for a
    commune outside every périmètre), for the département's communes (or only `communes`). One query."""
    if cle == EPCI_CLE:
        lignes = Commune.objects.filter(departement_id=code, epci__isnull=False)
        if communes is not None:
            lignes = lignes.filter(code__in=list(communes))
        return {
            commune: [Perimetre(f"{EPCI_CLE}:{siren}", nom, EPCI_CLE)]
            for commune, siren, nom in lignes.values_list("code", "epci_id", "epci__nom")
        }
    if cle not in LIBELLES:
        return {}
    regroupements = _regroupements(code, date).filter(type=cle)
    lignes = Appartenance.objects.filter(
        _en_vigueur(date), regroupement__in=regroupements, commune__departement_id=code
    )
    if communes is not None:
        lignes = lignes.filter(commune_id__in=list(communes))
    resultat: dict[str, list[Perimetre]] = {}
    for commune, pk, code_r, nom in lignes.order_by("regroupement__nom").values_list(
        "commune_id", "regroupement_id", "regroupement__code", "regroupement__nom"
    ):
        perimetre = Perimetre(f"{cle}:{code_r}", nom, cle, pk)
        if perimetre not in resultat.setdefault(commune, []):
            resultat[commune].append(perimetre)
    return resultat


def grouper(
    valeurs_par_commune: dict[str, dict[str, float]],
    affectation: dict[str, list[Perimetre]],
    *,
    tous: Iterable[Perimetre] = (),
) -> tuple[list[tuple[Perimetre, dict[str, float]]], dict[str, float]]:
    """Sums per périmètre of per-commune figures (`{"structures": 3, "population": 12000}`), sorted by name, and
    the sums of the communes outside every périmètre ("hors périmètre"). Périmètres of `tous` appear even without
    any figure (empty sums). Pure: no query."""
    totaux: dict[Perimetre, dict[str, float]] = {p: {} for p in tous}
    hors: dict[str, float] = {}
    for commune, valeurs in valeurs_par_commune.items():
        cibles = [totaux.setdefault(p, {}) for p in affectation.get(commune, [])] or [hors]
        for cible in cibles:
            for nom, valeur in valeurs.items():
                cible[nom] = cible.get(nom, 0) + (valeur or 0)
    return sorted(totaux.items(), key=lambda item: item[0].nom), hors
