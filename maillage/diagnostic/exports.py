"""Exports of a diagnostic (CSV, XLSX, GeoJSON): named French columns, one sheet per table.

Pure functions of the engine's results (moteur.Resultat, selectors' Simulation/Comparaison): no query here.
Caf indicators are passed in only when the user may see them.
"""

import json

from maillage.core.tableurs import (
    classeur_octets,
    ecrire_csv,
    ecrire_feuille,
    nouveau_classeur,
    oui_non,
    texte_csv_francais,
)
from maillage.structures.models import TypeStructure

from .models import Indicateur

LIBELLES_SCORE = {
    "population": "population",
    "distance": "éloignement",
    "qpv": "QPV sans structure",
    "bas_revenus": "bas revenus",
}
LIBELLES_SYNTHESE = {
    "population": "Population",
    "population_couverte": "Population couverte",
    "part_population_couverte": "Part de la population couverte",
    "communes": "Communes",
    "communes_sans_structure": "Communes sans structure",
    "communes_non_couvertes": "dont communes non couvertes (aucune structure à proximité)",
    "qpv_total": "Quartiers prioritaires (QPV)",
    "qpv_sans_structure": "QPV sans structure",
    "structures": "Structures actives",
}
REGLES_QPV = {
    "geometrie": "contour du QPV et tampon",
    "zone": "zone de compétence",
    "communes": "communes du QPV",
}
LIBELLES_TYPES = dict(TypeStructure.choices)


def composantes_score(communes) -> list[str]:
    """Score components present in the results, in the documented order first."""
    vues = []
    for c in communes:
        for cle in c.score_detail:
            if cle not in vues:
                vues.append(cle)
    connues = [cle for cle in LIBELLES_SCORE if cle in vues]
    return connues + [cle for cle in vues if cle not in LIBELLES_SCORE]


def _arrondi(valeur, chiffres=2):
    return None if valeur is None else round(float(valeur), chiffres)


def tableau_communes(resultat, *, indicateurs_caf: dict[str, dict[str, float]] | None = None):
    """(headers, rows) of the communes table. `indicateurs_caf`: commune code → {indicateur: value}."""
    composantes = composantes_score(resultat.communes)
    codes_caf = []
    if indicateurs_caf is not None:
        codes_caf = [i for i in Indicateur.values if i != Indicateur.POPULATION]
    entetes = [
        "Code INSEE",
        "Commune",
        "EPCI (SIREN)",
        "Population",
        "Structures compétentes",
        "Structures situées dans la commune",
        "Structures pour 10 000 habitants",
        "Distance à la structure la plus proche (km)",
        "Couverte",
        "QPV",
        "QPV sans structure",
        "Score de priorité",
        *[f"Score : {LIBELLES_SCORE.get(c, c)}" for c in composantes],
        "Rang de priorité",
        *[Indicateur(c).label for c in codes_caf],
    ]
    lignes = []
    for c in resultat.communes:
        caf = (indicateurs_caf or {}).get(c.code, {})
        lignes.append(
            [
                c.code,
                c.nom,
                c.epci or "",
                c.population,
                c.structures,
                c.structures_situees,
                _arrondi(c.structures_pour_10000_habitants),
                _arrondi(c.distance_structure_km),
                oui_non(c.couverte),
                c.qpv,
                c.qpv_sans_structure,
                _arrondi(c.score_priorite, 1),
                *[_arrondi(c.score_detail.get(k), 1) for k in composantes],
                c.rang,
                *[caf.get(k) for k in codes_caf],
            ]
        )
    return entetes, lignes


def tableau_qpv(resultat):
    entetes = ["Code QPV", "Nom", "Communes", "Servi", "Règle appliquée", "Structures (identifiants)"]
    lignes = [
        [
            q.code,
            q.nom,
            ", ".join(q.communes),
            oui_non(q.servi),
            REGLES_QPV.get(q.regle, q.regle),
            ", ".join(str(i) for i in q.structures if i > 0)
            + (" + hypothétique(s)" if any(i < 0 for i in q.structures) else ""),
        ]
        for q in resultat.qpv
    ]
    return entetes, lignes


def _structures_qpv(identifiants) -> str:
    texte = ", ".join(str(i) for i in identifiants if i > 0)
    if any(i < 0 for i in identifiants):
        texte += (" + " if texte else "") + "hypothétique(s)"
    return texte


