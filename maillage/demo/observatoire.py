"""The Val-de-Marne demo campaign: SENACS 2016 (data 2015) for the 47 structures of the fictional registry.

Answers are FICTIONAL but consistent: the finances are the structures' budgets réalisés 2015 (prefilled from the
database exactly as a structure would see them: income by funder from `LigneProduit`, expenses = charges totales,
result = income − expenses); staff, volunteers and publics follow the national orders of magnitude of the reference
document (per CS ≈ 30 activity volunteers, 17 inhabitants on the board, 33 employees for 17 FTE; EVS lighter), drawn
from seeds built on the structure's name (deterministic). Every submitted or validated answer passes the rules
engine without a blocking error (checked here, and in tests). Most answers are validated, a few submitted or still
in draft, one sent back for correction (with a reason and a comment). Idempotent: an existing 2016 campaign is kept.
"""

import datetime
import random
from pathlib import Path

from django.db import transaction
from django.utils import timezone

import maillage.observatoire
from maillage.comptes.models import Utilisateur
from maillage.core.audit import acteur
from maillage.fiches.models import FicheExperience
from maillage.observatoire import regles, selectors, services
from maillage.observatoire.models import (
    Campagne,
    Commentaire,
    Questionnaire,
    Reponse,
    Statut,
    Transition,
)
from maillage.structures.models import Structure

from . import registre

DEPARTEMENT = "94"
ANNEE = 2016
DOSSIER_QUESTIONNAIRES = Path(maillage.observatoire.__file__).resolve().parent / "questionnaires"
PILOTE = "pilote@demo.maillage.fr"
# Answers left out of "validée" (by rank in the alphabetical list of structures, deterministic).
RANGS_SOUMISES = (5, 17, 29)
RANGS_BROUILLONS = (11, 23, 41)
MOTIF_RENVOI = (
    "Le nombre de bénévoles d'activité paraît faible au regard des actions déclarées : pouvez-vous le vérifier et"
    " préciser les bénévoles ponctuels (fêtes de quartier, sorties) ?"
)


class DemoIncoherente(RuntimeError):
    """The generated demo answers break a blocking rule (a bug of this module)."""


def charger_questionnaires() -> dict[str, Questionnaire]:
    """Load every definition file of `questionnaires/` (idempotent). Returns {code: questionnaire}."""
    charges = {}
    for chemin in sorted(DOSSIER_QUESTIONNAIRES.glob("*.json")):
        questionnaire, _ = services.questionnaire_charger(chemin=chemin)
        charges[questionnaire.code] = questionnaire
    return charges


def _repartir(total: int, poids: list[float]) -> list[int]:
    somme = sum(poids)
    parts = [int(total * p / somme) for p in poids]
    parts[0] += total - sum(parts)
    return parts


