"""Access rules of the network and its events (registered with maillage.core.permissions, loaded by
ReseauConfig.ready()).

Pilotes and conseillers of the Caf organise events and keep the annuaire in their départements; partners and
structures see the network's events and resources and their own registrations; the public sees published public
events, published news and public resources; a registrant sees and changes only their own registration (through
their account, or through the secret personal link, checked by the view)."""

from maillage.core.permissions import actif, dans_perimetre, est_admin, regle
from maillage.core.roles import Role

_CAF = {Role.PILOTE, Role.CONSEILLER}
_ACCES_PUBLICS = {"public", "invitation"}


def _departement_de(obj):
    """An event's parts (session, registration, batch…) → the event; anything with a département → itself."""
    if getattr(obj, "departement_id", None) is not None:
        # An event has a reverse one-to-one `enquete` whose `evenement` is the event again: stop here.
        return obj
    for chemin in ("evenement", "session", "inscription", "enquete", "envoi"):
        parent = getattr(obj, chemin, None)
        if parent is not None and not isinstance(parent, str | int):
            return _departement_de(parent)
    return obj


def _caf_du_departement(user, obj) -> bool:
    return est_admin(user) or (actif(user) and user.role in _CAF and dans_perimetre(user, _departement_de(obj)))


def _compte_du_departement(user, obj) -> bool:
    return est_admin(user) or (actif(user) and dans_perimetre(user, _departement_de(obj)))


@regle(
    "evenement.voir",
    public=True,
    cas={
        "publié, ouvert à tous": {"statut": "publie", "acces": "public"},
        "publié, réservé au réseau": {"statut": "publie", "acces": "reseau"},
        "brouillon": {"statut": "brouillon", "acces": "public"},
    },
)
def _evenement_voir(user, evenement):
    """Voir un événement du réseau : sa page, son programme, son lieu, son fichier iCalendar.

    A published event open to all or on invitation is public (a cancelled one stays readable, marked as such);
    one reserved to the network is read by the accounts of its département; a draft by its organisers."""
    if evenement is None:
        return False
    statut = getattr(evenement, "statut", "")
    if statut == "brouillon":
        return _caf_du_departement(user, evenement)
    if getattr(evenement, "acces", "") in _ACCES_PUBLICS:
        return True
    return _compte_du_departement(user, evenement)


@regle("evenement.organiser")
def _evenement_organiser(user, evenement):
    """Organiser un événement : le créer, le modifier, son programme, ses invitations, la liste des inscrits et
    ses exports, le pointage à l'entrée, la feuille d'émargement, les statistiques et l'enquête de satisfaction.

    The Caf's pilotes and conseillers of the département (an event, or a département to create one in)."""
    return evenement is not None and _caf_du_departement(user, evenement)


@regle("evenement.s_inscrire", propre="pour lui-même ou elle-même")
def _evenement_s_inscrire(user, evenement):
    """S'inscrire à un événement en un clic avec son compte (pour soi-même).

    Any account for an event open to all; the accounts of its département (the network) for an event on
    invitation or reserved to the network (registrations then checked by the service: deadline, capacity);
    anonymous visitors use the public form of events open to all, or their invitation link."""
    if evenement is None or not actif(user) or getattr(evenement, "statut", "") != "publie":
        return False
    return getattr(evenement, "acces", "") == "public" or _compte_du_departement(user, evenement)


@regle("inscription.gerer", propre="la sienne")
def _inscription_gerer(user, inscription):
    """Voir, modifier ou annuler une inscription à un événement.

    The organisers; the account that registered (its own registration). The personal link (secret token)
    gives the same access to the registrant without an account: the view checks the token."""
    if inscription is None or not actif(user):
        return False
    if _caf_du_departement(user, inscription):
        return True
    compte = getattr(inscription, "compte_id", None)
    return compte is not None and compte == user.pk


@regle("annuaire.voir", propre="sa propre fiche")
def _annuaire_voir(user, personne):
    """Consulter l'annuaire du réseau (personnes, fonctions, coordonnées) et ses listes de diffusion.

    Personal data: the Caf staff of the département (pilotes, conseillers); a person reads their own entry
    (an account with the same e-mail)."""
    if personne is None or not actif(user):
        return False
    if _caf_du_departement(user, personne):
        return True
    email = getattr(personne, "email", "")
    return bool(email) and email.lower() == (user.email or "").lower()


@regle("annuaire.gerer")
def _annuaire_gerer(user, personne):
    """Tenir l'annuaire du réseau : ajouter, modifier, importer, exporter, effacer des personnes ; gérer les
    listes de diffusion.

    The Caf's pilotes and conseillers of the département."""
    return personne is not None and _caf_du_departement(user, personne)


@regle(
    "ressource.voir",
    public=True,
    cas={"publique": {"visibilite": "public"}, "réseau": {"visibilite": "reseau"}, "Caf": {"visibilite": "caf"}},
)
def _ressource_voir(user, ressource):
    """Consulter une ressource du réseau (document, restitution, guide) et télécharger son fichier.

    Public ones by all; « réseau » ones by every account of the département; « Caf » ones by its pilotes and
    conseillers."""
    if ressource is None:
        return False
    visibilite = getattr(ressource, "visibilite", "")
    if visibilite == "public":
        return True
    if visibilite == "reseau":
        return _compte_du_departement(user, ressource)
    return _caf_du_departement(user, ressource)


@regle(
    "actualite.voir",
    public=True,
    cas={"publiée": {"statut": "publiee"}, "brouillon": {"statut": "brouillon"}},
)
def _actualite_voir(user, actualite):
    """Lire une actualité du réseau.

    Published ones by all (page and RSS/Atom feed); drafts by those who publish."""
    if actualite is None:
        return False
    if getattr(actualite, "statut", "") == "publiee":
        return True
    return _caf_du_departement(user, actualite)


@regle("reseau.publier")
def _reseau_publier(user, objet):
    """Publier dans le réseau : ressources (documents, restitutions des ateliers, étiquettes) et actualités.

    The Caf's pilotes and conseillers of the département."""
    return objet is not None and _caf_du_departement(user, objet)
