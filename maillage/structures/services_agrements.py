"""Writes about agréments: create, modify, decide, expire. The only writers of Agrement and EvaluationCritere.

Each write checks `peut(par, "structure.gerer", structure)`, runs the rules engine (`regles.py`) on the
structure's agréments, locked for the transaction, and writes nothing when a rule is broken: it raises
a `ValidationError` with every French message at once. The audit trail records the changes with their
actor.

A decision (accordé, refusé — and expiré, which was accordé) always carries the assessment of every
criterion of its rule set and the pilot's comment, the private annotation of the instruction; an
agrément still en instruction may hold a partial, draft assessment.
"""

import datetime

from django.core.exceptions import ValidationError
from django.db import transaction

from maillage.core import horloge
from maillage.core.audit import acteur
from maillage.core.permissions import exiger
from maillage.core.versions import verifier_version

from . import regles, selectors_agrements
from .models import Agrement, EvaluationCritere, ParametresAgrements, Structure, TypeAgrement

Evaluations = dict[str, tuple[str, str]]


def _aujourd_hui() -> datetime.date:
    return horloge.aujourdhui()


def _donnees(agrement: Agrement) -> regles.AgrementDonnees:
    return regles.AgrementDonnees(
        type=agrement.type,
        debut=agrement.debut,
        fin=agrement.fin,
        statut=agrement.statut,
        id=agrement.pk,
        date_decision=agrement.date_decision,
    )


def _verifier_valeurs(*, type, debut, fin, statut) -> None:
    erreurs = []
    if type not in TypeAgrement.values:
        erreurs.append("Type d'agrément inconnu.")
    if statut not in Agrement.Statut.values:
        erreurs.append("Statut d'agrément inconnu.")
    if not isinstance(debut, datetime.date) or not isinstance(fin, datetime.date):
        erreurs.append("Les dates de début et de fin de l'agrément sont obligatoires.")
    if erreurs:
        raise ValidationError(erreurs)


def _evaluations_propres(evaluations: Evaluations | None) -> Evaluations:
    """Drop empty entries (a criterion left blank in a form) and normalise the comments."""
    propres = {}
    for code, valeur in (evaluations or {}).items():
        appreciation, commentaire = (valeur or ("", ""))[:2]
        if appreciation or (commentaire or "").strip():
            propres[code] = (appreciation or "", (commentaire or "").strip())
    return propres


def _verifier(
    *,
    structure: Structure,
    nouveau: regles.AgrementDonnees,
    evaluations: Evaluations,
    commentaire: str,
    aujourd_hui: datetime.date,
    exiger_evaluations: bool = True,
) -> regles.ReglesAgrement:
    """Lock the structure, run every rule; raise with all messages, or return the rule set."""
    # The lock serialises concurrent writes on one structure's agréments (overlaps are checked in Python).
    Structure.objects.select_for_update().filter(pk=structure.pk).first()
    existants = [_donnees(a) for a in Agrement.objects.filter(structure=structure)]
    transition = selectors_agrements.transition_acf(structure.departement_id)
    erreurs = regles.verifier_agrement(
        nouveau, existants, structure.type, aujourd_hui=aujourd_hui, transition=transition
    )
    try:
        referentiel = regles.regles_pour(nouveau.debut)
    except ValueError as erreur:
        raise ValidationError(erreurs or [str(erreur)]) from None
    if nouveau.statut in regles.STATUTS_DECIDES:
        if exiger_evaluations:
            erreurs += regles.verifier_evaluations(referentiel, nouveau.type, evaluations, commentaire)
    else:
        # A draft assessment: only known criteria and valid appreciations.
        attendus = set(referentiel.codes_criteres(nouveau.type))
        if inconnus := sorted(set(evaluations) - attendus):
            erreurs.append(regles.message_criteres_inconnus(referentiel, nouveau.type, inconnus))
        if any(a and a not in regles.APPRECIATIONS for a, _ in evaluations.values()):
            erreurs.append("Appréciation invalide.")
    if erreurs:
        raise ValidationError(erreurs)
    return referentiel


