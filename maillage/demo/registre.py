"""The Val-de-Marne 2015 demo: a fictional registry of centres sociaux and EVS placed in real communes.

The seed reports that "au 31 décembre 2015, 47 acteurs de l'animation de la vie sociale, dont 35 centres
sociaux et 12 espaces de vie sociale, pour un budget cumulé de 17,5 millions d'euros (dont près de 467 000 euros
pour les espaces de vie sociale)", Caf funding of about 2,7 M€ and 2/3 of the CS under associative management.
This module builds a registry that yields those figures when Maillage computes them: names, people, addresses,
SIRET and gestionnaires are fictional (and say so), the territories are real.

Choices (documented here, checked by tests/demo/test_registre.py):
- Everything is drawn from fixed seeds (`random.Random(94)` for positions), so two loads give the same data.
- 51 structures: the 47 active on 31/12/2015 (35 CS, 12 EVS), 3 closed before 2015 (2 CS, 1 EVS) and one EVS
  opening in 2016. Among the 47, four first opened after mid-2012 (so the directory at 30/06/2012 differs in both
  directions) and two close later (2019 and 2021).
- Agréments are recorded from 2010 (older structures keep their real-looking `date_premier_agrement`), in
  consecutive periods of 2 to 4 years, and **continue up to today** for the structures still open, so that the
  current directory and the renewal follow-up have something to show: periods ended before today are *expiré*,
  the current one *accordé*; a renewal (*en instruction*, or *accordé* once the Caf's decision was due) follows
  the ones ending within the 14 months of the follow-up board, except for a few late structures (`RETARDATAIRES`).
  Every active structure is covered over the whole of 2015 (PS prorata 1). ACF agréments follow the animation
  globale periods of the CS that employ a référent familles (23 of 35).
- Budgets réalisés 2015 for the 47: CS 300-800 k€, EVS 20-70 k€, exact totals `TOTAL_CS` and `TOTAL_EVS`;
  pilotage + logistique 25-33 % of a CS budget; a référent familles line for the ACF CS.
- The PS lines are what `maillage.financements.moteur_ps.calculer_ps` computes from these budgets with the
  barème in the database; the demo sets illustrative prix plafond values for 2015 and 2016 (`illustratif=True`)
  unless a pilot has already entered real ones. The Caf's fonds locaux are the remainder up to `FINANCEMENT_CAF`,
  so the Caf's total is right whatever the plafonds; other funders balance each budget (produits = charges).
- Budgets prévisionnels 2016 for a few structures, contacts (mission publique basis, never public), projets
  sociaux for about half of the CS.
"""

import datetime
import json
import random
import unicodedata
from dataclasses import dataclass, field
from decimal import ROUND_HALF_UP, Decimal

from django.db import transaction
from django.db.models import Q, Sum
from django.utils import timezone
from shapely.geometry import Point, shape

from maillage.core import horloge
from maillage.demo.codes_postaux import CODES_POSTAUX_94
from maillage.financements import bareme_initial, moteur_ps
from maillage.financements.models import BaremePS, Budget, Financeur, LigneProduit, TypePS
from maillage.structures import regles
from maillage.structures.models import (
    Agrement,
    Contact,
    Gestionnaire,
    ModeGestion,
    ProjetSocial,
    SituationQPV,
    Structure,
    TypeAgrement,
    TypeStructure,
)
from maillage.structures.selectors import structures_actives
from maillage.territoires.models import Chargement, Commune
from maillage.territoires.services import chargement_journaliser

DEPARTEMENT = "94"
DATE_REFERENCE = datetime.date(2015, 12, 31)
ANNEE = 2015
TOTAL_CS = Decimal("17031254")
TOTAL_EVS = Decimal("466812")
FINANCEMENT_CAF = Decimal("2698460")
# Illustrative ceilings (not the Cnaf barème, which is not public here), by PS type and year.
PLAFONDS_ILLUSTRATIFS = {
    2015: {"agc": Decimal("130000"), "acf": Decimal("45000"), "animation_locale": Decimal("45000")},
    2016: {"agc": Decimal("131300"), "acf": Decimal("45450"), "animation_locale": Decimal("45450")},
}
SOURCE_ILLUSTRATIVE = "Valeur illustrative (démonstration Maillage), pas le barème Cnaf"
INSTANCE = "Commission d'action sociale de la Caf du Val-de-Marne (fictive)"
DEBUT_HISTORIQUE = datetime.date(2010, 1, 1)
# Structures (by plan key) that have not started the renewal of an agrément ending soon: late on the board.
RETARDATAIRES = (4, 13, 40)
# First years of the PS (financements.bareme_initial.PREMIERES_ANNEES, with their sources): no first agrément before.
PREMIERE_ANNEE_CS = 1971
PREMIERE_ANNEE_EVS = 2002


