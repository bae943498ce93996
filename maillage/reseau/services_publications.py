"""Writes of the network's library and news: add, change and delete a resource (a checked document or a link), write
and change a news post (with its checked image). Rule `reseau.publier` first; everything validated before writing
(French messages keyed by field); one audited transaction; edits carry the version their form read.

Uploaded documents pass the same check as the structures' documents (`structures.services.erreur_document`: type
read from the content, size limit); images are opened with Pillow. A refused file writes nothing."""

import datetime
import os

from django.db import transaction
from django.utils.text import get_valid_filename

from maillage.core.audit import acteur
from maillage.core.versions import verifier_version
from maillage.structures.services import TAILLE_MAX_DOCUMENT, TYPES_DOCUMENTS, erreur_document, extension

from . import services
from .models import Actualite, Ressource, Visibilite
from .services import etiquettes_obtenir
from .validation import exiger_droit, lever_erreurs, valider_texte

__all__ = [
    "FORMATS_IMAGE",
    "TAILLE_MAX_DOCUMENT",
    "TAILLE_MAX_IMAGE",
    "TYPES_DOCUMENTS",
    "actualite_creer",
    "actualite_modifier",
    "erreur_document",
    "erreur_image",
    "extension",
    "lire_etiquettes",
    "ressource_creer",
    "ressource_modifier",
    "ressource_supprimer",
]

MEGA = 1024 * 1024
TAILLE_MAX_IMAGE = 5 * MEGA
# Pillow format → extension kept on disk.
FORMATS_IMAGE = {"JPEG": "jpg", "PNG": "png", "WEBP": "webp", "GIF": "gif"}
PIXELS_MAX = 40_000_000  # a decompression bomb is refused before decoding
LONGUEUR_RESUME_ACTUALITE = 600
LONGUEUR_TEXTE_ACTUALITE = 100_000
NOMBRE_ETIQUETTES = 20


def lire_etiquettes(texte) -> list[str]:
    """Free text « accueil, jeunesse » → the distinct tag names, in the order typed."""
    noms: list[str] = []
    for morceau in str(texte or "").split(","):
        nom = " ".join(morceau.split())[:80]
        if nom and nom.lower() not in {n.lower() for n in noms}:
            noms.append(nom)
    return noms


def _verifier_etiquettes(erreurs: dict, noms) -> list[str]:
    noms = lire_etiquettes(",".join(noms)) if not isinstance(noms, str) else lire_etiquettes(noms)
    if len(noms) > NOMBRE_ETIQUETTES:
        erreurs["etiquettes"] = f"{NOMBRE_ETIQUETTES} étiquettes au plus."
    return noms


def erreur_image(fichier) -> str | None:
    """None when the upload is a JPEG, PNG, WebP or GIF image of acceptable size, else the reason in French."""
    from PIL import Image, UnidentifiedImageError

    if not fichier.size:
        return "Le fichier est vide."
    if fichier.size > TAILLE_MAX_IMAGE:
        return f"L'image dépasse la taille maximale de {TAILLE_MAX_IMAGE // MEGA} Mo."
    try:
        fichier.seek(0)
        with Image.open(fichier) as image:
            format_lu = image.format
            largeur, hauteur = image.size
            if largeur * hauteur > PIXELS_MAX:
                return "Cette image est trop grande (en pixels) : réduisez-la avant de la déposer."
            image.verify()
    except (UnidentifiedImageError, OSError, ValueError, SyntaxError, Image.DecompressionBombError):
        return "Ce fichier n'est pas une image lisible : déposez une image JPEG, PNG, WebP ou GIF."
    finally:
        fichier.seek(0)
    if format_lu not in FORMATS_IMAGE:
        return "Format d'image refusé : déposez une image JPEG, PNG, WebP ou GIF."
    return None


def _nom_image(fichier) -> str:
    from PIL import Image

    fichier.seek(0)
    with Image.open(fichier) as image:
        ext = FORMATS_IMAGE.get(image.format, "img")
    fichier.seek(0)
    base = get_valid_filename(os.path.splitext(os.path.basename(fichier.name or ""))[0])[:80] or "image"
    return f"{base}.{ext}"


def _nom_original(fichier) -> str:
    """The name as uploaded (shown and given back on download), without any path."""
    nom = os.path.basename(str(getattr(fichier, "name", "") or "").replace("\\", "/")).strip()
    return nom[-200:] or "document"


# --- Resources ----------------------------------------------------------------------------------------------------


