"""Reads about accounts: profiles, the accounts of a département, their audit trail."""

from dataclasses import dataclass
from datetime import UTC, datetime

from auditlog.models import LogEntry
from django.contrib.auth.hashers import UNUSABLE_PASSWORD_PREFIX
from django.contrib.contenttypes.models import ContentType
from django.core.exceptions import FieldDoesNotExist
from django.db import models
from django.db.models import Count, Q
from django.utils import timezone
from django.utils.formats import date_format

from maillage.core import horloge
from maillage.core.permissions import departements_autorises
from maillage.territoires.models import EPCI, Commune, Departement

from .models import Mandat, Organisation, Utilisateur


def profil(user) -> Utilisateur:
    """The user with their départements and communes, for « Mon espace » and the API."""
    return (
        Utilisateur.objects.select_related("structure", "organisation")
        .prefetch_related("departements", "communes")
        .get(pk=user.pk)
    )


def departements_geres(user):
    """Départements whose accounts the user manages (all of them for an admin)."""
    return departements_autorises(user, "comptes.gerer", Departement.objects.order_by("code"))


def communes_des_departements(codes):
    return Commune.objects.filter(departement_id__in=codes).only("code", "nom", "departement_id").order_by("nom")


def organisations_pour_choix(codes):
    return Organisation.objects.filter(departement_id__in=codes, actif=True).order_by("nom")


def epci_du_departement(code: str):
    return EPCI.objects.filter(communes__departement_id=code).distinct().order_by("nom")


def organisations_du_departement(code: str):
    """Organisations of a département with their number of accounts and of live mandates (one query)."""
    aujourdhui = horloge.aujourdhui()
    en_vigueur = Q(mandats__revoque_le__isnull=True, mandats__debut__lte=aujourdhui) & (
        Q(mandats__fin__isnull=True) | Q(mandats__fin__gte=aujourdhui)
    )
    return (
        Organisation.objects.filter(departement_id=code)
        .annotate(
            nombre_comptes=Count("comptes", distinct=True),
            nombre_mandats=Count("mandats", filter=en_vigueur, distinct=True),
        )
        .order_by("nom")
    )


def mandats_en_cours_du_compte(user):
    """The live mandates that apply to this account (its organisation's, or those naming it)."""
    if not user.organisation_id:
        return Mandat.objects.none()
    aujourdhui = horloge.aujourdhui()
    return (
        Mandat.objects.filter(
            organisation_id=user.organisation_id,
            organisation__actif=True,
            revoque_le__isnull=True,
            debut__lte=aujourdhui,
        )
        .filter(Q(fin__isnull=True) | Q(fin__gte=aujourdhui))
        .filter(Q(utilisateur__isnull=True) | Q(utilisateur_id=user.pk))
        .order_by("nature", "debut")
    )


def mandats_de_l_organisation(organisation):
    return organisation.mandats.select_related("utilisateur", "accorde_par", "revoque_par").order_by("-debut", "-pk")


def mandats_du_departement(code: str):
    return Mandat.objects.filter(departement_id=code).select_related("organisation", "utilisateur", "accorde_par")


class Statut:
    ACTIF = "actif"
    INVITE = "invite"
    DESACTIVE = "desactive"

    choices = [(ACTIF, "Actif"), (INVITE, "Invitation en attente"), (DESACTIVE, "Désactivé")]


def comptes_du_departement(code: str, *, role: str = "", statut: str = "", recherche: str = ""):
    """Accounts attached to a département, with their départements prefetched and communes counted.

    One query for the rows and one for their départements, however many accounts there are.
    """
    comptes = (
        Utilisateur.objects.filter(departements__code=code)
        .annotate(nombre_communes=Count("communes", distinct=True))
        .select_related("organisation")
        .prefetch_related("departements")
        .order_by("last_name", "first_name", "email")
    )
    if role:
        comptes = comptes.filter(role=role)
    if statut == Statut.DESACTIVE:
        comptes = comptes.filter(is_active=False)
    elif statut == Statut.INVITE:
        # An invited account has no usable password until its owner follows the link.
        comptes = comptes.filter(is_active=True, password__startswith=UNUSABLE_PASSWORD_PREFIX)
    elif statut == Statut.ACTIF:
        comptes = comptes.filter(is_active=True).exclude(password__startswith=UNUSABLE_PASSWORD_PREFIX)
    if recherche:
        comptes = comptes.filter(
            Q(email__icontains=recherche)
            | Q(first_name__icontains=recherche)
            | Q(last_name__icontains=recherche)
            | Q(organisme__icontains=recherche)
        )
    return comptes


