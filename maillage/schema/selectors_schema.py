"""Reads of the schéma and fiche pages: the diagnostic figures of a département at a date (frozen at adoption,
shown beside today's), a schéma with its lists, a fiche with everything about it, the tree filtered for display,
and the choices of the edit forms (organisations, accounts, territories, structures of the département)."""

import datetime
from dataclasses import dataclass, field
from decimal import Decimal
from typing import NamedTuple

from django.db.models import Count, Exists, Max, OuterRef, Prefetch, Q, QuerySet

from maillage.comptes.models import Organisation, Utilisateur
from maillage.core.roles import Role
from maillage.diagnostic import selectors as selectors_diagnostic
from maillage.financements import selectors as selectors_financements
from maillage.financements.models import Budget
from maillage.structures.models import ModeGestion, Structure, TypeStructure
from maillage.structures.selectors import structures_actives
from maillage.territoires import perimetres
from maillage.territoires.models import EPCI, QPV, Appartenance, Commune, Regroupement

from .models import Axe, CommentaireAction, FicheAction, Indicateur, Jalon, Orientation, Schema, TransitionSchema
from .selectors import Arbre, NoeudAxe, NoeudOrientation

# --- Diagnostic figures at a date ---------------------------------------------------------------------------------

# (key, French label, format): the order of the page and the PDF. Formats: "nombre", "decimal", "pourcentage"
# (share 0-1), "euros". Labels starting with « dont » are parts of the row above.
CHIFFRES = (
    ("structures", "Structures actives (centres sociaux et EVS)", "nombre"),
    ("centres_sociaux", "dont centres sociaux", "nombre"),
    ("evs", "dont espaces de vie sociale", "nombre"),
    ("part_cs_associatifs", "Part des centres sociaux à gestion associative", "pourcentage"),
    ("population", "Population du département", "nombre"),
    ("part_population_couverte", "Part de la population couverte", "pourcentage"),
    ("structures_pour_10000_habitants", "Structures pour 10 000 habitants", "decimal"),
    ("communes_sans_structure", "Communes sans structure", "nombre"),
    ("qpv_sans_structure", "Quartiers prioritaires (QPV) sans structure", "nombre"),
    ("budget_total", "Budget cumulé des structures (réalisé)", "euros"),
    ("budget_evs", "dont espaces de vie sociale", "euros"),
    ("financement_caf", "Financement de la Caf (prestations de service et fonds locaux)", "euros"),
)


def _nombre_json(valeur):
    """JSON-safe: Decimal → float rounded to the cent; None stays None."""
    if valeur is None:
        return None
    if isinstance(valeur, Decimal):
        return float(round(valeur, 2))
    return valeur


def annee_budgets_avant(departement: str, date: datetime.date) -> int:
    """The latest closed year before `date` with budgets réalisés in the département (else the year before)."""
    annee = Budget.objects.filter(
        structure__departement_id=departement, nature=Budget.Nature.REALISE, annee__lt=date.year
    ).aggregate(m=Max("annee"))["m"]
    return annee or date.year - 1


