"""The write of a structures import (CSV or XLSX with the export's columns).

`structures_importer` reads and validates the whole file (`imports.valider`), then — only when no row is
wrong and `appliquer` is true — writes everything in one transaction: rows whose `id` is a known structure
update it (only the fields that differ: re-importing an export changes nothing), the other rows create a
structure. Gestionnaires are matched by (nom, forme juridique), case-insensitively, or created. Each applied or
refused run is journaled in a `territoires.Chargement` row; every created or updated structure and every created
gestionnaire gets its audit entry, with the importing user (or the command's author) and the journal row.
"""

import copy
import hashlib
from functools import partial

from django.db import transaction
from django.utils import timezone

from maillage.core.audit import ecart, journaliser_en_masse, sans_journal_automatique
from maillage.core.fichiers import FichierIllisible
from maillage.core.formats import nombre
from maillage.territoires.models import Chargement, Commune
from maillage.territoires.services import chargement_journaliser, import_refuser

from . import imports
from .exports import LIBELLES_CHAMPS
from .models import Agrement, Gestionnaire, Structure
from .services import verifier_position

COMMANDE = "importer_structures"
CHAMPS_STRUCTURE = (
    "nom",
    "type",
    "siret",
    "adresse",
    "code_postal",
    "commune_id",
    "longitude",
    "latitude",
    "date_premier_agrement",
    "multi_sites",
    "itinerante",
    "gens_du_voyage",
    "situation_qpv",
    "adherent_federation",
    "date_ouverture",
    "date_fermeture",
    "telephone",
    "email",
    "site_web",
)


def _referentiel(tableau: imports.Tableau, departement: str | None) -> imports.Referentiel:
    codes = imports.codes_communes(tableau)
    communes = {
        code: (nom, dep)
        for code, nom, dep in Commune.objects.filter(code__in=codes).values_list("code", "nom", "departement_id")
    }
    ids = imports.identifiants(tableau)
    structures = dict(Structure.objects.filter(pk__in=ids).values_list("pk", "departement_id"))
    return imports.Referentiel(communes=communes, structures=structures, departement=departement)


def _existantes(resultat: imports.Resultat) -> dict[int, Structure]:
    return Structure.objects.select_related("gestionnaire").in_bulk([ligne.id for ligne in resultat.lignes if ligne.id])


def _verifier_avec_le_registre(resultat: imports.Resultat, existantes: dict[int, Structure]) -> list[imports.Erreur]:
    """The checks that need the registry: the type of a structure holding agréments, the position in its commune.

    Only what the file changes is checked, so that re-importing an export never fails on older data.
    """
    erreurs = []
    avec_agrements = set(
        Agrement.objects.filter(structure_id__in=list(existantes)).values_list("structure_id", flat=True).distinct()
    )
    a_placer = []
    for ligne in resultat.lignes:
        valeurs = ligne.valeurs
        structure = existantes.get(ligne.id) if ligne.id else None
        if structure is not None and structure.type != valeurs["type"] and structure.pk in avec_agrements:
            erreurs.append(
                imports.Erreur(
                    f"la structure {structure.pk} a des agréments de {structure.get_type_display().lower()} : "
                    "son type ne change pas par import (fermez-la et créez la nouvelle structure).",
                    ligne.ligne,
                    resultat.libelle("type"),
                )
            )
        position = (valeurs["longitude"], valeurs["latitude"])
        if position[0] is None:
            continue
        inchangee = (
            structure is not None
            and structure.commune_id == valeurs["commune_id"]
            and (structure.longitude, structure.latitude) == position
        )
        if not inchangee:
            a_placer.append(ligne)
    if a_placer:
        communes = Commune.objects.in_bulk({ligne.valeurs["commune_id"] for ligne in a_placer})
        for ligne in a_placer:
            _, _, raisons = verifier_position(
                communes[ligne.valeurs["commune_id"]], ligne.valeurs["longitude"], ligne.valeurs["latitude"]
            )
            for champ, messages in raisons.items():
                for message in messages:
                    raison = message[0].lower() + message[1:]
                    erreurs.append(imports.Erreur(raison, ligne.ligne, resultat.libelle(champ)))
    return erreurs


