"""Export formats of the registry: the column contract shared with the import, and row building.

Export (`manage.py exporter_structures`, the directory's download link `structures:export`), public fields only:

- CSV (`;` separator, UTF-8 with BOM so that spreadsheet software reads the accents) and XLSX (sheet
  « Structures », sheet « Zone de compétence »), in two variants with the columns of `COLONNES`:
  « personnes » (the default, for people): French labels as headers, French values (display labels of type,
  forme juridique, mode de gestion, situation QPV and agrément, « Oui » / « Non »), real dates in XLSX shown
  dd/mm/yyyy, dd/mm/yyyy and decimal commas in CSV;
  « codes » (`variante=codes`, raw data for programs and re-import): the stable codes as headers and values, ISO
  8601 dates, decimal points, booleans « oui » / « non ».
  Both variants are read back by the import (`imports.py` accepts labels and codes, both date forms).
- GeoJSON (FeatureCollection of points, properties named and valued by the stable codes).
- data·inclusion: a JSON list of structures in the data·inclusion structure schema
  (https://github.com/gip-inclusion/data-inclusion-schema, `schemas/v1/structure.json`, plus the v0 fields
  `typologie` and `presentation_resume` / `presentation_detail` that consumers of the v0 schema still read).
  Mapping:

  ======================  ==============================================================================
  data·inclusion          Maillage
  ======================  ==============================================================================
  source                  "maillage" (the producer)
  id                      Structure.pk, as a string
  nom                     Structure.nom (3 to 150 characters, never ending with a full stop)
  description             Structure.presentation, else a generated sentence (type, commune, Caf agrément),
                          cut to 50-2000 characters as the schema requires
  date_maj                Structure.modifie_le (date)
  siret                   Structure.siret or null
  commune / code_insee    Commune.nom / Commune.code
  code_postal             Structure.code_postal or null
  adresse                 Structure.adresse or null
  longitude / latitude    Structure.longitude / latitude
  telephone               Structure.telephone, in E.164 (+33…) when it is a French 10-digit number
  courriel                Structure.email (the structure's own address, never a person's contact)
  site_web                Structure.site_web
  typologie (v0)          "CS" for a centre social, "EVS" for an espace de vie sociale
  presentation_resume     the description cut to 280 characters; presentation_detail: the full one
  reseaux_porteurs        ["caf"], plus "fcsf" when the structure is adhérente à la fédération
  ======================  ==============================================================================
"""

import datetime
import json
import re
from collections.abc import Iterable
from dataclasses import dataclass

from django.db.models import Prefetch
from django.utils import timezone

from maillage.core import horloge
from maillage.core.tableurs import Colonne as ColonneTableur
from maillage.core.tableurs import (
    classeur_octets,
    classeur_pour_personnes,
    csv_pour_personnes,
    ecrire_csv,
    nouveau_classeur,
)

from .models import Agrement, Gestionnaire, ModeGestion, SituationQPV, Structure, TypeAgrement, TypeStructure
from .selectors import agrement_principal, structures_actives, structures_filtrer

FORMATS = ("csv", "xlsx", "geojson", "datainclusion")
VARIANTES = ("personnes", "codes")
TYPES_CONTENU = {
    "csv": "text/csv; charset=utf-8",
    "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    "geojson": "application/geo+json",
    "datainclusion": "application/json",
}
EXTENSIONS = {"csv": "csv", "xlsx": "xlsx", "geojson": "geojson", "datainclusion": "json"}
SOURCE_DATAINCLUSION = "maillage"


@dataclass(frozen=True)
class Colonne:
    code: str
    libelle: str
    importee: bool = True  # False: computed by Maillage, written on export, ignored on import


