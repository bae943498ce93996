"""Reads about agréments: a structure's history and the renewal follow-up board of a département.

The board is built from a constant number of queries (the agréments ending soon, their successors,
the documents deposited since), whatever the number of rows.

What counts as a milestone done, from the data (no separate tracking to keep up to date):
- a successor agrément of the same kind (starting after the current one) en instruction: the renewal
  file was filed, so everything up to "enjeux et axes" is done; decided (accordé, refusé, expiré): the
  "décision de la Caf" is done;
- a document of the structure's projets sociaux deposited since the renewal started (14 months before
  the end): an evaluation or a diagnostic starts the renewal; both the evaluation and the diagnostic
  mark "évaluation et diagnostic" done; a projet social marks "enjeux et axes" done.
A later milestone done implies the earlier ones (`regles.etat_jalons`).
"""

import datetime
from collections import defaultdict
from dataclasses import dataclass

from django.db.models import Prefetch
from django.utils import timezone

from maillage.territoires.models import Commune

from . import criteres_agrement, regles
from .models import Agrement, DocumentProjet, EvaluationCritere, ParametresAgrements, Structure, TypeAgrement


def agrements_de_structure(structure: Structure):
    return (
        Agrement.objects.filter(structure=structure)
        .prefetch_related(Prefetch("evaluations", queryset=EvaluationCritere.objects.order_by("pk")))
        .order_by("-debut", "type")
    )


def evaluations_lisibles(agrement: Agrement) -> list[dict]:
    """The assessment in the rule set's order, with French labels (criteria of prefetched evaluations)."""
    try:
        referentiel = regles.regles_du_referentiel(agrement.referentiel)
        criteres = list(referentiel.criteres_pour(agrement.type))
    except ValueError:
        criteres = []
    par_code = {e.critere: e for e in agrement.evaluations.all()}
    lignes = [{"code": c, "libelle": libelle, "evaluation": par_code.pop(c, None)} for c, libelle in criteres]
    # Criteria of an older list (an assessment recorded before the criteria per type): kept, labelled as such.
    lignes += [
        {"code": c, "libelle": f"{criteres_agrement.LIBELLES.get(c, c)} (hors critères de ce type)", "evaluation": e}
        for c, e in par_code.items()
    ]
    return lignes


@dataclass
class LigneRenouvellement:
    agrement: Agrement
    etats: list[regles.EtatJalon]
    successeur: Agrement | None
    cle: tuple

    @property
    def retards(self) -> int:
        return sum(1 for e in self.etats if e.en_retard)


def transition_acf(departement: str) -> str:
    """The département's transition rule for a separate ACF agrément from 2027 (`avertissement` by default)."""
    valeur = (
        ParametresAgrements.objects.filter(departement_id=departement).values_list("transition_acf", flat=True).first()
    )
    return valeur or regles.TRANSITION_AVERTISSEMENT


def parametres_agrements(departement) -> ParametresAgrements:
    """The département's settings, unsaved defaults when none were chosen yet."""
    return ParametresAgrements.objects.filter(departement=departement).first() or ParametresAgrements(
        departement=departement
    )


def _type_du_successeur(agrement: Agrement, transition: str) -> str:
    """An ACF ending when the département no longer accepts a separate ACF is renewed within the animation
    globale."""
    lendemain = agrement.fin + datetime.timedelta(days=1)
    if agrement.type == TypeAgrement.ACF and regles.acf_remplacee(lendemain, transition):
        return TypeAgrement.ANIMATION_GLOBALE
    return agrement.type


def _faits(agrement: Agrement, successeur: Agrement | None, documents: list[tuple[str, datetime.date]]) -> set[str]:
    faits = set()
    lancement = regles.jalons_renouvellement(agrement.fin)[0].debut
    natures = {nature for nature, depose in documents if depose >= lancement}
    if natures & {DocumentProjet.Nature.EVALUATION, DocumentProjet.Nature.DIAGNOSTIC}:
        faits.add("lancement")
    if {DocumentProjet.Nature.EVALUATION, DocumentProjet.Nature.DIAGNOSTIC} <= natures:
        faits.add("evaluation_diagnostic")
    if DocumentProjet.Nature.PROJET_SOCIAL in natures:
        faits.add("enjeux_axes")
    if successeur is not None:
        faits.add("decision" if successeur.statut in regles.STATUTS_DECIDES else "enjeux_axes")
    return faits


