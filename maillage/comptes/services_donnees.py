"""Export and erasure of one person's personal data (the registry of maillage.core.donnees_personnelles), each
journaled in OperationDonneesPersonnelles. `par=None` is the command line (an operator of the server)."""

from auditlog.context import disable_auditlog
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.validators import validate_email
from django.db import transaction
from django.utils import timezone

from maillage.core import donnees_personnelles as registre
from maillage.core.permissions import exiger, peut
from maillage.territoires.models import Departement

from .models import OperationDonneesPersonnelles, Utilisateur

LIGNE_DE_COMMANDE = "ligne de commande"


class Personne:
    """The person whose data is asked for, with the départements their objects lie in (for the rule)."""

    def __init__(self, email: str):
        self.email = registre.normaliser(email)
        self.codes_departements = registre.departements(self.email)
        self.departements = Departement.objects.filter(code__in=self.codes_departements)
        self.sources = registre.exporter(self.email)
        self.trouvee = any(s["donnees"] for s in self.sources.values())

    def __str__(self):
        return self.email


def personne_trouver(*, par, email: str) -> Personne:
    email = registre.normaliser(email)
    try:
        validate_email(email)
    except ValidationError:
        raise ValidationError({"email": "Saisissez une adresse e-mail valide."}) from None
    personne = Personne(email)
    if par is not None:
        # Data held but in no département (an admin account, bare login attempts): administrators only.
        exiger(par, "donnees_personnelles.gerer", personne if personne.trouvee else None)
    return personne


def _journaliser(*, par, action, email, resume) -> OperationDonneesPersonnelles:
    return OperationDonneesPersonnelles.objects.create(
        action=action, email=email, par=par, par_libelle=str(par) if par else LIGNE_DE_COMMANDE, resume=resume
    )


def donnees_exporter(*, par, email: str) -> dict:
    """Everything held about the person, as JSON-ready values; the export itself is journaled."""
    personne = personne_trouver(par=par, email=email)
    sources = personne.sources
    with transaction.atomic():
        _journaliser(
            par=par,
            action=OperationDonneesPersonnelles.Action.EXPORT,
            email=personne.email,
            resume={cle: len(s["donnees"]) for cle, s in sources.items()},
        )
    return {"personne": personne.email, "genere_le": timezone.now().isoformat(), "sources": sources}


def donnees_effacer(*, par, email: str) -> dict[str, str]:
    """Erase or anonymise per docs/donnees-personnelles.md; returns what each source did (journaled)."""
    personne = personne_trouver(par=par, email=email)
    compte = Utilisateur.objects.filter(email__iexact=personne.email).first()
    if par is not None and compte is not None:
        if compte.pk == par.pk:
            raise ValidationError("Vous ne pouvez pas effacer votre propre compte : demandez-le à un·e autre pilote.")
        if not peut(par, "compte.modifier", compte):
            raise PermissionDenied("Ce compte est géré par l'administration technique.")
    # The erasure must not copy the erased values into new audit entries; this journal row is its trace.
    with transaction.atomic(), disable_auditlog():
        resultat = registre.effacer(personne.email)
        _journaliser(
            par=par, action=OperationDonneesPersonnelles.Action.EFFACEMENT, email=personne.email, resume=resultat
        )
    return resultat
