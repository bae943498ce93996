"""Writes of the schéma's governance: instances (COPIL, COTECH, groupes de travail), their meetings (attendance,
minutes as text or file, progress frozen when held) and the decisions recorded there.

Keyword-only arguments; the permission first (`schema.gerer`, or `decision.mettre_a_jour` for a decision's status);
everything validated before writing, with French messages keyed by field; one transaction, audited through
`acteur`; shared objects edited with the version their form read (`verifier_version`)."""

import datetime
import os

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.text import get_valid_filename

from maillage.comptes.models import Organisation, Utilisateur
from maillage.core.audit import acteur
from maillage.core.horloge import aujourdhui
from maillage.core.permissions import exiger, peut
from maillage.core.versions import verifier_version
from maillage.structures.services import TYPES_DOCUMENTS, erreur_document, extension

from . import selectors
from .models import Decision, FicheAction, Instance, Reunion, Schema

REFUS = "Vous n'avez pas accès à cette ressource."
LONGUEUR_MISSION = 4000
LONGUEUR_ORDRE_DU_JOUR = 10_000
LONGUEUR_COMPTE_RENDU = 100_000
LONGUEUR_DECISION = 4000
# Minutes files: documents only, no spreadsheet; the content is checked, not only the name.
FORMATS_COMPTE_RENDU = ("pdf", "odt", "docx")
TAILLE_MAX_COMPTE_RENDU = 10 * 1024 * 1024


# --- Validation helpers -----------------------------------------------------------------------------------------


def _texte(erreurs: dict, champ: str, valeur, *, limite: int, obligatoire: str = "") -> str:
    texte = valeur.strip() if isinstance(valeur, str) else ""
    if obligatoire and not texte:
        erreurs[champ] = obligatoire
    elif len(texte) > limite:
        erreurs[champ] = f"Ce texte ne doit pas dépasser {limite:,} caractères.".replace(",", "\u202f")
    return texte


def _organisations(erreurs: dict, champ: str, organisations, schema: Schema) -> list[Organisation]:
    """Organisations of the schéma's département only (a forged id of another one is refused)."""
    liste = list(organisations or [])
    if any(getattr(o, "departement_id", None) != schema.departement_id for o in liste):
        erreurs[champ] = "Choisissez des organisations du département du schéma."
    return liste


def _comptes(erreurs: dict, champ: str, comptes, schema: Schema) -> list[Utilisateur]:
    """Accounts of the schéma's département only."""
    liste = list(comptes or [])
    if liste:
        du_departement = set(
            Utilisateur.objects.filter(pk__in=[c.pk for c in liste], departements=schema.departement_id).values_list(
                "pk", flat=True
            )
        )
        if any(c.pk not in du_departement for c in liste):
            erreurs[champ] = "Choisissez des comptes du département du schéma."
    return liste


def _lever(erreurs: dict) -> None:
    if erreurs:
        raise ValidationError(erreurs)


def _schema_de_reunion(reunion: Reunion) -> Schema:
    return reunion.instance.schema


# --- Instances --------------------------------------------------------------------------------------------------


def _valider_instance(*, schema, instance, type, nom, mission, organisations, membres) -> dict:
    erreurs: dict = {}
    if type not in Instance.Type.values:
        erreurs["type"] = "Choisissez un type d'instance de la liste : " + ", ".join(Instance.Type.labels) + "."
    propre = {
        "type": type,
        "nom": _texte(erreurs, "nom", nom, limite=200, obligatoire="Donnez un nom à l'instance."),
        "mission": _texte(erreurs, "mission", mission, limite=LONGUEUR_MISSION),
        "organisations": _organisations(erreurs, "organisations", organisations, schema),
        "membres": _comptes(erreurs, "membres", membres, schema),
    }
    if "nom" not in erreurs:
        # Compared in Python: SQLite folds the case of ASCII letters only (« É » ≠ « é »).
        autres = Instance.objects.filter(schema=schema).exclude(pk=getattr(instance, "pk", None))
        if propre["nom"].casefold() in {nom.casefold() for nom in autres.values_list("nom", flat=True)}:
            erreurs["nom"] = "Une instance de ce schéma porte déjà ce nom."
    _lever(erreurs)
    return propre