def _entre(annee: int, debut: int, fin: int, plancher: int) -> int:
    """`annee`, drawn in [debut, fin], rescaled onto [plancher, fin] (keeps the draws, and so the seed's figures)."""
    return plancher + (annee - debut) * (fin - plancher) // (fin - debut)


EURO = Decimal("1")
CENTIME = Decimal("0.01")

NOMS_CS = [
    "des Tilleuls", "des Acacias", "des Peupliers", "des Marronniers", "des Lilas", "des Glycines",
    "des Coquelicots", "des Hirondelles", "du Moulin", "de la Passerelle", "du Petit Pont", "des Quatre Vents",
    "de l'Étoile", "du Vieux Chêne", "des Sources", "de la Colline", "des Bruyères", "du Val Fleuri",
    "des Sablons", "de la Roseraie", "des Mésanges", "du Clos", "des Cerisiers", "de la Fontaine",
    "des Rives", "du Belvédère", "des Charmilles", "de la Source Vive", "des Genêts", "des Vergers",
    "de la Halle", "des Ormes", "du Pré Vert", "des Noisetiers", "de la Boussole", "des Aulnes", "des Saules",
]  # fmt: skip
NOMS_EVS = [
    "La Ruche", "Le Fil", "La Passerelle des familles", "Le Lien", "L'Escale", "La Bricole", "Le Kiosque",
    "La Clé", "L'Arbre à palabres", "Le Trait d'union", "La Marelle", "Le Relais", "La Grange", "Le Préau",
]  # fmt: skip
PRENOMS = [
    "Amina", "Bruno", "Chantal", "David", "Élodie", "Farid", "Gaëlle", "Hugo", "Inès", "Jérôme", "Karima",
    "Laurent", "Malika", "Nicolas", "Océane", "Patrick", "Rachida", "Sébastien", "Tatiana", "Yannick",
]  # fmt: skip
NOMS = [
    "Arnaud", "Bensaïd", "Carpentier", "Diallo", "Estève", "Ferrand", "Garnier", "Haddad", "Ibanez", "Joly",
    "Keita", "Lemaire", "Mercier", "Nguyen", "Olivier", "Perrin", "Rousseau", "Traoré", "Vidal", "Weber",
]  # fmt: skip
RUES = ["rue", "avenue", "allée", "place", "boulevard", "sentier"]

# Structure accounts of the demo (besides structure@demo.maillage.fr): (email, prénom, nom, structure name).
COMPTES_STRUCTURES = [
    ("structure@demo.maillage.fr", "Julien", "Morel", "Centre social des Tilleuls (fictif)"),
    ("structure.acacias@demo.maillage.fr", "Nadia", "Roche", "Centre social des Acacias (fictif)"),
    ("structure.peupliers@demo.maillage.fr", "Thomas", "Leroy", "Centre social des Peupliers (fictif)"),
    ("structure.ruche@demo.maillage.fr", "Aïcha", "Mendy", "Espace de vie sociale La Ruche (fictif)"),
]


# --- Plan (pure, deterministic) -------------------------------------------------------------------


@dataclass
class Plan:
    """One demo structure before it is written."""

    cle: int
    type: str
    nom: str
    commune: str
    forme_juridique: str
    premier_agrement: datetime.date
    periodes: list[tuple[datetime.date, datetime.date]] = field(default_factory=list)
    fermeture: datetime.date | None = None
    acf: bool = False
    position: tuple[float, float] | None = None
    charges: dict = field(default_factory=dict)


def ajouter_annees(date: datetime.date, annees: int) -> datetime.date:
    try:
        return date.replace(year=date.year + annees)
    except ValueError:  # 29 February
        return date.replace(year=date.year + annees, day=28)


def chaine_periodes(
    debut: datetime.date, rng: random.Random, *, jusqua: datetime.date, premiere: int | None = None
) -> list[tuple[datetime.date, datetime.date]]:
    """Consecutive agrément periods from `debut` while they start before `jusqua` (2 to 4 years each)."""
    periodes = []
    duree = premiere or rng.choice([2, 3, 4])
    while debut <= jusqua:
        fin = ajouter_annees(debut, duree) - datetime.timedelta(days=1)
        periodes.append((debut, fin))
        debut = fin + datetime.timedelta(days=1)
        duree = rng.choice([4, 4, 4, 3])
    return periodes


def couper_a(periodes, date: datetime.date):
    """Keep the periods up to the one covering `date`; that one ends the structure's history."""
    gardees = [p for p in periodes if p[0] <= date]
    return gardees, gardees[-1][1]


