"""The rules on agréments, as dated rule sets: pure code, no Django import.

Each `ReglesAgrement` is one doctrine of the Cnaf, valid for agréments whose **start date** falls in its
period; `regles_pour(debut)` picks it and `Agrement.referentiel` stores its code, so an agrément keeps
the rules it was decided under and a new doctrine never rewrites history. The assessment criteria of
each set, per agrément type, are data (`criteres_agrement.py`).

- `circulaire_2012`: circulaire Cnaf 2012-013 (complément 2016), for agréments starting before 2027.
- `reforme_2027`: circulaire Cnaf du 18 décembre 2025, for agréments starting from 1 January 2027. What the
  published texts say: a single agrément procedure, phased in; every centre social's projet social includes
  a *volet familles* from 2027 (one more criterion of the animation globale agrément); the AGC and ACF
  prestations are brought together, then merged, between 2027 and 2030, on terms not published yet. So the
  set does **not** refuse an ACF agrément: it flags it (`acf_en_transition`), and what happens to an ACF
  agrément starting from 2027 is a **dated transition rule chosen by the Caf for its département**
  (`ParametresAgrements.transition_acf`, set by the pilote or an admin): `avertissement` (the default: the
  agrément is accepted with a warning saying the ACF prestation is being merged) or `refus` (the département
  no longer accepts a separate ACF agrément; the message says it is the département's choice, not a national
  rule). When the Cnaf publishes the merge's terms, add a set: nothing else moves.

Decisions documented here, tested in tests/structures/test_regles.py:

- Duration "1 to 4 years": an agrément of N years from `debut` ends on `debut + N years - 1 day`
  (1 January 2014 → 31 December 2017). The end must be at least `debut + 1 year - 1 day`, and at most
  the **last day of the month** of `debut + 4 years - 1 day`: a board deciding mid-month may align the
  end on a month end (15/03/2014 → 31/03/2018 accepted, 01/04/2018 refused). No tolerance below one
  year. A start on 29 February counts its years to 28 February.
- Overlap: two agréments of the same type on the same structure may not share a day, refused ones
  excepted (a refusal grants nothing). Bounds are inclusive: a renewal starts the day after the end.
- ACF: only on a centre social, and only when its whole period is covered by animation globale
  agréments of that structure (one or several back to back) that are accordé, en instruction or
  expiré (an expired agrément was accordé: history entered after the fact stays valid). Changing or
  refusing an animation globale agrément that would leave an ACF uncovered is refused too.
"""

import calendar
import datetime
from dataclasses import dataclass, field

from . import criteres_agrement

# Values of the models' TextChoices (TypeStructure, TypeAgrement, Agrement.Statut): the test suite
# checks they stay equal.
CENTRE_SOCIAL = "centre_social"
EVS = "evs"

ANIMATION_GLOBALE = "animation_globale"
ACF = "acf"
ANIMATION_LOCALE = "animation_locale"

EN_INSTRUCTION = "en_instruction"
ACCORDE = "accorde"
REFUSE = "refuse"
EXPIRE = "expire"
STATUTS_DECIDES = (ACCORDE, REFUSE, EXPIRE)

APPRECIATIONS = ("satisfait", "partiel", "non_satisfait")

LIBELLES_TYPES = {
    ANIMATION_GLOBALE: "animation globale",
    ACF: "animation collective familles (ACF)",
    ANIMATION_LOCALE: "animation locale",
}
LIBELLES_STRUCTURES = {CENTRE_SOCIAL: "un centre social", EVS: "un espace de vie sociale"}

# Transition rule of the 2027 reform for a separate ACF agrément (values of ParametresAgrements.transition_acf).
TRANSITION_AVERTISSEMENT = "avertissement"
TRANSITION_REFUS = "refus"
TRANSITIONS = (TRANSITION_AVERTISSEMENT, TRANSITION_REFUS)

# The criteria (data module); CRITERES_2012: the eight of the 2012 circular, kept for readers of that list.
CRITERES_2012 = criteres_agrement.CRITERES_ANIMATION_GLOBALE_2012
CRITERE_VOLET_FAMILLES = criteres_agrement.CRITERE_VOLET_FAMILLES


