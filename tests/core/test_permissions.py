"""The permission mechanism (maillage.core.permissions) and its readable matrix (docs/permissions.md)."""

import ast
import importlib.util
from io import StringIO
from pathlib import Path
from types import SimpleNamespace

import pytest
from django.apps import apps
from django.contrib.auth.models import AnonymousUser
from django.core.exceptions import PermissionDenied
from django.core.management import call_command

from maillage.core import matrice
from maillage.core.permissions import actions, exiger, peut, regle, regles

ANONYME = AnonymousUser()
PILOTE_94 = matrice.utilisateur_fictif("pilote")


def test_action_inconnue_refusee():
    with pytest.raises(ValueError, match="Action inconnue : territoire.effacer"):
        peut(PILOTE_94, "territoire.effacer")
    with pytest.raises(ValueError):
        exiger(ANONYME, "territoire.effacer")


def test_action_publique_lisible_sans_compte():
    assert peut(ANONYME, "territoire.voir")
    exiger(ANONYME, "territoire.voir")


def test_action_non_publique_refusee_sans_compte_ni_compte_actif():
    assert not peut(ANONYME, "bareme.voir")
    with pytest.raises(PermissionDenied):
        exiger(ANONYME, "bareme.voir")
    inactif = matrice.utilisateur_fictif("pilote")
    inactif.is_active = False
    assert peut(PILOTE_94, "bareme.voir")
    assert not peut(inactif, "bareme.voir")


def test_regle_en_double_refusee():
    avant = regles()
    with pytest.raises(ValueError, match="Règle déjà définie : territoire.voir"):

        @regle("territoire.voir", public=True)
        def _autre(user, obj):
            """Tout le monde, autrement."""
            return True

    assert regles() == avant
    assert peut(ANONYME, "territoire.voir")


def test_regle_sans_description_refusee():
    with pytest.raises(ValueError, match="sans description"):

        @regle("essai.sans_description")
        def _sans_doc(user, obj):
            return True

    assert "essai.sans_description" not in actions()


def test_description_premier_paragraphe_de_la_docstring():
    descriptions = {r.action: r.description for r in regles()}
    assert descriptions["departement.voir_pilotage"] == "Tableaux de bord et rapports non publics d'un département."


@pytest.mark.parametrize(
    ("action", "app"),
    [
        ("travail.voir", "core"),
        ("territoire.voir", "territoires"),
        ("comptes.gerer", "comptes"),
        ("structure.modifier", "structures"),
        ("bareme.voir", "financements"),
        ("diagnostic.simuler", "diagnostic"),
        ("campagne.gerer", "observatoire"),
    ],
)
def test_chaque_regle_a_cote_de_son_app(action, app):
    (r,) = [r for r in regles() if r.action == action]
    assert apps.get_containing_app_config(r.module).label == app


def test_les_regles_de_chaque_app_sont_chargees_par_django_setup():
    modules = {r.module for r in regles()}
    for config in apps.get_app_configs():
        if config.name.startswith("maillage.") and importlib.util.find_spec(f"{config.name}.permissions"):
            assert f"{config.name}.permissions" in modules, config.name


def test_le_mecanisme_n_importe_aucune_app_metier():
    racine = Path(matrice.__file__).parent
    for nom in ("permissions.py", "roles.py", "matrice.py"):
        arbre = ast.parse((racine / nom).read_text(encoding="utf-8"))
        importes = {n.module for n in ast.walk(arbre) if isinstance(n, ast.ImportFrom) and n.module and n.level == 0}
        importes |= {a.name for n in ast.walk(arbre) if isinstance(n, ast.Import) for a in n.names}
        assert not {m for m in importes if m.startswith("maillage.") and not m.startswith("maillage.core")}, nom


class TestTravailVoir:
    def _travail(self, **champs):
        return SimpleNamespace(**{"public": False, "regle": "", "departement_id": None, "demandeur_id": None, **champs})

    def test_public_pour_tous(self):
        assert peut(ANONYME, "travail.voir", self._travail(public=True))

    def test_selon_sa_regle(self):
        travail = self._travail(regle="departement.voir_pilotage", departement_id="94")
        assert peut(PILOTE_94, "travail.voir", travail)
        ailleurs = self._travail(regle="departement.voir_pilotage", departement_id="93")
        assert not peut(PILOTE_94, "travail.voir", ailleurs)
        assert not peut(ANONYME, "travail.voir", travail)

    def test_sinon_son_demandeur_seul(self):
        assert peut(PILOTE_94, "travail.voir", self._travail(demandeur_id=PILOTE_94.pk))
        assert not peut(PILOTE_94, "travail.voir", self._travail(demandeur_id=PILOTE_94.pk + 1))
        assert not peut(ANONYME, "travail.voir", self._travail())


