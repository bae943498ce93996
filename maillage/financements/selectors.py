"""Reads of budgets, the PS barème and the consolidations by territory, type, management mode and funder.

Consolidations run a small constant number of SQL queries whatever the number of structures: counts and
sums are grouped in the database, never computed row by row.
"""

import datetime
from dataclasses import dataclass, field
from decimal import Decimal

from django.db.models import Count, DecimalField, Exists, Max, OuterRef, Q, Subquery, Sum, Value
from django.db.models.functions import Coalesce

from maillage.core import horloge
from maillage.structures.models import Agrement, Gestionnaire, ModeGestion, Structure, TypeStructure
from maillage.structures.selectors import STATUTS_ACTIFS, agrements_couvrant, structures_actives
from maillage.territoires import perimetres as perimetres_mod
from maillage.territoires.models import EPCI, Appartenance, Commune, Departement, Regroupement
from maillage.territoires.selectors import version_des_donnees

from . import moteur_ps
from .models import BaremePS, Budget, Financeur, LigneProduit, TypePS

ZERO = Decimal(0)
DUREE_CACHE = 24 * 60 * 60
MONTANT = DecimalField(max_digits=14, decimal_places=2)
# Financeurs that make up the Caf's funding of a structure.
FINANCEURS_CAF = (Financeur.CAF_PS, Financeur.CAF_FONDS_LOCAUX)


# --- Barème ------------------------------------------------------------------------------------


def types_ps_de_l_annee(annee: int, *, type_structure: str | None = None):
    """PS types that exist in `annee` (the set changes over time: AGC and ACF merge in 2027-2030)."""
    types = TypePS.objects.filter(
        Q(derniere_annee__isnull=True) | Q(derniere_annee__gte=annee), premiere_annee__lte=annee
    )
    if type_structure is not None:
        types = types.filter(type_structure=type_structure)
    return types.order_by("ordre", "code")


def bareme_par_annee():
    """{année: [BaremePS…]} newest year first, for the pilot's page (one query)."""
    annees: dict[int, list[BaremePS]] = {}
    for ligne in BaremePS.objects.select_related("type_ps").order_by("-annee", "type_ps__ordre", "type_ps__code"):
        annees.setdefault(ligne.annee, []).append(ligne)
    return annees


def _bareme_moteur(ligne: BaremePS) -> moteur_ps.Bareme:
    return moteur_ps.Bareme(
        type_ps=ligne.type_ps_id,
        libelle=ligne.type_ps.libelle,
        base=ligne.type_ps.base,
        taux=ligne.taux,
        prix_plafond=ligne.prix_plafond,
        source=ligne.source,
        illustratif=ligne.illustratif,
    )


# --- One budget and its PS ---------------------------------------------------------------------


def budgets_de_la_structure(structure: Structure) -> list[dict]:
    """Per year, newest first: {"annee", "previsionnel": Budget|None, "realise": Budget|None}, each budget
    with its `total_produits` and `total_caf` (one query)."""
    budgets = structure.budgets.annotate(
        total_produits=Coalesce(Sum("produits__montant"), Value(ZERO), output_field=MONTANT),
        total_caf=Coalesce(
            Sum("produits__montant", filter=Q(produits__financeur__in=FINANCEURS_CAF)),
            Value(ZERO),
            output_field=MONTANT,
        ),
    ).order_by("-annee")
    annees: dict[int, dict] = {}
    for budget in budgets:
        annees.setdefault(budget.annee, {"annee": budget.annee, "previsionnel": None, "realise": None})
        annees[budget.annee][budget.nature] = budget
    return list(annees.values())


def budget_ou_none(structure: Structure, annee: int, nature: str) -> Budget | None:
    return (
        Budget.objects.filter(structure=structure, annee=annee, nature=nature)
        .prefetch_related("produits__type_ps")
        .first()
    )


def agrements_de_l_annee(structure: Structure, annee: int) -> list[Agrement]:
    """Agréments accordés (or since expired) of the structure that cover at least one day of `annee`."""
    return list(
        structure.agrements.filter(
            statut__in=STATUTS_ACTIFS, debut__lte=datetime.date(annee, 12, 31), fin__gte=datetime.date(annee, 1, 1)
        ).order_by("type", "debut")
    )


def proratas(annee: int, types_ps, agrements) -> dict[str, Decimal]:
    """For each PS type, the share of the days of `annee` covered by an agrément of the type it requires."""
    return {
        type_ps.code: moteur_ps.prorata_annee(
            annee, [(a.debut, a.fin) for a in agrements if a.type == type_ps.agrement_requis]
        )
        for type_ps in types_ps
    }