def chiffres_diagnostic(departement: str, date: datetime.date, *, annee_budgets: int | None = None) -> dict:
    """The key figures of the registry, the diagnostic and the budgets of `departement` at `date`:
    {"date": ISO, "annee_budgets": int, "chiffres": {key of CHIFFRES: number or None}}.

    Structures are those active at the date (an agrément covers it); coverage is the diagnostic's at the date;
    money is the budgets réalisés of `annee_budgets` (default: the latest closed year before the date). Read
    through the registry's, the diagnostic's and the budgets' own selectors: the same figures as their pages.
    What a schéma freezes at its adoption, and what its page and documents show beside it today."""
    par_type: dict[str, int] = {}
    cs_associatifs = 0
    lignes = (
        structures_actives(date, departement=departement)
        .order_by()
        .values("type", "gestionnaire__mode_gestion")
        .annotate(n=Count("pk"))
    )
    for ligne in lignes:
        par_type[ligne["type"]] = par_type.get(ligne["type"], 0) + ligne["n"]
        if (
            ligne["type"] == TypeStructure.CENTRE_SOCIAL
            and ligne["gestionnaire__mode_gestion"] == ModeGestion.ASSOCIATIVE
        ):
            cs_associatifs += ligne["n"]
    total = sum(par_type.values())
    cs = par_type.get(TypeStructure.CENTRE_SOCIAL, 0)
    synthese = selectors_diagnostic.diagnostic_departement(departement, date).synthese
    annee = annee_budgets or annee_budgets_avant(departement, date)
    c = selectors_financements.consolidation(annee=annee, departement=departement)
    chiffres = {
        "structures": total,
        "centres_sociaux": cs,
        "evs": par_type.get(TypeStructure.EVS, 0),
        "part_cs_associatifs": round(cs_associatifs / cs, 4) if cs else None,
        "population": synthese.population,
        "part_population_couverte": (
            round(synthese.part_population_couverte, 4) if synthese.part_population_couverte is not None else None
        ),
        "structures_pour_10000_habitants": round(total * 10_000 / synthese.population, 2)
        if synthese.population
        else None,
        "communes_sans_structure": synthese.communes_sans_structure,
        "qpv_sans_structure": synthese.qpv_sans_structure,
        "budget_total": _nombre_json(c.budget_total),
        "budget_evs": _nombre_json(c.budget_evs),
        "financement_caf": _nombre_json(c.financement_caf),
    }
    return {"date": date.isoformat(), "annee_budgets": annee, "chiffres": chiffres}


@dataclass
class LigneChiffre:
    cle: str
    libelle: str
    format: str
    fige: object
    actuel: object


def lignes_chiffres(fige: dict, actuel: dict | None) -> list[LigneChiffre]:
    """The rows of the figures table: frozen value beside today's (None when unknown)."""
    figes = (fige or {}).get("chiffres") or {}
    actuels = (actuel or {}).get("chiffres") or {}
    return [LigneChiffre(cle, libelle, fmt, figes.get(cle), actuels.get(cle)) for cle, libelle, fmt in CHIFFRES]


# --- A schéma and its lists ---------------------------------------------------------------------------------------


def schema_seul(pk) -> Schema:
    """The schéma with its département and previous schéma (one query): enough to check a rule."""
    return Schema.objects.select_related("departement", "precedent").get(pk=pk)


def schema_detaille(pk) -> Schema:
    """The schéma with its département, signatories, dated transitions, enjeux and directions (5 queries)."""
    return (
        Schema.objects.select_related("departement", "precedent")
        .prefetch_related(
            Prefetch("signataires", queryset=Organisation.objects.order_by("nom")),
            Prefetch("transitions", queryset=TransitionSchema.objects.select_related("par").order_by("date", "pk")),
            "enjeux",
            "directions",
        )
        .get(pk=pk)
    )


def axes_du_schema(schema: Schema) -> QuerySet[Axe]:
    return Axe.objects.filter(schema=schema).order_by("numero", "pk")


def orientations_avec_nombre_de_fiches(schema: Schema) -> QuerySet[Orientation]:
    return (
        Orientation.objects.filter(axe__schema=schema).annotate(nombre_fiches=Count("fiches")).order_by("numero", "pk")
    )


def organisations_pilotes(arbre: Arbre) -> list[Organisation]:
    """The pilot organisations of the tree's fiches, by name (no query: read from the tree)."""
    vues = {n.fiche.pilote_id: n.fiche.pilote for n in arbre.fiches if n.fiche.pilote_id}
    return sorted(vues.values(), key=lambda o: o.nom.casefold())


class Pilote(NamedTuple):
    """A pilot organisation as the tree's filter lists it (what the page keeps in cache)."""

    pk: int
    nom: str


@dataclass(frozen=True)
class ResumeArbre:
    """What the schéma's page shows of its whole tree besides the listed fiches: kept in cache with its rendering
    (by data version and day), so that a visit does not read the tree again."""

    avancement: float | None
    regle: str
    jour: datetime.date
    par_statut: dict[str, int]
    nombre_fiches: int
    fiches_en_retard: int
    pilotes: tuple[Pilote, ...]


