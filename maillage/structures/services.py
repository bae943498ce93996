"""Writes on the registry: structures, gestionnaires, contacts, projets sociaux and their documents.

Every function checks the permission of `par` (maillage.core.permissions), validates everything
before writing, and writes inside one transaction: a refusal raises ValidationError (French messages,
keyed by field when possible) or PermissionDenied, and nothing is written.
"""

import datetime
import json
import math
import os
import re
import zipfile
import zlib

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.text import get_valid_filename

from maillage.core import horloge
from maillage.core.permissions import exiger, peut
from maillage.core.versions import verifier_version
from maillage.territoires.models import QPV, Commune

from .models import Agrement, Contact, DocumentProjet, Gestionnaire, ProjetSocial, Structure
from .selectors import STATUTS_ACTIFS
from .siret import erreur_siret, normaliser

# --- Field sets per role --------------------------------------------------------------------

# What a structure user or a conseiller may edit: the structure's profile.
CHAMPS_PROFIL = frozenset(
    {
        "nom",
        "siret",
        "adresse",
        "code_postal",
        "commune",
        "longitude",
        "latitude",
        "communes_competence",
        "qpv_competence",
        "telephone",
        "email",
        "site_web",
        "presentation",
        "multi_sites",
        "itinerante",
        "gens_du_voyage",
        "situation_qpv",
        "adherent_federation",
    }
)
# What only the pilot (structure.gerer) decides: type, gestionnaire, dates.
CHAMPS_PILOTE = frozenset({"type", "gestionnaire", "date_premier_agrement", "date_ouverture", "date_fermeture"})
CHAMPS_STRUCTURE = CHAMPS_PROFIL | CHAMPS_PILOTE
CHAMPS_OBLIGATOIRES = ("type", "nom", "gestionnaire", "commune")
_M2M = ("communes_competence", "qpv_competence")

# Tolerance around the commune's outline (degrees, about 500 m): simplified outlines are approximate.
TOLERANCE_CONTOUR = 0.005
# Without the commune's outline, a position farther than this from the commune's centre is worth a look (km).
DISTANCE_AVERTISSEMENT_KM = 10


def champs_modifiables(user, structure) -> frozenset:
    """The structure fields `user` may edit: all of them for the pilot, the profile otherwise."""
    if peut(user, "structure.gerer", structure):
        return CHAMPS_STRUCTURE
    if peut(user, "structure.modifier", structure):
        return CHAMPS_PROFIL
    return frozenset()


# --- Checks ---------------------------------------------------------------------------------


def _verifier_siret(valeur: str, erreurs: dict, champ: str = "siret") -> str:
    valeur = normaliser(valeur or "")
    if valeur and (raison := erreur_siret(valeur)):
        erreurs.setdefault(champ, []).append(raison)
    return valeur


def _contour(commune: Commune):
    if not commune.geometrie:
        return None
    try:
        from shapely.geometry import shape

        return shape(json.loads(commune.geometrie))
    except Exception:  # a malformed stored outline must not block an edit
        return None


def verifier_position(commune: Commune, longitude, latitude) -> tuple[float | None, float | None, dict]:
    """Position of a structure: the commune's point when none is given; refused when outside the commune."""
    erreurs: dict[str, list[str]] = {}
    if longitude is None and latitude is None:
        return commune.longitude, commune.latitude, erreurs
    if longitude is None or latitude is None:
        erreurs["longitude"] = ["Indiquez la longitude et la latitude, ou aucune des deux."]
        return None, None, erreurs
    if not -180 <= longitude <= 180:
        erreurs["longitude"] = ["La longitude doit être comprise entre -180 et 180 degrés."]
    if not -90 <= latitude <= 90:
        erreurs["latitude"] = ["La latitude doit être comprise entre -90 et 90 degrés."]
    if erreurs:
        return None, None, erreurs
    contour = _contour(commune)
    if contour is not None:
        from shapely.geometry import Point

        if not contour.buffer(TOLERANCE_CONTOUR).contains(Point(longitude, latitude)):
            erreurs["longitude"] = [
                f"Cette position est en dehors de la commune de {commune.nom} : vérifiez la longitude et la "
                "latitude (en degrés décimaux, WGS 84), ou laissez-les vides pour placer la structure au centre "
                "de la commune."
            ]
    return longitude, latitude, erreurs


def prefixe_postal(departement_id: str) -> str:
    """The first digits of the postal codes of a département: "94", "20" for Corsica, "971" overseas."""
    if departement_id in ("2A", "2B"):
        return "20"
    return departement_id