@dataclass
class CalculPS:
    resultat: moteur_ps.ResultatPS
    proratas: dict[str, Decimal]
    agrements: list
    sans_bareme: list[TypePS] = field(default_factory=list)


def calcul_ps(*, structure: Structure, annee: int, charges: moteur_ps.Charges, enregistres: dict[str, Decimal]):
    """The PS the engine computes for the structure and year: barème of the year, proratas from the agréments.

    A PS type whose agrément does not cover the year (prorata 0) gives no right; a recorded amount for it
    shows as a gap. A type without a barème row for the year is listed in `sans_bareme`."""
    types = list(types_ps_de_l_annee(annee, type_structure=structure.type))
    agrements = agrements_de_l_annee(structure, annee)
    parts = proratas(annee, types, agrements)
    baremes = {b.type_ps_id: b for b in BaremePS.objects.select_related("type_ps").filter(annee=annee)}
    applicables, sans_bareme = [], []
    for type_ps in types:
        if parts[type_ps.code] == 0:
            continue
        if type_ps.code not in baremes:
            sans_bareme.append(type_ps)
            continue
        applicables.append(_bareme_moteur(baremes[type_ps.code]))
    resultat = moteur_ps.calculer_ps(
        charges=charges, baremes=applicables, proratas=parts, enregistres=dict(enregistres)
    )
    libelles = {t.code: t.libelle for t in TypePS.objects.all()} if resultat.lignes else {}
    for ligne in resultat.lignes:
        ligne.libelle = libelles.get(ligne.type_ps, ligne.libelle)
    return CalculPS(resultat=resultat, proratas=parts, agrements=agrements, sans_bareme=sans_bareme)


def charges_du_budget(budget: Budget) -> moteur_ps.Charges:
    return moteur_ps.Charges(
        totales=budget.charges_totales,
        pilotage=budget.charges_pilotage,
        logistique=budget.charges_logistique,
        referent_familles=budget.charges_referent_familles,
    )


def ps_enregistrees(budget: Budget) -> dict[str, Decimal]:
    return {p.type_ps_id: p.montant for p in budget.produits.all() if p.financeur == Financeur.CAF_PS}


# --- Consolidations ----------------------------------------------------------------------------


def version_financements() -> str:
    """Changes whenever a consolidation's input may have changed: structures, agréments, gestionnaires, budgets
    and their lines, the barème, territory names and cuts (EPCI, EPT, groupings: the dashboard filters and
    aggregates by them) — audited edits; imports and loads through the journal of loads."""
    return version_des_donnees(
        Structure,
        Agrement,
        Gestionnaire,
        Budget,
        LigneProduit,
        TypePS,
        BaremePS,
        Departement,
        Commune,
        EPCI,
        Regroupement,
        Appartenance,
    )


@dataclass
class Consolidation:
    annee: int
    date_reference: datetime.date
    structures_par_type: dict[str, int]
    cs_par_mode: dict[str, int]
    evs_par_mode: dict[str, int]
    budget_par_type: dict[str, Decimal]
    budgets_renseignes: dict[str, int]
    produits_par_financeur: dict[str, Decimal]
    produits_par_type_et_financeur: dict[str, dict[str, Decimal]]
    ps_par_type: dict[str, Decimal]

    @property
    def total_structures(self) -> int:
        return sum(self.structures_par_type.values())

    @property
    def centres_sociaux(self) -> int:
        return self.structures_par_type.get(TypeStructure.CENTRE_SOCIAL, 0)

    @property
    def evs(self) -> int:
        return self.structures_par_type.get(TypeStructure.EVS, 0)

    @property
    def cs_associatifs(self) -> int:
        return self.cs_par_mode.get(ModeGestion.ASSOCIATIVE, 0)

    @property
    def part_cs_associatifs(self) -> float | None:
        return self.cs_associatifs / self.centres_sociaux if self.centres_sociaux else None

    @property
    def total_budgets_renseignes(self) -> int:
        return sum(self.budgets_renseignes.values())

    @property
    def budgets_cs_renseignes(self) -> int:
        return self.budgets_renseignes.get(TypeStructure.CENTRE_SOCIAL, 0)

    @property
    def budgets_evs_renseignes(self) -> int:
        return self.budgets_renseignes.get(TypeStructure.EVS, 0)

    @property
    def budget_total(self) -> Decimal:
        return sum(self.budget_par_type.values(), ZERO)

    @property
    def budget_cs(self) -> Decimal:
        return self.budget_par_type.get(TypeStructure.CENTRE_SOCIAL, ZERO)

    @property
    def budget_evs(self) -> Decimal:
        return self.budget_par_type.get(TypeStructure.EVS, ZERO)

    @property
    def prestations_service(self) -> Decimal:
        return self.produits_par_financeur.get(Financeur.CAF_PS, ZERO)

    @property
    def fonds_locaux(self) -> Decimal:
        return self.produits_par_financeur.get(Financeur.CAF_FONDS_LOCAUX, ZERO)

    @property
    def financement_caf(self) -> Decimal:
        return self.prestations_service + self.fonds_locaux

    @property
    def total_produits(self) -> Decimal:
        return sum(self.produits_par_financeur.values(), ZERO)

    def modes(self, type_structure: str) -> list[tuple[str, str, int]]:
        """[(code, libellé, nombre)] of the management modes, in SENACS order, zeros included."""
        source = self.cs_par_mode if type_structure == TypeStructure.CENTRE_SOCIAL else self.evs_par_mode
        return [(code, libelle, source.get(code, 0)) for code, libelle in ModeGestion.choices]

    def financeurs(self) -> list[tuple[str, str, Decimal, Decimal, Decimal]]:
        """[(code, libellé, total, centres sociaux, EVS)] of every funder, in the Financeur order."""
        cs = self.produits_par_type_et_financeur.get(TypeStructure.CENTRE_SOCIAL, {})
        evs = self.produits_par_type_et_financeur.get(TypeStructure.EVS, {})
        return [
            (code, libelle, self.produits_par_financeur.get(code, ZERO), cs.get(code, ZERO), evs.get(code, ZERO))
            for code, libelle in Financeur.choices
        ]


