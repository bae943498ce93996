"""A fictional national dataset for benchmarks: about 2,400 CS and 1,700 EVS across the loaded départements.

Structures are spread over départements in proportion to their population (largest remainders, so the totals are
exact), then over communes weighted by population. For speed, a position is the commune's representative point
(stored by `charger_territoires`) plus a jitter of at most ±0.004° (≈ 400 m), not a full point-in-polygon draw:
it may fall slightly outside a small commune, which is harmless for benchmarks.

Every generated row is fictional and flagged: `est_demo=True` and a gestionnaire name starting with `PREFIXE`.
A re-run first removes the previous generated set (and only it), so the command is idempotent for a given seed.
Départements holding the hand-made demo (fictional structures not generated here) are left out, so the demo's
figures stay as they are. Agréments run from 2006-2014 up to today (about 5 % close after 2018), ACF for two
thirds of the CS; budgets réalisés for `ANNEES` with the PS computed by the engine from the barème in the database.
"""

import datetime
import random
from decimal import ROUND_HALF_UP, Decimal

from django.db import connection, transaction
from django.db.models import Sum
from django.utils import timezone

from maillage.comptes.models import Utilisateur
from maillage.core import horloge
from maillage.fiches.models import FicheExperience
from maillage.financements.models import Budget, Financeur, LigneProduit
from maillage.observatoire.models import Commentaire, Relance, Reponse, Transition
from maillage.structures import regles
from maillage.structures.models import (
    Agrement,
    Contact,
    DocumentProjet,
    EvaluationCritere,
    Gestionnaire,
    ProjetSocial,
    Structure,
    TypeAgrement,
    TypeStructure,
)
from maillage.territoires.models import Chargement, Commune
from maillage.territoires.services import chargement_journaliser

from .registre import baremes_moteur, calculer_ps, chaine_periodes, couper_a, siret_luhn

PREFIXE = "Jeu national (fictif) — "
CENTRES_SOCIAUX = 2400
EVS = 1700
ANNEES = (2013, 2014, 2015)
LOT = 2000
EURO = Decimal("1")
FORMES_CS = [Gestionnaire.FormeJuridique.ASSOCIATION] * 67 + [Gestionnaire.FormeJuridique.COMMUNE] * 18
FORMES_CS += [Gestionnaire.FormeJuridique.CCAS] * 7 + [Gestionnaire.FormeJuridique.EPCI] * 4
FORMES_CS += [Gestionnaire.FormeJuridique.CAF] * 2 + [Gestionnaire.FormeJuridique.AUTRE] * 2
FORMES_EVS = [Gestionnaire.FormeJuridique.ASSOCIATION] * 80 + [Gestionnaire.FormeJuridique.COMMUNE] * 15
FORMES_EVS += [Gestionnaire.FormeJuridique.CCAS] * 5


def repartition(total: int, poids: dict[str, int]) -> dict[str, int]:
    """`total` split in proportion to `poids` by largest remainders (the parts sum to `total` exactly)."""
    somme = sum(poids.values())
    if not somme or not total:
        return dict.fromkeys(poids, 0)
    exactes = {cle: total * valeur / somme for cle, valeur in poids.items()}
    parts = {cle: int(valeur) for cle, valeur in exactes.items()}
    for cle in sorted(exactes, key=lambda c: (parts[c] - exactes[c], c))[: total - sum(parts.values())]:
        parts[cle] += 1
    return parts


def generes():
    return Structure.objects.filter(est_demo=True, gestionnaire__nom__startswith=PREFIXE)


