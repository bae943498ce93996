"""Writes of the diagnostic territorial: simulation scenarios and the département's parameters.

Every function checks `diagnostic.simuler` for `par` (maillage.core.permissions), validates everything before
writing and writes inside one transaction: a refusal raises ValidationError (French messages, keyed by field) or
PermissionDenied, and nothing is written. The validation helpers (`valider_ajouts`, `valider_parametres`) also
check simulations, which write nothing: `preparer_simulation` serves the simulation page and the API alike.
"""

import datetime
import math
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal, InvalidOperation

from django.core.exceptions import ValidationError
from django.db import transaction

from maillage.core.audit import acteur
from maillage.core.permissions import exiger
from maillage.core.versions import verifier_version
from maillage.structures.models import Structure, TypeStructure
from maillage.structures.services import verifier_position
from maillage.territoires.models import Commune, Departement
from maillage.territoires.selectors import departement_du_code

from . import moteur, selectors
from .models import ParametresDiagnostic, Scenario

DISTANCE_MIN_KM, DISTANCE_MAX_KM = Decimal("0.1"), Decimal("50")
TAMPON_MIN_M, TAMPON_MAX_M = 0, 5000
AJOUTS_MAX = 100
FERMETURES_MAX = 500
COMPOSANTES_SCORE = tuple(moteur.Parametres().poids)


def _code(departement) -> str:
    if isinstance(departement, Departement):
        return departement.code
    return str(departement or "").strip().upper()


def _lever(erreurs: dict) -> None:
    if erreurs:
        raise ValidationError(erreurs)


# --- Checks ---------------------------------------------------------------------------------


def _en_nombre(valeur, erreurs: list, message: str) -> float | None:
    if valeur is None or valeur == "":
        return None
    if isinstance(valeur, bool) or not isinstance(valeur, int | float | str | Decimal):
        erreurs.append(message)
        return None
    try:
        nombre = float(str(valeur).strip().replace(",", "."))
    except ValueError:
        erreurs.append(message)
        return None
    if not math.isfinite(nombre):
        erreurs.append(message)
        return None
    return nombre


def valider_ajouts(*, departement, ajouts) -> list[dict]:
    """Hypothetical structures of a scenario or a simulation, checked and normalised.

    Each item: {"nom"?, "type": "centre_social"|"evs", "commune": INSEE code of the département, "longitude"?,
    "latitude"?}; a position, when given, must be inside the commune's outline (with the registry's tolerance,
    `structures.services.verifier_position`); without one the structure stands at the commune's representative
    point. Returns [{"nom", "type", "commune", "longitude", "latitude"}] (position None when not given).
    Raises ValidationError({"ajouts": [...]}) with one French message per wrong item.
    """
    code = _code(departement)
    if ajouts is None:
        return []
    if not isinstance(ajouts, list | tuple):
        raise ValidationError({"ajouts": ["Les structures ajoutées doivent former une liste."]})
    if len(ajouts) > AJOUTS_MAX:
        raise ValidationError({"ajouts": [f"Au plus {AJOUTS_MAX} structures hypothétiques par simulation."]})
    codes = {str(a.get("commune") or "").strip().upper() for a in ajouts if isinstance(a, dict) and a.get("commune")}
    communes = {
        c.code: c
        for c in Commune.objects.filter(code__in=codes, departement_id=code).only(
            "code", "nom", "geometrie", "longitude", "latitude", "departement_id"
        )
    }
    erreurs, propres = [], []
    for numero, ajout in enumerate(ajouts, start=1):
        prefixe = f"Structure ajoutée n° {numero} :"
        if not isinstance(ajout, dict):
            erreurs.append(
                f"{prefixe} attendu un objet avec un type, une commune et, au choix, un nom et une position."
            )
            continue
        messages = []
        type_ = ajout.get("type")
        if type_ not in TypeStructure.values:
            messages.append(
                f"type {type_!r} inconnu (valeurs possibles : {', '.join(TypeStructure.values)})"
                if type_
                else "indiquez le type (centre_social ou evs)"
            )
        commune_code = str(ajout.get("commune") or "").strip().upper()
        commune = communes.get(commune_code)
        if not commune_code:
            messages.append("indiquez la commune (code INSEE)")
        elif commune is None:
            messages.append(f"la commune {commune_code!r} n'est pas une commune du département {code}")
        nom = ajout.get("nom")
        if nom is not None and not isinstance(nom, str):
            messages.append("le nom doit être un texte")
            nom = ""
        nom = (nom or "").strip()
        if len(nom) > 250:
            messages.append("le nom ne doit pas dépasser 250 caractères")
        position_erreurs: list[str] = []
        longitude = _en_nombre(ajout.get("longitude"), position_erreurs, "la longitude doit être un nombre")
        latitude = _en_nombre(ajout.get("latitude"), position_erreurs, "la latitude doit être un nombre")
        messages += position_erreurs
        if commune is not None and not position_erreurs and (longitude is not None or latitude is not None):
            _, _, refus = verifier_position(commune, longitude, latitude)
            for liste in refus.values():
                messages += [m[0].lower() + m[1:].rstrip(".") for m in liste]
        if messages:
            erreurs.append(f"{prefixe} {' ; '.join(messages)}.")
            continue
        libelle = TypeStructure(type_).label
        propres.append(
            {
                "nom": nom or f"{libelle} hypothétique à {commune.nom}",
                "type": type_,
                "commune": commune.code,
                "longitude": longitude,
                "latitude": latitude,
            }
        )
    _lever({"ajouts": erreurs} if erreurs else {})
    return propres