def structures_du_territoire(
    annee: int,
    *,
    departement: str | None = None,
    epci: str | None = None,
    commune: str | None = None,
    communes: set[str] | None = None,
):
    """Structures active on 31 December of `annee` in the territory (the registry's definition of active);
    `communes` restricts to a set of commune codes (a périmètre's, `territoires.perimetres`)."""
    structures = structures_actives(datetime.date(annee, 12, 31), departement=departement)
    if epci is not None:
        structures = structures.filter(commune__epci_id=epci)
    if commune is not None:
        structures = structures.filter(commune_id=commune)
    if communes is not None:
        structures = structures.filter(commune_id__in=sorted(communes))
    return structures


def _actives_du_territoire(chemin: str, annee: int, *, departement=None, epci=None, commune=None, communes=None) -> Q:
    """The same filter as `structures_du_territoire`, seen from a row that points to a structure by `chemin`
    ("structure", "budget__structure"): written as a correlated EXISTS beside plain territory filters, which
    PostgreSQL plans from the territory's index (an IN over the active structures made it scan every row)."""
    q = Q(Exists(agrements_couvrant(datetime.date(annee, 12, 31)).filter(structure=OuterRef(chemin))))
    if departement is not None:
        q &= Q(**{f"{chemin}__departement_id": departement})
    if epci is not None:
        q &= Q(**{f"{chemin}__commune__epci_id": epci})
    if commune is not None:
        q &= Q(**{f"{chemin}__commune_id": commune})
    if communes is not None:
        q &= Q(**{f"{chemin}__commune_id__in": sorted(communes)})
    return q