def _valider_ressource(champs: dict, *, departement_id, fichier, a_deja_un_fichier: bool) -> dict:
    erreurs: dict[str, str] = {}
    propre = {
        "titre": valider_texte(erreurs, "titre", champs.get("titre"), limite=services.LONGUEUR_TITRE,
                        obligatoire="Donnez un titre."),
        "resume": valider_texte(erreurs, "resume", champs.get("resume", ""), limite=services.LONGUEUR_TEXTE),
        "nature": champs.get("nature") or Ressource.Nature.DOCUMENT,
        "visibilite": champs.get("visibilite") or Visibilite.RESEAU,
        "lien": valider_texte(erreurs, "lien", champs.get("lien", ""), limite=200),
        "date": champs.get("date"),
        "serie": champs.get("serie"),
        "evenement": champs.get("evenement"),
    }  # fmt: skip
    if propre["nature"] not in Ressource.Nature.values:
        erreurs["nature"] = "Choisissez une nature de ressource."
    if propre["visibilite"] not in Visibilite.values:
        erreurs["visibilite"] = "Choisissez une visibilité."
    if propre["lien"] and not propre["lien"].lower().startswith(("https://", "http://")):
        erreurs["lien"] = "Indiquez une adresse web complète, commençant par https://."
    if propre["date"] is not None and not isinstance(propre["date"], datetime.date):
        erreurs["date"] = "Indiquez une date valide."
    if fichier is not None:
        if raison := erreur_document(fichier):
            erreurs["fichier"] = raison
        elif propre["lien"]:
            erreurs["lien"] = "Joignez un fichier ou indiquez un lien, pas les deux."
    elif not propre["lien"] and not a_deja_un_fichier:
        erreurs["fichier"] = "Joignez un fichier ou indiquez un lien."
    if propre["nature"] == Ressource.Nature.RESTITUTION and propre["serie"] is None and propre["evenement"] is None:
        erreurs["serie"] = "Une restitution se rattache à une série d'ateliers ou à un événement."
    for champ in ("serie", "evenement"):
        objet = propre[champ]
        if objet is not None and objet.departement_id != departement_id:
            erreurs[champ] = "Choisissez un élément du même département."
    propre["etiquettes"] = _verifier_etiquettes(erreurs, champs.get("etiquettes") or ())
    lever_erreurs(erreurs)
    return propre


def ressource_creer(*, par, departement, fichier=None, **champs) -> Ressource:
    """Add a document (checked: type by content, size) or a link to the library of `departement`.

    `champs`: titre, nature, resume, visibilite, lien, date, serie, evenement, etiquettes (names or « a, b »)."""
    exiger_droit(par, "reseau.publier", departement)
    propre = _valider_ressource(champs, departement_id=departement.pk, fichier=fichier, a_deja_un_fichier=False)
    return services.ressource_creer(
        par=par,
        departement=departement,
        fichier=fichier,
        nom_fichier=_nom_original(fichier) if fichier is not None else "",
        **propre,
    )


def ressource_modifier(*, par, ressource: Ressource, version, fichier=None, **champs) -> Ressource:
    """Change a resource (fields, tags, a new file in place of the old one, or a link instead of the file)."""
    exiger_droit(par, "reseau.publier", ressource)
    actuel = {c: getattr(ressource, c) for c in ("titre", "resume", "nature", "visibilite", "lien", "date")}
    actuel.update(serie=ressource.serie, evenement=ressource.evenement)
    actuel["etiquettes"] = [e.nom for e in ressource.etiquettes.all()]
    complet = {**actuel, **champs}
    a_un_fichier = bool(ressource.fichier) and not complet.get("lien")
    propre = _valider_ressource(
        complet, departement_id=ressource.departement_id, fichier=fichier, a_deja_un_fichier=a_un_fichier
    )
    noms = propre.pop("etiquettes")
    ancien = ressource.fichier.name if ressource.fichier else ""
    with transaction.atomic(), acteur(par):
        verifier_version(ressource, version, nom="cette ressource")
        for champ, valeur in propre.items():
            setattr(ressource, champ, valeur)
        if fichier is not None:
            ressource.nom_fichier = _nom_original(fichier)
            ressource.fichier.save(ressource.nom_fichier, fichier, save=False)
        elif propre["lien"] and ressource.fichier:
            ressource.fichier = ""
            ressource.nom_fichier = ""
        ressource.save()
        ressource.etiquettes.set(etiquettes_obtenir(noms))
        remplace = ancien and ancien != (ressource.fichier.name if ressource.fichier else "")
        if remplace:
            stockage = ressource.fichier.storage
            # The old file goes only once the new row is committed.
            transaction.on_commit(lambda: stockage.delete(ancien))
    return ressource


def ressource_supprimer(*, par, ressource: Ressource) -> None:
    """Delete a resource and, once the deletion is committed, its file."""
    exiger_droit(par, "reseau.publier", ressource)
    fichier = ressource.fichier
    nom, stockage = (fichier.name, fichier.storage) if fichier else ("", None)
    with transaction.atomic(), acteur(par):
        ressource.delete()
        if nom:
            transaction.on_commit(lambda: stockage.delete(nom))