def agrements_a_renouveler(departement: str, *, aujourd_hui: datetime.date, type: str = "", commune: str = ""):
    """Agréments accordé of the département ending within 14 months (or already ended, not yet expired)."""
    limite = regles.ajouter_mois(aujourd_hui, regles.MOIS_ALERTE)
    agrements = Agrement.objects.filter(
        statut=Agrement.Statut.ACCORDE, structure__departement_id=departement, fin__lte=limite
    )
    if type:
        agrements = agrements.filter(type=type)
    if commune:
        agrements = agrements.filter(structure__commune_id=commune)
    return agrements


def tableau_renouvellements(
    departement: str, *, aujourd_hui: datetime.date, type: str = "", commune: str = ""
) -> list[LigneRenouvellement]:
    """The renewal follow-up board, most urgent first (four queries)."""
    base = agrements_a_renouveler(departement, aujourd_hui=aujourd_hui, type=type, commune=commune)
    agrements = list(base.select_related("structure", "structure__commune").order_by("fin", "pk"))
    if not agrements:
        return []
    structures = base.values("structure_id")
    debut_min = min(a.debut for a in agrements)
    suivants = defaultdict(list)
    for suivant in Agrement.objects.filter(structure_id__in=structures, debut__gt=debut_min).order_by("debut"):
        suivants[(suivant.structure_id, suivant.type)].append(suivant)
    lancement_min = min(regles.jalons_renouvellement(a.fin)[0].debut for a in agrements)
    documents = defaultdict(list)
    for structure_id, nature, depose_le in DocumentProjet.objects.filter(
        projet__structure_id__in=structures, depose_le__date__gte=lancement_min
    ).values_list("projet__structure_id", "nature", "depose_le"):
        documents[structure_id].append((nature, timezone.localtime(depose_le).date()))

    transition = transition_acf(departement)
    lignes = []
    for agrement in agrements:
        type_suivant = _type_du_successeur(agrement, transition)
        successeur = next(
            (
                s
                for s in suivants[(agrement.structure_id, type_suivant)]
                if s.debut > agrement.debut and s.pk != agrement.pk
            ),
            None,
        )
        faits = _faits(agrement, successeur, documents[agrement.structure_id])
        etats = regles.etat_jalons(agrement.fin, aujourd_hui, faits)
        lignes.append(LigneRenouvellement(agrement, etats, successeur, regles.cle_urgence(agrement.fin, etats)))
    lignes.sort(key=lambda ligne: (ligne.cle, ligne.agrement.structure.nom, ligne.agrement.pk))
    return lignes


def communes_avec_structures(departement: str):
    """Communes of the département where a structure is located (the board's commune filter)."""
    return (
        Commune.objects.filter(departement_id=departement, structures__isnull=False)
        .distinct()
        .order_by("nom")
        .only("code", "nom")
    )


def agrements_des_departements(departements: list[str] | None, *, date: datetime.date | None = None, statut: str = ""):
    """Agréments of the départements (None: all), with their structure; covering `date` when given, of `statut`.

    Read by the agréments API: the same data as the renewal board (départements the reader pilots)."""
    agrements = Agrement.objects.select_related("structure").only(
        "id", "type", "debut", "fin", "statut", "structure__id", "structure__nom"
    )
    if departements is not None:
        agrements = agrements.filter(structure__departement_id__in=departements)
    if date is not None:
        agrements = agrements.filter(debut__lte=date, fin__gte=date)
    if statut:
        agrements = agrements.filter(statut=statut)
    return agrements.order_by("structure__nom", "structure_id", "-debut", "type", "pk")
