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

from .. import agregats, selectors, selectors_references
from ..affichage import libelle_choix
from ..models import Campagne, CommentaireRapport, Questionnaire, Reponse, ValeurReference
from . import commentaires, plaquette
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
    from maillage.territoires.models import EPCI, Appartenance, Chargement, Commune, Departement, Regroupement

    etat = reponses.aggregate(n=Count("id"), m=Max("modifie_le"))
    # The report's commentaries are audited too: a text written changes the report.
    # Groupings (the report aggregates by EPT or a Caf's territories) and published references too.
    modeles = (
        Structure,
        Commune,
        EPCI,
        Departement,
        Campagne,
        Questionnaire,
        CommentaireRapport,
        Regroupement,
        Appartenance,
        ValeurReference,
    )
    types = ContentType.objects.get_for_models(*modeles).values()
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


def graphique_barres(series: list[tuple[str, float | None]], *, largeur=560, hauteur_barre=22, marge=200) -> dict:
    """A horizontal bar chart as geometry for an inline SVG drawn by the template (no JavaScript); `marge`: the
    width left of the bars for the labels."""
    valeurs = [v for _, v in series if v]
    maximum = max(valeurs) if valeurs else 0
    zone = largeur - marge - 70
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


# --- The plaquette (printed report) ------------------------------------------------------------------------


def _graphique(cle, titre, series, *, note="", euros=False, marge=230, largeur=640):
    return {
        "id": f"graphique-{cle}",
        "titre": titre,
        "note": note,
        "euros": euros,
        "graphique": graphique_barres(series, largeur=largeur, hauteur_barre=16, marge=marge),
    }


def _chiffre(libelle, valeur, unite="nombre", note="", evolution=None):
    return {"libelle": libelle, "valeur": valeur, "unite": unite, "note": note, "evolution": evolution}


NOMS_TYPES = {"centre_social": ("centre social", "centres sociaux"), "evs": ("EVS", "EVS")}


def chiffres_cles(donnees: dict) -> list[dict]:
    """The cover's key figures from the synthesis: answers, publics, volunteers, staff, budget, Caf share."""
    reponses, ensemble, comparaison = donnees["reponses"], donnees["ensemble"], donnees["comparaison"]
    indicateurs = ensemble.indicateurs

    def total(cle):
        return indicateurs[cle].total if indicateurs[cle].n else None

    def evolution(cle):
        return comparaison[cle]["evolution_total"] if donnees.get("precedente") else None

    par_type = ", ".join(
        f"{g['groupe'].structures} {NOMS_TYPES.get(g['cle'], (g['nom'], g['nom']))[g['groupe'].structures > 1]}"
        for g in donnees["par_type"]
    )
    return [
        _chiffre("Structures dans les résultats", reponses["validees"], note=par_type or "réponses validées"),
        _chiffre(
            "Taux de réponse",
            reponses["taux_reponse"],
            "pourcentage",
            note=f"{reponses['recues']} réponses reçues sur {reponses['attendues']} attendues",
        ),
        _chiffre("Personnes touchées", total("personnes"), evolution=evolution("personnes")),
        _chiffre(
            "Bénévoles",
            total("benevoles"),
            note=f"dont {total('benevoles_gouvernance') or 0} dans la gouvernance",
            evolution=evolution("benevoles"),
        ),
        _chiffre(
            "Habitants dans l'instance de gouvernance",
            total("habitants_instances"),
            note=f"sur {total('membres_instance') or 0} membres",
        ),
        _chiffre(
            "Salariés en ETP",
            total("salaries_etp"),
            "decimal",
            note=f"{total('salaries') or 0} salariés au 31 décembre",
            evolution=evolution("salaries_etp"),
        ),
        _chiffre(
            "Budget total",
            total("budget"),
            "euros_compacts",
            note="total des charges déclarées",
            evolution=evolution("budget"),
        ),
        _chiffre(
            "Part de la Caf dans les produits",
            ensemble.parts.get("produit_caf"),
            "pourcentage",
            note="prestations de service et fonds locaux",
        ),
    ]


