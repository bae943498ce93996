"""Writes about accounts: invite, modify, deactivate. Each checks the actor's rights itself.

Forms already restrict their choices; these checks are the rule for any other caller (API, shell,
commands) and the last line against a forged form. The audit trail records every change with its
actor (`audit.acteur`), and e-mails leave only once the transaction is committed.
"""

import datetime
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

from maillage.core import horloge
from maillage.core.audit import acteur
from maillage.core.permissions import exiger, peut
from maillage.core.siret import erreur_siret, normaliser
from maillage.core.versions import verifier_version
from maillage.territoires.models import Commune, Departement

from .models import Mandat, Organisation, Role, Utilisateur


def _verifier_perimetre(*, par, role, departements, communes, organisation=None) -> None:
    """Refuse, with French messages per field, what `par` may not give."""
    erreurs = {}
    if organisation is not None and organisation.departement_id not in {d.code for d in departements}:
        erreurs["organisation"] = "Cette organisation n'est pas dans les départements choisis."
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
    organisation: Organisation | None = None,
    url_site: str,
) -> Utilisateur:
    """Create an account without a password and mail its owner the link to choose one."""
    departements, communes = list(departements), list(communes)
    email = Utilisateur.objects.normalize_email(email).strip().lower()
    try:
        validate_email(email)
    except ValidationError:
        raise ValidationError({"email": "Saisissez une adresse e-mail valide."}) from None
    _verifier_perimetre(par=par, role=role, departements=departements, communes=communes, organisation=organisation)
    if Utilisateur.objects.filter(email__iexact=email).exists():
        raise ValidationError({"email": "Un compte existe déjà avec cette adresse e-mail."})
    try:
        with transaction.atomic(), acteur(par):
            compte = Utilisateur(
                email=email,
                first_name=prenom,
                last_name=nom,
                organisme=organisme or (organisation.nom if organisation else ""),
                organisation=organisation,
                role=role,
            )
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
    organisation: Organisation | None = None,
) -> Utilisateur:
    """Change an account's identity, role and scope; a stale `version` (the one the form read) is refused with
    ConflitVersion (None only for scripts)."""
    departements, communes = list(departements), list(communes)
    exiger(par, "compte.modifier", cible)
    _verifier_perimetre(par=par, role=role, departements=departements, communes=communes, organisation=organisation)
    with transaction.atomic(), acteur(par):
        if version is not None:
            verifier_version(cible, version, nom="ce compte")
        cible.first_name, cible.last_name, cible.organisme, cible.role = prenom, nom, organisme, role
        cible.organisation = organisation
        cible.save(update_fields=["first_name", "last_name", "organisme", "role", "organisation"])
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


# --- Organisations and mandates ---------------------------------------------------------------------------------


def _territoire_valide(*, type_, departement, communes, epci) -> dict:
    """French messages per field for a territory that does not fit the organisation."""
    erreurs = {}
    if dehors := [c for c in communes if c.departement_id != departement.code]:
        erreurs["communes"] = "Ces communes ne sont pas dans le département : " + ", ".join(c.nom for c in dehors) + "."
    if epci is not None and not epci.communes.filter(departement_id=departement.code).exists():
        erreurs["epci"] = "Cet EPCI n'a aucune commune dans le département."
    if type_ in {Organisation.Type.COMMUNE, Organisation.Type.EPCI} and not communes and epci is None:
        # Its territory bounds a co-financeur mandate: never "the whole département" by omission.
        erreurs["communes"] = "Indiquez les communes (ou l'EPCI) du territoire de cette organisation."
    return erreurs


def _organisation_valider(*, departement, nom, type_, siret, communes, epci, sauf=None) -> tuple[str, str]:
    """All the errors of an organisation's fields at once; returns the cleaned name and SIRET."""
    nom = " ".join((nom or "").split())
    erreurs = {}
    homonymes = Organisation.objects.filter(departement=departement, nom__iexact=nom).exclude(pk=sauf)
    if not nom:
        erreurs["nom"] = "Indiquez le nom de l'organisation."
    elif homonymes.exists():
        erreurs["nom"] = "Une organisation porte déjà ce nom dans ce département."
    if type_ not in Organisation.Type.values:
        erreurs["type"] = "Choisissez un type d'organisation."
    siret = normaliser(siret or "")
    if siret and (erreur := erreur_siret(siret)):
        erreurs["siret"] = erreur
    erreurs |= _territoire_valide(type_=type_, departement=departement, communes=communes, epci=epci)
    if erreurs:
        raise ValidationError(erreurs)
    return nom, siret