def resume_arbre(arbre: Arbre) -> ResumeArbre:
    return ResumeArbre(
        avancement=arbre.avancement,
        regle=arbre.regle,
        jour=arbre.jour,
        par_statut=arbre.par_statut(),
        nombre_fiches=len(arbre.fiches),
        fiches_en_retard=sum(1 for n in arbre.fiches if n.jalons_en_retard),
        pilotes=tuple(Pilote(o.pk, o.nom) for o in organisations_pilotes(arbre)),
    )


@dataclass
class ArbreFiltre:
    """The tree as shown: axes and orientations keep their overall progress, only matching fiches are listed."""

    axes: list[NoeudAxe] = field(default_factory=list)
    nombre: int = 0


def filtrer_arbre(
    arbre: Arbre,
    *,
    statut: str = "",
    pilote: int | None = None,
    retard: bool = False,
    fiches: set[int] | None = None,
) -> ArbreFiltre:
    """The tree with only the fiches that meet the criteria (`fiches`: their primary keys, from a territory)."""
    retenues = fiches
    filtre = ArbreFiltre()
    for axe in arbre.axes:
        noeud_axe = NoeudAxe(axe.axe, avancement=axe.avancement)
        for orientation in axe.orientations:
            fiches = [
                n
                for n in orientation.fiches
                if (not statut or n.fiche.statut == statut)
                and (pilote is None or n.fiche.pilote_id == pilote)
                and (not retard or n.jalons_en_retard)
                and (retenues is None or n.fiche.pk in retenues)
            ]
            noeud_axe.orientations.append(NoeudOrientation(orientation.orientation, fiches, orientation.avancement))
            filtre.nombre += len(fiches)
        filtre.axes.append(noeud_axe)
    return filtre


def fiches_du_perimetre(schema: Schema, perimetre: perimetres.Perimetre, *, date: datetime.date) -> set[int]:
    """Primary keys of the schéma's fiches about a territory of `perimetre` at `date`: a fiche names it, or one of
    its territories lies in it (a commune, a QPV's commune, an EPCI or a grouping whose communes of the département
    all belong to it). Six queries at most, whatever the number of fiches."""
    code = schema.departement_id
    communes = perimetres.communes_du_perimetre(code, perimetre, date=date)
    fiches = FicheAction.objects.filter(schema=schema)
    nomme = Q(epci=perimetre.code) if perimetre.decoupage == perimetres.EPCI_CLE else Q(regroupements=perimetre.pk)
    dedans = Q(communes__in=sorted(communes)) | Q(qpv__communes__in=sorted(communes))
    resultat = set(fiches.filter(nomme | dedans).values_list("pk", flat=True))
    if not communes:
        return resultat
    liens = list(FicheAction.epci.through.objects.filter(ficheaction__schema=schema).values_list("ficheaction", "epci"))
    membres: dict = {}
    if liens:
        lignes = Commune.objects.filter(departement_id=code, epci__in={e for _, e in liens}).values_list("epci", "code")
        for epci, commune in lignes:
            membres.setdefault(("epci", epci), set()).add(commune)
    liens_r = list(
        FicheAction.regroupements.through.objects.filter(ficheaction__schema=schema).values_list(
            "ficheaction", "regroupement"
        )
    )
    if liens_r:
        en_vigueur = Q(debut__lte=date) & (Q(fin__isnull=True) | Q(fin__gte=date))
        lignes = Appartenance.objects.filter(
            en_vigueur, regroupement__in={r for _, r in liens_r}, commune__departement_id=code
        ).values_list("regroupement", "commune")
        for regroupement, commune in lignes:
            membres.setdefault(("regroupement", regroupement), set()).add(commune)
    for fiche, cle in [(f, ("epci", e)) for f, e in liens] + [(f, ("regroupement", r)) for f, r in liens_r]:
        if membres.get(cle) and membres[cle] <= communes:
            resultat.add(fiche)
    return resultat


