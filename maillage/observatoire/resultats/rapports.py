"""The departmental report of a campaign as files: PDF (WeasyPrint, from a template) and XLSX (openpyxl).

WeasyPrint needs the Pango system libraries; when they are missing its import raises OSError and `rapport_pdf`
raises `PDFIndisponible` with a French message (the view shows it, the command prints it) instead of crashing.
"""

import ctypes.util
import functools
import hashlib
import importlib.util
import sys

from auditlog.models import LogEntry
from django.db.models import Count, Max, Q
from django.template.loader import render_to_string
from openpyxl.styles import Font

from maillage.core.tableurs import classeur_octets, nouveau_classeur

from .. import agregats, selectors
from ..affichage import libelle_choix
from ..models import Campagne, Questionnaire, Reponse
from . import selectors as selectors_resultats


class PDFIndisponible(RuntimeError):
    pass


MESSAGE_PDF = (
    "La génération du PDF est indisponible sur ce serveur : les bibliothèques Pango (WeasyPrint) "
    "ne sont pas installées. Le rapport reste consultable en ligne et imprimable depuis le navigateur."
)


def _weasyprint():
    try:
        import weasyprint
    except (OSError, ImportError) as e:
        raise PDFIndisponible(MESSAGE_PDF) from e
    return weasyprint


@functools.cache
def _pango_present() -> bool:
    return all(ctypes.util.find_library(nom) for nom in ("pango-1.0", "pangoft2-1.0"))


def verifier_pdf() -> None:
    """Raise `PDFIndisponible` (with the message for the user) when this server cannot make PDFs. Cheap: it looks
    for the package and the Pango libraries without importing WeasyPrint (~0.6 s), so that pages can offer the link;
    the generation itself (a task, maybe on another machine) reports a failed import with the same message."""
    if "weasyprint" in sys.modules:
        return
    try:
        spec = importlib.util.find_spec("weasyprint")
    except (ImportError, OSError, ValueError):
        spec = None
    if spec is None or not _pango_present():
        raise PDFIndisponible(MESSAGE_PDF)


def pdf_disponible() -> bool:
    try:
        verifier_pdf()
    except PDFIndisponible:
        return False
    return True


def _empreinte(reponses, *parties) -> str:
    """A fingerprint of a report's inputs: `parties` (its campaigns), the count and last change of `reponses`,
    audited edits of structures, questionnaires and territories, and bulk loads (the journal of loads)."""
    from django.contrib.contenttypes.models import ContentType

    from maillage.structures.models import Structure
    from maillage.territoires.models import EPCI, Chargement, Commune, Departement

    etat = reponses.aggregate(n=Count("id"), m=Max("modifie_le"))
    types = ContentType.objects.get_for_models(Structure, Commune, EPCI, Departement, Campagne, Questionnaire).values()
    parties = [
        *parties,
        etat["n"],
        etat["m"].isoformat() if etat["m"] else "",
        LogEntry.objects.filter(content_type__in=types).aggregate(m=Max("id"))["m"] or 0,
        Chargement.objects.aggregate(m=Max("id"))["m"] or 0,
    ]
    return hashlib.sha256("|".join(map(str, parties)).encode()).hexdigest()[:32]


def empreinte_donnees(campagne: Campagne) -> str:
    """Changes whenever an input of the campaign's report may have changed: its answers and last year's, the
    campaign itself, audited edits and bulk loads. A generated file is reused while this stays the same."""
    reponses = Reponse.objects.filter(
        campagne__departement_id=campagne.departement_id, campagne__annee__in=[campagne.annee, campagne.annee - 1]
    )
    return _empreinte(reponses, campagne.pk, campagne.modifie_le.isoformat(), campagne.publiee)


def graphique_barres(series: list[tuple[str, float | None]], *, largeur=560, hauteur_barre=22) -> dict:
    """A horizontal bar chart as geometry for an inline SVG drawn by the template (no JavaScript)."""
    valeurs = [v for _, v in series if v]
    maximum = max(valeurs) if valeurs else 0
    marge, zone = 200, largeur - 200 - 70
    barres = []
    for i, (libelle, valeur) in enumerate(series):
        longueur = int(zone * (valeur or 0) / maximum) if maximum else 0
        barres.append(
            {
                "libelle": libelle,
                "valeur": valeur,
                "x": marge,
                "y": i * (hauteur_barre + 8),
                "largeur": max(longueur, 0),
                "hauteur": hauteur_barre,
                "texte_x": marge + max(longueur, 0) + 6,
                "texte_y": i * (hauteur_barre + 8) + hauteur_barre - 6,
            }
        )
    return {"largeur": largeur, "hauteur": len(series) * (hauteur_barre + 8), "barres": barres}