def organisation_creer(
    *,
    par,
    nom: str,
    type: str,
    departement: Departement,
    communes: Iterable[Commune] = (),
    epci=None,
    siret: str = "",
) -> Organisation:
    """Create a partner organisation in a département the pilote manages."""
    exiger(par, "organisation.gerer", departement)
    communes = list(communes)
    nom, siret = _organisation_valider(
        departement=departement, nom=nom, type_=type, siret=siret, communes=communes, epci=epci
    )
    with transaction.atomic(), acteur(par):
        organisation = Organisation.objects.create(nom=nom, type=type, departement=departement, epci=epci, siret=siret)
        organisation.communes.set(communes)
    return organisation


def organisation_modifier(
    *,
    par,
    organisation: Organisation,
    nom: str,
    type: str,
    communes: Iterable[Commune] = (),
    epci=None,
    siret: str = "",
    actif: bool = True,
) -> Organisation:
    exiger(par, "organisation.gerer", organisation)
    communes = list(communes)
    nom, siret = _organisation_valider(
        departement=organisation.departement,
        nom=nom,
        type_=type,
        siret=siret,
        communes=communes,
        epci=epci,
        sauf=organisation.pk,
    )
    with transaction.atomic(), acteur(par):
        organisation.nom, organisation.type, organisation.epci, organisation.siret = nom, type, epci, siret
        organisation.actif = bool(actif)
        organisation.save(update_fields=["nom", "type", "epci", "siret", "actif"])
        organisation.communes.set(communes)
    return organisation


def mandat_accorder(
    *,
    par,
    organisation: Organisation,
    nature: str,
    debut: datetime.date,
    fin: datetime.date | None = None,
    motif: str = "",
    utilisateur: Utilisateur | None = None,
) -> Mandat:
    """Grant a dated mandate to an organisation of a département the pilote manages (or to one of its accounts).

    A correspondant observatoire mandate goes to a Caf or a federation only (the SENACS charter)."""
    from .permissions import TYPES_CORRESPONDANTS

    exiger(par, "organisation.gerer", organisation)
    erreurs = {}
    if nature not in Mandat.Nature.values:
        erreurs["nature"] = "Choisissez la nature du mandat."
    elif nature == Mandat.Nature.CORRESPONDANT_OBSERVATOIRE and organisation.type not in TYPES_CORRESPONDANTS:
        erreurs["nature"] = (
            "La charte SENACS réserve la relecture des réponses aux correspondants de la Caf et de la fédération."
        )
    if not organisation.actif:
        erreurs["organisation"] = "Cette organisation est désactivée."
    if debut is None:
        erreurs["debut"] = "Indiquez la date de début."
    elif fin is not None and fin < debut:
        erreurs["fin"] = "La fin du mandat doit suivre son début."
    if utilisateur is not None and (
        utilisateur.organisation_id != organisation.pk or utilisateur.role != Role.PARTENAIRE
    ):
        erreurs["utilisateur"] = "Ce compte n'est pas un compte partenaire de cette organisation."
    if not (motif or "").strip():
        erreurs["motif"] = "Indiquez le motif du mandat (délibération, convention, courrier…)."
    if erreurs:
        raise ValidationError(erreurs)
    with transaction.atomic(), acteur(par):
        return Mandat.objects.create(
            organisation=organisation,
            utilisateur=utilisateur,
            nature=nature,
            departement_id=organisation.departement_id,
            debut=debut,
            fin=fin,
            motif=motif.strip(),
            accorde_par=par,
        )


def mandat_revoquer(*, par, mandat: Mandat) -> Mandat:
    """End a mandate now; it stays recorded, with who revoked it and when."""
    exiger(par, "organisation.gerer", mandat)
    if mandat.revoque_le is not None:
        raise ValidationError("Ce mandat est déjà révoqué.")
    with transaction.atomic(), acteur(par):
        mandat.revoque_le = horloge.maintenant()
        mandat.revoque_par = par
        mandat.save(update_fields=["revoque_le", "revoque_par"])
    return mandat