COLONNES = (
    Colonne("id", "Identifiant"),
    Colonne("nom", "Nom"),
    Colonne("type", "Type"),
    Colonne("siret", "SIRET"),
    Colonne("gestionnaire", "Gestionnaire"),
    Colonne("forme_juridique", "Forme juridique"),
    Colonne("designation", "Désignation du gestionnaire"),
    Colonne("mode_gestion", "Mode de gestion", importee=False),
    Colonne("adresse", "Adresse"),
    Colonne("code_postal", "Code postal"),
    Colonne("commune_code", "Code commune (INSEE)"),
    Colonne("commune_nom", "Commune", importee=False),
    Colonne("longitude", "Longitude"),
    Colonne("latitude", "Latitude"),
    Colonne("date_premier_agrement", "Date du premier agrément"),
    Colonne("agrement_type", "Agrément à la date : type", importee=False),
    Colonne("agrement_debut", "Agrément à la date : début", importee=False),
    Colonne("agrement_fin", "Agrément à la date : fin", importee=False),
    Colonne("multi_sites", "Multi-sites"),
    Colonne("itinerante", "Itinérante"),
    Colonne("gens_du_voyage", "Gens du voyage"),
    Colonne("situation_qpv", "Situation QPV"),
    Colonne("adherent_federation", "Adhérente à la fédération"),
    Colonne("date_ouverture", "Date d'ouverture"),
    Colonne("date_fermeture", "Date de fermeture"),
    Colonne("telephone", "Téléphone"),
    Colonne("email", "E-mail"),
    Colonne("site_web", "Site web"),
)
PAR_CODE = {c.code: c for c in COLONNES}
DATES = ("date_premier_agrement", "date_ouverture", "date_fermeture")
COLONNES_ZONE = (("structure_id", "Identifiant de la structure"), ("structure_nom", "Structure"), ("nature", "Nature"))
COLONNES_ZONE += (("code", "Code"), ("nom", "Nom"))
# Codes → French labels of the enumerated columns, for people.
LIBELLES_VALEURS = {
    "type": dict(TypeStructure.choices),
    "forme_juridique": dict(Gestionnaire.FormeJuridique.choices),
    "designation": dict(Gestionnaire.Designation.choices),
    "mode_gestion": dict(ModeGestion.choices),
    "situation_qpv": dict(SituationQPV.choices),
    "agrement_type": dict(TypeAgrement.choices),
}
NATURES_ZONE = {"commune": "Commune", "qpv": "Quartier prioritaire (QPV)"}


def _pour_personnes(code: str):
    libelles = LIBELLES_VALEURS.get(code)
    if libelles is None:
        return lambda ligne: ligne[code]
    return lambda ligne: libelles.get(ligne[code], ligne[code])


# The same columns for people: labels, French values (the core writer turns booleans into Oui/Non).
COLONNES_PERSONNES = tuple(ColonneTableur(c.libelle, _pour_personnes(c.code), c.code) for c in COLONNES)


def _nature_zone(lien: dict) -> str:
    return NATURES_ZONE.get(lien["nature"], lien["nature"])


COLONNES_ZONE_PERSONNES = tuple(
    ColonneTableur(libelle, _nature_zone if code == "nature" else code, code) for code, libelle in COLONNES_ZONE
)


# --- Reading the registry for an export or the API ------------------------------------------------


def structures_publiques(
    *,
    date: datetime.date | None = None,
    departement: str | None = None,
    commune: str | None = None,
    type: str | None = None,
    gestion: str | None = None,
    perimetre=None,
    date_agrement: datetime.date | None = None,
):
    """Structures for the public exports and API, with commune, gestionnaire and the agrément at the date.

    With `date`, only the structures active at that date (`selectors.structures_actives`); without it, all
    of them. Each structure gets `agrements_a_date`: its animation globale or locale agrément covering
    `date` (or `date_agrement`, by default today), most recent first. Three queries whatever the size.
    """
    reference = date or date_agrement or horloge.aujourdhui()
    structures = structures_actives(date) if date else Structure.objects.all()
    structures = structures_filtrer(
        structures, departement=departement, commune=commune, type=type, gestion=gestion, perimetre=perimetre
    )
    agrements = Agrement.objects.filter(agrement_principal(reference)).order_by("-debut")
    return (
        structures.select_related("commune", "gestionnaire")
        .prefetch_related(Prefetch("agrements", queryset=agrements, to_attr="agrements_a_date"))
        .order_by("nom", "pk")
    )