def valeurs_generees(structure: Structure, rng: random.Random) -> dict:
    """The non-financial answers of one structure (plausible orders of magnitude, consistent with the rules)."""
    cs = structure.type == "centre_social"
    personnes = rng.randint(900, 2600) if cs else rng.randint(150, 550)
    bandes = ["0-3", "4-10", "11-14", "15-17", "18-25", "26-59", "60+"]
    tranches = _repartir(int(personnes * 0.9), [6, 20, 10, 7, 9, 33, 15])
    membres = rng.randint(22, 28) if cs else rng.randint(6, 11)
    habitants = min(membres, rng.randint(15, 19) if cs else rng.randint(3, 6))
    benevoles = rng.randint(24, 36) if cs else rng.randint(8, 16)
    effectif = rng.randint(28, 38) if cs else rng.randint(1, 4)
    etp = round(effectif * rng.uniform(0.48, 0.56), 1) if cs else round(min(effectif, rng.uniform(0.6, 2.4)), 1)
    cdi = max(1, round(effectif * 0.6))
    cdd = effectif - cdi
    etp_cdi = round(etp * cdi / effectif, 1)
    contrats = {"cdi": {"effectif": cdi, "etp": etp_cdi}}
    if cdd:
        contrats["cdd"] = {"effectif": cdd, "etp": round(etp - etp_cdi, 1)}
    enjeux = rng.sample(["isolement_lien_social", "acces_droits", "parentalite", "fracture_numerique", "scolarite"], 3)
    themes = rng.sample(["enfance", "jeunesse", "familles_parentalite", "adultes", "seniors", "acces_droits"], 4)
    aller_vers = rng.random() < 0.6
    valeurs = {
        "id_milieu": "urbain",
        "id_echelle": rng.choice(["quartier", "plusieurs_quartiers", "commune"]),
        "id_jours_ouverture": rng.randint(220, 250) if cs else rng.randint(120, 200),
        "id_hors_les_murs": aller_vers,
        "pub_personnes": personnes,
        "pub_tranches_age": {b: {"personnes": n} for b, n in zip(bandes, tranches, strict=True)},
        "pub_familles_touchees": int(personnes * rng.uniform(0.25, 0.35)),
        "proj_enjeux": enjeux,
        "proj_enjeu_principal": enjeux[0],
        "proj_actions_themes": {
            t: {"actions": rng.randint(2, 12), "participants": rng.randint(20, 150)} for t in themes
        },
        "proj_droits_informes": int(personnes * rng.uniform(0.15, 0.3)),
        "proj_droits_accompagnes": int(personnes * rng.uniform(0.05, 0.12)),
        "gouv_membres_instance": membres,
        "gouv_habitants_instance": habitants,
        "gouv_benevoles_activite": benevoles,
        "gouv_benevoles_gouvernance": habitants + rng.randint(0, 3),
        "gouv_jeunes_benevoles": rng.randint(0, benevoles // 4),
        "part_commune": rng.choice(["convention", "convention", "sans_convention"]),
        "pers_effectif": effectif,
        "pers_etp": etp,
        "pers_contrats": contrats,
        "th16_point_numerique": rng.random() < 0.5,
        "th16_aller_vers": aller_vers,
    }
    if aller_vers:
        valeurs["id_hors_les_murs_detail"] = "Animations en pied d'immeuble et présence sur le marché (fictif)."
        valeurs["th16_personnes_aller_vers"] = int(personnes * 0.1)
    if cs:
        valeurs["gouv_colleges"] = {
            "habitants_usagers": {"membres": habitants},
            "associations": {"membres": max(0, membres - habitants - 3)},
            "collectivites": {"membres": min(3, membres - habitants)},
        }
        valeurs["pers_direction_temps_plein"] = True
    else:
        valeurs["gouv_comite_usagers_evs"] = True
    if not structure.situation_qpv:
        valeurs["id_situation_qpv"] = "aucune"
    return valeurs


def valeurs_structure(structure: Structure, definition, contexte) -> dict:
    """All the answers of one structure: registry and budget prefill, then the generated values."""
    rng = random.Random(f"senacs-2016-{structure.nom}")
    valeurs = valeurs_generees(structure, rng)
    prefill = regles.prefill(definition, selectors.sources_prefill(structure, ANNEE - 1), None, contexte)
    valeurs.update(prefill)
    if "fin_charges_totales" in valeurs:
        valeurs["fin_charges_personnel"] = round(valeurs["fin_charges_totales"] * rng.uniform(0.55, 0.68))
    visibles = regles.questions_visibles(definition, valeurs, contexte)
    return {code: valeur for code, valeur in valeurs.items() if code in visibles and code in definition.questions}


def demo_presente() -> bool:
    return Campagne.objects.filter(departement_id=DEPARTEMENT, annee=ANNEE).exists()


def resume() -> dict:
    campagne = Campagne.objects.filter(departement_id=DEPARTEMENT, annee=ANNEE).first()
    if campagne is None:
        return {"attendues": 0, "recues": 0, "validees": 0}
    reponses = Reponse.objects.filter(campagne=campagne)
    return {
        "attendues": reponses.count(),
        "recues": reponses.exclude(statut=Statut.BROUILLON).count(),
        "validees": reponses.filter(statut=Statut.VALIDEE).count(),
        "fiches": FicheExperience.objects.filter(structure__departement_id=DEPARTEMENT).count(),
    }


def charger(*, annoncer=print) -> dict:
    """Load the questionnaires and build the 2016 campaign (idempotent: kept as is when it exists)."""
    questionnaires = charger_questionnaires()
    if demo_presente():
        annoncer("  campagne 2016 déjà chargée.")
        return {"ignore": True, **resume()}
    pilote = Utilisateur.objects.filter(email=PILOTE).first()
    if pilote is None or not registre.demo_presente():
        annoncer("  comptes ou structures de démonstration absents : campagne non créée.")
        return {"ignore": True, **resume()}
    with transaction.atomic(), acteur(pilote):
        campagne = services.campagne_creer(
            par=pilote,
            departement=DEPARTEMENT,
            annee=ANNEE,
            questionnaire=questionnaires["senacs-socle"],
            bloc_thematique=questionnaires.get("senacs-theme-2016"),
            ouverture=datetime.date(ANNEE, 3, 1),
            date_limite_reponse=datetime.date(ANNEE, 5, 31),
            date_limite_relecture=datetime.date(ANNEE, 7, 15),
            # The federation's mandated correspondent (the demo partner) reviews with the Caf.
            federation_relit=True,
            # SENACS surveyed the EVS only later: asking them in 2016 is the demo's choice (a campaign setting),
            # made so that the EVS path of the observatoire can be seen; a real 2016 campaign would ask the CS only.
            population=Campagne.Population.CS_EVS,
        )
        _remplir(campagne, pilote)
        _fiches(pilote)
        # Published before the departmental day of 29 September 2016.
        campagne.publiee, campagne.publiee_le = True, _moment(9, 15)
        campagne.save(update_fields=["publiee", "publiee_le", "modifie_le"])
    return resume()


def _moment(mois: int, jour: int) -> datetime.datetime:
    return timezone.make_aware(datetime.datetime(ANNEE, mois, jour, 10, 0))


def _remplir(campagne: Campagne, pilote) -> None:
    """Answers dated as in 2016: submitted from April to late May, sent back or validated a few weeks later."""
    definition = selectors.definition_campagne(campagne)
    comptes = {
        c.structure_id: c for c in Utilisateur.objects.filter(est_demo=True, structure__isnull=False, is_active=True)
    }
    premiere_compte = registre.structure_du_compte(registre.COMPTES_STRUCTURES[0][3])
    reponses = list(
        Reponse.objects.filter(campagne=campagne)
        .select_related("structure", "structure__gestionnaire")
        .order_by("structure__nom")
    )
    transitions, commentaires, dates = [], [], []
    for rang, reponse in enumerate(reponses):
        soumise_le = _moment(4, 1) + datetime.timedelta(days=rang % 55, hours=rang % 7)
        structure = reponse.structure
        contexte = selectors.contexte_structure(structure, campagne.annee_donnees)
        valeurs = valeurs_structure(structure, definition, contexte)
        par = comptes.get(structure.pk)
        motif_saisie = "" if par else "Saisie de démonstration (structure sans compte)"
        a_corriger = premiere_compte is not None and structure.pk == premiere_compte.pk
        if rang in RANGS_BROUILLONS and not a_corriger:
            # A draft in progress: the registry and budget prefill only.
            reponse.valeurs = {c: v for c, v in valeurs.items() if c.startswith(("id_", "fin_"))}
            reponse.version = 2
        else:
            resultat = regles.controler(definition, valeurs, contexte)
            if resultat.bloquant:
                raise DemoIncoherente(f"{structure.nom} : {resultat.messages_bloquants(definition)}")
            reponse.valeurs, reponse.version = valeurs, 3
            reponse.soumise_le = soumise_le
            transitions.append(
                Transition(reponse=reponse, de=Statut.BROUILLON, vers=Statut.SOUMISE, par=par, motif=motif_saisie)
            )
            dates.append(soumise_le)
            if a_corriger:
                reponse.statut, reponse.version = Statut.A_CORRIGER, 4
                transitions.append(
                    Transition(
                        reponse=reponse, de=Statut.SOUMISE, vers=Statut.A_CORRIGER, par=pilote, motif=MOTIF_RENVOI
                    )
                )
                dates.append(soumise_le + datetime.timedelta(days=12))
                commentaires.append(
                    Commentaire(reponse=reponse, question="gouv_benevoles_activite", auteur=pilote, texte=MOTIF_RENVOI)
                )
                commentaires[-1].date_demo = dates[-1]
            elif rang in RANGS_SOUMISES:
                reponse.statut = Statut.SOUMISE
            else:
                validee_le = soumise_le + datetime.timedelta(days=21)
                reponse.statut, reponse.verrouillee, reponse.validee_le = Statut.VALIDEE, True, validee_le
                reponse.version = 4
                transitions.append(Transition(reponse=reponse, de=Statut.SOUMISE, vers=Statut.VALIDEE, par=pilote))
                dates.append(validee_le)
        reponse.modifiee_par = par or pilote
    Reponse.objects.bulk_update(
        reponses,
        ["valeurs", "version", "statut", "soumise_le", "validee_le", "verrouillee", "modifiee_par"],
        batch_size=100,
    )
    Transition.objects.bulk_create(transitions, batch_size=500)
    # `le` is set on creation (auto_now_add): date the history afterwards.
    for transition, le in zip(transitions, dates, strict=True):
        transition.le = le
    Transition.objects.bulk_update(transitions, ["le"], batch_size=500)
    Commentaire.objects.bulk_create(commentaires)
    for commentaire in commentaires:
        commentaire.le = commentaire.date_demo
    Commentaire.objects.bulk_update(commentaires, ["le"])


FICHES = [
    (
        "Centre social des Tilleuls (fictif)",
        "Un café des parents à la sortie de l'école",
        "familles_parentalite",
        "Parents d'enfants de maternelle et d'élémentaire du quartier",
        "École élémentaire, PMI, médiathèque",
        "Une animatrice référente familles (4 h par semaine), un local prêté par l'école",
        "Une vingtaine de parents réguliers ; deux projets de sorties familiales portés par les parents",
        "Difficile de toucher les pères ; dépend de la disponibilité du local",
        FicheExperience.Statut.PUBLIEE_PUBLIC,
    ),
    (
        "Centre social des Acacias (fictif)",
        "Permanence numérique et accès aux droits",
        "numerique",
        "Adultes éloignés du numérique, seniors",
        "Caf, CPAM, France services",
        "Un médiateur numérique à mi-temps, six postes informatiques",
        "350 accompagnements dans l'année, moitié pour des démarches Caf",
        "Files d'attente en période de déclaration ; besoin de bénévoles formés",
        FicheExperience.Statut.PUBLIEE_RESEAU,
    ),
    (
        "Espace de vie sociale La Ruche (fictif)",
        "Jardin partagé en pied d'immeuble",
        "culture_loisirs",
        "Habitants du quartier, toutes générations",
        "Bailleur social, service espaces verts de la commune",
        "Deux bénévoles coordinateurs, petit budget de matériel",
        "Trente foyers participants, une fête de quartier à la récolte",
        "Vandalisme ponctuel ; relève des bénévoles à organiser",
        FicheExperience.Statut.PROPOSEE,
    ),
]


def _fiches(pilote) -> None:
    comptes = {c.structure_id: c for c in Utilisateur.objects.filter(est_demo=True, structure__isnull=False)}
    # On the demo's story: proposed in June 2016, published before the departmental day of 29/09/2016.
    proposee_le, publiee_le = _moment(6, 14), _moment(9, 12)
    for nom, titre, theme, public, partenaires, moyens, resultats, limites, statut in FICHES:
        structure = registre.structure_du_compte(nom)
        if structure is None:
            continue
        publiee = statut in {FicheExperience.Statut.PUBLIEE_RESEAU, FicheExperience.Statut.PUBLIEE_PUBLIC}
        FicheExperience.objects.create(
            structure=structure,
            titre=f"{titre} (fictif)",
            theme=theme,
            public_concerne=public,
            partenaires=partenaires,
            moyens=moyens,
            resultats=resultats,
            limites=limites,
            statut=statut,
            auteur=comptes.get(structure.pk),
            proposee_le=proposee_le,
            publiee_le=publiee_le if publiee else None,
            publiee_par=pilote if publiee else None,
        )
