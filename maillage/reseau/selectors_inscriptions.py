"""Reads of the registrations: the personal page (by secret token), the places left, my registrations, the
organisers' list (filters, counts, waiting-list order) and its export."""

from django.db.models import Count, Q

from .models import Categorie, Evenement, Inscription, InscriptionSession, Invitation, SessionProgramme

_CONFIRMEE = Inscription.Statut.CONFIRMEE
_ATTENTE = Inscription.Statut.LISTE_ATTENTE
_JETON_MAX = 64


def inscription_par_jeton(jeton: str) -> Inscription | None:
    """The registration whose personal link carries `jeton` (None when unknown: the page answers 404)."""
    if not jeton or len(jeton) > _JETON_MAX:
        return None
    return (
        Inscription.objects.select_related("evenement", "evenement__lieu_commune", "evenement__departement", "commune")
        .filter(jeton=jeton)
        .first()
    )


def invitation_par_jeton(jeton: str) -> Invitation | None:
    if not jeton or len(jeton) > _JETON_MAX:
        return None
    invitations = Invitation.objects.select_related("evenement", "personne", "personne__organisation")
    return invitations.filter(jeton=jeton).first()


def places_restantes(evenement: Evenement) -> int | None:
    """Confirmed places left (None: no limit)."""
    if evenement.capacite is None:
        return None
    confirmes = evenement.inscriptions.filter(statut=_CONFIRMEE).count()
    return max(0, evenement.capacite - confirmes)


def sessions_au_choix(evenement: Evenement, *, sauf: Inscription | None = None) -> list[SessionProgramme]:
    """The sessions offered to choose, each with `restantes` (None: no own limit). One query."""
    reservees = Q(choix__reservee=True, choix__inscription__statut=_CONFIRMEE)
    if sauf is not None:
        reservees &= ~Q(choix__inscription=sauf)
    qs = evenement.sessions.filter(au_choix=True).annotate(prises=Count("choix", filter=reservees))
    sessions = list(qs.order_by("debut", "ordre", "pk"))
    for s in sessions:
        s.restantes = None if s.capacite is None else max(0, s.capacite - s.prises)
    return sessions


def sessions_choisies(inscription: Inscription) -> list[InscriptionSession]:
    return list(inscription.choix.select_related("session").order_by("session__debut", "session__pk"))


def position_attente(inscription: Inscription) -> int | None:
    """1 for the first on the waiting list; None when not waiting."""
    if inscription.statut != _ATTENTE:
        return None
    avant = Inscription.objects.filter(evenement_id=inscription.evenement_id, statut=_ATTENTE).filter(
        Q(cree_le__lt=inscription.cree_le) | Q(cree_le=inscription.cree_le, pk__lt=inscription.pk)
    )
    return avant.count() + 1


def mes_inscriptions(user):
    """The registrations of an account: made with it, or with its e-mail address. Newest events first."""
    if not getattr(user, "is_authenticated", False):
        return Inscription.objects.none()
    filtre = Q(compte=user)
    if user.email:
        filtre |= Q(email=user.email.strip().lower())
    return (
        Inscription.objects.filter(filtre)
        .select_related("evenement", "evenement__lieu_commune")
        .order_by("-evenement__debut", "pk")
    )


def compteurs(evenement: Evenement) -> dict:
    return Inscription.objects.filter(evenement=evenement).aggregate(
        confirmees=Count("pk", filter=Q(statut=_CONFIRMEE)),
        liste_attente=Count("pk", filter=Q(statut=_ATTENTE)),
        annulees=Count("pk", filter=Q(statut=Inscription.Statut.ANNULEE)),
        presents=Count("pk", filter=Q(present_le__isnull=False)),
    )


def inscriptions_filtrees(evenement: Evenement, *, statut: str = "", categorie: str = "", recherche: str = ""):
    """The organisers' list. The waiting list alone is in its order (first come, first served); otherwise by
    name. Each row has `position` (its rank on the waiting list) through `positions_attente`."""
    qs = Inscription.objects.filter(evenement=evenement)
    if statut in Inscription.Statut.values:
        qs = qs.filter(statut=statut)
    if categorie in Categorie.values:
        qs = qs.filter(categorie=categorie)
    recherche = " ".join((recherche or "").split())[:100]
    for mot in recherche.split(" ") if recherche else ():
        qs = qs.filter(Q(nom__icontains=mot) | Q(prenom__icontains=mot) | Q(organisation_nom__icontains=mot))
    if statut == _ATTENTE:
        return qs.order_by("cree_le", "pk")
    return qs.order_by("nom", "prenom", "pk")


def positions_attente(evenement: Evenement) -> dict[int, int]:
    """{registration id: rank on the waiting list}, one query."""
    ids = Inscription.objects.filter(evenement=evenement, statut=_ATTENTE).order_by("cree_le", "pk")
    return {pk: rang for rang, pk in enumerate(ids.values_list("pk", flat=True), start=1)}


def lignes_export(evenement: Evenement, *, coordonnees: bool):
    """(headers, rows) of the export: minimal personal data; e-mail and phone only when `coordonnees`."""
    entetes = ["Nom", "Prénom", "Organisation", "Catégorie", "Statut", "Présent·e"]
    if coordonnees:
        entetes += ["Adresse e-mail", "Téléphone"]
    categories = dict(Categorie.choices)
    statuts = dict(Inscription.Statut.choices)
    champs = ["nom", "prenom", "organisation_nom", "categorie", "statut", "present_le", "email", "telephone"]
    lignes = []
    for nom, prenom, organisation, categorie, statut, present_le, email, telephone in (
        Inscription.objects.filter(evenement=evenement).order_by("nom", "prenom", "pk").values_list(*champs)
    ):
        ligne = [nom, prenom, organisation, categories.get(categorie, categorie), statuts.get(statut, statut),
                 present_le is not None]  # fmt: skip
        if coordonnees:
            ligne += [email, telephone]
        lignes.append(ligne)
    return entetes, lignes


def mes_invitations(user):
    """The invitations sent to an account's e-mail address (invitations go to people of the directory, who may
    also have an account)."""
    if not getattr(user, "is_authenticated", False) or not user.email:
        return Invitation.objects.none()
    return Invitation.objects.filter(email=user.email.strip().lower())