def _territoires_imprimes(campagne: Campagne) -> dict | None:
    """The answers by the département's main cut (EPT, else EPCI, else a grouping) as the plaquette prints them:
    every périmètre then the "hors périmètre" row; None without any cut."""
    decoupage = selectors_resultats.decoupage_choisi(selectors_resultats.decoupages_de_la_campagne(campagne), None)
    donnees = selectors_resultats.groupes_par_decoupage(campagne, decoupage.cle) if decoupage else None
    if not donnees:
        return None
    return {
        **donnees,
        "lignes": donnees["groupes"] + ([donnees["hors"]] if donnees["hors"] else []),
        "titre": f"Par {decoupage.libelle_court} (territoires au {donnees['date']:%d/%m/%Y})",
    }


def contexte_plaquette(campagne: Campagne, *, references=None) -> dict:
    """`contexte_rapport` and what the printed plaquette adds: key figures, map, charts, commentaries, the
    aggregates by the département's main cut (EPT, else EPCI), sources.

    `references`: the published reference figures put beside the département's (rows of
    `selectors_references.comparaison`); by default those imported for the campaign's year and département."""
    from django.conf import settings

    from maillage.core import horloge

    donnees = contexte_rapport(campagne)
    indicateurs = donnees["ensemble"].indicateurs
    series = plaquette.series_du_questionnaire(campagne, plaquette.valeurs_validees(campagne))

    def total(cle):
        return indicateurs[cle].total if indicateurs[cle].n else None

    graphiques = {
        "ages": _graphique(
            "ages",
            "Personnes touchées par tranche d'âge",
            [
                (agregats.LIBELLES[c].removeprefix("dont "), total(c))
                for c in agregats.LIBELLES
                if c.startswith("tranches_")
            ],
            note="Somme des tranches déclarées : elle peut rester sous le total des personnes touchées.",
        ),
        "benevolat": _graphique(
            "benevolat",
            "Bénévoles et gouvernance",
            [
                (agregats.LIBELLES[c], total(c))
                for c in ("benevoles_activite", "benevoles_gouvernance", "membres_instance", "habitants_instances")
            ],
        ),
        "financeurs": _graphique(
            "financeurs",
            "Produits par financeur",
            [(agregats.LIBELLES[f], total(f) or 0) for f in agregats.FINANCEURS],
            euros=True,
        ),
    }
    textes = {
        "partenariat_commune": ("Partenariat avec la commune d'implantation (structures)", ""),
        "partenaires": ("Structures déclarant un partenariat, par type de partenaire", ""),
        "themes_actions": ("Actions déclarées par thème (nombre d'actions)", ""),
        "enjeux": ("Enjeux sociaux travaillés, les plus cités (structures)", "Une structure cite plusieurs enjeux."),
    }
    for cle, (titre, note) in textes.items():
        if cle in series:
            graphiques[cle] = _graphique(cle, titre, series[cle], note=note)
    definition = selectors.definition_campagne(campagne)
    regles = [
        {"texte": plaquette.regle_en_clair(r, definition.questions), "bloquante": r.get("niveau") == "erreur"}
        for r in definition.regles
    ]
    if references is None:
        reperes = selectors_references.references_pour(annee=campagne.annee, departement=campagne.departement_id)
        references = selectors_references.comparaison(donnees["ensemble"], reperes)
    return {
        **donnees,
        "par_territoire": _territoires_imprimes(campagne),
        "plateforme": settings.MAILLAGE_PLATEFORME,
        "demo": plaquette.demo(),
        "chiffres_cles": chiffres_cles(donnees),
        "graphiques": graphiques,
        "carte": plaquette.carte_des_structures(campagne),
        "commentaires": commentaires.textes_par_section(campagne),
        "regles": regles,
        "sources": plaquette.sources(campagne),
        "extraction": horloge.maintenant(),
        "references": list(references or []),
        "references_illustratives": any(r.illustratif for ligne in references or [] for r in ligne["references"]),
    }


def _rien(fait, total, etape=""):
    pass


def rapport_pdf(campagne: Campagne, *, base_url: str = "", progression=_rien) -> bytes:
    """`progression(fait, total, etape)` follows the four steps (background generation shows it)."""
    weasyprint = _weasyprint()
    progression(0, 4, "Calcul des agrégats")
    contexte = contexte_plaquette(campagne)
    progression(1, 4, "Mise en page du rapport")
    html = render_to_string("observatoire/resultats/rapport_pdf.html", contexte)
    progression(2, 4, "Composition des pages")
    document = weasyprint.HTML(string=html, base_url=base_url or None).render()
    progression(3, 4, f"Écriture du PDF ({len(document.pages)} pages)")
    contenu = document.write_pdf()
    progression(4, 4, "PDF prêt")
    return contenu


