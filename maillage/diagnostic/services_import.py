"""Writes of the indicator imports: INSEE populations légales and Caf open data, by commune.

Same rules as the other importers (`territoires.services.qpv_importer`): the whole file is validated first
(`imports.py`, pure, reading files with `core.fichiers`); on any error, ImportRefuse is raised and the only write is
a refused `Chargement` row listing the errors (`territoires.services.import_refuser`). Otherwise one transaction
upserts `IndicateurCommune` rows keyed on (commune, indicateur, millésime): new rows are bulk-created, rows whose
value or source differ are updated, equal rows are left untouched — re-running the same file changes nothing. A Caf
cell empty or masked by statistical secrecy stores nothing; if a value was stored for that very commune and
millésime, it is removed (the file is the publication).

Population rule: an imported population also becomes the commune's reference population (`Commune.population`,
`population_millesime`, `population_source`, used by the whole application) when its millésime is newer than or
equal to the commune's current one (or the commune has none). An older millésime is kept as an indicator only.
Each commune whose reference population changes gets an audit entry naming the run's `Chargement` row and author;
the indicators themselves are journaled by that row only (not registered for the audit trail).
"""

import hashlib
from collections.abc import Iterable
from functools import partial
from pathlib import Path

from django.db import transaction
from django.utils import timezone

from maillage.core.audit import journaliser_en_masse
from maillage.core.formats import nombre
from maillage.core.imports import ImportRefuse
from maillage.territoires.models import Chargement, Commune
from maillage.territoires.services import (
    TAILLE_LOT_PROGRESSION,
    TAILLE_LOT_SQL,
    _mettre_a_jour,
    chargement_journaliser,
    import_refuser,
)

from . import imports
from .models import Indicateur, IndicateurCommune

COMMANDE_POPULATIONS = "importer_populations"
CHAMPS_POPULATION = ("population", "population_millesime", "population_source")
COMMANDE_CAF = "importer_indicateurs_caf"
LONGUEUR_SOURCE = IndicateurCommune._meta.get_field("source").max_length
LONGUEUR_SOURCE_COMMUNE = Commune._meta.get_field("population_source").max_length
ERREURS_AFFICHEES = 100


def _rien(message: str) -> None:
    pass


def source_par_defaut(commande: str, millesime: int, nom_fichier: str) -> str:
    if commande == COMMANDE_POPULATIONS:
        return f"INSEE, populations légales {millesime} (fichier {nom_fichier})"
    return f"Caf, données par commune {millesime} (fichier {nom_fichier})"


def populations_importer(
    *,
    fichier: str | Path,
    millesime: int | None = None,
    source: str = "",
    departements: Iterable[str] | None = None,
    auteur: str = "",
    nom_fichier: str = "",
    progression: imports.Progression | None = None,
) -> dict:
    """Import an INSEE populations légales file by commune (CSV or XLSX); return the summary.

    Raises ImportRefuse, with nothing written but the refused journal row, when any row is wrong.
    """
    return _importer(
        commande=COMMANDE_POPULATIONS,
        fichier=fichier,
        millesime=millesime,
        source=source,
        departements=departements,
        auteur=auteur,
        nom_fichier=nom_fichier,
        progression=progression,
    )


def indicateurs_caf_importer(
    *,
    fichier: str | Path,
    millesime: int | None = None,
    source: str = "",
    departements: Iterable[str] | None = None,
    auteur: str = "",
    nom_fichier: str = "",
    progression: imports.Progression | None = None,
) -> dict:
    """Import a Caf open-data file by commune (allocataires, personnes couvertes, bas revenus); return the summary.

    Raises ImportRefuse, with nothing written but the refused journal row, when any row is wrong.
    """
    return _importer(
        commande=COMMANDE_CAF,
        fichier=fichier,
        millesime=millesime,
        source=source,
        departements=departements,
        auteur=auteur,
        nom_fichier=nom_fichier,
        progression=progression,
    )


def _referentiel() -> imports.ReferentielCommunes:
    return imports.ReferentielCommunes(Commune.objects.values_list("code", "departement_id").iterator(chunk_size=5000))


