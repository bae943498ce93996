"""A fictional schéma directeur for every département of the national set (`jeu_national`), for the benchmarks.

Per département: six partner organisations (Caf, Préfecture, Conseil départemental, fédération, a commune, an
association; created when missing, reused on a re-run), one schéma 2016-2020 adopted in 2016 (signed by the first
four, « en cours » since 2017), 4 enjeux, 4 directions de progrès, 4 axes × 3 orientations, `actions` fiches actions
(200 by default) with their pilots and partners among the six organisations, one to three milestones each (two on
average), comments on about a third of them, a COPIL with two meetings and their decisions, and 20 indicators:
the 13 computed ones of `INDICATEURS_CALCULES` (catalogue codes: their values come from the data, by
`services_indicateurs.indicateurs_recalculer`, not from here) and 7 typed-in ones with a value at each 31 December
from 2015 to 2019.

Everything is FICTIONAL and says so: titles and organisation names start with `PREFIXE`, fiches are `fictive`.
A re-run replaces the previous generated schémas (and only them): bulk deletes, children first, then bulk creates;
the whole national set takes a few seconds. No link to the registry's structures: `jeu_national.supprimer()` can
keep deleting its own set without knowing this one.
"""

import datetime
import random
from decimal import Decimal

from django.db import connection, transaction
from django.utils import timezone

from maillage.comptes.models import Organisation
from maillage.core.audit import sans_journal_automatique
from maillage.schema.models import (
    Axe,
    CommentaireAction,
    Decision,
    DirectionProgres,
    DocumentSchema,
    Enjeu,
    FicheAction,
    Indicateur,
    Instance,
    Jalon,
    Orientation,
    Reunion,
    Schema,
    TransitionSchema,
    ValeurIndicateur,
)
from maillage.territoires.models import Chargement, Departement
from maillage.territoires.services import chargement_journaliser

from . import jeu_national

PREFIXE = jeu_national.PREFIXE  # "Jeu national (fictif) — "
DEBUT, FIN = 2016, 2020
ACTIONS = 200
AXES = 4
ORIENTATIONS_PAR_AXE = 3
LOT = 2000
AUTEUR_COMMENTAIRES = "Pilote de l'action (fictif)"
ANNEES_MANUELLES = tuple(range(2015, 2020))  # values at 31/12, the first one is the baseline

# (type, name pattern); the first four sign the schéma, as in the founding document.
ORGANISATIONS = [
    (Organisation.Type.CAF, "Caf ({nom})"),
    (Organisation.Type.PREFECTURE, "Préfecture ({nom}) — services de l'État"),
    (Organisation.Type.CONSEIL_DEPARTEMENTAL, "Conseil départemental ({nom})"),
    (Organisation.Type.FEDERATION, "Fédération des centres sociaux ({nom})"),
    (Organisation.Type.COMMUNE, "Ville-centre ({nom})"),
    (Organisation.Type.ASSOCIATION, "Association d'éducation populaire ({nom})"),
]
SIGNATAIRES = 4

ENJEUX = [
    "Garantir une couverture équitable du territoire par les structures d'animation de la vie sociale",
    "Consolider le projet social et la participation des habitants",
    "Sécuriser les moyens et le modèle économique des structures",
    "Coordonner les partenaires et les politiques publiques autour des structures",
]
DIRECTIONS = [
    "Développer l'offre là où elle manque, en priorité dans les quartiers prioritaires et en milieu rural",
    "Faire des habitants des acteurs des projets",
    "Partager l'observation et l'évaluation entre partenaires",
    "Simplifier et harmoniser les financements",
]
AXES_TITRES = [
    "Couverture territoriale et accès de tous",
    "Participation des habitants et bénévolat",
    "Financements et pérennité des structures",
    "Gouvernance, observation et animation du réseau",
]
THEMES = [
    "diagnostic partagé",
    "accompagnement des porteurs de projet",
    "formation des bénévoles",
    "itinérance en milieu rural",
    "accueil des familles",
    "actions jeunesse",
    "numérique et accès aux droits",
    "conventions pluriannuelles",
    "rencontres départementales",
    "outillage de l'observatoire",
    "référent familles",
    "quartiers prioritaires",
]
PUBLICS = ["Habitants", "Familles", "Jeunes de 16 à 25 ans", "Bénévoles", "Professionnels des structures", "Élus"]
# Statuses as they could stand in the middle of the period, with their share and progress range.
STATUTS = [
    (FicheAction.Statut.REALISEE, 25, (100, 100)),
    (FicheAction.Statut.EN_COURS, 45, (10, 90)),
    (FicheAction.Statut.A_LANCER, 15, (0, 0)),
    (FicheAction.Statut.REPORTEE, 10, (0, 50)),
    (FicheAction.Statut.ABANDONNEE, 5, (0, 40)),
]

