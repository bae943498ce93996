"""Writes of the e-mail batches of an event: create a batch (its recipients, and an invitation with its personal
token per person invited), launch its sending in the background, send the failures again.

The batch and all its rows are written in one transaction; the sending runs after, through
`maillage.core.travaux.travail_lancer` (a worker with the database backend, inline with the immediate one), so that
no request waits for thousands of e-mails. See `taches.py` for the sending itself.
"""

from django.core.exceptions import ValidationError
from django.db import transaction
from django.urls import reverse
from django.utils import timezone

from maillage.core.audit import acteur
from maillage.core.travaux import travail_lancer
from maillage.territoires.models import EPCI, Commune

from . import selectors_envois
from .models import Categorie, Destinataire, Envoi, Evenement, Invitation, ListeDiffusion, Personne
from .validation import exiger_droit, lever_erreurs, valider_texte

LONGUEUR_OBJET = 250
LONGUEUR_MESSAGE = 20_000
LOT = 500


def _valider_ids(erreurs, champ, modele, ids, *, filtre: dict, message: str) -> list:
    ids = [str(getattr(i, "pk", i)) for i in ids or ()]
    if not ids:
        return []
    try:
        trouves = {str(pk) for pk in modele.objects.filter(pk__in=ids, **filtre).values_list("pk", flat=True)}
    except (ValueError, TypeError):
        trouves = set()
    if set(ids) - trouves:
        erreurs[champ] = message
    return sorted(trouves)


def _valider(evenement, donnees: dict) -> dict:
    erreurs: dict[str, str] = {}
    dep = evenement.departement_id
    nature = donnees.get("nature")
    if nature not in Envoi.Nature.values:
        erreurs["nature"] = "Choisissez la nature de l'envoi."
    propre = {
        "nature": nature,
        "objet": valider_texte(
            erreurs, "objet", donnees.get("objet"), limite=LONGUEUR_OBJET, obligatoire="Donnez un objet."
        ),
        "message": valider_texte(erreurs, "message", donnees.get("message"), limite=LONGUEUR_MESSAGE),
        "avec_attente": bool(donnees.get("avec_attente")),
    }
    if propre["objet"] and ("\n" in propre["objet"] or "\r" in propre["objet"]):
        erreurs["objet"] = "L'objet tient sur une ligne."
    categories = [str(c) for c in donnees.get("categories") or ()]
    if set(categories) - set(Categorie.values):
        erreurs["categories"] = "Une des catégories choisies n'existe pas."
    propre["categories"] = categories
    propre["communes"] = _valider_ids(
        erreurs, "communes", Commune, donnees.get("communes"), filtre={"departement_id": dep},
        message="Une des communes choisies n'est pas dans le département de l'événement.",
    )  # fmt: skip
    propre["epci"] = _valider_ids(
        erreurs, "epci", EPCI, donnees.get("epci"), filtre={"communes__departement_id": dep},
        message="Un des EPCI choisis n'est pas dans le département de l'événement.",
    )  # fmt: skip
    propre["listes"] = [int(i) for i in _valider_ids(
        erreurs, "listes", ListeDiffusion, donnees.get("listes"), filtre={"departement_id": dep},
        message="Une des listes choisies n'est pas une liste du département.",
    )]  # fmt: skip
    propre["personnes"] = [int(i) for i in _valider_ids(
        erreurs, "personnes", Personne, donnees.get("personnes"), filtre={"departement_id": dep},
        message="Une des personnes choisies n'est pas dans l'annuaire du département.",
    )]  # fmt: skip
    if nature == Envoi.Nature.INVITATION:
        if not any(propre[k] for k in ("categories", "communes", "epci", "listes", "personnes")) and not erreurs:
            erreurs["__all__"] = "Choisissez au moins une catégorie, un territoire, une liste ou une personne."
        if evenement.statut == Evenement.Statut.ANNULE:
            erreurs["nature"] = "L'événement est annulé : on n'y invite plus."
        elif evenement.statut != Evenement.Statut.PUBLIE:
            erreurs["nature"] = "Publiez l'événement avant d'inviter : le lien d'invitation mène à sa page."
    if nature == Envoi.Nature.RAPPEL and evenement.statut != Evenement.Statut.PUBLIE:
        erreurs["nature"] = "Un rappel n'est envoyé que pour un événement publié."
    lever_erreurs(erreurs)
    return propre


