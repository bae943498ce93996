"""The prestations de service engine: pure computation, no Django import.

PS = taux × min(dépenses éligibles, prix plafond) × prorata of the year covered by the matching
agrément. The barème (types, rates, ceilings) is data passed in; the engine explains each line in
French and flags the gap with what the budget records.
"""

import datetime
from dataclasses import dataclass, field
from decimal import ROUND_HALF_UP, Decimal

CENTIME = Decimal("0.01")
# A recorded PS within this many euros of the computed one is not flagged.
TOLERANCE_ECART = Decimal("1.00")

LIBELLES_BASE = {
    "pilotage_logistique": "charges de pilotage et de logistique",
    "referent_familles": "charges du ou de la référent·e familles",
    "charges_totales": "charges de fonctionnement totales",
}


@dataclass(frozen=True)
class Bareme:
    type_ps: str
    libelle: str
    base: str  # a key of LIBELLES_BASE
    taux: Decimal
    prix_plafond: Decimal | None
    source: str = ""
    illustratif: bool = False


@dataclass(frozen=True)
class Charges:
    totales: Decimal
    pilotage: Decimal = Decimal(0)
    logistique: Decimal = Decimal(0)
    referent_familles: Decimal = Decimal(0)

    def base(self, nom: str) -> Decimal:
        if nom == "pilotage_logistique":
            return self.pilotage + self.logistique
        if nom == "referent_familles":
            return self.referent_familles
        if nom == "charges_totales":
            return self.totales
        raise ValueError(f"Base de calcul inconnue : {nom}")


@dataclass
class LignePS:
    type_ps: str
    libelle: str
    depenses_eligibles: Decimal
    prix_plafond: Decimal | None
    base_retenue: Decimal
    taux: Decimal
    prorata: Decimal
    montant: Decimal
    enregistre: Decimal | None
    ecart: Decimal | None
    explication: list[str] = field(default_factory=list)
    avertissements: list[str] = field(default_factory=list)
    illustratif: bool = False


@dataclass
class ResultatPS:
    lignes: list[LignePS]

    @property
    def total(self) -> Decimal:
        return sum((ligne.montant for ligne in self.lignes), Decimal(0))

    @property
    def ecarts(self) -> list[LignePS]:
        return [ligne for ligne in self.lignes if ligne.ecart is not None and abs(ligne.ecart) > TOLERANCE_ECART]


def _euros(valeur: Decimal) -> str:
    texte = f"{valeur.quantize(CENTIME, ROUND_HALF_UP):,.2f}".replace(",", "\u202f").replace(".", ",")
    return f"{texte.removesuffix(',00')}\xa0€"


def _pourcent(valeur: Decimal) -> str:
    texte = f"{(valeur * 100).normalize():f}".replace(".", ",")
    return f"{texte}\xa0%"