def instance_creer(
    *, par, schema: Schema, type: str, nom: str, mission: str = "", organisations=(), membres=()
) -> Instance:
    """A new body of the schéma's governance (the pilote)."""
    exiger(par, "schema.gerer", schema)
    propre = _valider_instance(
        schema=schema, instance=None, type=type, nom=nom, mission=mission, organisations=organisations, membres=membres
    )
    with transaction.atomic(), acteur(par):
        instance = Instance.objects.create(
            schema=schema, type=propre["type"], nom=propre["nom"], mission=propre["mission"]
        )
        instance.organisations.set(propre["organisations"])
        instance.membres.set(propre["membres"])
        return instance


def instance_modifier(
    *,
    par,
    instance: Instance,
    type: str,
    nom: str,
    mission: str = "",
    organisations=(),
    membres=(),
    version: int | None = None,
) -> Instance:
    exiger(par, "schema.gerer", instance.schema)
    propre = _valider_instance(
        schema=instance.schema,
        instance=instance,
        type=type,
        nom=nom,
        mission=mission,
        organisations=organisations,
        membres=membres,
    )
    with transaction.atomic(), acteur(par):
        if version is not None:
            verifier_version(instance, version, nom="cette instance")
        instance.type, instance.nom, instance.mission = propre["type"], propre["nom"], propre["mission"]
        instance.save()
        instance.organisations.set(propre["organisations"])
        instance.membres.set(propre["membres"])
        return instance


def instance_supprimer(*, par, instance: Instance) -> None:
    """Only an instance without meetings: its meetings and their decisions are the committee's record."""
    exiger(par, "schema.gerer", instance.schema)
    if instance.reunions.exists():
        raise ValidationError(
            "Cette instance a des réunions : supprimez d'abord ses réunions (et leurs décisions) si elles ont été "
            "saisies par erreur."
        )
    with transaction.atomic(), acteur(par):
        instance.delete()


# --- Meetings ---------------------------------------------------------------------------------------------------


def erreur_compte_rendu(fichier) -> str | None:
    """None when `fichier` is an accepted minutes document (PDF, ODT or DOCX, 10 Mo at most, content matching its
    extension), else the reason in French."""
    ext = extension(getattr(fichier, "name", ""))
    if ext not in FORMATS_COMPTE_RENDU:
        return "Format refusé : déposez le compte rendu en PDF, ODT ou DOCX."
    if getattr(fichier, "size", 0) > TAILLE_MAX_COMPTE_RENDU:
        return f"Le fichier dépasse la taille maximale de {TAILLE_MAX_COMPTE_RENDU // (1024 * 1024)} Mo."
    return erreur_document(fichier)


def type_compte_rendu(nom: str) -> str:
    """The MIME type a minutes file is served with."""
    return TYPES_DOCUMENTS.get(extension(nom), "application/octet-stream")


def avancements_a_figer(schema: Schema, *, jour: datetime.date | None = None) -> dict:
    """The progress of the schéma and of each axe now, as a meeting keeps it (`Reunion.avancements_figes`)."""
    arbre = selectors.arbre(schema, jour=jour)
    return {
        "date": arbre.jour.isoformat(),
        "schema": arbre.avancement,
        "axes": {str(noeud.axe.numero): noeud.avancement for noeud in arbre.axes},
    }


def _date_locale(moment: datetime.datetime) -> datetime.date:
    return timezone.localtime(moment).date() if timezone.is_aware(moment) else moment.date()


def _refus_figer(reunion_date: datetime.datetime, jour: datetime.date) -> str | None:
    if _date_locale(reunion_date) > jour:
        return (
            f"Cette réunion est prévue le {_date_locale(reunion_date):%d/%m/%Y} : l'avancement sera figé une fois "
            "qu'elle se sera tenue."
        )
    return None


def _valider_reunion(*, schema, date, lieu, ordre_du_jour, organisations_presentes=(), presents=(),
                     compte_rendu="", fichier=None) -> dict:  # fmt: skip
    erreurs: dict = {}
    if not isinstance(date, datetime.datetime):
        erreurs["date"] = "Indiquez la date et l'heure de la réunion."
    elif timezone.is_naive(date):
        date = timezone.make_aware(date)
    propre = {
        "date": date,
        "lieu": _texte(erreurs, "lieu", lieu, limite=300),
        "ordre_du_jour": _texte(erreurs, "ordre_du_jour", ordre_du_jour, limite=LONGUEUR_ORDRE_DU_JOUR),
        "organisations_presentes": _organisations(erreurs, "organisations_presentes", organisations_presentes, schema),
        "presents": _comptes(erreurs, "presents", presents, schema),
        "compte_rendu": _texte(erreurs, "compte_rendu", compte_rendu, limite=LONGUEUR_COMPTE_RENDU),
    }
    if fichier is not None and (raison := erreur_compte_rendu(fichier)):
        erreurs["compte_rendu_fichier"] = raison
    _lever(erreurs)
    return propre