# (catalogue code, label, unit, direction, target, attached to axe n° or None)
INDICATEURS_CALCULES = [
    ("structures_actives", "Structures d'animation de la vie sociale actives", "structures", "hausse", None, 1),
    ("structures_pour_10000_habitants", "Structures pour 10 000 habitants", "pour 10 000 hab.", "hausse", None, 1),
    ("part_population_couverte", "Part de la population couverte", "%", "hausse", 75, 1),
    ("communes_sans_structure", "Communes sans structure", "communes", "baisse", None, 1),
    ("qpv_sans_structure", "Quartiers prioritaires sans structure", "QPV", "baisse", 0, 1),
    ("structures_en_qpv", "Structures dans ou au service d'un QPV", "structures", "hausse", None, 1),
    ("part_cs_gestion_associative", "Part des centres sociaux en gestion associative", "%", "hausse", 70, 3),
    ("budget_cumule", "Budget cumulé des structures", "€", "hausse", None, 3),
    ("financement_caf", "Financement de la Caf", "€", "hausse", None, 3),
    ("agrements_renouveles_a_temps", "Agréments renouvelés avant leur échéance", "%", "hausse", 100, None),
    ("taux_reponse_observatoire", "Taux de réponse à l'observatoire", "%", "hausse", 95, 4),
    ("habitants_instances_gouvernance", "Habitants dans les instances de gouvernance", "personnes", "hausse", None, 2),
    ("benevoles", "Bénévoles des structures", "personnes", "hausse", None, 2),
]
# (code, label, unit, value at 31/12/2015 (range), yearly growth (range), attached to axe n°)
INDICATEURS_MANUELS = [
    ("projets_jeunes", "Projets de jeunes accompagnés", "projets", (10, 40), (0.05, 0.15), 2),
    ("benevoles_formes", "Bénévoles formés dans l'année", "personnes", (50, 300), (0.03, 0.12), 2),
    ("conventions_signees", "Conventions pluriannuelles d'objectifs signées", "conventions", (2, 12), (0.1, 0.3), 3),
    ("rencontres_reseau", "Rencontres départementales du réseau", "rencontres", (1, 4), (0.0, 0.2), 4),
    ("communes_partenaires", "Communes partenaires d'une structure", "communes", (20, 120), (0.02, 0.08), 1),
    (
        "familles_accompagnees",
        "Familles accompagnées par un référent familles",
        "familles",
        (300, 2000),
        (0.02, 0.1),
        2,
    ),
    ("diagnostics_partages", "Diagnostics de territoire partagés", "diagnostics", (1, 6), (0.1, 0.4), 4),
]
# Indicator codes are at most 30 characters: the two longer catalogue codes get a short one.
CODES_COURTS = {
    "structures_pour_10000_habitants": "structures_10000_habitants",
    "habitants_instances_gouvernance": "habitants_gouvernance",
}
INDICATEURS_PAR_SCHEMA = len(INDICATEURS_CALCULES) + len(INDICATEURS_MANUELS)


def titre_schema(departement: Departement) -> str:
    return f"{PREFIXE}schéma directeur de l'animation de la vie sociale {DEBUT}-{FIN} — {departement.nom}"


def generes():
    return Schema.objects.filter(titre__startswith=PREFIXE)


