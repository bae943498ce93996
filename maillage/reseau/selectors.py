"""Reads shared by the network's pages, API and exports: the events a user may see (with their counts) and the
attendance statistics of an event. Area-specific reads live in `selectors_<area>.py`."""

from django.db.models import Count, Q

from maillage.comptes.models import Organisation
from maillage.core.permissions import codes_departements, est_admin
from maillage.core.roles import Role

from .models import Categorie, Evenement, Inscription

_CONFIRMEE = Inscription.Statut.CONFIRMEE
_ATTENTE = Inscription.Statut.LISTE_ATTENTE


def avec_compteurs(qs):
    """Annotate `inscrits` (confirmed), `liste_attente_nombre` and `presents` in one query."""
    return qs.annotate(
        inscrits=Count("inscriptions", filter=Q(inscriptions__statut=_CONFIRMEE)),
        liste_attente_nombre=Count("inscriptions", filter=Q(inscriptions__statut=_ATTENTE)),
        presents=Count("inscriptions", filter=Q(inscriptions__present_le__isnull=False)),
    )


def evenements_visibles(user, *, departement=None, apres=None, avant=None):
    """The events `user` may see (rule `evenement.voir`, as a query): published public/invitation events for all;
    network events for the accounts of their départements; drafts for the Caf staff of their départements.
    `apres`/`avant`: dates or datetimes bounding the event's end and start. Ordered by start."""
    qs = Evenement.objects.select_related("lieu_commune", "departement")
    publics = Q(statut__in=[Evenement.Statut.PUBLIE, Evenement.Statut.ANNULE],
                acces__in=[Evenement.Acces.PUBLIC, Evenement.Acces.INVITATION])  # fmt: skip
    if est_admin(user):
        visibles = Q()
    elif getattr(user, "is_authenticated", False) and user.is_active:
        codes = codes_departements(user)
        visibles = publics | Q(departement__in=codes, statut__in=[Evenement.Statut.PUBLIE, Evenement.Statut.ANNULE])
        if user.role in {Role.PILOTE, Role.CONSEILLER}:
            visibles |= Q(departement__in=codes)
    else:
        visibles = publics
    qs = qs.filter(visibles)
    if departement:
        qs = qs.filter(departement=getattr(departement, "pk", departement))
    if apres:
        qs = qs.filter(fin__date__gte=apres) if not hasattr(apres, "hour") else qs.filter(fin__gte=apres)
    if avant:
        qs = qs.filter(debut__date__lte=avant) if not hasattr(avant, "hour") else qs.filter(debut__lte=avant)
    return avec_compteurs(qs).order_by("debut", "pk")


def _ventiler(lignes, libelles: dict) -> list[dict]:
    """[(clé, statut, présent, n)] → [{cle, libelle, inscrits, presents, liste_attente}] sorted by registrations."""
    parts: dict[str, dict] = {}
    for cle, statut, present, n in lignes:
        cle = cle or ""
        part = parts.setdefault(
            cle,
            {"cle": cle, "libelle": libelles.get(cle, cle or "Non renseigné"), "inscrits": 0, "presents": 0,
             "liste_attente": 0},
        )  # fmt: skip
        if statut == _CONFIRMEE:
            part["inscrits"] += n
            if present:
                part["presents"] += n
        elif statut == _ATTENTE:
            part["liste_attente"] += n
    return sorted(parts.values(), key=lambda p: (-p["inscrits"], p["libelle"]))


def statistiques(evenement: Evenement) -> dict:
    """Attendance of an event: confirmed registrations ("inscrits"), present, waiting list, cancelled, walk-ins;
    and the same by category, by organisation type and by commune (registered vs present). Four queries."""
    base = Inscription.objects.filter(evenement=evenement)
    totaux = base.aggregate(
        inscrits=Count("pk", filter=Q(statut=_CONFIRMEE)),
        presents=Count("pk", filter=Q(statut=_CONFIRMEE, present_le__isnull=False)),
        liste_attente=Count("pk", filter=Q(statut=_ATTENTE)),
        annulees=Count("pk", filter=Q(statut=Inscription.Statut.ANNULEE)),
        sur_place=Count("pk", filter=Q(origine=Inscription.Origine.SUR_PLACE)),
    )

    def lignes(champ):
        return (
            base.annotate(est_present=Q(present_le__isnull=False))
            .values_list(champ, "statut", "est_present")
            .annotate(n=Count("pk"))
            .order_by()
        )

    communes = {}
    for code, nom in base.filter(commune__isnull=False).values_list("commune_id", "commune__nom").distinct():
        communes[code] = nom
    return {
        **totaux,
        "taux_presence": round(100 * totaux["presents"] / totaux["inscrits"], 1) if totaux["inscrits"] else None,
        "par_categorie": _ventiler(lignes("categorie"), dict(Categorie.choices)),
        "par_type_organisation": _ventiler(lignes("type_organisation"), dict(Organisation.Type.choices)),
        "par_commune": _ventiler(lignes("commune_id"), communes),
    }
