"""Reads of the schéma's governance: instances with their next and past meetings, a meeting with its attendance
and decisions, the follow-up board of decisions (filters, counts), and what a committee needs before it meets
(progress since the previous meeting, late actions, indicators off track, decisions due).

Every read here costs a fixed number of queries whatever the number of instances, meetings or decisions."""

import datetime
from dataclasses import dataclass, field

from django.db.models import Count, F, Prefetch, Q, QuerySet
from django.utils import timezone

from maillage.comptes.models import Organisation, Utilisateur
from maillage.core.horloge import aujourdhui

from . import selectors
from .models import Decision, FicheAction, Instance, Jalon, Reunion, Schema

Statut = Decision.Statut
# Fiches actions that can no longer be late.
STATUTS_CLOS_FICHE = (FicheAction.Statut.REALISEE, FicheAction.Statut.ABANDONNEE)


def date_locale(moment: datetime.datetime) -> datetime.date:
    """The calendar day of a meeting where it takes place (the project's time zone)."""
    return timezone.localtime(moment).date() if timezone.is_aware(moment) else moment.date()


def organisations_du_departement(schema: Schema, *, deja=(), inactives: bool = False) -> QuerySet[Organisation]:
    """The organisations a schéma's governance may name: active ones of its département, and those already named
    (`deja`: ids), so that editing a past record does not drop an organisation deactivated since; all of them
    with `inactives` (filters)."""
    qs = Organisation.objects.filter(departement_id=schema.departement_id)
    if not inactives:
        qs = qs.filter(Q(actif=True) | Q(pk__in=list(deja)))
    return qs.order_by("nom")


def comptes_du_departement(schema: Schema, *, deja=()) -> QuerySet[Utilisateur]:
    """The accounts a schéma's governance may name (members, people present): active accounts of its département,
    and those already named (`deja`: ids; an account closed since stays in a past meeting's attendance)."""
    return (
        Utilisateur.objects.filter(Q(is_active=True) | Q(pk__in=list(deja)), departements=schema.departement_id)
        .select_related("organisation")
        .order_by("last_name", "first_name", "email")
    )


def fiches_du_schema(schema: Schema) -> QuerySet[FicheAction]:
    return FicheAction.objects.filter(schema=schema).order_by("numero", "pk")


# --- The governance page ----------------------------------------------------------------------------------------


@dataclass
class LigneInstance:
    instance: Instance
    a_venir: list[Reunion] = field(default_factory=list)
    passees: list[Reunion] = field(default_factory=list)

    @property
    def prochaine(self) -> Reunion | None:
        return self.a_venir[0] if self.a_venir else None


def gouvernance(schema: Schema, *, jour: datetime.date | None = None) -> list[LigneInstance]:
    """The schéma's instances (members prefetched) with their meetings to come (soonest first) and past (latest
    first); a meeting of today is still to come. Four queries."""
    jour = jour or aujourdhui()
    instances = (
        Instance.objects.filter(schema=schema)
        .prefetch_related(
            Prefetch("organisations", queryset=Organisation.objects.order_by("nom")),
            Prefetch("membres", queryset=Utilisateur.objects.order_by("last_name", "first_name", "email")),
        )
        .order_by("type", "nom")
    )
    lignes = {i.pk: LigneInstance(i) for i in instances}
    reunions = Reunion.objects.filter(instance__schema=schema).annotate(nombre_decisions=Count("decisions"))
    for reunion in reunions.order_by("date", "pk"):
        ligne = lignes[reunion.instance_id]
        reunion.instance = ligne.instance
        (ligne.a_venir if date_locale(reunion.date) >= jour else ligne.passees).append(reunion)
    for ligne in lignes.values():
        ligne.passees.reverse()
    return list(lignes.values())


def prochaine_reunion(lignes: list[LigneInstance]) -> Reunion | None:
    """The soonest meeting to come, all instances together."""
    prochaines = [ligne.prochaine for ligne in lignes if ligne.prochaine]
    return min(prochaines, key=lambda r: (r.date, r.pk), default=None)


# --- One meeting ------------------------------------------------------------------------------------------------


