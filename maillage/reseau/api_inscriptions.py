"""API of the registrations (mounted by api.py under /api/v1/evenements): register to an event.

Anonymous clients may register to published events open to all (the same rules as the public form, through
`services.inscription_creer`, origin « api »); the requests are throttled per client IP (`freins`)."""

from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404
from ninja import Field, Router, Schema, Status
from ninja.utils import check_csrf

from maillage.core.permissions import peut
from maillage.core.schemas import Erreur, erreurs

from . import freins, notifications, services
from .models import Evenement, Inscription

router = Router()

LIEN_RENVOYE = (
    "Cette adresse était déjà inscrite : son lien personnel vient de lui être envoyé à nouveau par e-mail "
    "(le code n'est donné qu'au compte connecté qui a fait l'inscription)."
)


class InscriptionIn(Schema):
    nom: str = Field(max_length=150)
    prenom: str = Field("", max_length=150)
    email: str = Field(max_length=254, description="Adresse e-mail (une seule inscription par adresse et événement)")
    telephone: str = Field("", max_length=30)
    fonction: str = Field("", max_length=200)
    organisation: str = Field("", max_length=200, description="Nom de l'organisation")
    type_organisation: str = Field("", description="Type d'organisation (valeurs de comptes.Organisation.Type)")
    categorie: str = Field("autre", description="Catégorie de participant (elu, centre_social, evs, caf, autre…)")
    sessions: list[int] = Field(default_factory=list, description="Identifiants des sessions au choix retenues")
    consentement: bool = Field(False, description="Accord pour être recontacté·e par le réseau (annuaire)")


class InscriptionOut(Schema):
    statut: str = Field(description="« confirmee » ou « liste_attente »")
    code: str | None = Field(description="Code personnel (accueil, QR code) ; null pour une inscription existante")
    detail: str | None = None


def _compte(request):
    """The session's account when the request proves it (session and CSRF token); else None (anonymous)."""
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated or check_csrf(request):
        return None
    return user


@router.post(
    "/{evenement_id}/inscriptions",
    response={
        201: InscriptionOut,
        200: InscriptionOut,
        403: Erreur,
        404: Erreur,
        409: Erreur,
        429: Erreur,
        **erreurs(400, 422),
    },
    operation_id="reseau_inscription_creer",
    summary="S'inscrire à un événement",
    description=(
        "Inscrit une personne à un événement publié ouvert à tous (sans authentification), ou, pour un compte "
        "connecté (session et jeton CSRF), à un événement qui lui est ouvert. Réponse 201 : "
        '`{statut: "confirmee" | "liste_attente", code}`.\n\n'
        "**La même adresse e-mail à nouveau** ne crée pas une seconde inscription : réponse 200 avec le `statut` "
        "de l'inscription existante, `code: null` et un `detail` disant que le lien personnel a été renvoyé par "
        "e-mail à cette adresse — le code n'est jamais donné à qui tape seulement une adresse. Seul le compte "
        "connecté qui a fait l'inscription reçoit son code.\n\n"
        "Erreurs : 404 événement inconnu ou non visible ; 403 inscription sur invitation ou réservée au réseau "
        "(raison en français) ; 409 inscriptions fermées, date limite passée, événement passé ou complet "
        "(`detail` : la raison) ; 422 champs invalides (`erreurs` par champ) ; 429 trop de demandes depuis la "
        "même adresse IP."
    ),
)
def inscription_creer(request, evenement_id: int, donnees: InscriptionIn):
    if freins.trop_de_requetes(request, "api_inscription"):
        return Status(429, {"detail": freins.MESSAGE})
    compte = _compte(request)
    evenement = Evenement.objects.filter(pk=evenement_id).first()
    if evenement is None or not peut(compte, "evenement.voir", evenement):
        raise Http404("Événement introuvable.")
    email = services.normaliser_email(donnees.email)
    origine = Inscription.Origine.API
    if compte is not None and email == services.normaliser_email(compte.email):
        origine = Inscription.Origine.COMPTE
    identite = donnees.dict(exclude={"sessions", "consentement", "organisation"})
    try:
        inscription, creee = services.inscription_creer(
            evenement=evenement, par=compte, origine=origine, sessions=donnees.sessions,
            consentement=donnees.consentement, organisation_nom=donnees.organisation, **identite,
        )  # fmt: skip
    except ValidationError as e:
        return Status(422, {"detail": "Inscription refusée : corrigez les champs signalés.", "erreurs": e.message_dict})
    except services.InscriptionImpossible as e:
        return Status(409, {"detail": e.raison})
    except PermissionDenied as e:
        return Status(403, {"detail": str(e) or services.REFUS})
    if creee:
        return Status(201, {"statut": inscription.statut, "code": inscription.code})
    if compte is not None and inscription.compte_id == compte.pk:
        return Status(200, {"statut": inscription.statut, "code": inscription.code})
    notifications.planifier("inscription_enregistree", inscription.pk)
    return Status(200, {"statut": inscription.statut, "code": None, "detail": LIEN_RENVOYE})