def plan(communes: list[Commune], aujourdhui: datetime.date) -> list[Plan]:
    """The 51 demo structures, placed in `communes` (the département's, by decreasing population)."""
    rng = random.Random(2015)
    codes = [c.code for c in communes]
    # 35 active CS: one in each of the 26 largest communes, a second one in the 9 largest.
    communes_cs = codes[:26] + codes[:9]
    communes_evs = codes[18:30]
    formes_cs = (
        [Gestionnaire.FormeJuridique.ASSOCIATION] * 23
        + [Gestionnaire.FormeJuridique.COMMUNE] * 8
        + [Gestionnaire.FormeJuridique.CCAS] * 3
        + [Gestionnaire.FormeJuridique.CAF]
    )
    # The first CS (the structure account's) is associative.
    reste = formes_cs[1:]
    rng.shuffle(reste)
    formes_cs = [formes_cs[0], *reste]
    acf = [True] * 23 + [False] * 12
    reste_acf = acf[1:]
    rng.shuffle(reste_acf)
    acf = [True, *reste_acf]

    plans = []
    for i, code in enumerate(communes_cs):
        # First agréments from 1971, the year the Cnaf's prestation de service reached the centres sociaux (see
        # financements.bareme_initial); the draw is rescaled, not redrawn, so the rest of the seed stays the same.
        premier = datetime.date(_entre(rng.randint(1968, 2008), 1968, 2008, PREMIERE_ANNEE_CS), rng.choice([1, 7]), 1)
        p = Plan(
            cle=len(plans),
            type=TypeStructure.CENTRE_SOCIAL,
            nom=f"Centre social {NOMS_CS[i]} (fictif)",
            commune=code,
            forme_juridique=formes_cs[i],
            premier_agrement=premier,
            acf=acf[i],
        )
        p.periodes = chaine_periodes(DEBUT_HISTORIQUE, rng, jusqua=aujourdhui)
        plans.append(p)
    formes_evs = [Gestionnaire.FormeJuridique.ASSOCIATION] * 10 + [Gestionnaire.FormeJuridique.COMMUNE] * 2
    rng.shuffle(formes_evs)
    for i, code in enumerate(communes_evs):
        # EVS (then « animation locale ») first agréments from 2002, the Cnaf letter-circular of 31/01/2002.
        premier = datetime.date(_entre(rng.randint(2000, 2009), 2000, 2009, PREMIERE_ANNEE_EVS), rng.choice([1, 9]), 1)
        p = Plan(
            cle=len(plans),
            type=TypeStructure.EVS,
            nom=f"Espace de vie sociale {NOMS_EVS[i]} (fictif)",
            commune=code,
            forme_juridique=formes_evs[i],
            premier_agrement=premier,
        )
        p.periodes = chaine_periodes(DEBUT_HISTORIQUE, rng, jusqua=aujourdhui)
        plans.append(p)

    # Four of the 47 opened after mid-2012: the last CS (2014) and three EVS (2013, 2013, 2014).
    for p, debut in [(plans[34], datetime.date(2014, 1, 1)), (plans[44], datetime.date(2013, 1, 1))] + [
        (plans[45], datetime.date(2013, 9, 1)),
        (plans[46], datetime.date(2014, 1, 1)),
    ]:
        p.premier_agrement = debut
        p.periodes = chaine_periodes(debut, rng, jusqua=aujourdhui, premiere=4 if debut.year == 2013 else 3)
    # Two of the 47 close later (after the period covering mid-2019 and mid-2021).
    # A closure after the clock's day is not known yet (the demo's clock is in autumn 2016).
    for p, date in [(plans[43], datetime.date(2019, 6, 30)), (plans[33], datetime.date(2021, 6, 30))]:
        if date <= aujourdhui:
            p.periodes, p.fermeture = couper_a(p.periodes, date)

    # Three structures closed before 2015, one opening in 2016.
    d = datetime.date
    for type_, nom, code, forme, premier, periodes in [
        (
            TypeStructure.CENTRE_SOCIAL,
            f"Centre social {NOMS_CS[35]} (fictif)",
            codes[30],
            Gestionnaire.FormeJuridique.ASSOCIATION,
            d(1992, 1, 1),
            [(d(2010, 1, 1), d(2012, 12, 31)), (d(2013, 1, 1), d(2013, 12, 31))],
        ),
        (
            TypeStructure.CENTRE_SOCIAL,
            f"Centre social {NOMS_CS[36]} (fictif)",
            codes[31],
            Gestionnaire.FormeJuridique.COMMUNE,
            d(1985, 7, 1),
            [(d(2010, 7, 1), d(2014, 6, 30))],
        ),
        (
            TypeStructure.EVS,
            f"Espace de vie sociale {NOMS_EVS[12]} (fictif)",
            codes[32],
            Gestionnaire.FormeJuridique.ASSOCIATION,
            d(2006, 1, 1),
            [(d(2010, 1, 1), d(2011, 12, 31)), (d(2012, 1, 1), d(2012, 12, 31))],
        ),
    ]:
        plans.append(
            Plan(
                cle=len(plans),
                type=type_,
                nom=nom,
                commune=code,
                forme_juridique=forme,
                premier_agrement=premier,
                periodes=periodes,
                fermeture=periodes[-1][1],
            )
        )
    # Opening after the demo's day (15/10/2016, agrément decided in the summer): the directory at that day shows the
    # seed's 47 structures.
    ouverture = d(2016, 11, 1)
    plans.append(
        Plan(
            cle=len(plans),
            type=TypeStructure.EVS,
            nom=f"Espace de vie sociale {NOMS_EVS[13]} (fictif)",
            commune=codes[33],
            forme_juridique=Gestionnaire.FormeJuridique.ASSOCIATION,
            premier_agrement=ouverture,
            periodes=chaine_periodes(ouverture, rng, jusqua=max(aujourdhui, ouverture), premiere=2),
        )
    )
    return plans