def _fermetures(code: str, fermetures, erreurs: dict) -> list[Structure]:
    identifiants = []
    for element in fermetures or ():
        valeur = element.pk if isinstance(element, Structure) else element
        if isinstance(valeur, bool):
            valeur = None
        try:
            identifiants.append(int(valeur))
        except (TypeError, ValueError):
            erreurs.setdefault("fermetures", []).append(
                f"Identifiant de structure invalide : {valeur!r} (attendu un nombre entier)."
            )
    if len(identifiants) > FERMETURES_MAX:
        erreurs.setdefault("fermetures", []).append(f"Au plus {FERMETURES_MAX} structures fermées par simulation.")
        return []
    structures = list(Structure.objects.filter(pk__in=identifiants, departement_id=code).order_by("pk"))
    connues = {s.pk for s in structures}
    inconnues = sorted({pk for pk in identifiants if pk not in connues})
    if inconnues:
        erreurs.setdefault("fermetures", []).append(
            f"Ces structures ne sont pas des structures du département {code} : "
            f"{', '.join(str(pk) for pk in inconnues)}."
        )
    return structures


def valider_fermetures(*, departement, fermetures) -> list[int]:
    """Ids of structures of the département (ValidationError({"fermetures": [...]}) otherwise)."""
    erreurs: dict = {}
    structures = _fermetures(_code(departement), fermetures, erreurs)
    _lever(erreurs)
    return [s.pk for s in structures]


def valider_parametres(*, distance_couverture_km, tampon_qpv_m, poids) -> tuple[Decimal, int, dict[str, float]]:
    """Checked parameters: distance 0.1-50 km (to the hundredth), QPV buffer 0-5000 m (whole metres), weights ≥ 0
    for known components only, with a positive sum (a component left out weighs 0).
    Raises ValidationError keyed by field, French messages."""
    erreurs: dict[str, list[str]] = {}
    distance = None
    try:
        if isinstance(distance_couverture_km, bool) or distance_couverture_km in (None, ""):
            raise InvalidOperation
        distance = Decimal(str(distance_couverture_km).strip().replace(",", "."))
        if not distance.is_finite():
            raise InvalidOperation
        distance = distance.quantize(Decimal("0.01"), rounding=ROUND_HALF_UP)
    except (InvalidOperation, ValueError):
        erreurs["distance_couverture_km"] = ["La distance de couverture doit être un nombre de kilomètres."]
    if distance is not None and not DISTANCE_MIN_KM <= distance <= DISTANCE_MAX_KM:
        erreurs["distance_couverture_km"] = [
            f"La distance de couverture doit être comprise entre 0,1 et {DISTANCE_MAX_KM} km."
        ]
    tampon = None
    messages_tampon: list[str] = []
    nombre = _en_nombre(tampon_qpv_m, messages_tampon, "x")
    if nombre is None or messages_tampon or nombre != int(nombre):
        erreurs["tampon_qpv_m"] = ["Le tampon autour des QPV doit être un nombre entier de mètres."]
    elif not TAMPON_MIN_M <= nombre <= TAMPON_MAX_M:
        erreurs["tampon_qpv_m"] = [f"Le tampon autour des QPV doit être compris entre 0 et {TAMPON_MAX_M} m."]
    else:
        tampon = int(nombre)
    propres: dict[str, float] = {}
    if not isinstance(poids, dict):
        erreurs["poids"] = ["Les pondérations doivent associer un nombre à chaque composante du score."]
    else:
        messages = []
        inconnues = sorted(str(cle) for cle in poids if cle not in COMPOSANTES_SCORE)
        if inconnues:
            messages.append(
                f"Composantes inconnues : {', '.join(inconnues)} "
                f"(composantes du score : {', '.join(COMPOSANTES_SCORE)})."
            )
        for cle in COMPOSANTES_SCORE:
            refus: list[str] = []
            valeur = _en_nombre(poids.get(cle, 0), refus, "x")
            if refus or (valeur is None and poids.get(cle) not in (None, "")):
                messages.append(f"La pondération « {cle} » doit être un nombre.")
            elif valeur is not None and valeur < 0:
                messages.append(f"La pondération « {cle} » doit être positive ou nulle.")
            else:
                propres[cle] = valeur or 0.0
        if not messages and sum(propres.values()) <= 0:
            messages.append("Au moins une pondération doit être strictement positive.")
        if messages:
            erreurs["poids"] = messages
    _lever(erreurs)
    return distance, tampon, propres


