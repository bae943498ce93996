"""Reads of the network's library and news: what a user may see (rules `ressource.voir` and `actualite.voir` written
as queries, never as a loop over rows), the filters of the list pages, the published news of the feeds and the API.
"""

from django.db.models import Prefetch, Q

from maillage.core.permissions import actif, codes_departements, est_admin, peut
from maillage.core.roles import Role

from .models import Actualite, Etiquette, Evenement, Ressource, SerieAteliers, Visibilite

_CAF = {Role.PILOTE, Role.CONSEILLER}
_ETIQUETTES = Prefetch("etiquettes", queryset=Etiquette.objects.order_by("nom"))


def _departement(departement):
    return getattr(departement, "pk", departement)


def _filtre_ressources_visibles(user) -> Q | None:
    """The rule `ressource.voir` as a condition (None: everything)."""
    if est_admin(user):
        return None
    visibles = Q(visibilite=Visibilite.PUBLIC)
    if actif(user):
        codes = codes_departements(user)
        visibles |= Q(visibilite=Visibilite.RESEAU, departement__in=codes)
        if user.role in _CAF:
            visibles |= Q(visibilite=Visibilite.CAF, departement__in=codes)
    return visibles


def ressources_visibles(user, *, departement=None):
    """The resources `user` may see (rule `ressource.voir`): public ones for all, « réseau » ones for the accounts of
    their départements, « Caf » ones for its pilotes and conseillers; newest first, tags prefetched."""
    qs = Ressource.objects.select_related("departement", "serie", "evenement").prefetch_related(_ETIQUETTES)
    filtre = _filtre_ressources_visibles(user)
    if filtre is not None:
        qs = qs.filter(filtre)
    if departement:
        qs = qs.filter(departement=_departement(departement))
    return qs.order_by("-date", "-cree_le", "-pk")


def ressources_filtrees(qs, *, etiquette=None, nature="", evenement=None, serie=None, recherche=""):
    """Narrow a resources queryset by tag (an Etiquette), nature, event, series and words of the title."""
    if etiquette is not None:
        qs = qs.filter(etiquettes=etiquette)
    if nature:
        qs = qs.filter(nature=nature)
    if evenement is not None:
        qs = qs.filter(evenement=evenement)
    if serie is not None:
        qs = qs.filter(serie=serie)
    for mot in (recherche or "").split()[:8]:
        qs = qs.filter(titre__icontains=mot)
    return qs


def _cle_valide(pk) -> bool:
    # An id past the database's integer would be an error (OverflowError on SQLite), not an unknown row.
    return isinstance(pk, int) and 0 < pk < 2**63


def ressource_detaillee(pk) -> Ressource | None:
    if not _cle_valide(pk):
        return None
    return (
        Ressource.objects.select_related("departement", "serie", "evenement", "publie_par")
        .prefetch_related(_ETIQUETTES)
        .filter(pk=pk)
        .first()
    )


def etiquettes_des_ressources(visibles) -> list[Etiquette]:
    """The tags carried by some of `visibles` (a tag only on hidden resources is not offered)."""
    return list(Etiquette.objects.filter(ressources__in=visibles.values("pk")).distinct().order_by("nom"))


def series_des_ressources(visibles) -> list[SerieAteliers]:
    return list(SerieAteliers.objects.filter(restitutions__in=visibles.values("pk")).distinct().order_by("titre", "pk"))


def evenements_des_ressources(user, visibles) -> list[Evenement]:
    """The events linked to visible resources that `user` may also see (a draft's title is not shown)."""
    # A handful of filter options: the rule asked per event (no query: the user's départements are cached).
    evenements = (
        Evenement.objects.filter(ressources__in=visibles.values("pk"))
        .distinct()
        .order_by("-debut", "pk")
        .only("pk", "titre", "debut", "statut", "acces", "departement_id")
    )
    return [e for e in evenements if peut(user, "evenement.voir", e)]


def series_du_departement(departement):
    return SerieAteliers.objects.filter(departement=_departement(departement)).order_by("titre", "pk")


def evenements_du_departement(departement):
    return Evenement.objects.filter(departement=_departement(departement)).order_by("-debut", "pk")


# --- News ---------------------------------------------------------------------------------------------------------


def actualites_visibles(user, *, departement=None):
    """The news `user` may read (rule `actualite.voir`): published ones for all, drafts for the Caf's pilotes and
    conseillers of their départements; newest first, tags prefetched."""
    qs = Actualite.objects.select_related("departement").prefetch_related(_ETIQUETTES)
    if not est_admin(user):
        visibles = Q(statut=Actualite.Statut.PUBLIEE)
        if actif(user) and user.role in _CAF:
            visibles |= Q(departement__in=codes_departements(user))
        qs = qs.filter(visibles)
    if departement:
        qs = qs.filter(departement=_departement(departement))
    return qs.order_by("-date", "-pk")


def actualites_publiees(*, departement=None, etiquette: str = ""):
    """Published news (feeds, API), newest first, tags prefetched; `etiquette`: a tag's name."""
    qs = Actualite.objects.filter(statut=Actualite.Statut.PUBLIEE).prefetch_related(_ETIQUETTES)
    if departement:
        qs = qs.filter(departement=_departement(departement))
    if etiquette:
        qs = qs.filter(etiquettes__nom__iexact=etiquette)
    return qs.order_by("-date", "-pk")


def actualite_detaillee(pk) -> Actualite | None:
    if not _cle_valide(pk):
        return None
    return (
        Actualite.objects.select_related("departement", "evenement", "auteur")
        .prefetch_related(_ETIQUETTES)
        .filter(pk=pk)
        .first()
    )


def etiquettes_des_actualites(visibles) -> list[Etiquette]:
    return list(Etiquette.objects.filter(actualites__in=visibles.values("pk")).distinct().order_by("nom"))


def etiquette_nommee(nom: str) -> Etiquette | None:
    nom = " ".join((nom or "").split())
    return Etiquette.objects.filter(nom__iexact=nom).first() if nom else None