def point_dans(geometrie: str, rng: random.Random) -> tuple[float, float]:
    """A random point strictly inside a commune's outline (GeoJSON text), by rejection sampling."""
    forme = shape(json.loads(geometrie))
    minx, miny, maxx, maxy = forme.bounds
    for _ in range(10_000):
        point = Point(round(rng.uniform(minx, maxx), 6), round(rng.uniform(miny, maxy), 6))
        if forme.contains(point):
            return (point.x, point.y)
    centre = forme.representative_point()
    return (round(centre.x, 6), round(centre.y, 6))


def repartir(total: Decimal, poids: list[float], *, bornes: tuple[float, float]) -> list[Decimal]:
    """Split `total` (whole euros) in proportion to `poids`, each share within `bornes`, summing exactly."""
    poids = list(poids)
    bas, haut = bornes
    for _ in range(50):
        somme = sum(poids)
        parts = [float(total) * w / somme for w in poids]
        bornees = [min(max(p, bas), haut) for p in parts]
        if bornees == parts:
            break
        poids = bornees
    montants = [Decimal(p).quantize(EURO, ROUND_HALF_UP) for p in parts]
    montants[montants.index(max(montants))] += total - sum(montants)
    return montants


def siret_luhn(prefixe: str, rng: random.Random) -> str:
    """A 14-digit number starting with `prefixe` whose Luhn key is valid (fictional)."""
    chiffres = prefixe + "".join(str(rng.randint(0, 9)) for _ in range(13 - len(prefixe)))
    for cle in range(10):
        candidat = f"{chiffres}{cle}"
        total = 0
        for rang, c in enumerate(reversed(candidat)):
            n = int(c) * (2 if rang % 2 else 1)
            total += n - 9 if n > 9 else n
        if total % 10 == 0:
            return candidat
    raise AssertionError("unreachable")


def sans_accents(texte: str) -> str:
    texte = unicodedata.normalize("NFKD", texte).encode("ascii", "ignore").decode()
    return "".join(c for c in texte.lower() if c.isalnum() or c == "-").strip("-")


def arrondi(valeur) -> Decimal:
    return Decimal(valeur).quantize(EURO, ROUND_HALF_UP)


# --- PS ------------------------------------------------------------------------------------------


def types_et_taux_presents() -> None:
    """Re-seed the initial barème (PS types and rates of migration 0003) if a flush removed it (idempotent)."""
    if BaremePS.objects.filter(annee__in=list(PLAFONDS_ILLUSTRATIFS)).count() < 3 * len(PLAFONDS_ILLUSTRATIFS):
        bareme_initial.ecrire(modele_type_ps=TypePS, modele_bareme_ps=BaremePS)


def preparer_bareme(annee: int) -> list[str]:
    """Set the illustrative ceilings of `annee` where none (or only illustrative ones) are recorded."""
    types_et_taux_presents()
    messages = []
    for bareme in BaremePS.objects.filter(annee=annee, type_ps__in=list(PLAFONDS_ILLUSTRATIFS[annee])):
        valeur = PLAFONDS_ILLUSTRATIFS[annee][bareme.type_ps_id]
        if bareme.prix_plafond is not None and not bareme.illustratif:
            messages.append(
                f"Prix plafond {bareme.type_ps_id} {annee} déjà saisi ({bareme.prix_plafond} €) : conservé."
            )
            continue
        if bareme.prix_plafond != valeur or not bareme.illustratif or bareme.source != SOURCE_ILLUSTRATIVE:
            bareme.prix_plafond, bareme.illustratif, bareme.source = valeur, True, SOURCE_ILLUSTRATIVE
            bareme.save(update_fields=["prix_plafond", "illustratif", "source"])
    return messages


def baremes_moteur(annee: int) -> dict[str, moteur_ps.Bareme]:
    return {
        b.type_ps_id: moteur_ps.Bareme(
            type_ps=b.type_ps_id,
            libelle=b.type_ps.libelle,
            base=b.type_ps.base,
            taux=b.taux,
            prix_plafond=b.prix_plafond,
            source=b.source,
            illustratif=b.illustratif,
        )
        for b in BaremePS.objects.filter(annee=annee).select_related("type_ps")
    }