def parametres_moteur(*, distance_couverture_km, tampon_qpv_m, poids) -> moteur.Parametres:
    """Checked parameters (valider_parametres) as the engine's dataclass."""
    distance, tampon, propres = valider_parametres(
        distance_couverture_km=distance_couverture_km, tampon_qpv_m=tampon_qpv_m, poids=poids
    )
    return moteur.Parametres(distance_couverture_km=float(distance), tampon_qpv_m=float(tampon), poids=propres)


# --- Simulation ------------------------------------------------------------------------------


@dataclass(frozen=True)
class Preparation:
    """Checked inputs of a simulation, ready for `selectors.simuler`."""

    ajouts: list[dict]
    fermetures: list[int]
    parametres: moteur.Parametres | None = None


PARAMETRES_SIMULATION = ("distance_couverture_km", "tampon_qpv_m", "poids")


def preparer_simulation(*, departement, ajouts, fermetures, parametres=None) -> Preparation:
    """Check what a simulation is asked to run, for the page and the API alike (nothing is written).

    `ajouts`: hypothetical structures (`valider_ajouts`); `fermetures`: a list of structures of the département
    (`valider_fermetures`); `parametres`: None for the département's own, or a dict overriding some of
    `distance_couverture_km`, `tampon_qpv_m`, `poids` (`valider_parametres`). Raises one ValidationError keyed
    by "ajouts", "fermetures" and "parametres"-like fields with every French message.
    """
    code = _code(departement)
    erreurs: dict[str, list[str]] = {}
    propres_ajouts, propres_fermetures, propres_parametres = [], [], None
    try:
        propres_ajouts = valider_ajouts(departement=code, ajouts=ajouts)
    except ValidationError as erreur:
        erreurs.update(_messages(erreur))
    if fermetures is not None and not isinstance(fermetures, list):
        erreurs["fermetures"] = ["Les structures fermées doivent former une liste d'identifiants."]
    else:
        try:
            propres_fermetures = valider_fermetures(departement=code, fermetures=fermetures or [])
        except ValidationError as erreur:
            erreurs.update(_messages(erreur))
    if parametres is not None:
        if not isinstance(parametres, dict):
            erreurs["parametres"] = [
                "Les paramètres doivent être un objet (distance_couverture_km, tampon_qpv_m, poids)."
            ]
        elif inconnus := sorted(set(parametres) - set(PARAMETRES_SIMULATION)):
            erreurs["parametres"] = [f"Paramètres inconnus : {', '.join(map(str, inconnus))}."]
        else:
            actuels = selectors.parametres_du_departement(code)
            try:
                propres_parametres = parametres_moteur(
                    distance_couverture_km=parametres.get("distance_couverture_km", actuels.distance_couverture_km),
                    tampon_qpv_m=parametres.get("tampon_qpv_m", actuels.tampon_qpv_m),
                    poids=parametres.get("poids", actuels.poids),
                )
            except ValidationError as erreur:
                erreurs.update(_messages(erreur))
    _lever(erreurs)
    return Preparation(ajouts=propres_ajouts, fermetures=propres_fermetures, parametres=propres_parametres)


