"""Writes of the indicators of a schéma: recomputation of the computed ones, typed values, the indicators themselves.

Recomputation (`indicateurs_recalculer`): for each computed indicator, a value at 31 December of each year from the
reference year to min(the schéma's last year, last year), the computed baseline (reference date without a typed
reference value), and a current value at today while the schéma runs. A value of a closed year (before today's
year) is frozen (`figee`) once computed from final data and never recomputed; the others are recomputed only when
the data version (`selectors_indicateurs.version_donnees_schema`), the day or the indicator's plan changed. Values
are written with the automatic audit trail off: each row keeps its method and data version instead.
"""

import datetime
import hashlib
import json
import re
from decimal import Decimal, InvalidOperation

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone

from maillage.core.audit import acteur, sans_journal_automatique
from maillage.core.horloge import aujourdhui
from maillage.core.permissions import exiger, peut
from maillage.core.versions import verifier_version

from . import indicateurs as catalogue
from .models import Axe, FicheAction, Indicateur, Schema, ValeurIndicateur
from .selectors_indicateurs import Lecteur, version_donnees_schema

Source = Indicateur.Source
REFUS = "Vous n'avez pas accès à cette ressource."
PREMIERE_DATE = datetime.date(1990, 1, 1)
ANNEES_MAX = 40  # a yearly series never runs longer than this
VALEUR_MAX = Decimal("1e12")  # the column holds 12 digits before the decimal point
LONGUEUR_COMMENTAIRE = 2000
MOTIF_CODE = re.compile(r"[A-Za-z0-9][A-Za-z0-9_.\-]{0,29}")
STATUTS_TERMINES = (Schema.Statut.EVALUE, Schema.Statut.CLOS)


# --- Recomputation ----------------------------------------------------------------------------------------------


def schema_en_cours(schema: Schema, jour: datetime.date) -> bool:
    """The schéma runs (its current values are kept up to date): not evaluated nor closed, its period not over."""
    return schema.statut not in STATUTS_TERMINES and jour.year <= schema.fin


def dates_a_calculer(indicateur: Indicateur, schema: Schema, jour: datetime.date) -> list[datetime.date]:
    """The dates a computed indicator has a value at (none after today)."""
    premiere = indicateur.reference_date.year if indicateur.reference_date else schema.debut - 1
    derniere = min(schema.fin, jour.year - 1)
    premiere = max(premiere, derniere - ANNEES_MAX, PREMIERE_DATE.year)
    dates = {datetime.date(annee, 12, 31) for annee in range(premiere, derniere + 1)}
    if indicateur.reference_date and indicateur.reference_valeur is None:
        dates.add(indicateur.reference_date)
    if schema_en_cours(schema, jour):
        dates.add(jour)
    return sorted(d for d in dates if PREMIERE_DATE <= d <= jour)


def _cle(version: str, indicateur: Indicateur, schema: Schema, jour: datetime.date) -> str:
    """What the stored values depend on: data version, day, and the indicator's plan (definition, parameters,
    dates). Fits Indicateur.version_donnees."""
    plan = json.dumps(
        [
            indicateur.definition,
            indicateur.parametres,
            [d.isoformat() for d in dates_a_calculer(indicateur, schema, jour)],
        ],
        sort_keys=True,
        default=str,
    )
    return f"{version}@{jour.isoformat()}#{hashlib.sha256(plan.encode()).hexdigest()[:12]}"[:100]


def a_recalculer(schema: Schema, indicateurs, *, jour: datetime.date | None = None, version: str | None = None) -> bool:
    """Has any computed indicator among `indicateurs` (of `schema`) stale values? The data version's queries."""
    calcules = [i for i in indicateurs if i.source == Source.CALCULE]
    if not calcules:
        return False
    jour = jour or aujourdhui()
    version = version or version_donnees_schema(schema.departement_id)
    return any(i.version_donnees != _cle(version, i, schema, jour) for i in calcules)


