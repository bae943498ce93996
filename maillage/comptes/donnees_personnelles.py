"""Personal data of accounts (registered with maillage.core.donnees_personnelles, loaded by ComptesConfig.ready()):
the account, its second-factor devices, its login attempts (django-axes), the audit entries about it and the
load journals it signed. See docs/donnees-personnelles.md."""

from auditlog.models import LogEntry
from axes.models import AccessAttempt, AccessFailureLog, AccessLog
from django.db import models
from django.db.models import Q
from django_otp.plugins.otp_static.models import StaticDevice
from django_otp.plugins.otp_totp.models import TOTPDevice

from maillage.core import donnees_personnelles as registre
from maillage.core.audit import entrees_anonymiser
from maillage.territoires.models import Chargement

from .models import Utilisateur

CHAMPS_PERSONNELS = ["email", "first_name", "last_name", "organisme", "password", "last_login"]


def _date(valeur):
    return valeur.isoformat() if valeur else None


def _compte(email):
    return Utilisateur.objects.filter(email__iexact=email).first()


def _connexions(email) -> Q:
    return Q(username__iexact=email)


def _exporter(email) -> list[dict]:
    donnees = []
    compte = _compte(email)
    if compte is not None:
        donnees.append(
            {
                "type": "compte",
                "email": compte.email,
                "prenom": compte.first_name,
                "nom": compte.last_name,
                "organisme": compte.organisme,
                "role": compte.get_role_display(),
                "actif": compte.is_active,
                "departements": sorted(d.code for d in compte.departements.all()),
                "communes": sorted(c.code for c in compte.communes.all()),
                "structure": str(compte.structure) if compte.structure_id else None,
                "cree_le": _date(compte.date_joined),
                "derniere_connexion": _date(compte.last_login),
                "appareils_double_authentification": [
                    {"nom": a.name, "cree_le": _date(a.created_at), "derniere_utilisation": _date(a.last_used_at)}
                    for a in TOTPDevice.objects.filter(user=compte, confirmed=True)
                ],
            }
        )
        donnees += [
            {
                "type": "historique du compte",
                "le": _date(e.timestamp),
                "action": e.get_action_display(),
                "par": str(e.actor) if e.actor_id else "",
                "changements": e.changes,
            }
            for e in LogEntry.objects.get_for_object(compte)
        ]
        donnees += [
            {
                "type": "modification faite par la personne",
                "le": _date(e.timestamp),
                "objet": e.object_repr,
                "action": e.get_action_display(),
                "adresse_ip": e.remote_addr,
            }
            for e in LogEntry.objects.filter(actor=compte)
        ]
    for modele, libelle in ((AccessAttempt, "tentatives de connexion"), (AccessFailureLog, "connexion refusée")):
        donnees += [
            {"type": libelle, "le": _date(a.attempt_time), "adresse_ip": a.ip_address, "navigateur": a.user_agent}
            for a in modele.objects.filter(_connexions(email))
        ]
    donnees += [
        {
            "type": "connexion",
            "le": _date(a.attempt_time),
            "deconnexion": _date(a.logout_time),
            "adresse_ip": a.ip_address,
            "navigateur": a.user_agent,
        }
        for a in AccessLog.objects.filter(_connexions(email))
    ]
    donnees += [
        {"type": "chargement de données", "le": _date(c.debut), "commande": c.commande, "fichier": c.fichier}
        for c in Chargement.objects.filter(auteur__icontains=email)
    ]
    return donnees


def _departements(email) -> set[str]:
    compte = _compte(email)
    return {d.code for d in compte.departements.all()} if compte is not None else set()


def _a_un_historique(compte) -> bool:
    """Whether the account changed data or signed anything (comments, fiches, jobs…): then deleting it would blank
    the author of those rows (SET_NULL) or be refused (PROTECT: mandates), so it is anonymised instead."""
    # include_hidden: most author fields are declared with related_name="+".
    signes = [
        r
        for r in Utilisateur._meta.get_fields(include_hidden=True)
        if r.auto_created and r.one_to_many and r.on_delete in (models.SET_NULL, models.PROTECT)
    ]
    return any(r.related_model._default_manager.filter(**{r.field.name: compte}).exists() for r in signes)


def _effacer(email) -> str:
    phrases = []
    compte = _compte(email)
    if compte is not None:
        a_agi = _a_un_historique(compte)
        TOTPDevice.objects.filter(user=compte).delete()
        StaticDevice.objects.filter(user=compte).delete()
        entrees_anonymiser(Utilisateur, [compte.pk], CHAMPS_PERSONNELS)
        # The IP addresses the person acted from are personal data too; who did what stays.
        LogEntry.objects.filter(actor=compte).update(remote_addr=None, actor_email=None)
        if a_agi:
            # Their changes must stay attributable (traceability): keep the row, drop what identifies them.
            compte.email = f"compte-efface-{compte.pk}@anonyme.invalid"
            compte.first_name, compte.last_name, compte.organisme = "", registre.EFFACE, ""
            compte.is_active = False
            compte.set_unusable_password()
            compte.save()
            phrases.append("compte anonymisé (il a un historique de modifications, gardé pour la traçabilité)")
        else:
            compte.delete()
            phrases.append("compte supprimé")
    remplacement = f"compte effacé n° {compte.pk}" if compte is not None else registre.EFFACE
    chargements = 0
    for chargement in Chargement.objects.filter(auteur__icontains=email):
        chargement.auteur = chargement.auteur.lower().replace(email, remplacement)[:200]
        chargement.save(update_fields=["auteur"])
        chargements += 1
    if chargements:
        phrases.append(f"{chargements} chargement(s) de données désigné(s) sans l'adresse")
    connexions = sum(
        m.objects.filter(_connexions(email)).delete()[0] for m in (AccessAttempt, AccessFailureLog, AccessLog)
    )
    if connexions:
        phrases.append(f"{connexions} trace(s) de connexion supprimée(s)")
    return " ; ".join(phrases) or "aucune donnée"


registre.source(
    "comptes",
    libelle="Compte, connexions et historique",
    exporter=_exporter,
    departements=_departements,
    effacer=_effacer,
)
