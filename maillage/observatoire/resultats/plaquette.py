"""What the printed plaquette adds to a campaign's synthesis: the answers' choices and tables that the numeric
aggregates (`agregats`) do not hold (partnerships, themes of actions, social issues), the map of the structures,
the consistency rules in words and the data sources with their millésimes.

Counts are over **validated** answers, like the rest of the results; the pure functions (`compter_*`,
`regle_en_clair`) take plain values and are tested without a database.
"""

from collections import Counter

from django.conf import settings
from django.db.models import Q

from maillage.structures.models import Structure, TypeStructure
from maillage.territoires.models import Chargement, Commune

from .. import selectors
from ..affichage import libelle_choix
from ..models import Campagne, Reponse, Statut
from .carte_svg import Point, carte

COULEURS_TYPES = {TypeStructure.CENTRE_SOCIAL: "#0b5c8a", TypeStructure.EVS: "#d9822b"}
# The questions read here; a campaign whose questionnaire lacks one simply shows no chart for it.
PARTENARIAT_COMMUNE, PARTENAIRES = "part_commune", "part_partenaires"
THEMES, ENJEUX = "proj_actions_themes", "proj_enjeux"


# --- Pure counts ---------------------------------------------------------------------------------------------


def compter_choix(valeurs: list[dict], code: str) -> Counter:
    """{choice code: structures} of a single or multiple choice question (each structure counted once per code)."""
    compte = Counter()
    for v in valeurs:
        reponse = v.get(code)
        if isinstance(reponse, list):
            compte.update(set(map(str, reponse)))
        elif reponse not in (None, ""):
            compte[str(reponse)] += 1
    return compte


def compter_lignes(valeurs: list[dict], code: str, colonne: str | None = None) -> tuple[Counter, Counter]:
    """For a table question: ({row: structures having a non-empty, non-zero cell in it}, {row: sum of `colonne`})."""
    structures, sommes = Counter(), Counter()
    for v in valeurs:
        tableau = v.get(code)
        if not isinstance(tableau, dict):
            continue
        for ligne, cellules in tableau.items():
            if not isinstance(cellules, dict):
                continue
            if any(c not in (None, "", 0, False) for c in cellules.values()):
                structures[ligne] += 1
            if colonne is not None:
                valeur = cellules.get(colonne)
                if isinstance(valeur, (int, float)) and not isinstance(valeur, bool):
                    sommes[ligne] += valeur
    return structures, sommes


def serie(compte: Counter, elements: list[dict], *, trier: bool = True, limite: int | None = None) -> list:
    """[(label, count)] in the order of the questionnaire's list (or by decreasing count), without zeros."""
    ordre = [e["code"] for e in elements] + sorted(set(compte) - {e["code"] for e in elements})
    libelles = {e["code"]: e.get("libelle", e["code"]) for e in elements}
    lignes = [(libelles.get(c, c), compte[c]) for c in ordre if compte.get(c)]
    if trier:
        lignes.sort(key=lambda ligne: -ligne[1])
    return lignes[:limite] if limite else lignes


def _libelles(codes, questions: dict) -> str:
    return ", ".join(questions.get(c.split(".")[0], {}).get("libelle", c) for c in codes)


def regle_en_clair(regle: dict, questions: dict) -> str:
    """A consistency rule of the questionnaire as a sentence, with the questions' labels."""
    type_ = regle.get("type")
    if type_ == "somme_egale":
        termes, total = _libelles(regle.get("termes", []), questions), _libelles([regle.get("total", "")], questions)
        return f"La somme de : {termes} est égale à {total}"
    if type_ == "difference_egale":
        a, b, r = (_libelles([regle.get(k, "")], questions) for k in ("a", "b", "resultat"))
        return f"{a} − {b} = {r}"
    if type_ == "inferieur_ou_egal":
        gauche = _libelles(regle.get("gauche", []), questions)
        return f"{gauche} ne dépasse pas {_libelles([regle.get('droite', '')], questions)}"
    if type_ == "reserve":
        # The message's text after « {questions} : » is the rule itself.
        message = regle.get("message", "").replace("{questions}", "").strip().lstrip(":").strip()
        return (message[:1].upper() + message[1:]) or regle.get("code", "")
    return regle.get("message") or regle.get("code", "")


# --- Reads ---------------------------------------------------------------------------------------------------


def valeurs_validees(campagne: Campagne) -> list[dict]:
    """The validated answers' values of the questions this module reads (one query)."""
    lignes = Reponse.objects.filter(campagne=campagne, statut=Statut.VALIDEE).values_list("valeurs", flat=True)
    codes = (PARTENARIAT_COMMUNE, PARTENAIRES, THEMES, ENJEUX)
    return [{c: v[c] for c in codes if c in v} for v in lignes if isinstance(v, dict)]