def supprimer() -> int:
    """Remove the generated schémas and everything under them (bulk deletes, children first: no per-row signal nor
    audit entry for some 100,000 fictional rows). The organisations are kept (reused by the next run)."""
    schemas = generes()
    ids = list(schemas.values_list("pk", flat=True))
    if not ids:
        return 0
    Schema.objects.filter(precedent_id__in=ids).update(precedent=None)
    fiches = FicheAction.objects.filter(schema_id__in=ids)
    reunions = Reunion.objects.filter(instance__schema_id__in=ids)
    decisions = Decision.objects.filter(reunion__instance__schema_id__in=ids)
    instances = Instance.objects.filter(schema_id__in=ids)
    for queryset in (
        ValeurIndicateur.objects.filter(indicateur__schema_id__in=ids),
        Indicateur.objects.filter(schema_id__in=ids),
        Decision.fiches.through.objects.filter(decision__in=decisions),
        decisions,
        Reunion.organisations_presentes.through.objects.filter(reunion__in=reunions),
        Reunion.presents.through.objects.filter(reunion__in=reunions),
        reunions,
        Instance.organisations.through.objects.filter(instance__in=instances),
        Instance.membres.through.objects.filter(instance__in=instances),
        instances,
        CommentaireAction.objects.filter(fiche__in=fiches),
        Jalon.objects.filter(fiche__in=fiches),
        *(
            getattr(FicheAction, champ).through.objects.filter(ficheaction__in=fiches)
            for champ in ("partenaires", "referents", "communes", "epci", "qpv", "structures")
        ),
        fiches,
        Orientation.objects.filter(axe__schema_id__in=ids),
        Axe.objects.filter(schema_id__in=ids),
        Enjeu.objects.filter(schema_id__in=ids),
        DirectionProgres.objects.filter(schema_id__in=ids),
        DocumentSchema.objects.filter(schema_id__in=ids),
        TransitionSchema.objects.filter(schema_id__in=ids),
        Schema.signataires.through.objects.filter(schema_id__in=ids),
    ):
        queryset._raw_delete(queryset.db)
    # Last, through the ORM: other tables may point to a schéma (documents produced, imports…); few rows left.
    with sans_journal_automatique():
        Schema.objects.filter(pk__in=ids).delete()
    return len(ids)


def departements_du_jeu(departements: list[str] | None = None) -> list[Departement]:
    """The départements holding structures of the national set (`jeu_national.generes()`), optionally filtered."""
    codes = jeu_national.generes().values_list("departement_id", flat=True).distinct()
    qs = Departement.objects.filter(code__in=codes)
    if departements:
        qs = qs.filter(code__in=departements)
    return list(qs.order_by("code"))


def _organisations(departements: list[Departement]) -> dict[str, list[Organisation]]:
    """{département: its six generated organisations, in ORGANISATIONS' order}, the missing ones created."""
    noms = {
        (d.code, PREFIXE + modele.format(nom=d.nom)): type_ for d in departements for type_, modele in ORGANISATIONS
    }
    existantes = {
        (o.departement_id, o.nom): o
        for o in Organisation.objects.filter(departement__in=departements, nom__startswith=PREFIXE)
    }
    manquantes = [
        Organisation(departement_id=code, nom=nom, type=type_)
        for (code, nom), type_ in noms.items()
        if (code, nom) not in existantes
    ]
    for organisation in Organisation.objects.bulk_create(manquantes, batch_size=LOT):
        existantes[organisation.departement_id, organisation.nom] = organisation
    return {
        d.code: [existantes[d.code, PREFIXE + modele.format(nom=d.nom)] for _, modele in ORGANISATIONS]
        for d in departements
    }


def _repartir(total: int, parts: int) -> list[int]:
    """`total` split into `parts` near-equal integers (the first ones get the remainder)."""
    base, reste = divmod(total, parts)
    return [base + (1 if i < reste else 0) for i in range(parts)]


def _date_entre(rng: random.Random, debut: datetime.date, fin: datetime.date) -> datetime.date:
    return debut + datetime.timedelta(days=rng.randint(0, max((fin - debut).days, 0)))


def _creer(modele, objets: list) -> list:
    return modele.objects.bulk_create(objets, batch_size=LOT)