# --- A fiche action -----------------------------------------------------------------------------------------------


def fiche_detaillee(pk) -> FicheAction:
    """A fiche with its schéma, orientation, axe, pilot and every list its page shows."""
    return (
        FicheAction.objects.select_related("schema", "schema__departement", "orientation", "orientation__axe", "pilote")
        .prefetch_related(
            Prefetch("partenaires", queryset=Organisation.objects.order_by("nom")),
            Prefetch("referents", queryset=Utilisateur.objects.select_related("organisation").order_by("last_name")),
            Prefetch("communes", queryset=Commune.objects.order_by("nom")),
            Prefetch("epci", queryset=EPCI.objects.order_by("nom")),
            Prefetch("regroupements", queryset=Regroupement.objects.order_by("type", "nom")),
            Prefetch("qpv", queryset=QPV.objects.order_by("nom")),
            Prefetch("structures", queryset=Structure.objects.select_related("commune").order_by("nom")),
            Prefetch("jalons", queryset=Jalon.objects.order_by("echeance", "pk")),
            Prefetch("indicateurs", queryset=Indicateur.objects.order_by("ordre", "code")),
        )
        .get(pk=pk)
    )


def commentaires(fiche: FicheAction) -> QuerySet[CommentaireAction]:
    return fiche.commentaires.select_related("auteur").order_by("-le", "-pk")


def decisions_de_la_fiche(fiche: FicheAction):
    return fiche.decisions.select_related("reunion", "reunion__instance", "responsable").order_by(
        "-reunion__date", "pk"
    )


# --- Choices of the edit forms ------------------------------------------------------------------------------------


def organisations_du_departement(code: str) -> QuerySet[Organisation]:
    return Organisation.objects.filter(departement_id=code, actif=True).order_by("nom")


def comptes_du_departement(code: str) -> QuerySet[Utilisateur]:
    """Accounts that may be named referents: active conseillers, partners and pilotes of the département."""
    return (
        Utilisateur.objects.filter(
            departements__code=code, is_active=True, role__in=[Role.CONSEILLER, Role.PARTENAIRE, Role.PILOTE]
        )
        .select_related("organisation")
        .order_by("last_name", "first_name", "email")
        .distinct()
    )


def communes_du_departement(code: str) -> QuerySet[Commune]:
    return Commune.objects.filter(departement_id=code).only("code", "nom", "departement_id").order_by("nom")


def epci_du_departement(code: str) -> QuerySet[EPCI]:
    return EPCI.objects.filter(Exists(Commune.objects.filter(epci=OuterRef("pk"), departement_id=code))).order_by("nom")


def regroupements_du_departement(code: str) -> QuerySet[Regroupement]:
    """EPT and groupings a fiche of the département may name: its own groupings and the national ones (EPT) holding
    one of its communes, at any date (a schéma spans several years; the label says when one has ended)."""
    membres = Appartenance.objects.filter(regroupement=OuterRef("pk"), commune__departement_id=code)
    return Regroupement.objects.filter(
        Q(departement_id=code) | (Q(departement__isnull=True) & Q(Exists(membres)))
    ).order_by("type", "nom")


def libelle_regroupement(regroupement: Regroupement) -> str:
    libelle = f"{regroupement.nom} ({perimetres.LIBELLES_COURTS.get(regroupement.type, regroupement.type)})"
    return f"{libelle}, jusqu'au {regroupement.fin:%d/%m/%Y}" if regroupement.fin else libelle


def qpv_du_departement(code: str) -> QuerySet[QPV]:
    return (
        QPV.objects.filter(
            Exists(QPV.communes.through.objects.filter(qpv=OuterRef("pk"), commune__departement_id=code))
        )
        .only("code", "nom", "generation")
        .order_by("-generation", "nom")
    )


def structures_du_departement(code: str) -> QuerySet[Structure]:
    return Structure.objects.filter(Q(departement_id=code)).select_related("commune").order_by("nom")