def _elements(question: dict | None, cle: str) -> list[dict]:
    return list((question or {}).get(cle) or [])


def series_du_questionnaire(campagne: Campagne, valeurs: list[dict]) -> dict:
    """The charts' series from the answers' choices and tables, labelled by the campaign's questionnaire."""
    questions = selectors.definition_campagne(campagne).questions
    series = {}
    if PARTENARIAT_COMMUNE in questions:
        question = questions[PARTENARIAT_COMMUNE]
        compte = compter_choix(valeurs, PARTENARIAT_COMMUNE)
        series["partenariat_commune"] = [
            (libelle_choix(question, c["code"]), compte[c["code"]]) for c in _elements(question, "choix")
        ]
    if PARTENAIRES in questions:
        structures, _ = compter_lignes(valeurs, PARTENAIRES)
        series["partenaires"] = serie(structures, _elements(questions[PARTENAIRES], "lignes"))
    if THEMES in questions:
        structures, actions = compter_lignes(valeurs, THEMES, "actions")
        lignes = _elements(questions[THEMES], "lignes")
        series["themes_structures"] = serie(structures, lignes)
        series["themes_actions"] = serie(actions, lignes)
    if ENJEUX in questions:
        series["enjeux"] = serie(compter_choix(valeurs, ENJEUX), _elements(questions[ENJEUX], "choix"), limite=8)
    return {cle: valeur for cle, valeur in series.items() if any(n for _, n in valeur)}


def carte_des_structures(campagne: Campagne) -> dict:
    """The map (SVG text) of the structures whose answer is validated, on the département's communes, and its
    legend: the number of dots per type, and the structures placed at their commune's centre (no position)."""
    contours = list(
        Commune.objects.filter(departement_id=campagne.departement_id)
        .exclude(geometrie="")
        .values_list("geometrie", flat=True)
    )
    structures = (
        Structure.objects.filter(reponses_senacs__campagne=campagne, reponses_senacs__statut=Statut.VALIDEE)
        .select_related("commune")
        .only("nom", "type", "longitude", "latitude", "commune__longitude", "commune__latitude")
        .order_by("nom")
    )
    points, au_centre, par_type = [], 0, Counter()
    for s in structures:
        position = s.position or s.commune.point
        if position is None:
            continue
        au_centre += s.position is None
        par_type[s.type] += 1
        points.append(Point(position[0], position[1], s.type, s.nom))
    svg = carte(
        contours,
        points,
        couleurs=COULEURS_TYPES,
        largeur=640,
        hauteur=520,
        titre=f"Carte des structures ayant répondu — {campagne.departement.nom}",
    )
    legende = [
        {"libelle": libelle, "couleur": COULEURS_TYPES.get(code, "#1b1b1b"), "nombre": par_type[code]}
        for code, libelle in TypeStructure.choices
        if par_type[code]
    ]
    return {"svg": svg, "legende": legende, "au_centre": au_centre, "communes": len(contours)}


def sources(campagne: Campagne) -> list[dict]:
    """The data the plaquette rests on, with their source and millésime as recorded at load."""
    lignes = [
        {
            "donnee": "Réponses au questionnaire",
            "source": f"Campagne {campagne.annee} de l'observatoire (SENACS), réponses validées par la Caf",
            "millesime": f"données {campagne.annee_donnees}",
        },
        {
            "donnee": "Structures (type, commune, position)",
            "source": "Répertoire des structures de la plateforme",
            "millesime": "état à la date d'extraction",
        },
    ]
    territoires = (
        Chargement.objects.filter(commande="charger_territoires", statut=Chargement.Statut.REUSSI)
        .order_by("-fin")
        .first()
    )
    if territoires is not None:
        paquet = (territoires.parametres or {}).get("paquet") or (territoires.resume or {}).get("paquet") or ""
        lignes.append(
            {
                "donnee": "Contours et positions des communes",
                "source": f"Référentiel administratif {paquet}".strip(),
                "millesime": f"chargé le {territoires.fin:%d/%m/%Y}",
            }
        )
    populations = (
        Commune.objects.filter(departement_id=campagne.departement_id)
        .exclude(Q(population_source="") & Q(population_millesime__isnull=True))
        .values_list("population_source", "population_millesime")
        .order_by("-population_millesime")
        .distinct()[:3]
    )
    for source, millesime in populations:
        lignes.append(
            {"donnee": "Populations des communes", "source": source or "—", "millesime": str(millesime or "—")}
        )
    return lignes


def demo() -> bool:
    return bool(getattr(settings, "MAILLAGE_DEMO", False))