def reunion_creer(
    *, par, instance: Instance, date: datetime.datetime, lieu: str = "", ordre_du_jour: str = ""
) -> Reunion:
    """A meeting planned (or already held, to be documented) of an instance."""
    exiger(par, "schema.gerer", instance.schema)
    propre = _valider_reunion(schema=instance.schema, date=date, lieu=lieu, ordre_du_jour=ordre_du_jour)
    with transaction.atomic(), acteur(par):
        return Reunion.objects.create(
            instance=instance, date=propre["date"], lieu=propre["lieu"], ordre_du_jour=propre["ordre_du_jour"]
        )


def _nom_fichier(fichier) -> str:
    nom = get_valid_filename(os.path.basename(fichier.name or ""))
    return nom or f"compte-rendu.{extension(fichier.name)}"


def _supprimer_apres_validation(fichier_champ) -> None:
    """Delete a stored file once the transaction that dropped it is committed (never before: a rollback keeps it)."""
    nom, stockage = fichier_champ.name, fichier_champ.storage
    if nom:
        transaction.on_commit(lambda: stockage.delete(nom))


def reunion_modifier(
    *,
    par,
    reunion: Reunion,
    date: datetime.datetime,
    lieu: str = "",
    ordre_du_jour: str = "",
    organisations_presentes=(),
    presents=(),
    compte_rendu: str = "",
    fichier=None,
    retirer_fichier: bool = False,
    tenue: bool = False,
    version: int | None = None,
    jour: datetime.date | None = None,
) -> Reunion:
    """Plan or document a meeting: date, place, agenda, attendance, minutes (text and/or a PDF, ODT or DOCX file).

    `tenue`: the meeting is recorded as held: the progress of the schéma and of its axes is frozen now (once; the
    "figer" action does it again). `fichier` replaces the minutes file; `retirer_fichier` removes it."""
    schema = _schema_de_reunion(reunion)
    exiger(par, "schema.gerer", schema)
    propre = _valider_reunion(
        schema=schema,
        date=date,
        lieu=lieu,
        ordre_du_jour=ordre_du_jour,
        organisations_presentes=organisations_presentes,
        presents=presents,
        compte_rendu=compte_rendu,
        fichier=fichier,
    )
    jour = jour or aujourdhui()
    figer = tenue and not reunion.avancements_figes
    if figer and (raison := _refus_figer(propre["date"], jour)):
        raise ValidationError({"tenue": raison})
    ancien = reunion.compte_rendu_fichier if (fichier is not None or retirer_fichier) else None
    with transaction.atomic(), acteur(par):
        if version is not None:
            verifier_version(reunion, version, nom="cette réunion")
        for champ in ("date", "lieu", "ordre_du_jour", "compte_rendu"):
            setattr(reunion, champ, propre[champ])
        if figer:
            reunion.avancements_figes = avancements_a_figer(schema, jour=jour)
        if ancien is not None and ancien.name:
            _supprimer_apres_validation(ancien)
        if fichier is not None:
            reunion.compte_rendu_fichier.save(_nom_fichier(fichier), fichier, save=False)
        elif retirer_fichier:
            reunion.compte_rendu_fichier = ""
        reunion.save()
        reunion.organisations_presentes.set(propre["organisations_presentes"])
        reunion.presents.set(propre["presents"])
        return reunion


def reunion_figer(*, par, reunion: Reunion, version: int | None = None, jour: datetime.date | None = None) -> Reunion:
    """Record the meeting as held: freeze the progress of the schéma and of each axe now (again if done before),
    so that the next meeting of the instance shows what moved since."""
    schema = _schema_de_reunion(reunion)
    exiger(par, "schema.gerer", schema)
    jour = jour or aujourdhui()
    if raison := _refus_figer(reunion.date, jour):
        raise ValidationError(raison)
    with transaction.atomic(), acteur(par):
        if version is not None:
            verifier_version(reunion, version, nom="cette réunion")
        reunion.avancements_figes = avancements_a_figer(schema, jour=jour)
        reunion.save(update_fields=["avancements_figes", "modifie_le"])
        return reunion


def reunion_supprimer(*, par, reunion: Reunion) -> None:
    """Only a meeting without decisions (a decision is removed on its own, on purpose)."""
    exiger(par, "schema.gerer", _schema_de_reunion(reunion))
    if reunion.decisions.exists():
        raise ValidationError(
            "Cette réunion a des décisions : supprimez-les d'abord si elles ont été saisies par erreur."
        )
    with transaction.atomic(), acteur(par):
        fichier = reunion.compte_rendu_fichier
        reunion.delete()
        _supprimer_apres_validation(fichier)


