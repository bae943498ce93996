"""Reads of the registry used by views, the API, exports and reports."""

import datetime

from django.db.models import Exists, OuterRef, Q

from maillage.core import horloge
from maillage.territoires import perimetres
from maillage.territoires.models import EPCI, Appartenance, Commune, Departement, Regroupement
from maillage.territoires.selectors import version_des_donnees

from .models import Agrement, Gestionnaire, Structure

# An agrément that was granted covers its period, even once it has expired since.
STATUTS_ACTIFS = (Agrement.Statut.ACCORDE, Agrement.Statut.EXPIRE)
DUREE_CACHE = 24 * 60 * 60


def version_annuaire() -> str:
    """Changes whenever the public directory may change: structures, agréments, gestionnaires, the names of
    communes and départements, the territorial cuts it filters by (audited edits; imports and loads through the journal
    of loads). One query."""
    return version_des_donnees(
        Structure, Agrement, Gestionnaire, Commune, Departement, EPCI, Regroupement, Appartenance
    )


def agrements_couvrant(date: datetime.date):
    return Agrement.objects.filter(statut__in=STATUTS_ACTIFS, debut__lte=date, fin__gte=date)


def structures_actives(date: datetime.date, *, departement: str | None = None):
    """Structures holding an agrément that covers `date`: the definition of "active" everywhere."""
    structures = Structure.objects.filter(Exists(agrements_couvrant(date).filter(structure=OuterRef("pk"))))
    if departement is not None:
        structures = structures.filter(departement_id=departement)
    return structures


def agrement_principal(date: datetime.date):
    """Filter for the agrément that makes a structure active at `date` (animation globale or locale)."""
    return Q(statut__in=STATUTS_ACTIFS, debut__lte=date, fin__gte=date) & ~Q(type="acf")


# --- Directory and structure page ---------------------------------------------------------------


def _agrement_du_jour(date: datetime.date, champ: str):
    from django.db.models import Subquery

    return Subquery(
        Agrement.objects.filter(agrement_principal(date), structure=OuterRef("pk")).order_by("-debut").values(champ)[:1]
    )


def structures_filtrer(structures, *, departement=None, commune=None, type=None, gestion=None, perimetre=None):
    """The directory's filters (département, commune, type, mode de gestion, and `perimetre` of `departement` from
    `territoires.perimetres`: its communes today), shared by the pages, API and exports."""
    if departement:
        structures = structures.filter(departement_id=departement)
    if commune:
        structures = structures.filter(commune_id=commune)
    if type:
        structures = structures.filter(type=type)
    if gestion:
        structures = structures.filter(gestionnaire__mode_gestion=gestion)
    if perimetre is not None and departement:
        communes = perimetres.communes_du_perimetre(departement, perimetre, date=horloge.aujourdhui())
        structures = structures.filter(commune_id__in=sorted(communes))
    return structures


def annuaire(
    *,
    date: datetime.date,
    departement: str | None = None,
    commune: str | None = None,
    type: str | None = None,
    gestion: str | None = None,
    recherche: str = "",
    toutes: bool = False,
    perimetre: perimetres.Perimetre | None = None,
):
    """The public directory: structures active at `date` (or all of them), filtered, with their agrément.

    One query per page whatever the number of rows: the current agrément comes as subqueries.
    """
    structures = Structure.objects.all() if toutes else structures_actives(date)
    structures = structures_filtrer(
        structures, departement=departement, commune=commune, type=type, gestion=gestion, perimetre=perimetre
    )
    for mot in (recherche or "").split()[:5]:
        structures = structures.filter(
            Q(nom__icontains=mot) | Q(commune__nom__icontains=mot) | Q(gestionnaire__nom__icontains=mot)
        )
    return (
        structures.select_related("commune", "gestionnaire")
        .only(
            "id",
            "nom",
            "type",
            "adresse",
            "code_postal",
            "longitude",
            "latitude",
            "departement_id",
            "date_fermeture",
            "commune__code",
            "commune__nom",
            "gestionnaire__nom",
            "gestionnaire__mode_gestion",
        )
        .annotate(
            agrement_type=_agrement_du_jour(date, "type"),
            agrement_debut=_agrement_du_jour(date, "debut"),
            agrement_fin=_agrement_du_jour(date, "fin"),
        )
        .order_by("nom", "pk")
    )


def annuaire_points(**filtres):
    """(pk, name, type, commune name, longitude, latitude) of the directory's structures that have a position,
    with the directory's filters (`annuaire`)."""
    return (
        annuaire(**filtres)
        .filter(longitude__isnull=False, latitude__isnull=False)
        .values_list("pk", "nom", "type", "commune__nom", "longitude", "latitude")
    )


def structure_detaillee(pk: int) -> Structure:
    """One structure for its page: gestionnaire, commune, EPCI and zone in a fixed number of queries."""
    from django.db.models import Prefetch

    from maillage.territoires.models import QPV, Commune

    return (
        Structure.objects.select_related("gestionnaire", "commune__epci", "departement")
        .defer("commune__geometrie", "commune__geometrie_empreinte")
        .prefetch_related(
            Prefetch("communes_competence", queryset=Commune.objects.only("code", "nom").order_by("nom")),
            Prefetch("qpv_competence", queryset=QPV.objects.only("code", "nom", "generation").order_by("nom")),
        )
        .get(pk=pk)
    )


def agrements_en_cours(structure: Structure, date: datetime.date):
    return list(agrements_couvrant(date).filter(structure=structure).order_by("type", "-debut"))


def contacts_publics(structure: Structure):
    """Only the people who agreed, with a date, to appear on the public page."""
    return structure.contacts.filter(public=True, consentement_le__isnull=False)


def projets_avec_documents(structure: Structure):
    from django.db.models import Prefetch

    from .models import DocumentProjet

    return structure.projets_sociaux.prefetch_related(
        Prefetch("documents", queryset=DocumentProjet.objects.order_by("nature", "titre"))
    )