def contexte_rapport(campagne: Campagne, *, precedente=False, etat=None) -> dict:
    donnees = selectors_resultats.synthese(campagne, precedente=precedente, etat_=etat)
    ensemble = donnees["ensemble"]
    donnees["graphique_financeurs"] = graphique_barres(
        [
            (agregats.LIBELLES[f], ensemble.indicateurs[f].total if ensemble.indicateurs[f].n else 0)
            for f in agregats.FINANCEURS
        ]
    )
    donnees["parts_financeurs"] = [
        {
            "libelle": agregats.LIBELLES[f],
            "montant": ensemble.indicateurs[f].total if ensemble.indicateurs[f].n else None,
            "part": ensemble.parts[f],
        }
        for f in agregats.FINANCEURS
    ]
    donnees["graphique_ages"] = graphique_barres(
        [(agregats.LIBELLES[c], ensemble.indicateurs[c].total) for c in agregats.LIBELLES if c.startswith("tranches_")]
    )
    donnees["indicateurs"] = [
        {
            "cle": cle,
            "libelle": libelle,
            "unite": unite,
            "stat": ensemble.indicateurs[cle],
            "comparaison": donnees["comparaison"][cle],
        }
        for cle, libelle, _, unite in agregats.INDICATEURS
    ]
    return donnees


def _rien(fait, total, etape=""):
    pass


def rapport_pdf(campagne: Campagne, *, base_url: str = "", progression=_rien) -> bytes:
    """`progression(fait, total, etape)` follows the four steps (background generation shows it)."""
    weasyprint = _weasyprint()
    progression(0, 4, "Calcul des agrégats")
    contexte = contexte_rapport(campagne)
    progression(1, 4, "Mise en page du rapport")
    html = render_to_string("observatoire/resultats/rapport_pdf.html", contexte)
    progression(2, 4, "Composition des pages")
    document = weasyprint.HTML(string=html, base_url=base_url or None).render()
    progression(3, 4, f"Écriture du PDF ({len(document.pages)} pages)")
    contenu = document.write_pdf()
    progression(4, 4, "PDF prêt")
    return contenu


def _libelles(elements) -> dict:
    return {e["code"]: e.get("libelle", e["code"]) for e in elements or []}


def _cellule(valeur, question: dict | None = None):
    """An answer as people read it: choice labels rather than codes, table rows and columns by their labels."""
    question = question or {}
    if isinstance(valeur, bool):
        return "Oui" if valeur else "Non"
    if isinstance(valeur, list):
        return ", ".join(libelle_choix(question, v) for v in valeur)
    if isinstance(valeur, dict):
        lignes, colonnes = _libelles(question.get("lignes")), _libelles(question.get("colonnes"))
        return "; ".join(
            f"{lignes.get(ligne, ligne)} : "
            + ", ".join(f"{colonnes.get(k, k)} = {v}" for k, v in (cellules or {}).items())
            if isinstance(cellules, dict)
            else f"{lignes.get(ligne, ligne)} : {cellules}"
            for ligne, cellules in valeur.items()
        )
    if isinstance(valeur, str) and question.get("choix"):
        return libelle_choix(question, valeur)
    return valeur


def _stat_lignes(feuille, groupes: list[dict]):
    feuille.append(
        ["Groupe", "Structures"]
        + [f"{agregats.LIBELLES[c]} ({m})" for c in agregats.LIBELLES for m in ("total", "moyenne", "médiane")]
    )
    for cellule in feuille[1]:
        cellule.font = Font(bold=True)
    for g in groupes:
        groupe = g["groupe"]
        ligne = [g["nom"], groupe.structures]
        for c in agregats.LIBELLES:
            s = groupe.indicateurs[c]
            ligne += [s.total if s.n else None, s.moyenne, s.mediane]
        feuille.append(ligne)