# --- News ---------------------------------------------------------------------------------------------------------


def _valider_image(erreurs: dict, image, description: str, *, garde_image: bool) -> str:
    description = valider_texte(erreurs, "image_description", description, limite=250)
    if image is not None and (raison := erreur_image(image)):
        erreurs["image"] = raison
    if (image is not None or garde_image) and not description and "image" not in erreurs:
        erreurs["image_description"] = "Décrivez l'image en une phrase (lue à la place de l'image)."
    return description


def actualite_creer(*, par, departement, image=None, image_description: str = "", **champs) -> Actualite:
    """Write a news post (draft or published) in `departement`, with an optional checked image.

    `champs`: titre, date, resume, texte, auteur_libelle, etiquettes (names or « a, b »), statut, evenement."""
    exiger_droit(par, "reseau.publier", departement)
    champs.setdefault("statut", Actualite.Statut.BROUILLON)
    if not (champs.get("auteur_libelle") or "").strip():
        champs["auteur_libelle"] = par.get_full_name() or par.email
    propre, erreurs = _valider_actualite(champs, departement_id=departement.pk)
    description = _valider_image(erreurs, image, image_description, garde_image=False)
    lever_erreurs(erreurs)
    with transaction.atomic(), acteur(par):
        actualite = services.actualite_creer(par=par, departement=departement, **propre)
        if image is not None:
            actualite.image.save(_nom_image(image), image, save=False)
            actualite.image_description = description
            actualite.save()
    return actualite


def _valider_actualite(champs: dict, *, departement_id) -> tuple[dict, dict]:
    erreurs: dict[str, str] = {}
    propre = {
        "titre": valider_texte(erreurs, "titre", champs.get("titre"), limite=services.LONGUEUR_TITRE,
                        obligatoire="Donnez un titre."),
        "resume": valider_texte(erreurs, "resume", champs.get("resume"), limite=LONGUEUR_RESUME_ACTUALITE,
                         obligatoire="Écrivez un résumé (il apparaît dans la liste)."),
        "texte": valider_texte(erreurs, "texte", champs.get("texte"), limite=LONGUEUR_TEXTE_ACTUALITE,
                        obligatoire="Écrivez le texte de l'actualité."),
        "auteur_libelle": valider_texte(erreurs, "auteur_libelle", champs.get("auteur_libelle"), limite=150,
                                 obligatoire="Indiquez l'auteur."),
        "date": champs.get("date"),
        "statut": champs.get("statut"),
        "evenement": champs.get("evenement"),
    }  # fmt: skip
    if not isinstance(propre["date"], datetime.date):
        erreurs["date"] = "Indiquez la date de publication."
    if propre["statut"] not in Actualite.Statut.values:
        erreurs["statut"] = "Choisissez un statut."
    if propre["evenement"] is not None and propre["evenement"].departement_id != departement_id:
        erreurs["evenement"] = "Choisissez un événement du même département."
    propre["etiquettes"] = _verifier_etiquettes(erreurs, champs.get("etiquettes") or ())
    return propre, erreurs


def actualite_modifier(
    *, par, actualite: Actualite, version, image=None, supprimer_image: bool = False, **champs
) -> Actualite:
    """Change a news post: its fields and tags, its status (publish or back to draft), its image."""
    exiger_droit(par, "reseau.publier", actualite)
    noms_champs = ("titre", "date", "statut", "auteur_libelle", "resume", "texte", "image_description")
    actuel = {c: getattr(actualite, c) for c in noms_champs}
    actuel["evenement"] = actualite.evenement
    actuel["etiquettes"] = [e.nom for e in actualite.etiquettes.all()]
    complet = {**actuel, **champs}
    propre, erreurs = _valider_actualite(complet, departement_id=actualite.departement_id)
    garde = bool(actualite.image) and not supprimer_image
    description = _valider_image(erreurs, image, complet.get("image_description", ""), garde_image=garde)
    lever_erreurs(erreurs)
    noms = propre.pop("etiquettes")
    ancienne = actualite.image.name if actualite.image else ""
    with transaction.atomic(), acteur(par):
        verifier_version(actualite, version, nom="cette actualité")
        for champ, valeur in propre.items():
            setattr(actualite, champ, valeur)
        actualite.image_description = description
        if image is not None:
            actualite.image.save(_nom_image(image), image, save=False)
        elif supprimer_image:
            actualite.image = ""
            actualite.image_description = ""
        actualite.save()
        actualite.etiquettes.set(etiquettes_obtenir(noms))
        if ancienne and ancienne != (actualite.image.name if actualite.image else ""):
            stockage = actualite.image.storage
            transaction.on_commit(lambda: stockage.delete(ancienne))
    return actualite
