"""No lost update: every edit form of a shared object carries the version it read, and a stale save is refused.

- `Versionne`: abstract model with `version`, raised by one on every save (admin, imports and services alike);
- `AvecVersion`: form mixin adding the hidden `version` field (the one read when the form was opened);
- `verifier_version(objet, version_lue)`: called by a service inside its transaction, before it writes; it claims
  the row with `UPDATE … WHERE pk = … AND version = n` (a row lock on PostgreSQL, IMMEDIATE transactions on SQLite),
  so of two saves of the same version only one wins; the other gets `ConflitVersion`;
- `ConflitVersion`: a ValidationError keyed on "version", whose French message lists the fields changed since
  the form was opened (before → now), with who and when, read from the audit trail.
"""

import datetime
from dataclasses import dataclass

from django import forms
from django.core.exceptions import NON_FIELD_ERRORS, FieldDoesNotExist, ValidationError
from django.db import models, transaction
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.text import capfirst

CHAMP_VERSION = "version"
# Technical fields never listed as a change.
_TECHNIQUES = {CHAMP_VERSION, "id", "cree_le", "modifie_le", "modifiee_par", "modifie_par", "last_login", "password"}
LONGUEUR_MAX = 80


class Versionne(models.Model):
    """Abstract model: `version` (optimistic lock), +1 on every save of an existing row."""

    version = models.PositiveIntegerField(
        default=1, editable=False, help_text="Verrou optimiste : +1 à chaque enregistrement"
    )
    # Fields whose lone update does not change what an edit form shows (e.g. last_login): no new version.
    champs_hors_version: frozenset = frozenset()

    class Meta:
        abstract = True

    def save(self, *args, **kwargs):
        champs = kwargs.get("update_fields")
        if not self._state.adding and not (champs is not None and set(champs) <= self.champs_hors_version):
            self.version = (self.version or 0) + 1
            if champs is not None:
                kwargs["update_fields"] = {*champs, CHAMP_VERSION}
        super().save(*args, **kwargs)


# --- The check --------------------------------------------------------------------------------------------------


def _entier(valeur) -> int | None:
    if isinstance(valeur, bool):
        return None
    if isinstance(valeur, int):
        return valeur
    if isinstance(valeur, str) and valeur.strip().isdigit():
        return int(valeur.strip())
    return None


def verifier_version(objet: Versionne, version_lue, *, nom: str = "") -> None:
    """Refuse a stale save: raise `ConflitVersion` unless `objet` is still at `version_lue` in the database.

    To be called inside the service's transaction, before writing: the row stays claimed until the commit,
    so a concurrent save of the same version waits and is then refused. `nom` names the object in the message
    ("cette structure"). On success, `objet.version` is the version read, and its save makes it +1.
    """
    if not transaction.get_connection().in_atomic_block:
        raise RuntimeError("verifier_version doit être appelé dans une transaction.")
    version = _entier(version_lue)
    modele = type(objet)
    # A no-op UPDATE that only matches the version read: it locks the row, and counts 0 rows when stale.
    if version is None or not modele._base_manager.filter(pk=objet.pk, version=version).update(version=version):
        raise ConflitVersion(objet, version, nom=nom)
    objet.version = version


# --- The message ------------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Changement:
    champ: str
    avant: str
    maintenant: str


def _court(texte: str) -> str:
    texte = " ".join(str(texte).split())
    return texte if len(texte) <= LONGUEUR_MAX else texte[: LONGUEUR_MAX - 1] + "…"


def _lisible(champ, valeur) -> str:
    """A value as the audit trail stores it (text), shown in French."""
    if valeur in (None, "None", ""):
        return "(vide)"
    if valeur in ("True", "False", True, False):
        return "oui" if valeur in ("True", True) else "non"
    if champ is not None:
        if champ.choices:
            return _court(dict(champ.choices).get(valeur, valeur))
        if champ.is_relation and champ.many_to_one:
            objet = champ.related_model._base_manager.filter(pk=valeur).first()
            return _court(objet if objet is not None else valeur)
        if isinstance(champ, models.DateTimeField):
            try:
                moment = datetime.datetime.fromisoformat(str(valeur))
            except ValueError:
                return _court(valeur)
            if timezone.is_naive(moment):
                moment = moment.replace(tzinfo=datetime.UTC)
            return date_format(timezone.localtime(moment), "d/m/Y à H:i")
        if isinstance(champ, models.DecimalField | models.FloatField):
            return _court(str(valeur).replace(".", ","))  # French decimal comma
        if isinstance(champ, models.DateField):
            try:
                return datetime.date.fromisoformat(str(valeur)).strftime("%d/%m/%Y")
            except ValueError:
                return _court(valeur)
    return _court(valeur)


def _actuelle(objet, champ) -> str:
    """The current value of a field of `objet`, shown as `_lisible` shows the stored ones."""
    if champ.many_to_many:
        return _court(", ".join(str(o) for o in getattr(objet, champ.name).all()) or "(vide)")
    valeur = champ.value_from_object(objet)
    if isinstance(valeur, datetime.datetime | datetime.date):
        valeur = valeur.isoformat()
    elif valeur is not None and not isinstance(valeur, bool):
        valeur = str(valeur)
    return _lisible(champ, valeur)


def _version_avant(entree) -> int | None:
    valeurs = (entree.changes_dict or {}).get(CHAMP_VERSION)
    if isinstance(valeurs, list | tuple) and valeurs:
        return _entier(valeurs[0])
    return None


