"""The catalogue of computed indicators of a schéma directeur (pure: no Django, no database).

Each definition reads the data of one département at one date through a *lecteur* (`LecteurDonnees`, the
protocol below; the real one, `selectors_indicateurs.Lecteur`, asks the selectors of the registry, the diagnostic,
the budgets and the observatoire and keeps their answers for the run) and returns a `Resultat`: the value and a
French sentence saying how it was computed. The codes are a contract (the demo and the pilots' indicators name
them); `docs/schema-indicateurs.md` lists them.

Conventions:
- "active" is the registry's one definition: an agrément accordé (or since expired) covering the date;
- yearly data (budgets réalisés, Caf funding, observatoire) are read for the **data year** of the date: the year
  itself at 31 December, else the year before (the last complete year, `annee_des_donnees`);
- the SENACS campaign of year N+1 collects the data of year N: a value about year N reads the campaign N+1;
- a value is *provisoire* while its data may still move (a campaign still open, budgets réalisés not all
  entered): the recomputation does not freeze it, even in a closed year.
"""

import datetime
from collections.abc import Callable
from dataclasses import dataclass, field
from decimal import ROUND_HALF_UP, Decimal
from typing import Protocol

from maillage.core.formats import euros, nombre

CENTRE_SOCIAL, EVS = "centre_social", "evs"
TYPES = {CENTRE_SOCIAL: "centres sociaux", EVS: "espaces de vie sociale"}
PARAMETRE_TYPE = {"type": {CENTRE_SOCIAL: "Centres sociaux", EVS: "Espaces de vie sociale"}}
ASSOCIATIVE = "associative"


# --- What a lecteur gives (plain data) --------------------------------------------------------------------------


@dataclass(frozen=True)
class Registre:
    """Active structures at a date: by type, CS by management mode, and those in or serving a QPV by type."""

    par_type: dict[str, int]
    cs_par_mode: dict[str, int] = field(default_factory=dict)
    qpv_par_type: dict[str, int] = field(default_factory=dict)

    def total(self, type_: str | None = None) -> int:
        return self.par_type.get(type_, 0) if type_ else sum(self.par_type.values())


@dataclass(frozen=True)
class Couverture:
    """The diagnostic's synthesis of the département at a date."""

    population: int
    population_couverte: int
    communes: int
    communes_sans_structure: int
    qpv_total: int
    qpv_sans_structure: int
    generation_qpv: int | None
    distance_km: float


@dataclass(frozen=True)
class Finances:
    """Budgets réalisés of a year of the structures active on its 31 December (financements' consolidation)."""

    annee: int
    structures_par_type: dict[str, int]
    budget_par_type: dict[str, Decimal]
    budgets_renseignes: dict[str, int]
    prestations_service: Decimal
    fonds_locaux: Decimal


@dataclass(frozen=True)
class Renouvellements:
    """Agréments that reached their end within a period, and those renewed before it."""

    echus: int
    renouveles_a_temps: int


@dataclass(frozen=True)
class Observatoire:
    """A SENACS campaign: answers expected, received, validated, and totals over the validated answers."""

    annee: int
    annee_donnees: int
    attendues: int
    recues: int
    validees: int
    close: bool  # its review deadline has passed: its figures no longer move
    totaux: dict[str, tuple[float, int]]  # aggregate key -> (total, answers that gave it)


class LecteurDonnees(Protocol):
    departement: str

    def registre(self, date: datetime.date) -> Registre: ...

    def couverture(self, date: datetime.date) -> Couverture | None: ...

    def finances(self, annee: int) -> Finances: ...

    def renouvellements(self, debut: datetime.date, fin: datetime.date) -> Renouvellements: ...

    def observatoire(self, annee: int) -> Observatoire | None: ...


# --- Results and formulas ---------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Resultat:
    valeur: Decimal | None
    methode: str
    provisoire: bool = False


def decimal(valeur, decimales: int = 2) -> Decimal:
    quantum = Decimal(1).scaleb(-decimales)
    return Decimal(str(valeur)).quantize(quantum, rounding=ROUND_HALF_UP)


def pourcent(numerateur, denominateur) -> Decimal | None:
    """numerateur / denominateur in percent, 2 decimals; None without a denominator."""
    if not denominateur:
        return None
    return decimal(Decimal(numerateur) * 100 / Decimal(denominateur))


def pour_10000(structures: int, population: int) -> Decimal | None:
    if not population:
        return None
    return decimal(Decimal(structures) * 10_000 / Decimal(population))


