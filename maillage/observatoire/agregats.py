"""Aggregates of a campaign's answers (pure Python, no Django import).

Input: a list of `Ligne` — one per **validated** answer (the selectors only pass validated answers: drafts,
submitted or sent-back answers are not part of the results) — with the structure's grouping keys (département,
EPCI, commune, structure type) and the answer's values by question code.

For each numeric core indicator (see INDICATEURS) and each group: the number of structures that answered it,
the total, the mean and the median (the mean of the two middle values for an even count), and for the
"parts" the share of a group's total in the whole. Values that are missing or not numbers are left out
(a structure that did not answer a question does not count as 0).
"""

from dataclasses import dataclass, field
from functools import lru_cache
from statistics import median

# (key, French label, how to read it from an answer's values, unit)
# A reader is a question code, or "code.*.colonne" (sum of a table's column), or a tuple of codes (summed).
INDICATEURS: list[tuple[str, str, object, str]] = [
    ("personnes", "Personnes touchées", "pub_personnes", "nombre"),
    ("tranches_0_3", "dont 0 à 3 ans", "pub_tranches_age.0-3.personnes", "nombre"),
    ("tranches_4_10", "dont 4 à 10 ans", "pub_tranches_age.4-10.personnes", "nombre"),
    ("tranches_11_14", "dont 11 à 14 ans", "pub_tranches_age.11-14.personnes", "nombre"),
    ("tranches_15_17", "dont 15 à 17 ans", "pub_tranches_age.15-17.personnes", "nombre"),
    ("tranches_18_25", "dont 18 à 25 ans", "pub_tranches_age.18-25.personnes", "nombre"),
    ("tranches_26_59", "dont 26 à 59 ans", "pub_tranches_age.26-59.personnes", "nombre"),
    ("tranches_60", "dont 60 ans et plus", "pub_tranches_age.60+.personnes", "nombre"),
    ("adherents", "Adhérents", "pub_adherents", "nombre"),
    ("familles_adherentes", "Familles adhérentes", "pub_familles_adherentes", "nombre"),
    (
        "benevoles",
        "Bénévoles (activité et gouvernance)",
        ("gouv_benevoles_activite", "gouv_benevoles_gouvernance"),
        "nombre",
    ),
    ("benevoles_activite", "Bénévoles d'activité", "gouv_benevoles_activite", "nombre"),
    ("benevoles_gouvernance", "Bénévoles de gouvernance", "gouv_benevoles_gouvernance", "nombre"),
    ("membres_instance", "Membres de l'instance de gouvernance", "gouv_membres_instance", "nombre"),
    ("habitants_instances", "Habitants dans l'instance de gouvernance", "gouv_habitants_instance", "nombre"),
    ("associations_hebergees", "Associations hébergées", "gouv_associations_hebergees", "nombre"),
    ("salaries", "Salariés (personnes)", "pers_effectif", "nombre"),
    ("salaries_etp", "Salariés (ETP)", "pers_etp", "decimal"),
    ("budget", "Budget (total des charges)", "fin_charges_totales", "euros"),
    ("produits", "Total des produits", "fin_produits_totaux", "euros"),
    (
        "produit_caf",
        "Produits Caf",
        (
            "fin_produit_caf_ps_agc",
            "fin_produit_caf_ps_acf",
            "fin_produit_caf_ps_animation_locale",
            "fin_produit_caf_autres_ps",
            "fin_produit_caf_fonds_locaux",
        ),
        "euros",
    ),
    ("produit_communes", "Produits des communes", "fin_produit_communes", "euros"),
    ("produit_epci", "Produits de l'intercommunalité", "fin_produit_epci", "euros"),
    ("produit_departement", "Produits du département", "fin_produit_departement", "euros"),
    ("produit_etat", "Produits de l'État", "fin_produit_etat", "euros"),
    ("produit_usagers", "Participation des usagers", "fin_produit_usagers", "euros"),
    ("resultat", "Résultat de l'exercice", "fin_resultat", "euros"),
]
LIBELLES = {cle: libelle for cle, libelle, _, _ in INDICATEURS}
UNITES = {cle: unite for cle, _, _, unite in INDICATEURS}
# The funders whose shares of total income are shown ("parts des financeurs").
FINANCEURS = [
    "produit_caf",
    "produit_communes",
    "produit_epci",
    "produit_departement",
    "produit_etat",
    "produit_usagers",
]
DIMENSIONS = {"type": "Type de structure", "epci": "EPCI", "commune": "Commune", "departement": "Département"}