def _ecrire_evaluations(agrement: Agrement, evaluations: Evaluations) -> None:
    """Replace the assessment, row by row so that the audit trail records each change."""
    existantes = {e.critere: e for e in agrement.evaluations.all()}
    for code, evaluation in existantes.items():
        if code not in evaluations or not evaluations[code][0]:
            evaluation.delete()
    for code, (appreciation, commentaire) in evaluations.items():
        if not appreciation:
            continue
        evaluation = existantes.get(code)
        if evaluation is None:
            EvaluationCritere.objects.create(
                agrement=agrement, critere=code, appreciation=appreciation, commentaire=commentaire
            )
        elif (evaluation.appreciation, evaluation.commentaire) != (appreciation, commentaire):
            evaluation.appreciation, evaluation.commentaire = appreciation, commentaire
            evaluation.save()


def agrement_creer(
    *,
    par,
    structure: Structure,
    type: str,
    debut: datetime.date,
    fin: datetime.date,
    statut: str = Agrement.Statut.EN_INSTRUCTION,
    date_decision: datetime.date | None = None,
    instance: str = "",
    commentaire: str = "",
    evaluations: Evaluations | None = None,
    aujourd_hui: datetime.date | None = None,
) -> Agrement:
    exiger(par, "structure.gerer", structure)
    _verifier_valeurs(type=type, debut=debut, fin=fin, statut=statut)
    evaluations = _evaluations_propres(evaluations)
    commentaire = (commentaire or "").strip()
    nouveau = regles.AgrementDonnees(type=type, debut=debut, fin=fin, statut=statut, date_decision=date_decision)
    with transaction.atomic(), acteur(par):
        referentiel = _verifier(
            structure=structure,
            nouveau=nouveau,
            evaluations=evaluations,
            commentaire=commentaire,
            aujourd_hui=aujourd_hui or _aujourd_hui(),
        )
        agrement = Agrement.objects.create(
            structure=structure,
            type=type,
            debut=debut,
            fin=fin,
            statut=statut,
            referentiel=referentiel.code,
            date_decision=date_decision,
            instance=(instance or "").strip(),
            commentaire=commentaire,
        )
        _ecrire_evaluations(agrement, evaluations)
        _premier_agrement_mettre_a_jour(agrement)
    agrement.avertissements = _avertissements(agrement)
    return agrement


def _avertissements(agrement: Agrement) -> list[str]:
    """Non-blocking notes for the page that wrote `agrement` (the 2027 transition, when the département warns)."""
    transition = selectors_agrements.transition_acf(agrement.structure.departement_id)
    return regles.avertissements_agrement(_donnees(agrement), transition)


def _premier_agrement_mettre_a_jour(agrement: Agrement) -> None:
    """The structure's date of first agrément follows the earliest granted one (kept if entered earlier by hand:
    history before Maillage is not always in the data)."""
    if agrement.statut not in (Agrement.Statut.ACCORDE, Agrement.Statut.EXPIRE):
        return
    structure = agrement.structure
    if structure.date_premier_agrement is None or agrement.debut < structure.date_premier_agrement:
        structure.date_premier_agrement = agrement.debut
        structure.save(update_fields=["date_premier_agrement", "modifie_le"])


def agrement_modifier(
    *,
    par,
    agrement: Agrement,
    version: int | None = None,
    type: str,
    debut: datetime.date,
    fin: datetime.date,
    date_decision: datetime.date | None,
    instance: str = "",
    commentaire: str = "",
    aujourd_hui: datetime.date | None = None,
) -> Agrement:
    """Correct an agrément's data; its statut and assessment change through `agrement_decider`. `version` is the
    one the form read (a stale one is refused with ConflitVersion; None only for scripts).

    A decided agrément keeps its assessment as it is (agréments entered before this tool, or imported,
    may have none) unless the new start date moves it to another rule set: then its assessment must
    be complete for that set. Its instruction comment, once written, cannot be emptied.
    """
    exiger(par, "structure.gerer", agrement.structure)
    _verifier_valeurs(type=type, debut=debut, fin=fin, statut=agrement.statut)
    commentaire = (commentaire or "").strip()
    with transaction.atomic(), acteur(par):
        if version is not None:
            verifier_version(agrement, version, nom="cet agrément")
        evaluations = {e.critere: (e.appreciation, e.commentaire) for e in agrement.evaluations.all()}
        nouveau = regles.AgrementDonnees(
            type=type, debut=debut, fin=fin, statut=agrement.statut, id=agrement.pk, date_decision=date_decision
        )
        try:
            change_de_referentiel = regles.regles_pour(debut).code != agrement.referentiel
        except ValueError:
            change_de_referentiel = True
        if agrement.statut in regles.STATUTS_DECIDES and agrement.commentaire and not commentaire:
            raise ValidationError("Le commentaire de l'instruction d'un agrément décidé ne peut pas être effacé.")
        referentiel = _verifier(
            structure=agrement.structure,
            nouveau=nouveau,
            evaluations=evaluations,
            commentaire=commentaire,
            aujourd_hui=aujourd_hui or _aujourd_hui(),
            exiger_evaluations=change_de_referentiel,
        )
        agrement.type, agrement.debut, agrement.fin = type, debut, fin
        agrement.date_decision = date_decision
        agrement.instance = (instance or "").strip()
        agrement.commentaire = commentaire
        agrement.referentiel = referentiel.code
        agrement.save()
        _premier_agrement_mettre_a_jour(agrement)
    agrement.avertissements = _avertissements(agrement)
    return agrement