@dataclass(frozen=True)
class ReglesAgrement:
    code: str
    libelle: str
    debut: datetime.date | None  # first start date covered (None: since always)
    fin: datetime.date | None  # first start date NOT covered (None: until further notice)
    types_autorises: dict[str, tuple[str, ...]]
    # The assessment criteria per agrément type, (code, label) in order (criteres_agrement.py).
    criteres: dict[str, tuple[tuple[str, str], ...]] = field(default_factory=dict)
    # The ACF prestation is being merged into the animation globale: an ACF agrément follows the département's
    # transition rule (warning by default, refusal if the département chose it).
    acf_en_transition: bool = False
    duree_min_annees: int = 1
    duree_max_annees: int = 4

    def s_applique(self, debut: datetime.date) -> bool:
        return (self.debut is None or debut >= self.debut) and (self.fin is None or debut < self.fin)

    def criteres_pour(self, type_agrement: str) -> tuple[tuple[str, str], ...]:
        return self.criteres.get(type_agrement, ())

    def codes_criteres(self, type_agrement: str) -> list[str]:
        return [code for code, _ in self.criteres_pour(type_agrement)]


DATE_REFORME = datetime.date(2027, 1, 1)
# Dates outside these bounds are typing errors (and would overflow the date arithmetic below).
DATE_MIN = datetime.date(1950, 1, 1)
DATE_MAX = datetime.date(2100, 12, 31)

REGLES_2012 = ReglesAgrement(
    code="circulaire_2012",
    libelle="Circulaire Cnaf 2012-013 (complément 2016)",
    debut=None,
    fin=DATE_REFORME,
    types_autorises={CENTRE_SOCIAL: (ANIMATION_GLOBALE, ACF), EVS: (ANIMATION_LOCALE,)},
    criteres=criteres_agrement.criteres_du_jeu("circulaire_2012"),
)

REGLES_2027 = ReglesAgrement(
    code="reforme_2027",
    libelle="Circulaire Cnaf du 18 décembre 2025 (procédure unique, à partir de 2027)",
    debut=DATE_REFORME,
    fin=None,
    types_autorises={CENTRE_SOCIAL: (ANIMATION_GLOBALE, ACF), EVS: (ANIMATION_LOCALE,)},
    criteres=criteres_agrement.criteres_du_jeu("reforme_2027"),
    acf_en_transition=True,
)

REFERENTIELS: dict[str, ReglesAgrement] = {r.code: r for r in (REGLES_2012, REGLES_2027)}


def regles_pour(debut: datetime.date) -> ReglesAgrement:
    """The rule set of an agrément starting on `debut`."""
    for regles in REFERENTIELS.values():
        if regles.s_applique(debut):
            return regles
    raise ValueError(f"Aucun référentiel de règles pour un agrément débutant le {debut:%d/%m/%Y}.")


def regles_du_referentiel(code: str) -> ReglesAgrement:
    try:
        return REFERENTIELS[code]
    except KeyError:
        raise ValueError(f"Référentiel de règles inconnu : {code}") from None


def acf_remplacee(debut: datetime.date, transition: str) -> bool:
    """Is a separate ACF agrément starting on `debut` refused by the département's transition rule?"""
    return transition == TRANSITION_REFUS and regles_pour(debut).acf_en_transition


def message_transition_acf(regles: "ReglesAgrement", transition: str) -> str:
    """What the transition rule says about an ACF agrément under `regles` (refusal or warning)."""
    if transition == TRANSITION_REFUS:
        return (
            f"Règle de transition du département : à partir du {_f(regles.debut)}, la Caf de ce département "
            "n'accepte plus d'agrément d'animation collective familles (ACF) distinct ; le volet familles est "
            "examiné avec l'agrément d'animation globale. Ce refus est un choix du département (réglage du ou "
            f"de la pilote), pas une règle nationale : la {regles.libelle[0].lower()}{regles.libelle[1:]} "
            "rapproche puis fusionne les prestations d'animation globale et ACF entre 2027 et 2030."
        )
    return (
        f"Réforme 2027 ({regles.libelle}) : les prestations d'animation globale et d'animation collective "
        "familles sont rapprochées puis fusionnées entre 2027 et 2030, selon des modalités à préciser. "
        "L'agrément ACF reste possible (règle de transition du département : avertissement) ; le projet social "
        "doit comporter un volet familles."
    )


