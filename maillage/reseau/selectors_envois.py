"""Reads of the e-mail batches of an event: who would receive a batch (and who is left out, and why), the members
of a mailing list, the batches of an event with their counts, the recipients of one batch."""

from dataclasses import dataclass, field

from django.db.models import Count, Q

from maillage.core.models import Travail
from maillage.territoires.models import EPCI, Commune

from .models import Destinataire, Envoi, Evenement, Inscription, Invitation, ListeDiffusion, Personne

# Reasons a person of the annuaire is left out of a batch (shown on the preview and on the batch's page).
SANS_EMAIL = "Pas d'adresse e-mail dans l'annuaire"
OPPOSITION = "Opposée aux envois"
DEJA_INSCRITE = "Déjà inscrite à l'événement"
DEJA_INVITEE = "Invitation déjà envoyée"
DEJA_RAPPELEE = "Rappel déjà envoyé"


@dataclass
class Selection:
    """The outcome of a choice of recipients: those kept and those left out with their reason."""

    retenus: list = field(default_factory=list)
    # [(person or registration, reason)]
    ecartes: list = field(default_factory=list)

    @property
    def nombre(self) -> int:
        return len(self.retenus)

    def ecartes_par_raison(self) -> dict[str, int]:
        compte: dict[str, int] = {}
        for _, raison in self.ecartes:
            compte[raison] = compte.get(raison, 0) + 1
        return compte


def _ids(valeurs) -> list:
    return [getattr(v, "pk", v) for v in valeurs or ()]


def _filtre_criteres(*, categories=(), communes=(), epci=()) -> Q | None:
    """Category AND territory (commune, or commune of an EPCI); None when no criterion is given."""
    if not (categories or communes or epci):
        return None
    filtre = Q()
    if categories:
        filtre &= Q(categorie__in=list(categories))
    if communes or epci:
        filtre &= Q(commune__in=_ids(communes)) | Q(commune__epci__in=_ids(epci))
    return filtre


def membres_liste(liste: ListeDiffusion):
    """The people of a mailing list: those of its categories and territories (communes, EPCI) of its département,
    plus those added by hand. A list with neither category nor territory holds only its hand-picked people.
    Returns a queryset of `Personne` (opposition and e-mail not filtered: the caller decides)."""
    communes = list(liste.communes.values_list("pk", flat=True))
    epci = list(liste.epci.values_list("pk", flat=True))
    filtre = _filtre_criteres(categories=liste.categories or (), communes=communes, epci=epci)
    choisis = Q(listes=liste)
    qs = Personne.objects.filter(departement_id=liste.departement_id)
    ids = qs.filter(choisis | filtre if filtre is not None else choisis).values("pk")
    return Personne.objects.filter(pk__in=ids).select_related("commune", "organisation")


def personnes_choisies(evenement, *, categories=(), communes=(), epci=(), listes=(), personnes=()):
    """The people of the event's département chosen by criteria (category AND territory), by list or by hand
    (union of the three), as a queryset."""
    filtre = _filtre_criteres(categories=categories, communes=communes, epci=epci)
    choix = Q(pk__in=_ids(personnes)) if personnes else Q(pk__in=[])
    if filtre is not None:
        choix |= filtre
    for liste in ListeDiffusion.objects.filter(departement_id=evenement.departement_id, pk__in=_ids(listes)):
        choix |= Q(pk__in=membres_liste(liste).values("pk"))
    return (
        Personne.objects.filter(departement_id=evenement.departement_id)
        .filter(choix)
        .select_related("commune", "organisation")
        .order_by("nom", "prenom", "pk")
    )


def emails_deja_invites(evenement) -> set[str]:
    """E-mails that already received (or are about to receive) an invitation to the event."""
    return set(
        Destinataire.objects.filter(
            envoi__evenement=evenement,
            envoi__nature=Envoi.Nature.INVITATION,
            statut__in=[Destinataire.Statut.A_ENVOYER, Destinataire.Statut.ENVOYE],
        ).values_list("email", flat=True)
    )


def emails_inscrits(evenement) -> set[str]:
    return set(
        Inscription.objects.filter(evenement=evenement)
        .exclude(statut=Inscription.Statut.ANNULEE)
        .values_list("email", flat=True)
    )


def destinataires(evenement, *, categories=(), communes=(), epci=(), listes=(), personnes=()) -> Selection:
    """The people to invite to `evenement`: people of its département chosen by category and territory, by list
    or by hand, with an e-mail, not opposed to mailings, not already registered nor already invited. Those left
    out are reported with their reason. A few queries (two more per list), whatever the number of people."""
    deja_inscrits = emails_inscrits(evenement)
    deja_invites = emails_deja_invites(evenement)
    selection = Selection()
    for personne in personnes_choisies(
        evenement, categories=categories, communes=communes, epci=epci, listes=listes, personnes=personnes
    ):
        email = (personne.email or "").strip().lower()
        if not email:
            selection.ecartes.append((personne, SANS_EMAIL))
        elif personne.opposition_le is not None:
            selection.ecartes.append((personne, OPPOSITION))
        elif email in deja_inscrits:
            selection.ecartes.append((personne, DEJA_INSCRITE))
        elif email in deja_invites:
            selection.ecartes.append((personne, DEJA_INVITEE))
        else:
            selection.retenus.append(personne)
    return selection


