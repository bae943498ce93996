"""Every XLSX the application serves is written for people: French headers (no snake_case code in a header row) and
no code among the values (`centre_social`, `dans_qpv`), on the demo's data, read as the pilote would download it.

The list of files is checked against the code: each module that writes a workbook (`nouveau_classeur` /
`classeur_pour_personnes`) must have its URLs here, so a new export cannot skip the test.
"""

import io
import re
from pathlib import Path

import pytest
from django.urls import reverse
from openpyxl import load_workbook

from maillage.core.tableurs import entete_machine
from tests.transverse.conftest import client_de

pytestmark = pytest.mark.django_db

RACINE = Path(__file__).resolve().parents[2] / "maillage"
CODE_SNAKE = re.compile(r"[a-z0-9]+(_[a-z0-9]+)+")

# Module that writes a workbook → the URLs (built on the demo's data) that serve its files.
ECRIVAINS = {
    "structures/exports.py": ["annuaire", "annuaire_codes"],
    "structures/exports_agrements.py": ["renouvellements", "renouvellements_codes"],
    "diagnostic/exports.py": ["diagnostic", "scenario"],
    "observatoire/resultats/rapports.py": ["observatoire_reponses", "fiche_nationale"],
    "schema/echanges.py": ["schema_mise_a_jour"],
    "schema/sorties.py": ["schema_classeur"],
    "reseau/sorties.py": ["statistiques_evenement"],
    "reseau/echanges_annuaire.py": ["annuaire_reseau", "liste_diffusion"],
    "reseau/views_inscriptions.py": ["inscriptions"],
}
# The raw-data variant keeps the codes on purpose (programs, re-import); only its sheet names are checked.
BRUTS = {"annuaire_codes": ["Structures", "Zone de compétence"], "renouvellements_codes": ["Renouvellements"]}


def _adresses():
    from maillage.diagnostic.models import Scenario
    from maillage.reseau.models import Evenement, ListeDiffusion
    from maillage.schema.models import Schema

    evenement = Evenement.objects.filter(departement_id="94", inscriptions__isnull=False).order_by("debut").first()
    schema = Schema.objects.filter(departement_id="94").order_by("pk").first()
    liste = ListeDiffusion.objects.filter(departement_id="94").order_by("pk").first()
    scenario = Scenario.objects.filter(departement_id="94").order_by("pk").first()
    if scenario is None:
        # The demo saves no simulation: the pilote saves one, closing a structure.
        import datetime

        from maillage.comptes.models import Utilisateur
        from maillage.diagnostic.services import scenario_enregistrer
        from maillage.structures.models import Structure

        scenario = scenario_enregistrer(
            par=Utilisateur.objects.get(email="pilote@demo.maillage.fr"),
            departement="94",
            nom="Fermeture d'essai",
            date_reference=datetime.date(2016, 10, 15),
            ajouts=[],
            fermetures=[Structure.objects.filter(departement_id="94").order_by("pk").first()],
        )
    adresses = {
        "annuaire": reverse("structures:export") + "?departement=94&toutes=on&format=xlsx",
        "annuaire_codes": reverse("structures:export") + "?departement=94&toutes=on&format=xlsx&variante=codes",
        "renouvellements": reverse("structures:renouvellements_export", args=["94"]) + "?format=xlsx",
        "renouvellements_codes": reverse("structures:renouvellements_export", args=["94"])
        + "?format=xlsx&variante=codes",
        "diagnostic": reverse("diagnostic:export", args=["94"]) + "?format=xlsx",
        "observatoire_reponses": reverse("observatoire:rapport_xlsx", args=[2016, "94"]),
        "fiche_nationale": reverse("observatoire:fiche_nationale_xlsx", args=[2016]),
        "schema_mise_a_jour": reverse("schema:mise_a_jour_export", args=[schema.pk]) + "?format=xlsx",
        "schema_classeur": reverse("schema:export_xlsx", args=[schema.pk]),
        "statistiques_evenement": reverse("reseau:statistiques", args=[evenement.pk]) + "?format=xlsx",
        "annuaire_reseau": reverse("reseau:annuaire_export", args=["xlsx"]),
        "inscriptions": reverse("reseau:inscriptions_export", args=[evenement.pk, "xlsx"]),
    }
    if liste is not None:
        adresses["liste_diffusion"] = reverse("reseau:liste_export", args=[liste.pk, "xlsx"])
    adresses["scenario"] = reverse("diagnostic:scenario_export", args=[scenario.pk]) + "?format=xlsx"
    return adresses