def date_figee(reunion: Reunion) -> datetime.date | None:
    """The day the meeting's progress was frozen (None: not recorded as held)."""
    try:
        return datetime.date.fromisoformat(str((reunion.avancements_figes or {}).get("date", "")))
    except ValueError:
        return None


def titre(reunion: Reunion) -> str:
    """« COPIL du 15/11/2016 », the day where the meeting takes place."""
    return f"{reunion.instance.nom} du {date_locale(reunion.date):%d/%m/%Y}"


def reunion(pk) -> Reunion:
    """A meeting with its instance and schéma (for the permission check). Raises Reunion.DoesNotExist."""
    return Reunion.objects.select_related("instance__schema__departement").get(pk=pk)


def _decisions_lues(qs: QuerySet[Decision]) -> QuerySet[Decision]:
    return qs.select_related("responsable", "reunion__instance__schema").prefetch_related(
        Prefetch("fiches", queryset=FicheAction.objects.order_by("numero", "pk"))
    )


def decisions_de_la_reunion(reunion: Reunion) -> list[Decision]:
    return list(_decisions_lues(Decision.objects.filter(reunion=reunion)).order_by("pk"))


def presences(reunion: Reunion) -> tuple[list[Organisation], list[Utilisateur]]:
    """Organisations and accounts present at a meeting."""
    organisations = list(reunion.organisations_presentes.order_by("nom"))
    comptes = list(reunion.presents.select_related("organisation").order_by("last_name", "first_name", "email"))
    return organisations, comptes


def decisions_de_la_fiche(fiche: FicheAction) -> list[Decision]:
    """The committee decisions linked to a fiche action, latest meeting first (for the fiche's page)."""
    return list(
        Decision.objects.filter(fiches=fiche)
        .select_related("responsable", "reunion__instance")
        .order_by("-reunion__date", "pk")
    )


# --- The follow-up board ----------------------------------------------------------------------------------------


def _en_retard(jour: datetime.date) -> Q:
    return Q(statut__in=Decision.STATUTS_OUVERTS, echeance__lt=jour)


def decisions_du_schema(
    schema: Schema,
    *,
    statut: str = "",
    responsable: Organisation | None = None,
    en_retard: bool = False,
    jour: datetime.date | None = None,
) -> QuerySet[Decision]:
    """The decisions of all meetings of `schema`, filtered; soonest due date first, those without one last.

    Late: still open (à faire, en cours) and due before `jour`."""
    jour = jour or aujourdhui()
    qs = Decision.objects.filter(reunion__instance__schema=schema)
    if statut:
        qs = qs.filter(statut=statut)
    if responsable is not None:
        qs = qs.filter(responsable=responsable)
    if en_retard:
        qs = qs.filter(_en_retard(jour))
    return _decisions_lues(qs).order_by(F("echeance").asc(nulls_last=True), "reunion__date", "pk")


def compter_decisions(schema: Schema, *, jour: datetime.date | None = None) -> dict[str, int]:
    """Decisions of `schema` by status, with "total" and "en_retard": one query."""
    jour = jour or aujourdhui()
    comptes = {code: Count("pk", filter=Q(statut=code)) for code in Statut.values}
    resultat = Decision.objects.filter(reunion__instance__schema=schema).aggregate(
        total=Count("pk"), en_retard=Count("pk", filter=_en_retard(jour)), **comptes
    )
    return {cle: valeur or 0 for cle, valeur in resultat.items()}


def est_en_retard(decision: Decision, jour: datetime.date) -> bool:
    return decision.statut in Decision.STATUTS_OUVERTS and decision.echeance is not None and decision.echeance < jour


# --- Preparing a committee --------------------------------------------------------------------------------------


@dataclass(frozen=True)
class LigneAvancement:
    """Progress of the schéma or of one axe: now and at the previous meeting (None: not known)."""

    libelle: str
    maintenant: float | None
    avant: float | None
    numero: int | None = None  # the axe's number; None for the schéma

    @property
    def ecart(self) -> float | None:
        if self.maintenant is None or self.avant is None:
            return None
        return round(self.maintenant - self.avant, 1)


