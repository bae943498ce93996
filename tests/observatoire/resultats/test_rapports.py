"""The departmental report as files: PDF (WeasyPrint) and XLSX, from the web and from the command."""

import contextlib
import io
import os
import re
import sys
import zlib

import pytest
from django.core.management import CommandError, call_command
from django.urls import reverse
from openpyxl import load_workbook

from maillage.observatoire.resultats import rapports
from tests.observatoire.factories import CampagneFactory, ReponseFactory
from tests.structures.factories import StructureFactory
from tests.territoires.factories import CommuneFactory, DepartementFactory

from . import test_resultats as base

jeu = base.jeu  # the shared dataset fixture

PDF_REQUIS = os.environ.get("MAILLAGE_E2E_REQUIS", "") not in ("", "0")
sans_pango = pytest.mark.skipif(
    not rapports.pdf_disponible() and not PDF_REQUIS,
    reason="WeasyPrint ne peut pas se charger : bibliothèques Pango absentes localement (requises en CI).",
)


def decompresse(pdf: bytes) -> bytes:
    """The PDF with its compressed streams (object streams included) appended in clear."""
    flux = []
    for m in re.finditer(rb"stream\r?\n(.*?)endstream", pdf, re.S):
        with contextlib.suppress(zlib.error):
            flux.append(zlib.decompress(m.group(1)))
    return pdf + b"".join(flux)


def pages(pdf: bytes) -> int:
    return len(re.findall(rb"/Type\s*/Page(?!s)", decompresse(pdf)))


def nomme(pdf: bytes, texte: str) -> bool:
    """The cover's heading is in the PDF outline (bookmarks)."""
    return f"/Title ({texte})".encode() in decompresse(pdf)


def url(nom, campagne):
    return reverse(f"observatoire:{nom}", args=[campagne.annee, campagne.departement_id])


def lire_classeur(contenu: bytes):
    return load_workbook(io.BytesIO(contenu), read_only=True)


# --- XLSX ---------------------------------------------------------------------------------------------


def test_xlsx_reserve_pilote_et_correspondant_mandate_du_departement(client, jeu):
    base.publier(jeu.c2016)  # published aggregates are public, individual answers are not
    adresse = url("rapport_xlsx", jeu.c2016)
    assert client.get(adresse).status_code == 403
    for user in (jeu.conseiller, jeu.structure_cs1, jeu.pilote93, jeu.partenaire):
        client.force_login(user)
        assert client.get(adresse).status_code == 403
    for user in (jeu.pilote, jeu.correspondant):
        client.force_login(user)
        reponse = client.get(adresse)
        assert reponse.status_code == 200
        assert reponse["Content-Type"].startswith("application/vnd.openxmlformats")


def test_xlsx_une_ligne_par_structure_et_agregats(client, jeu):
    client.force_login(jeu.pilote)
    classeur = lire_classeur(client.get(url("rapport_xlsx", jeu.c2016)).content)
    assert classeur.sheetnames == ["Réponses", "Codes des colonnes", "Ensemble", "Par type", "Par EPCI", "Par commune"]
    lignes = list(classeur["Réponses"].iter_rows(values_only=True))
    # One header row for people: the French labels; the question codes are on their own sheet.
    libelles, donnees = lignes[0], lignes[1:]
    assert libelles[:5] == ("Identifiant", "Structure", "Commune", "Type", "Statut")
    codes = dict(classeur["Codes des colonnes"].iter_rows(min_row=2, values_only=True))
    assert codes["Identifiant"] == "structure_id"
    assert codes["Personnes différentes touchées dans l'année"] == "pub_personnes"
    assert codes["Mode de gestion"] == "id_mode_gestion" and "Mode de gestion" in libelles
    personnes = libelles.index("Personnes différentes touchées dans l'année")
    assert len(donnees) == 7  # every expected structure, whatever its status
    par_nom = {ligne[1]: ligne for ligne in donnees}
    bleuets = par_nom["Centre social des Bleuets"]
    assert bleuets[personnes] == 100
    assert bleuets[4] == "Validée"
    assert par_nom["Centre social en brouillon"][4] == "Brouillon"
    ensemble = {ligne[0]: ligne for ligne in classeur["Ensemble"].iter_rows(values_only=True)}
    assert ensemble["Personnes touchées"][1:6] == (4, 650, 162.5, 150, 200)


def test_xlsx_campagne_inconnue_404(client, jeu):
    client.force_login(jeu.pilote)
    assert client.get(reverse("observatoire:rapport_xlsx", args=[2011, "94"])).status_code == 404


