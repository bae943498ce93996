"""Reads of the territorial referential used by views, the API and reports."""

from auditlog.models import LogEntry
from django.contrib.contenttypes.models import ContentType
from django.db import connection
from django.db.models import Case, Count, Exists, IntegerField, Max, OuterRef, Q, Subquery, Sum, Value, When
from django.db.models.functions import Coalesce
from django.http import Http404

from . import codes
from .models import EPCI, QPV, Appartenance, Chargement, Commune, Departement, Region, Regroupement


def departements_pour_choix():
    """Départements that have communes loaded, for the home page's choice.

    `Exists` rather than a count: with 35,000 communes it stops at the first one.
    """
    return (
        Departement.objects.select_related("region")
        .filter(Exists(Commune.objects.filter(departement=OuterRef("pk"))))
        .order_by("code")
    )


def departement_du_code(code, *, avec_chiffres: bool = False) -> Departement | None:
    """The département of an INSEE code as typed ("94", "2a", " 971"; see `codes.code_departement`), else None.

    `avec_chiffres`: with its population and number of communes, as `departement_avec_chiffres`.
    """
    normalise = codes.code_departement(code)
    if normalise is None:
        return None
    return (_avec_chiffres() if avec_chiffres else Departement.objects).filter(code=normalise).first()


def departements_par_codes(codes):
    """The départements of these (exact) codes, by code."""
    return Departement.objects.filter(code__in=codes)


def departement_par_code(code, *, avec_chiffres: bool = False) -> Departement:
    """The département of a code read from a URL or an API path, else Http404 with a French reason (pages show
    it, the API answers it as JSON `detail`)."""
    departement = departement_du_code(code, avec_chiffres=avec_chiffres)
    if departement is None:
        texte = code.strip()[:20] if isinstance(code, str) else code
        raise Http404(f"Département inconnu : {texte!r}.")
    return departement


def _avec_chiffres():
    return Departement.objects.select_related("region").annotate(
        population=Sum("communes__population"), nombre_communes=Count("communes")
    )


def departement_avec_chiffres(code: str) -> Departement:
    return _avec_chiffres().get(code=code)


def communes_du_departement(code: str):
    """Communes of a département with their EPCI, in one query (no geometry: lists stay light)."""
    return (
        Commune.objects.filter(departement_id=code)
        .select_related("epci")
        .defer("geometrie", "geometrie_empreinte")
        .annotate(nombre_qpv=Count("qpv"))
        .order_by("nom")
    )


def commune_detaillee(code: str) -> Commune:
    return Commune.objects.select_related("departement__region", "epci").defer("geometrie_empreinte").get(code=code)


def qpv_par_generation(*, departement: str | None = None, commune: str | None = None) -> dict[int, int]:
    """Number of distinct QPV by generation ({2024: 12, 2015: 20}), newest first.

    Both generations may be loaded side by side: adding them up would count a neighbourhood twice.
    """
    qpv = QPV.objects.all()
    if departement is not None:
        qpv = qpv.filter(communes__departement_id=departement)
    if commune is not None:
        qpv = qpv.filter(communes__code=commune)
    lignes = qpv.values("generation").annotate(nombre=Count("code", distinct=True)).order_by("-generation")
    return {ligne["generation"]: ligne["nombre"] for ligne in lignes}


def _nombre_qpv(generation: int | None):
    """Number of QPV of one generation per commune, as a subquery: no GROUP BY over the outline text."""
    if generation is None:
        return Value(0, output_field=IntegerField())
    liens = (
        QPV.communes.through.objects.filter(commune_id=OuterRef("pk"), qpv__generation=generation)
        .order_by()
        .values("commune_id")
        .annotate(nombre=Count("qpv_id"))
        .values("nombre")
    )
    return Coalesce(Subquery(liens, output_field=IntegerField()), 0)


def communes_pour_tableau(code: str, generation_qpv: int | None):
    """The département page's table: communes with EPCI and their number of QPV of one generation."""
    return (
        Commune.objects.filter(departement_id=code)
        .select_related("epci")
        .only(
            "code",
            "nom",
            "population",
            "population_millesime",
            "population_source",
            "departement_id",
            "epci__code",
            "epci__nom",
            "epci__type",
        )
        .annotate(nombre_qpv=_nombre_qpv(generation_qpv))
        .order_by("nom", "code")
    )


def version_des_donnees(*modeles) -> str:
    """The data version of results derived from `modeles`: the last audited edit of one of them (django-auditlog)
    and the last bulk load or import (the journal of loads, `Chargement`), in one query shared by every process.
    Part of the cache keys of pages computed from these models (the same rule as `version_territoires`)."""
    types = [ct.pk for ct in ContentType.objects.get_for_models(*modeles).values()]
    journal, chargements = LogEntry._meta.db_table, Chargement._meta.db_table
    dans = ", ".join(["%s"] * len(types)) or "NULL"
    with connection.cursor() as curseur:
        # Three max() in one round trip: this runs on every request of a cached page.
        curseur.execute(
            f"SELECT (SELECT MAX(id) FROM {journal} WHERE content_type_id IN ({dans})),"
            f" (SELECT MAX(id) FROM {chargements}), (SELECT MAX(fin) FROM {chargements})",
            types,
        )
        entree, chargement, fin = curseur.fetchone()
    # A datetime on PostgreSQL, text on SQLite: without spaces either way (cache keys must not hold any).
    return f"{entree or 0}-{chargement or 0}-{str(fin or '').replace(' ', 'T')}"