def apercu(*, par, evenement, **donnees) -> selectors_envois.Selection:
    """Who the batch would go to, without writing anything (the preview before confirming)."""
    exiger_droit(par, "evenement.organiser", evenement)
    propre = _valider(evenement, donnees)
    return _selection(evenement, propre)


def _selection(evenement, propre: dict) -> selectors_envois.Selection:
    if propre["nature"] == Envoi.Nature.INVITATION:
        return selectors_envois.destinataires(
            evenement, **{k: propre[k] for k in ("categories", "communes", "epci", "listes", "personnes")}
        )
    return selectors_envois.inscrits_destinataires(
        evenement, nature=propre["nature"], avec_attente=propre["avec_attente"]
    )


def envoi_creer(*, par, evenement, lancer: bool = True, **donnees) -> Envoi:
    """Create a batch: the `Envoi`, one `Destinataire` per recipient (and one « écarté » row per person left out
    who has an address), an `Invitation` per person invited (the existing one of the same e-mail is reused, so
    the personal link never changes); then launch its sending in the background unless `lancer=False`.

    `donnees`: nature, objet, message, and for an invitation categories, communes, epci, listes, personnes; for a
    message, avec_attente (the waiting list too)."""
    exiger_droit(par, "evenement.organiser", evenement)
    propre = _valider(evenement, donnees)
    with transaction.atomic(), acteur(par):
        # Serialise batches of the same event: two at once would race for the same invitations.
        evenement = Evenement.objects.select_for_update().get(pk=evenement.pk)
        selection = _selection(evenement, propre)
        if not selection.retenus:
            raise ValidationError({"__all__": "Aucun destinataire : personne ne correspond à ces critères."})
        envoi = _ecrire(par=par, evenement=evenement, propre=propre, selection=selection)
    if lancer:
        envoi_lancer(envoi=envoi, par=par)
    return envoi


def _ecrire(*, par, evenement, propre: dict, selection) -> Envoi:
    nature = propre["nature"]
    sans_email = sum(1 for _, raison in selection.ecartes if raison == selectors_envois.SANS_EMAIL)
    criteres = {k: propre[k] for k in ("categories", "communes", "epci", "listes", "personnes")}
    criteres["avec_attente"] = propre["avec_attente"]
    criteres["sans_email"] = sans_email
    envoi = Envoi.objects.create(
        evenement=evenement,
        nature=nature,
        objet=propre["objet"],
        message=propre["message"],
        criteres=criteres,
        cree_par=par if getattr(par, "is_authenticated", False) else None,
    )
    lignes = []
    if nature == Envoi.Nature.INVITATION:
        invitations = _invitations(evenement, selection.retenus)
        for personne in selection.retenus:
            email = personne.email.strip().lower()
            lignes.append(
                Destinataire(
                    envoi=envoi, email=email, nom=personne.nom_complet[:300], personne=personne,
                    invitation=invitations[email],
                )
            )  # fmt: skip
        for personne, raison in selection.ecartes:
            if personne.email:
                lignes.append(
                    Destinataire(
                        envoi=envoi, email=personne.email.strip().lower(), nom=personne.nom_complet[:300],
                        personne=personne, statut=Destinataire.Statut.ECARTE, erreur=raison,
                    )
                )  # fmt: skip
    else:
        for inscription in selection.retenus:
            lignes.append(
                Destinataire(
                    envoi=envoi, email=inscription.email, nom=inscription.nom_complet[:300],
                    personne_id=inscription.personne_id, inscription=inscription,
                )
            )  # fmt: skip
        for inscription, raison in selection.ecartes:
            lignes.append(
                Destinataire(
                    envoi=envoi, email=inscription.email, nom=inscription.nom_complet[:300],
                    inscription=inscription, statut=Destinataire.Statut.ECARTE, erreur=raison,
                )
            )  # fmt: skip
    Destinataire.objects.bulk_create(lignes, batch_size=LOT)
    return envoi