def types_ps_applicables(type_structure: str, acf: bool) -> list[str]:
    if type_structure == TypeStructure.EVS:
        return ["animation_locale"]
    return ["agc", "acf"] if acf else ["agc"]


def calculer_ps(charges: dict, type_structure: str, acf: bool, baremes: dict) -> dict[str, Decimal]:
    """The engine's PS for one budget (full year covered by the agréments: prorata 1)."""
    resultat = moteur_ps.calculer_ps(
        charges=moteur_ps.Charges(
            totales=charges["charges_totales"],
            pilotage=charges["charges_pilotage"],
            logistique=charges["charges_logistique"],
            referent_familles=charges["charges_referent_familles"],
        ),
        baremes=[baremes[code] for code in types_ps_applicables(type_structure, acf) if code in baremes],
    )
    return {ligne.type_ps: ligne.montant for ligne in resultat.lignes}


# --- Budgets -------------------------------------------------------------------------------------


def budgets_2015(actifs: list[Plan], rng: random.Random) -> None:
    cs = [p for p in actifs if p.type == TypeStructure.CENTRE_SOCIAL]
    evs = [p for p in actifs if p.type == TypeStructure.EVS]
    totaux = repartir(TOTAL_CS, [rng.triangular(320, 780, 420) for _ in cs], bornes=(300_000, 800_000))
    totaux += repartir(TOTAL_EVS, [rng.triangular(22, 68, 34) for _ in evs], bornes=(20_000, 70_000))
    for p, total in zip(cs + evs, totaux, strict=True):
        if p.type == TypeStructure.CENTRE_SOCIAL:
            pilotage = arrondi(total * Decimal(rng.uniform(0.15, 0.19)))
            logistique = arrondi(total * Decimal(rng.uniform(0.10, 0.14)))
            referent = arrondi(rng.uniform(38_000, 52_000)) if p.acf else Decimal(0)
        else:
            pilotage = logistique = referent = Decimal(0)
        p.charges = {
            "charges_totales": total,
            "charges_pilotage": pilotage,
            "charges_logistique": logistique,
            "charges_referent_familles": referent,
        }


def produits(
    plan_: Plan, charges: dict, ps: dict[str, Decimal], fonds_locaux: Decimal, rng: random.Random, qpv: bool
) -> dict[str, Decimal]:
    """Products by funder balancing the budget (keys: TypePS codes for the PS, Financeur values otherwise)."""
    total = charges["charges_totales"]
    lignes: dict[str, Decimal] = dict(ps)
    if fonds_locaux:
        lignes[Financeur.CAF_FONDS_LOCAUX] = fonds_locaux
    reste = total - sum(lignes.values())
    collectivite = plan_.forme_juridique != Gestionnaire.FormeJuridique.ASSOCIATION
    if plan_.type == TypeStructure.CENTRE_SOCIAL:
        parts = {
            Financeur.COMMUNES: rng.uniform(0.58, 0.66) if collectivite else rng.uniform(0.48, 0.58),
            Financeur.DEPARTEMENT: rng.uniform(0.03, 0.07),
            Financeur.ETAT: rng.uniform(0.03, 0.07) if qpv else 0,
            Financeur.USAGERS: rng.uniform(0.08, 0.14),
        }
    else:
        parts = {Financeur.COMMUNES: rng.uniform(0.40, 0.60), Financeur.USAGERS: rng.uniform(0.12, 0.22)}
    for financeur, part in parts.items():
        if part:
            lignes[financeur] = arrondi(reste * Decimal(part))
    lignes[Financeur.AUTRES] = total - sum(lignes.values())
    assert lignes[Financeur.AUTRES] >= 0, plan_.nom
    return lignes


def lignes_produit(budget_id: int, montants: dict[str, Decimal]) -> list[LigneProduit]:
    codes_ps = {"agc", "acf", "animation_locale"}
    return [
        LigneProduit(
            budget_id=budget_id,
            financeur=Financeur.CAF_PS if cle in codes_ps else cle,
            type_ps_id=cle if cle in codes_ps else None,
            montant=montant,
        )
        for cle, montant in montants.items()
        if montant > 0
    ]


# --- Loading -------------------------------------------------------------------------------------


def demo_presente() -> bool:
    return Structure.objects.filter(est_demo=True, departement_id=DEPARTEMENT, nom__endswith="(fictif)").exists()