def supprimer() -> int:
    """Remove the generated set (bulk deletes, children first: no per-row signal for ~100,000 rows)."""
    structures = generes()
    ids = list(structures.values_list("pk", flat=True))
    if not ids:
        return 0
    Utilisateur.objects.filter(structure_id__in=ids).update(structure=None)
    for i in range(0, len(ids), 5000):
        lot = ids[i : i + 5000]
        # The observatoire's answers protect their structures (the bench generates campaigns over this set).
        for queryset in (
            Transition.objects.filter(reponse__structure_id__in=lot),
            Commentaire.objects.filter(reponse__structure_id__in=lot),
            Reponse.objects.filter(structure_id__in=lot),
            Relance.objects.filter(structure_id__in=lot),
            FicheExperience.objects.filter(structure_id__in=lot),
            LigneProduit.objects.filter(budget__structure_id__in=lot),
            Budget.objects.filter(structure_id__in=lot),
            EvaluationCritere.objects.filter(agrement__structure_id__in=lot),
            Agrement.objects.filter(structure_id__in=lot),
            DocumentProjet.objects.filter(projet__structure_id__in=lot),
            ProjetSocial.objects.filter(structure_id__in=lot),
            Contact.objects.filter(structure_id__in=lot),
            Structure.communes_competence.through.objects.filter(structure_id__in=lot),
            Structure.qpv_competence.through.objects.filter(structure_id__in=lot),
            Structure.objects.filter(pk__in=lot),
        ):
            # _raw_delete: one DELETE per table, without collecting rows or sending signals (bulk audit is the
            # Chargement row written by generer()).
            queryset._raw_delete(queryset.db)
    Gestionnaire.objects.filter(est_demo=True, nom__startswith=PREFIXE, structures__isnull=True)._raw_delete(
        Gestionnaire.objects.db
    )
    return len(ids)


def _en_lots(modele, objets: list, annoncer, libelle: str) -> None:
    for i in range(0, len(objets), LOT):
        modele.objects.bulk_create(objets[i : i + LOT])
        annoncer(f"  {libelle} : {min(i + LOT, len(objets))} / {len(objets)}")