def agrement_a_date(structure) -> Agrement | None:
    agrements = getattr(structure, "agrements_a_date", None)
    return agrements[0] if agrements else None


# --- Building rows ---------------------------------------------------------------------------------


def ligne_export(structure) -> dict:
    """One structure as {column code: Python value} (dates as dates, booleans as booleans)."""
    agrement = agrement_a_date(structure)
    return {
        "id": structure.pk,
        "nom": structure.nom,
        "type": structure.type,
        "siret": structure.siret,
        "gestionnaire": structure.gestionnaire.nom,
        "forme_juridique": structure.gestionnaire.forme_juridique,
        "designation": structure.gestionnaire.designation,
        "mode_gestion": structure.gestionnaire.mode_gestion,
        "adresse": structure.adresse,
        "code_postal": structure.code_postal,
        "commune_code": structure.commune_id,
        "commune_nom": structure.commune.nom,
        "longitude": structure.longitude,
        "latitude": structure.latitude,
        "date_premier_agrement": structure.date_premier_agrement,
        "agrement_type": agrement.type if agrement else "",
        "agrement_debut": agrement.debut if agrement else None,
        "agrement_fin": agrement.fin if agrement else None,
        "multi_sites": structure.multi_sites,
        "itinerante": structure.itinerante,
        "gens_du_voyage": structure.gens_du_voyage,
        "situation_qpv": structure.situation_qpv,
        "adherent_federation": structure.adherent_federation,
        "date_ouverture": structure.date_ouverture,
        "date_fermeture": structure.date_fermeture,
        "telephone": structure.telephone,
        "email": structure.email,
        "site_web": structure.site_web,
    }


def exporter_csv(lignes: Iterable[dict], *, variante: str = "personnes") -> str:
    """CSV text with a BOM, `;`-separated: for people (labels, French values, dd/mm/yyyy) or with the codes."""
    if variante == "personnes":
        return csv_pour_personnes(COLONNES_PERSONNES, lignes)
    return ecrire_csv([c.code for c in COLONNES], ([ligne[c.code] for c in COLONNES] for ligne in lignes))


def exporter_xlsx(lignes: Iterable[dict], zones: Iterable[dict] = (), *, variante: str = "personnes") -> bytes:
    """A workbook: sheet « Structures » (one row per structure), sheet « Zone de compétence » (one per link)."""
    if variante == "personnes":
        return classeur_pour_personnes(
            [("Structures", COLONNES_PERSONNES, lignes), ("Zone de compétence", COLONNES_ZONE_PERSONNES, zones)]
        )
    from openpyxl.styles import Font

    resultat = nouveau_classeur()
    feuille = resultat.active
    feuille.title = "Structures"
    feuille.append([c.code for c in COLONNES])
    for ligne in lignes:
        valeurs = []
        for colonne in COLONNES:
            valeur = ligne[colonne.code]
            if isinstance(valeur, bool):
                valeur = "oui" if valeur else "non"
            valeurs.append(valeur)
        feuille.append(valeurs)
        for numero, colonne in enumerate(COLONNES, start=1):
            if colonne.code in DATES or colonne.code in ("agrement_debut", "agrement_fin"):
                feuille.cell(row=feuille.max_row, column=numero).number_format = "DD/MM/YYYY"
    zone = resultat.create_sheet("Zone de compétence")
    zone.append([code for code, _ in COLONNES_ZONE])
    for lien in zones:
        zone.append([lien[code] for code, _ in COLONNES_ZONE])
    for onglet in (feuille, zone):
        for cellule in onglet[1]:
            cellule.font = Font(bold=True)
        onglet.freeze_panes = "A2"
    return classeur_octets(resultat)