def indicateurs_recalculer(*, schema: Schema, force: bool = False, jour: datetime.date | None = None) -> int:
    """Bring the computed indicators of `schema` up to date; return how many were recomputed.

    `force` recomputes every value that is not frozen, even when nothing changed (frozen ones never)."""
    jour = jour or aujourdhui()
    version = version_donnees_schema(schema.departement_id)
    if not force and not a_recalculer(schema, Indicateur.objects.filter(schema=schema), jour=jour, version=version):
        return 0  # up to date: no transaction, no lock
    cles = {}
    with transaction.atomic(), sans_journal_automatique():
        # Locked rows: two requests finding the values stale at once compute them once, one after the other.
        indicateurs = list(
            Indicateur.objects.select_for_update().filter(schema=schema, source=Source.CALCULE).order_by("pk")
        )
        for indicateur in indicateurs:
            cles[indicateur.pk] = _cle(version, indicateur, schema, jour)
        a_faire = [i for i in indicateurs if force or i.version_donnees != cles[i.pk]]
        if not a_faire:
            return 0
        existantes: dict[int, dict[datetime.date, ValeurIndicateur]] = {}
        for valeur in ValeurIndicateur.objects.filter(indicateur__in=a_faire):
            existantes.setdefault(valeur.indicateur_id, {})[valeur.date] = valeur
        plans = {i.pk: dates_a_calculer(i, schema, jour) for i in a_faire}
        # The dates the run will compute (frozen values are kept) known upfront: what they share is read once.
        prevues = {
            d
            for pk, dates in plans.items()
            for d in dates
            if not getattr(existantes.get(pk, {}).get(d), "figee", False)
        }
        lecteur = Lecteur(schema.departement_id, jour=jour, dates=prevues)
        creer, modifier, supprimer = [], [], []
        maintenant = timezone.now()
        for indicateur in a_faire:
            deja = existantes.get(indicateur.pk, {})
            dates = plans[indicateur.pk]
            definition = catalogue.definition(indicateur.definition)
            for date in dates if definition is not None else ():
                valeur = deja.get(date)
                if valeur is not None and valeur.figee:
                    continue
                resultat = definition.calculer(lecteur, date, indicateur.parametres or {})
                if resultat.valeur is None:
                    if valeur is not None:
                        supprimer.append(valeur.pk)
                    continue
                figee = date.year < jour.year and not resultat.provisoire
                champs = {
                    "valeur": resultat.valeur,
                    "methode": resultat.methode,
                    "figee": figee,
                    "version_donnees": version[:100],
                    "source": Source.CALCULE,
                    "le": maintenant,
                }
                if valeur is None:
                    creer.append(ValeurIndicateur(indicateur=indicateur, date=date, **champs))
                else:
                    for champ, contenu in champs.items():
                        setattr(valeur, champ, contenu)
                    modifier.append(valeur)
            # A former current value (an earlier day) or a date no longer planned goes, unless frozen.
            planifiees = set(dates) if definition is not None else set()
            supprimer += [v.pk for d, v in deja.items() if d not in planifiees and not v.figee]
            indicateur.version_donnees = cles[indicateur.pk]
        ValeurIndicateur.objects.filter(pk__in=supprimer).delete()
        ValeurIndicateur.objects.bulk_create(creer)
        ValeurIndicateur.objects.bulk_update(
            modifier, ["valeur", "methode", "figee", "version_donnees", "source", "le"], batch_size=500
        )
        Indicateur.objects.bulk_update(a_faire, ["version_donnees"])
    return len(a_faire)


# --- Typed values -----------------------------------------------------------------------------------------------


def lire_nombre(texte, *, champ: str = "valeur", libelle: str = "La valeur") -> Decimal:
    """A decimal from "1 234,5", "1234.5", 12 or Decimal; ValidationError keyed by `champ` otherwise."""
    if isinstance(texte, bool):
        raise ValidationError({champ: f"{libelle} doit être un nombre."})
    propre = str(texte if texte is not None else "").strip().replace("\u202f", "").replace("\xa0", "")
    propre = propre.replace(" ", "").replace(",", ".")
    try:
        nombre = Decimal(propre)
    except InvalidOperation:
        raise ValidationError({champ: f"{libelle} doit être un nombre (par exemple 12 ou 12,5)."}) from None
    if not nombre.is_finite() or abs(nombre) >= VALEUR_MAX:
        raise ValidationError({champ: f"{libelle} doit être un nombre fini de moins de 12 chiffres avant la virgule."})
    if nombre != nombre.quantize(Decimal("0.0001")):
        raise ValidationError({champ: f"{libelle} a au plus 4 décimales."})
    return nombre