def avertissements_agrement(nouveau: "AgrementDonnees", transition: str = TRANSITION_AVERTISSEMENT) -> list[str]:
    """Non-blocking notes on an accepted agrément (the 2027 transition when the département warns)."""
    if nouveau.type != ACF or transition != TRANSITION_AVERTISSEMENT:
        return []
    try:
        regles = regles_pour(nouveau.debut)
    except ValueError:
        return []
    return [message_transition_acf(regles, transition)] if regles.acf_en_transition else []


# --- Dates ------------------------------------------------------------------------------------------


def ajouter_annees(date: datetime.date, annees: int) -> datetime.date:
    """Same day `annees` years later; 29 February goes to 1 March in a common year."""
    try:
        return date.replace(year=date.year + annees)
    except ValueError:
        return datetime.date(date.year + annees, 3, 1)


def ajouter_mois(date: datetime.date, mois: int) -> datetime.date:
    """Same day `mois` months later (or earlier), clamped to the month's last day (31/03 - 1 → 28/02)."""
    index = date.year * 12 + date.month - 1 + mois
    annee, mois0 = divmod(index, 12)
    jour = min(date.day, calendar.monthrange(annee, mois0 + 1)[1])
    return datetime.date(annee, mois0 + 1, jour)


def fin_de_mois(date: datetime.date) -> datetime.date:
    return date.replace(day=calendar.monthrange(date.year, date.month)[1])


def bornes_de_fin(debut: datetime.date, regles: ReglesAgrement) -> tuple[datetime.date, datetime.date]:
    """Earliest and latest accepted end for an agrément starting on `debut` (see the module doc)."""
    un_jour = datetime.timedelta(days=1)
    minimum = ajouter_annees(debut, regles.duree_min_annees) - un_jour
    maximum = fin_de_mois(ajouter_annees(debut, regles.duree_max_annees) - un_jour)
    return minimum, maximum


def _f(date: datetime.date) -> str:
    return date.strftime("%d/%m/%Y")


# --- Verification -------------------------------------------------------------------------------------


@dataclass(frozen=True)
class AgrementDonnees:
    """An agrément as the rules see it; `id` tells a modified agrément apart from the others."""

    type: str
    debut: datetime.date
    fin: datetime.date
    statut: str = EN_INSTRUCTION
    id: int | None = None
    date_decision: datetime.date | None = None


def _chevauche(a: AgrementDonnees, b: AgrementDonnees) -> bool:
    return a.debut <= b.fin and b.debut <= a.fin


def _couvert(debut: datetime.date, fin: datetime.date, periodes: list[AgrementDonnees]) -> bool:
    """Is [debut, fin] covered by the union of `periodes` (back to back periods join)?"""
    un_jour = datetime.timedelta(days=1)
    atteint = debut - un_jour  # covered up to this day
    for periode in sorted(periodes, key=lambda p: p.debut):
        if periode.fin <= atteint:
            continue
        if periode.debut > atteint + un_jour:
            return False  # a gap: later periods start even later
        atteint = periode.fin
        if atteint >= fin:
            return True
    return False


def _porte_l_animation_globale(agrement: AgrementDonnees) -> bool:
    return agrement.type == ANIMATION_GLOBALE and agrement.statut != REFUSE