def calculer_ligne(
    *, charges: Charges, bareme: Bareme, prorata: Decimal = Decimal(1), enregistre: Decimal | None = None
) -> LignePS:
    if not Decimal(0) <= prorata <= Decimal(1):
        raise ValueError("Le prorata doit être compris entre 0 et 1.")
    eligibles = charges.base(bareme.base)
    explication = [f"Dépenses éligibles ({LIBELLES_BASE[bareme.base]}) : {_euros(eligibles)}"]
    avertissements = []
    if bareme.prix_plafond is None:
        retenue = eligibles
        avertissements.append("Prix plafond non renseigné pour cette année : calcul sans plafond, à compléter.")
        explication.append("Prix plafond : non renseigné")
    else:
        retenue = min(eligibles, bareme.prix_plafond)
        plafonne = " (plafonnées)" if eligibles > bareme.prix_plafond else ""
        illustration = " — valeur illustrative" if bareme.illustratif else ""
        explication.append(f"Prix plafond : {_euros(bareme.prix_plafond)}{illustration}")
        explication.append(f"Base retenue = min(dépenses, plafond){plafonne} : {_euros(retenue)}")
    montant = retenue * bareme.taux
    explication.append(f"× taux {_pourcent(bareme.taux)} = {_euros(montant)}")
    if prorata != 1:
        montant = montant * prorata
        explication.append(f"× prorata de l'année couverte par l'agrément {_pourcent(prorata)} = {_euros(montant)}")
    montant = montant.quantize(CENTIME, ROUND_HALF_UP)
    ecart = None
    if enregistre is not None:
        ecart = (enregistre - montant).quantize(CENTIME, ROUND_HALF_UP)
        if abs(ecart) > TOLERANCE_ECART:
            sens = "de plus" if ecart > 0 else "de moins"
            avertissements.append(f"Le budget enregistre {_euros(enregistre)}, soit {_euros(abs(ecart))} {sens}.")
    return LignePS(
        type_ps=bareme.type_ps,
        libelle=bareme.libelle,
        depenses_eligibles=eligibles,
        prix_plafond=bareme.prix_plafond,
        base_retenue=retenue,
        taux=bareme.taux,
        prorata=prorata,
        montant=montant,
        enregistre=enregistre,
        ecart=ecart,
        explication=explication,
        avertissements=avertissements,
        illustratif=bareme.illustratif,
    )


def calculer_ps(
    *,
    charges: Charges,
    baremes: list[Bareme],
    proratas: dict[str, Decimal] | None = None,
    enregistres: dict[str, Decimal] | None = None,
) -> ResultatPS:
    """PS of one structure for one year, one line per barème that applies (the caller picks them from
    the structure's type and agréments; `proratas` gives the share of the year each agrément covers).
    A PS recorded in the budget for a type that does not apply is reported as a line of 0 with its gap."""
    proratas = proratas or {}
    enregistres = dict(enregistres or {})
    lignes = [
        calculer_ligne(
            charges=charges,
            bareme=bareme,
            prorata=proratas.get(bareme.type_ps, Decimal(1)),
            enregistre=enregistres.pop(bareme.type_ps, None),
        )
        for bareme in baremes
    ]
    for type_ps, montant in enregistres.items():
        lignes.append(
            LignePS(
                type_ps=type_ps,
                libelle=type_ps,
                depenses_eligibles=Decimal(0),
                prix_plafond=None,
                base_retenue=Decimal(0),
                taux=Decimal(0),
                prorata=Decimal(0),
                montant=Decimal(0),
                enregistre=montant,
                ecart=montant,
                explication=["Aucun agrément ni barème ne donne droit à cette prestation cette année."],
                avertissements=[f"Le budget enregistre {_euros(montant)} sans droit à cette prestation."],
            )
        )
    return ResultatPS(lignes=lignes)


def prorata_annee(annee: int, periodes) -> Decimal:
    """Share of the days of `annee` covered by the union of the (debut, fin) periods (inclusive dates),
    rounded to 4 decimals: 1 when the whole year is covered, 0 when no day is."""
    premier, dernier = datetime.date(annee, 1, 1), datetime.date(annee, 12, 31)
    intervalles = sorted(
        (max(debut, premier), min(fin, dernier)) for debut, fin in periodes if debut <= dernier and fin >= premier
    )
    jours = 0
    courant_debut = courant_fin = None
    for debut, fin in intervalles:
        if courant_fin is not None and debut <= courant_fin + datetime.timedelta(days=1):
            courant_fin = max(courant_fin, fin)
            continue
        if courant_fin is not None:
            jours += (courant_fin - courant_debut).days + 1
        courant_debut, courant_fin = debut, fin
    if courant_fin is not None:
        jours += (courant_fin - courant_debut).days + 1
    total = (dernier - premier).days + 1
    if jours >= total:
        return Decimal(1)
    return (Decimal(jours) / Decimal(total)).quantize(Decimal("0.0001"), ROUND_HALF_UP)