def annee_des_donnees(date: datetime.date) -> int:
    """The last complete calendar year at `date`: its own year on 31 December, else the year before."""
    return date.year if (date.month, date.day) == (12, 31) else date.year - 1


def jour(date: datetime.date) -> str:
    return date.strftime("%d/%m/%Y")


def texte_pourcent(valeur: Decimal | None) -> str:
    return "—" if valeur is None else f"{nombre(valeur, 1)}\xa0%"


def formater(valeur, unite: str = "") -> str:
    """A value as French text in its unit: 17 498 066 €, 65,7 %, 3,39 structures, 47."""
    if valeur is None:
        return "—"
    valeur = Decimal(valeur)
    unite = (unite or "").strip()
    if unite in {"€", "euros"}:
        return euros(valeur)
    if unite == "%":
        return texte_pourcent(valeur)
    decimales = 0 if valeur == valeur.to_integral_value() else (1 if valeur * 10 == (valeur * 10).to_integral() else 2)
    texte = nombre(valeur, decimales)
    return f"{texte}\xa0{unite}" if unite and unite not in {"nombre"} else texte


def expliquer_type(parametres: dict) -> tuple[str | None, str, str]:
    """(type or None, words naming the structures counted, "actives" agreed with them)."""
    type_ = parametres.get("type") or None
    return type_, TYPES.get(type_, "structures"), "actifs" if type_ else "actives"


# --- Definitions ------------------------------------------------------------------------------------------------

Calcul = Callable[[LecteurDonnees, datetime.date, dict], Resultat]


@dataclass(frozen=True)
class Definition:
    code: str
    libelle: str
    unite: str
    sens: str  # "hausse" | "baisse", the default direction
    donnees: tuple[str, ...]  # the data it reads (see DONNEES)
    explication: str  # how it is computed, for the catalogue and the docs
    calculer: Calcul
    parametres: dict[str, dict[str, str]] = field(default_factory=dict)  # allowed parameters and their values

    def valider_parametres(self, parametres) -> dict:
        """The parameters cleaned, or ValueError with a French message."""
        if parametres in (None, ""):
            return {}
        if not isinstance(parametres, dict):
            raise ValueError('Les paramètres forment un objet JSON, par exemple {"type": "evs"}.')
        propres = {}
        for cle, valeur in parametres.items():
            if cle not in self.parametres:
                permis = ", ".join(self.parametres) or "aucun"
                raise ValueError(f"Paramètre inconnu pour « {self.libelle} » : {cle} (permis : {permis}).")
            if valeur in (None, ""):
                continue
            if valeur not in self.parametres[cle]:
                permis = ", ".join(self.parametres[cle])
                raise ValueError(f"Valeur inconnue pour le paramètre {cle} : {valeur!r} (permises : {permis}).")
            propres[cle] = valeur
        return propres


DONNEES = {
    "registre": "registre des structures et de leurs agréments",
    "territoires": "communes, populations et QPV du référentiel",
    "diagnostic": "paramètres du diagnostic territorial",
    "budgets": "budgets réalisés et produits par financeur",
    "observatoire": "campagnes SENACS et réponses",
}
REGLE_ACTIVE = "registre : agrément accordé couvrant cette date"


def _structures_actives(lecteur, date, parametres) -> Resultat:
    type_, mots, actives = expliquer_type(parametres)
    n = lecteur.registre(date).total(type_)
    return Resultat(Decimal(n), f"{nombre(n)} {mots} {actives} au {jour(date)} ({REGLE_ACTIVE}).")


def _structures_pour_10000(lecteur, date, parametres) -> Resultat:
    type_, mots, actives = expliquer_type(parametres)
    couverture = lecteur.couverture(date)
    n = lecteur.registre(date).total(type_)
    if couverture is None or not couverture.population:
        return Resultat(None, f"Population du département inconnue au {jour(date)} : pas de valeur.")
    valeur = pour_10000(n, couverture.population)
    return Resultat(
        valeur,
        f"{nombre(n)} {mots} {actives} au {jour(date)} pour {nombre(couverture.population)} habitants "
        f"(population légale des communes du référentiel), soit {nombre(valeur, 2)} pour 10 000 habitants.",
    )


def _sans_couverture(date) -> Resultat:
    return Resultat(None, f"Diagnostic territorial indisponible au {jour(date)} (département sans communes).")