def erreurs_code_postal(code: str, commune: Commune | None) -> list[str]:
    """A French postal code: 5 digits, beginning as the commune's département when the commune is known."""
    code = (code or "").strip()
    if not code:
        return []
    if not re.fullmatch(r"\d{5}", code):
        return [f"Le code postal « {code[:20]} » doit compter 5 chiffres, par exemple 94400."]
    if commune is not None and commune.departement_id:
        prefixe = prefixe_postal(commune.departement_id)
        if not code.startswith(prefixe):
            return [
                f"Le code postal {code} n'est pas celui d'une commune du département {commune.departement_id} "
                f"({commune.nom}) : il devrait commencer par {prefixe}."
            ]
    return []


def _distance_km(lon1: float, lat1: float, lon2: float, lat2: float) -> float:
    rayon = 6371.0
    phi1, phi2 = math.radians(lat1), math.radians(lat2)
    dphi, dlambda = phi2 - phi1, math.radians(lon2 - lon1)
    a = math.sin(dphi / 2) ** 2 + math.cos(phi1) * math.cos(phi2) * math.sin(dlambda / 2) ** 2
    return 2 * rayon * math.asin(math.sqrt(a))


def avertissements_position(commune: Commune, longitude, latitude) -> list[str]:
    """Warnings (not refusals) on a position that could not be checked against the commune's outline.

    With the commune's outline the position is refused outside it (verifier_position). Without it, the
    position is compared with the outline of the département (the union of its communes' known outlines) and
    with the commune's centre: far away is allowed (a structure may sit at the edge of a large commune) but said.
    """
    if longitude is None or latitude is None or commune is None or _contour(commune) is not None:
        return []
    from shapely.geometry import Point, shape
    from shapely.ops import unary_union

    point = Point(longitude, latitude)
    contours = []
    for geometrie in (
        Commune.objects.filter(departement_id=commune.departement_id)
        .exclude(geometrie="")
        .values_list("geometrie", flat=True)
    ):
        try:
            contours.append(shape(json.loads(geometrie)))
        except Exception:  # a malformed stored outline is skipped
            continue
    if contours and not unary_union(contours).buffer(TOLERANCE_CONTOUR).contains(point):
        return [
            f"Cette position est en dehors du département {commune.departement_id} : vérifiez la longitude et la "
            "latitude (en degrés décimaux, WGS 84)."
        ]
    if commune.longitude is not None and commune.latitude is not None:
        distance = _distance_km(commune.longitude, commune.latitude, longitude, latitude)
        if distance > DISTANCE_AVERTISSEMENT_KM:
            return [
                f"Cette position est à {round(distance)} km du centre de {commune.nom} : vérifiez la longitude et "
                "la latitude (en degrés décimaux, WGS 84)."
            ]
    return []


def _verifier_zone(departement_id: str, communes, qpv, erreurs: dict) -> None:
    hors = [c for c in communes if c.departement_id != departement_id]
    if hors:
        erreurs["communes_competence"] = [
            "La zone de compétence ne peut comprendre que des communes du département de la structure "
            f"({', '.join(c.nom for c in hors)})."
        ]
    if qpv:
        codes = [q.code for q in qpv]
        dans_dep = set(
            QPV.objects.filter(code__in=codes, communes__departement_id=departement_id).values_list("code", flat=True)
        )
        hors_qpv = [q for q in qpv if q.code not in dans_dep]
        if hors_qpv:
            erreurs["qpv_competence"] = [
                "La zone de compétence ne peut comprendre que des QPV du département de la structure "
                f"({', '.join(q.nom for q in hors_qpv)})."
            ]


def _lever(erreurs: dict) -> None:
    if erreurs:
        raise ValidationError(erreurs)


def _valider_modele(instance, exclude=()) -> dict:
    try:
        instance.full_clean(exclude=list(exclude))
    except ValidationError as erreur:
        return erreur.message_dict
    return {}


def _fusionner(erreurs: dict, autres: dict) -> None:
    for champ, messages in autres.items():
        erreurs.setdefault(champ, [])
        erreurs[champ].extend(m for m in messages if m not in erreurs[champ])


# --- Gestionnaires ------------------------------------------------------------------------------

REGIES_POSSIBLES = (
    Gestionnaire.FormeJuridique.COMMUNE,
    Gestionnaire.FormeJuridique.CCAS,
    Gestionnaire.FormeJuridique.CIAS,
    Gestionnaire.FormeJuridique.EPCI,
)


