"""The demo's schéma directeur: the SDAVS of the Val-de-Marne 2016-2020 as it could stand in late 2016.

From the founding document (shared seed): the Caf pilots the schéma, produced with the support of the cabinet TMO
Régions, presented and handed to the partners at the departmental day of 29 September 2016; its 4 enjeux, 4
directions de progrès and 4 axes are the seed's own words (`ENJEUX`, `DIRECTIONS`, `AXES`). Everything else is
FICTIONAL and says so: the adoption date (a Caf board of June 2016), the orientations, the ~25 fiches actions
(`FicheAction.fictive`), their pilots, statuses, progress and milestones, the committees and their decisions.

Indicators: the computed ones name a definition of the indicators' catalogue (`maillage.schema.indicateurs`) and
leave their baseline empty: the recomputation (`services_indicateurs.indicateurs_recalculer`, run at the end of the
step) reads it from the demo data at 31/12/2015 (47 structures, 35 CS, 12 EVS, 17,5 M€, ≈ 2,7 M€ of Caf
funding, 2/3 of the CS associative), never typed here. A few manual ones carry typed values.

The application's clock is the real date unless MAILLAGE_AUJOURDHUI is set (the demo does not set it): milestones
due in 2016 and not done show as late, and so do those due later and still open.

Created directly in the models inside `acteur(pilote)` (every row gets its audit entry); organisations through the
accounts' service. Idempotent: skipped when the département's 2016 schéma exists.
"""

import datetime
from dataclasses import dataclass, field
from decimal import Decimal

from django.db import transaction
from django.utils import timezone

