"""The audit trail: each app registers its own models (its `audit.py`, loaded by its AppConfig)."""

import importlib

from auditlog.registry import auditlog
from django.apps import apps

SUIVIS = {
    "comptes": {"Utilisateur", "Organisation", "Mandat"},
    "territoires": {"Region", "Departement", "EPCI", "Commune", "QPV", "Regroupement", "Appartenance"},
    "structures": {
        "Gestionnaire",
        "Structure",
        "Contact",
        "ProjetSocial",
        "DocumentProjet",
        "Agrement",
        "EvaluationCritere",
        "ParametresAgrements",
    },
    "financements": {"TypePS", "BaremePS", "Budget", "LigneProduit"},
    "diagnostic": {"ParametresDiagnostic", "Scenario"},
    "observatoire": {"Questionnaire", "Campagne", "Reponse", "CommentaireRapport", "ValeurReference"},
    "fiches": {"FicheExperience"},
    # Status changes (TransitionSchema) and comments (CommentaireAction) are append-only rows naming their author.
    "schema": {
        "Schema",
        "DocumentSchema",
        "Enjeu",
        "DirectionProgres",
        "Axe",
        "Orientation",
        "FicheAction",
        "Jalon",
        "Indicateur",
        "ValeurIndicateur",
        "Instance",
        "Reunion",
        "Decision",
    },  # fmt: skip
    # Per-recipient rows of a batch (Destinataire), chosen sessions and survey answers are not audited.
    "reseau": {
        "Evenement",
        "Personne",
        "ListeDiffusion",
        "Inscription",
        "Ressource",
        "Actualite",
        "EnqueteSatisfaction",
        "Intervenant",
        "Invitation",
        "SerieAteliers",
        "SessionProgramme",
    },
}


def test_les_modeles_metier_sont_suivis():
    suivis = {}
    for modele in auditlog.get_models():
        suivis.setdefault(modele._meta.app_label, set()).add(modele.__name__)
    assert suivis == SUIVIS


def test_chaque_app_enregistre_ses_propres_modeles():
    for label in SUIVIS:
        module = importlib.import_module(f"{apps.get_app_config(label).name}.audit")
        importes = {
            valeur for valeur in vars(module).values() if isinstance(valeur, type) and valeur in auditlog._registry
        }
        assert importes and {m._meta.app_label for m in importes} == {label}, label


def test_champs_exclus():
    utilisateur = auditlog.get_model_fields(apps.get_model("comptes", "Utilisateur"))
    assert {"password", "last_login"} <= set(utilisateur["exclude_fields"])
    commune = auditlog.get_model_fields(apps.get_model("territoires", "Commune"))
    assert "geometrie" in commune["exclude_fields"]