def _invitations(evenement, personnes) -> dict[str, Invitation]:
    """One invitation per e-mail for the event: the existing ones reused, the missing ones created in bulk."""
    existantes = selectors_envois.invitations_par_email(evenement)
    nouvelles = []
    for personne in personnes:
        email = personne.email.strip().lower()
        if email not in existantes:
            invitation = Invitation(evenement=evenement, personne=personne, email=email, nom=personne.nom_complet[:300])
            existantes[email] = invitation
            nouvelles.append(invitation)
    Invitation.objects.bulk_create(nouvelles, batch_size=LOT)
    return existantes


def envoi_lancer(*, envoi: Envoi, par=None) -> Envoi:
    """Start (or restart) the background sending of a batch; its job id is kept on the batch. Outside any
    transaction: the worker must see the rows, and the immediate backend runs the task right here."""
    from . import taches  # the task module imports this one's neighbours

    travail = travail_lancer(
        tache=taches.envoyer_envoi,
        nature="reseau.envoi",
        libelle=f"{envoi.get_nature_display()} — {envoi.objet}"[:200],
        demandeur=par,
        regle="evenement.organiser",
        departement_id=envoi.evenement.departement_id,
        url_resultat=reverse("reseau:envoi", args=[envoi.evenement_id, envoi.pk]),
        envoi_id=envoi.pk,
    )
    Envoi.objects.filter(pk=envoi.pk).update(id_travail=travail.pk)
    envoi.refresh_from_db()
    return envoi


def echecs_renvoyer(*, par, envoi: Envoi) -> int:
    """Put the failed recipients of a batch back in the queue and launch the sending again. Returns how many."""
    exiger_droit(par, "evenement.organiser", envoi.evenement)
    with transaction.atomic(), acteur(par):
        nombre = Destinataire.objects.filter(envoi=envoi, statut=Destinataire.Statut.ECHEC).update(
            statut=Destinataire.Statut.A_ENVOYER, erreur=""
        )
        if nombre:
            Envoi.objects.filter(pk=envoi.pk).update(statut=Envoi.Statut.EN_ATTENTE, termine_le=None)
    if nombre:
        envoi_lancer(envoi=envoi, par=par)
    return nombre


def rappels_creer(*, evenement, objet: str, message: str = "", lancer: bool = True) -> Envoi | None:
    """The reminder of an event to its confirmed registrants not yet reminded (the daily command: no user, no
    permission to check). None when everyone already had theirs."""
    propre = {
        "nature": Envoi.Nature.RAPPEL, "objet": objet[:LONGUEUR_OBJET], "message": message, "avec_attente": False,
        "categories": [], "communes": [], "epci": [], "listes": [], "personnes": [],
    }  # fmt: skip
    with transaction.atomic():
        evenement = Evenement.objects.select_for_update().get(pk=evenement.pk)
        selection = selectors_envois.inscrits_destinataires(evenement, nature=Envoi.Nature.RAPPEL)
        if not selection.retenus:
            return None
        selection.ecartes = []  # the batch lists only this day's recipients
        envoi = _ecrire(par=None, evenement=evenement, propre=propre, selection=selection)
    if lancer:
        envoi_lancer(envoi=envoi)
    return envoi


def envoi_terminer(envoi_id: int, *, statut: str) -> None:
    Envoi.objects.filter(pk=envoi_id).update(statut=statut, termine_le=timezone.now())