def consolidation(
    *,
    annee: int,
    departement: str | None = None,
    epci: str | None = None,
    commune: str | None = None,
    communes: set[str] | None = None,
) -> Consolidation:
    """Figures of a territory for a year: structures active on 31 December, their budgets réalisés of the
    year and their produits by funder. Three SQL queries, whatever the number of structures. `communes` (a set of
    commune codes: a périmètre's) restricts every figure."""
    structures = structures_du_territoire(annee, departement=departement, epci=epci, commune=commune, communes=communes)
    par_type: dict[str, int] = {}
    modes: dict[str, dict[str, int]] = {TypeStructure.CENTRE_SOCIAL: {}, TypeStructure.EVS: {}}
    for ligne in structures.order_by().values("type", "gestionnaire__mode_gestion").annotate(nombre=Count("pk")):
        par_type[ligne["type"]] = par_type.get(ligne["type"], 0) + ligne["nombre"]
        modes.setdefault(ligne["type"], {})[ligne["gestionnaire__mode_gestion"]] = ligne["nombre"]

    territoire = {"departement": departement, "epci": epci, "commune": commune, "communes": communes}
    budgets = Budget.objects.filter(
        _actives_du_territoire("structure", annee, **territoire), annee=annee, nature=Budget.Nature.REALISE
    )
    budget_par_type, renseignes = {}, {}
    for ligne in (
        budgets.order_by().values("structure__type").annotate(total=Sum("charges_totales"), nombre=Count("pk"))
    ):
        budget_par_type[ligne["structure__type"]] = ligne["total"] or ZERO
        renseignes[ligne["structure__type"]] = ligne["nombre"]

    produits = LigneProduit.objects.filter(
        _actives_du_territoire("budget__structure", annee, **territoire),
        budget__annee=annee,
        budget__nature=Budget.Nature.REALISE,
    )
    par_financeur: dict[str, Decimal] = {}
    par_type_financeur: dict[str, dict[str, Decimal]] = {}
    ps_par_type: dict[str, Decimal] = {}
    for ligne in (
        produits.order_by().values("budget__structure__type", "financeur", "type_ps_id").annotate(total=Sum("montant"))
    ):
        montant = ligne["total"] or ZERO
        financeur, type_structure = ligne["financeur"], ligne["budget__structure__type"]
        par_financeur[financeur] = par_financeur.get(financeur, ZERO) + montant
        du_type = par_type_financeur.setdefault(type_structure, {})
        du_type[financeur] = du_type.get(financeur, ZERO) + montant
        if ligne["type_ps_id"]:
            ps_par_type[ligne["type_ps_id"]] = ps_par_type.get(ligne["type_ps_id"], ZERO) + montant
    return Consolidation(
        annee=annee,
        date_reference=datetime.date(annee, 12, 31),
        structures_par_type=par_type,
        cs_par_mode=modes[TypeStructure.CENTRE_SOCIAL],
        evs_par_mode=modes[TypeStructure.EVS],
        budget_par_type=budget_par_type,
        budgets_renseignes=renseignes,
        produits_par_financeur=par_financeur,
        produits_par_type_et_financeur=par_type_financeur,
        ps_par_type=ps_par_type,
    )


def structures_avec_finances(annee: int, *, departement: str, communes: set[str] | None = None):
    """The dashboard's per-structure table (private): active structures with their budget réalisé, PS and
    Caf funding of the year, in one query (subqueries, no per-row query)."""
    budgets = Budget.objects.filter(structure=OuterRef("pk"), annee=annee, nature=Budget.Nature.REALISE)
    lignes = LigneProduit.objects.filter(
        budget__structure=OuterRef("pk"), budget__annee=annee, budget__nature=Budget.Nature.REALISE
    ).order_by()

    def somme(filtre: Q):
        return Subquery(
            lignes.filter(filtre).values("budget__structure").annotate(s=Sum("montant")).values("s")[:1],
            output_field=MONTANT,
        )

    return (
        structures_du_territoire(annee, departement=departement, communes=communes)
        .select_related("commune", "gestionnaire")
        .only("pk", "nom", "type", "commune__nom", "commune__code", "gestionnaire__mode_gestion")
        .annotate(
            budget_realise=Subquery(budgets.values("charges_totales")[:1], output_field=MONTANT),
            ps=somme(Q(financeur=Financeur.CAF_PS)),
            fonds_locaux=somme(Q(financeur=Financeur.CAF_FONDS_LOCAUX)),
        )
        .order_by("type", "nom")
    )


# --- By périmètre of a cut (EPCI, EPT, a Caf's groupings) --------------------------------------------


def date_decoupage(annee: int) -> datetime.date:
    """The day whose territorial cuts (EPCI, EPT, groupings) a year's figures are filtered and aggregated by: 1 January
    of the next year, INSEE's convention for a situation at 31 December (the EPT, created on 1 January 2016, then
    frame the 2015 figures that the first schémas of the Métropole were built on)."""
    return datetime.date(annee + 1, 1, 1)


# The figures of the "par territoire" table, per commune then per périmètre.
FIGURES_TERRITOIRE = ("centres_sociaux", "evs", "budgets", "budget", "financement_caf", "autres_financeurs")