STATUTS_DE_DECISION = (Agrement.Statut.ACCORDE, Agrement.Statut.REFUSE)


def agrement_decider(
    *,
    par,
    agrement: Agrement,
    version: int | None = None,
    statut: str,
    date_decision: datetime.date | None,
    evaluations: Evaluations | None,
    commentaire: str,
    instance: str | None = None,
    aujourd_hui: datetime.date | None = None,
) -> Agrement:
    """Record the Caf board's decision (accordé or refusé) with the full assessment and the comment.

    A decision may be corrected (accordé ↔ refusé) as long as the agrément has not expired.
    """
    exiger(par, "structure.gerer", agrement.structure)
    if statut not in STATUTS_DE_DECISION:
        raise ValidationError("Une décision accorde ou refuse l'agrément.")
    if agrement.statut == Agrement.Statut.EXPIRE:
        raise ValidationError("Cet agrément a expiré : sa décision ne peut plus être modifiée.")
    evaluations = _evaluations_propres(evaluations)
    commentaire = (commentaire or "").strip()
    nouveau = regles.AgrementDonnees(
        type=agrement.type,
        debut=agrement.debut,
        fin=agrement.fin,
        statut=statut,
        id=agrement.pk,
        date_decision=date_decision,
    )
    with transaction.atomic(), acteur(par):
        if version is not None:
            verifier_version(agrement, version, nom="cet agrément")
        referentiel = _verifier(
            structure=agrement.structure,
            nouveau=nouveau,
            evaluations=evaluations,
            commentaire=commentaire,
            aujourd_hui=aujourd_hui or _aujourd_hui(),
        )
        agrement.statut = statut
        agrement.date_decision = date_decision
        agrement.commentaire = commentaire
        if instance is not None:
            agrement.instance = instance.strip()
        agrement.referentiel = referentiel.code
        agrement.save()
        _ecrire_evaluations(agrement, evaluations)
        _premier_agrement_mettre_a_jour(agrement)
    agrement.avertissements = _avertissements(agrement)
    return agrement


def agrements_expirer(*, aujourd_hui: datetime.date | None = None) -> int:
    """Mark expiré every agrément accordé whose end has passed (fin < aujourd_hui); returns the count.

    Idempotent: a second run on the same day changes nothing. A system job (the daily command
    `expirer_agrements`), with no user: it has no permission check. Saves row by row so that the audit
    trail records each change (a few rows a day; the first run on old data is a one-off).
    """
    aujourd_hui = aujourd_hui or _aujourd_hui()
    nombre = 0
    with transaction.atomic():
        echus = Agrement.objects.select_for_update().filter(statut=Agrement.Statut.ACCORDE, fin__lt=aujourd_hui)
        for agrement in echus.order_by("pk"):
            agrement.statut = Agrement.Statut.EXPIRE
            agrement.save(update_fields=["statut", "modifie_le"])
            nombre += 1
    return nombre


def parametres_agrements_modifier(*, par, departement, transition_acf: str, version: int | None = None):
    """Set the département's transition rule for a separate ACF agrément from 2027 (pilote or admin).

    It applies to agréments written from now on; agréments already recorded are not re-checked."""
    exiger(par, "departement.gerer", departement)
    if transition_acf not in ParametresAgrements.TransitionACF.values:
        raise ValidationError({"transition_acf": "Règle de transition inconnue."})
    with transaction.atomic(), acteur(par):
        parametres, cree = ParametresAgrements.objects.select_for_update().get_or_create(
            departement=departement, defaults={"transition_acf": transition_acf, "modifie_par": par}
        )
        if not cree:
            if version is not None:
                verifier_version(parametres, version, nom="ces règles de transition")
            parametres.transition_acf = transition_acf
            parametres.modifie_par = par
            parametres.save()
    return parametres