def _plan(resultat: imports.Resultat, existantes: dict[int, Structure]) -> list[dict]:
    """Per row: what would be created or updated, with the changed fields."""
    plan = []
    for ligne in resultat.lignes:
        nom_gestionnaire, forme = ligne.gestionnaire
        structure = existantes.get(ligne.id) if ligne.id else None
        if structure is None:
            plan.append(
                {"ligne": ligne.ligne, "action": "creer", "id": None, "nom": ligne.valeurs["nom"], "champs": []}
            )
            continue
        champs = [champ for champ in CHAMPS_STRUCTURE if getattr(structure, champ) != ligne.valeurs[champ]]
        gestionnaire = structure.gestionnaire
        cle_actuelle = imports.cle_gestionnaire(gestionnaire.nom, gestionnaire.forme_juridique)
        if cle_actuelle != imports.cle_gestionnaire(nom_gestionnaire, forme):
            champs.append("gestionnaire")
        elif ligne.designation and ligne.designation != gestionnaire.designation:
            champs.append("designation")
        plan.append(
            {
                "ligne": ligne.ligne,
                "action": "modifier" if champs else "inchange",
                "id": structure.pk,
                "nom": ligne.valeurs["nom"],
                "champs": champs,
                "libelles": [LIBELLES_CHAMPS.get(champ, champ) for champ in champs],
            }
        )
    return plan


def _compteurs(plan: list[dict]) -> dict[str, int]:
    return {action: sum(1 for p in plan if p["action"] == action) for action in ("creer", "modifier", "inchange")}


def structures_importer(
    *,
    contenu: bytes,
    nom_fichier: str,
    auteur: str = "",
    utilisateur=None,
    departement: str | None = None,
    appliquer: bool = False,
) -> dict:
    """Validate an import file and, when `appliquer`, write it; return the summary with the per-row plan.

    `departement` restricts the file to one département (the back-office import): a commune elsewhere, or an
    id of a structure elsewhere, is an error. Raises ImportRefuse (with `erreurs`, each naming its line,
    column and reason in French) when the file is unreadable or any row is wrong: then nothing is written
    but, when `appliquer`, the refused journal row.
    """
    debut = timezone.now()
    empreinte = hashlib.sha256(contenu).hexdigest()
    parametres = {"departement": departement}

    # A dry run (the preview) journals nothing, not even a refusal.
    refuser = partial(
        import_refuser,
        commande=COMMANDE,
        fichier=nom_fichier,
        empreinte=empreinte,
        parametres=parametres,
        auteur=auteur,
        debut=debut,
        journaliser=appliquer,
    )
    if len(contenu) > imports.TAILLE_MAX_IMPORT:
        raison = f"fichier trop volumineux ({nombre(len(contenu) // 1024)} Ko, 5 Mo au plus)."
        raise refuser([imports.Erreur(raison)], f"Fichier refusé : {raison}")
    try:
        tableau = imports.lire_fichier(contenu)
    except FichierIllisible as illisible:
        raise refuser([illisible.erreur], f"Fichier refusé : {illisible}") from None
    resultat = imports.valider(tableau, _referentiel(tableau, departement))
    avertissements = [a.en_dict() for a in resultat.avertissements]
    existantes = _existantes(resultat)
    toutes = resultat.erreurs + _verifier_avec_le_registre(resultat, existantes)
    if toutes:
        toutes.sort(key=lambda erreur: erreur.ligne or 0)
        refus = refuser(toutes)
        refus.avertissements = avertissements
        raise refus

    plan = _plan(resultat, existantes)
    resume = {
        "format": resultat.format,
        "lignes": len(resultat.lignes),
        "empreinte": empreinte,
        "compteurs": _compteurs(plan),
        "plan": plan,
        "avertissements": avertissements,
        "applique": False,
    }
    if not appliquer:
        return resume

    with transaction.atomic(), sans_journal_automatique():
        gestionnaires = _gestionnaires(resultat.lignes, existantes.values())
        gestionnaires_modifies = _designer(resultat.lignes, gestionnaires)
        a_creer, modifiees = [], []
        for ligne, etape in zip(resultat.lignes, plan, strict=True):
            gestionnaire = gestionnaires[imports.cle_gestionnaire(*ligne.gestionnaire)]
            if etape["action"] == "creer":
                # bulk_create skips save(): the département is set here, from the validated commune.
                a_creer.append(Structure(gestionnaire=gestionnaire, departement_id=ligne.departement, **ligne.valeurs))
            elif etape["action"] == "modifier":
                structure = existantes[ligne.id]
                avant = copy.copy(structure)
                champs_structure = [c for c in etape["champs"] if c != "designation"]  # the gestionnaire's, above
                if not champs_structure:
                    continue
                for champ in champs_structure:
                    if champ == "gestionnaire":
                        structure.gestionnaire = gestionnaire
                    else:
                        setattr(structure, champ, ligne.valeurs[champ])
                # save() keeps the département in step with the commune and feeds the audit trail.
                champs = [c for c in champs_structure if c != "commune_id"] + (
                    ["commune", "departement"] if "commune_id" in champs_structure else []
                )
                structure.save(update_fields=[*champs, "modifie_le"])
                modifiees.append((structure, ecart(avant, structure, champs)))
        crees = Structure.objects.bulk_create(a_creer)
        for etape, structure in zip([p for p in plan if p["action"] == "creer"], crees, strict=True):
            etape["id"] = structure.pk
        resume["applique"] = True
        resume["gestionnaires_crees"] = gestionnaires.crees
        resume["gestionnaires_modifies"] = len(gestionnaires_modifies)
        chargement = chargement_journaliser(
            commande=COMMANDE,
            fichier=nom_fichier[:500],
            empreinte=empreinte,
            parametres=parametres,
            statut=Chargement.Statut.REUSSI,
            resume={k: v for k, v in resume.items() if k != "plan"}
            | {"crees": [p["id"] for p in plan if p["action"] == "creer"]}
            | {"modifies": [p["id"] for p in plan if p["action"] == "modifier"]},
            auteur=auteur[:200],
            debut=debut,
            fin=timezone.now(),
        )
        trace = partial(
            journaliser_en_masse,
            par=utilisateur,
            chargement_id=chargement.pk,
            commande=COMMANDE,
            fichier=nom_fichier,
            auteur=auteur,
        )
        trace(gestionnaires.nouveaux, action="creer")
        trace(
            [g for g, _ in gestionnaires_modifies],
            action="modifier",
            changements=[c for _, c in gestionnaires_modifies],
        )
        trace(crees, action="creer")
        trace([s for s, _ in modifiees], action="modifier", changements=[c for _, c in modifiees])
    return resume