def verifier_agrement(
    nouveau: AgrementDonnees,
    existants: list[AgrementDonnees],
    type_structure: str,
    *,
    aujourd_hui: datetime.date | None = None,
    transition: str = TRANSITION_AVERTISSEMENT,
) -> list[str]:
    """French messages for every rule `nouveau` breaks, given the structure's other agréments.

    `existants` may contain `nouveau`'s former version (same `id`): it is ignored. `transition` is the
    département's rule for an ACF agrément under a rule set where the ACF is being merged.
    """
    erreurs: list[str] = []
    autres = [a for a in existants if nouveau.id is None or a.id != nouveau.id]
    hors_bornes = [
        d
        for d in (nouveau.debut, nouveau.fin, nouveau.date_decision)
        if d is not None and not DATE_MIN <= d <= DATE_MAX
    ]
    if hors_bornes:
        return [f"Date invalide : les dates doivent être comprises entre le {_f(DATE_MIN)} et le {_f(DATE_MAX)}."]
    if nouveau.fin <= nouveau.debut:
        return ["La fin de l'agrément doit suivre son début."]
    try:
        regles = regles_pour(nouveau.debut)
    except ValueError as erreur:
        return [str(erreur)]

    # Type against the structure and the rule set.
    autorises = regles.types_autorises.get(type_structure, ())
    if nouveau.type not in autorises:
        erreurs.append(
            f"Un agrément d'{LIBELLES_TYPES.get(nouveau.type, nouveau.type)} n'est pas possible pour "
            f"{LIBELLES_STRUCTURES.get(type_structure, type_structure)} : types possibles : "
            f"{', '.join(LIBELLES_TYPES[t] for t in autorises) or 'aucun'}."
        )
    elif nouveau.type == ACF and regles.acf_en_transition and transition == TRANSITION_REFUS:
        erreurs.append(message_transition_acf(regles, transition))

    # Duration.
    minimum, maximum = bornes_de_fin(nouveau.debut, regles)
    if not minimum <= nouveau.fin <= maximum:
        erreurs.append(
            f"Un agrément est accordé pour {regles.duree_min_annees} à {regles.duree_max_annees} ans : pour un "
            f"début le {_f(nouveau.debut)}, la fin doit être comprise entre le {_f(minimum)} et le {_f(maximum)}."
        )

    # Statut and decision date.
    if nouveau.statut in (ACCORDE, REFUSE, EXPIRE) and nouveau.date_decision is None:
        erreurs.append("Un agrément accordé, refusé ou expiré doit indiquer la date de la décision de la Caf.")
    if nouveau.statut == EN_INSTRUCTION and nouveau.date_decision is not None:
        erreurs.append("Un agrément en instruction n'a pas encore de date de décision.")
    if aujourd_hui is not None:
        if nouveau.date_decision is not None and nouveau.date_decision > aujourd_hui:
            erreurs.append("La date de décision ne peut pas être dans le futur.")
        if nouveau.statut == EXPIRE and nouveau.fin >= aujourd_hui:
            erreurs.append("Un agrément n'est expiré qu'une fois sa date de fin passée.")

    if nouveau.statut == REFUSE:
        # A refusal grants nothing: it cannot overlap anything, nor cover an ACF.
        return erreurs + _acf_orphelins(nouveau, autres)

    # Overlap with the same type.
    for autre in autres:
        if autre.type == nouveau.type and autre.statut != REFUSE and _chevauche(nouveau, autre):
            erreurs.append(
                f"Cet agrément chevauche l'agrément d'{LIBELLES_TYPES.get(autre.type, autre.type)} "
                f"du {_f(autre.debut)} au {_f(autre.fin)} : deux agréments du même type ne peuvent pas "
                "couvrir la même période."
            )

    # ACF under an animation globale.
    if nouveau.type == ACF and nouveau.type in autorises:
        globales = [a for a in autres if _porte_l_animation_globale(a)]
        if not _couvert(nouveau.debut, nouveau.fin, globales):
            erreurs.append(
                "Un agrément d'animation collective familles (ACF) n'est possible que si un agrément "
                f"d'animation globale (accordé ou en instruction) couvre toute sa période, du {_f(nouveau.debut)} "
                f"au {_f(nouveau.fin)}."
            )
    erreurs += _acf_orphelins(nouveau, autres)
    return erreurs


def _acf_orphelins(nouveau: AgrementDonnees, autres: list[AgrementDonnees]) -> list[str]:
    """Changing an animation globale agrément must not leave an ACF agrément uncovered."""
    if nouveau.type != ANIMATION_GLOBALE or nouveau.id is None:
        return []
    globales = [a for a in autres if _porte_l_animation_globale(a)]
    if _porte_l_animation_globale(nouveau):
        globales.append(nouveau)
    erreurs = []
    for acf in autres:
        if acf.type == ACF and acf.statut != REFUSE and not _couvert(acf.debut, acf.fin, globales):
            erreurs.append(
                f"L'agrément ACF du {_f(acf.debut)} au {_f(acf.fin)} ne serait plus couvert par une animation "
                "globale : modifiez ou refusez d'abord l'agrément ACF."
            )
    return erreurs


def message_criteres_inconnus(regles: ReglesAgrement, type_agrement: str, codes: list[str]) -> str:
    libelles = [criteres_agrement.LIBELLES.get(code, code) for code in codes]
    return (
        f"Critères inconnus ou sans objet pour un agrément d'{LIBELLES_TYPES.get(type_agrement, type_agrement)} "
        f"(référentiel « {regles.libelle} ») : {' ; '.join(libelles)}."
    )