# --- Decisions --------------------------------------------------------------------------------------------------


def _valider_decision(*, reunion: Reunion, texte, fiches, responsable, echeance, statut) -> dict:
    schema = _schema_de_reunion(reunion)
    erreurs: dict = {}
    propre = {
        "texte": _texte(erreurs, "texte", texte, limite=LONGUEUR_DECISION, obligatoire="Écrivez la décision."),
        "fiches": list(fiches or []),
        "responsable": responsable,
        "echeance": echeance,
        "statut": statut,
    }
    if any(not isinstance(f, FicheAction) or f.schema_id != schema.pk for f in propre["fiches"]):
        erreurs["fiches"] = "Une décision ne peut être liée qu'à des fiches actions de ce schéma."
    if responsable is not None and getattr(responsable, "departement_id", None) != schema.departement_id:
        erreurs["responsable"] = "Choisissez une organisation du département du schéma."
    if echeance is not None:
        if not isinstance(echeance, datetime.date) or isinstance(echeance, datetime.datetime):
            erreurs["echeance"] = "Indiquez une date d'échéance valide."
        elif echeance < _date_locale(reunion.date):
            erreurs["echeance"] = (
                f"L'échéance ne peut pas précéder la réunion qui a pris la décision "
                f"({_date_locale(reunion.date):%d/%m/%Y})."
            )
    if statut not in Decision.Statut.values:
        erreurs["statut"] = "Choisissez un statut de la liste : " + ", ".join(Decision.Statut.labels) + "."
    _lever(erreurs)
    return propre


def decision_creer(
    *,
    par,
    reunion: Reunion,
    texte: str,
    fiches=(),
    responsable: Organisation | None = None,
    echeance: datetime.date | None = None,
    statut: str = Decision.Statut.A_FAIRE,
) -> Decision:
    """A decision recorded in a meeting, linked to fiches actions of the same schéma, with its owner and due date."""
    exiger(par, "schema.gerer", _schema_de_reunion(reunion))
    propre = _valider_decision(
        reunion=reunion, texte=texte, fiches=fiches, responsable=responsable, echeance=echeance, statut=statut
    )
    with transaction.atomic(), acteur(par):
        decision = Decision.objects.create(
            reunion=reunion,
            texte=propre["texte"],
            responsable=propre["responsable"],
            echeance=propre["echeance"],
            statut=propre["statut"],
        )
        decision.fiches.set(propre["fiches"])
        return decision


def decision_modifier(
    *,
    par,
    decision: Decision,
    texte: str,
    fiches=(),
    responsable: Organisation | None = None,
    echeance: datetime.date | None = None,
    statut: str = Decision.Statut.A_FAIRE,
    version: int | None = None,
) -> Decision:
    exiger(par, "schema.gerer", _schema_de_reunion(decision.reunion))
    propre = _valider_decision(
        reunion=decision.reunion,
        texte=texte,
        fiches=fiches,
        responsable=responsable,
        echeance=echeance,
        statut=statut,
    )
    with transaction.atomic(), acteur(par):
        if version is not None:
            verifier_version(decision, version, nom="cette décision")
        for champ in ("texte", "responsable", "echeance", "statut"):
            setattr(decision, champ, propre[champ])
        decision.save()
        decision.fiches.set(propre["fiches"])
        return decision


def decision_changer_statut(*, par, decision: Decision, statut: str, version: int | None = None) -> Decision:
    """Move a decision on (à faire, en cours, faite, abandonnée): the pilote, or the partner accounts of the
    organisation responsible for it."""
    if not peut(par, "decision.mettre_a_jour", decision):
        raise PermissionDenied(REFUS)
    if statut not in Decision.Statut.values:
        raise ValidationError(
            {"statut": "Choisissez un statut de la liste : " + ", ".join(Decision.Statut.labels) + "."}
        )
    with transaction.atomic(), acteur(par):
        if version is not None:
            verifier_version(decision, version, nom="cette décision")
        if decision.statut != statut:
            decision.statut = statut
            decision.save(update_fields=["statut", "modifie_le"])
        return decision


def decision_supprimer(*, par, decision: Decision) -> None:
    exiger(par, "schema.gerer", _schema_de_reunion(decision.reunion))
    with transaction.atomic(), acteur(par):
        decision.delete()