def _part_population_couverte(lecteur, date, parametres) -> Resultat:
    c = lecteur.couverture(date)
    if c is None or not c.population:
        return _sans_couverture(date)
    valeur = pourcent(c.population_couverte, c.population)
    return Resultat(
        valeur,
        f"{texte_pourcent(valeur)} de la population ({nombre(c.population_couverte)} habitants sur "
        f"{nombre(c.population)}) vit au {jour(date)} dans une commune couverte (diagnostic territorial : une "
        f"structure active y est située ou compétente, ou à moins de {nombre(c.distance_km, 1)} km).",
    )


def _communes_sans_structure(lecteur, date, parametres) -> Resultat:
    c = lecteur.couverture(date)
    if c is None:
        return _sans_couverture(date)
    return Resultat(
        Decimal(c.communes_sans_structure),
        f"{nombre(c.communes_sans_structure)} communes sur {nombre(c.communes)} sans structure active située ou "
        f"compétente au {jour(date)} (diagnostic territorial).",
    )


def _qpv_sans_structure(lecteur, date, parametres) -> Resultat:
    c = lecteur.couverture(date)
    if c is None:
        return _sans_couverture(date)
    generation = f", géographie prioritaire {c.generation_qpv}" if c.generation_qpv else ""
    return Resultat(
        Decimal(c.qpv_sans_structure),
        f"{nombre(c.qpv_sans_structure)} QPV sur {nombre(c.qpv_total)} sans structure active qui y soit implantée, "
        f"proche ou compétente au {jour(date)} (diagnostic territorial{generation}).",
    )


def _part_cs_gestion_associative(lecteur, date, parametres) -> Resultat:
    registre = lecteur.registre(date)
    cs = registre.total(CENTRE_SOCIAL)
    associatifs = registre.cs_par_mode.get(ASSOCIATIVE, 0)
    if not cs:
        return Resultat(None, f"Aucun centre social actif au {jour(date)} : pas de valeur.")
    valeur = pourcent(associatifs, cs)
    return Resultat(
        valeur,
        f"{nombre(associatifs)} centres sociaux à gestion associative sur {nombre(cs)} actifs au {jour(date)}, "
        f"soit {texte_pourcent(valeur)} (mode de gestion SENACS du gestionnaire).",
    )


def _budgets_complets(finances: Finances, type_: str | None) -> tuple[int, int]:
    types = [type_] if type_ else list(finances.structures_par_type)
    renseignes = sum(finances.budgets_renseignes.get(t, 0) for t in types)
    structures = sum(finances.structures_par_type.get(t, 0) for t in types)
    return renseignes, structures


def _budget_cumule(lecteur, date, parametres) -> Resultat:
    type_, mots, actives = expliquer_type(parametres)
    annee = annee_des_donnees(date)
    f = lecteur.finances(annee)
    total = f.budget_par_type.get(type_, Decimal(0)) if type_ else sum(f.budget_par_type.values(), Decimal(0))
    renseignes, structures = _budgets_complets(f, type_)
    if not renseignes:
        return Resultat(
            None, f"Aucun budget réalisé {annee} des {mots} {actives} au 31/12/{annee} : pas de valeur.", True
        )
    return Resultat(
        decimal(total),
        f"{euros(total)} : total des charges des budgets réalisés {annee} de {nombre(renseignes)} {mots} sur "
        f"{nombre(structures)} {actives} au 31/12/{annee} (dernière année complète au {jour(date)}).",
        provisoire=renseignes < structures,
    )


def _financement_caf(lecteur, date, parametres) -> Resultat:
    annee = annee_des_donnees(date)
    f = lecteur.finances(annee)
    renseignes, structures = _budgets_complets(f, None)
    if not renseignes:
        return Resultat(
            None, f"Aucun budget réalisé {annee} des structures actives au 31/12/{annee} : pas de valeur.", True
        )
    total = f.prestations_service + f.fonds_locaux
    return Resultat(
        decimal(total),
        f"{euros(total)} de la Caf dans les budgets réalisés {annee} ({euros(f.prestations_service)} de prestations "
        f"de service et {euros(f.fonds_locaux)} de fonds locaux) de {nombre(renseignes)} structures sur "
        f"{nombre(structures)} actives au 31/12/{annee} (dernière année complète au {jour(date)}).",
        provisoire=renseignes < structures,
    )