class _Gestionnaires(dict):
    def __init__(self):
        super().__init__()
        self.nouveaux = []

    @property
    def crees(self) -> int:
        return len(self.nouveaux)


def _gestionnaires(lignes: list[imports.LigneValide], structures) -> _Gestionnaires:
    """(nom, forme) → Gestionnaire for every row: the structure's own, the oldest existing match, or a new one."""
    voulus = {imports.cle_gestionnaire(*ligne.gestionnaire): ligne.gestionnaire for ligne in lignes}
    trouves = _Gestionnaires()
    for structure in structures:
        gestionnaire = structure.gestionnaire
        trouves.setdefault(imports.cle_gestionnaire(gestionnaire.nom, gestionnaire.forme_juridique), gestionnaire)
    noms = {nom for nom, _ in voulus.values()}
    for gestionnaire in Gestionnaire.objects.filter(nom__in=noms).order_by("pk"):
        cle = imports.cle_gestionnaire(gestionnaire.nom, gestionnaire.forme_juridique)
        if cle in voulus:
            trouves.setdefault(cle, gestionnaire)
    # Names differing only by case or spaces: one query per unmatched name, rare.
    for cle, (nom, forme) in voulus.items():
        if cle in trouves:
            continue
        existant = Gestionnaire.objects.filter(nom__iexact=nom.strip(), forme_juridique=forme).order_by("pk").first()
        if existant is None:
            existant = Gestionnaire.objects.create(nom=" ".join(nom.split()), forme_juridique=forme)
            trouves.nouveaux.append(existant)
        trouves[cle] = existant
    return trouves


def _designer(lignes: list[imports.LigneValide], gestionnaires: _Gestionnaires) -> list[tuple[Gestionnaire, dict]]:
    """Set the appointment the file gives to each gestionnaire (the SENACS group follows); return the existing
    gestionnaires changed, with their changes (new ones are audited as created, with it)."""
    cle = imports.cle_gestionnaire
    voulues = {cle(*ligne.gestionnaire): ligne.designation for ligne in lignes if ligne.designation}
    modifies = []
    for cle_voulue, designation in voulues.items():
        gestionnaire = gestionnaires[cle_voulue]
        if gestionnaire.designation == designation:
            continue
        avant = copy.copy(gestionnaire)
        gestionnaire.designation = designation
        gestionnaire.save(update_fields=["designation", "mode_gestion"])
        if gestionnaire not in gestionnaires.nouveaux:
            modifies.append((gestionnaire, ecart(avant, gestionnaire, ["designation", "mode_gestion"])))
    return modifies


def resume_texte(resume: dict) -> str:
    compteurs = resume["compteurs"]
    verbe = "Import terminé" if resume["applique"] else "Simulation (rien n'a été écrit)"
    lignes = [
        f"{verbe} ({resume['format']}, {nombre(resume['lignes'])} ligne(s)) : {nombre(compteurs['creer'])} "
        f"structure(s) créée(s), {nombre(compteurs['modifier'])} modifiée(s), "
        f"{nombre(compteurs['inchange'])} inchangée(s)."
    ]
    for etape in resume["plan"]:
        if etape["action"] == "modifier":
            lignes.append(
                f"  ligne {etape['ligne']} : {etape['nom']} (id {etape['id']}) — {', '.join(etape['libelles'])}"
            )
        elif etape["action"] == "creer":
            lignes.append(f"  ligne {etape['ligne']} : {etape['nom']} — création")
    for avertissement in resume["avertissements"]:
        lignes.append(f"  Avertissement, {avertissement['message']}")
    return "\n".join(lignes)