def _lire_date(valeur, *, champ: str = "date", libelle: str = "La date", jusqua: datetime.date | None = None):
    if isinstance(valeur, datetime.datetime):
        valeur = valeur.date()
    if isinstance(valeur, str):
        try:
            valeur = datetime.date.fromisoformat(valeur.strip())
        except ValueError:
            raise ValidationError({champ: f"{libelle} doit être une date (jj/mm/aaaa)."}) from None
    if not isinstance(valeur, datetime.date):
        raise ValidationError({champ: f"{libelle} est obligatoire."})
    fin = jusqua or datetime.date(2100, 12, 31)
    if not PREMIERE_DATE <= valeur <= fin:
        raise ValidationError(
            {champ: f"{libelle} doit être comprise entre le {PREMIERE_DATE:%d/%m/%Y} et le {fin:%d/%m/%Y}."}
        )
    return valeur


def _commentaire(texte) -> str:
    texte = (texte or "").strip() if isinstance(texte, str | type(None)) else None
    if texte is None:
        raise ValidationError({"commentaire": "Le commentaire doit être un texte."})
    if len(texte) > LONGUEUR_COMMENTAIRE:
        raise ValidationError(
            {"commentaire": f"Le commentaire ne doit pas dépasser {LONGUEUR_COMMENTAIRE} caractères."}
        )
    return texte


def _valider_saisie(indicateur: Indicateur, *, date, valeur, commentaire, sauf=None):
    if indicateur.source != Source.MANUEL:
        raise ValidationError(
            {"valeur": "Cet indicateur est calculé à partir des données : ses valeurs ne se saisissent pas."}
        )
    erreurs = {}
    resultats = {}
    for cle, lire in (
        ("date", lambda: _lire_date(date, jusqua=aujourdhui())),
        ("valeur", lambda: lire_nombre(valeur)),
        ("commentaire", lambda: _commentaire(commentaire)),
    ):
        try:
            resultats[cle] = lire()
        except ValidationError as e:
            erreurs.update(e.message_dict)
    if "date" in resultats:
        doublon = ValeurIndicateur.objects.filter(indicateur=indicateur, date=resultats["date"])
        if sauf is not None:
            doublon = doublon.exclude(pk=sauf.pk)
        if doublon.exists():
            erreurs["date"] = [f"Une valeur existe déjà au {resultats['date']:%d/%m/%Y} : modifiez-la."]
    if erreurs:
        raise ValidationError(erreurs)
    return resultats["date"], resultats["valeur"], resultats["commentaire"]


def valeur_saisir(*, par, indicateur: Indicateur, date, valeur, commentaire: str = "") -> ValeurIndicateur:
    """Type in a dated value of a manual indicator (rule `indicateur.saisir`), with its author and comment."""
    if not peut(par, "indicateur.saisir", indicateur):
        raise PermissionDenied(REFUS)
    date, valeur, commentaire = _valider_saisie(indicateur, date=date, valeur=valeur, commentaire=commentaire)
    with transaction.atomic(), acteur(par):
        return ValeurIndicateur.objects.create(
            indicateur=indicateur,
            date=date,
            valeur=valeur,
            commentaire=commentaire,
            source=Source.MANUEL,
            auteur=par if getattr(par, "is_authenticated", False) else None,
        )


def _valeur_saisie(par, valeur_indicateur: ValeurIndicateur) -> Indicateur:
    indicateur = valeur_indicateur.indicateur
    if not peut(par, "indicateur.saisir", indicateur):
        raise PermissionDenied(REFUS)
    if valeur_indicateur.source != Source.MANUEL:
        raise ValidationError("Une valeur calculée ne se modifie pas : elle suit les données.")
    return indicateur


def valeur_modifier(
    *, par, valeur_indicateur: ValeurIndicateur, date, valeur, commentaire: str = "", version: int | None
) -> ValeurIndicateur:
    """Correct a typed value (date, value, comment); the author becomes the one who corrected it."""
    indicateur = _valeur_saisie(par, valeur_indicateur)
    date, valeur, commentaire = _valider_saisie(
        indicateur, date=date, valeur=valeur, commentaire=commentaire, sauf=valeur_indicateur
    )
    with transaction.atomic(), acteur(par):
        if version is not None:
            verifier_version(valeur_indicateur, version, nom="cette valeur")
        valeur_indicateur.date, valeur_indicateur.valeur, valeur_indicateur.commentaire = date, valeur, commentaire
        valeur_indicateur.auteur = par if getattr(par, "is_authenticated", False) else None
        valeur_indicateur.save()
        return valeur_indicateur


