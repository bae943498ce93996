"""Reads of the schéma directeur: lists in scope, the whole tree with rolled-up progress (a constant number of
queries whatever the number of actions), late milestones. Used by the pages, the API and the documents."""

import datetime
from dataclasses import dataclass, field

from auditlog.models import LogEntry
from django.contrib.contenttypes.models import ContentType
from django.db import connection
from django.db.models import Prefetch, QuerySet

from maillage.comptes.models import Organisation
from maillage.core.horloge import aujourdhui
from maillage.core.permissions import actif, codes_departements, est_admin
from maillage.territoires.models import Appartenance, Chargement, Regroupement

from . import progression
from .models import Axe, DirectionProgres, Enjeu, FicheAction, Jalon, Orientation, Schema

# What the schéma's tree, its API and its page show (organisations: pilots and signatories by name).
# Groupings and their communes: the territory filter of the actions reads them.
MODELES_ARBRE = (
    Schema, Enjeu, DirectionProgres, Axe, Orientation, FicheAction, Jalon, Organisation, Regroupement, Appartenance
)  # fmt: skip


def schemas_visibles(user, *, departement: str | None = None) -> QuerySet[Schema]:
    """The schémas `user` may read (rule `schema.voir`): adopted ones for all, drafts for accounts in scope."""
    qs = Schema.objects.select_related("departement")
    if departement:
        qs = qs.filter(departement_id=departement)
    if est_admin(user):
        return qs
    publics = qs.filter(statut__in=Schema.STATUTS_PUBLICS)
    if not actif(user):
        return publics
    return (publics | qs.filter(departement_id__in=codes_departements(user))).distinct()


def version_schema(schema: Schema, *modeles) -> str:
    """Changes whenever what the tree of `schema` shows may have changed: part of the cache keys of its API detail
    and its page. One round trip: the last audited edit of MODELES_ARBRE (and `modeles`: what else a reader shows)
    in any schéma (one recomputation too many, never one too few), the last bulk load (`Chargement`), and the number
    and last change of the schéma's fiches (`modifie_le`: also seen when a write skips the audit trail); the schéma
    row's own version comes from `schema`, read by the request."""
    types = [ct.pk for ct in ContentType.objects.get_for_models(*MODELES_ARBRE, *modeles).values()]
    journal, chargements, fiches = LogEntry._meta.db_table, Chargement._meta.db_table, FicheAction._meta.db_table
    dans = ", ".join(["%s"] * len(types))
    with connection.cursor() as curseur:
        curseur.execute(
            f"SELECT (SELECT MAX(id) FROM {journal} WHERE content_type_id IN ({dans})),"
            f" (SELECT MAX(id) FROM {chargements}),"
            f" (SELECT COUNT(*) FROM {fiches} WHERE schema_id = %s),"
            f" (SELECT MAX(modifie_le) FROM {fiches} WHERE schema_id = %s)",
            [*types, schema.pk, schema.pk],
        )
        entree, chargement, nombre, modifie = curseur.fetchone()
    # SQLite gives the datetime as text: str() either way.
    return f"{schema.pk}.{schema.version}-{entree or 0}-{chargement or 0}-{nombre}-{modifie or ''}".replace(" ", "_")


@dataclass
class NoeudFiche:
    fiche: FicheAction
    jalons_en_retard: list[Jalon]

    @property
    def avancement(self) -> int:
        return self.fiche.avancement


@dataclass
class NoeudOrientation:
    orientation: Orientation
    fiches: list[NoeudFiche] = field(default_factory=list)
    avancement: float | None = None


@dataclass
class NoeudAxe:
    axe: Axe
    orientations: list[NoeudOrientation] = field(default_factory=list)
    avancement: float | None = None

    @property
    def fiches(self) -> list[NoeudFiche]:
        return [f for o in self.orientations for f in o.fiches]


