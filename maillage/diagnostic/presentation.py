"""How the diagnostic is shown: map indicators, their colour classes and legends, the map's data (pure: no Django).

Each indicator: a label, and a function commune result (+ Caf values) → class 0-4 or "nd". Classes are computed
here so that the legend and the map agree; the map only receives each commune's class.
"""

from maillage.core import formats

# Same value as models.Indicateur.PERSONNES_BAS_REVENUS (checked by the tests; this module imports no model).
BAS_REVENUS = "personnes_bas_revenus"

INDICATEURS_CARTE = {
    "couverture": "Couverture par une structure",
    "densite": "Structures pour 10 000 habitants",
    "distance": "Distance à la structure la plus proche",
    "score": "Score de priorité",
    "qpv": "QPV sans structure",
}
INDICATEURS_CARTE_CAF = {"bas_revenus": "Personnes couvertes à bas revenus (Caf)"}

LEGENDES = {
    "couverture": [(0, "commune couverte"), (4, "commune non couverte")],
    "densite": [
        (4, "aucune structure"),
        (3, "moins de 0,5"),
        (2, "de 0,5 à moins de 1"),
        (1, "de 1 à moins de 2"),
        (0, "2 ou plus"),
    ],
    "distance": [
        (0, "structure dans la commune"),
        (1, "moins de 1 km"),
        (2, "de 1 à moins de 2 km"),
        (3, "de 2 à moins de 5 km"),
        (4, "5 km ou plus"),
    ],
    "score": [
        (0, "moins de 20"),
        (1, "de 20 à moins de 40"),
        (2, "de 40 à moins de 60"),
        (3, "de 60 à moins de 80"),
        (4, "80 ou plus"),
    ],
    "qpv": [(0, "aucun QPV sans structure"), (2, "1 QPV sans structure"), (4, "2 QPV sans structure ou plus")],
}


def choix_indicateur(demande: str | None, voir_caf: bool) -> tuple[str, dict[str, str]]:
    """The map indicator asked for (couverture when unknown or not allowed) and the choices offered."""
    choix = dict(INDICATEURS_CARTE)
    if voir_caf:
        choix.update(INDICATEURS_CARTE_CAF)
    indicateur = demande or "couverture"
    if indicateur not in choix:
        indicateur = "couverture"
    return indicateur, choix


def palier(valeur, bornes) -> int:
    """Index of the first bound the value is below; len(bornes) when above all."""
    for i, borne in enumerate(bornes):
        if valeur < borne:
            return i
    return len(bornes)


def classe(indicateur: str, c, caf: dict, quantiles: list[float]):
    """Colour class (0-4) of a commune result for an indicator, "nd" without a value."""
    if indicateur == "couverture":
        return 0 if c.couverte else 4
    if indicateur == "densite":
        v = c.structures_pour_10000_habitants
        if v is None:
            return "nd"
        return 4 if v == 0 else 3 - palier(v, [0.5, 1, 2])
    if indicateur == "distance":
        v = c.distance_structure_km
        if v is None:
            return "nd"
        return 0 if v == 0 else 1 + palier(v, [1, 2, 5])
    if indicateur == "score":
        return palier(c.score_priorite, [20, 40, 60, 80])
    if indicateur == "qpv":
        return 0 if not c.qpv_sans_structure else (2 if c.qpv_sans_structure == 1 else 4)
    if indicateur == "bas_revenus":
        v = caf.get(c.code, {}).get(BAS_REVENUS)
        return "nd" if v is None else palier(v, quantiles)
    return "nd"


def quantiles(valeurs: list[float]) -> list[float]:
    """Bounds of (up to) five classes of equal size; fewer values: each distinct value is a bound."""
    valeurs = sorted(valeurs)
    if len(valeurs) < 5:
        return sorted(set(valeurs))[1:] or ([valeurs[0] + 1] if valeurs else [])
    bornes = [valeurs[int(len(valeurs) * k / 5)] for k in range(1, 5)]
    return sorted(set(bornes))


def legende_quantiles(bornes: list[float]) -> list[tuple]:
    if not bornes:
        return []
    textes = [formats.nombre(q) for q in bornes]
    legende = [(0, f"moins de {textes[0]}")]
    for i in range(1, len(textes)):
        legende.append((i, f"de {textes[i - 1]} à moins de {textes[i]}"))
    legende.append((len(textes), f"{textes[-1]} ou plus"))
    return legende


def quantiles_et_legende(indicateur: str, caf: dict[str, dict[str, float]]) -> tuple[list[float], list[tuple]]:
    """The bounds of a Caf indicator's classes (computed on the département's values) and the legend to show."""
    if indicateur != "bas_revenus":
        return [], LEGENDES[indicateur]
    bornes = quantiles([v[BAS_REVENUS] for v in caf.values() if BAS_REVENUS in v])
    return bornes, legende_quantiles(bornes)


def donnees_carte(resultat, indicateur: str, caf: dict, quantiles, structures, *, ajouts=()) -> dict:
    """The compact JSON the map script joins to the communes' outlines by code."""
    communes = {}
    for c in resultat.communes:
        infobulle = f"{c.nom} — {formats.nombre(c.population)} hab. — "
        infobulle += "couverte" if c.couverte else "non couverte"
        infobulle += f" — {formats.nombre(c.structures)} structure(s) — score {formats.nombre(c.score_priorite, 1)}"
        communes[c.code] = [classe(indicateur, c, caf, quantiles), infobulle]
    points = [
        [s["longitude"], s["latitude"], s["type"], s["nom"], s.get("url") or ""]
        for s in structures
        if s.get("longitude") is not None and s.get("latitude") is not None
    ]
    hypothetiques = [
        [a["longitude"], a["latitude"], a["type"], a["nom"]]
        for a in ajouts
        if a.get("longitude") is not None and a.get("latitude") is not None
    ]
    qpv = {q.code: q.servi for q in resultat.qpv}
    return {"communes": communes, "structures": points, "hypothetiques": hypothetiques, "qpv": qpv}


def prioritaires(resultat) -> list:
    """The communes of a result ranked as priority territories, most urgent first."""
    return sorted((c for c in resultat.communes if c.rang is not None), key=lambda c: c.rang)