# --- The matrix: computed from the rules, without the database (no django_db mark) ---------------------------


def test_matrice_sans_case_indescriptible():
    inconnues = [
        (ligne.action, role)
        for _, _, lignes in matrice.sections()
        for ligne in lignes
        for role, texte in ligne.cellules.items()
        if matrice.INCONNU in texte
    ]
    assert inconnues == []


def test_matrice_vraie_sur_quelques_cases():
    cellules = {ligne.action: ligne.cellules for _, _, lignes in matrice.sections() for ligne in lignes}
    assert cellules["territoire.voir"]["public"] == "oui"
    assert cellules["structure.modifier"] == {
        "pilote": "dans son périmètre",
        "conseiller": "sur ses communes",
        "partenaire": "non",
        "correspondant": "non",
        "cofinanceur": "non",
        "structure": "sa structure",
        "public": "non",
        "admin": "oui",
    }
    # Partners: only a mandate opens answers, budgets; named contacts never.
    assert cellules["reponse.relire"]["partenaire"] == "non"
    assert (
        cellules["reponse.relire"]["correspondant"]
        == "dans son périmètre (campagne relue par les correspondants mandatés)"
    )
    assert cellules["structure.voir_budgets"]["cofinanceur"] == "sur son territoire"
    assert cellules["structure.voir_budgets"]["partenaire"] == "non"
    assert {cellules["structure.voir_contacts"][r] for r in ("partenaire", "correspondant", "cofinanceur")} == {"non"}
    assert cellules["reponses.exporter"]["partenaire"] == "non"
    assert cellules["scenario.voir"]["partenaire"] == "dans son périmètre (scénario partagé)"
    assert cellules["reponse.modifier"]["structure"] == "sa structure (brouillon ou à corriger)"
    assert cellules["reponse.modifier"]["admin"] == "non"
    assert cellules["fiche.voir"]["public"] == "oui (publiée au public)"


def test_docs_permissions_a_jour():
    document = matrice.FICHIER.read_text(encoding="utf-8")
    assert matrice.matrice_du_document(document) == matrice.markdown(), (
        "docs/permissions.md n'est plus à jour : lancez `python manage.py permissions --ecrire`."
    )
    assert document == matrice.document_attendu(document)


def test_chaque_action_figure_dans_docs_permissions():
    document = matrice.FICHIER.read_text(encoding="utf-8")
    absentes = [action for action in actions() if f"`{action}`" not in document]
    assert absentes == [], "Lancez `python manage.py permissions --ecrire`."


def test_commande_texte_et_markdown():
    sortie = StringIO()
    call_command("permissions", stdout=sortie)
    assert "structure.modifier — Modifier la fiche d'une structure" in sortie.getvalue()
    sortie = StringIO()
    call_command("permissions", "--markdown", stdout=sortie)
    assert sortie.getvalue() == matrice.markdown()
    assert all(f"`{action}`" in sortie.getvalue() for action in actions())


def test_commande_ecrire_garde_le_texte_autour_de_la_matrice(tmp_path, monkeypatch):
    fichier = tmp_path / "permissions.md"
    monkeypatch.setattr(matrice, "FICHIER", fichier)
    call_command("permissions", "--ecrire", stdout=StringIO())
    assert matrice.matrice_du_document(fichier.read_text(encoding="utf-8")) == matrice.markdown()
    perime = fichier.read_text(encoding="utf-8").replace("| oui |", "| non |", 1) + "\nUne note en bas.\n"
    fichier.write_text(perime, encoding="utf-8")
    call_command("permissions", "--ecrire", stdout=StringIO())
    recrit = fichier.read_text(encoding="utf-8")
    assert matrice.matrice_du_document(recrit) == matrice.markdown()
    assert recrit.endswith("\nUne note en bas.\n")
