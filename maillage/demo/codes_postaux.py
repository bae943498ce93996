"""Postal codes of the Val-de-Marne communes (La Poste, main code of each commune), for the demo's structures.

The territorial referential (INSEE) has no postal code, and the demo's addresses are fictitious: without this table
every demo structure had an empty « Code postal » in the directory and its exports. A commune with several codes
(Saint-Maur-des-Fossés: 94100 and 94210) gets its main one.
"""

CODES_POSTAUX_94 = {
    "94001": "94480",  # Ablon-sur-Seine
    "94002": "94140",  # Alfortville
    "94003": "94110",  # Arcueil
    "94004": "94470",  # Boissy-Saint-Léger
    "94011": "94380",  # Bonneuil-sur-Marne
    "94015": "94360",  # Bry-sur-Marne
    "94016": "94230",  # Cachan
    "94017": "94500",  # Champigny-sur-Marne
    "94018": "94220",  # Charenton-le-Pont
    "94019": "94430",  # Chennevières-sur-Marne
    "94021": "94550",  # Chevilly-Larue
    "94022": "94600",  # Choisy-le-Roi
    "94028": "94000",  # Créteil
    "94033": "94120",  # Fontenay-sous-Bois
    "94034": "94260",  # Fresnes
    "94037": "94250",  # Gentilly
    "94038": "94240",  # L'Haÿ-les-Roses
    "94041": "94200",  # Ivry-sur-Seine
    "94042": "94340",  # Joinville-le-Pont
    "94043": "94270",  # Le Kremlin-Bicêtre
    "94044": "94450",  # Limeil-Brévannes
    "94046": "94700",  # Maisons-Alfort
    "94047": "94520",  # Mandres-les-Roses
    "94048": "94440",  # Marolles-en-Brie
    "94052": "94130",  # Nogent-sur-Marne
    "94053": "94880",  # Noiseau
    "94054": "94310",  # Orly
    "94055": "94490",  # Ormesson-sur-Marne
    "94056": "94520",  # Périgny
    "94058": "94170",  # Le Perreux-sur-Marne
    "94059": "94420",  # Le Plessis-Trévise
    "94060": "94510",  # La Queue-en-Brie
    "94065": "94150",  # Rungis
    "94067": "94160",  # Saint-Mandé
    "94068": "94100",  # Saint-Maur-des-Fossés
    "94069": "94410",  # Saint-Maurice
    "94070": "94440",  # Santeny
    "94071": "94370",  # Sucy-en-Brie
    "94073": "94320",  # Thiais
    "94074": "94460",  # Valenton
    "94075": "94440",  # Villecresnes
    "94076": "94800",  # Villejuif
    "94077": "94290",  # Villeneuve-le-Roi
    "94078": "94190",  # Villeneuve-Saint-Georges
    "94079": "94350",  # Villiers-sur-Marne
    "94080": "94300",  # Vincennes
    "94081": "94400",  # Vitry-sur-Seine
}
