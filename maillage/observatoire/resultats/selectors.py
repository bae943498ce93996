"""Reads of the observatoire's results: a campaign's aggregates, N-1 comparison, national sheet, portraits.

Results are computed over **validated** answers only (statut « validée »): drafts, submitted answers and answers
sent back for correction are counted in the response rates but never in the figures. Each function issues a fixed
number of queries whatever the number of answers.

The synthesis and the national sheet are cached (Django cache) per data version, so that the common case reads
no answer: `etat(campagnes)` signs `etats_reponses` (per campaign: counts by status, versions and last change of
its answers and of the structures that answered, one grouped query), `version_registre` (territory names: audited
edits and the journal of loads) and the campaigns themselves. Each campaign's validated answers are also cached as
numbers (`_lignes_par_campagne`): after an answer is validated, only its campaign is read again, and the national
sheet regroups numbers already read instead of reading the 4,000 answers' values again.
"""

import dataclasses
import datetime
import hashlib
from dataclasses import dataclass

from django.core.cache import cache
from django.db.models import Count, Max, Q, Sum
from django.http import Http404

from maillage.structures.models import Structure, TypeStructure
from maillage.territoires import perimetres
from maillage.territoires.codes import code_departement
from maillage.territoires.models import EPCI, Appartenance, Commune, Departement, Regroupement
from maillage.territoires.selectors import departement_du_code, version_des_donnees

from .. import agregats
from ..models import Campagne, Reponse, Statut, ValeurReference

# The « fiche nationale » compares the départements *of this instance* only: never called national. One label for the
# page, its links and its workbook (`rapports.fiche_nationale_xlsx` names its sheet with TITRE_FEUILLE_FICHE).
LIBELLE_FICHE = "Comparaison des départements de cette plateforme"
TITRE_FEUILLE_FICHE = "Départements {annee}"  # an XLSX sheet name: 31 characters at most
STATUTS_RECUS = (Statut.SOUMISE, Statut.A_CORRIGER, Statut.VALIDEE)
DUREE_CACHE = 24 * 60 * 60
ANNEES_POSSIBLES = (1900, 2200)


# --- Data versions ------------------------------------------------------------------------------


def version_registre() -> str:
    """Changes whenever the territories the results name or group by may change: a commune's, EPCI's or
    département's name or EPCI, a grouping of communes or a commune's membership of one (audited edits), a bulk load
    or import (the journal of loads, which imports of structures and groupings write too). A structure's own edits
    are in its campaigns' fingerprints (`etats_reponses`): editing a structure of one département leaves the
    others' results in the cache. The published references (`ValeurReference`: imported, hence journaled, or
    deleted in the administration, hence audited) are in it too: the pages show them beside the results from the
    same cache."""
    return version_des_donnees(Commune, EPCI, Departement, Regroupement, Appartenance, ValeurReference)


def _agregats_empreinte():
    return {
        "attendues": Count("pk"),
        "recues": Count("pk", filter=Q(statut__in=STATUTS_RECUS)),
        "validees": Count("pk", filter=Q(statut=Statut.VALIDEE)),
        "versions": Sum("version"),
        "modifiee": Max("modifie_le"),
    }


def _empreinte(ligne: dict) -> str:
    modifiee = ligne["modifiee"].timestamp() if ligne["modifiee"] else 0
    structures = ligne["structures"].timestamp() if ligne.get("structures") else 0
    return f"{ligne['attendues']}.{ligne['recues']}.{ligne['validees']}.{ligne['versions']}.{modifiee}.{structures}"


def etats_reponses(campagne_ids) -> dict[int, dict]:
    """{campaign pk: {attendues, recues, validees, empreinte}} of its answers, one grouped query. The fingerprint
    changes when an answer is created, deleted, saved (`modifie_le`, and `version`, which bulk writes that skip
    `auto_now` still raise) or changes status, and when a structure that answered is saved (its name, type or
    commune). A campaign without answers is absent."""
    lignes = (
        Reponse.objects.filter(campagne_id__in=list(campagne_ids))
        .values("campagne_id")
        .annotate(**_agregats_empreinte(), structures=Max("structure__modifie_le"))
        .order_by()
    )
    return {
        ligne["campagne_id"]: {
            "attendues": ligne["attendues"],
            "recues": ligne["recues"],
            "validees": ligne["validees"],
            "empreinte": _empreinte(ligne),
        }
        for ligne in lignes
    }