def tableau_synthese(resultat, *, date=None, parametres=None, sources=None, perimetre=None):
    """`sources`: selectors.Sources (QPV generation, populations used); `perimetre`: the périmètre filtered."""
    s = resultat.synthese
    lignes = [[libelle, _valeur_synthese(cle, getattr(s, cle))] for cle, libelle in LIBELLES_SYNTHESE.items()]
    if perimetre is not None:
        lignes.insert(0, ["Territoire", perimetre.nom])
    if date is not None:
        # A real date in XLSX, dd/mm/yyyy in CSV.
        lignes.insert(0, ["Date de référence", date])
    if sources is not None:
        lignes += _lignes_sources(sources)
    p = parametres or resultat.parametres
    lignes.append(["Distance de couverture (km)", float(p.distance_couverture_km)])
    lignes.append(["Tampon autour des QPV (m)", float(p.tampon_qpv_m)])
    for cle, poids in p.poids.items():
        lignes.append([f"Pondération : {LIBELLES_SCORE.get(cle, cle)}", float(poids)])
    return ["Indicateur", "Valeur"], lignes


def _lignes_sources(sources) -> list[list]:
    lignes = [["Génération des QPV", sources.generation_qpv]]
    if sources.generation_qpv_raison:
        lignes.append(["Génération des QPV : raison", sources.generation_qpv_raison])
    lignes.append(["Millésime de population", sources.population_millesime])
    lignes.append(["Population : source", sources.population_source])
    return lignes


def tableau_sources(sources, *, date):
    """What a simulation was computed from (QPV generation, populations), at its reference date."""
    return ["Indicateur", "Valeur"], [["Date de référence", date], *_lignes_sources(sources)]


def tableau_par_territoire(agregat):
    """(headers, rows) of the "par territoire" table (agregats.ParTerritoire), the "hors périmètre" row last."""
    entetes = [
        agregat.decoupage.libelle_court,
        "Code",
        "Communes",
        "Population",
        "Population couverte",
        "Part de la population couverte",
        "Structures implantées",
        "Communes sans structure",
        "QPV",
        "QPV sans structure",
    ]
    lignes = [*agregat.lignes, *([agregat.hors_perimetre] if agregat.hors_perimetre else [])]
    return entetes, [
        [
            ligne.nom,
            ligne.code or "",
            ligne.communes,
            ligne.population,
            ligne.population_couverte,
            ligne.part_population_couverte,
            ligne.structures,
            ligne.communes_sans_structure,
            ligne.qpv,
            ligne.qpv_sans_structure,
        ]
        for ligne in lignes
    ]


def _valeur_synthese(cle, valeur):
    if cle == "part_population_couverte" and valeur is not None:
        return round(float(valeur), 4)
    return valeur


def tableau_ecarts(ecarts: dict, *, libelle_a="Avant", libelle_b="Après"):
    entetes = ["Indicateur", libelle_a, libelle_b, "Différence"]
    lignes = [
        [LIBELLES_SYNTHESE.get(cle, cle), _valeur_synthese(cle, a), _valeur_synthese(cle, b), _valeur_synthese(cle, d)]
        for cle, (a, b, d) in ecarts.items()
    ]
    return entetes, lignes


def tableau_classement(classement):
    entetes = ["Code INSEE", "Commune", "Rang avant", "Rang après"]
    return entetes, [
        [_lire(c, "code"), _lire(c, "nom"), _lire(c, "rang_avant"), _lire(c, "rang_apres")] for c in classement
    ]


def _lire(objet, nom):
    return objet[nom] if isinstance(objet, dict) else getattr(objet, nom)


def en_csv(entetes, lignes) -> bytes:
    """Semicolon-separated UTF-8 with a BOM, decimal commas: what a French spreadsheet opens as is."""
    return ecrire_csv(entetes, lignes, convertir=_cellule_csv).encode("utf-8")


def _cellule_csv(valeur) -> str:
    return texte_csv_francais(valeur)


def en_xlsx(feuilles) -> bytes:
    """`feuilles`: [(sheet name, headers, rows)] → an XLSX workbook, one sheet per table (core writer: bold frozen
    headers, dates shown dd/mm/yyyy)."""
    resultat = nouveau_classeur(vide=True)
    for nom, entetes, lignes in feuilles:
        ecrire_feuille(resultat.create_sheet(nom[:31]), entetes, lignes)
    return classeur_octets(resultat)


def en_geojson(resultat, geometries: dict[str, str], *, indicateurs_caf=None) -> bytes:
    """Communes as a FeatureCollection: the table's columns as properties, the stored outline as geometry."""
    entetes, lignes = tableau_communes(resultat, indicateurs_caf=indicateurs_caf)
    cles = [_cle_json(e) for e in entetes]
    morceaux = []
    for ligne in lignes:
        geometrie = geometries.get(ligne[0]) or "null"
        proprietes = json.dumps(dict(zip(cles, ligne, strict=True)), ensure_ascii=False, separators=(",", ":"))
        morceaux.append('{"type":"Feature","geometry":' + geometrie + ',"properties":' + proprietes + "}")
    return ('{"type":"FeatureCollection","features":[' + ",".join(morceaux) + "]}").encode()


def _cle_json(entete: str) -> str:
    """GeoJSON property names: the French header, kept readable (GIS tools show them as is)."""
    return entete