def charger(*, aujourdhui: datetime.date | None = None, annoncer=print) -> dict:
    """Write the demo registry of département 94 (territories must be loaded). Skipped when present."""
    if demo_presente():
        annoncer("  déjà chargées.")
        return {"ignore": True}
    communes = list(
        Commune.objects.filter(departement_id=DEPARTEMENT).exclude(geometrie="").order_by("-population", "code")
    )
    if len(communes) < 34:
        annoncer(
            f"  Communes du département {DEPARTEMENT} incomplètes ({len(communes)} avec contour) : "
            "structures de démonstration non chargées (lancez charger_demo sans --sans-territoires)."
        )
        return {"ignore": True}
    debut = timezone.now()
    aujourdhui = aujourdhui or horloge.aujourdhui()
    with transaction.atomic():
        for annee in PLAFONDS_ILLUSTRATIFS:
            for message in preparer_bareme(annee):
                annoncer(f"  {message}")
        resume = _ecrire(communes, aujourdhui)
        chargement_journaliser(
            commande="charger_demo",
            parametres={"departement": DEPARTEMENT, "donnees": "structures fictives de démonstration"},
            statut=Chargement.Statut.REUSSI,
            resume=resume,
            auteur="démonstration (charger_demo)",
            debut=debut,
            fin=timezone.now(),
        )
    return resume


