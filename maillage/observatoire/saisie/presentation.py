"""How the answering pages show a questionnaire: progress by section, the questions of a section with the values
their inputs show, the way to the previous and next sections, the blocking problems of a submission.

Reading an answer for a person (labels, « — ») is `affichage`; this module shows it for editing: an input shows
what the person may type back (numbers the French way with plain spaces, « oui » / « non », choice codes), and
`forms.lire_section` reads it again.
"""

from django.template.defaultfilters import pluralize
from django.urls import reverse

from .. import affichage, regles
from .forms import nom_champ

LIBELLES_SOURCES = {"structure": "le registre des structures", "budget": "le budget réalisé"}


def avancement_sections(definition, valeurs, contexte) -> list[dict]:
    """The sections shown for these answers, each with its questions answered out of those asked."""
    avancement = regles.progression(definition, valeurs, contexte)
    sections = []
    for section in definition.sections:
        if section["code"] not in avancement:
            continue
        faites, total = avancement[section["code"]]
        sections.append(
            {
                "code": section["code"],
                "titre": section["titre"],
                "faites": faites,
                "total": total,
                "complete": faites == total,
                "pourcentage": round(100 * faites / total) if total else 100,
            }
        )
    return sections


def sections_voisines(definition, code_section: str, valeurs, contexte) -> dict:
    """{"precedente", "suivante"} among the sections shown (none when this section is not shown)."""
    sections = [s for s in definition.sections if s["code"] in regles.progression(definition, valeurs, contexte)]
    codes = [s["code"] for s in sections]
    if code_section not in codes:
        return {}
    i = codes.index(code_section)
    return {
        "precedente": sections[i - 1] if i > 0 else None,
        "suivante": sections[i + 1] if i + 1 < len(sections) else None,
    }


def erreurs_soumission(definition, reponse, resultat) -> list[dict]:
    """Blocking problems with a link to the question concerned."""
    liens = []

    def lien(code):
        section = definition.section_de.get(code)
        if not section:
            return None
        return reverse("observatoire:section", args=[reponse.pk, section]) + f"#q-{code}"

    for code, liste in resultat.erreurs.items():
        libelle = definition.questions[code]["libelle"] if code in definition.questions else code
        for message in liste:
            liens.append({"message": f"{libelle} : {message}", "url": lien(code)})
    for anomalie in resultat.anomalies:
        if anomalie.niveau == "erreur":
            code = next((q.split(".")[0] for q in anomalie.questions), None)
            liens.append({"message": anomalie.message, "url": lien(code) if code else None})
    return liens


def origines_prefill(definition, codes) -> dict[str, str]:
    """Where each prefilled answer comes from, shown beside the question so that the structure checks it."""
    origines = {}
    for code in codes:
        cle = definition.questions[code].get("prefill") or ""
        source = LIBELLES_SOURCES.get(cle.split(".")[0])
        origines[code] = source or "la réponse validée de l'an dernier"
    return origines


def valeur_saisie(question, valeur):
    """What an input shows for a stored value (numbers the French way)."""
    if valeur is None:
        return ""
    if question["type"] in {"entier", "decimal", "euros", "pourcentage"}:
        return regles.nombre_fr(valeur).replace("\u202f", " ")
    if question["type"] == "oui_non":
        return "oui" if valeur else "non"
    return valeur


def alertes_de_section(definition, section, valeurs, contexte) -> dict[str, list]:
    """The consistency rules' findings on the stored answers that concern this section's visible questions,
    {code: [Anomalie]}: each shown once, beside the last of its questions in the section (the reviewer reads the
    same text). Year-on-year changes are left to the review."""
    visibles = regles.questions_visibles(definition, valeurs, contexte)
    codes = {q["code"] for q in section["questions"]} & visibles
    resultat = regles.controler(definition, valeurs, contexte)
    par_question, _ = regles.anomalies_par_question(definition, resultat.anomalies, codes)
    return par_question


def resume_erreurs(questions: list[dict]) -> list[dict]:
    """The error summary at the top of a section: one entry per message, linking to its question's field."""
    return [
        {"ancre": f"#{vue['id']}", "libelle": vue["q"]["libelle"], "message": message}
        for vue in questions
        for message in vue["erreurs"]
    ]


def statut_enregistrement(*, enregistre_a, conflit, erreurs: int, bloquantes: int) -> dict:
    """The autosave indicator: green only when everything typed is saved and no blocking rule is broken."""
    if conflit:
        return {"texte": "Non enregistré : conflit", "niveau": "erreur"}
    if not enregistre_a:
        return {"texte": "", "niveau": ""}
    if erreurs:
        return {
            "texte": f"Enregistré à {enregistre_a}, sauf {erreurs} réponse{pluralize(erreurs)} en erreur :"
            f" corrigez-{'la' if erreurs == 1 else 'les'}.",
            "niveau": "erreur",
        }
    if bloquantes:
        return {
            "texte": f"Enregistré à {enregistre_a} ; {bloquantes} incohérence{pluralize(bloquantes)}"
            f" bloque{'nt' if bloquantes > 1 else ''} la soumission.",
            "niveau": "alerte",
        }
    return {"texte": f"Enregistré à {enregistre_a}", "niveau": "succes"}


def questions_affichees(
    section, valeurs, visibles, erreurs, brutes, prefillees, commentaires, alertes=None, stockees=None, lecture=False
) -> list[dict]:
    """The visible questions of a section as the form shows them: typed text kept over stored values (`brutes`),
    errors, consistency alerts, prefill origin and review comments by question, tables cell by cell, and the stored
    answer as read-only text (`lecture`, `tableau_lecture`) when `lecture` (an answer the person may not change)."""
    alertes = alertes or {}
    stockees = valeurs if stockees is None else stockees
    affichees = []
    for question in section["questions"]:
        code = question["code"]
        if code not in visibles:
            continue
        nom = nom_champ(code)
        vue = {
            "q": question,
            "code": code,
            "nom": nom,
            "id": f"q-{code}",
            "erreurs": erreurs.get(code, []),
            "prefill": prefillees.get(code),
            "commentaires": commentaires.get(code, []),
            "alertes": alertes.get(code, []),
        }
        if lecture:
            vue["lecture"] = affichage.texte(question, stockees.get(code))
            if question["type"] == "tableau":
                vue["tableau_lecture"] = affichage.tableau(question, stockees.get(code))
        valeur = valeurs.get(code)
        if question["type"] == "tableau":
            lignes = []
            for ligne in question["lignes"]:
                cellules = []
                for colonne in question["colonnes"]:
                    nom_cellule = nom_champ(code, ligne["code"], colonne["code"])
                    if nom_cellule in brutes:
                        affiche = brutes[nom_cellule]
                    else:
                        brute = (valeur or {}).get(ligne["code"], {}).get(colonne["code"])
                        affiche = valeur_saisie(colonne, brute)
                    cellules.append(
                        {
                            "nom": nom_cellule,
                            "valeur": affiche,
                            "colonne": colonne,
                            "decimal": colonne["type"] != "entier",
                        }
                    )
                lignes.append({"ligne": ligne, "cellules": cellules})
            vue["lignes"] = lignes
        elif question["type"] == "choix_multiple":
            vue["valeur"] = brutes.get(nom, valeur or [])
        else:
            vue["valeur"] = brutes[nom] if nom in brutes else valeur_saisie(question, valeur)
        affichees.append(vue)
    return affichees