def test_chaque_ecrivain_de_classeur_est_couvert():
    ecrivains = set()
    for chemin in RACINE.rglob("*.py"):
        texte = chemin.read_text(encoding="utf-8")
        if "core/tableurs.py" in str(chemin) or "/migrations/" in str(chemin):
            continue
        if "nouveau_classeur(" in texte or "classeur_pour_personnes(" in texte:
            ecrivains.add(str(chemin.relative_to(RACINE)))
    assert ecrivains == set(ECRIVAINS), "Ajoutez les URL du nouvel export XLSX à ECRIVAINS."


def _defauts(classeur) -> list[str]:
    defauts = []
    for feuille in classeur.worksheets:
        if entete_machine(feuille.title):
            defauts.append(f"nom de feuille « {feuille.title} »")
        rangees = list(feuille.iter_rows(values_only=True))
        # A sheet that documents the codes of the columns (for import files) shows them on purpose.
        documente_les_codes = feuille.title.startswith("Codes")
        # The header row: the first one, or the second when the first is a title (one cell).
        entete = 1
        if rangees and sum(v is not None for v in rangees[0]) == 1 and len(rangees) > 1:
            entete = 2
        for numero, rangee in enumerate(rangees, start=1):
            for valeur in rangee:
                if not isinstance(valeur, str):
                    continue
                if numero <= entete and entete_machine(valeur):
                    defauts.append(f"{feuille.title}!{numero} : en-tête « {valeur} »")
                elif CODE_SNAKE.fullmatch(valeur.strip()) and not documente_les_codes:
                    defauts.append(f"{feuille.title}!{numero} : valeur « {valeur} »")
    return defauts


def test_chaque_classeur_servi_est_en_francais(demo):
    client = client_de("pilote")
    adresses = _adresses()
    attendues = {nom for noms in ECRIVAINS.values() for nom in noms}
    manquantes = attendues - set(adresses)
    assert not manquantes, f"la démo n'a pas de quoi produire : {manquantes}"
    problemes = {}
    for nom, adresse in adresses.items():
        reponse = client.get(adresse, follow=True)
        assert reponse.status_code == 200, (nom, adresse, reponse.status_code)
        contenu = b"".join(reponse.streaming_content) if reponse.streaming else reponse.content
        assert contenu[:2] == b"PK", (nom, adresse, reponse["Content-Type"])
        classeur = load_workbook(io.BytesIO(contenu))
        if nom in BRUTS:
            assert [f.title for f in classeur.worksheets] == BRUTS[nom]
            assert entete_machine(classeur.worksheets[0]["A1"].value)
            continue
        if defauts := _defauts(classeur):
            problemes[nom] = defauts[:8]
    assert problemes == {}, "\n".join(f"{nom} : {d}" for nom, d in problemes.items())


def test_le_controle_voit_un_en_tete_code():
    from maillage.core.tableurs import nouveau_classeur

    classeur = nouveau_classeur()
    classeur.active.append(["structure_id", "Nom"])
    classeur.active.append(["Titre", "Valeur"])
    classeur.active.append([1, "centre_social"])
    assert _defauts(classeur) == ["Sheet!1 : en-tête « structure_id »", "Sheet!3 : valeur « centre_social »"]