def generer(
    *,
    graine: int = 1,
    echelle: float = 1.0,
    departements: list[str] | None = None,
    aujourdhui: datetime.date | None = None,
    annoncer=print,
) -> dict:
    if echelle <= 0:
        raise ValueError("L'échelle doit être strictement positive.")
    debut_chargement = timezone.now()
    aujourdhui = aujourdhui or horloge.aujourdhui()
    rng = random.Random(graine)
    with transaction.atomic():
        supprimees = supprimer()
        if supprimees:
            annoncer(f"  Jeu précédent supprimé : {supprimees} structures.")
        demo = set(
            Structure.objects.filter(est_demo=True)
            .exclude(gestionnaire__nom__startswith=PREFIXE)
            .values_list("departement_id", flat=True)
        )
        communes = Commune.objects.exclude(longitude__isnull=True).exclude(departement_id__in=demo)
        if departements:
            communes = communes.filter(departement_id__in=departements)
        par_departement: dict[str, list[tuple[str, int, float, float]]] = {}
        for code, dep, population, lon, lat in communes.order_by("code").values_list(
            "code", "departement_id", "population", "longitude", "latitude"
        ):
            par_departement.setdefault(dep, []).append((code, population or 0, lon, lat))
        if not par_departement:
            raise ValueError(
                "Aucune commune chargée (hors départements de la démonstration) : lancez charger_territoires."
            )
        populations = {dep: sum(c[1] for c in liste) or 1 for dep, liste in par_departement.items()}
        nb_cs = repartition(round(CENTRES_SOCIAUX * echelle), populations)
        nb_evs = repartition(round(EVS * echelle), populations)
        if demo:
            annoncer(f"  Départements de la démonstration laissés de côté : {', '.join(sorted(demo))}.")

        # Plans: (type, commune, position, forme, periods, closing, acf).
        plans = []
        for dep in sorted(par_departement):
            liste = par_departement[dep]
            poids = [max(c[1], 1) for c in liste]
            for type_, nombre in ((TypeStructure.CENTRE_SOCIAL, nb_cs[dep]), (TypeStructure.EVS, nb_evs[dep])):
                for commune in rng.choices(liste, weights=poids, k=nombre):
                    debut = datetime.date(rng.randint(2006, 2014), rng.choice([1, 7]), 1)
                    periodes = chaine_periodes(debut, rng, jusqua=aujourdhui)
                    fermeture = None
                    if rng.random() < 0.05:
                        periodes, fermeture = couper_a(periodes, datetime.date(rng.randint(2019, 2024), 6, 30))
                    forme = rng.choice(FORMES_CS if type_ == TypeStructure.CENTRE_SOCIAL else FORMES_EVS)
                    acf = type_ == TypeStructure.CENTRE_SOCIAL and rng.random() < 2 / 3
                    plans.append((type_, commune, dep, forme, periodes, fermeture, acf))
        annoncer(f"  {len(plans)} structures à créer dans {len(par_departement)} départements.")

        gestionnaires, structures = [], []
        for n, (type_, (code, _, lon, lat), dep, forme, periodes, fermeture, _acf) in enumerate(plans, start=1):
            siret = siret_luhn("9", rng)
            libelle = "Centre social" if type_ == TypeStructure.CENTRE_SOCIAL else "Espace de vie sociale"
            gestionnaires.append(
                Gestionnaire(
                    nom=f"{PREFIXE}gestionnaire n° {n}",
                    forme_juridique=forme,
                    designation=Gestionnaire.DESIGNATIONS_PAR_DEFAUT[forme],
                    mode_gestion=Gestionnaire.MODES[forme],
                    siret=siret,
                    commune_id=code,
                    est_demo=True,
                )
            )
            structures.append(
                Structure(
                    type=type_,
                    nom=f"{libelle} fictif n° {n}",
                    siret=siret_luhn(siret[:9], rng),
                    adresse=f"{rng.randint(1, 200)} rue de l'Exemple (fictive)",
                    commune_id=code,
                    departement_id=dep,
                    longitude=round(lon + rng.uniform(-0.004, 0.004), 6),
                    latitude=round(lat + rng.uniform(-0.004, 0.004), 6),
                    date_premier_agrement=periodes[0][0],
                    date_ouverture=periodes[0][0],
                    date_fermeture=fermeture,
                    adherent_federation=forme == Gestionnaire.FormeJuridique.ASSOCIATION and rng.random() < 0.6,
                    est_demo=True,
                )
            )
        _en_lots(Gestionnaire, gestionnaires, annoncer, "gestionnaires")
        for structure, gestionnaire in zip(structures, gestionnaires, strict=True):
            structure.gestionnaire_id = gestionnaire.pk
        _en_lots(Structure, structures, annoncer, "structures")
        competences = [
            Structure.communes_competence.through(structure_id=s.pk, commune_id=s.commune_id) for s in structures
        ]
        _en_lots(Structure.communes_competence.through, competences, annoncer, "zones de compétence")

        agrements = []
        for structure, (type_, _, _, _, periodes, _, acf) in zip(structures, plans, strict=True):
            types = [TypeAgrement.ANIMATION_LOCALE] if type_ == TypeStructure.EVS else [TypeAgrement.ANIMATION_GLOBALE]
            if acf:
                types.append(TypeAgrement.ACF)
            for type_agrement in types:
                agrements.extend(
                    Agrement(
                        structure_id=structure.pk,
                        type=type_agrement,
                        debut=debut,
                        fin=fin,
                        statut=Agrement.Statut.EXPIRE if fin < aujourdhui else Agrement.Statut.ACCORDE,
                        referentiel=regles.regles_pour(debut).code,
                        date_decision=debut - datetime.timedelta(days=75),
                    )
                    for debut, fin in periodes
                )
        _en_lots(Agrement, agrements, annoncer, "agréments")

        budgets, montants = [], []
        baremes = {annee: baremes_moteur(annee) for annee in ANNEES}
        for structure, (type_, _, _, _, periodes, _, acf) in zip(structures, plans, strict=True):
            if type_ == TypeStructure.EVS:
                base = rng.triangular(20_000, 80_000, 38_000)
            else:
                base = rng.triangular(300_000, 900_000, 480_000)
            for annee in ANNEES:
                if periodes[0][0] > datetime.date(annee, 1, 1):
                    continue  # not active over the whole year: no budget réalisé in the generated set
                total = Decimal(base * (1 + 0.02 * (annee - ANNEES[0]))).quantize(EURO, ROUND_HALF_UP)
                charges = {
                    "charges_totales": total,
                    "charges_pilotage": Decimal(0),
                    "charges_logistique": Decimal(0),
                    "charges_referent_familles": Decimal(0),
                }
                if type_ == TypeStructure.CENTRE_SOCIAL:
                    charges["charges_pilotage"] = (total * Decimal("0.17")).quantize(EURO)
                    charges["charges_logistique"] = (total * Decimal("0.12")).quantize(EURO)
                    if acf:
                        charges["charges_referent_familles"] = Decimal(rng.randint(35_000, 55_000))
                ps = calculer_ps(charges, type_, acf, baremes[annee])
                reste = total - sum(ps.values())
                lignes: dict[str, Decimal] = dict(ps)
                lignes[Financeur.COMMUNES] = (reste * Decimal("0.55")).quantize(EURO)
                lignes[Financeur.USAGERS] = (reste * Decimal("0.12")).quantize(EURO)
                lignes[Financeur.DEPARTEMENT] = (reste * Decimal("0.05")).quantize(EURO)
                lignes[Financeur.AUTRES] = total - sum(lignes.values())
                budgets.append(Budget(structure_id=structure.pk, annee=annee, nature=Budget.Nature.REALISE, **charges))
                montants.append(lignes)
        _en_lots(Budget, budgets, annoncer, "budgets")
        produits = [
            LigneProduit(
                budget_id=budget.pk,
                financeur=Financeur.CAF_PS if cle in baremes[budget.annee] else cle,
                type_ps_id=cle if cle in baremes[budget.annee] else None,
                montant=montant,
            )
            for budget, lignes in zip(budgets, montants, strict=True)
            for cle, montant in lignes.items()
            if montant > 0
        ]
        _en_lots(LigneProduit, produits, annoncer, "produits")
        resume = {
            "graine": graine,
            "echelle": echelle,
            "departements": len(par_departement),
            "structures": len(structures),
            "centres_sociaux": sum(nb_cs.values()),
            "evs": sum(nb_evs.values()),
            "agrements": len(agrements),
            "budgets": len(budgets),
            "produits": len(produits),
            "supprimees": supprimees,
        }
        chargement_journaliser(
            commande="generer_jeu_national",
            parametres={"graine": graine, "echelle": echelle, "departements": departements or []},
            statut=Chargement.Statut.REUSSI,
            resume=resume,
            auteur="jeu national fictif (generer_jeu_national)",
            debut=debut_chargement,
            fin=timezone.now(),
        )
    analyser()
    return resume


def analyser() -> None:
    """Refresh the planner's statistics after the bulk load: without them PostgreSQL plans the freshly filled
    tables as if empty (seconds instead of milliseconds on the dashboard's aggregates until autovacuum runs)."""
    tables = [
        m._meta.db_table
        for m in (Gestionnaire, Structure, Structure.communes_competence.through, Agrement, Budget, LigneProduit)
    ]
    with connection.cursor() as curseur:
        if connection.vendor == "postgresql":
            curseur.execute(f"ANALYZE {', '.join(tables)}")
        elif connection.vendor == "sqlite":
            for table in tables:
                curseur.execute(f'ANALYZE "{table}"')


def budget_total(annee: int = 2015) -> Decimal:
    """Sum of the generated budgets réalisés of `annee` (for checks)."""
    return Budget.objects.filter(structure__in=generes(), annee=annee, nature=Budget.Nature.REALISE).aggregate(
        total=Sum("charges_totales")
    )["total"] or Decimal(0)