@dataclass(frozen=True)
class ActionEnRetard:
    fiche: FicheAction
    jalons: list[Jalon]  # milestones past due and not done
    fin_depassee: bool  # end date passed while neither réalisée nor abandonnée


@dataclass
class Preparation:
    reunion: Reunion
    precedente: Reunion | None
    jour: datetime.date
    avancements: list[LigneAvancement]
    actions_en_retard: list[ActionEnRetard]
    decisions_dues: list[Decision]
    regle: str
    indicateurs: list = field(default_factory=list)  # every indicator line of the schéma
    indicateurs_hors_trajectoire: list = field(default_factory=list)

    @property
    def schema(self) -> LigneAvancement:
        return self.avancements[0]

    @property
    def axes(self) -> list[LigneAvancement]:
        return self.avancements[1:]


def reunion_precedente(reunion: Reunion) -> Reunion | None:
    """The latest earlier meeting of the same instance whose progress was frozen (recorded as held)."""
    return (
        Reunion.objects.filter(instance_id=reunion.instance_id, date__lt=reunion.date)
        .exclude(avancements_figes={})
        .order_by("-date", "-pk")
        .first()
    )


def _nombre(valeur) -> float | None:
    return float(valeur) if isinstance(valeur, int | float) and not isinstance(valeur, bool) else None


def actions_en_retard(arbre: selectors.Arbre) -> list[ActionEnRetard]:
    """Fiches actions with a milestone past due, or whose end date passed while neither réalisée nor abandonnée."""
    retards = []
    for noeud in arbre.fiches:
        fiche = noeud.fiche
        fin_depassee = fiche.fin is not None and fiche.fin < arbre.jour and fiche.statut not in STATUTS_CLOS_FICHE
        if noeud.jalons_en_retard or fin_depassee:
            retards.append(ActionEnRetard(fiche, noeud.jalons_en_retard, fin_depassee))
    return retards


def decisions_dues(reunion: Reunion, *, jour: datetime.date) -> list[Decision]:
    """Open decisions of the schéma due by the meeting's day, or already late."""
    limite = max(date_locale(reunion.date), jour - datetime.timedelta(days=1))
    qs = Decision.objects.filter(
        reunion__instance__schema_id=reunion.instance.schema_id,
        statut__in=Decision.STATUTS_OUVERTS,
        echeance__lte=limite,
    )
    return list(_decisions_lues(qs).order_by("echeance", "reunion__date", "pk"))


def preparation(reunion: Reunion, *, jour: datetime.date | None = None, indicateurs=None) -> Preparation:
    """What the committee of `reunion` looks at: progress of the schéma and of each axe now versus the previous
    meeting of the same instance, late actions, decisions due, and — given the indicator lines of the schéma
    (`indicateurs`, objects with `en_bonne_voie`) — those off track."""
    jour = jour or aujourdhui()
    schema = reunion.instance.schema
    arbre = selectors.arbre(schema, jour=jour)
    precedente = reunion_precedente(reunion)
    figes = precedente.avancements_figes if precedente is not None else {}
    axes_figes = figes.get("axes") if isinstance(figes.get("axes"), dict) else {}
    lignes = [LigneAvancement("Schéma (ensemble des axes)", arbre.avancement, _nombre(figes.get("schema")))]
    for noeud in arbre.axes:
        lignes.append(
            LigneAvancement(
                f"Axe {noeud.axe.numero}. {noeud.axe.titre}",
                noeud.avancement,
                _nombre(axes_figes.get(str(noeud.axe.numero))),
                noeud.axe.numero,
            )
        )
    indicateurs = list(indicateurs or [])
    return Preparation(
        reunion=reunion,
        precedente=precedente,
        jour=jour,
        avancements=lignes,
        actions_en_retard=actions_en_retard(arbre),
        decisions_dues=decisions_dues(reunion, jour=jour),
        regle=arbre.regle,
        indicateurs=indicateurs,
        indicateurs_hors_trajectoire=[i for i in indicateurs if getattr(i, "en_bonne_voie", None) is False],
    )