def _importer(
    *,
    commande: str,
    fichier,
    millesime,
    source,
    departements,
    auteur,
    nom_fichier,
    progression,
) -> dict:
    annoncer = progression or _rien
    debut = timezone.now()
    chemin = Path(fichier)
    nom_fichier = nom_fichier or chemin.name
    departements = sorted(set(departements)) if departements else None
    parametres = {"millesime": millesime, "source": source or None, "departements": departements}

    refuser = partial(
        import_refuser, commande=commande, fichier=nom_fichier, parametres=parametres, auteur=auteur, debut=debut
    )
    try:
        contenu = chemin.read_bytes()
    except OSError as erreur:
        raison = f"fichier illisible : {erreur.strerror or erreur}"
        raise refuser([imports.Erreur(raison)], f"Fichier refusé : {raison}, rien n'a été importé.") from None
    empreinte = hashlib.sha256(contenu).hexdigest()

    annoncer(f"Lecture et validation de {nom_fichier}…")
    if commande == COMMANDE_POPULATIONS:
        lecture = imports.populations_lire(
            contenu=contenu,
            referentiel=_referentiel(),
            millesime=millesime,
            departements=departements,
            progression=annoncer,
        )
    else:
        lecture = imports.indicateurs_caf_lire(
            contenu=contenu,
            referentiel=_referentiel(),
            nom_fichier=nom_fichier,
            millesime=millesime,
            departements=departements,
            progression=annoncer,
        )
    if lecture.erreurs:
        raise refuser(imports.trier_erreurs(lecture.erreurs), empreinte=empreinte)
    annoncer(
        f"Fichier valide ({lecture.format}, {nombre(lecture.lignes)} ligne(s), "
        f"millésime {', '.join(map(str, lecture.millesimes))}, {lecture.origine_millesime})."
    )

    sources = {m: (source or source_par_defaut(commande, m, nom_fichier))[:LONGUEUR_SOURCE] for m in lecture.millesimes}
    presents = {v.indicateur for v in lecture.valeurs} | set(lecture.secrets)
    indicateurs = [indicateur for indicateur in Indicateur.values if indicateur in presents]
    with transaction.atomic():
        plan = _planifier(lecture, indicateurs, sources)
        population = _planifier_communes(lecture, sources) if commande == COMMANDE_POPULATIONS else None
        resume = {
            "format": lecture.format,
            "lignes": lecture.lignes,
            "millesimes": lecture.millesimes,
            "origine_millesime": lecture.origine_millesime,
            "sources": {str(m): s for m, s in sources.items()},
            "indicateurs": plan["compteurs"],
            "colonnes_ignorees": lecture.colonnes_ignorees,
            "hors_perimetre": lecture.hors_perimetre,
            "autres_millesimes": lecture.autres_millesimes,
        }
        if population is not None:
            resume["communes"] = population["compteurs"]
        journal = chargement_journaliser(
            commande=commande,
            fichier=nom_fichier[:500],
            empreinte=empreinte,
            parametres=parametres,
            statut=Chargement.Statut.REUSSI,
            resume=resume,
            auteur=auteur[:200],
            debut=debut,
            fin=timezone.now(),
        )
        _ecrire(plan, journal, annoncer)
        if population and population["a_modifier"]:
            _mettre_a_jour(Commune, population["a_modifier"], CHAMPS_POPULATION)
            # The commune's reference population is used everywhere: one audit entry per changed commune.
            journaliser_en_masse(
                population["a_modifier"],
                action="modifier",
                chargement_id=journal.pk,
                commande=commande,
                fichier=nom_fichier,
                auteur=auteur,
                changements=population["changements"],
            )
        Chargement.objects.filter(pk=journal.pk).update(fin=timezone.now())
    resume["chargement"] = journal.pk
    return resume