from maillage.comptes import services as services_comptes
from maillage.comptes.models import Organisation, Utilisateur
from maillage.core.audit import acteur
from maillage.schema import selectors as selectors_schema
from maillage.schema.models import (
    Axe,
    CommentaireAction,
    Decision,
    DirectionProgres,
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
from maillage.schema.selectors_schema import chiffres_diagnostic
from maillage.schema.services_indicateurs import indicateurs_recalculer
from maillage.structures.models import Structure
from maillage.territoires.models import QPV, Commune, Departement, Regroupement

from . import registre

DEPARTEMENT = "94"
PILOTE = "pilote@demo.maillage.fr"
CONSEILLER = "conseiller@demo.maillage.fr"
PARTENAIRE = "partenaire@demo.maillage.fr"
TITRE = "Schéma directeur de l'animation de la vie sociale du Val-de-Marne 2016-2020"
# Illustrative: the seed only says the schéma was presented on 29/09/2016; a Caf board of June 2016 adopts it here.
DATE_ADOPTION = datetime.date(2016, 6, 21)
JOURNEE_DEPARTEMENTALE = datetime.date(2016, 9, 29)
REFERENCE = datetime.date(2015, 12, 31)
CIBLE = datetime.date(2020, 12, 31)

CAF = "Caf du Val-de-Marne"
CD = "Conseil départemental du Val-de-Marne"
ETAT = "Préfecture du Val-de-Marne — DDCS"
FEDERATION = "Fédération des centres sociaux du Val-de-Marne"
VITRY = "Ville de Vitry-sur-Seine"
VSG = "Ville de Villeneuve-Saint-Georges"
ASSOCIATION = "Association Réseau Parents 94 (fictive)"
SIGNATAIRES = (CAF, ETAT, CD, FEDERATION)

# Pilots and partners besides the signatories (maillage.demo.organisations): two communes and one association.
# Created here rather than with the signatories, so that a demo without the registry keeps only those four.
AUTRES_ORGANISATIONS = [
    (VITRY, Organisation.Type.COMMUNE, ("94081",)),
    (VSG, Organisation.Type.COMMUNE, ("94078",)),
    (ASSOCIATION, Organisation.Type.ASSOCIATION, ("94028", "94081", "94017")),
]

# The seed's words (its list dashes and a broken quote typography aside).
ENJEUX = [
    "Promouvoir et soutenir les espaces de dialogue et de rencontre, réaffirmer les valeurs républicaines",
    "Faciliter l’accès aux droits en renforçant les dispositifs d’accompagnement : développer les permanences au "
    "sein des centres sociaux, promouvoir les démarches d’« aller vers »",
    "Favoriser l’éducation, soutenir la fonction parentale",
    "Favoriser l’inclusion, lutter contre l’isolement",
]
DIRECTIONS = [
    "Le maillage territorial",
    "La présence des acteurs sur les territoires",
    "La participation des habitants",
    "La gouvernance et l’animation partenariale",
]
AXES = [
    "Organiser l’action publique, promouvoir des modes de coopération plus stratégiques",
    "Redonner du sens à l’évaluation, repenser les démarches dans une logique plus collaborative et plus "
    "opérationnelle",
    "Favoriser le développement de l’animation de la vie sociale sur les territoires prioritaires, sécuriser les "
    "gestionnaires",
    "Mettre en commun les expertises, animer le réseau départemental autour des grands enjeux de l’animation de la "
    "vie sociale",
]

d = datetime.date


@dataclass(frozen=True)
class FicheDemo:
    numero: str
    titre: str
    pilote: str
    statut: str
    avancement: int
    debut: datetime.date
    fin: datetime.date
    objectifs: str = ""
    partenaires: tuple[str, ...] = ()
    publics: str = ""
    # (libellé, échéance, fait le or None)
    jalons: tuple[tuple[str, datetime.date, datetime.date | None], ...] = ()
    communes: tuple[str, ...] = ()
    qpv_des_communes: bool = False
    ept: tuple[str, ...] = ()  # SIREN of the EPT the action covers (loaded with the referential)
    structures: tuple[str, ...] = ()
    referent_conseiller: bool = False
    poids: int = 1
    budget: int | None = None
    # (date, author's email, text)
    commentaires: tuple[tuple[datetime.date, str, str], ...] = ()


@dataclass(frozen=True)
class OrientationDemo:
    titre: str
    fiches: list[FicheDemo] = field(default_factory=list)


S = FicheAction.Statut

ORIENTATIONS: dict[int, list[OrientationDemo]] = {
    1: [
        OrientationDemo(
            "Articuler le schéma avec les politiques publiques du territoire",
            [
                FicheDemo(
                    "1.1.1",
                    "Inscrire un volet animation de la vie sociale dans chaque convention territoriale globale",
                    CAF,
                    S.EN_COURS,
                    25,
                    d(2016, 7, 1),
                    d(2019, 12, 31),
                    "Faire des CTG le cadre de l'implantation et du financement des structures avec les communes.",
                    (CD,),
                    "Communes et EPT signataires d'une CTG",
                    (
                        ("Volet AVS des CTG de Créteil et Vitry-sur-Seine", d(2016, 10, 31), d(2016, 10, 20)),
                        ("Volet AVS dans toutes les CTG signées", d(2019, 12, 31), None),
                    ),
                    communes=("94028", "94081"),
                    referent_conseiller=True,
                    poids=2,
                    commentaires=((d(2016, 10, 20), CONSEILLER, "Volets AVS rédigés pour Créteil et Vitry."),),
                ),
                FicheDemo(
                    "1.1.2",
                    "Articuler le schéma et les contrats de ville 2015-2020",
                    ETAT,
                    S.EN_COURS,
                    20,
                    d(2016, 9, 1),
                    d(2020, 12, 31),
                    "Mobiliser les centres sociaux et EVS dans les piliers « cohésion sociale » des contrats de ville.",
                    (CAF, FEDERATION),
                    "Habitants des quartiers prioritaires",
                    (("Recensement des structures présentes dans les QPV", d(2016, 12, 15), None),),
                ),
                FicheDemo(
                    "1.1.3",
                    "Mettre en cohérence le schéma avec le schéma départemental des services aux familles",
                    CD,
                    S.A_LANCER,
                    0,
                    d(2017, 1, 1),
                    d(2017, 12, 31),
                    partenaires=(CAF,),
                    jalons=(("Comité commun des deux schémas", d(2017, 6, 30), None),),
                ),
            ],
        ),
        OrientationDemo(
            "Installer une gouvernance partenariale du schéma",
            [
                FicheDemo(
                    "1.2.1",
                    "Installer le comité de pilotage et le comité technique du schéma",
                    CAF,
                    S.REALISEE,
                    100,
                    d(2016, 6, 21),
                    d(2016, 11, 30),
                    partenaires=(ETAT, CD, FEDERATION),
                    jalons=(
                        ("Première réunion du comité technique", d(2016, 10, 15), d(2016, 10, 13)),
                        ("Première réunion du comité de pilotage", d(2016, 11, 30), d(2016, 11, 17)),
                    ),
                ),
                FicheDemo(
                    "1.2.2",
                    "Présenter le schéma aux partenaires lors de la journée départementale du 29 septembre 2016",
                    CAF,
                    S.REALISEE,
                    100,
                    d(2016, 6, 21),
                    d(2016, 9, 29),
                    "Partager le diagnostic et les orientations avec plus de 150 partenaires ; remettre le schéma.",
                    (FEDERATION, CD, ETAT),
                    "Élus, directions des collectivités, structures, partenaires institutionnels",
                    (("Journée départementale au Perreux-sur-Marne", d(2016, 9, 29), d(2016, 9, 29)),),
                    communes=("94058",),
                ),
                FicheDemo(
                    "1.2.3",
                    "Construire un tableau de bord partagé de suivi du schéma",
                    CAF,
                    S.EN_COURS,
                    30,
                    d(2016, 9, 1),
                    d(2017, 6, 30),
                    partenaires=(FEDERATION,),
                    jalons=(
                        ("Maquette du tableau de bord présentée au comité technique", d(2016, 10, 13), d(2016, 10, 13)),
                        ("Indicateurs de référence 2015 consolidés", d(2016, 11, 15), None),
                    ),
                ),
            ],
        ),
        OrientationDemo(
            "Coordonner les financements de l'animation de la vie sociale",
            [
                FicheDemo(
                    "1.3.1",
                    "Harmoniser les calendriers et les dossiers de demande de financement des partenaires",
                    CD,
                    S.A_LANCER,
                    0,
                    d(2017, 1, 1),
                    d(2018, 6, 30),
                    partenaires=(CAF, ETAT, VITRY),
                    publics="Gestionnaires des centres sociaux et EVS",
                    jalons=(("Dossier unique de demande testé", d(2017, 12, 31), None),),
                ),
            ],
        ),
    ],
    2: [
        OrientationDemo(
            "Construire un référentiel d'évaluation partagé",
            [
                FicheDemo(
                    "2.1.1",
                    "Élaborer avec les structures un référentiel commun d'évaluation des projets sociaux",
                    FEDERATION,
                    S.EN_COURS,
                    35,
                    d(2016, 9, 1),
                    d(2017, 12, 31),
                    "Des critères et des outils d'évaluation partagés par les structures, la Caf et les partenaires.",
                    (CAF,),
                    "Directions et conseils d'administration des centres sociaux et EVS",
                    (
                        ("Groupe de travail installé", d(2016, 9, 15), d(2016, 9, 12)),
                        ("Première version du référentiel", d(2016, 11, 30), None),
                    ),
                    structures=("Centre social des Tilleuls (fictif)", "Centre social des Acacias (fictif)"),
                    poids=2,
                    commentaires=(
                        (d(2016, 10, 5), PARTENAIRE, "Douze structures ont rejoint le groupe de travail."),
                        (d(2016, 11, 28), PARTENAIRE, "La première version glisse à janvier : contributions en cours."),
                    ),
                ),
                FicheDemo(
                    "2.1.2",
                    "Capitaliser les ateliers sur l'évaluation du premier semestre 2016",
                    FEDERATION,
                    S.REALISEE,
                    100,
                    d(2016, 1, 15),
                    d(2016, 9, 29),
                    partenaires=(CAF,),
                    jalons=(("Restitution des ateliers à la journée départementale", d(2016, 9, 29), d(2016, 9, 29)),),
                ),
                FicheDemo(
                    "2.1.3",
                    "Former les équipes et les administrateurs à l'auto-évaluation",
                    FEDERATION,
                    S.A_LANCER,
                    0,
                    d(2017, 3, 1),
                    d(2018, 12, 31),
                    publics="Salariés et bénévoles administrateurs",
                    jalons=(("Premier cycle de formation", d(2017, 6, 30), None),),
                    budget=15000,
                ),
            ],
        ),
        OrientationDemo(
            "Simplifier et harmoniser les démarches d'agrément",
            [
                FicheDemo(
                    "2.2.1",
                    "Harmoniser le calendrier des renouvellements d'agrément et la trame des projets sociaux",
                    CAF,
                    S.EN_COURS,
                    40,
                    d(2016, 7, 1),
                    d(2017, 12, 31),
                    partenaires=(FEDERATION,),
                    jalons=(
                        ("Calendrier des renouvellements 2017-2018 établi", d(2016, 9, 30), d(2016, 9, 26)),
                        ("Trame commune de projet social diffusée", d(2017, 3, 31), None),
                    ),
                    referent_conseiller=True,
                ),
            ],
        ),
        OrientationDemo(
            "Valoriser les données de l'observatoire SENACS",
            [
                FicheDemo(
                    "2.3.1",
                    "Porter à 100 % le taux de réponse des structures à l'observatoire SENACS",
                    FEDERATION,
                    S.EN_COURS,
                    60,
                    d(2016, 3, 1),
                    d(2020, 6, 30),
                    partenaires=(CAF,),
                    jalons=(("Campagne 2016 close et relue", d(2016, 7, 15), d(2016, 7, 15)),),
                ),
                FicheDemo(
                    "2.3.2",
                    "Restituer les résultats de l'observatoire aux structures et aux partenaires",
                    CAF,
                    S.EN_COURS,
                    50,
                    d(2016, 9, 1),
                    d(2020, 12, 31),
                    partenaires=(FEDERATION, CD),
                    jalons=(("Plaquette départementale 2016 publiée", d(2016, 9, 15), d(2016, 9, 15)),),
                ),
            ],
        ),
    ],
    3: [
        OrientationDemo(
            "Couvrir les territoires prioritaires sans structure",
            [
                FicheDemo(
                    "3.1.1",
                    "Réaliser un diagnostic de territoire à Boissy-Saint-Léger et à Valenton",
                    CAF,
                    S.EN_COURS,
                    15,
                    d(2016, 9, 1),
                    d(2017, 6, 30),
                    "Établir avec les communes l'opportunité d'un centre social ou d'un espace de vie sociale.",
                    (CD, ETAT),
                    "Habitants des communes sans structure",
                    (
                        ("Diagnostic de Boissy-Saint-Léger", d(2016, 10, 31), None),
                        ("Diagnostic de Valenton", d(2017, 3, 31), None),
                    ),
                    communes=("94004", "94074"),
                    qpv_des_communes=True,
                    ept=("200058006",),  # Grand Paris Sud Est Avenir
                    poids=3,
                ),
                FicheDemo(
                    "3.1.2",
                    "Accompagner l'ouverture de l'espace de vie sociale Le Préau",
                    CAF,
                    S.REALISEE,
                    100,
                    d(2016, 1, 1),
                    d(2016, 9, 1),
                    partenaires=(FEDERATION,),
                    jalons=(("Premier agrément animation locale", d(2016, 9, 1), d(2016, 7, 5)),),
                    structures=("Espace de vie sociale Le Préau (fictif)",),
                ),
                FicheDemo(
                    "3.1.3",
                    "Étudier l'implantation d'un second centre social à Villeneuve-Saint-Georges",
                    VSG,
                    S.A_LANCER,
                    0,
                    d(2017, 1, 1),
                    d(2018, 12, 31),
                    partenaires=(CAF, ETAT),
                    jalons=(("Étude d'opportunité présentée au comité technique", d(2017, 10, 31), None),),
                    communes=("94078",),
                    qpv_des_communes=True,
                ),
            ],
        ),
        OrientationDemo(
            "Renforcer la présence dans les quartiers prioritaires",
            [
                FicheDemo(
                    "3.2.1",
                    "Développer les actions « hors les murs » et les démarches d'« aller vers » dans les QPV",
                    FEDERATION,
                    S.EN_COURS,
                    20,
                    d(2016, 9, 1),
                    d(2019, 12, 31),
                    partenaires=(CAF, ETAT),
                    publics="Habitants éloignés des structures",
                    jalons=(("Recensement des actions hors les murs existantes", d(2016, 11, 30), d(2016, 11, 25)),),
                    communes=("94081", "94017", "94041"),
                    ept=("200058014",),  # Grand-Orly Seine Bièvre
                    commentaires=((d(2016, 11, 25), PARTENAIRE, "Recensement fait : 19 actions dans 11 structures."),),
                ),
                FicheDemo(
                    "3.2.2",
                    "Développer les permanences d'accès aux droits dans les centres sociaux",
                    CAF,
                    S.EN_COURS,
                    30,
                    d(2016, 6, 1),
                    d(2018, 12, 31),
                    partenaires=(CD, FEDERATION),
                    publics="Allocataires et familles éloignés des services publics",
                    jalons=(
                        ("Cinq permanences ouvertes", d(2016, 12, 31), None),
                        ("Une permanence dans chaque centre social en QPV", d(2018, 12, 31), None),
                    ),
                    communes=("94028", "94076"),
                    poids=2,
                ),
            ],
        ),
        OrientationDemo(
            "Sécuriser les gestionnaires",
            [
                FicheDemo(
                    "3.3.1",
                    "Accompagner les associations gestionnaires fragiles (dispositif local d'accompagnement)",
                    ETAT,
                    S.REPORTEE,
                    5,
                    d(2016, 9, 1),
                    d(2017, 12, 31),
                    partenaires=(FEDERATION, CAF),
                    jalons=(("Repérage des associations fragiles", d(2016, 10, 31), None),),
                    commentaires=((d(2016, 11, 10), PILOTE, "Reporté à 2017 : appel d'offres du DLA à relancer."),),
                ),
                FicheDemo(
                    "3.3.2",
                    "Soutenir la fonction employeur et former les bénévoles administrateurs",
                    FEDERATION,
                    S.EN_COURS,
                    25,
                    d(2016, 9, 1),
                    d(2019, 12, 31),
                    partenaires=(CAF,),
                    publics="Présidents, trésoriers et administrateurs des associations gestionnaires",
                    jalons=(("Premier module de formation des administrateurs", d(2016, 11, 19), d(2016, 11, 19)),),
                    budget=20000,
                ),
            ],
        ),
    ],
    4: [
        OrientationDemo(
            "Animer le réseau départemental",
            [
                FicheDemo(
                    "4.1.1",
                    "Organiser chaque année une journée départementale de l'animation de la vie sociale",
                    CAF,
                    S.EN_COURS,
                    20,
                    d(2016, 1, 1),
                    d(2020, 12, 31),
                    partenaires=(FEDERATION, CD, ETAT),
                    jalons=(
                        ("Journée départementale 2016", d(2016, 9, 29), d(2016, 9, 29)),
                        ("Journée départementale 2017", d(2017, 10, 15), None),
                    ),
                ),
                FicheDemo(
                    "4.1.2",
                    "Créer des groupes d'échanges de pratiques (parentalité, accès aux droits, jeunesse)",
                    FEDERATION,
                    S.EN_COURS,
                    15,
                    d(2016, 10, 1),
                    d(2018, 12, 31),
                    partenaires=(CAF, ASSOCIATION),
                    publics="Professionnels des centres sociaux et EVS",
                    jalons=(("Premier groupe d'échanges réuni", d(2016, 12, 15), None),),
                ),
                FicheDemo(
                    "4.1.3",
                    "Renforcer la participation des habitants à la gouvernance des structures",
                    FEDERATION,
                    S.A_LANCER,
                    0,
                    d(2017, 1, 1),
                    d(2020, 12, 31),
                    publics="Habitants usagers et bénévoles",
                    jalons=(("Rencontre départementale des administrateurs habitants", d(2017, 5, 31), None),),
                ),
            ],
        ),
        OrientationDemo(
            "Partager les expertises sur les grands enjeux",
            [
                FicheDemo(
                    "4.2.1",
                    "Former les professionnels aux valeurs de la République et à la laïcité",
                    ETAT,
                    S.EN_COURS,
                    30,
                    d(2016, 6, 1),
                    d(2018, 6, 30),
                    partenaires=(CAF, FEDERATION),
                    publics="Animateurs, directeurs et bénévoles des structures",
                    jalons=(("Deux sessions de formation", d(2016, 12, 31), None),),
                ),
                FicheDemo(
                    "4.2.2",
                    "Développer les actions de soutien à la parentalité avec le réseau d'écoute et d'appui aux parents",
                    ASSOCIATION,
                    S.EN_COURS,
                    20,
                    d(2016, 9, 1),
                    d(2019, 6, 30),
                    partenaires=(CAF, CD),
                    publics="Parents d'enfants et d'adolescents",
                    communes=("94028", "94081", "94017"),
                ),
                FicheDemo(
                    "4.2.3",
                    "Lutter contre l'isolement des personnes âgées avec les CCAS",
                    VITRY,
                    S.A_LANCER,
                    0,
                    d(2017, 1, 1),
                    d(2018, 12, 31),
                    partenaires=(CAF,),
                    publics="Personnes âgées isolées",
                    jalons=(("Convention entre le CCAS et les centres sociaux de la ville", d(2017, 6, 30), None),),
                    communes=("94081",),
                    structures=("Centre social des Tilleuls (fictif)",),
                ),
            ],
        ),
    ],
}

# (code, libellé, unité, sens, définition, paramètres, cible at 31/12/2020, axe or None) — computed from the data.
INDICATEURS_CALCULES = [
    ("STRUCTURES", "Structures de l'animation de la vie sociale actives", "structures", "hausse",
     "structures_actives", {}, 54, None),
    ("CS", "Centres sociaux actifs", "structures", "hausse",
     "structures_actives", {"type": "centre_social"}, 38, None),
    ("EVS", "Espaces de vie sociale actifs", "structures", "hausse", "structures_actives", {"type": "evs"}, 16, None),
    ("PART_CS_ASSO", "Part des centres sociaux à gestion associative", "%", "hausse",
     "part_cs_gestion_associative", {}, 66.7, 3),
    ("BUDGET", "Budget cumulé des structures (budgets réalisés)", "€", "hausse", "budget_cumule", {}, 19500000, None),
    ("FINANCEMENT_CAF", "Financement de la Caf", "€", "hausse", "financement_caf", {}, 3200000, None),
    ("POPULATION_COUVERTE", "Part de la population couverte par une structure", "%", "hausse",
     "part_population_couverte", {}, 95, 3),
    ("COMMUNES_SANS", "Communes sans structure", "communes", "baisse", "communes_sans_structure", {}, 12, 3),
    ("QPV_SANS", "Quartiers prioritaires sans structure", "QPV", "baisse", "qpv_sans_structure", {}, 0, 3),
    ("TAUX_REPONSE", "Taux de réponse à l'observatoire SENACS", "%", "hausse",
     "taux_reponse_observatoire", {}, 100, 2),
    ("BENEVOLES", "Bénévoles des structures (activité et gouvernance)", "bénévoles", "hausse",
     "benevoles", {}, 1800, 4),
]  # fmt: skip

# (code, libellé, unité, valeur de référence, cible, rattachement ("axe", n) or ("fiche", numéro), typed values)
INDICATEURS_SAISIS = [
    ("CTG_VOLET_AVS", "Conventions territoriales globales avec un volet animation de la vie sociale", "CTG", 0, 12,
     ("fiche", "1.1.1"), [(d(2016, 10, 31), 2, "Créteil et Vitry-sur-Seine.")]),
    ("RENCONTRES_RESEAU", "Rencontres départementales du réseau (journées, ateliers)", "rencontres", 2, 6,
     ("axe", 4), [(d(2016, 12, 31), 4, "Journée départementale du 29/09/2016 et trois ateliers sur l'évaluation.")]),
    ("REFERENTIEL_EVALUATION", "Structures engagées dans le référentiel d'évaluation partagé", "structures", 0, 47,
     ("fiche", "2.1.1"), [(d(2016, 10, 5), 12, "Membres du groupe de travail."),
                          (d(2016, 11, 30), 14, "Deux structures de plus après la journée départementale.")]),
]  # fmt: skip

PRESENTATION = (
    "Piloté par la Caf du Val-de-Marne avec l'État, le Conseil départemental et la Fédération des centres sociaux, "
    "le schéma directeur fixe pour 2016-2020 les enjeux et les orientations de l'animation de la vie sociale du "
    "département. Son élaboration a été accompagnée par le cabinet TMO Régions ; il a été présenté et remis aux "
    "partenaires lors de la journée départementale du 29 septembre 2016 au Perreux-sur-Marne. "
    "Démonstration : les orientations, les fiches actions, leurs pilotes et leur avancement sont fictifs."
)
RESUME_DIAGNOSTIC = (
    "Un réseau dense mais inégalement réparti : les centres sociaux, en majorité associatifs, sont implantés dans "
    "les grandes communes de la petite couronne ; plusieurs communes et quartiers prioritaires du sud et de l'est "
    "du département restent sans structure. Les partenaires attendent une gouvernance partenariale plus "
    "stratégique, une évaluation redonnant du sens aux projets et un réseau départemental animé. Les chiffres "
    "ci-dessous sont ceux du registre et du diagnostic au 31 décembre 2015, figés à l'adoption."
)


def demo_presente() -> bool:
    return Schema.objects.filter(departement_id=DEPARTEMENT, debut=2016).exists()


def charger(*, annoncer=print) -> dict:
    """Create the SDAVS 2016-2020 of the demo (idempotent), then bring its computed indicators up to date."""
    if demo_presente():
        annoncer("  schéma 2016-2020 déjà chargé.")
        return {"ignore": True, **resume()}
    pilote = Utilisateur.objects.filter(email=PILOTE).first()
    departement = Departement.objects.filter(code=DEPARTEMENT).first()
    if pilote is None or departement is None or not registre.demo_presente():
        annoncer("  comptes, territoires ou structures de démonstration absents : schéma non créé.")
        return {"ignore": True, **resume()}
    with transaction.atomic(), acteur(pilote):
        schema = _ecrire(pilote, departement, _organisations(pilote, departement))
    # Baselines at 31/12/2015, yearly values and today's, computed from the demo data by the catalogue.
    indicateurs_recalculer(schema=schema)
    return resume()


def resume() -> dict:
    schema = Schema.objects.filter(departement_id=DEPARTEMENT, debut=2016).first()
    if schema is None:
        return {"fiches": 0, "indicateurs": 0, "decisions": 0}
    return {
        "schema": schema.pk,
        "fiches": schema.fiches.count(),
        "indicateurs": schema.indicateurs.count(),
        "decisions": Decision.objects.filter(reunion__instance__schema=schema).count(),
    }


def _organisations(pilote, departement) -> dict[str, Organisation]:
    existantes = {o.nom: o for o in Organisation.objects.filter(departement=departement)}
    for nom, type_, codes in AUTRES_ORGANISATIONS:
        if nom not in existantes:
            existantes[nom] = services_comptes.organisation_creer(
                par=pilote,
                nom=nom,
                type=type_,
                departement=departement,
                communes=Commune.objects.filter(code__in=codes),
            )
    manquantes = {*SIGNATAIRES} - set(existantes)
    if manquantes:
        raise RuntimeError(f"Organisations de démonstration absentes : {', '.join(sorted(manquantes))}.")
    return existantes


def _moment(jour: datetime.date, heure: int = 10) -> datetime.datetime:
    return timezone.make_aware(datetime.datetime(jour.year, jour.month, jour.day, heure, 0))


def _ecrire(pilote, departement, organisations: dict[str, Organisation]) -> Schema:
    comptes = {u.email: u for u in Utilisateur.objects.filter(email__in=[PILOTE, CONSEILLER, PARTENAIRE])}
    schema = Schema.objects.create(
        departement=departement,
        titre=TITRE,
        debut=2016,
        fin=2020,
        statut=Schema.Statut.EN_COURS,
        date_adoption=DATE_ADOPTION,
        realise_par="Cabinet TMO Régions",
        presentation=PRESENTATION,
        resume_diagnostic=RESUME_DIAGNOSTIC,
        # The diagnostic the schéma was built on: the registry and coverage at 31/12/2015, frozen at adoption.
        diagnostic_fige={
            **chiffres_diagnostic(DEPARTEMENT, REFERENCE, annee_budgets=REFERENCE.year),
            "fige_le": DATE_ADOPTION.isoformat(),
        },
    )
    schema.signataires.set([organisations[nom] for nom in SIGNATAIRES])
    TransitionSchema.objects.bulk_create(
        [
            TransitionSchema(
                schema=schema,
                de="",
                vers=Schema.Statut.EN_ELABORATION,
                date=d(2015, 9, 1),
                par=pilote,
                commentaire="Lancement de l'élaboration, accompagnée par le cabinet TMO Régions (date illustrative).",
            ),
            TransitionSchema(
                schema=schema,
                de=Schema.Statut.EN_ELABORATION,
                vers=Schema.Statut.ADOPTE,
                date=DATE_ADOPTION,
                par=pilote,
                commentaire="Adopté par le conseil d'administration de la Caf (date illustrative).",
            ),
            TransitionSchema(
                schema=schema,
                de=Schema.Statut.ADOPTE,
                vers=Schema.Statut.EN_COURS,
                date=JOURNEE_DEPARTEMENTALE,
                par=pilote,
                commentaire="Présenté et remis aux partenaires lors de la journée départementale.",
            ),
        ]
    )
    for numero, titre in enumerate(ENJEUX, 1):
        Enjeu.objects.create(schema=schema, numero=numero, titre=titre)
    for numero, titre in enumerate(DIRECTIONS, 1):
        DirectionProgres.objects.create(schema=schema, numero=numero, titre=titre)
    fiches: dict[str, FicheAction] = {}
    axes: dict[int, Axe] = {}
    structures = {s.nom: s for s in Structure.objects.filter(departement_id=DEPARTEMENT, est_demo=True)}
    for numero_axe, titre in enumerate(AXES, 1):
        axe = axes[numero_axe] = Axe.objects.create(schema=schema, numero=numero_axe, titre=titre)
        for numero_orientation, modele in enumerate(ORIENTATIONS[numero_axe], 1):
            orientation = Orientation.objects.create(axe=axe, numero=numero_orientation, titre=modele.titre)
            for f in modele.fiches:
                fiches[f.numero] = _fiche(schema, orientation, f, organisations, comptes, structures)
    _gouvernance(schema, organisations, comptes, fiches)
    _indicateurs(schema, axes, fiches, pilote)
    return schema


def _fiche(schema, orientation, f: FicheDemo, organisations, comptes, structures) -> FicheAction:
    fiche = FicheAction.objects.create(
        schema=schema,
        orientation=orientation,
        numero=f.numero,
        titre=f.titre,
        objectifs=f.objectifs,
        description="Fiche action fictive de démonstration.",
        pilote=organisations[f.pilote],
        publics=f.publics,
        debut=f.debut,
        fin=f.fin,
        statut=f.statut,
        avancement=f.avancement,
        poids=f.poids,
        budget=Decimal(f.budget) if f.budget else None,
        fictive=True,
    )
    fiche.partenaires.set([organisations[nom] for nom in f.partenaires])
    if f.referent_conseiller and CONSEILLER in comptes:
        fiche.referents.set([comptes[CONSEILLER]])
    communes = list(Commune.objects.filter(code__in=f.communes))
    fiche.communes.set(communes)
    if f.qpv_des_communes:
        # The demo holds the 2024 QPV list only: the quartiers of these communes stand for those of 2016.
        fiche.qpv.set(QPV.objects.filter(communes__in=communes).distinct())
    fiche.regroupements.set(Regroupement.objects.filter(type=Regroupement.Type.EPT, code__in=f.ept))
    fiche.structures.set([structures[nom] for nom in f.structures if nom in structures])
    Jalon.objects.bulk_create(
        [
            Jalon(fiche=fiche, libelle=libelle, echeance=echeance, fait=fait_le is not None, fait_le=fait_le)
            for libelle, echeance, fait_le in f.jalons
        ]
    )
    for jour, email, texte in f.commentaires:
        auteur = comptes.get(email)
        commentaire = CommentaireAction.objects.create(
            fiche=fiche,
            auteur=auteur,
            auteur_libelle=_libelle(auteur),
            texte=texte,
            statut=f.statut,
            avancement=f.avancement,
        )
        # `le` is set on creation (auto_now_add): date the history afterwards.
        CommentaireAction.objects.filter(pk=commentaire.pk).update(le=_moment(jour, 17))
    return fiche


def _libelle(compte) -> str:
    if compte is None:
        return ""
    organisation = compte.organisation.nom if compte.organisation_id else compte.organisme
    return f"{compte.get_full_name()} ({organisation})"


def _gouvernance(schema, organisations, comptes, fiches: dict[str, FicheAction]) -> None:
    signataires = [organisations[nom] for nom in SIGNATAIRES]
    membres = [comptes[e] for e in (PILOTE, PARTENAIRE) if e in comptes]
    copil = Instance.objects.create(
        schema=schema,
        type=Instance.Type.COPIL,
        nom="Comité de pilotage du schéma directeur",
        mission="Oriente la mise en œuvre du schéma, arbitre les priorités et suit l'avancement des actions.",
    )
    copil.organisations.set(signataires)
    copil.membres.set(membres)
    cotech = Instance.objects.create(
        schema=schema,
        type=Instance.Type.COTECH,
        nom="Comité technique du schéma directeur",
        mission="Prépare les comités de pilotage, suit les fiches actions et propose les ajustements.",
    )
    cotech.organisations.set(signataires)
    cotech.membres.set([comptes[e] for e in (PILOTE, CONSEILLER, PARTENAIRE) if e in comptes])

    arbre = selectors_schema.arbre(schema)
    avancements = {
        "schema": arbre.avancement,
        "axes": {str(noeud.axe.numero): noeud.avancement for noeud in arbre.axes},
    }
    reunion_cotech = Reunion.objects.create(
        instance=cotech,
        date=_moment(d(2016, 10, 13), 9),
        lieu="Caf du Val-de-Marne, Créteil",
        ordre_du_jour=(
            "1. Retour sur la journée départementale\n2. Maquette du tableau de bord\n3. Préparation du COPIL"
        ),
        compte_rendu="Maquette du tableau de bord présentée ; indicateurs de référence 2015 à consolider (fictif).",
        avancements_figes={"date": "2016-10-13", **avancements},
    )
    reunion_cotech.organisations_presentes.set(signataires)
    reunion_cotech.presents.set([comptes[e] for e in (PILOTE, CONSEILLER, PARTENAIRE) if e in comptes])
    decision = Decision.objects.create(
        reunion=reunion_cotech,
        texte="Présenter au comité de pilotage la maquette du tableau de bord de suivi du schéma.",
        responsable=organisations[CAF],
        echeance=d(2016, 11, 17),
        statut=Decision.Statut.FAITE,
    )
    decision.fiches.set([fiches["1.2.3"]])

    reunion = Reunion.objects.create(
        instance=copil,
        date=_moment(d(2016, 11, 17), 14),
        lieu="Caf du Val-de-Marne, Créteil — salle du conseil",
        ordre_du_jour=(
            "1. Installation du comité de pilotage\n2. Bilan de la journée départementale du 29 septembre\n"
            "3. Avancement des fiches actions\n4. Priorités 2017"
        ),
        compte_rendu=(
            "Le comité installe la gouvernance du schéma, salue la dynamique de la journée départementale et "
            "retient quatre décisions (compte rendu fictif de démonstration)."
        ),
        avancements_figes={"date": "2016-11-17", **avancements},
    )
    reunion.organisations_presentes.set(signataires)
    reunion.presents.set(membres)
    for texte, numeros, responsable, echeance, statut in [
        (
            "Valider au prochain comité le référentiel commun d'évaluation ; la Fédération consolide les "
            "contributions des structures.",
            ["2.1.1"],
            FEDERATION,
            d(2017, 3, 31),
            Decision.Statut.EN_COURS,
        ),
        (
            "Lancer les diagnostics de territoire de Boissy-Saint-Léger et de Valenton avant la fin du premier "
            "trimestre 2017.",
            ["3.1.1"],
            CAF,
            d(2017, 3, 31),
            Decision.Statut.A_FAIRE,
        ),
        (
            "Inscrire un volet animation de la vie sociale dans les conventions territoriales globales en cours de "
            "négociation.",
            ["1.1.1"],
            CAF,
            d(2017, 6, 30),
            Decision.Statut.EN_COURS,
        ),
        (
            "Réunir les premiers groupes d'échanges de pratiques sur l'accès aux droits et la parentalité avant "
            "l'été 2017.",
            ["4.1.2", "3.2.2"],
            FEDERATION,
            d(2017, 6, 30),
            Decision.Statut.A_FAIRE,
        ),
    ]:
        decision = Decision.objects.create(
            reunion=reunion, texte=texte, responsable=organisations[responsable], echeance=echeance, statut=statut
        )
        decision.fiches.set([fiches[n] for n in numeros])


def _indicateurs(schema, axes: dict[int, Axe], fiches: dict[str, FicheAction], pilote) -> None:
    ordre = 0
    for code, libelle, unite, sens, definition, parametres, cible, axe in INDICATEURS_CALCULES:
        ordre += 1
        Indicateur.objects.create(
            schema=schema,
            axe=axes[axe] if axe else None,
            code=code,
            libelle=libelle,
            unite=unite,
            sens=sens,
            source=Indicateur.Source.CALCULE,
            definition=definition,
            parametres=parametres,
            reference_date=REFERENCE,
            cible_valeur=Decimal(str(cible)),
            cible_date=CIBLE,
            ordre=ordre,
        )
    for code, libelle, unite, reference, cible, (rattachement, cle), valeurs in INDICATEURS_SAISIS:
        ordre += 1
        indicateur = Indicateur.objects.create(
            schema=schema,
            axe=axes[cle] if rattachement == "axe" else None,
            fiche=fiches[cle] if rattachement == "fiche" else None,
            code=code,
            libelle=libelle,
            unite=unite,
            source=Indicateur.Source.MANUEL,
            reference_valeur=Decimal(reference),
            reference_date=REFERENCE,
            cible_valeur=Decimal(cible),
            cible_date=CIBLE,
            ordre=ordre,
        )
        for jour, valeur, commentaire in valeurs:
            ValeurIndicateur.objects.create(
                indicateur=indicateur,
                date=jour,
                valeur=Decimal(valeur),
                source=Indicateur.Source.MANUEL,
                auteur=pilote,
                commentaire=commentaire,
            )
