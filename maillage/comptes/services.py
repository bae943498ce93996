"""Writes about accounts: invite, modify, deactivate. Each checks the actor's rights itself.

Forms already restrict their choices; these checks are the rule for any other caller (API, shell,
commands) and the last line against a forged form. The audit trail records every change with its
actor (`audit.acteur`), and e-mails leave only once the transaction is committed.
"""

from collections.abc import Iterable

from axes.utils import reset as axes_reset
from django.conf import settings
from django.contrib.auth.tokens import default_token_generator
from django.core.exceptions import ValidationError
from django.core.mail import send_mail
from django.core.validators import validate_email
from django.db import IntegrityError, transaction
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils.encoding import force_bytes
from django.utils.http import urlsafe_base64_encode

from maillage.core.audit import acteur
from maillage.core.permissions import exiger, peut
from maillage.core.versions import verifier_version
from maillage.territoires.models import Commune, Departement

from .models import Role, Utilisateur


def _verifier_perimetre(*, par, role, departements, communes) -> None:
    """Refuse, with French messages per field, what `par` may not give."""
    erreurs = {}
    if not peut(par, "compte.attribuer_role", role):
        erreurs["role"] = "Vous ne pouvez pas attribuer ce rôle."
    if not departements:
        erreurs["departements"] = "Choisissez au moins un département."
    elif hors_champ := [d for d in departements if not peut(par, "comptes.gerer", d)]:
        noms = ", ".join(str(d) for d in hors_champ)
        erreurs["departements"] = f"Vous ne gérez pas les comptes de : {noms}."
    if communes:
        if role != Role.CONSEILLER:
            erreurs["communes"] = "Seul·e un·e conseiller·e territorial·e suit des communes."
        else:
            codes = {d.code for d in departements}
            if dehors := [c for c in communes if c.departement_id not in codes]:
                noms = ", ".join(str(c) for c in dehors)
                erreurs["communes"] = f"Ces communes ne sont pas dans les départements choisis : {noms}."
    if erreurs:
        raise ValidationError(erreurs)


def contexte_des_emails() -> dict:
    """What every account e-mail shows: the platform's name and how long its links last."""
    heures = settings.PASSWORD_RESET_TIMEOUT // 3600
    if heures >= 48 and heures % 24 == 0:
        validite = f"{heures // 24} jours"
    elif heures >= 1:
        validite = f"{heures} heure{'s' if heures > 1 else ''}"
    else:
        validite = f"{settings.PASSWORD_RESET_TIMEOUT // 60} minutes"
    return {"plateforme": settings.MAILLAGE_PLATEFORME, "validite": validite}


def _envoyer_invitation(*, compte: Utilisateur, par, url_site: str) -> None:
    """Mail a one-time link to choose a password (Django's password-reset token)."""
    uidb64 = urlsafe_base64_encode(force_bytes(compte.pk))
    jeton = default_token_generator.make_token(compte)
    lien = url_site.rstrip("/") + reverse("comptes:activation", kwargs={"uidb64": uidb64, "token": jeton})
    contexte = {**contexte_des_emails(), "compte": compte, "par": par, "lien": lien}
    sujet = render_to_string("comptes/email/invitation_sujet.txt", contexte).strip()
    corps = render_to_string("comptes/email/invitation.txt", contexte)
    transaction.on_commit(lambda: send_mail(sujet, corps, None, [compte.email]))


def compte_inviter(
    *,
    par,
    email: str,
    prenom: str,
    nom: str,
    organisme: str = "",
    role: str,
    departements: Iterable[Departement],
    communes: Iterable[Commune] = (),
    url_site: str,
) -> Utilisateur:
    """Create an account without a password and mail its owner the link to choose one."""
    departements, communes = list(departements), list(communes)
    email = Utilisateur.objects.normalize_email(email).strip().lower()
    try:
        validate_email(email)
    except ValidationError:
        raise ValidationError({"email": "Saisissez une adresse e-mail valide."}) from None
    _verifier_perimetre(par=par, role=role, departements=departements, communes=communes)
    if Utilisateur.objects.filter(email__iexact=email).exists():
        raise ValidationError({"email": "Un compte existe déjà avec cette adresse e-mail."})
    try:
        with transaction.atomic(), acteur(par):
            compte = Utilisateur(email=email, first_name=prenom, last_name=nom, organisme=organisme, role=role)
            compte.set_unusable_password()
            compte.save()
            compte.departements.set(departements)
            compte.communes.set(communes)
            _envoyer_invitation(compte=compte, par=par, url_site=url_site)
    except IntegrityError:
        # Two invitations of the same address at the same moment.
        raise ValidationError({"email": "Un compte existe déjà avec cette adresse e-mail."}) from None
    return compte


def compte_reinviter(*, par, cible: Utilisateur, url_site: str) -> None:
    """Send the invitation again (its link lasts PASSWORD_RESET_TIMEOUT) while no password is chosen."""
    exiger(par, "compte.modifier", cible)
    if not cible.is_active:
        raise ValidationError("Ce compte est désactivé : réactivez-le avant de renvoyer l'invitation.")
    if cible.has_usable_password():
        raise ValidationError(
            "Ce compte a déjà choisi son mot de passe : sa ou son titulaire peut utiliser « Mot de passe oublié »."
        )
    _envoyer_invitation(compte=cible, par=par, url_site=url_site)


def compte_modifier(
    *,
    par,
    cible: Utilisateur,
    prenom: str,
    nom: str,
    organisme: str,
    role: str,
    departements: Iterable[Departement],
    communes: Iterable[Commune] = (),
    version: int | None = None,
) -> Utilisateur:
    """Change an account's identity, role and scope; a stale `version` (the one the form read) is refused with
    ConflitVersion (None only for scripts)."""
    departements, communes = list(departements), list(communes)
    exiger(par, "compte.modifier", cible)
    _verifier_perimetre(par=par, role=role, departements=departements, communes=communes)
    with transaction.atomic(), acteur(par):
        if version is not None:
            verifier_version(cible, version, nom="ce compte")
        cible.first_name, cible.last_name, cible.organisme, cible.role = prenom, nom, organisme, role
        cible.save(update_fields=["first_name", "last_name", "organisme", "role"])
        # set() only adds and removes the difference, so the audit trail shows just that.
        cible.departements.set(departements)
        cible.communes.set(communes)
    return cible


def _changer_activite(*, par, cible: Utilisateur, actif: bool) -> Utilisateur:
    exiger(par, "compte.modifier", cible)
    if cible.is_active != actif:
        with transaction.atomic(), acteur(par):
            cible.is_active = actif
            cible.save(update_fields=["is_active"])
    return cible


def compte_desactiver(*, par, cible: Utilisateur) -> Utilisateur:
    """No deletion: the account and its history stay, but it can no longer log in."""
    return _changer_activite(par=par, cible=cible, actif=False)


def compte_reactiver(*, par, cible: Utilisateur) -> Utilisateur:
    return _changer_activite(par=par, cible=cible, actif=True)


def connexions_echouees_effacer(*, email: str) -> None:
    """After a password is (re)set by its owner, lift a lockout on that address."""
    axes_reset(username=email)