def _agrements_renouveles_a_temps(lecteur, date, parametres) -> Resultat:
    debut = datetime.date(date.year, 1, 1)
    r = lecteur.renouvellements(debut, date)
    periode = f"du {jour(debut)} au {jour(date)}"
    if not r.echus:
        return Resultat(None, f"Aucun agrément arrivé à échéance {periode} : pas de valeur.")
    valeur = pourcent(r.renouveles_a_temps, r.echus)
    return Resultat(
        valeur,
        f"{nombre(r.renouveles_a_temps)} agréments renouvelés à temps sur {nombre(r.echus)} arrivés à échéance "
        f"{periode}, soit {texte_pourcent(valeur)} (renouvelé à temps : un agrément suivant du même type, accordé "
        "sans interruption et décidé au plus tard à l'échéance).",
    )


def _campagne(lecteur, date) -> tuple[int, Observatoire | None]:
    annee_donnees = annee_des_donnees(date)
    return annee_donnees, lecteur.observatoire(annee_donnees + 1)


def _sans_campagne(annee_donnees: int) -> Resultat:
    return Resultat(
        None, f"Pas de campagne SENACS {annee_donnees + 1} (données {annee_donnees}) dans le département.", True
    )


def _taux_reponse_observatoire(lecteur, date, parametres) -> Resultat:
    annee_donnees, o = _campagne(lecteur, date)
    if o is None or not o.attendues:
        return _sans_campagne(annee_donnees)
    valeur = pourcent(o.recues, o.attendues)
    etat = "close" if o.close else "en cours"
    return Resultat(
        valeur,
        f"{nombre(o.recues)} réponses reçues (soumises, à corriger ou validées) sur {nombre(o.attendues)} attendues "
        f"à la campagne SENACS {o.annee} (données {o.annee_donnees}, campagne {etat}), soit {texte_pourcent(valeur)}.",
        provisoire=not o.close,
    )


def _total_observatoire(cle: str, libelle: str) -> Calcul:
    def calculer(lecteur, date, parametres) -> Resultat:
        annee_donnees, o = _campagne(lecteur, date)
        if o is None:
            return _sans_campagne(annee_donnees)
        total, n = o.totaux.get(cle, (0, 0))
        if not n:
            return Resultat(
                None, f"Aucune réponse validée ne renseigne ce chiffre à la campagne SENACS {o.annee}.", not o.close
            )
        etat = "close" if o.close else "en cours"
        return Resultat(
            decimal(total),
            f"{nombre(total)} {libelle} : total des {nombre(n)} réponses validées qui le renseignent (sur "
            f"{nombre(o.attendues)} attendues) à la campagne SENACS {o.annee} (données {o.annee_donnees}, "
            f"campagne {etat}).",
            provisoire=not o.close,
        )

    return calculer


def _structures_en_qpv(lecteur, date, parametres) -> Resultat:
    type_, mots, actives = expliquer_type(parametres)
    registre = lecteur.registre(date)
    n = registre.qpv_par_type.get(type_, 0) if type_ else sum(registre.qpv_par_type.values())
    return Resultat(
        Decimal(n),
        f"{nombre(n)} sur {nombre(registre.total(type_))} {mots} {actives} au {jour(date)} : implantation dans un "
        "QPV ou service d'un QPV (situation QPV du registre, ou QPV dans la zone de compétence).",
    )


