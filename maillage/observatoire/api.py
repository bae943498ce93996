"""API of the observatoire: campaigns and a département's synthesis (aggregates of validated answers only).

Access: a published campaign (`publiee`) and its synthesis are public. An unpublished one is visible only to a
session user allowed `departement.voir_pilotage` on its département (pilote, conseiller, partenaire in scope,
administrators): anonymous → 403, other users → 403. Individual answers are never exposed by this API.
"""

import datetime

from ninja import Router, Schema
from ninja.errors import HttpError

from maillage.core.permissions import peut
from maillage.core.schemas import erreurs

from . import selectors_references
from .models import Campagne
from .resultats import selectors as selectors_resultats

router = Router(tags=["Observatoire"])


class CampagneOut(Schema):
    annee: int
    annee_donnees: int
    departement: str
    publiee: bool
    ouverture: datetime.date
    date_limite_reponse: datetime.date
    date_limite_relecture: datetime.date


class ReponsesOut(Schema):
    attendues: int
    recues: int
    validees: int
    taux_reponse: float | None


class Stat(Schema):
    n: int
    total: float
    moyenne: float | None
    mediane: float | None


class BenevolesOut(Stat):
    moyenne_par_structure: float | None


class ReferenceOut(Schema):
    indicateur: str
    libelle: str
    annee: int
    niveau: str
    territoire: str
    territoire_nom: str
    valeur: float
    unite: str
    source: str
    url: str
    illustratif: bool
    valeur_observee: float | None


class SyntheseCampagneOut(Schema):
    annee: int
    annee_donnees: int
    departement: str
    publiee: bool
    reponses: ReponsesOut
    indicateurs: dict[str, dict]
    references: list[ReferenceOut]


def _visible(request, campagne) -> bool:
    return campagne.publiee or peut(request.user, "departement.voir_pilotage", campagne.departement_id)


@router.get(
    "/campagnes",
    response=list[CampagneOut],
    url_name="observatoire_campagnes",
    summary="Campagnes de l'observatoire",
    description="Les campagnes publiées, plus les campagnes non publiées des départements de l'utilisateur connecté "
    "(Caf et partenaires). Triées par année décroissante puis département.",
)
def campagnes(request):
    liste = Campagne.objects.order_by("-annee", "departement_id")
    return [
        {
            "annee": c.annee,
            "annee_donnees": c.annee_donnees,
            "departement": c.departement_id,
            "publiee": c.publiee,
            "ouverture": c.ouverture,
            "date_limite_reponse": c.date_limite_reponse,
            "date_limite_relecture": c.date_limite_relecture,
        }
        for c in liste
        if _visible(request, c)
    ]


@router.get(
    "/campagnes/{annee}/departements/{code}/synthese",
    response={200: SyntheseCampagneOut, **erreurs(403, 404, 422)},
    url_name="observatoire_synthese",
    summary="Synthèse d'une campagne pour un département",
    description=(
        "`reponses` : attendues, reçues (soumises au moins une fois : soumise, à corriger ou validée), validées, "
        "taux de réponse (reçues / attendues). `indicateurs` : agrégats des seules réponses validées, par indicateur "
        "`{n, total, moyenne, mediane}` (n = structures ayant répondu à la question) ; `benevoles` porte aussi "
        "`moyenne_par_structure`. Campagne ou département inconnus : 404. Campagne non publiée : 403 sauf pour la "
        "Caf et les partenaires du département. `references` : les repères publiés importés (chiffres SENACS "
        "nationaux, de la région du département et du département), pour l'année de la campagne ou, à défaut, la "
        "plus proche avant elle (`annee` dit laquelle) : `niveau` national, regional ou departemental, `territoire` "
        "(code de la région ou du département, vide au niveau national), `valeur` dans son `unite` (pourcentage de "
        "0 à 100), `source` et `url` à citer, `illustratif` vrai pour une valeur non officielle (démonstration), "
        "`valeur_observee` la même grandeur calculée sur les réponses validées du département."
    ),
)
def synthese(request, annee: int, code: str):
    campagne = selectors_resultats.campagne_de(annee, code.strip().upper())
    if not _visible(request, campagne):
        raise HttpError(403, "Cette campagne n'est pas publiée.")
    donnees = selectors_resultats.ensemble_de_la_campagne(campagne)  # cached per data version
    compte, ensemble = donnees["reponses"], donnees["ensemble"]
    indicateurs = {cle: stat.as_dict() for cle, stat in ensemble.indicateurs.items()}
    indicateurs["benevoles"]["moyenne_par_structure"] = indicateurs["benevoles"]["moyenne"]
    indicateurs["parts_financeurs"] = ensemble.parts
    reperes = selectors_references.references_pour(annee=campagne.annee, departement=campagne.departement_id)
    return {
        "annee": campagne.annee,
        "annee_donnees": campagne.annee_donnees,
        "departement": campagne.departement_id,
        "publiee": campagne.publiee,
        "reponses": compte,
        "indicateurs": indicateurs,
        "references": [
            {**r.en_dict(), "valeur_observee": selectors_references.valeur_observee(ensemble, r.indicateur)}
            for r in reperes
        ],
    }