def _planifier(lecture: imports.Lecture, indicateurs: list[str], sources: dict[int, str]) -> dict:
    existants: dict[tuple[str, str, int], IndicateurCommune] = {}
    requete = IndicateurCommune.objects.filter(indicateur__in=indicateurs, millesime__in=lecture.millesimes).only(
        "pk", "commune_id", "indicateur", "millesime", "valeur", "source", "chargement_id"
    )
    for ligne in requete.iterator(chunk_size=5000):
        existants[(ligne.commune_id, ligne.indicateur, ligne.millesime)] = ligne
    compteurs = {
        indicateur: {
            "crees": 0,
            "modifies": 0,
            "inchanges": 0,
            "retires": 0,
            "secrets": lecture.secrets.get(indicateur, 0),
        }
        for indicateur in indicateurs
    }
    a_creer, a_modifier = [], []
    for valeur in lecture.valeurs:
        source = sources[valeur.millesime]
        existant = existants.get((valeur.commune, valeur.indicateur, valeur.millesime))
        compte = compteurs[valeur.indicateur]
        if existant is None:
            a_creer.append(
                IndicateurCommune(
                    commune_id=valeur.commune,
                    indicateur=valeur.indicateur,
                    millesime=valeur.millesime,
                    valeur=valeur.valeur,
                    source=source,
                )
            )
            compte["crees"] += 1
        elif existant.valeur != valeur.valeur or existant.source != source:
            existant.valeur, existant.source = valeur.valeur, source
            a_modifier.append(existant)
            compte["modifies"] += 1
        else:
            compte["inchanges"] += 1
    a_retirer = []
    for indicateur, cles in lecture.cles_secretes.items():
        for commune, millesime in cles:
            existant = existants.get((commune, indicateur, millesime))
            if existant is not None:
                a_retirer.append(existant.pk)
                compteurs[indicateur]["retires"] += 1
    return {"compteurs": compteurs, "a_creer": a_creer, "a_modifier": a_modifier, "a_retirer": a_retirer}


def _planifier_communes(lecture: imports.Lecture, sources: dict[int, str]) -> dict:
    """The communes whose reference population changes: the file's millésime is newer than or equal to theirs."""
    valeurs: dict[str, imports.ValeurLue] = {}
    for valeur in lecture.valeurs:  # a historical file: the most recent millésime of each commune
        if valeur.commune not in valeurs or valeur.millesime > valeurs[valeur.commune].millesime:
            valeurs[valeur.commune] = valeur
    departements = {imports.departement_de_commune(code) for code in valeurs}
    communes = Commune.objects.filter(departement_id__in=departements).only(
        "code", "nom", "population", "population_millesime", "population_source"
    )
    compteurs = {"mises_a_jour": 0, "a_jour": 0, "millesime_plus_recent_conserve": 0}
    a_modifier, changements = [], []
    for commune in communes.iterator(chunk_size=5000):
        valeur = valeurs.get(commune.code)
        if valeur is None:
            continue
        if commune.population_millesime is not None and valeur.millesime < commune.population_millesime:
            compteurs["millesime_plus_recent_conserve"] += 1
            continue
        voulu = (int(valeur.valeur), valeur.millesime, sources[valeur.millesime][:LONGUEUR_SOURCE_COMMUNE])
        if (commune.population, commune.population_millesime, commune.population_source) == voulu:
            compteurs["a_jour"] += 1
            continue
        avant = (commune.population, commune.population_millesime, commune.population_source)
        commune.population, commune.population_millesime, commune.population_source = voulu
        a_modifier.append(commune)
        changements.append(
            {
                champ: [_texte(ancien), _texte(nouveau)]
                for champ, ancien, nouveau in zip(CHAMPS_POPULATION, avant, voulu, strict=True)
                if ancien != nouveau
            }
        )
        compteurs["mises_a_jour"] += 1
    return {"compteurs": compteurs, "a_modifier": a_modifier, "changements": changements}


def _texte(valeur) -> str:
    # auditlog's text of a value: "None" for an empty one.
    return str(valeur)