def version_territoires() -> str:
    """Changes whenever territorial data changes: part of the cache keys of derived data.

    Bulk loads and imports are journaled by `Chargement`; single edits (admin, services) by the
    audit trail. Two cheap max() queries, shared by every process (unlike a per-process counter).
    """
    dernier = Chargement.objects.aggregate(id=Max("id"), fin=Max("fin"))
    fin = dernier["fin"].timestamp() if dernier["fin"] else 0
    types = ContentType.objects.get_for_models(
        Region, Departement, EPCI, Commune, QPV, Regroupement, Appartenance
    ).values()
    journal = LogEntry.objects.filter(content_type__in=types).aggregate(id=Max("id"))["id"]
    return f"{dernier['id'] or 0}-{fin:.0f}-{journal or 0}"


def contours_du_departement(code: str, generation_qpv: int | None):
    """(code, nom, population, nombre_qpv, geometrie text) of every commune with an outline, by code."""
    return (
        Commune.objects.filter(departement_id=code)
        .exclude(geometrie="")
        .annotate(nombre_qpv=_nombre_qpv(generation_qpv))
        .order_by("code")
        .values_list("code", "nom", "population", "nombre_qpv", "geometrie")
    )


def contour_commune(code: str) -> tuple[str, str, int | None, str] | None:
    """(code, name, population, outline GeoJSON text) of a commune, None when unknown."""
    return Commune.objects.filter(code=code).values_list("code", "nom", "population", "geometrie").first()


def contours_qpv_de_la_commune(code: str):
    """(code, name, generation, outline) of the commune's QPV that have an outline, by code."""
    return (
        Commune.qpv.through.objects.filter(commune_id=code)
        .exclude(qpv__geometrie="")
        .order_by("qpv__code")
        .values_list("qpv__code", "qpv__nom", "qpv__generation", "qpv__geometrie")
    )


def qpv_de_la_commune(commune: Commune) -> list[QPV]:
    """The commune's QPV, newest generation first, each with `a_contour` (without loading the outlines)."""
    return list(
        commune.qpv.order_by("-generation", "code")
        .only("code", "nom", "generation")
        .annotate(a_contour=Case(When(geometrie="", then=Value(False)), default=Value(True)))
    )


def journal_des_chargements():
    """Data loads and imports, latest first (without their error lists, which may be long)."""
    return Chargement.objects.defer("erreurs").order_by("-debut", "-id")


def chargement_par_pk(pk) -> Chargement | None:
    return Chargement.objects.filter(pk=pk).first()


def entrees_du_chargement(chargement: Chargement):
    """The audit entries an import wrote (each names its Chargement row), oldest first."""
    return (
        LogEntry.objects.filter(additional_data__chargement=chargement.pk)
        .select_related("content_type", "actor")
        .order_by("pk")
    )


# --- Groupings of communes (EPT, a Caf's or a Département's territories) --------------------------------------


def _en_vigueur(date, prefixe: str = "") -> Q:
    return Q(**{f"{prefixe}debut__lte": date}) & (
        Q(**{f"{prefixe}fin__isnull": True}) | Q(**{f"{prefixe}fin__gte": date})
    )


def regroupements_des_communes(codes, *, type: str, date) -> dict[str, Regroupement]:
    """commune code → the grouping of `type` it belongs to at `date` (the latest that began, if several)."""
    appartenances = (
        Appartenance.objects.filter(commune_id__in=list(codes), regroupement__type=type)
        .filter(_en_vigueur(date), _en_vigueur(date, "regroupement__"))
        .select_related("regroupement")
        .order_by("debut", "regroupement__code")
    )
    return {a.commune_id: a.regroupement for a in appartenances}


def ept_des_communes(codes, *, date) -> dict[str, Regroupement]:
    return regroupements_des_communes(codes, type=Regroupement.Type.EPT, date=date)


def regroupements_du_departement(code: str, *, date) -> list[Regroupement]:
    """The groupings that can filter or aggregate the département at `date`: the EPT that hold one of its communes
    and the groupings its pilotes imported, in force at that date, by type then name."""
    membres = Appartenance.objects.filter(_en_vigueur(date), commune__departement_id=code)
    return list(
        Regroupement.objects.filter(_en_vigueur(date))
        .filter(Q(departement_id=code) | Q(departement__isnull=True, appartenances__in=membres))
        .distinct()
        .order_by("type", "nom")
    )


def communes_du_regroupement(regroupement: Regroupement, *, date) -> set[str]:
    return set(regroupement.appartenances.filter(_en_vigueur(date)).values_list("commune_id", flat=True))


def regroupements_a_gerer(code: str, *, date) -> list[Regroupement]:
    """The groupings on the département's page of groupings: its own (every date) and the EPT holding one of its
    communes, by type then name, each with `nombre_communes` (its communes of the département at `date`) and
    `nombre_communes_total` (every commune it ever held, each counted once). One query."""
    dans = Q(appartenances__commune__departement_id=code)
    a_la_date = (
        dans
        & Q(appartenances__debut__lte=date)
        & (Q(appartenances__fin__isnull=True) | Q(appartenances__fin__gte=date))
    )
    lignes = (
        Regroupement.objects.filter(Q(departement_id=code) | (Q(departement__isnull=True) & dans))
        .distinct()
        .annotate(
            nombre_communes=Count("appartenances__commune", filter=a_la_date, distinct=True),
            nombre_communes_total=Count("appartenances__commune", filter=dans, distinct=True),
        )
        .order_by("type", "nom")
    )
    return list(lignes)


def historique_du_regroupement(regroupement: Regroupement):
    """A grouping's dated memberships, by commune then start, with their communes (one query)."""
    return regroupement.appartenances.select_related("commune").order_by("commune__nom", "debut")