def statut(compte: Utilisateur) -> str:
    if not compte.is_active:
        return Statut.DESACTIVE
    return Statut.ACTIF if compte.has_usable_password() else Statut.INVITE


# --- Audit trail ------------------------------------------------------------

ACTIONS = {
    LogEntry.Action.CREATE: "Création",
    LogEntry.Action.UPDATE: "Modification",
    LogEntry.Action.DELETE: "Suppression",
    LogEntry.Action.ACCESS: "Consultation",
}


def journal_des_comptes(code: str):
    """Audit entries about the accounts attached to a département, newest first."""
    comptes = Utilisateur.objects.filter(departements__code=code).values("pk")
    return (
        LogEntry.objects.filter(
            content_type=ContentType.objects.get_for_model(Utilisateur),
            object_id__in=comptes,
        )
        .select_related("actor")
        .order_by("-timestamp", "-pk")
    )


def journal_du_compte(compte: Utilisateur):
    return LogEntry.objects.get_for_object(compte).select_related("actor").order_by("-timestamp", "-pk")


@dataclass(frozen=True)
class Changement:
    champ: str
    avant: str
    apres: str


def _valeur(champ, valeur) -> str:
    if valeur in (None, "None", ""):
        return "—"
    if champ is not None and champ.choices:
        return str(dict(champ.choices).get(valeur, valeur))
    if valeur in ("True", "False"):
        return "oui" if valeur == "True" else "non"
    if isinstance(champ, models.DateTimeField):
        # auditlog writes datetimes as UTC text without an offset.
        try:
            moment = datetime.fromisoformat(valeur).replace(tzinfo=UTC)
        except ValueError:
            return str(valeur)
        return date_format(timezone.localtime(moment), "d/m/Y à H:i")
    return str(valeur)


def changements(entree: LogEntry) -> list[Changement]:
    """The fields an audit entry changed, with French labels and values."""
    resultat = []
    for nom, valeurs in (entree.changes_dict or {}).items():
        if nom in ("id", "version"):  # technical: the optimistic lock of the edit form
            continue
        try:
            champ = Utilisateur._meta.get_field(nom)
            libelle = str(champ.verbose_name)
        except (FieldDoesNotExist, AttributeError):  # unknown, or a reverse relation of the same name
            champ, libelle = None, nom
        if isinstance(valeurs, dict):
            # Many-to-many: auditlog records the objects added or removed.
            objets = ", ".join(valeurs.get("objects", []))
            if valeurs.get("operation") == "add":
                resultat.append(Changement(libelle, "", f"ajout : {objets}"))
            else:
                resultat.append(Changement(libelle, f"retrait : {objets}", ""))
            continue
        avant, apres = (list(valeurs) + [None, None])[:2]
        if entree.action == LogEntry.Action.CREATE:
            # A creation has no "before"; its empty and "no" values are noise.
            if apres not in (None, "None", "", "False"):
                resultat.append(Changement(libelle, "", _valeur(champ, apres)))
            continue
        resultat.append(Changement(libelle, _valeur(champ, avant), _valeur(champ, apres)))
    return resultat


@dataclass(frozen=True)
class EntreeLisible:
    entree: LogEntry
    action: str
    changements: list[Changement]

    @property
    def auteur(self) -> str:
        if self.entree.actor is not None:
            return str(self.entree.actor)
        # The actor may have been deleted since; auditlog keeps their address. A command-line import names its author.
        return self.entree.actor_email or self.donnees.get("auteur") or "Système (commande ou chargement de données)"

    @property
    def donnees(self) -> dict:
        return self.entree.additional_data if isinstance(self.entree.additional_data, dict) else {}

    @property
    def chargement(self) -> int | None:
        """The journal row (`territoires.Chargement`) of the import that wrote this entry, if any."""
        pk = self.donnees.get("chargement")
        return pk if isinstance(pk, int) else None


def entrees_lisibles(entrees) -> list[EntreeLisible]:
    return [EntreeLisible(e, ACTIONS.get(e.action, str(e.action)), changements(e)) for e in entrees]