class GroupeTerritoireOut(Schema):
    cle: str
    nom: str
    structures: int
    part_structures: float | None
    indicateurs: dict[str, dict]


class SyntheseTerritoiresOut(Schema):
    annee: int
    departement: str
    decoupage: str
    libelle: str
    date_des_perimetres: datetime.date
    chevauchement: bool
    decoupages: list[str]
    groupes: list[GroupeTerritoireOut]
    hors_perimetre: GroupeTerritoireOut | None


def _groupe_territoire(ligne: dict) -> dict:
    groupe = ligne["groupe"]
    return {
        "cle": ligne["cle"],
        "nom": ligne["nom"],
        "structures": groupe.structures,
        "part_structures": groupe.parts.get("structures"),
        "indicateurs": {cle: stat.as_dict() for cle, stat in groupe.indicateurs.items()},
    }


@router.get(
    "/campagnes/{annee}/departements/{code}/territoires",
    response={200: SyntheseTerritoiresOut, **erreurs(403, 404, 422)},
    url_name="observatoire_synthese_territoires",
    summary="Synthèse d'une campagne par territoire (EPT, EPCI, regroupement)",
    description=(
        "Les agrégats des réponses validées par périmètre d'un découpage du département : `decoupage` = `ept`, "
        "`epci`, `territoire_caf`, `ctg`, `territoire_departement` ou `autre` (par défaut les EPT s'il y en a, "
        "sinon les EPCI). Chaque réponse est rangée selon la commune de sa structure et les périmètres en vigueur le "
        "31 décembre de l'année de la campagne (`date_des_perimetres`) ; `hors_perimetre` compte les structures "
        "d'aucune commune du découpage ; `chevauchement` : une structure au moins est comptée dans plusieurs "
        "périmètres. `decoupages` : ceux que le département propose. Découpage inconnu ou absent du département : "
        "404. Mêmes droits que la synthèse."
    ),
)
def synthese_territoires(request, annee: int, code: str, decoupage: str = ""):
    campagne = selectors_resultats.campagne_de(annee, code.strip().upper())
    if not _visible(request, campagne):
        raise HttpError(403, "Cette campagne n'est pas publiée.")
    etat = selectors_resultats.etat([campagne])  # cached per data version, like the synthesis
    decoupages = selectors_resultats.decoupages_de_la_campagne(campagne, etat_=etat)
    choisi = selectors_resultats.decoupage_choisi(decoupages, decoupage or None)
    if choisi is None or (decoupage and choisi.cle != decoupage):
        proposes = ", ".join(d.cle for d in decoupages) or "aucun"
        raise HttpError(404, f"Découpage « {decoupage[:40]} » absent du département (proposés : {proposes}).")
    donnees = selectors_resultats.groupes_par_decoupage(campagne, choisi.cle, etat_=etat)
    return {
        "annee": campagne.annee,
        "departement": campagne.departement_id,
        "decoupage": choisi.cle,
        "libelle": choisi.libelle,
        "date_des_perimetres": donnees["date"],
        "chevauchement": donnees["chevauchement"],
        "decoupages": [d.cle for d in decoupages],
        "groupes": [_groupe_territoire(g) for g in donnees["groupes"]],
        "hors_perimetre": _groupe_territoire(donnees["hors"]) if donnees["hors"] else None,
    }