CATALOGUE: dict[str, Definition] = {
    d.code: d
    for d in (
        Definition(
            "structures_actives", "Structures actives", "structures", "hausse", ("registre",),
            "Nombre de structures tenant un agrément accordé qui couvre la date (filtre facultatif par type).",
            _structures_actives, PARAMETRE_TYPE,
        ),
        Definition(
            "structures_pour_10000_habitants", "Structures pour 10 000 habitants", "pour 10 000 hab.", "hausse",
            ("registre", "territoires"),
            "Structures actives du département pour 10 000 habitants (population légale des communes).",
            _structures_pour_10000, PARAMETRE_TYPE,
        ),
        Definition(
            "part_population_couverte", "Part de la population couverte", "%", "hausse",
            ("registre", "territoires", "diagnostic"),
            "Population des communes couvertes (diagnostic territorial) rapportée à celle du département.",
            _part_population_couverte,
        ),
        Definition(
            "communes_sans_structure", "Communes sans structure", "communes", "baisse",
            ("registre", "territoires", "diagnostic"),
            "Communes sans structure active située ou compétente (diagnostic territorial).",
            _communes_sans_structure,
        ),
        Definition(
            "qpv_sans_structure", "QPV sans structure", "QPV", "baisse", ("registre", "territoires", "diagnostic"),
            "Quartiers prioritaires sans structure active implantée, proche ou compétente (diagnostic territorial).",
            _qpv_sans_structure,
        ),
        Definition(
            "part_cs_gestion_associative", "Part des centres sociaux à gestion associative", "%", "hausse",
            ("registre",),
            "Centres sociaux actifs dont le gestionnaire est associatif, rapportés à tous les centres sociaux actifs.",
            _part_cs_gestion_associative,
        ),
        Definition(
            "budget_cumule", "Budget cumulé des structures", "€", "hausse", ("registre", "budgets"),
            "Total des charges des budgets réalisés de la dernière année complète, structures actives au 31/12.",
            _budget_cumule, PARAMETRE_TYPE,
        ),
        Definition(
            "financement_caf", "Financement de la Caf", "€", "hausse", ("registre", "budgets"),
            "Prestations de service et fonds locaux de la Caf dans les budgets réalisés de la dernière année complète.",
            _financement_caf,
        ),
        Definition(
            "agrements_renouveles_a_temps", "Agréments renouvelés avant échéance", "%", "hausse", ("registre",),
            "Part des agréments arrivés à échéance depuis le 1er janvier qui ont été renouvelés sans interruption "
            "par une décision prise au plus tard à l'échéance.",
            _agrements_renouveles_a_temps,
        ),
        Definition(
            "taux_reponse_observatoire", "Taux de réponse à l'observatoire SENACS", "%", "hausse", ("observatoire",),
            "Réponses reçues sur réponses attendues à la campagne qui collecte les données de la dernière année "
            "complète (campagne N+1 pour les données N).",
            _taux_reponse_observatoire,
        ),
        Definition(
            "habitants_instances_gouvernance", "Habitants dans les instances de gouvernance", "habitants", "hausse",
            ("observatoire",),
            "Total des habitants membres des instances de gouvernance, réponses validées de la campagne N+1.",
            _total_observatoire("habitants_instances", "habitants dans les instances de gouvernance"),
        ),
        Definition(
            "benevoles", "Bénévoles", "bénévoles", "hausse", ("observatoire",),
            "Total des bénévoles d'activité et de gouvernance, réponses validées de la campagne N+1.",
            _total_observatoire("benevoles", "bénévoles d'activité et de gouvernance"),
        ),
        Definition(
            "structures_en_qpv", "Structures en QPV ou à leur service", "structures", "hausse", ("registre",),
            "Structures actives implantées dans un QPV ou à son service (situation QPV, ou QPV dans la zone de "
            "compétence).",
            _structures_en_qpv, PARAMETRE_TYPE,
        ),
    )
}  # fmt: skip


def definition(code: str) -> Definition | None:
    return CATALOGUE.get(code or "")


def calculer(code: str, lecteur: LecteurDonnees, date: datetime.date, parametres: dict | None = None) -> Resultat:
    """The value of definition `code` for the lecteur's département at `date` (KeyError for an unknown code)."""
    return CATALOGUE[code].calculer(lecteur, date, parametres or {})


# --- On track ---------------------------------------------------------------------------------------------------


def attendu(reference: tuple, cible: tuple, date: datetime.date) -> Decimal | None:
    """The value expected at `date` on the straight line from the baseline (valeur, date) to the target."""
    (v0, d0), (v1, d1) = reference, cible
    if None in (v0, d0, v1, d1) or d1 <= d0:
        return None
    part = Decimal(min(max((date - d0).days, 0), (d1 - d0).days)) / Decimal((d1 - d0).days)
    return Decimal(v0) + (Decimal(v1) - Decimal(v0)) * part


def en_bonne_voie(sens: str, reference: tuple | None, cible: tuple | None, derniere: tuple | None) -> bool | None:
    """Is the last value (valeur, date) at least where the straight line from baseline to target puts it at its
    date (at most, when lower is better)? None without baseline, target, or a value after the baseline."""
    if reference is None or cible is None or derniere is None:
        return None
    valeur, date = derniere[0], derniere[1]
    if valeur is None or date is None or reference[1] is None or date <= reference[1]:
        return None
    prevu = attendu(reference, cible, date)
    if prevu is None:
        return None
    return Decimal(valeur) <= prevu if sens == "baisse" else Decimal(valeur) >= prevu