@dataclass
class Arbre:
    schema: Schema
    axes: list[NoeudAxe]
    avancement: float | None
    jour: datetime.date
    regle: str = progression.REGLE

    @property
    def fiches(self) -> list[NoeudFiche]:
        return [f for a in self.axes for f in a.fiches]

    @property
    def jalons_en_retard(self) -> list[Jalon]:
        return [j for f in self.fiches for j in f.jalons_en_retard]

    def par_statut(self) -> dict[str, int]:
        compte = {code: 0 for code, _ in FicheAction.Statut.choices}
        for noeud in self.fiches:
            compte[noeud.fiche.statut] += 1
        return compte


def _action(fiche: FicheAction) -> progression.Action:
    return progression.Action(fiche.avancement, fiche.poids, fiche.statut)


CHAMPS_RESUME = ("pk", "schema_id", "orientation_id", "numero", "titre", "statut", "avancement", "poids", "pilote__nom")


def arbre(schema: Schema, *, jour: datetime.date | None = None, resume: bool = False) -> Arbre:
    """Axes → orientations → fiches actions of `schema`, with progress rolled up and late milestones flagged.

    Five queries (axes, orientations, fiches with their pilot, milestones, referents) whatever the size. `resume`
    (the API): three, fiches reduced to CHAMPS_RESUME, milestones and referents not read (no late milestone)."""
    jour = jour or aujourdhui()
    fiches = FicheAction.objects.filter(schema=schema).select_related("pilote").order_by("numero", "pk")
    if resume:
        fiches = fiches.only(*CHAMPS_RESUME)
    else:
        fiches = fiches.prefetch_related(
            Prefetch("jalons", queryset=Jalon.objects.order_by("echeance", "pk")),
            Prefetch("referents", to_attr="liste_referents"),
        )
    par_orientation: dict[int, list[FicheAction]] = {}
    for fiche in fiches:
        if not resume:
            fiche.referent_ids = {u.pk for u in fiche.liste_referents}
        par_orientation.setdefault(fiche.orientation_id, []).append(fiche)
    orientations: dict[int, list[Orientation]] = {}
    for orientation in Orientation.objects.filter(axe__schema=schema).order_by("numero", "pk"):
        orientations.setdefault(orientation.axe_id, []).append(orientation)
    noeuds_axes = []
    for axe in Axe.objects.filter(schema=schema).order_by("numero", "pk"):
        noeud_axe = NoeudAxe(axe)
        for orientation in orientations.get(axe.pk, []):
            orientation.axe = axe  # no query for orientation.code
            noeud = NoeudOrientation(orientation)
            for fiche in _tri_naturel(par_orientation.get(orientation.pk, [])):
                fiche.orientation = orientation
                fiche.schema = schema
                retard = [] if resume else [j for j in fiche.jalons.all() if j.en_retard(jour)]
                noeud.fiches.append(NoeudFiche(fiche, retard))
            noeud.avancement = progression.avancement(_action(n.fiche) for n in noeud.fiches)
            noeud_axe.orientations.append(noeud)
        noeud_axe.avancement = progression.avancement(_action(n.fiche) for n in noeud_axe.fiches)
        noeuds_axes.append(noeud_axe)
    total = progression.avancement(_action(n.fiche) for a in noeuds_axes for n in a.fiches)
    return Arbre(schema, noeuds_axes, total, jour)


def _tri_naturel(fiches: list[FicheAction]) -> list[FicheAction]:
    """1.2 before 1.10: numbers compared part by part."""

    def cle(fiche):
        return [(0, int(p), "") if p.isdigit() else (1, 0, p) for p in fiche.numero.replace("-", ".").split(".")]

    return sorted(fiches, key=cle)


def avancements(schemas) -> dict[int, float | None]:
    """Rolled-up progress of several schémas in one query (for lists)."""
    par_schema: dict[int, list[progression.Action]] = {s.pk: [] for s in schemas}
    for schema_id, avancement, poids, statut in FicheAction.objects.filter(schema__in=list(par_schema)).values_list(
        "schema_id", "avancement", "poids", "statut"
    ):
        par_schema[schema_id].append(progression.Action(avancement, poids, statut))
    return {pk: progression.avancement(actions) for pk, actions in par_schema.items()}
