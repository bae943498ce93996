"""Files of an event's attendance: the feuille d'émargement (PDF by WeasyPrint, from a template) and the aggregated
statistics table (CSV, XLSX through `core.tableurs`).

The signing sheet is made at once (300 rows take about a second). WeasyPrint needs the Pango libraries: the
check and its French message are the observatoire report's (`verifier_pdf`, `PDFIndisponible`), so a server
without them says so instead of crashing."""

import re

from django.template.loader import render_to_string
from django.utils import timezone
from openpyxl.styles import Font

from maillage.core import horloge
from maillage.core.tableurs import classeur_octets, ecrire_csv, nouveau_classeur, texte_csv_francais
from maillage.observatoire.resultats.rapports import MESSAGE_PDF, PDFIndisponible, pdf_disponible, verifier_pdf

from . import selectors_pointage
from .models import Evenement

__all__ = ["MESSAGE_PDF", "PDFIndisponible", "pdf_disponible", "verifier_pdf"]

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def _weasyprint():
    try:
        import weasyprint
    except (OSError, ImportError) as e:
        raise PDFIndisponible(MESSAGE_PDF) from e
    return weasyprint


def _slug(evenement: Evenement) -> str:
    base = re.sub(r"[^a-z0-9]+", "-", evenement.debut.strftime("%Y-%m-%d") + "-" + str(evenement.pk))
    return base.strip("-")


def nom_fichier(evenement: Evenement, nature: str, format: str) -> str:
    return f"{nature}-evenement-{_slug(evenement)}.{format}"


# --- Feuille d'émargement ---------------------------------------------------------------------------------------


def html_emargement(evenement: Evenement) -> str:
    """The HTML the signing sheet is composed from (also what tests read)."""
    return render_to_string(
        "reseau/pdf/emargement.html",
        {
            "evenement": evenement,
            "inscrits": selectors_pointage.inscrits_emargement(evenement),
            "produit_le": horloge.maintenant(),
        },
    )


def emargement_pdf(evenement: Evenement) -> bytes:
    """The signing sheet as PDF bytes; raises `PDFIndisponible` without Pango."""
    weasyprint = _weasyprint()
    return weasyprint.HTML(string=html_emargement(evenement)).write_pdf()


# --- Statistics table ---------------------------------------------------------------------------------------------

ENTETES = ["Ventilation", "Libellé", "Inscrits", "Présents", "Taux de présence (%)", "Liste d'attente"]
VENTILATIONS = (
    ("par_categorie", "Catégorie"),
    ("par_type_organisation", "Type d'organisation"),
    ("par_commune", "Commune"),
)


def lignes_statistiques(stats: dict) -> list[list]:
    """The totals then every part of every breakdown, as rows of `ENTETES`."""
    lignes = [
        ["Total", "Inscrits confirmés", stats["inscrits"], stats["presents"], stats["taux_presence"],
         stats["liste_attente"]],
        ["Total", "Inscriptions annulées", stats["annulees"], None, None, None],
        ["Total", "Inscrits sur place", stats["sur_place"], None, None, None],
    ]  # fmt: skip
    for cle, nom in VENTILATIONS:
        for part in stats[cle]:
            lignes.append(
                [nom, part["libelle"], part["inscrits"], part["presents"], part.get("taux"), part["liste_attente"]]
            )
    return lignes


def statistiques_csv(evenement: Evenement) -> str:
    # For people: decimal commas ("66,7"), as a French spreadsheet reads them.
    return ecrire_csv(
        ENTETES, lignes_statistiques(selectors_pointage.statistiques(evenement)), convertir=texte_csv_francais
    )


def statistiques_xlsx(evenement: Evenement) -> bytes:
    classeur = nouveau_classeur()
    feuille = classeur.active
    feuille.title = "Statistiques"
    feuille.append([f"{evenement.titre} — {timezone.localtime(evenement.debut):%d/%m/%Y}"])
    feuille.append(ENTETES)
    for cellule in feuille[2]:
        cellule.font = Font(bold=True)
    for ligne in lignes_statistiques(selectors_pointage.statistiques(evenement)):
        feuille.append(ligne)
    feuille.column_dimensions["A"].width = 20
    feuille.column_dimensions["B"].width = 45
    return classeur_octets(classeur)