def _messages(erreur: ValidationError) -> dict[str, list[str]]:
    if hasattr(erreur, "error_dict"):
        return erreur.message_dict
    return {"__all__": erreur.messages}


# --- Parameters -----------------------------------------------------------------------------


def _departement(code: str) -> Departement:
    departement = departement_du_code(code)
    if departement is None:
        raise ValidationError({"departement": [f"Département inconnu : {code!r}."]})
    return departement


def parametres_modifier(
    *, par, departement, distance_couverture_km, tampon_qpv_m, poids, version: int | None = None
) -> ParametresDiagnostic:
    """Set a département's diagnostic parameters (the data version changes: cached diagnostics are recomputed).

    `version` is the one the form read (0: no parameters stored yet); a stale one is refused with ConflitVersion
    (None only for scripts)."""
    code = _code(departement)
    exiger(par, "diagnostic.simuler", code)
    dep = _departement(code)
    distance, tampon, propres = valider_parametres(
        distance_couverture_km=distance_couverture_km, tampon_qpv_m=tampon_qpv_m, poids=poids
    )
    with transaction.atomic(), acteur(par):
        ligne = ParametresDiagnostic.objects.select_for_update().filter(departement=dep).first()
        if ligne is not None and version is not None:
            verifier_version(ligne, version, nom="les paramètres du diagnostic")
        if ligne is None:
            ligne = ParametresDiagnostic(departement=dep)
        ligne.distance_couverture_km = distance
        ligne.tampon_qpv_m = tampon
        ligne.poids = propres
        ligne.modifie_par = par
        ligne.save()
    return ligne


# --- Scenarios ------------------------------------------------------------------------------


def scenario_enregistrer(
    *,
    par,
    departement,
    nom: str,
    description: str = "",
    date_reference: datetime.date,
    ajouts: list[dict],
    fermetures,
    partage: bool = False,
    scenario: Scenario | None = None,
    version: int | None = None,
) -> Scenario:
    """Create (or, with `scenario`, replace the content of) a named simulation scenario of a département.

    Replacing: `version` is the one the form read; a stale one is refused with ConflitVersion (None for scripts).

    `fermetures` are structures (or their ids) of the département; `ajouts` are checked by `valider_ajouts`.
    """
    code = _code(departement)
    exiger(par, "diagnostic.simuler", code)
    if scenario is not None:
        exiger(par, "diagnostic.simuler", scenario.departement_id)
        if scenario.departement_id != code:
            raise ValidationError({"departement": ["Un scénario ne change pas de département."]})
    dep = _departement(code)
    erreurs: dict[str, list[str]] = {}
    nom = (nom or "").strip() if isinstance(nom, str) else ""
    if not nom:
        erreurs["nom"] = ["Donnez un nom au scénario."]
    elif len(nom) > 200:
        erreurs["nom"] = ["Le nom du scénario ne doit pas dépasser 200 caractères."]
    description = (description or "").strip() if isinstance(description, str) else ""
    if not isinstance(date_reference, datetime.date) or isinstance(date_reference, datetime.datetime):
        erreurs["date_reference"] = ["Indiquez la date de référence (JJ/MM/AAAA)."]
    try:
        ajouts_propres = valider_ajouts(departement=code, ajouts=ajouts)
    except ValidationError as erreur:
        erreurs.update(erreur.message_dict)
        ajouts_propres = []
    structures = _fermetures(code, fermetures, erreurs)
    if not erreurs and not ajouts_propres and not structures:
        erreurs["ajouts"] = ["Ajoutez au moins une structure hypothétique ou choisissez une structure à fermer."]
    _lever(erreurs)
    with transaction.atomic(), acteur(par):
        if scenario is not None and version is not None:
            verifier_version(scenario, version, nom="ce scénario")
        if scenario is None:
            scenario = Scenario(departement=dep, auteur=par)
        scenario.nom = nom
        scenario.description = description
        scenario.date_reference = date_reference
        scenario.ajouts = ajouts_propres
        scenario.partage = bool(partage)
        scenario.save()
        scenario.fermetures.set(structures)
    return scenario


def scenario_supprimer(*, par, scenario: Scenario) -> None:
    exiger(par, "diagnostic.simuler", scenario.departement_id)
    with transaction.atomic(), acteur(par):
        scenario.delete()