def entrees_depuis(objet, version_lue: int | None):
    """The audit entries of `objet` written since it was at `version_lue`, oldest first."""
    from auditlog.models import LogEntry  # auditlog's models need the app registry

    entrees = list(LogEntry.objects.get_for_object(objet).select_related("actor").order_by("pk"))
    if version_lue is None:
        return []
    if version_lue == 0:  # the form was opened before the object existed
        return entrees
    for rang, entree in enumerate(entrees):
        avant = _version_avant(entree)
        if avant is not None and avant >= version_lue:
            # Many-to-many entries follow the save that bumped the version.
            return entrees[rang:]
    return []


def changements_depuis(objet, version_lue: int | None) -> tuple[list[Changement], list]:
    """The fields of `objet` changed since `version_lue` (value then → value now) and the audit entries read."""
    entrees = entrees_depuis(objet, version_lue)
    actuel = type(objet)._base_manager.filter(pk=objet.pk).first()
    avant: dict[str, str] = {}
    for entree in entrees:
        for nom, valeurs in (entree.changes_dict or {}).items():
            if nom in _TECHNIQUES or nom in avant:
                continue
            try:
                champ = type(objet)._meta.get_field(nom)
            except FieldDoesNotExist:
                continue
            if not (champ.concrete or champ.many_to_many) or champ.auto_created:
                continue
            if isinstance(valeurs, dict):  # many-to-many: auditlog records what was added or removed
                avant[nom] = "(autre sélection)"
            elif isinstance(valeurs, list | tuple) and valeurs:
                avant[nom] = _lisible(champ, valeurs[0])
    changements = []
    for nom, valeur_avant in avant.items():
        champ = type(objet)._meta.get_field(nom)
        maintenant = _actuelle(actuel, champ) if actuel is not None else "(supprimé)"
        if maintenant != valeur_avant:
            changements.append(Changement(capfirst(champ.verbose_name), valeur_avant, maintenant))
    return changements, entrees


def _auteurs(entrees) -> str:
    noms = []
    for entree in entrees:
        acteur = entree.actor
        if acteur is not None:
            nom = (acteur.get_full_name() if hasattr(acteur, "get_full_name") else "") or str(acteur)
        else:
            nom = entree.actor_email or ""
        if nom and nom not in noms:
            noms.append(nom)
    return ", ".join(noms)


def message_conflit(objet, version_lue: int | None, *, nom: str = "") -> tuple[str, list[Changement]]:
    """The French message of a stale save, and the changes it lists."""
    nom = nom or f"ce {type(objet)._meta.verbose_name}"
    if version_lue is None:
        return (
            f"Le formulaire ne dit pas quelle version de {nom} vous avez ouverte : rechargez la page, puis "
            "saisissez à nouveau vos modifications.",
            [],
        )
    changements, entrees = changements_depuis(objet, version_lue)
    quand = ""
    if entrees:
        moment = timezone.localtime(entrees[-1].timestamp)
        quand = f" le {date_format(moment, 'd/m/Y')} à {date_format(moment, 'H:i')}"
    auteurs = _auteurs(entrees)
    if auteurs:
        debut = f"Depuis que vous avez ouvert ce formulaire, {auteurs} a modifié {nom}{quand}"
    else:
        debut = f"Depuis que vous avez ouvert ce formulaire, une modification de {nom} a été enregistrée{quand}"
    if changements:
        debut += " : " + " ; ".join(f"{c.champ} : « {c.avant} » → « {c.maintenant} »" for c in changements)
    return (
        f"{debut}. Vos modifications n'ont pas été enregistrées : rechargez la page pour partir de la version "
        "actuelle, puis saisissez à nouveau les vôtres.",
        changements,
    )


class ConflitVersion(ValidationError):
    """A stale save: `objet` changed since the form read `version_lue`. Keyed on "version" for forms and the API."""

    def __init__(self, objet, version_lue: int | None, *, nom: str = ""):
        self.objet, self.version_lue = objet, version_lue
        self.message_conflit, self.changements = message_conflit(objet, version_lue, nom=nom)
        super().__init__({CHAMP_VERSION: [self.message_conflit]})


# --- The form --------------------------------------------------------------------------------------------------


class AvecVersion:
    """Form mixin: a hidden `version`, the one the form was opened at (an instance's, or `version=`, 0 for an
    object not created yet); none on a creation form.

    After a refusal the bound form keeps the stale version: saving again is refused until a reload.
    """

    def __init__(self, *args, version: int | None = None, **kwargs):
        super().__init__(*args, **kwargs)
        if version is None:
            instance = getattr(self, "instance", None)
            version = getattr(instance, CHAMP_VERSION, None) if instance is not None and instance.pk else None
        if version is None:
            return  # a creation form: nothing to compare with
        self.fields[CHAMP_VERSION] = forms.IntegerField(
            widget=forms.HiddenInput,
            min_value=0,
            initial=version,
            error_messages={
                "required": "Le formulaire ne dit pas quelle version vous avez ouverte : rechargez la page.",
                "invalid": "Le formulaire ne dit pas quelle version vous avez ouverte : rechargez la page.",
                "min_value": "Le formulaire ne dit pas quelle version vous avez ouverte : rechargez la page.",
            },
        )

    def full_clean(self):
        super().full_clean()
        # A hidden field's error is shown on top of the form.
        if self._errors and CHAMP_VERSION in self._errors:
            erreurs = self._errors.pop(CHAMP_VERSION)
            self.cleaned_data.pop(CHAMP_VERSION, None)
            self._errors.setdefault(NON_FIELD_ERRORS, self.error_class(error_class="nonfield")).extend(erreurs)

    @property
    def version_lue(self) -> int | None:
        return getattr(self, "cleaned_data", {}).get(CHAMP_VERSION)

    def champs_saisis(self) -> dict:
        """The cleaned values of the edited fields (the version apart)."""
        return {nom: self.cleaned_data[nom] for nom in self.fields if nom != CHAMP_VERSION}