@dataclass
class Ligne:
    structure: int
    valeurs: dict
    departement: str = ""
    epci: str = ""
    commune: str = ""
    type: str = ""
    _nombres: dict | None = field(default=None, init=False, repr=False, compare=False)

    def nombres(self) -> dict[str, float | None]:
        """{indicator: number or None}, read once from `valeurs` (a synthesis groups the same lines four ways)."""
        if self._nombres is None:
            self._nombres = {cle: lire(self.valeurs) for cle, lire in _lecteurs()}
        return self._nombres


@dataclass
class Stat:
    n: int = 0
    total: float = 0
    moyenne: float | None = None
    mediane: float | None = None

    def as_dict(self):
        return {"n": self.n, "total": self.total, "moyenne": self.moyenne, "mediane": self.mediane}


@dataclass
class Groupe:
    cle: str
    structures: int
    indicateurs: dict[str, Stat] = field(default_factory=dict)
    parts: dict[str, float | None] = field(default_factory=dict)


def _numerique(valeur):
    if type(valeur) is int or type(valeur) is float:  # the common case first (a bool is not one of them)
        return valeur
    if isinstance(valeur, bool) or valeur is None:
        return None
    if isinstance(valeur, (int, float)):
        return valeur
    try:
        return float(str(valeur).replace(",", "."))
    except ValueError:
        return None


def _somme(termes) -> float | None:
    termes = [t for t in termes if t is not None]
    return sum(termes) if termes else None


@lru_cache(maxsize=256)
def _compiler(lecteur):
    """The reader as a function of an answer's values (the reader's text is parsed once, not at every answer)."""
    if isinstance(lecteur, tuple):
        lecteurs = [_compiler(code) for code in lecteur]
        return lambda valeurs: _somme(lire(valeurs) for lire in lecteurs)
    if "." not in lecteur:
        return lambda valeurs: _numerique(valeurs.get(lecteur))
    code, ligne, colonne = lecteur.split(".", 2)

    def lire_cellule(valeurs):
        tableau = valeurs.get(code)
        if not isinstance(tableau, dict):
            return None
        if ligne == "*":
            return _somme(_numerique(c.get(colonne)) for c in tableau.values() if isinstance(c, dict))
        cellule = tableau.get(ligne)
        return _numerique(cellule.get(colonne)) if isinstance(cellule, dict) else None

    return lire_cellule


def _lecteurs() -> list[tuple[str, object]]:
    return [(cle, _compiler(lecteur)) for cle, _, lecteur, _ in INDICATEURS]


def lire_valeur(valeurs: dict, lecteur) -> float | None:
    """A number from an answer's values; None when not answered (a sum needs at least one term answered)."""
    return _compiler(lecteur)(valeurs)


def _arrondi(x):
    if x is None:
        return None
    x = round(float(x), 2)
    return int(x) if x.is_integer() else x


def statistiques(nombres: list[float]) -> Stat:
    if not nombres:
        return Stat()
    total = sum(nombres)
    return Stat(
        n=len(nombres),
        total=_arrondi(total),
        moyenne=_arrondi(total / len(nombres)),
        mediane=_arrondi(median(nombres)),
    )


def _groupe(cle: str, lignes: list[Ligne]) -> Groupe:
    groupe = Groupe(cle=cle, structures=len(lignes))
    par_ligne = [ligne.nombres() for ligne in lignes]
    for indicateur, _, _, _ in INDICATEURS:
        nombres = [v for n in par_ligne if (v := n[indicateur]) is not None]
        groupe.indicateurs[indicateur] = statistiques(nombres)
    produits = groupe.indicateurs["produits"].total
    for financeur in FINANCEURS:
        stat = groupe.indicateurs[financeur]
        groupe.parts[financeur] = part(stat.total, produits) if stat.n else None
    return groupe


