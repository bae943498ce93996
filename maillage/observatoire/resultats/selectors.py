"""Reads of the observatoire's results: a campaign's aggregates, N-1 comparison, national sheet, portraits.

Results are computed over **validated** answers only (statut « validée »): drafts, submitted answers and answers
sent back for correction are counted in the response rates but never in the figures. Each function issues a fixed
number of queries whatever the number of answers.
"""

from django.db.models import Count, Q
from django.http import Http404

from maillage.structures.models import TypeStructure
from maillage.territoires.models import EPCI, Commune, Departement
from maillage.territoires.selectors import departement_du_code

from .. import agregats
from ..models import Campagne, Reponse, Statut

STATUTS_RECUS = (Statut.SOUMISE, Statut.A_CORRIGER, Statut.VALIDEE)


def campagne_de(annee: int, code: str) -> Campagne:
    """The campaign of a département and year, or Http404 with a French reason."""
    departement = departement_du_code(code)
    if departement is None:
        raise Http404(f"Département inconnu : {code}.")
    campagne = (
        Campagne.objects.select_related("departement").filter(annee=annee, departement_id=departement.code).first()
    )
    if campagne is None:
        raise Http404(f"Aucune campagne {annee} pour le département {code}.")
    return campagne


def campagnes_des_publications(pilotage):
    """Published campaigns and those of the `pilotage` départements (codes, or a query of them: where the reader
    may see non-public reports), with their count of validated answers."""
    return (
        Campagne.objects.filter(Q(publiee=True) | Q(departement__in=pilotage))
        .select_related("departement")
        .annotate(validees=Count("reponses", filter=Q(reponses__statut=Statut.VALIDEE)))
        .order_by("-annee", "departement_id")
    )


def campagnes_de_l_annee(annee: int):
    """Every département's campaign of a year (each reader sees those `synthese_visible` allows)."""
    return Campagne.objects.filter(annee=annee).select_related("departement")


def lignes_validees(campagnes) -> list[agregats.Ligne]:
    """One line per validated answer of the campaigns (a queryset or list of Campagne), in one query."""
    lignes = (
        Reponse.objects.filter(campagne__in=campagnes, statut=Statut.VALIDEE)
        .values(
            "structure_id",
            "valeurs",
            "structure__departement_id",
            "structure__commune_id",
            "structure__commune__epci_id",
            "structure__type",
        )
        .order_by("structure__nom", "pk")
    )
    return [
        agregats.Ligne(
            structure=ligne["structure_id"],
            valeurs=ligne["valeurs"] or {},
            departement=ligne["structure__departement_id"] or "",
            commune=ligne["structure__commune_id"] or "",
            epci=ligne["structure__commune__epci_id"] or "",
            type=ligne["structure__type"] or "",
        )
        for ligne in lignes
    ]


def compteurs_reponses(campagne: Campagne) -> dict:
    """attendues (answers created for the campaign), recues (submitted at least once: soumise, à corriger or
    validée), validees, taux_reponse (recues / attendues)."""
    compte = Reponse.objects.filter(campagne=campagne).aggregate(
        attendues=Count("pk"),
        recues=Count("pk", filter=Q(statut__in=STATUTS_RECUS)),
        validees=Count("pk", filter=Q(statut=Statut.VALIDEE)),
    )
    compte["taux_reponse"] = agregats.taux(compte["recues"], compte["attendues"])
    return compte


def _noms(dimension: str, cles) -> dict[str, str]:
    cles = [c for c in cles if c]
    if dimension == "type":
        return dict(TypeStructure.choices)
    if dimension == "epci":
        return dict(EPCI.objects.filter(code__in=cles).values_list("code", "nom"))
    if dimension == "commune":
        return dict(Commune.objects.filter(code__in=cles).values_list("code", "nom"))
    return dict(Departement.objects.filter(code__in=cles).values_list("code", "nom"))


def groupes_nommes(lignes, dimension: str) -> list[dict]:
    groupes = agregats.agreger_par(lignes, dimension)
    noms = _noms(dimension, [g.cle for g in groupes])
    return [{"cle": g.cle, "nom": noms.get(g.cle) or g.cle or "Non renseigné", "groupe": g} for g in groupes]


def campagne_precedente(campagne: Campagne) -> Campagne | None:
    return Campagne.objects.filter(departement_id=campagne.departement_id, annee=campagne.annee - 1).first()


def synthese(campagne: Campagne) -> dict:
    """The département synthesis: response counts, aggregates overall and by type, EPCI and commune, N-1."""
    lignes = lignes_validees([campagne])
    ensemble = agregats.agreger(lignes)
    precedente = campagne_precedente(campagne)
    ensemble_n1 = agregats.agreger(lignes_validees([precedente])) if precedente else None
    return {
        "campagne": campagne,
        "reponses": compteurs_reponses(campagne),
        "ensemble": ensemble,
        "lignes": lignes,
        "par_type": groupes_nommes(lignes, "type"),
        "par_epci": groupes_nommes(lignes, "epci"),
        "par_commune": groupes_nommes(lignes, "commune"),
        "precedente": precedente,
        "ensemble_n1": ensemble_n1,
        "comparaison": agregats.comparer(ensemble, ensemble_n1),
    }


def fiche_nationale(annee: int, *, visible=None) -> dict:
    """All the départements having a campaign that year in this instance: one aggregate per département + all.

    `visible(campagne) -> bool` keeps only the campaigns the reader may see (published ones for the public)."""
    campagnes = list(Campagne.objects.filter(annee=annee).select_related("departement").order_by("departement_id"))
    if visible is not None:
        campagnes = [c for c in campagnes if visible(c)]
    lignes = lignes_validees(campagnes)
    par_departement = {g.cle: g for g in agregats.agreger_par(lignes, "departement")}
    departements = [
        {
            "campagne": c,
            "departement": c.departement,
            "groupe": par_departement.get(c.departement_id) or agregats.groupe_vide(c.departement_id),
        }
        for c in campagnes
    ]
    return {"annee": annee, "campagnes": campagnes, "departements": departements, "ensemble": agregats.agreger(lignes)}


def reponse_du_portrait(structure_pk: int, annee: int) -> Reponse:
    reponse = (
        Reponse.objects.select_related("structure", "structure__commune", "campagne", "campagne__departement")
        .filter(structure_id=structure_pk, campagne__annee=annee)
        .first()
    )
    if reponse is None:
        raise Http404(f"Aucune réponse {annee} pour cette structure.")
    return reponse


def portrait(reponse: Reponse) -> dict:
    """A structure's figures against the département's median and mean (validated answers of its campaign)."""
    ensemble = agregats.agreger(lignes_validees([reponse.campagne]))
    indicateurs = []
    for cle, libelle, lecteur, unite in agregats.INDICATEURS:
        stat = ensemble.indicateurs[cle]
        indicateurs.append(
            {
                "cle": cle,
                "libelle": libelle,
                "unite": unite,
                "valeur": agregats.lire_valeur(reponse.valeurs or {}, lecteur),
                "mediane": stat.mediane,
                "moyenne": stat.moyenne,
                "n": stat.n,
            }
        )
    return {"reponse": reponse, "indicateurs": indicateurs, "structures": ensemble.structures}


def reponses_pour_export(campagne: Campagne):
    """Every answer of the campaign (all statuses, the status is a column) with its structure, for the XLSX."""
    return (
        Reponse.objects.filter(campagne=campagne)
        .select_related("structure", "structure__commune")
        .order_by("structure__nom", "pk")
    )