def rapport_xlsx(campagne: Campagne, *, progression=_rien) -> bytes:
    """Sheet « Réponses »: one row per structure (all statuses; the status is a column), one column per question,
    headed by its French label. Sheet « Codes des colonnes »: each label and its question code (the headers an
    import file uses, `import_campagne`). Then sheets of aggregates (validated answers only).
    `progression(fait, total, etape)` counts the structures written, then the aggregates."""
    definition = selectors.definition_campagne(campagne)
    codes = list(definition.questions)
    classeur = nouveau_classeur()
    feuille = classeur.active
    feuille.title = "Réponses"
    libelles = ["Identifiant", "Structure", "Commune", "Type", "Statut"] + [
        definition.questions[c].get("libelle", c) for c in codes
    ]
    feuille.append(libelles)
    for cellule in feuille[1]:
        cellule.font = Font(bold=True)
    reponses = list(selectors_resultats.reponses_pour_export(campagne))
    total = len(reponses) + 1
    for rang, reponse in enumerate(reponses):
        if rang % 50 == 0:
            progression(rang, total, "Réponses des structures")
        valeurs = reponse.valeurs or {}
        feuille.append(
            [
                reponse.structure_id,
                reponse.structure.nom,
                reponse.structure.commune.nom,
                reponse.structure.get_type_display(),
                reponse.get_statut_display(),
            ]
            + [_cellule(valeurs.get(c), definition.questions[c]) for c in codes]
        )
    feuille.freeze_panes = "C2"
    correspondance = classeur.create_sheet("Codes des colonnes")
    correspondance.append(["Colonne", "Code (en-tête d'un fichier d'import)"])
    for cellule in correspondance[1]:
        cellule.font = Font(bold=True)
    for libelle, code in zip(libelles, ["structure_id", "", "", "", "", *codes], strict=True):
        correspondance.append([libelle, code or "—"])
    correspondance.column_dimensions["A"].width, correspondance.column_dimensions["B"].width = 60, 36

    progression(len(reponses), total, "Agrégats")
    donnees = selectors_resultats.synthese(campagne)
    ensemble = classeur.create_sheet("Ensemble")
    ensemble.append(
        ["Indicateur", "Structures répondantes", "Total", "Moyenne", "Médiane", "Total N-1", "Évolution du total"]
    )
    for cellule in ensemble[1]:
        cellule.font = Font(bold=True)
    for cle, libelle in agregats.LIBELLES.items():
        s, comp = donnees["ensemble"].indicateurs[cle], donnees["comparaison"][cle]
        ensemble.append(
            [libelle, s.n, s.total if s.n else None, s.moyenne, s.mediane, comp["total_n1"], comp["evolution_total"]]
        )
    for titre, cle in (("Par type", "par_type"), ("Par EPCI", "par_epci"), ("Par commune", "par_commune")):
        _stat_lignes(classeur.create_sheet(titre), donnees[cle])
    contenu = classeur_octets(classeur)
    progression(total, total, "Classeur prêt")
    return contenu


# --- National sheet --------------------------------------------------------------------------------------


def empreinte_nationale(annee: int, campagne_ids: list[int]) -> str:
    """`empreinte_donnees` for a set of campaigns of one year (the national sheet)."""
    derniere = Campagne.objects.filter(pk__in=campagne_ids).aggregate(m=Max("modifie_le"))["m"]
    return _empreinte(
        Reponse.objects.filter(campagne_id__in=campagne_ids),
        annee,
        ",".join(map(str, sorted(campagne_ids))),
        derniere.isoformat() if derniere else "",
    )


def fiche_nationale_xlsx(annee: int, campagne_ids: list[int], *, progression=_rien) -> bytes:
    """The national sheet as a workbook: one row per département (validated answers of its campaign), then the
    whole; totals, means and medians of every indicator, and each campaign's response counts."""
    ids = set(campagne_ids)
    progression(0, 3, "Lecture des réponses validées")
    donnees = selectors_resultats.fiche_nationale(annee, visible=lambda c: c.pk in ids)
    progression(1, 3, "Agrégats par département")
    comptes = {
        c["campagne_id"]: c
        for c in Reponse.objects.filter(campagne_id__in=ids)
        .values("campagne_id")
        .annotate(attendues=Count("id"), recues=Count("id", filter=~Q(statut="brouillon")))
    }
    classeur = nouveau_classeur()
    feuille = classeur.active
    feuille.title = f"Fiche nationale {annee}"
    feuille.append(
        ["Département", "Code", "Publiée", "Réponses attendues", "Réponses reçues", "Réponses validées"]
        + [f"{agregats.LIBELLES[c]} ({m})" for c in agregats.LIBELLES for m in ("total", "moyenne", "médiane")]
    )
    for cellule in feuille[1]:
        cellule.font = Font(bold=True)

    def ligne(nom, code, publiee, attendues, recues, groupe):
        valeurs = [nom, code, publiee, attendues, recues, groupe.structures]
        for c in agregats.LIBELLES:
            s = groupe.indicateurs[c]
            valeurs += [s.total if s.n else None, s.moyenne, s.mediane]
        feuille.append(valeurs)

    for d in donnees["departements"]:
        campagne, compte = d["campagne"], comptes.get(d["campagne"].pk, {})
        ligne(
            d["departement"].nom,
            d["departement"].code,
            "Oui" if campagne.publiee else "Non",
            compte.get("attendues", 0),
            compte.get("recues", 0),
            d["groupe"],
        )
    ensemble = donnees["ensemble"]
    ligne(
        "Ensemble",
        "",
        "",
        sum(c["attendues"] for c in comptes.values()),
        sum(c["recues"] for c in comptes.values()),
        ensemble,
    )
    for cellule in feuille[feuille.max_row]:
        cellule.font = Font(bold=True)
    feuille.freeze_panes = "C2"
    progression(2, 3, "Écriture du classeur")
    contenu = classeur_octets(classeur)
    progression(3, 3, "Classeur prêt")
    return contenu
