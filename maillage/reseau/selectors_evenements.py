"""Reads of the event pages, the programme, the series of workshops, the iCalendar feeds and the events API."""

import datetime

from django.db.models import Count, Prefetch, Q, QuerySet

from maillage.comptes.models import Organisation
from maillage.core.horloge import maintenant
from maillage.core.permissions import codes_departements, est_admin
from maillage.core.roles import Role
from maillage.territoires.models import Commune

from . import services
from .models import Evenement, Inscription, Intervenant, Ressource, SerieAteliers, SessionProgramme, Visibilite
from .selectors import avec_compteurs, evenements_visibles

PERIODES = {"tous": "Toutes les dates", "a_venir": "À venir", "passes": "Passés"}


def _places(evenements):
    """Set `places_restantes` (None without a limit) on events annotated by `avec_compteurs`."""
    for e in evenements:
        e.places_restantes = None if e.capacite is None else max(0, e.capacite - e.inscrits)
    return evenements


def raison_fermeture(evenement: Evenement, *, a=None) -> str:
    """Why `evenement` (annotated by `avec_compteurs`) takes no registration now, "" when it does: the service's
    reasons, and a full event without waiting list."""
    raison = services.raison_fermeture(evenement, a=a)
    complet = evenement.capacite is not None and evenement.inscrits >= evenement.capacite
    if not raison and complet and not evenement.liste_attente:
        raison = "L'événement est complet."
    return raison


def agenda(user, *, departement=None, periode: str = "tous", type: str = "") -> tuple[list, list]:
    """The events `user` may see, split in (upcoming soonest first, past latest first). Two queries at most."""
    instant = maintenant()
    qs = evenements_visibles(user, departement=departement).select_related("organisateur")
    if type:
        qs = qs.filter(type=type)
    a_venir, passes = [], []
    if periode in ("a_venir", "tous"):
        a_venir = _places(list(qs.filter(fin__gte=instant).order_by("debut", "pk")))
    if periode in ("passes", "tous"):
        passes = _places(list(qs.filter(fin__lt=instant).order_by("-debut", "-pk")))
    return a_venir, passes


def evenement_page(pk: int) -> Evenement | None:
    """One event with its counts, place, organisers and series (the permission is checked by the caller)."""
    evenement = (
        avec_compteurs(Evenement.objects.filter(pk=pk))
        .select_related("departement", "lieu_commune", "organisateur", "serie")
        .prefetch_related(Prefetch("coorganisateurs", queryset=Organisation.objects.order_by("nom")))
        .first()
    )
    return _places([evenement])[0] if evenement is not None else None


def sessions(evenement: Evenement) -> list[SessionProgramme]:
    """The programme by time, with its speakers and the places reserved in each session (two queries)."""
    reservees = Count("choix", filter=Q(choix__reservee=True, choix__inscription__statut=Inscription.Statut.CONFIRMEE))
    return list(
        evenement.sessions.annotate(places_prises=reservees)
        .prefetch_related(Prefetch("intervenants", queryset=Intervenant.objects.order_by("ordre", "pk")))
        .order_by("debut", "ordre", "pk")
    )


def _ressources_visibles(user, qs: QuerySet) -> QuerySet:
    """Resources `user` may read (rule `ressource.voir`, as a query)."""
    if est_admin(user):
        return qs
    visibles = Q(visibilite=Visibilite.PUBLIC)
    if getattr(user, "is_authenticated", False) and user.is_active:
        codes = codes_departements(user)
        visibles |= Q(visibilite=Visibilite.RESEAU, departement__in=codes)
        if user.role in {Role.PILOTE, Role.CONSEILLER}:
            visibles |= Q(visibilite=Visibilite.CAF, departement__in=codes)
    return qs.filter(visibles)


def ressources_evenement(user, evenement: Evenement) -> list[Ressource]:
    return list(_ressources_visibles(user, Ressource.objects.filter(evenement=evenement)).order_by("-date", "pk"))


def ressources_serie(user, serie: SerieAteliers) -> list[Ressource]:
    return list(_ressources_visibles(user, Ressource.objects.filter(serie=serie)).order_by("-date", "pk"))


def organisations_du_departement(departement_id: str, *, deja=()) -> QuerySet[Organisation]:
    """Organisations that may co-organise: active ones of the département, and those already named."""
    return Organisation.objects.filter(Q(actif=True) | Q(pk__in=list(deja)), departement_id=departement_id).order_by(
        "nom"
    )


def communes_du_departement(departement_id: str) -> QuerySet[Commune]:
    return Commune.objects.filter(departement_id=departement_id).order_by("nom")


def series_du_departement(departement_id: str) -> QuerySet[SerieAteliers]:
    return (
        SerieAteliers.objects.filter(departement_id=departement_id)
        .annotate(
            nombre_seances=Count("seances", distinct=True), nombre_restitutions=Count("restitutions", distinct=True)
        )
        .order_by("-cree_le", "-pk")
    )


def serie_page(pk: int) -> SerieAteliers | None:
    return SerieAteliers.objects.select_related("departement").filter(pk=pk).first()


def seances(user, serie: SerieAteliers) -> list[Evenement]:
    """The dated meetings of a series that `user` may see, in order."""
    return _places(list(evenements_visibles(user).filter(serie=serie).order_by("debut", "pk")))


def evenements_du_flux(departement) -> QuerySet[Evenement]:
    """The public feed of a département: published or cancelled events open to all or on invitation, from a
    year ago on (calendar clients keep what they already have)."""
    depuis = maintenant() - datetime.timedelta(days=365)
    return (
        Evenement.objects.filter(
            departement=departement,
            statut__in=[Evenement.Statut.PUBLIE, Evenement.Statut.ANNULE],
            acces__in=[Evenement.Acces.PUBLIC, Evenement.Acces.INVITATION],
            fin__gte=depuis,
        )
        .select_related("lieu_commune", "organisateur")
        .order_by("debut", "pk")
    )


def evenement_api(user, pk: int) -> Evenement | None:
    """One event of the API if `user` may see it, with its programme and speakers prefetched."""
    return (
        evenements_visibles(user)
        .filter(pk=pk)
        .prefetch_related(
            Prefetch(
                "sessions",
                queryset=SessionProgramme.objects.order_by("debut", "ordre", "pk").prefetch_related(
                    Prefetch("intervenants", queryset=Intervenant.objects.order_by("ordre", "pk"))
                ),
            )
        )
        .first()
    )
