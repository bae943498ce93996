"""Reads of the observatoire: a campaign's questionnaire, an answer's context, prefill sources, checks."""

import datetime

from django.db.models import Count, Q, Sum

from maillage.financements.models import Budget, LigneProduit
from maillage.structures.models import Agrement, Gestionnaire, Structure
from maillage.structures.selectors import STATUTS_ACTIFS

from . import questionnaire, regles
from .models import Campagne, Commentaire, Reponse, Statut, Transition

# Gestionnaire's legal form → the SENACS "mode de gestion" list of the core questionnaire.
MODES_GESTION = {
    Gestionnaire.FormeJuridique.ASSOCIATION: "association",
    Gestionnaire.FormeJuridique.COMMUNE: "commune_ccas",
    Gestionnaire.FormeJuridique.CCAS: "commune_ccas",
    Gestionnaire.FormeJuridique.CIAS: "intercommunalite_cias",
    Gestionnaire.FormeJuridique.EPCI: "intercommunalite_cias",
    Gestionnaire.FormeJuridique.CAF: "caf",
    Gestionnaire.FormeJuridique.AUTRE: "autre",
}


def mode_gestion_senacs(gestionnaire: Gestionnaire) -> str | None:
    """The SENACS answer: a delegation (DSP, public contract) is « autre (dont délégation) », whatever the form."""
    if gestionnaire.designation == Gestionnaire.Designation.DELEGATION:
        return "autre"
    return MODES_GESTION.get(gestionnaire.forme_juridique)


_DEFINITIONS: dict[tuple, questionnaire.Definition] = {}


def definition_campagne(campagne: Campagne) -> questionnaire.Definition:
    """The assembled questionnaire (core + theme block) of a campaign, cached by content fingerprint."""
    socle, theme = campagne.questionnaire, campagne.bloc_thematique
    cle = (socle.empreinte, theme.empreinte if theme else None)
    if cle not in _DEFINITIONS:
        if len(_DEFINITIONS) > 64:
            _DEFINITIONS.clear()
        _DEFINITIONS[cle] = questionnaire.assembler(socle.definition, theme.definition if theme else None)
    return _DEFINITIONS[cle]


def contexte_structure(structure: Structure, annee_donnees: int) -> regles.Contexte:
    """The structure's type and the agréments it held during the data year (granted ones, even expired since)."""
    debut, fin = datetime.date(annee_donnees, 1, 1), datetime.date(annee_donnees, 12, 31)
    agrements = Agrement.objects.filter(
        structure=structure, statut__in=STATUTS_ACTIFS, debut__lte=fin, fin__gte=debut
    ).values_list("type", flat=True)
    return regles.Contexte(structure.type, frozenset(agrements))


def contexte_reponse(reponse: Reponse) -> regles.Contexte:
    return contexte_structure(reponse.structure, reponse.campagne.annee_donnees)


def reponse_precedente(reponse: Reponse) -> Reponse | None:
    """The same structure's validated answer to the previous year's campaign, if any."""
    return (
        Reponse.objects.filter(
            structure_id=reponse.structure_id, campagne__annee=reponse.campagne.annee - 1, statut=Statut.VALIDEE
        )
        .only("valeurs")
        .first()
    )


def _nombre(valeur):
    if valeur is None:
        return None
    valeur = float(valeur)
    return int(valeur) if valeur.is_integer() else round(valeur, 2)


def sources_prefill(structure: Structure, annee_donnees: int) -> dict:
    """Values already in Maillage, keyed as the definitions' `prefill` attributes name them.

    `structure.*` from the registry; `budget.*` from the structure's budget réalisé of the data year (charges,
    produits by funder — `budget.produit.<financeur>` and `budget.produit.caf_ps.<type de PS>` — total and result).
    """
    sources = {
        "structure.situation_qpv": structure.situation_qpv or None,
        "structure.multi_sites": structure.multi_sites,
        "structure.itinerante": structure.itinerante,
        "structure.adherent_federation": structure.adherent_federation,
        "structure.mode_gestion": mode_gestion_senacs(structure.gestionnaire),
    }
    budget = Budget.objects.filter(structure=structure, annee=annee_donnees, nature=Budget.Nature.REALISE).first()
    if budget is None:
        return sources
    for champ in ("charges_totales", "charges_pilotage", "charges_logistique", "charges_referent_familles"):
        sources[f"budget.{champ}"] = _nombre(getattr(budget, champ))
    lignes = (
        LigneProduit.objects.filter(budget=budget)
        .values("financeur", "type_ps_id")
        .annotate(total=Sum("montant"))
        .order_by()
    )
    total = 0
    for ligne in lignes:
        cle = f"budget.produit.{ligne['financeur']}"
        if ligne["type_ps_id"]:
            cle += f".{ligne['type_ps_id']}"
        sources[cle] = _nombre(ligne["total"])
        total += ligne["total"]
    sources["budget.produits_totaux"] = _nombre(total)
    sources["budget.resultat"] = _nombre(total - budget.charges_totales)
    return sources


def controle(reponse: Reponse, *, definition=None, contexte=None) -> regles.Resultat:
    """The rules engine's verdict on an answer, with the year-on-year check against last year's validated answer."""
    campagne = reponse.campagne
    precedente = reponse_precedente(reponse)
    return regles.controler(
        definition or definition_campagne(campagne),
        reponse.valeurs,
        contexte or contexte_reponse(reponse),
        precedentes=precedente.valeurs if precedente else None,
        seuil_evolution=float(campagne.seuil_evolution),
    )


def campagnes_visibles(user):
    """Campaigns of the user's départements (all of them for an administrator)."""
    from maillage.core.permissions import codes_departements, est_admin

    campagnes = Campagne.objects.select_related("departement", "questionnaire", "bloc_thematique")
    if est_admin(user):
        return campagnes
    return campagnes.filter(departement_id__in=codes_departements(user))


def reponses_attendues(campagne: Campagne):
    return (
        Reponse.objects.filter(campagne=campagne)
        .select_related("structure", "structure__commune")
        .order_by("structure__nom")
    )


def reponses_de_la_structure(structure: Structure):
    return Reponse.objects.filter(Q(structure=structure)).select_related("campagne").order_by("-campagne__annee")


def campagnes_du_departement(departement):
    """A département's campaigns, newest first, with the number of answers expected (`attendues`) and in each
    status (`n_brouillon`, `n_soumise`…)."""
    return (
        Campagne.objects.filter(departement=departement)
        .select_related("questionnaire", "bloc_thematique")
        .annotate(
            attendues=Count("reponses"),
            **{f"n_{statut.value}": Count("reponses", filter=Q(reponses__statut=statut.value)) for statut in Statut},
        )
        .order_by("-annee")
    )


def dernier_renvoi(reponse: Reponse) -> Transition | None:
    """The latest sending back for correction of an answer (its reason is shown to the structure)."""
    return Transition.objects.filter(reponse=reponse, vers=Statut.A_CORRIGER).order_by("-le", "-pk").first()


def commentaires_par_question(reponse: Reponse, codes) -> dict[str, list[Commentaire]]:
    """The review comments on these questions of an answer, by question code, oldest first as stored."""
    commentaires: dict[str, list[Commentaire]] = {}
    for commentaire in Commentaire.objects.filter(reponse=reponse, question__in=codes).select_related("auteur"):
        commentaires.setdefault(commentaire.question, []).append(commentaire)
    return commentaires