@transaction.atomic
def gestionnaire_creer(
    *,
    par,
    nom: str,
    forme_juridique: str,
    departement: str,
    siret: str = "",
    commune: Commune | None = None,
    designation: str = "",
) -> Gestionnaire:
    """A new gestionnaire, created by a pilot of `departement` (its commune, if any, in that département).

    `designation` (how it was appointed) defaults from the legal form; a régie is a collectivité's."""
    exiger(par, "structure.creer", departement)
    erreurs: dict[str, list[str]] = {}
    siret = _verifier_siret(siret, erreurs)
    if commune is not None and commune.departement_id != departement:
        erreurs["commune"] = ["La commune du gestionnaire doit appartenir au département."]
    if designation == Gestionnaire.Designation.REGIE and forme_juridique not in REGIES_POSSIBLES:
        erreurs["designation"] = [
            "Une gestion en régie est celle d'une collectivité (commune, CCAS, CIAS, EPCI) : choisissez une autre "
            "forme juridique ou un autre mode de désignation."
        ]
    gestionnaire = Gestionnaire(
        nom=(nom or "").strip(),
        forme_juridique=forme_juridique,
        siret=siret,
        commune=commune,
        designation=designation or Gestionnaire.DESIGNATIONS_PAR_DEFAUT.get(forme_juridique, ""),
    )
    _fusionner(erreurs, _valider_modele(gestionnaire, exclude=["mode_gestion"]))
    _lever(erreurs)
    gestionnaire.save()
    return gestionnaire


# --- Structures ---------------------------------------------------------------------------------


def _preparer(structure: Structure, champs: dict, erreurs: dict) -> dict:
    """Apply the simple fields on `structure`, check them; return the many-to-many values to set."""
    m2m = {nom: list(champs.pop(nom)) for nom in _M2M if nom in champs}
    if "siret" in champs:
        champs["siret"] = _verifier_siret(champs["siret"], erreurs)
    for nom, valeur in champs.items():
        setattr(structure, nom, valeur)
    commune = structure.commune if structure.commune_id else None
    if {"code_postal", "commune"} & set(champs) and (message := erreurs_code_postal(structure.code_postal, commune)):
        _fusionner(erreurs, {"code_postal": message})
    if commune is not None:
        if {"longitude", "latitude", "commune"} & set(champs) or structure._state.adding:
            lon, lat, erreurs_position = verifier_position(commune, structure.longitude, structure.latitude)
            _fusionner(erreurs, erreurs_position)
            structure.longitude, structure.latitude = lon, lat
        # The zone checked as it will be: the new values, or the current ones when the commune moves.
        communes = m2m.get("communes_competence")
        if communes is None:
            communes = list(structure.communes_competence.all()) if structure.pk else []
        qpv = m2m.get("qpv_competence")
        if qpv is None:
            qpv = list(structure.qpv_competence.all()) if structure.pk else []
        _verifier_zone(commune.departement_id, communes, qpv, erreurs)
    exclure = ["departement", *erreurs]
    if commune is not None:
        structure.departement_id = commune.departement_id
    _fusionner(erreurs, _valider_modele(structure, exclude=exclure))
    return m2m


def _inconnus(champs: dict, permis: frozenset) -> None:
    interdits = sorted(set(champs) - permis)
    if interdits:
        raise ValidationError(
            {
                nom: ["Vous ne pouvez pas modifier ce champ." if nom in CHAMPS_STRUCTURE else "Champ inconnu."]
                for nom in interdits
            }
        )


@transaction.atomic
def structure_creer(*, par, **champs) -> Structure:
    """A new structure in a département where `par` may create structures (`structure.creer`)."""
    _inconnus(champs, CHAMPS_STRUCTURE)
    manquants = [nom for nom in CHAMPS_OBLIGATOIRES if not champs.get(nom)]
    if manquants:
        raise ValidationError({nom: ["Ce champ est obligatoire."] for nom in manquants})
    commune = champs["commune"]
    exiger(par, "structure.creer", commune.departement_id)
    structure = Structure()
    erreurs: dict[str, list[str]] = {}
    m2m = _preparer(structure, dict(champs), erreurs)
    _lever(erreurs)
    structure.save()
    for nom, valeurs in m2m.items():
        getattr(structure, nom).set(valeurs)
    return structure