def empreinte_globale(campagne_ids) -> str:
    """One fingerprint of all these campaigns' answers (the same rule as `etats_reponses`, in one row)."""
    return _empreinte(Reponse.objects.filter(campagne_id__in=list(campagne_ids)).aggregate(**_agregats_empreinte()))


def _signature(*parties) -> str:
    return hashlib.sha256("|".join(map(str, parties)).encode()).hexdigest()[:32]


def campagne_de(annee: int, code: str, *, avec_precedente: bool = False):
    """The campaign of a département and year, or Http404 with a French reason. `avec_precedente`: (campaign, the
    département's campaign of the year before or None), read in the same query."""
    normalise = code_departement(code)
    annees = [annee, annee - 1] if avec_precedente else [annee]
    campagnes = {}
    # A year out of any campaign's range (an API path may hold any integer) is not looked up: SQLite's integers
    # stop at 2**63.
    if normalise is not None and ANNEES_POSSIBLES[0] <= annee <= ANNEES_POSSIBLES[1]:
        campagnes = {
            c.annee: c
            for c in Campagne.objects.select_related("departement").filter(annee__in=annees, departement_id=normalise)
        }
    campagne = campagnes.get(annee)
    if campagne is None:
        if departement_du_code(code) is None:
            raise Http404(f"Département inconnu : {code}.")
        raise Http404(f"Aucune campagne {annee} pour le département {code}.")
    return (campagne, campagnes.get(annee - 1)) if avec_precedente else campagne


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