def inscrits_destinataires(evenement, *, nature: str, avec_attente: bool = False) -> Selection:
    """The registrations a message, a reminder or the survey goes to: confirmed ones (and the waiting list when
    asked) for a message; confirmed ones not yet reminded for a reminder; those present for the survey."""
    qs = Inscription.objects.filter(evenement=evenement).order_by("nom", "prenom", "pk")
    selection = Selection()
    if nature == Envoi.Nature.ENQUETE:
        selection.retenus = list(qs.filter(statut=Inscription.Statut.CONFIRMEE, present_le__isnull=False))
        return selection
    statuts = [Inscription.Statut.CONFIRMEE]
    if avec_attente and nature == Envoi.Nature.MESSAGE:
        statuts.append(Inscription.Statut.LISTE_ATTENTE)
    inscriptions = list(qs.filter(statut__in=statuts))
    if nature == Envoi.Nature.RAPPEL:
        rappeles = set(
            Destinataire.objects.filter(
                envoi__evenement=evenement,
                envoi__nature=Envoi.Nature.RAPPEL,
                statut__in=[Destinataire.Statut.A_ENVOYER, Destinataire.Statut.ENVOYE],
            ).values_list("email", flat=True)
        )
        for inscription in inscriptions:
            if inscription.email in rappeles:
                selection.ecartes.append((inscription, DEJA_RAPPELEE))
            else:
                selection.retenus.append(inscription)
        return selection
    selection.retenus = inscriptions
    return selection


# --- Choices of the batch form ----------------------------------------------------------------------------------


def communes_du_departement(departement_id: str):
    return Commune.objects.filter(departement_id=departement_id).order_by("nom").only("code", "nom")


def epci_du_departement(departement_id: str):
    return EPCI.objects.filter(communes__departement_id=departement_id).distinct().order_by("nom").only("pk", "nom")


def listes_du_departement(departement_id: str):
    return ListeDiffusion.objects.filter(departement_id=departement_id).order_by("nom")


def personnes_pour_choix(departement_id: str, *, recherche: str = "", inclure=(), limite: int = 200):
    """People of the département for the hand-picked select: those matching `recherche` (name, e-mail,
    organisation), at most `limite`, plus those already chosen (`inclure`) so a search never drops a choice."""
    qs = Personne.objects.filter(departement_id=departement_id).select_related("organisation")
    trouves = qs
    if recherche:
        trouves = qs.filter(
            Q(nom__icontains=recherche)
            | Q(prenom__icontains=recherche)
            | Q(email__icontains=recherche)
            | Q(organisation__nom__icontains=recherche)
            | Q(fonction__icontains=recherche)
        )
    ids = list(trouves.order_by("nom", "prenom", "pk").values_list("pk", flat=True)[:limite])
    ids += [i for i in _ids(inclure) if i not in ids]
    return qs.filter(pk__in=ids).order_by("nom", "prenom", "pk")


# --- Batches and their recipients -------------------------------------------------------------------------------


def _compteurs():
    S = Destinataire.Statut
    return {
        "nb_a_envoyer": Count("destinataires", filter=Q(destinataires__statut=S.A_ENVOYER)),
        "nb_envoyes": Count("destinataires", filter=Q(destinataires__statut=S.ENVOYE)),
        "nb_echecs": Count("destinataires", filter=Q(destinataires__statut=S.ECHEC)),
        "nb_ecartes": Count("destinataires", filter=Q(destinataires__statut=S.ECARTE)),
    }


def envois_de(evenement):
    """The batches of an event, newest first, with their counts by status (one query)."""
    return (
        Envoi.objects.filter(evenement=evenement)
        .select_related("cree_par")
        .annotate(**_compteurs())
        .order_by("-cree_le", "-pk")
    )


def _ecartes_total(envoi: Envoi) -> Envoi:
    # People without an address have no row (no e-mail to key it): the batch keeps their number.
    envoi.ecartes_total = envoi.nb_ecartes + int((envoi.criteres or {}).get("sans_email") or 0)
    return envoi


def envois_liste(evenement) -> list[Envoi]:
    return [_ecartes_total(e) for e in envois_de(evenement)]


def envoi_de(evenement, envoi_pk) -> Envoi | None:
    envoi = envois_de(evenement).filter(pk=envoi_pk).first()
    return _ecartes_total(envoi) if envoi else None


def destinataires_de(envoi, *, statut: str = ""):
    qs = Destinataire.objects.filter(envoi=envoi).order_by("email", "pk")
    if statut:
        qs = qs.filter(statut=statut)
    return qs


def invitations_par_email(evenement) -> dict[str, Invitation]:
    return {i.email: i for i in Invitation.objects.filter(evenement=evenement)}


def evenement_des_envois(pk) -> Evenement | None:
    return Evenement.objects.select_related("departement", "lieu_commune").filter(pk=pk).first()


def travail_de(envoi) -> Travail | None:
    return Travail.objects.filter(pk=envoi.id_travail).first() if envoi.id_travail else None