def valeur_supprimer(*, par, valeur_indicateur: ValeurIndicateur) -> None:
    _valeur_saisie(par, valeur_indicateur)
    with transaction.atomic(), acteur(par):
        valeur_indicateur.delete()


# --- Indicators -------------------------------------------------------------------------------------------------

CHAMPS = (
    "code",
    "libelle",
    "unite",
    "sens",
    "source",
    "definition",
    "parametres",
    "reference_valeur",
    "reference_date",
    "cible_valeur",
    "cible_date",
    "axe",
    "fiche",
    "ordre",
)


def _texte(donnees, cle, longueur, libelle, erreurs, *, obligatoire=False) -> str:
    valeur = donnees.get(cle)
    if valeur is None:
        valeur = ""
    if not isinstance(valeur, str):
        erreurs[cle] = f"{libelle} doit être un texte."
        return ""
    valeur = valeur.strip()
    if obligatoire and not valeur:
        erreurs[cle] = f"{libelle} est obligatoire."
    elif len(valeur) > longueur:
        erreurs[cle] = f"{libelle} ne doit pas dépasser {longueur} caractères."
    return valeur


def _facultatif(donnees, cle, lire, erreurs):
    valeur = donnees.get(cle)
    if valeur in (None, ""):
        return None
    try:
        return lire(valeur)
    except ValidationError as e:
        erreurs.update({k: v[0] for k, v in e.message_dict.items()})
        return None


def valider_indicateur(schema: Schema, donnees: dict, *, indicateur: Indicateur | None = None) -> dict:
    """The cleaned fields of an indicator of `schema`, or ValidationError (French, keyed by field)."""
    erreurs: dict[str, str] = {}
    propres: dict = {}
    propres["source"] = donnees.get("source") or Source.MANUEL
    if propres["source"] not in Source.values:
        erreurs["source"] = "La source est « manuel » (saisi) ou « calcule » (calculé)."
    definition = None
    propres["definition"] = ""
    propres["parametres"] = {}
    if propres["source"] == Source.CALCULE:
        code_definition = donnees.get("definition") or ""
        definition = catalogue.definition(code_definition) if isinstance(code_definition, str) else None
        if definition is None:
            erreurs["definition"] = (
                f"Définition inconnue : {code_definition!r}. Choisissez une définition du catalogue."
                if code_definition
                else "Un indicateur calculé a une définition du catalogue."
            )
        else:
            propres["definition"] = definition.code
            try:
                propres["parametres"] = definition.valider_parametres(donnees.get("parametres"))
            except ValueError as e:
                erreurs["parametres"] = str(e)
    else:
        if donnees.get("definition"):
            erreurs["definition"] = "Un indicateur saisi n'a pas de définition : choisissez la source « Calculé »."
        if donnees.get("parametres") not in (None, "", {}):
            erreurs["parametres"] = "Seul un indicateur calculé a des paramètres."

    propres["code"] = _texte(donnees, "code", 30, "Le code", erreurs, obligatoire=True)
    if propres["code"] and "code" not in erreurs and not MOTIF_CODE.fullmatch(propres["code"]):
        erreurs["code"] = "Le code s'écrit avec des lettres sans accent, des chiffres, « _ », « - » ou « . »."
    autres = Indicateur.objects.filter(schema=schema, code=propres["code"])
    if indicateur is not None:
        autres = autres.exclude(pk=indicateur.pk)
    if propres["code"] and "code" not in erreurs and autres.exists():
        erreurs["code"] = f"Le code {propres['code']} est déjà celui d'un autre indicateur de ce schéma."
    propres["libelle"] = _texte(donnees, "libelle", 300, "Le libellé", erreurs) or (
        definition.libelle if definition else ""
    )
    if not propres["libelle"] and "libelle" not in erreurs:
        erreurs["libelle"] = "Le libellé est obligatoire."
    propres["unite"] = _texte(donnees, "unite", 30, "L'unité", erreurs) or (definition.unite if definition else "")
    sens = donnees.get("sens") or (definition.sens if definition else Indicateur.Sens.HAUSSE)
    if sens not in Indicateur.Sens.values:
        erreurs["sens"] = "Le sens est « hausse » (plus c'est haut, mieux c'est) ou « baisse »."
    propres["sens"] = sens

    for cle, libelle in (("reference_valeur", "La valeur de référence"), ("cible_valeur", "La cible")):
        propres[cle] = _facultatif(
            donnees, cle, lambda v, c=cle, lib=libelle: lire_nombre(v, champ=c, libelle=lib), erreurs
        )
    for cle, libelle in (("reference_date", "La date de référence"), ("cible_date", "La date de la cible")):
        propres[cle] = _facultatif(
            donnees, cle, lambda v, c=cle, lib=libelle: _lire_date(v, champ=c, libelle=lib), erreurs
        )
    if (
        propres["reference_valeur"] is not None
        and propres["reference_date"] is None
        and "reference_date" not in erreurs
    ):
        erreurs["reference_date"] = "Indiquez la date de la valeur de référence."
    if (
        propres["source"] == Source.MANUEL
        and propres["reference_date"] is not None
        and propres["reference_valeur"] is None
        and "reference_valeur" not in erreurs
    ):
        erreurs["reference_valeur"] = "Indiquez la valeur de référence (seul un indicateur calculé la calcule)."
    if (propres["cible_valeur"] is None) != (propres["cible_date"] is None) and not (
        {"cible_valeur", "cible_date"} & set(erreurs)
    ):
        champ = "cible_date" if propres["cible_date"] is None else "cible_valeur"
        erreurs[champ] = "Une cible a une valeur et une date."
    if (
        propres["reference_date"]
        and propres["cible_date"]
        and propres["cible_date"] <= propres["reference_date"]
        and "cible_date" not in erreurs
    ):
        erreurs["cible_date"] = "La date de la cible doit suivre la date de référence."

    axe, fiche = donnees.get("axe"), donnees.get("fiche")
    if axe is not None and fiche is not None:
        erreurs["fiche"] = "Un indicateur est rattaché au schéma, à un axe ou à une fiche action, pas aux deux."
    if axe is not None and (not isinstance(axe, Axe) or axe.schema_id != schema.pk):
        erreurs["axe"] = "Choisissez un axe de ce schéma."
    if fiche is not None and (not isinstance(fiche, FicheAction) or fiche.schema_id != schema.pk):
        erreurs["fiche"] = "Choisissez une fiche action de ce schéma."
    propres["axe"], propres["fiche"] = axe, fiche
    ordre = donnees.get("ordre") or 0
    if isinstance(ordre, bool) or not isinstance(ordre, int) or not 0 <= ordre <= 32767:
        erreurs["ordre"] = "L'ordre est un nombre entier positif."
        ordre = 0
    propres["ordre"] = ordre
    if (
        indicateur is not None
        and indicateur.source == Source.MANUEL
        and propres["source"] == Source.CALCULE
        and indicateur.valeurs.filter(source=Source.MANUEL).exists()
    ):
        erreurs["source"] = "Cet indicateur a des valeurs saisies : supprimez-les avant de le faire calculer."
    if erreurs:
        raise ValidationError(erreurs)
    return propres