def _lignes_et_campagnes(campagnes) -> list[tuple[int, agregats.Ligne]]:
    lignes = (
        Reponse.objects.filter(campagne__in=campagnes, statut=Statut.VALIDEE)
        .values(
            "campagne_id",
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
        (
            ligne["campagne_id"],
            agregats.Ligne(
                structure=ligne["structure_id"],
                valeurs=ligne["valeurs"] or {},
                departement=ligne["structure__departement_id"] or "",
                commune=ligne["structure__commune_id"] or "",
                epci=ligne["structure__commune__epci_id"] or "",
                type=ligne["structure__type"] or "",
            ),
        )
        for ligne in lignes
    ]


def lignes_validees(campagnes) -> list[agregats.Ligne]:
    """One line per validated answer of the campaigns (a queryset or list of Campagne), in one query."""
    return [ligne for _, ligne in _lignes_et_campagnes(campagnes)]


def _lignes_par_campagne(etat: "Etat", campagne_ids) -> dict[int, list[agregats.Ligne]]:
    """{campaign pk: its validated lines}, from the cache where the campaign's answers have not changed; the others
    in one query. Cached lines keep their numbers only (`Ligne.nombres`), not the answers' values."""
    cles = {pk: f"observatoire:lignes:{pk}:{etat.empreinte(pk)}:{etat.registre}" for pk in campagne_ids}
    en_cache = cache.get_many(list(cles.values()))
    resultat = {pk: en_cache[cle] for pk, cle in cles.items() if cle in en_cache}
    manquantes = [pk for pk in cles if pk not in resultat]
    if manquantes:
        lues = {pk: [] for pk in manquantes}
        for pk, ligne in _lignes_et_campagnes(manquantes):
            ligne.nombres()  # read once, kept in the line
            ligne.valeurs = {}
            lues[pk].append(ligne)
        cache.set_many({cles[pk]: lignes for pk, lignes in lues.items()}, DUREE_CACHE)
        resultat.update(lues)
    return resultat


def compteurs_reponses(campagne: Campagne, etats: dict | None = None) -> dict:
    """attendues (answers created for the campaign), recues (submitted at least once: soumise, à corriger or
    validée), validees, taux_reponse (recues / attendues). `etats`: `etats_reponses` already read."""
    etat = (etats if etats is not None else etats_reponses([campagne.pk])).get(campagne.pk, {})
    compte = {cle: etat.get(cle, 0) for cle in ("attendues", "recues", "validees")}
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


@dataclass(frozen=True)
class Etat:
    """The data a set of campaigns' results depend on: their answers (`etats_reponses`, None when only signed as a
    whole), the registry's version, and `version`, a signature of both and of the campaigns themselves (part of
    every cache key)."""

    reponses: dict | None
    registre: str
    version: str

    def empreinte(self, campagne_id: int) -> str:
        return self.reponses.get(campagne_id, {}).get("empreinte", "0")


def etat(campagnes: list[Campagne], *, par_campagne: bool = True) -> Etat:
    """`Etat` of these campaigns, in two queries (answers, then audit trail and journal of loads). `par_campagne`
    False: the answers are signed as a whole (one row to read instead of one per campaign, and no join: the
    national sheet's common case), and `Etat.reponses` is None until `_completer`."""
    ids = [c.pk for c in campagnes]
    parties = [(c.pk, c.annee, c.modifie_le.isoformat(), c.publiee) for c in campagnes]
    if par_campagne:
        reponses, registre = etats_reponses(ids), version_registre()
        parties += [reponses.get(pk, {}).get("empreinte", "0") for pk in ids]
    else:
        # Without the per-campaign join on structures: any audited structure edit changes this version, and the
        # miss reads the campaigns' fingerprints (`_completer`) to read again only the campaigns concerned.
        reponses, registre = None, ""
        parties += [
            empreinte_globale(ids),
            version_des_donnees(Structure, Commune, EPCI, Departement, ValeurReference),
        ]
    return Etat(reponses, registre, _signature(parties, registre))


def _completer(etat_: Etat, campagne_ids) -> Etat:
    """`etat_` with its per-campaign fingerprints and registry version, when it was signed as a whole."""
    if etat_.reponses is not None:
        return etat_
    return dataclasses.replace(etat_, reponses=etats_reponses(campagne_ids), registre=version_registre())


def synthese(campagne: Campagne, *, precedente=False, etat_: Etat | None = None) -> dict:
    """The département synthesis: response counts, aggregates overall and by type, EPCI and commune, N-1.

    Cached per data version (`etat` of the campaign and its predecessor; `precedente` and `etat_` when the caller
    already has them). The lines returned carry their numbers, not the answers' values."""
    if precedente is False:
        precedente = campagne_precedente(campagne)
    etat_ = etat_ or etat([c for c in (campagne, precedente) if c])
    cle = f"observatoire:synthese:{campagne.pk}:{etat_.version}"
    donnees = cache.get(cle)
    if donnees is None:
        donnees = _synthese(campagne, precedente, etat_)
        cache.set(cle, donnees, DUREE_CACHE)
    return {**donnees, "campagne": campagne, "precedente": precedente}


def _synthese(campagne: Campagne, precedente: Campagne | None, etat_: Etat) -> dict:
    par_campagne = _lignes_par_campagne(etat_, [c.pk for c in (campagne, precedente) if c])
    lignes = par_campagne[campagne.pk]
    ensemble = agregats.agreger(lignes)
    ensemble_n1 = agregats.agreger(par_campagne[precedente.pk]) if precedente else None
    return {
        "reponses": compteurs_reponses(campagne, etat_.reponses),
        "ensemble": ensemble,
        "lignes": lignes,
        "par_type": groupes_nommes(lignes, "type"),
        "par_epci": groupes_nommes(lignes, "epci"),
        "par_commune": groupes_nommes(lignes, "commune"),
        "ensemble_n1": ensemble_n1,
        "comparaison": agregats.comparer(ensemble, ensemble_n1),
    }


# --- By territorial cut (EPT, EPCI, the Caf's and the Département's groupings) ---------------------------------

HORS_PERIMETRE = "Hors périmètre"


def date_des_perimetres(campagne: Campagne) -> datetime.date:
    """The groupings a campaign's answers are read by: those in force on 31 December of the campaign's year."""
    return datetime.date(campagne.annee, 12, 31)


def _perimetres_de_la_campagne(campagne: Campagne, etat_: Etat) -> list[tuple[perimetres.Decoupage, list]]:
    """`perimetres_du_departement` at `date_des_perimetres`, cached per data version (two queries on a miss)."""
    cle = f"observatoire:perimetres:{campagne.pk}:{etat_.version}"
    choix = cache.get(cle)
    if choix is None:
        choix = perimetres.perimetres_du_departement(campagne.departement_id, date=date_des_perimetres(campagne))
        cache.set(cle, choix, DUREE_CACHE)
    return choix


def decoupages_de_la_campagne(campagne: Campagne, *, etat_: Etat | None = None) -> list[perimetres.Decoupage]:
    """The cuts the département offers at `date_des_perimetres` (EPCI, EPT, groupings), cached per data version."""
    return [d for d, _ in _perimetres_de_la_campagne(campagne, etat_ or etat([campagne]))]


def decoupage_choisi(decoupages: list[perimetres.Decoupage], valeur: str | None) -> perimetres.Decoupage | None:
    """The cut named by `valeur` if the département offers it; else the EPT when it has some (the level that
    matters in the Métropole du Grand Paris, whose EPCI is one row), else the EPCI, else the first one."""
    par_cle = {d.cle: d for d in decoupages}
    for cle in (valeur, Regroupement.Type.EPT, perimetres.EPCI_CLE):
        if cle in par_cle:
            return par_cle[cle]
    return decoupages[0] if decoupages else None


def groupes_par_decoupage(campagne: Campagne, cle: str, *, etat_: Etat | None = None) -> dict | None:
    """The campaign's validated answers aggregated by the périmètres of cut `cle` (`"ept"`, `"epci"`,
    `"territoire_caf"`…), each answer placed by its structure's commune with the périmètres in force on 31 December
    of the campaign's year; None when the département has no such cut. For the synthesis page and the reports:

    `{"decoupage": Decoupage, "date": date, "groupes": [{"cle", "nom", "groupe"}] (every périmètre, even without
    an answer), "hors": {"cle": "", "nom": "Hors périmètre", "groupe"} or None, "chevauchement": bool}` —
    `chevauchement` is true when one answer at least counts in several périmètres (their rows then add up to more
    than the whole). Cached per data version (answers, territories and groupings)."""
    decoupage = perimetres.decoupage(cle)
    if decoupage is None:
        return None
    etat_ = etat_ or etat([campagne])
    cache_cle = f"observatoire:decoupage:{campagne.pk}:{etat_.version}:{cle}"
    donnees = cache.get(cache_cle)
    if donnees is None:
        donnees = _groupes_par_decoupage(campagne, decoupage, etat_)
        cache.set(cache_cle, donnees, DUREE_CACHE)
    return donnees or None


def _groupes_par_decoupage(campagne: Campagne, decoupage: perimetres.Decoupage, etat_: Etat) -> dict:
    code, date = campagne.departement_id, date_des_perimetres(campagne)
    tous = dict(_perimetres_de_la_campagne(campagne, etat_)).get(decoupage, [])
    if not tous:
        return {}  # cached too: "no such cut" is a result of this data version
    lignes = _lignes_par_campagne(etat_, [campagne.pk])[campagne.pk]
    affectation = perimetres.affectations(code, decoupage.cle, date=date, communes={ligne.commune for ligne in lignes})
    par_commune = {commune: [p.valeur for p in liste] for commune, liste in affectation.items()}
    noms = {p.valeur: p.nom for p in tous}
    for liste in affectation.values():
        noms.update((p.valeur, p.nom) for p in liste)
    groupes, hors = agregats.agreger_par_affectation(lignes, par_commune, tous=[p.valeur for p in tous])
    return {
        "decoupage": decoupage,
        "date": date,
        "groupes": [{"cle": g.cle, "nom": noms.get(g.cle, g.cle), "groupe": g} for g in groupes],
        "hors": {"cle": "", "nom": HORS_PERIMETRE, "groupe": hors} if hors else None,
        "chevauchement": any(len(par_commune.get(ligne.commune, [])) > 1 for ligne in lignes),
    }


def ensemble_de_la_campagne(campagne: Campagne) -> dict:
    """{"reponses": response counts, "ensemble": aggregates of the validated answers} of one campaign (the API's
    synthesis, without N-1 nor groups), cached per data version."""
    etat_ = etat([campagne])
    cle = f"observatoire:ensemble:{campagne.pk}:{etat_.version}"
    ensemble = cache.get(cle)
    if ensemble is None:
        ensemble = agregats.agreger(_lignes_par_campagne(etat_, [campagne.pk])[campagne.pk])
        cache.set(cle, ensemble, DUREE_CACHE)
    return {"reponses": compteurs_reponses(campagne, etat_.reponses), "ensemble": ensemble}


def campagnes_visibles(annee: int, *, visible=None) -> list[Campagne]:
    """Every département's campaign of the year, by département; `visible(campagne) -> bool` keeps only those the
    reader may see (published ones for the public)."""
    campagnes = (
        Campagne.objects.filter(annee=annee)
        .select_related("departement")
        .only("annee", "publiee", "modifie_le", "departement", "departement__code", "departement__nom")
        .order_by("departement_id")
    )
    return [c for c in campagnes if visible(c)] if visible is not None else campagnes


def libelle_ensemble(nombre_departements: int) -> str:
    """What the « all » row of the comparison really is: the départements of this instance, not France."""
    if nombre_departements == 1:
        return "Le seul département de cette plateforme"
    return f"Ensemble des départements de cette plateforme ({nombre_departements} départements)"


def fiche_nationale(annee: int, *, visible=None, campagnes=None, etat_: Etat | None = None) -> dict:
    """All the départements having a campaign that year in this instance: one aggregate per département + all.

    Not a national figure: `libelle_ensemble` names the « all » row, and `seul_departement` is true when it would
    only repeat the one département (the page then compares it with the published references instead).

    `visible(campagne) -> bool` keeps only the campaigns the reader may see (published ones for the public), or
    `campagnes` gives them (`campagnes_visibles`), and `etat_` their `etat`. Aggregates cached per data version;
    after a change, only the campaigns whose answers changed are read again."""
    if campagnes is None:
        campagnes = campagnes_visibles(annee, visible=visible)
    etat_ = etat_ or etat(campagnes, par_campagne=False)
    cle = f"observatoire:fiche_nationale:{annee}:{etat_.version}"
    agregees = cache.get(cle)
    if agregees is None:
        ids = [c.pk for c in campagnes]
        etat_ = _completer(etat_, ids)
        par_campagne = _lignes_par_campagne(etat_, ids)
        lignes = [ligne for pk in ids for ligne in par_campagne[pk]]
        agregees = {
            "par_departement": {g.cle: g for g in agregats.agreger_par(lignes, "departement")},
            "ensemble": agregats.agreger(lignes),
        }
        cache.set(cle, agregees, DUREE_CACHE)
    par_departement = agregees["par_departement"]
    departements = [
        {
            "campagne": c,
            "departement": c.departement,
            "groupe": par_departement.get(c.departement_id) or agregats.groupe_vide(c.departement_id),
        }
        for c in campagnes
    ]
    return {
        "annee": annee,
        "campagnes": campagnes,
        "departements": departements,
        "ensemble": agregees["ensemble"],
        "libelle_fiche": LIBELLE_FICHE,
        "libelle_ensemble": libelle_ensemble(len(departements)),
        "seul_departement": len(departements) == 1,
    }


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