@transaction.atomic
def structure_modifier(*, par, structure: Structure, version: int | None = None, **champs) -> Structure:
    """Edit a structure: the profile for `structure.modifier`, every field for `structure.gerer`.

    A field outside the user's set is refused (not silently dropped), the commune stays in the
    structure's département (a pilot moves a structure only between their départements). `version` is the one
    the form read: refused (ConflitVersion) when the structure changed since; None only for scripts.
    """
    exiger(par, "structure.modifier", structure)
    _inconnus(champs, champs_modifiables(par, structure))
    if "commune" in champs:
        commune = champs["commune"]
        if commune is None:
            raise ValidationError({"commune": ["Ce champ est obligatoire."]})
        if commune.departement_id != structure.departement_id and not peut(
            par, "structure.creer", commune.departement_id
        ):
            raise ValidationError({"commune": ["La commune doit appartenir au département de la structure."]})
    structure = Structure.objects.select_for_update().get(pk=structure.pk)
    if version is not None:
        verifier_version(structure, version, nom="cette structure")
    erreurs: dict[str, list[str]] = {}
    m2m = _preparer(structure, dict(champs), erreurs)
    if "commune" in champs and not peut(par, "structure.modifier", structure):
        # A conseiller does not move a structure out of their sector (they would lose it).
        erreurs.setdefault("commune", []).append("Cette commune est hors de votre périmètre.")
    _lever(erreurs)
    structure.save()
    for nom, valeurs in m2m.items():
        getattr(structure, nom).set(valeurs)
    return structure


@transaction.atomic
def structure_fermer(*, par, structure: Structure, date: datetime.date) -> Structure:
    """Record the closing of a structure (pilot only). Refused while a granted agrément runs past `date`."""
    exiger(par, "structure.gerer", structure)
    if date is None:
        raise ValidationError({"date": ["Indiquez la date de fermeture."]})
    if structure.date_ouverture and date < structure.date_ouverture:
        raise ValidationError(
            {"date": [f"La date de fermeture doit suivre la date d'ouverture ({structure.date_ouverture:%d/%m/%Y})."]}
        )
    apres = (
        Agrement.objects.filter(structure=structure, statut__in=STATUTS_ACTIFS, fin__gt=date).order_by("-fin").first()
    )
    if apres is not None:
        raise ValidationError(
            {
                "date": [
                    f"Un agrément accordé court jusqu'au {apres.fin:%d/%m/%Y}, après cette date : "
                    "mettez d'abord fin à l'agrément."
                ]
            }
        )
    structure.date_fermeture = date
    structure.save(update_fields=["date_fermeture", "modifie_le"])
    return structure


# --- Contacts -------------------------------------------------------------------------------------

CHAMPS_CONTACT = frozenset(
    {"fonction", "prenom", "nom", "email", "telephone", "base_legale", "consentement_le", "public"}
)


def _valider_contact(contact: Contact) -> None:
    erreurs: dict[str, list[str]] = {}
    if contact.base_legale == Contact.BaseLegale.CONSENTEMENT and not contact.consentement_le:
        erreurs["consentement_le"] = ["Un contact fondé sur le consentement doit en dater le recueil."]
    if contact.public and not contact.consentement_le:
        erreurs.setdefault("consentement_le", []).append(
            "Un contact n'est affiché sur la fiche publique qu'avec le consentement daté de la personne."
        )
    if contact.consentement_le and contact.consentement_le > horloge.aujourdhui():
        erreurs.setdefault("consentement_le", []).append("La date du consentement ne peut pas être dans le futur.")
    _fusionner(erreurs, _valider_modele(contact, exclude=list(erreurs)))
    _lever(erreurs)


@transaction.atomic
def contact_creer(*, par, structure: Structure, **champs) -> Contact:
    exiger(par, "structure.modifier", structure)
    _inconnus(champs, CHAMPS_CONTACT)
    contact = Contact(structure=structure, **champs)
    _valider_contact(contact)
    contact.save()
    return contact


@transaction.atomic
def contact_modifier(*, par, contact: Contact, version: int | None = None, **champs) -> Contact:
    exiger(par, "structure.modifier", contact.structure)
    _inconnus(champs, CHAMPS_CONTACT)
    if version is not None:
        verifier_version(contact, version, nom="ce contact")
    for nom, valeur in champs.items():
        setattr(contact, nom, valeur)
    _valider_contact(contact)
    contact.save()
    return contact


@transaction.atomic
def contact_supprimer(*, par, contact: Contact) -> None:
    exiger(par, "structure.modifier", contact.structure)
    contact.delete()