def _ecrire(communes: list[Commune], aujourdhui: datetime.date) -> dict:
    par_code = {c.code: c for c in communes}
    plans = plan(communes, aujourdhui)
    rng_positions = random.Random(94)
    rng = random.Random(1994)
    for p in plans:
        p.position = point_dans(par_code[p.commune].geometrie, rng_positions)
    qpv_par_commune: dict[str, list[str]] = {}
    for commune_id, qpv_id in (
        Commune.qpv.through.objects.filter(commune_id__in=par_code)
        .order_by("qpv_id")
        .values_list("commune_id", "qpv_id")
    ):
        qpv_par_commune.setdefault(commune_id, []).append(qpv_id)

    # Gestionnaires and structures.
    gestionnaires, structures = [], []
    for p in plans:
        commune = par_code[p.commune]
        forme = p.forme_juridique
        nom_court = p.nom.removesuffix(" (fictif)")
        noms = {
            Gestionnaire.FormeJuridique.ASSOCIATION: f"Association {nom_court.lower()[0]}{nom_court[1:]}",
            Gestionnaire.FormeJuridique.COMMUNE: f"Commune de {commune.nom}",
            Gestionnaire.FormeJuridique.CCAS: f"CCAS de {commune.nom}",
            Gestionnaire.FormeJuridique.CAF: "Caf du Val-de-Marne, gestion directe",
        }
        siret = siret_luhn("8" if forme == Gestionnaire.FormeJuridique.ASSOCIATION else "2", rng)
        gestionnaires.append(
            Gestionnaire(
                nom=f"{noms[forme]} (gestionnaire fictif)",
                forme_juridique=forme,
                designation=Gestionnaire.DESIGNATIONS_PAR_DEFAUT[forme],
                mode_gestion=Gestionnaire.MODES[forme],
                siret=siret,
                commune=commune,
                est_demo=True,
            )
        )
        qpv = qpv_par_commune.get(p.commune, [])
        situation = SituationQPV.AUCUNE
        if qpv:
            situation = rng.choice([SituationQPV.DANS_QPV, SituationQPV.DANS_QPV, SituationQPV.PROXIMITE])
        lon, lat = p.position
        structures.append(
            Structure(
                type=p.type,
                nom=p.nom,
                siret=siret_luhn(siret[:9], rng),
                adresse=f"{rng.randint(1, 120)} {rng.choice(RUES)} {NOMS_CS[rng.randrange(len(NOMS_CS))]} "
                "(adresse fictive)",
                code_postal=CODES_POSTAUX_94.get(commune.code, ""),
                commune=commune,
                departement_id=commune.departement_id,
                longitude=lon,
                latitude=lat,
                date_premier_agrement=p.premier_agrement,
                date_ouverture=p.premier_agrement,
                date_fermeture=p.fermeture,
                multi_sites=p.cle % 11 == 3,
                itinerante=p.cle % 17 == 5,
                situation_qpv=situation,
                adherent_federation=forme == Gestionnaire.FormeJuridique.ASSOCIATION and rng.random() < 0.75,
                telephone=f"01 99 00 {p.cle // 10:02d} {p.cle % 100:02d}",
                presentation="Structure fictive de la démonstration Maillage : nom, adresse, personnes et "
                "chiffres sont inventés ; seule la commune est réelle.",
                est_demo=True,
            )
        )
    Gestionnaire.objects.bulk_create(gestionnaires)
    for s, g in zip(structures, gestionnaires, strict=True):
        s.gestionnaire = g
    Structure.objects.bulk_create(structures)
    Structure.communes_competence.through.objects.bulk_create(
        [Structure.communes_competence.through(structure_id=s.pk, commune_id=s.commune_id) for s in structures]
    )
    Structure.qpv_competence.through.objects.bulk_create(
        [
            Structure.qpv_competence.through(structure_id=s.pk, qpv_id=qpv_par_commune[s.commune_id][0])
            for s in structures
            if s.situation_qpv != SituationQPV.AUCUNE
        ]
    )

    # Projets sociaux (CS, period covering 2015) and agréments.
    projets = {}
    for p, s in zip(plans, structures, strict=True):
        if p.type == TypeStructure.CENTRE_SOCIAL and p.cle % 2 == 0:
            periode = next(((d, f) for d, f in p.periodes if d <= DATE_REFERENCE <= f), None)
            if periode:
                projets[p.cle] = ProjetSocial(
                    structure=s,
                    intitule=f"Projet social {periode[0]:%Y}-{periode[1]:%Y} : « Faire ensemble » (fictif)",
                    debut=periode[0],
                    fin=periode[1],
                    diagnostic="Diagnostic partagé fictif : habitants, partenaires et équipe ont relevé l'isolement "
                    "des personnes âgées, le besoin d'accompagnement des parents et l'accès aux droits.",
                    axes="1. Rompre l'isolement\n2. Soutenir les parents\n3. Favoriser l'accès aux droits",
                )
    ProjetSocial.objects.bulk_create(projets.values())

    agrements = []
    # Renewals under way for the agréments ending within the follow-up window (14 months): the renewal is filed
    # (en instruction) or already decided when the Caf's decision was due, so that the follow-up board tells a
    # plausible story; a few structures (`RETARDATAIRES`) have not started theirs and show as late.
    fenetre = regles.ajouter_mois(aujourdhui, regles.MOIS_ALERTE)
    for p, s in zip(plans, structures, strict=True):
        types = [TypeAgrement.ANIMATION_LOCALE] if p.type == TypeStructure.EVS else [TypeAgrement.ANIMATION_GLOBALE]
        if p.acf:
            types.append(TypeAgrement.ACF)
        for type_ in types:
            for debut, fin in p.periodes:
                projet = projets.get(p.cle)
                agrements.append(
                    Agrement(
                        structure=s,
                        type=type_,
                        debut=debut,
                        fin=fin,
                        statut=Agrement.Statut.EXPIRE if fin < aujourdhui else Agrement.Statut.ACCORDE,
                        referentiel=regles.regles_pour(debut).code,
                        date_decision=debut - datetime.timedelta(days=75),
                        instance=INSTANCE,
                        projet_social=projet if projet and projet.debut == debut else None,
                    )
                )
            fin = p.periodes[-1][1]
            renouvellement = fin + datetime.timedelta(days=1)
            # An ACF renewed from 2027 stays a separate agrément under the default transition rule of the
            # département (a warning, see regles.py): renewed like the animation globale it goes with.
            retardataire = p.cle in RETARDATAIRES
            if p.fermeture is None and aujourdhui <= fin <= fenetre and not retardataire:
                decision = fin - datetime.timedelta(days=100)
                decide = decision <= aujourdhui
                agrements.append(
                    Agrement(
                        structure=s,
                        type=type_,
                        debut=renouvellement,
                        fin=ajouter_annees(fin, 4),
                        referentiel=regles.regles_pour(renouvellement).code,
                        statut=Agrement.Statut.ACCORDE if decide else Agrement.Statut.EN_INSTRUCTION,
                        date_decision=decision if decide else None,
                        instance=INSTANCE,
                        commentaire="Renouvellement accordé (fictif)."
                        if decide
                        else "Renouvellement en cours d'instruction (fictif).",
                    )
                )
    Agrement.objects.bulk_create(agrements)

    # Contacts: personal data, minimal, mission publique basis, never public.
    contacts = []
    for p, s in zip(plans, structures, strict=True):
        fonctions = [Contact.Fonction.DIRECTION]
        fonctions.append(
            Contact.Fonction.PRESIDENCE
            if p.forme_juridique == Gestionnaire.FormeJuridique.ASSOCIATION
            else Contact.Fonction.ACCUEIL
        )
        if p.acf:
            fonctions.append(Contact.Fonction.REFERENT_FAMILLES)
        for fonction in fonctions:
            prenom, nom = rng.choice(PRENOMS), rng.choice(NOMS)
            contacts.append(
                Contact(
                    structure=s,
                    fonction=fonction,
                    prenom=prenom,
                    nom=nom,
                    email=f"{sans_accents(prenom)}.{sans_accents(nom)}@demo.maillage.fr",
                    base_legale=Contact.BaseLegale.MISSION_PUBLIQUE,
                    public=False,
                )
            )
    Contact.objects.bulk_create(contacts)

    # Budgets réalisés 2015 of the 47 active structures, PS from the engine, fonds locaux as the remainder.
    actifs = [p for p in plans if any(d <= DATE_REFERENCE <= f for d, f in p.periodes)]
    budgets_2015(actifs, rng)
    baremes = {annee: baremes_moteur(annee) for annee in PLAFONDS_ILLUSTRATIFS}
    ps = {p.cle: calculer_ps(p.charges, p.type, p.acf, baremes[ANNEE]) for p in actifs}
    total_ps = sum(sum(montants.values()) for montants in ps.values())
    fonds_locaux = {}
    if total_ps < FINANCEMENT_CAF:
        beneficiaires = [p for p in actifs if qpv_par_commune.get(p.commune) or p.type == TypeStructure.EVS]
        beneficiaires = sorted(rng.sample(beneficiaires, min(16, len(beneficiaires))), key=lambda p: p.cle)
        reste = (FINANCEMENT_CAF - total_ps).quantize(CENTIME)
        parts = repartir(
            reste.quantize(EURO, ROUND_HALF_UP), [rng.uniform(1, 3) for _ in beneficiaires], bornes=(0, 1e9)
        )
        parts[-1] += reste - sum(parts)
        fonds_locaux = {p.cle: part for p, part in zip(beneficiaires, parts, strict=True)}
    structure_par_cle = {p.cle: s for p, s in zip(plans, structures, strict=True)}
    budgets, montants_par_budget = [], []
    for p in actifs:
        budgets.append(
            Budget(structure=structure_par_cle[p.cle], annee=ANNEE, nature=Budget.Nature.REALISE, **p.charges)
        )
        montants_par_budget.append(
            produits(
                p, p.charges, ps[p.cle], fonds_locaux.get(p.cle, Decimal(0)), rng, bool(qpv_par_commune.get(p.commune))
            )
        )
    # Budgets prévisionnels 2016 for the structures with an account and a few others still open in 2016.
    noms_comptes = {nom for *_, nom in COMPTES_STRUCTURES}
    previsionnels = [p for p in actifs if p.nom in noms_comptes or p.cle in (5, 12, 40)]
    for p in previsionnels:
        charges = {cle: arrondi(valeur * Decimal("1.02")) for cle, valeur in p.charges.items()}
        budgets.append(
            Budget(
                structure=structure_par_cle[p.cle],
                annee=ANNEE + 1,
                nature=Budget.Nature.PREVISIONNEL,
                commentaire="Budget prévisionnel fictif.",
                **charges,
            )
        )
        ps_2016 = calculer_ps(charges, p.type, p.acf, baremes[ANNEE + 1])
        montants_par_budget.append(
            produits(
                p, charges, ps_2016, fonds_locaux.get(p.cle, Decimal(0)), rng, bool(qpv_par_commune.get(p.commune))
            )
        )
    Budget.objects.bulk_create(budgets)
    LigneProduit.objects.bulk_create(
        [ligne for b, m in zip(budgets, montants_par_budget, strict=True) for ligne in lignes_produit(b.pk, m)]
    )
    return {
        "structures": len(structures),
        "agrements": len(agrements),
        "contacts": len(contacts),
        "projets_sociaux": len(projets),
        "budgets": len(budgets),
    }