def figures_par_commune(annee: int, *, departement: str, communes: set[str] | None = None) -> dict[str, dict]:
    """commune code → {centres_sociaux, evs (active on 31/12), budgets (budgets réalisés recorded), budget (their
    charges), financement_caf (PS + fonds locaux), autres_financeurs}: one grouped query per figure (three), whatever
    the number of structures or périmètres."""
    figures: dict[str, dict] = {}

    def de(commune: str) -> dict:
        return figures.setdefault(commune, dict.fromkeys(FIGURES_TERRITOIRE, 0))

    structures = structures_du_territoire(annee, departement=departement, communes=communes)
    for ligne in structures.order_by().values("commune_id", "type").annotate(nombre=Count("pk")):
        cle = "centres_sociaux" if ligne["type"] == TypeStructure.CENTRE_SOCIAL else "evs"
        de(ligne["commune_id"])[cle] += ligne["nombre"]
    territoire = {"departement": departement, "communes": communes}
    budgets = Budget.objects.filter(
        _actives_du_territoire("structure", annee, **territoire), annee=annee, nature=Budget.Nature.REALISE
    )
    for ligne in (
        budgets.order_by().values("structure__commune_id").annotate(total=Sum("charges_totales"), nombre=Count("pk"))
    ):
        figures_commune = de(ligne["structure__commune_id"])
        figures_commune["budget"] = ligne["total"] or ZERO
        figures_commune["budgets"] = ligne["nombre"]
    produits = LigneProduit.objects.filter(
        _actives_du_territoire("budget__structure", annee, **territoire),
        budget__annee=annee,
        budget__nature=Budget.Nature.REALISE,
    )
    caf = Q(financeur__in=FINANCEURS_CAF)
    for ligne in (
        produits.order_by()
        .values("budget__structure__commune_id")
        .annotate(caf=Sum("montant", filter=caf), autres=Sum("montant", filter=~caf))
    ):
        figures_commune = de(ligne["budget__structure__commune_id"])
        figures_commune["financement_caf"] = ligne["caf"] or ZERO
        figures_commune["autres_financeurs"] = ligne["autres"] or ZERO
    return figures


# Money summed over fewer budgets than this is one structure's finances: shown only to those who may see those.
SEUIL_SECRET = 2


def montants_secrets(budgets: int) -> bool:
    """Whether the money of a territory holding `budgets` budgets réalisés is one structure's (not public)."""
    return 0 < budgets < SEUIL_SECRET


def lignes_secretes(budgets: list[int]) -> list[bool]:
    """Which rows of a table whose total is public keep their money to themselves: those of a single structure, and,
    when only one row is, the other row with the fewest budgets too (else the total minus the rest gives it away)."""
    masques = [montants_secrets(n) for n in budgets]
    if sum(masques) == 1:
        autres = [(n, i) for i, n in enumerate(budgets) if not masques[i] and n > 0]
        if autres:
            masques[min(autres)[1]] = True
    return masques


@dataclass
class TableauTerritoires:
    decoupage: perimetres_mod.Decoupage
    lignes: list[tuple[perimetres_mod.Perimetre, dict]]
    hors: dict  # communes outside every périmètre of the cut ({} when none)
    total: dict  # the whole territory (each commune once, even for an overlapping cut)


def par_territoire(
    annee: int,
    *,
    departement: str,
    decoupage: perimetres_mod.Decoupage,
    tous: list[perimetres_mod.Perimetre] | None = None,
    communes: set[str] | None = None,
) -> TableauTerritoires:
    """The figures of `figures_par_commune` summed per périmètre of the cut `decoupage` (`date_decoupage`) (four
    queries: three grouped figures and the communes' périmètres). `tous`: the cut's périmètres to list even
    without figures; `communes` restricts to a territory (a périmètre chosen as filter): only the périmètres
    meeting it are listed."""
    date = date_decoupage(annee)
    figures = figures_par_commune(annee, departement=departement, communes=communes)
    affectation = perimetres_mod.affectations(departement, decoupage.cle, date=date, communes=communes)
    if communes is not None:
        tous = {p for liste in affectation.values() for p in liste}
    lignes, hors = perimetres_mod.grouper(figures, affectation, tous=tous or ())
    vide = dict.fromkeys(FIGURES_TERRITOIRE, 0)
    total = dict(vide)
    for valeurs in figures.values():
        for nom, valeur in valeurs.items():
            total[nom] += valeur
    return TableauTerritoires(
        decoupage=decoupage,
        lignes=[(p, {**vide, **valeurs}) for p, valeurs in lignes],
        hors={**vide, **hors} if hors else {},
        total=total,
    )


def annee_par_defaut(departement: str) -> int:
    """The latest year with budgets réalisés in the département, else last year."""
    annee = Budget.objects.filter(structure__departement_id=departement, nature=Budget.Nature.REALISE).aggregate(
        m=Max("annee")
    )["m"]
    return annee or horloge.aujourdhui().year - 1


def annees_disponibles(departement: str) -> list[int]:
    """Years with budgets réalisés in the département, newest first (for the year selector)."""
    return list(
        Budget.objects.filter(structure__departement_id=departement, nature=Budget.Nature.REALISE)
        .order_by("-annee")
        .values_list("annee", flat=True)
        .distinct()
    )


def type_nom_departement(departement) -> str | None:
    """INSEE's "type de nom" (TNCC) of a département, stored by charger_territoires (it gives the article: "du",
    "de la"…); None when unknown, and the sentence then uses a neutral form."""
    return departement.type_nom or None