def indicateur_creer(*, par, schema: Schema, donnees: dict) -> Indicateur:
    """Create an indicator of `schema` (rule `schema.gerer`); its computed values come with the next reading."""
    exiger(par, "schema.gerer", schema)
    propres = valider_indicateur(schema, donnees)
    with transaction.atomic(), acteur(par):
        return Indicateur.objects.create(schema=schema, **propres)


def indicateur_modifier(*, par, indicateur: Indicateur, donnees: dict, version: int | None) -> Indicateur:
    """Change an indicator. Its computed values are recomputed at the next reading (frozen ones stay); switching
    it to typed-in values removes its computed ones."""
    exiger(par, "schema.gerer", indicateur.schema)
    propres = valider_indicateur(indicateur.schema, donnees, indicateur=indicateur)
    with transaction.atomic(), acteur(par):
        if version is not None:
            verifier_version(indicateur, version, nom="cet indicateur")
        if propres["source"] == Source.MANUEL:
            indicateur.valeurs.filter(source=Source.CALCULE).delete()
        definition_change = (propres["definition"], propres["parametres"]) != (
            indicateur.definition,
            indicateur.parametres,
        )
        if definition_change:
            # Values of another definition are not this indicator's history, frozen or not.
            indicateur.valeurs.filter(source=Source.CALCULE).delete()
        for champ, valeur in propres.items():
            setattr(indicateur, champ, valeur)
        indicateur.version_donnees = ""
        indicateur.save()
        return indicateur


def indicateur_supprimer(*, par, indicateur: Indicateur) -> None:
    exiger(par, "schema.gerer", indicateur.schema)
    with transaction.atomic(), acteur(par):
        indicateur.delete()