def part(valeur, total) -> float | None:
    """valeur / total, rounded to 4 decimals; None when the total is 0 or unknown."""
    if not total or valeur is None:
        return None
    return round(valeur / total, 4)


def agreger(lignes: list[Ligne]) -> Groupe:
    """Aggregates over all the lines."""
    return _groupe("ensemble", lignes)


def groupe_vide(cle: str) -> Groupe:
    """A group without any validated answer: every indicator present, counted 0, with no mean nor median."""
    return _groupe(cle, [])


def agreger_par(lignes: list[Ligne], dimension: str) -> list[Groupe]:
    """Aggregates by group (dimension: type, epci, commune or departement), sorted by key; each group's
    `parts["structures"]` is its share of the structures."""
    if dimension not in DIMENSIONS:
        raise ValueError(f"Dimension inconnue : {dimension}")
    groupes: dict[str, list[Ligne]] = {}
    for ligne in lignes:
        groupes.setdefault(getattr(ligne, dimension) or "", []).append(ligne)
    resultat = []
    for cle in sorted(groupes):
        groupe = _groupe(cle, groupes[cle])
        groupe.parts["structures"] = part(len(groupes[cle]), len(lignes))
        resultat.append(groupe)
    return resultat


def agreger_par_affectation(
    lignes: list[Ligne], affectation: dict[str, list[str]], *, tous: list[str] = ()
) -> tuple[list[Groupe], Groupe | None]:
    """Aggregates by périmètre of a territorial cut: `affectation` maps a commune to the keys of the périmètres it
    lies in (several for an overlapping cut: its structures then count in each). Groups follow the order of `tous`
    (every périmètre, even without an answer), then the other keys met, sorted; the second value gathers the lines
    whose commune lies in no périmètre ("hors périmètre"), None when there is none. `parts["structures"]` is a
    group's share of all the lines."""
    par_cle: dict[str, list[Ligne]] = {cle: [] for cle in tous}
    hors: list[Ligne] = []
    for ligne in lignes:
        cles = affectation.get(ligne.commune) or []
        if not cles:
            hors.append(ligne)
        for cle in dict.fromkeys(cles):
            par_cle.setdefault(cle, []).append(ligne)
    ordre = list(dict.fromkeys([*tous, *sorted(k for k in par_cle if k not in set(tous))]))
    groupes = []
    for cle in ordre:
        groupe = _groupe(cle, par_cle[cle])
        groupe.parts["structures"] = part(len(par_cle[cle]), len(lignes))
        groupes.append(groupe)
    groupe_hors = None
    if hors:
        groupe_hors = _groupe("", hors)
        groupe_hors.parts["structures"] = part(len(hors), len(lignes))
    return groupes, groupe_hors


def evolution(actuel, precedent) -> float | None:
    """Relative change from N-1 (0.1 = +10 %); None without a non-zero previous value."""
    if actuel is None or not precedent:
        return None
    return round((actuel - precedent) / precedent, 4)


def comparer(actuel: Groupe, precedent: Groupe | None) -> dict[str, dict]:
    """N-1 comparison of totals and medians per indicator."""
    comparaison = {}
    for indicateur in LIBELLES:
        a = actuel.indicateurs[indicateur]
        p = precedent.indicateurs[indicateur] if precedent else Stat()
        comparaison[indicateur] = {
            "total": a.total if a.n else None,
            "total_n1": p.total if p.n else None,
            "evolution_total": evolution(a.total if a.n else None, p.total if p.n else None),
            "mediane": a.mediane,
            "mediane_n1": p.mediane,
        }
    return comparaison


def taux(numerateur: int, denominateur: int) -> float | None:
    return round(numerateur / denominateur, 4) if denominateur else None