def generer(
    *,
    graine: int = 1,
    actions: int = ACTIONS,
    departements: list[str] | None = None,
    jour: datetime.date | None = None,
    annoncer=print,
) -> dict:
    """The national set of schémas (see the module docstring); returns the counts written."""
    if actions < AXES * ORIENTATIONS_PAR_AXE:
        raise ValueError(
            f"Il faut au moins {AXES * ORIENTATIONS_PAR_AXE} fiches actions par schéma (une par orientation)."
        )
    debut_chargement = timezone.now()
    # Milestones past this day are done (mostly), the others not: a fixed day keeps a given seed's set identical.
    jour = jour or datetime.date(2018, 6, 30)
    rng = random.Random(graine)
    with transaction.atomic():
        supprimes = supprimer()
        if supprimes:
            annoncer(f"  Schémas générés précédemment supprimés : {supprimes}.")
        liste = departements_du_jeu(departements)
        if not liste:
            raise ValueError("Aucun département du jeu national : lancez d'abord generer_jeu_national.")
        organisations = _organisations(liste)

        schemas = _creer(
            Schema,
            [
                Schema(
                    departement=d,
                    titre=titre_schema(d),
                    debut=DEBUT,
                    fin=FIN,
                    statut=Schema.Statut.EN_COURS,
                    date_adoption=_date_entre(rng, datetime.date(DEBUT, 3, 1), datetime.date(DEBUT, 12, 15)),
                    realise_par="Cabinet d'études fictif",
                    presentation="Schéma FICTIF généré pour les bancs d'essai (jeu national) : aucune donnée réelle.",
                    resume_diagnostic="Synthèse fictive : couverture inégale du territoire, quartiers prioritaires "
                    "et communes rurales peu dotés, financements à sécuriser.",
                )
                for d in liste
            ],
        )
        _creer(
            TransitionSchema,
            [
                TransitionSchema(schema=s, de=de, vers=vers, date=date, commentaire="Transition fictive.")
                for s in schemas
                for de, vers, date in (
                    ("", Schema.Statut.EN_ELABORATION, datetime.date(DEBUT - 1, 9, 1)),
                    (Schema.Statut.EN_ELABORATION, Schema.Statut.ADOPTE, s.date_adoption),
                    (Schema.Statut.ADOPTE, Schema.Statut.EN_COURS, datetime.date(DEBUT + 1, 1, 1)),
                )
            ],
        )
        _creer(
            Schema.signataires.through,
            [
                Schema.signataires.through(schema_id=s.pk, organisation_id=o.pk)
                for s in schemas
                for o in organisations[s.departement_id][:SIGNATAIRES]
            ],
        )
        _creer(Enjeu, [Enjeu(schema=s, numero=i, titre=t) for s in schemas for i, t in enumerate(ENJEUX, 1)])
        _creer(
            DirectionProgres,
            [DirectionProgres(schema=s, numero=i, titre=t) for s in schemas for i, t in enumerate(DIRECTIONS, 1)],
        )
        axes = _creer(Axe, [Axe(schema=s, numero=i, titre=t) for s in schemas for i, t in enumerate(AXES_TITRES, 1)])
        orientations = _creer(
            Orientation,
            [
                Orientation(axe=a, numero=n, titre=f"Orientation {a.numero}.{n} (fictive) : {rng.choice(THEMES)}")
                for a in axes
                for n in range(1, ORIENTATIONS_PAR_AXE + 1)
            ],
        )
        par_schema: dict[int, list[Orientation]] = {}
        for orientation in orientations:
            par_schema.setdefault(orientation.axe.schema_id, []).append(orientation)

        fiches = []
        pilotes_de = {s.pk: organisations[s.departement_id] for s in schemas}  # pilots, partners, owners
        statuts, poids_statuts = [s for s, _, _ in STATUTS], [p for _, p, _ in STATUTS]
        bornes = {s: b for s, _, b in STATUTS}
        for schema in schemas:
            orgs = pilotes_de[schema.pk]
            for orientation, nombre in zip(
                par_schema[schema.pk], _repartir(actions, len(par_schema[schema.pk])), strict=True
            ):
                for n in range(1, nombre + 1):
                    statut = rng.choices(statuts, poids_statuts)[0]
                    debut = _date_entre(rng, datetime.date(DEBUT, 9, 1), datetime.date(DEBUT + 2, 9, 1))
                    fiche = FicheAction(
                        schema=schema,
                        orientation=orientation,
                        numero=f"{orientation.axe.numero}.{orientation.numero}.{n}",
                        titre=f"Action fictive {orientation.axe.numero}.{orientation.numero}.{n} : "
                        f"{rng.choice(THEMES)}",
                        objectifs="Objectifs fictifs (jeu national de mesure).",
                        description="Description fictive de l'action, générée pour les bancs d'essai.",
                        pilote=rng.choice(orgs),
                        publics=", ".join(rng.sample(PUBLICS, 2)),
                        debut=debut,
                        fin=_date_entre(rng, debut + datetime.timedelta(days=180), datetime.date(FIN, 12, 31)),
                        statut=statut,
                        avancement=rng.randint(*bornes[statut]),
                        poids=rng.choice((1, 1, 1, 2, 2, 3)),
                        budget=Decimal(rng.randrange(5_000, 200_000, 500)) if rng.random() < 0.5 else None,
                        fictive=True,
                    )
                    fiches.append(fiche)
        annoncer(f"  {len(schemas)} schémas, {len(fiches)} fiches actions à créer.")
        _creer(FicheAction, fiches)

        partenaires, jalons, commentaires = [], [], []
        for fiche in fiches:
            autres = [o for o in pilotes_de[fiche.schema_id] if o.pk != fiche.pilote_id]
            partenaires.extend(
                FicheAction.partenaires.through(ficheaction_id=fiche.pk, organisation_id=o.pk)
                for o in rng.sample(autres, rng.randint(0, 2))
            )
            for k in range(rng.choice((1, 2, 2, 3))):
                echeance = _date_entre(rng, fiche.debut, fiche.fin)
                fait = echeance <= jour and (fiche.statut == FicheAction.Statut.REALISEE or rng.random() < 0.7)
                jalons.append(
                    Jalon(
                        fiche=fiche,
                        libelle=f"Étape {k + 1} (fictive)",
                        echeance=echeance,
                        fait=fait,
                        fait_le=echeance if fait else None,
                    )
                )
            if rng.random() < 0.35:
                commentaires.extend(
                    CommentaireAction(
                        fiche=fiche,
                        auteur_libelle=AUTEUR_COMMENTAIRES,
                        texte=f"Point d'étape fictif n° {k + 1}.",
                        statut=fiche.statut if k == 0 else "",
                        avancement=fiche.avancement if k == 0 else None,
                    )
                    for k in range(rng.randint(1, 2))
                )
        _creer(FicheAction.partenaires.through, partenaires)
        _creer(Jalon, jalons)
        _creer(CommentaireAction, commentaires)

        instances = _creer(
            Instance,
            [
                Instance(schema=s, type=Instance.Type.COPIL, nom="Comité de pilotage (fictif)", mission="Fictive.")
                for s in schemas
            ],
        )
        _creer(
            Instance.organisations.through,
            [
                Instance.organisations.through(instance_id=i.pk, organisation_id=o.pk)
                for i in instances
                for o in organisations[i.schema.departement_id]
            ],
        )
        reunions = _creer(
            Reunion,
            [
                Reunion(
                    instance=i,
                    date=datetime.datetime(annee, 11, 15, 14, 0, tzinfo=datetime.UTC),
                    lieu="Salle fictive",
                    ordre_du_jour="Avancement des actions, indicateurs, décisions (fictif).",
                    compte_rendu="Compte rendu fictif.",
                )
                for i in instances
                for annee in (DEBUT, DEBUT + 1)
            ],
        )
        fiches_de: dict[int, list[FicheAction]] = {}
        for fiche in fiches:
            fiches_de.setdefault(fiche.schema_id, []).append(fiche)
        decisions, liens = [], []
        for reunion in reunions:
            schema_id = reunion.instance.schema_id
            for k in range(3):
                decision = Decision(
                    reunion=reunion,
                    texte=f"Décision fictive n° {k + 1} du comité du {reunion.date:%d/%m/%Y}.",
                    responsable=rng.choice(pilotes_de[schema_id]),
                    echeance=reunion.date.date() + datetime.timedelta(days=rng.randint(60, 240)),
                    statut=rng.choice(Decision.Statut.values),
                )
                decisions.append(decision)
                liens.append((decision, rng.choice(fiches_de[schema_id])))
        _creer(Decision, decisions)
        _creer(
            Decision.fiches.through,
            [Decision.fiches.through(decision_id=d.pk, ficheaction_id=f.pk) for d, f in liens],
        )

        indicateurs, valeurs = [], []
        for schema in schemas:
            axes_du_schema = {o.axe.numero: o.axe for o in par_schema[schema.pk]}
            for ordre, (code, libelle, unite, sens, cible, axe) in enumerate(INDICATEURS_CALCULES, 1):
                indicateurs.append(
                    Indicateur(
                        schema=schema,
                        axe=axes_du_schema.get(axe),
                        code=CODES_COURTS.get(code, code),
                        libelle=libelle,
                        unite=unite,
                        sens=sens,
                        source=Indicateur.Source.CALCULE,
                        definition=code,
                        reference_date=datetime.date(DEBUT - 1, 12, 31),
                        cible_valeur=None if cible is None else Decimal(cible),
                        cible_date=datetime.date(FIN, 12, 31),
                        ordre=ordre,
                    )
                )
            for ordre, (code, libelle, unite, depart, hausse, axe) in enumerate(
                INDICATEURS_MANUELS, len(INDICATEURS_CALCULES) + 1
            ):
                serie, valeur = [], float(rng.randint(*depart))
                for annee in ANNEES_MANUELLES:
                    serie.append((datetime.date(annee, 12, 31), Decimal(round(valeur))))
                    valeur *= 1 + rng.uniform(*hausse)
                indicateur = Indicateur(
                    schema=schema,
                    axe=axes_du_schema.get(axe),
                    code=code,
                    libelle=libelle,
                    unite=unite,
                    source=Indicateur.Source.MANUEL,
                    reference_valeur=serie[0][1],
                    reference_date=serie[0][0],
                    cible_valeur=Decimal(round(valeur * 1.1)),
                    cible_date=datetime.date(FIN, 12, 31),
                    ordre=ordre,
                )
                indicateurs.append(indicateur)
                valeurs.extend(
                    ValeurIndicateur(
                        indicateur=indicateur,
                        date=date,
                        valeur=v,
                        source=Indicateur.Source.MANUEL,
                        commentaire="Valeur fictive (jeu national).",
                    )
                    for date, v in serie
                )
        _creer(Indicateur, indicateurs)
        _creer(ValeurIndicateur, valeurs)

        resume = {
            "graine": graine,
            "departements": len(schemas),
            "schemas": len(schemas),
            "organisations": sum(len(v) for v in organisations.values()),
            "fiches": len(fiches),
            "jalons": len(jalons),
            "commentaires": len(commentaires),
            "decisions": len(decisions),
            "indicateurs": len(indicateurs),
            "valeurs": len(valeurs),
            "supprimes": supprimes,
        }
        chargement_journaliser(
            commande="generer_schemas_nationaux",
            parametres={"graine": graine, "actions": actions, "departements": departements or []},
            statut=Chargement.Statut.REUSSI,
            resume=resume,
            auteur="schémas nationaux fictifs (generer_schemas_nationaux)",
            debut=debut_chargement,
            fin=timezone.now(),
        )
    analyser()
    return resume


def analyser() -> None:
    """Refresh the planner's statistics after the bulk load (see `jeu_national.analyser`)."""
    modeles = (
        Schema,
        Schema.signataires.through,
        Enjeu,
        DirectionProgres,
        Axe,
        Orientation,
        FicheAction,
        FicheAction.partenaires.through,
        Jalon,
        CommentaireAction,
        Instance,
        Reunion,
        Decision,
        Indicateur,
        ValeurIndicateur,
        Organisation,
    )
    tables = [m._meta.db_table for m in modeles]
    with connection.cursor() as curseur:
        if connection.vendor == "postgresql":
            curseur.execute(f"ANALYZE {', '.join(tables)}")
        elif connection.vendor == "sqlite":
            for table in tables:
                curseur.execute(f'ANALYZE "{table}"')