def verifier_evaluations(
    regles: ReglesAgrement, type_agrement: str, evaluations: dict[str, tuple[str, str]], commentaire: str
) -> list[str]:
    """A decision needs an appreciation on every criterion of its rule set and the pilot's comment."""
    erreurs = []
    attendus = dict(regles.criteres_pour(type_agrement))
    if inconnus := sorted(set(evaluations) - set(attendus)):
        erreurs.append(message_criteres_inconnus(regles, type_agrement, inconnus))
    manquants = [libelle for code, libelle in attendus.items() if not evaluations.get(code) or not evaluations[code][0]]
    if manquants:
        erreurs.append(
            f"Une décision exige l'appréciation de chacun des {len(attendus)} critères ; à compléter : "
            + " ; ".join(manquants)
            + "."
        )
    if invalides := sorted(
        code for code, valeur in evaluations.items() if valeur and valeur[0] and valeur[0] not in APPRECIATIONS
    ):
        erreurs.append(f"Appréciation invalide pour : {', '.join(invalides)}.")
    if not (commentaire or "").strip():
        erreurs.append("Une décision exige le commentaire de l'instruction (annotation privée du ou de la pilote).")
    return erreurs


# --- Renewal milestones ---------------------------------------------------------------------------------


@dataclass(frozen=True)
class DefinitionJalon:
    code: str
    libelle: str
    mois_avant_debut: int  # the window opens this many months before the end
    mois_avant_echeance: int  # and should be done this many months before the end
    libelle_court: str = ""


# The Caf's published renewal timeline (reference doc): ordered.
JALONS = (
    DefinitionJalon("lancement", "Lancement du renouvellement", 14, 14, "Lancement (14 mois)"),
    DefinitionJalon(
        "evaluation_diagnostic",
        "Évaluation du projet social et diagnostic partagé",
        12,
        8,
        "Évaluation et diagnostic (12 à 8 mois)",
    ),
    DefinitionJalon("enjeux_axes", "Enjeux et axes du nouveau projet", 6, 6, "Enjeux et axes (6 mois)"),
    DefinitionJalon("decision", "Décision de la Caf", 3, 3, "Décision Caf (3 mois)"),
)
MOIS_ALERTE = JALONS[0].mois_avant_debut


@dataclass(frozen=True)
class Jalon:
    code: str
    libelle: str
    debut: datetime.date
    echeance: datetime.date


@dataclass(frozen=True)
class EtatJalon:
    jalon: Jalon
    fait: bool
    en_retard: bool
    en_cours: bool  # its window is open and it is not done yet


def jalons_renouvellement(fin: datetime.date) -> list[Jalon]:
    """The renewal milestones of an agrément ending on `fin`, with their dates."""
    return [
        Jalon(d.code, d.libelle, ajouter_mois(fin, -d.mois_avant_debut), ajouter_mois(fin, -d.mois_avant_echeance))
        for d in JALONS
    ]


def etat_jalons(fin: datetime.date, aujourd_hui: datetime.date, faits: set[str] | frozenset[str]) -> list[EtatJalon]:
    """Milestones marked done (a later one done implies the earlier ones), late or in progress.

    A milestone is late when it is not done and its deadline has passed (`echeance < aujourd_hui`).
    """
    jalons = jalons_renouvellement(fin)
    dernier_fait = max((i for i, j in enumerate(jalons) if j.code in faits), default=-1)
    etats = []
    for i, jalon in enumerate(jalons):
        fait = i <= dernier_fait
        etats.append(
            EtatJalon(
                jalon=jalon,
                fait=fait,
                en_retard=not fait and jalon.echeance < aujourd_hui,
                en_cours=not fait and jalon.debut <= aujourd_hui <= jalon.echeance,
            )
        )
    return etats


def cle_urgence(fin: datetime.date, etats: list[EtatJalon]) -> tuple[datetime.date, datetime.date]:
    """Sort key: the earliest deadline not met first (late ones come first), then the end date."""
    prochaine = min((e.jalon.echeance for e in etats if not e.fait), default=datetime.date.max)
    return (prochaine, fin)