def test_fiche_nationale_xlsx_avec_une_campagne_sans_reponse_validee(jeu):
    """A campaign whose answers are all drafts or under review has no aggregate: its row reads 0 and empty cells
    instead of failing on the first indicator (KeyError)."""
    dep77 = DepartementFactory(code="77", nom="Seine-et-Marne", region=jeu.dep.region)
    c77 = CampagneFactory(departement=dep77, annee=2016, questionnaire=jeu.c2016.questionnaire)
    ReponseFactory(campagne=c77, structure=StructureFactory(commune=CommuneFactory(code="77001", departement=dep77)))

    lignes = list(
        lire_classeur(rapports.fiche_nationale_xlsx(2016, [jeu.c93.pk, c77.pk]))
        .worksheets[0]
        .iter_rows(values_only=True)
    )

    entetes, par_code = lignes[0], {ligne[1]: ligne for ligne in lignes[1:]}
    seine_et_marne = par_code["77"]
    assert seine_et_marne[entetes.index("Réponses attendues")] == 1
    assert seine_et_marne[entetes.index("Réponses validées")] == 0
    assert seine_et_marne[entetes.index("Personnes touchées (total)")] is None
    assert seine_et_marne[entetes.index("Personnes touchées (médiane)")] is None
    assert par_code[None][entetes.index("Personnes touchées (total)")] == 1000  # the whole: the 93 only


# --- PDF ----------------------------------------------------------------------------------------------


def test_pdf_memes_droits_que_la_synthese(client, jeu):
    assert client.get(url("rapport_pdf", jeu.c2016)).status_code == 403
    client.force_login(jeu.pilote93)
    assert client.get(url("rapport_pdf", jeu.c2016)).status_code == 403


@sans_pango
def test_pdf_produit(client, jeu):
    base.publier(jeu.c2016)
    reponse = client.get(url("rapport_pdf", jeu.c2016))
    assert reponse.status_code == 200
    assert reponse["Content-Type"] == "application/pdf"
    assert reponse.content.startswith(b"%PDF")
    assert pages(reponse.content) >= 2
    assert nomme(reponse.content, "Val-de-Marne")


def test_pdf_sans_pango_message_clair(client, jeu, monkeypatch):
    def indisponible():
        raise rapports.PDFIndisponible("La génération du PDF est indisponible sur ce serveur.")

    # Libraries missing on the web server: no link, and a clear 503 for a direct request.
    monkeypatch.setattr(rapports, "verifier_pdf", indisponible)
    client.force_login(jeu.pilote)
    reponse = client.get(url("rapport_pdf", jeu.c2016))
    assert reponse.status_code == 503
    assert "La génération du PDF est indisponible sur ce serveur." in reponse.content.decode()
    synthese = client.get(url("synthese", jeu.c2016)).content.decode()
    assert url("rapport_pdf", jeu.c2016) not in synthese
    # Missing where the report is made (the task, the command): the job fails with the same readable message.
    monkeypatch.undo()
    monkeypatch.setattr(rapports, "_weasyprint", indisponible)
    page = client.get(url("rapport_pdf", jeu.c2016), follow=True).content.decode()
    assert "La génération du PDF est indisponible sur ce serveur." in page and "Échec" in page
    with pytest.raises(CommandError, match="indisponible"):
        call_command("rapport_observatoire", annee=2016, departement="94", format="pdf", sortie="/tmp/x.pdf")


# --- Command ------------------------------------------------------------------------------------------


def test_commande_xlsx(jeu, tmp_path):
    sortie = tmp_path / "rapport.xlsx"
    call_command("rapport_observatoire", "--annee", "2016", "--departement", "94", "--format", "xlsx",
                 "--sortie", str(sortie))  # fmt: skip
    lignes = list(lire_classeur(sortie.read_bytes())["Réponses"].iter_rows(values_only=True))
    assert len(lignes) == 1 + 7


@sans_pango
def test_commande_pdf(jeu, tmp_path):
    sortie = tmp_path / "rapport.pdf"
    call_command("rapport_observatoire", "--annee", "2016", "--departement", "94", "--format", "pdf",
                 "--sortie", str(sortie))  # fmt: skip
    contenu = sortie.read_bytes()
    assert contenu.startswith(b"%PDF") and pages(contenu) >= 2 and nomme(contenu, "Val-de-Marne")


def test_commande_erreurs(jeu, tmp_path):
    with pytest.raises(CommandError, match="Aucune campagne 2011 pour le département 94"):
        call_command("rapport_observatoire", annee=2011, departement="94", format="xlsx", sortie=str(tmp_path / "a"))
    with pytest.raises(CommandError, match="Département inconnu"):
        call_command("rapport_observatoire", annee=2016, departement="99", format="xlsx", sortie=str(tmp_path / "a"))
    with pytest.raises(CommandError, match="dossier de sortie"):
        call_command("rapport_observatoire", annee=2016, departement="94", format="xlsx",
                     sortie=str(tmp_path / "absent" / "a.xlsx"))  # fmt: skip


def test_import_de_weasyprint_en_echec_donne_un_message(monkeypatch):
    class Chargeur:
        def find_spec(self, nom, *args):
            if nom == "weasyprint":
                raise OSError("cannot load library 'libpango-1.0-0'")

    monkeypatch.delitem(sys.modules, "weasyprint", raising=False)
    monkeypatch.setattr(sys, "meta_path", [Chargeur(), *sys.meta_path])
    assert rapports.pdf_disponible() is False
    with pytest.raises(rapports.PDFIndisponible, match="Pango"):
        rapports._weasyprint()