def liens_zone(structures: Iterable) -> list[dict]:
    """Rows of the « Zone de compétence » sheet; the structures must prefetch communes_competence and qpv_competence."""
    liens = []
    for structure in structures:
        for commune in structure.communes_competence.all():
            liens.append(
                {
                    "structure_id": structure.pk,
                    "structure_nom": structure.nom,
                    "nature": "commune",
                    "code": commune.code,
                    "nom": commune.nom,
                }
            )
        for quartier in structure.qpv_competence.all():
            liens.append(
                {
                    "structure_id": structure.pk,
                    "structure_nom": structure.nom,
                    "nature": "qpv",
                    "code": quartier.code,
                    "nom": quartier.nom,
                }
            )
    return liens


def _json(valeur):
    if isinstance(valeur, datetime.date):
        return valeur.isoformat()
    return valeur


def exporter_geojson(lignes: Iterable[dict]) -> str:
    entites = []
    for ligne in lignes:
        position = (
            {"type": "Point", "coordinates": [ligne["longitude"], ligne["latitude"]]}
            if ligne["longitude"] is not None and ligne["latitude"] is not None
            else None
        )
        proprietes = {c.code: _json(ligne[c.code]) for c in COLONNES}
        entites.append({"type": "Feature", "id": ligne["id"], "geometry": position, "properties": proprietes})
    return json.dumps({"type": "FeatureCollection", "features": entites}, ensure_ascii=False)


def _telephone_e164(numero: str) -> str | None:
    chiffres = re.sub(r"[\s.\-()]", "", numero or "")
    if not chiffres:
        return None
    if re.fullmatch(r"0[1-9]\d{8}", chiffres):
        return "+33" + chiffres[1:]
    return chiffres


def _couper(texte: str, longueur: int) -> str:
    if len(texte) <= longueur:
        return texte
    return texte[: longueur - 1].rstrip() + "…"


def structure_datainclusion(structure) -> dict:
    """One structure in the data·inclusion structure schema (see the mapping in this module's docstring)."""
    libelle_type = "centre social" if structure.type == TypeStructure.CENTRE_SOCIAL else "espace de vie sociale"
    description = (structure.presentation or "").strip()
    if len(description) < 50:
        phrase = (
            f"{structure.nom} est un {libelle_type} agréé par la Caisse d'allocations familiales, situé à "
            f"{structure.commune.nom} : un lieu d'animation de la vie sociale ouvert à tous les habitants."
        )
        description = f"{description} {phrase}".strip() if description else phrase
    description = _couper(description, 2000)
    nom = structure.nom.strip().rstrip(".")[:150]
    reseaux = ["caf"] + (["fcsf"] if structure.adherent_federation else [])
    return {
        "source": SOURCE_DATAINCLUSION,
        "id": str(structure.pk),
        "nom": nom,
        "description": description,
        "date_maj": timezone.localdate(structure.modifie_le).isoformat(),  # the local day, not UTC's
        "siret": structure.siret or None,
        "commune": structure.commune.nom,
        "code_postal": structure.code_postal or None,
        "code_insee": structure.commune_id,
        "adresse": structure.adresse or None,
        "complement_adresse": None,
        "longitude": structure.longitude,
        "latitude": structure.latitude,
        "telephone": _telephone_e164(structure.telephone),
        "courriel": structure.email or None,
        "site_web": structure.site_web or None,
        "typologie": "CS" if structure.type == TypeStructure.CENTRE_SOCIAL else "EVS",
        "presentation_resume": _couper(description, 280),
        "presentation_detail": description,
        "reseaux_porteurs": reseaux,
    }


def exporter_datainclusion(structures: Iterable) -> str:
    return json.dumps([structure_datainclusion(s) for s in structures], ensure_ascii=False)


# Labels of the changed fields, for the import preview and the command's summary.
LIBELLES_CHAMPS = {c.code: c.libelle for c in COLONNES} | {"commune_id": "Code commune (INSEE)"}