def _ecrire(plan: dict, journal: Chargement, annoncer) -> None:
    a_creer, a_modifier, a_retirer = plan["a_creer"], plan["a_modifier"], plan["a_retirer"]
    total = len(a_creer) + len(a_modifier)
    ecrits = 0

    def avancer(nombre_ecrits: int) -> None:
        nonlocal ecrits
        ecrits += nombre_ecrits
        if total > TAILLE_LOT_PROGRESSION:
            annoncer(f"Écriture : {nombre(ecrits)} / {nombre(total)}")

    for ligne in a_creer:
        ligne.chargement_id = journal.pk
    for ligne in a_modifier:
        ligne.chargement_id = journal.pk
    for debut in range(0, len(a_creer), TAILLE_LOT_PROGRESSION):
        lot = a_creer[debut : debut + TAILLE_LOT_PROGRESSION]
        IndicateurCommune.objects.bulk_create(lot, batch_size=TAILLE_LOT_SQL)
        avancer(len(lot))
    for debut in range(0, len(a_modifier), TAILLE_LOT_PROGRESSION):
        lot = a_modifier[debut : debut + TAILLE_LOT_PROGRESSION]
        _mettre_a_jour(IndicateurCommune, lot, ("valeur", "source", "chargement"))
        avancer(len(lot))
    for debut in range(0, len(a_retirer), TAILLE_LOT_SQL):
        IndicateurCommune.objects.filter(pk__in=a_retirer[debut : debut + TAILLE_LOT_SQL]).delete()


def _phrase(compte: dict) -> str:
    texte = (
        f"{nombre(compte['crees'])} créé(s), {nombre(compte['modifies'])} modifié(s), "
        f"{nombre(compte['inchanges'])} inchangé(s)"
    )
    if compte["retires"]:
        texte += f", {nombre(compte['retires'])} retiré(s) (cellule vide ou secrète dans le fichier)"
    if compte["secrets"]:
        texte += f" ; {nombre(compte['secrets'])} cellule(s) vide(s) ou secrète(s), rien enregistré"
    return texte


def resume_texte(resume: dict) -> str:
    """The French closing summary printed by the commands."""
    millesimes = ", ".join(map(str, resume["millesimes"]))
    lignes = [
        f"Import terminé ({resume['format']}, {nombre(resume['lignes'])} ligne(s) lue(s), millésime {millesimes}, "
        f"{resume['origine_millesime']})."
    ]
    libelles = dict(Indicateur.choices)
    for indicateur, compte in resume["indicateurs"].items():
        lignes.append(f"  {libelles.get(indicateur, indicateur)} : {_phrase(compte)}")
    communes = resume.get("communes")
    if communes is not None:
        texte = f"  Population de référence des communes : {nombre(communes['mises_a_jour'])} mise(s) à jour"
        if communes["millesime_plus_recent_conserve"]:
            texte += (
                f", {nombre(communes['millesime_plus_recent_conserve'])} commune(s) gardant un millésime plus récent"
            )
        lignes.append(texte)
    if resume["hors_perimetre"]:
        lignes.append(f"  {nombre(resume['hors_perimetre'])} ligne(s) d'autres départements ignorée(s).")
    if resume["autres_millesimes"]:
        lignes.append(f"  {nombre(resume['autres_millesimes'])} ligne(s) d'autres millésimes ignorée(s).")
    if resume["colonnes_ignorees"]:
        lignes.append(f"  Colonnes ignorées : {', '.join(resume['colonnes_ignorees'])}.")
    lignes.append(f"  Source : {' ; '.join(resume['sources'].values())}")
    change = any(c["crees"] or c["modifies"] or c["retires"] for c in resume["indicateurs"].values())
    if not change and not (communes and communes["mises_a_jour"]):
        lignes.append("Aucun changement : les valeurs du fichier étaient déjà à jour.")
    return "\n".join(lignes)


def refus_texte(refus: ImportRefuse) -> str:
    """The French message of a refused import, for the commands (the first errors, then how many more)."""
    details = [f"  - {erreur['message']}" for erreur in refus.erreurs[:ERREURS_AFFICHEES]]
    if len(refus.erreurs) > ERREURS_AFFICHEES:
        details.append(f"  … et {nombre(len(refus.erreurs) - ERREURS_AFFICHEES)} autre(s) erreur(s).")
    journal = f"\n(Refus inscrit au journal des chargements, n° {refus.chargement.pk}.)" if refus.chargement else ""
    return f"{refus.message}\n" + "\n".join(details) + journal