# --- Projets sociaux and documents -------------------------------------------------------------

CHAMPS_PROJET = frozenset({"intitule", "debut", "fin", "diagnostic", "axes"})


@transaction.atomic
def projet_social_creer(*, par, structure: Structure, **champs) -> ProjetSocial:
    exiger(par, "structure.modifier", structure)
    _inconnus(champs, CHAMPS_PROJET)
    projet = ProjetSocial(structure=structure, **champs)
    _lever(_valider_modele(projet))
    projet.save()
    return projet


@transaction.atomic
def projet_social_modifier(*, par, projet: ProjetSocial, version: int | None = None, **champs) -> ProjetSocial:
    exiger(par, "structure.modifier", projet.structure)
    _inconnus(champs, CHAMPS_PROJET)
    if version is not None:
        verifier_version(projet, version, nom="ce projet social")
    for nom, valeur in champs.items():
        setattr(projet, nom, valeur)
    _lever(_valider_modele(projet))
    projet.save()
    return projet


TAILLE_MAX_DOCUMENT = 20 * 1024 * 1024
# Extension → (MIME type served, check of the content).
TYPES_DOCUMENTS = {
    "pdf": "application/pdf",
    "odt": "application/vnd.oasis.opendocument.text",
    "ods": "application/vnd.oasis.opendocument.spreadsheet",
    "docx": "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
    "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
}
_DOSSIER_OOXML = {"docx": "word/", "xlsx": "xl/"}


def extension(nom: str) -> str:
    return os.path.splitext(nom or "")[1].lower().lstrip(".")


def erreur_document(fichier) -> str | None:
    """None when the uploaded file is an accepted document, otherwise the reason in French."""
    ext = extension(fichier.name)
    if ext not in TYPES_DOCUMENTS:
        return "Format refusé : déposez un fichier PDF, ODT, ODS, DOCX ou XLSX."
    if not fichier.size:
        return "Le fichier est vide."
    if fichier.size > TAILLE_MAX_DOCUMENT:
        return f"Le fichier dépasse la taille maximale de {TAILLE_MAX_DOCUMENT // (1024 * 1024)} Mo."
    fichier.seek(0)
    entete = fichier.read(5)
    fichier.seek(0)
    if ext == "pdf":
        return None if entete == b"%PDF-" else "Ce fichier n'est pas un PDF valide."
    try:
        with zipfile.ZipFile(fichier) as archive:
            noms = archive.namelist()
            if ext in ("odt", "ods"):
                attendu = TYPES_DOCUMENTS[ext].encode()
                # The member's declared size bounds what is inflated: a bomb is not read.
                valide = (
                    "mimetype" in noms
                    and archive.getinfo("mimetype").file_size <= 200
                    and archive.read("mimetype").strip() == attendu
                )
            else:
                valide = "[Content_Types].xml" in noms and any(n.startswith(_DOSSIER_OOXML[ext]) for n in noms)
    except (zipfile.BadZipFile, zlib.error, OSError, KeyError, ValueError, EOFError, RuntimeError, NotImplementedError):
        # RuntimeError: an encrypted member; NotImplementedError: an unknown compression.
        valide = False
    finally:
        fichier.seek(0)
    return None if valide else f"Le contenu du fichier ne correspond pas à un document {ext.upper()}."


@transaction.atomic
def document_deposer(*, par, projet: ProjetSocial, nature: str, titre: str, fichier) -> DocumentProjet:
    exiger(par, "structure.modifier", projet.structure)
    erreurs: dict[str, list[str]] = {}
    if fichier is None:
        erreurs["fichier"] = ["Choisissez un fichier."]
    elif raison := erreur_document(fichier):
        erreurs["fichier"] = [raison]
    document = DocumentProjet(projet=projet, nature=nature, titre=(titre or "").strip(), depose_par=par)
    _fusionner(erreurs, _valider_modele(document, exclude=["fichier", "depose_par"]))
    _lever(erreurs)
    nom = get_valid_filename(os.path.basename(fichier.name)) or f"document.{extension(fichier.name)}"
    document.fichier.save(nom, fichier, save=False)
    document.save()
    return horloge.dater(document, "depose_le")


@transaction.atomic
def document_supprimer(*, par, document: DocumentProjet) -> None:
    exiger(par, "structure.modifier", document.projet.structure)
    fichier = document.fichier
    document.delete()
    # The file goes only once the row is gone for good.
    transaction.on_commit(lambda: fichier.storage.delete(fichier.name) if fichier.name else None)