# --- Accounts and summary ------------------------------------------------------------------------


def structure_du_compte(nom: str) -> Structure | None:
    return Structure.objects.filter(est_demo=True, departement_id=DEPARTEMENT, nom=nom).first()


@dataclass(frozen=True)
class Resume:
    actives: int
    centres_sociaux: int
    evs: int
    communes: int
    budget_total: Decimal
    budget_evs: Decimal
    financement_caf: Decimal
    prestations_service: Decimal
    centres_sociaux_associatifs: int

    @property
    def part_associative(self) -> float:
        return self.centres_sociaux_associatifs / self.centres_sociaux if self.centres_sociaux else 0.0


def resume(date: datetime.date = DATE_REFERENCE, departement: str = DEPARTEMENT) -> Resume:
    """The demo's key figures, computed from the database (active structures, budgets réalisés of the year)."""
    actives = structures_actives(date, departement=departement)
    ids = list(actives.values_list("pk", flat=True))
    types = dict.fromkeys(TypeStructure.values, 0)
    for type_ in actives.values_list("type", flat=True):
        types[type_] += 1
    budgets = Budget.objects.filter(structure_id__in=ids, annee=date.year, nature=Budget.Nature.REALISE)
    sommes = budgets.aggregate(
        total=Sum("charges_totales"), evs=Sum("charges_totales", filter=Q(structure__type=TypeStructure.EVS))
    )
    caf = LigneProduit.objects.filter(budget__in=budgets).aggregate(
        total=Sum("montant", filter=Q(financeur__in=[Financeur.CAF_PS, Financeur.CAF_FONDS_LOCAUX])),
        ps=Sum("montant", filter=Q(financeur=Financeur.CAF_PS)),
    )
    return Resume(
        actives=len(ids),
        centres_sociaux=types[TypeStructure.CENTRE_SOCIAL],
        evs=types[TypeStructure.EVS],
        communes=actives.values("commune").distinct().count(),
        budget_total=sommes["total"] or Decimal(0),
        budget_evs=sommes["evs"] or Decimal(0),
        financement_caf=caf["total"] or Decimal(0),
        prestations_service=caf["ps"] or Decimal(0),
        centres_sociaux_associatifs=actives.filter(
            type=TypeStructure.CENTRE_SOCIAL, gestionnaire__mode_gestion=ModeGestion.ASSOCIATIVE
        ).count(),
    )