def contexte_portrait(reponse: Reponse) -> dict:
    """The portrait's figures (`selectors.portrait`) and what its printed version adds: the structure's key
    figures and its publics by age."""
    from django.conf import settings

    from maillage.core import horloge

    donnees = selectors_resultats.portrait(reponse)
    valeurs = {i["cle"]: i for i in donnees["indicateurs"]}

    def valeur(cle):
        return valeurs[cle]["valeur"]

    part_caf = agregats.part(valeur("produit_caf"), valeur("produits"))
    campagne = reponse.campagne
    return {
        **donnees,
        "reperes": selectors_references.references_pour(annee=campagne.annee, departement=campagne.departement_id),
        "plateforme": settings.MAILLAGE_PLATEFORME,
        "demo": plaquette.demo(),
        "extraction": horloge.maintenant(),
        "chiffres_cles": [
            _chiffre(
                "Personnes touchées",
                valeur("personnes"),
                note=f"médiane du département : {valeurs['personnes']['mediane'] or '—'}",
            ),
            _chiffre("Bénévoles", valeur("benevoles")),
            _chiffre("Salariés en ETP", valeur("salaries_etp"), "decimal"),
            _chiffre("Budget total", valeur("budget"), "euros_compacts"),
            _chiffre("Part de la Caf dans les produits", part_caf, "pourcentage"),
        ],
        "graphique_ages": _graphique(
            "ages",
            "Personnes touchées par tranche d'âge",
            [
                (agregats.LIBELLES[c].removeprefix("dont "), valeur(c))
                for c in agregats.LIBELLES
                if c.startswith("tranches_")
            ],
        ),
    }


def portrait_pdf(reponse: Reponse, *, base_url: str = "") -> bytes:
    weasyprint = _weasyprint()
    html = render_to_string("observatoire/resultats/portrait_pdf.html", contexte_portrait(reponse))
    return weasyprint.HTML(string=html, base_url=base_url or None).write_pdf()


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


def _reperes_feuille(feuille, ensemble, reperes, campagne: Campagne):
    """The published references beside the département's own value, one row per reference, with its source."""
    feuille.append(
        ["Indicateur", "Unité", f"{campagne.departement.nom} {campagne.annee}", "Niveau", "Territoire", "Année"]
        + ["Valeur publiée", "Source", "Adresse", "Illustratif"]
    )
    for cellule in feuille[1]:
        cellule.font = Font(bold=True)
    for ligne in selectors_references.comparaison(ensemble, reperes):
        for r in ligne["references"]:
            feuille.append(
                [ligne["libelle"], ligne["unite"], ligne["observee"], r.niveau_libelle, r.territoire_nom, r.annee]
                + [float(r.valeur), r.source, r.url, "oui" if r.illustratif else ""]
            )


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
    # The N-1 columns only when last year's campaign exists (never two empty columns).
    precedente = donnees["precedente"]
    ensemble.append(
        ["Indicateur", "Structures répondantes", "Total", "Moyenne", "Médiane"]
        + ([f"Total {precedente.annee}", "Évolution du total"] if precedente else [])
    )
    for cellule in ensemble[1]:
        cellule.font = Font(bold=True)
    for cle, libelle in agregats.LIBELLES.items():
        s, comp = donnees["ensemble"].indicateurs[cle], donnees["comparaison"][cle]
        ensemble.append(
            [libelle, s.n, s.total if s.n else None, s.moyenne, s.mediane]
            + ([comp["total_n1"], comp["evolution_total"]] if precedente else [])
        )
    for titre, cle in (("Par type", "par_type"), ("Par EPCI", "par_epci"), ("Par commune", "par_commune")):
        _stat_lignes(classeur.create_sheet(titre), donnees[cle])
    # The département's main cut when it is not the EPCI (the three EPT of the 94), with its "hors périmètre" row.
    territoires = _territoires_imprimes(campagne)
    if territoires and territoires["decoupage"].cle != "epci":
        _stat_lignes(classeur.create_sheet(f"Par {territoires['decoupage'].libelle_court}"[:31]), territoires["lignes"])
    reperes = selectors_references.references_pour(annee=campagne.annee, departement=campagne.departement_id)
    if reperes:
        _reperes_feuille(classeur.create_sheet("Repères publiés"), donnees["ensemble"], reperes, campagne)
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
    feuille.title = selectors_resultats.TITRE_FEUILLE_FICHE.format(annee=annee)
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
