"""The demo's network and events: the departmental day of 29 September 2016 and the 2016 evaluation workshops.

From the founding document (shared seed, « Retour sur la journée départementale de l'animation de la vie
sociale », Communication caf94, 21/11/2016): the Caf du Val-de-Marne invited its partners to a day at the Centre
des Bords de Marne (Le Perreux-sur-Marne) on 29/09/2016; more than 150 took part (élus and directors of local
authorities, Conseil départemental, Préfecture, DDCS, centres sociaux and EVS, CCAS, associations, RAM, Caf
professionals); the morning presented the SDAVS 2016-2020, the partners spoke, the afternoon was about
evaluation (a sociologist's talk, the restitution of the workshops held in the first half of 2016 by two centre
directors, a debate). The venue's address is the real public one.

Everything that names a person is FICTIONAL and says so: the speakers are named by function with « (nom fictif) »,
the annuaire and the registrants are invented (origin « démonstration », addresses @exemple.fr), the workshops'
dates, places (fictional centres of the demo registry) and restitutions are illustrative. The news post is the
founding document's own text.

Built through the réseau's services (`evenement_creer`, `session_ajouter`, `serie_creer`, `inscription_creer`,
`inscription_annuler`, `inscription_sur_place`, `personne_creer`, `ressource_creer`, `actualite_creer`), with
three liberties, said here:
- the events are created with the clock pinned to January 2016 (`_horloge`): the service refuses to create an
  event already past, and the demo tells the story as it happened; the late registrations of the day (waiting
  list) are entered by the organisers a week before it, under the same pinned clock;
- no e-mail leaves (`notifications.en_silence`): the registrants are fictional;
- afterwards, the registrations' timestamps (registered, cancelled, checked in) are moved into 2016 in one
  `bulk_update` (the services stamp the real instant); the mailing list is written in its model (its service
  belongs to the annuaire's module).

Idempotent: skipped when the day exists. One transaction: all or nothing.
"""

import contextlib
import datetime
import random
import time
from dataclasses import dataclass

from django.db import transaction
from django.test.utils import override_settings
from django.urls import reverse
from django.utils import timezone

from maillage.comptes.models import Organisation, Utilisateur
from maillage.core.audit import acteur
from maillage.core.courriels import lien_absolu
from maillage.reseau import notifications, services
from maillage.reseau.models import (
    Actualite,
    BaseLegale,
    Categorie,
    Evenement,
    Inscription,
    ListeDiffusion,
    Personne,
    Ressource,
    SerieAteliers,
    SessionProgramme,
)
from maillage.reseau.selectors import statistiques
from maillage.schema.models import Schema
from maillage.structures.models import ModeGestion, Structure, TypeStructure
from maillage.territoires.models import Commune, Departement

DEPARTEMENT = "94"
PILOTE = "pilote@demo.maillage.fr"
CONSEILLER = "conseiller@demo.maillage.fr"

TITRE_JOURNEE = "Journée départementale de l'animation de la vie sociale"
JOUR = datetime.date(2016, 9, 29)
LIEU = "Centre des Bords de Marne"
ADRESSE = "2 rue de la Prairie, 94170 Le Perreux-sur-Marne"
COMMUNE_LIEU = "94058"  # Le Perreux-sur-Marne
POSITION = (2.5036, 48.8370)  # lon, lat (approximate)
CAPACITE = 180
TITRE_SERIE = "Ateliers d'évaluation des projets sociaux — 1er semestre 2016"
SIGNATURE = "Communication caf94"
DATE_ACTUALITE = datetime.date(2016, 11, 21)
# When the organisers create the events and open registrations (illustrative).
CREATION = datetime.date(2016, 1, 11)
# The next workshop, still ahead on the demo's day (15/10/2016): announced on 23/09, one place left.
TITRE_A_VENIR = "Atelier : associer les habitants au projet social"
A_VENIR = datetime.date(2016, 11, 17)
A_VENIR_ANNONCE = datetime.date(2016, 9, 23)
A_VENIR_PLACES = 25
ATTENTE = datetime.date(2016, 9, 22)

CAF = "Caf du Val-de-Marne"
CD = "Conseil départemental du Val-de-Marne"
ETAT = "Préfecture du Val-de-Marne — DDCS"
FEDERATION = "Fédération des centres sociaux du Val-de-Marne"
ASSOCIATION = "Association Réseau Parents 94 (fictive)"
CRETEIL, VITRY, IVRY = "94028", "94081", "94041"

FICTIF = " (nom fictif)"

# --- The day's programme (the founding document's sequence; times illustrative, names fictional) -------------

T = SessionProgramme.Type


@dataclass(frozen=True)
class SessionDemo:
    debut: str
    fin: str
    titre: str
    type: str
    description: str = ""
    # (nom, fonction, organisation)
    intervenants: tuple[tuple[str, str, str], ...] = ()
    salle: str = "Grande salle"


PROGRAMME = [
    SessionDemo("09:00", "09:30", "Accueil des participants", T.PAUSE, "Émargement à l'entrée, café.", salle="Hall"),
    SessionDemo(
        "09:30", "09:50", "Ouverture de la journée", T.INTERVENTION,
        "L'animation de la vie sociale, levier fort de l'action sociale et de la cohésion sociale.",
        (("Bernard Lefort" + FICTIF, "Directeur de la Caf du Val-de-Marne", CAF),),
    ),
    SessionDemo(
        "09:50", "11:00", "Présentation du schéma directeur de l'animation de la vie sociale 2016-2020", T.PLENIERE,
        "Éléments de diagnostic, 4 enjeux, 4 directions de progrès et 4 axes d'orientation ; échanges avec les "
        "participants et remise du schéma aux partenaires.",
        (
            ("Michel Garance" + FICTIF, "Consultant, accompagnement de l'élaboration du schéma", "Cabinet TMO Régions"),
            ("Claire Fontaine" + FICTIF, "Responsable de l'animation de la vie sociale", CAF),
        ),
    ),
    SessionDemo(
        "11:00", "12:15", "Paroles de partenaires : attentes et gouvernance partenariale", T.TABLE_RONDE,
        "Les partenaires qui ont contribué à la construction du schéma expriment leurs attentes et leur volonté de "
        "poursuivre une gouvernance partenariale.",
        (
            ("Jean-Marc Delorme" + FICTIF, "Vice-président", CD),
            ("Hervé Castagne" + FICTIF, "Directeur départemental de la cohésion sociale", ETAT),
            ("Samir Benhamou" + FICTIF, "Président", FEDERATION),
        ),
    ),
    SessionDemo("12:15", "13:45", "Déjeuner", T.PAUSE, salle="Foyer"),
    SessionDemo(
        "13:45", "14:30", "L'évaluation : éclairage conceptuel", T.INTERVENTION,
        "Redonner du sens à l'évaluation, repenser les démarches dans une logique plus collaborative et plus "
        "opérationnelle (axe 2 du schéma).",
        (("Pierre Aubrac" + FICTIF, "Sociologue", ""),),
    ),
    SessionDemo(
        "14:30", "15:15", "Restitution des ateliers d'évaluation du 1er semestre 2016", T.PLENIERE,
        "Ce que les cinq ateliers menés de février à juin 2016 ont produit.",
        (
            ("Martine Provost" + FICTIF, "Directrice de centre social", "Centre social des Tilleuls (fictif)"),
            ("Gilles Aymard" + FICTIF, "Directeur de centre social", "Centre social des Acacias (fictif)"),
        ),
    ),
    SessionDemo(
        "15:15", "16:30", "Débat avec les participants", T.DEBAT,
        "Réflexions à mettre en perspective : partenariat, participation des habitants, développement local, "
        "« aller vers » de nouveaux publics et territoires, accompagnement des parents.",
        (("Claire Fontaine" + FICTIF, "Animation", CAF),),
    ),
    SessionDemo(
        "16:30", "17:00", "Clôture : une dynamique partenariale et les prochaines rencontres de travail",
        T.INTERVENTION, intervenants=(("Bernard Lefort" + FICTIF, "Directeur de la Caf du Val-de-Marne", CAF),),
    ),
]  # fmt: skip

DESCRIPTION_JOURNEE = (
    "La Caf du Val-de-Marne, pilote du schéma directeur de l'animation de la vie sociale, convie ses partenaires "
    "institutionnels, communaux et locaux mobilisés sur l'animation de la vie sociale, le soutien à la parentalité "
    "et la prévention spécialisée : échanger sur les actualités de l'animation de la vie sociale, partager des "
    "expériences, réinterroger les pratiques (partenariat, participation des habitants, développement local, "
    "démarches pour aller vers de nouveaux publics et de nouveaux territoires, accompagnement des parents).\n\n"
    "Le matin : présentation du schéma directeur 2016-2020 et paroles de partenaires. L'après-midi : l'évaluation, "
    "avec l'éclairage d'un sociologue et la restitution des ateliers du premier semestre 2016.\n\n"
    "Démonstration : les intervenants portent des noms fictifs ; les inscrits sont fictifs."
)
PUBLIC_VISE = (
    "Élus et directions des collectivités, Conseil départemental, Préfecture, DDCS, centres sociaux et EVS, CCAS, "
    "associations, relais petite enfance, professionnels de la Caf"
)

# --- The workshops (dates, hosts and restitutions illustrative) ------------------------------------------------


@dataclass(frozen=True)
class AtelierDemo:
    jour: datetime.date
    titre: str
    structure: str  # a fictional centre of the demo registry
    restitution: str


ATELIERS = [
    AtelierDemo(
        datetime.date(2016, 2, 9),
        "Atelier 1 — Évaluer avec les partenaires",
        "Centre social des Tilleuls (fictif)",
        "Le groupe a partagé les attentes de chaque financeur et constaté des demandes d'évaluation redondantes. "
        "Piste retenue : un socle commun d'éléments attendus par la Caf, le Conseil départemental et les communes, "
        "discuté en comité de pilotage local plutôt que produit pour chacun.",
    ),
    AtelierDemo(
        datetime.date(2016, 3, 15),
        "Atelier 2 — La participation des habitants à l'évaluation",
        "Centre social des Acacias (fictif)",
        "Les habitants participent aux actions mais rarement à leur évaluation. Outils partagés : questionnaires "
        "co-construits, temps de bilan festifs, habitants associés au comité de pilotage du projet social.",
    ),
    AtelierDemo(
        datetime.date(2016, 4, 12),
        "Atelier 3 — Développement local et « aller vers »",
        "Espace de vie sociale La Ruche (fictif)",
        "Comment rendre compte des démarches pour aller vers de nouveaux publics et de nouveaux territoires : "
        "repérer les publics absents, suivre les permanences hors les murs, valoriser le travail de réseau.",
    ),
    AtelierDemo(
        datetime.date(2016, 5, 24),
        "Atelier 4 — Évaluer les actions d'accompagnement des parents",
        "Centre social des Peupliers (fictif)",
        "Les actions familles se prêtent mal aux indicateurs de volume. Le groupe propose des repères qualitatifs "
        "(place des parents, liens avec l'école, orientation vers les partenaires) à partager avec les référents "
        "familles.",
    ),
    AtelierDemo(
        datetime.date(2016, 6, 21),
        "Atelier 5 — Synthèse : une évaluation plus collaborative et plus opérationnelle",
        "Centre social des Marronniers (fictif)",
        "Synthèse des quatre ateliers, préparée pour la journée départementale du 29 septembre 2016 : redonner du "
        "sens à l'évaluation (axe 2 du schéma directeur), la penser avec les partenaires et les habitants, "
        "l'outiller simplement.",
    ),
]
DESCRIPTION_SERIE = (
    "Cinq ateliers entre février et juin 2016, réunissant directions de centres sociaux et d'espaces de vie "
    "sociale, conseillers de la Caf et la fédération, pour repenser l'évaluation des projets sociaux. Leurs "
    "restitutions ont été présentées l'après-midi de la journée départementale du 29 septembre 2016. Dates, lieux "
    "et restitutions illustratifs (démonstration)."
)

# --- The news post: the founding document ----------------------------------------------------------------------

TITRE_ACTUALITE = "Retour sur la journée départementale de l’animation de la vie sociale"
RESUME_ACTUALITE = (
    "Organisée à l’initiative de la Caf du Val-de-Marne - pilote du schéma directeur de l’animation de la vie "
    "sociale -, la journée départementale s’est tenue le 29 septembre 2016."
)
ETIQUETTES_ACTUALITE = [
    "Regards",
    "avs",
    "animation de la vie sociale",
    "schéma directeur",
    "journée départementale",
]
TEXTE_ACTUALITE = """Pour l’occasion, la Caf a convié ses partenaires institutionnels, communaux et locaux mobilisés sur le champ de l’animation de la vie sociale, et également du soutien à la parentalité et de la prévention spécialisée, afin d’échanger sur les actualités en matière d’animation de la vie sociale, de partager des expériences, de réinterroger ses pratiques sur des thèmes au cœur des problématiques des centres sociaux et des espaces de vie sociale : partenariat, participation des habitants, développement local, démarches et leviers pour aller vers de nouveaux publics et de nouveaux territoires, actions pour mieux accompagner les parents, …

Plus de 150 partenaires ont participé à cette journée organisée au Centre des Bords de Marne du Perreux-sur-Marne : élus et directeurs généraux des collectivités locales, des représentants du Conseil départemental, de la Préfecture, de la Direction départementale de la cohésion sociale, des présidents et directeurs de centres sociaux et d’espaces de vie sociale, des responsables de CCAS, d’associations, de Ram, et des professionnels de la Caf (travailleurs sociaux, conseillers territoriaux, psychologues, médiatrices familiales).

La matinée, ouverte par le Directeur de la Caf 94, Robert Ligier, fut consacrée à la présentation du schéma directeur de l’animation de la vie sociale (SDAVS) pour la période 2016-2020 dont l’élaboration a été accompagnée par M. Guillaudeux du cabinet TMO Régions. Les éléments de diagnostic ainsi que les orientations ont été l’occasion d’échanges avec les participants.
Cet événement fut d’ailleurs l’occasion de remettre le SDAVS.

M Achemaoui, Président de la Fédération des centres sociaux et socio-culturels du Val-de-Marne, M. Saint-Gall, Vice-Président du Conseil départemental et M. Zahra, Directeur de la Direction départementale de la cohésion sociale, qui ont contribué à la construction de ce schéma ambitieux et réaliste ont exprimé leurs attentes et réaffirmé leur volonté de poursuivre cette gouvernance partenariale.

Ils ont dit…
M. Ligier « L’animation de la vie sociale est un levier fort de l’action sociale ; et à ce titre, elle est porteuse d’enjeux majeurs pour la cohésion sociale dans une société confrontée, aujourd’hui, à une crise économique structurelle, à des mutations profondes et à de nombreux défis sociétaux : évolution de la parentalité et des relations parents/enfants ; évolution du salariat avec l’apparition et la confirmation du concept de « travailleur pauvre » ; évolution de la culture, de l’information et de la connaissance via les réseaux sociaux ; augmentation de la paupérisation, de la précarité et de l’isolement des individus et des territoires ; nécessité impérieuse de développement des liens intergénérationnels ; promotion de l’accès aux droits ; partage des valeurs de la République et développement de la citoyenneté de proximité pour lutter contre toutes les formes d’extrémismes. »

M. Achemaoui « Les solidarités de proximité sont un facteur d’intégration essentiel. Nous devons agir au bénéfice d’une société humaine et plus réaliste, et ouvrir de grands chantier en mode coopération dynamique, avec la participation de tous au service du « faire société ». »

M. Saint-Gall « Dans le Val-de-Marne, département solidaire, nous sommes confrontés à deux enjeux majeurs : mettre en cohérence les politiques publiques à l’échelle départementale et ensemble, dans notre diversité, être à la hauteur des attentes des Val-de-Marnais. »

M. Zahra « Nous devons donner du sens à nos actions et intensifier le travail de prévention et de lutte contre les radicalisations. L’un des enjeux majeurs est de bien réussir les intégrations. Pour ce faire, le Val-de-Marne peut s’appuyer sur son réseau associatif (2/3 des centres sociaux du département sont à gestion associative). »

S’appuyant sur une volonté de mise en œuvre opérationnelle, l’après-midi a été consacrée au thème de l’évaluation. Entre l’éclairage conceptuel apporté par M. Rousseau, sociologue, les restitutions des ateliers – menés au cours du premier semestre 2016- par Mme Prospert et M. Azema, directeurs de centres sociaux, et l’expression de tous les participants au cours de l’animation et des débats, de nombreuses réflexions ont émergé et sont à mettre en perspective.

La journée s’est conclue sur le constat d’une dynamique partenariale réelle avec des opportunités de prochaines rencontres de travail.

4 enjeux soulignés par le cabinet TMO Régions :
– promouvoir et soutenir les espaces de dialogue et de rencontre, réaffirmer les valeurs républicaines.
– Faciliter l’accès aux droits en renforçant les dispositifs d’accompagnement : développer les permanences au sein des centres sociaux, promouvoir les démarches d’« aller vers ».
– Favoriser l’éducation, soutenir la fonction parentale
– Favoriser l’inclusion, lutter contre l’isolement

4 directions de progrès :
le maillage territorial, la présence des acteurs sur les territoires, la participation des habitants, la gouvernance et l’animation partenariale.

Les orientations s’articulent autour de 4 grands axes :
1. Organiser l’action publique, promouvoir des modes de coopération plus stratégiques ;
2. Redonner du sens à l’évaluation, repenser les démarches dans une logique plus collaborative et plus opérationnelle ;
3. Favoriser le développement de l’animation de la vie sociale sur les territoires prioritaires, sécuriser les gestionnaires ;
4. Mettre en commun les expertises, animer le réseau départemental autour des grands enjeux de l’animation de la vie sociale.

L’animation de la vie sociale en bref…
La politique de l’animation de la vie sociale mobilise de nombreux acteurs : services de l’Etat, la Caf, le Conseil départemental, les communes, la Fédération des centres sociaux et socioculturels.
Elle s’appuie également très largement sur l’action des structures municipales et associatives : les centres sociaux et les espaces de vie sociale.
Le projet global d’animation de la vie sociale s’articule autour de trois axes forts :
– Optimiser la couverture territoriale
– Impliquer les habitants et les familles et favoriser leur insertion
– Optimiser le pilotage, l’animation et la gouvernance

L’animation de la vie sociale dans le Val-de-Marne
Le département du Val‐de‐Marne comptait au 31 décembre 2015, 47 acteurs de l’animation de la vie sociale, dont 35 centres sociaux et 12 espaces de vie sociale, pour un budget cumulé de 17,5 millions d’euros (dont près de 467 000 euros pour les espaces de vie sociale). La Caf du Val-de-Marne apporte un soutien financier à hauteur de près 2,7 millions d’euros."""  # noqa: E501 (the founding document's paragraphs)

# --- Registrants of the day: the founding document's categories (numbers illustrative) -------------------------

C = Categorie
# Registrations of the day by category (196 in all), before the two walk-ins.
REPARTITION = {
    C.ELU: 16, C.DIRECTION_COLLECTIVITE: 16, C.CONSEIL_DEPARTEMENTAL: 10, C.PREFECTURE: 4, C.DDETS: 6,
    C.CENTRE_SOCIAL: 54, C.EVS: 14, C.CCAS: 10, C.ASSOCIATION: 16, C.RPE: 8, C.FEDERATION: 6, C.CAF: 32,
    C.AUTRE: 4,
}  # fmt: skip
PREMIERS = 180  # registered first (all confirmed: the room's capacity)
ANNULEES = 10  # then cancelled, their places taken by the next ones
EN_ATTENTE = 6  # the last ones, entered by the organisers once the day was full
ABSENTS = 28  # confirmed but not checked in
SUR_PLACE = 2  # came without registering

PRENOMS = [
    "Amina", "Bruno", "Chantal", "David", "Élodie", "Farid", "Gaëlle", "Hugo", "Inès", "Jérôme", "Karima",
    "Laurent", "Malika", "Nicolas", "Océane", "Patrick", "Rachida", "Sébastien", "Tatiana", "Yannick", "Aurélie",
    "Bakary", "Céline", "Djamel", "Estelle", "Fabrice", "Hélène", "Issa", "Joëlle", "Kevin", "Leïla", "Mathieu",
    "Nathalie", "Omar", "Pascale", "Rémi", "Sandrine", "Thierry", "Valérie", "Zoé",
]  # fmt: skip
NOMS = [
    "Arnaud", "Bensaïd", "Carpentier", "Diallo", "Estève", "Ferrand", "Garnier", "Haddad", "Ibanez", "Joly",
    "Keita", "Lemaire", "Mercier", "Nguyen", "Olivier", "Perrin", "Roussel", "Traoré", "Vidal", "Weber", "Adam",
    "Barbier", "Colin", "Da Silva", "Fabre", "Guérin", "Hamel", "Lacroix", "Marchal", "Ndiaye", "Picard",
    "Renaud", "Sanchez", "Tessier", "Vasseur", "Mansouri", "Boyer", "Chevalier", "Dupuis", "Laurent",
]  # fmt: skip
FONCTIONS = {
    C.ELU: ["Adjoint·e au maire chargé·e de l'action sociale", "Adjoint·e au maire chargé·e de la vie des quartiers",
            "Conseiller·e municipal·e délégué·e à la famille"],
    C.DIRECTION_COLLECTIVITE: ["Directeur·rice général·e des services", "Directeur·rice de l'action sociale",
                               "Directeur·rice général·e adjoint·e, solidarités"],
    C.CONSEIL_DEPARTEMENTAL: ["Chargé·e de mission, direction de l'action sociale", "Responsable d'espace "
                              "départemental des solidarités", "Conseiller·e technique, prévention spécialisée"],
    C.PREFECTURE: ["Délégué·e du préfet dans les quartiers", "Chargé·e de mission politique de la ville"],
    C.DDETS: ["Inspecteur·rice de la cohésion sociale", "Chargé·e de mission vie associative"],
    C.CENTRE_SOCIAL: ["Directeur·rice", "Président·e", "Référent·e familles", "Animateur·rice coordinateur·rice"],
    C.EVS: ["Coordinateur·rice", "Président·e", "Animateur·rice"],
    C.CCAS: ["Responsable du CCAS", "Directeur·rice du CCAS"],
    C.ASSOCIATION: ["Président·e", "Coordinateur·rice", "Directeur·rice"],
    C.RPE: ["Animateur·rice du relais"],
    C.FEDERATION: ["Délégué·e fédéral·e", "Administrateur·rice", "Chargé·e de mission"],
    C.CAF: ["Travailleur·se social·e", "Conseiller·e territorial·e", "Psychologue", "Médiatrice familiale",
            "Conseiller·e technique"],
    C.AUTRE: ["Éducateur·rice de prévention spécialisée", "Chef·fe de service, prévention spécialisée"],
}  # fmt: skip
ASSOCIATIONS = [
    ASSOCIATION, "Association Parents en Marne (fictive)", "Les Ateliers du lien (association fictive)",
    "Association Voisins solidaires (fictive)", "Association Culture et quartiers (fictive)",
]  # fmt: skip
PREVENTION = "Association de prévention spécialisée du Val-de-Marne (fictive)"

# --- The annuaire: (prénom, nom, fonction, catégorie, organisation or None, commune, base légale) ---------------

B = BaseLegale
ANNUAIRE = [
    ("Bernard", "Lefort", "Directeur de la Caf", C.CAF, CAF, CRETEIL, B.MISSION_PUBLIQUE),
    ("Claire", "Fontaine", "Responsable de l'animation de la vie sociale", C.CAF, CAF, CRETEIL, B.MISSION_PUBLIQUE),
    ("Karim", "Benali", "Conseiller territorial", C.CAF, CAF, CRETEIL, B.MISSION_PUBLIQUE),
    ("Sylvie", "Marchetti", "Conseillère territoriale", C.CAF, CAF, VITRY, B.MISSION_PUBLIQUE),
    ("Olivier", "Nadal", "Conseiller territorial", C.CAF, CAF, IVRY, B.MISSION_PUBLIQUE),
    ("Fatou", "Camara", "Conseillère territoriale", C.CAF, CAF, "94078", B.MISSION_PUBLIQUE),
    ("Anne", "Lebrun", "Travailleuse sociale", C.CAF, CAF, CRETEIL, B.MISSION_PUBLIQUE),
    ("Marc", "Oudin", "Psychologue", C.CAF, CAF, CRETEIL, B.MISSION_PUBLIQUE),
    ("Isabelle", "Royer", "Médiatrice familiale", C.CAF, CAF, CRETEIL, B.MISSION_PUBLIQUE),
    ("Jean-Marc", "Delorme", "Vice-président chargé des solidarités", C.CONSEIL_DEPARTEMENTAL, CD, CRETEIL,
     B.MISSION_PUBLIQUE),
    ("Nadine", "Paquet", "Directrice de l'action sociale", C.CONSEIL_DEPARTEMENTAL, CD, CRETEIL, B.MISSION_PUBLIQUE),
    ("Luc", "Martineau", "Délégué du préfet", C.PREFECTURE, ETAT, CRETEIL, B.MISSION_PUBLIQUE),
    ("Hervé", "Castagne", "Directeur départemental de la cohésion sociale", C.DDETS, ETAT, CRETEIL,
     B.MISSION_PUBLIQUE),
    ("Corinne", "Vallet", "Chargée de mission vie associative", C.DDETS, ETAT, CRETEIL, B.MISSION_PUBLIQUE),
    ("Samir", "Benhamou", "Président", C.FEDERATION, FEDERATION, VITRY, B.INTERET_LEGITIME),
    ("Sophie", "Marchand", "Déléguée fédérale", C.FEDERATION, FEDERATION, VITRY, B.INTERET_LEGITIME),
    ("Patricia", "Leroux", "Adjointe au maire chargée de l'action sociale", C.ELU, "Ville de Vitry-sur-Seine", VITRY,
     B.MISSION_PUBLIQUE),
    ("Daniel", "Morin", "Adjoint au maire chargé de la vie des quartiers", C.ELU, "Ville de Villeneuve-Saint-Georges",
     "94078", B.MISSION_PUBLIQUE),
    ("Hakim", "Saadi", "Conseiller municipal délégué à la famille", C.ELU, None, IVRY, B.MISSION_PUBLIQUE),
    ("Brigitte", "Collet", "Directrice générale des services", C.DIRECTION_COLLECTIVITE, "Ville de Vitry-sur-Seine",
     VITRY, B.MISSION_PUBLIQUE),
    ("Alain", "Roche", "Directeur de l'action sociale", C.DIRECTION_COLLECTIVITE, None, CRETEIL, B.MISSION_PUBLIQUE),
    ("Valérie", "Simon", "Directrice générale adjointe, solidarités", C.DIRECTION_COLLECTIVITE,
     "Ville de Villeneuve-Saint-Georges", "94078", B.MISSION_PUBLIQUE),
    ("Rachid", "Ait-Ali", "Responsable du CCAS", C.CCAS, None, IVRY, B.MISSION_PUBLIQUE),
    ("Laure", "Besson", "Directrice du CCAS", C.CCAS, None, CRETEIL, B.MISSION_PUBLIQUE),
    ("Nora", "Kaci", "Présidente", C.ASSOCIATION, ASSOCIATION, CRETEIL, B.CONSENTEMENT),
    ("Emma", "Duval", "Animatrice du relais petite enfance", C.RPE, None, VITRY, B.CONSENTEMENT),
    ("Julien", "Morel", "Directeur", C.CENTRE_SOCIAL, None, None, B.MISSION_PUBLIQUE),
    ("Martine", "Provost", "Directrice", C.CENTRE_SOCIAL, None, None, B.MISSION_PUBLIQUE),
    ("Gilles", "Aymard", "Directeur", C.CENTRE_SOCIAL, None, None, B.MISSION_PUBLIQUE),
    ("Thomas", "Leroy", "Directeur", C.CENTRE_SOCIAL, None, None, B.MISSION_PUBLIQUE),
    ("Mireille", "Gauthier", "Présidente", C.CENTRE_SOCIAL, None, None, B.CONSENTEMENT),
    ("Youssef", "Belkacem", "Directeur", C.CENTRE_SOCIAL, None, None, B.MISSION_PUBLIQUE),
    ("Agnès", "Poirier", "Référente familles", C.CENTRE_SOCIAL, None, None, B.MISSION_PUBLIQUE),
    ("Stéphane", "Kerbrat", "Directeur", C.CENTRE_SOCIAL, None, None, B.MISSION_PUBLIQUE),
    ("Aïcha", "Mendy", "Coordinatrice", C.EVS, None, None, B.MISSION_PUBLIQUE),
    ("Denise", "Fournier", "Présidente", C.EVS, None, None, B.CONSENTEMENT),
    ("Paul", "Ribeiro", "Coordinateur", C.EVS, None, None, B.CONSENTEMENT),
]  # fmt: skip
NOM_LISTE = "Directions des centres sociaux et des espaces de vie sociale"


@dataclass
class Registrant:
    nom: str
    prenom: str
    email: str
    fonction: str
    categorie: str
    organisation_nom: str
    type_organisation: str
    organisation: Organisation | None
    commune: Commune | None


# --- Loading ----------------------------------------------------------------------------------------------------


def demo_presente() -> bool:
    return Evenement.objects.filter(departement_id=DEPARTEMENT, titre=TITRE_JOURNEE, debut__date=JOUR).exists()


def charger(*, annoncer=print) -> dict:
    """Write the day, the workshops, the annuaire, the registrations, the resources and the news (idempotent)."""
    if demo_presente():
        annoncer("  journée départementale déjà chargée.")
        return {"ignore": True, **resume()}
    pilote = Utilisateur.objects.filter(email=PILOTE).first()
    departement = Departement.objects.filter(code=DEPARTEMENT).first()
    structures = _structures()
    if pilote is None or departement is None or not structures:
        annoncer("  comptes, territoires ou structures de démonstration absents : réseau non chargé.")
        return {"ignore": True, **resume()}
    debut = time.perf_counter()
    with notifications.en_silence(), transaction.atomic(), acteur(pilote):
        _ecrire(pilote, departement, structures)
    return {**resume(), "duree": time.perf_counter() - debut}


def resume() -> dict:
    journee = Evenement.objects.filter(departement_id=DEPARTEMENT, titre=TITRE_JOURNEE, debut__date=JOUR).first()
    if journee is None:
        return {"inscrits": 0, "presents": 0, "liste_attente": 0, "annulees": 0, "ateliers": 0, "personnes": 0}
    stats = statistiques(journee)
    serie = SerieAteliers.objects.filter(departement_id=DEPARTEMENT, titre=TITRE_SERIE).first()
    return {
        "journee": journee.pk,
        "inscrits": stats["inscrits"],
        "presents": stats["presents"],
        "liste_attente": stats["liste_attente"],
        "annulees": stats["annulees"],
        "categories": sum(1 for p in stats["par_categorie"] if p["presents"]),
        "ateliers": serie.seances.count() if serie else 0,
        "restitutions": serie.restitutions.count() if serie else 0,
        "personnes": Personne.objects.filter(departement_id=DEPARTEMENT, origine=Personne.Origine.DEMO).count(),
    }


@contextlib.contextmanager
def _horloge(jour: datetime.date):
    """The application's one clock pinned to `jour` (maillage.core.horloge) for the writes of the block."""
    with override_settings(MAILLAGE_AUJOURDHUI=jour.isoformat()):
        yield


def _adresse(structure: Structure) -> str:
    """The street and postcode (the event's commune completes it on the page)."""
    return ", ".join(p for p in (structure.adresse, structure.code_postal) if p)


def _moment(jour: datetime.date, heure: str) -> datetime.datetime:
    h, m = (int(x) for x in heure.split(":"))
    return timezone.make_aware(datetime.datetime(jour.year, jour.month, jour.day, h, m))


def _structures() -> list[Structure]:
    """The demo's fictional centres open in 2016, in a fixed order."""
    return list(
        Structure.objects.filter(departement_id=DEPARTEMENT, est_demo=True, nom__endswith="(fictif)")
        .exclude(date_fermeture__lt=datetime.date(2016, 1, 1))
        .select_related("commune", "gestionnaire")
        .order_by("nom")
    )


def _ecrire(pilote, departement, structures: list[Structure]) -> None:
    organisations = {o.nom: o for o in Organisation.objects.filter(departement=departement)}
    communes = {c.code: c for c in Commune.objects.filter(departement_id=DEPARTEMENT)}
    schema = Schema.objects.filter(departement=departement, debut=2016).first()
    with _horloge(CREATION):
        journee = _journee(pilote, departement, organisations, communes, schema)
        serie, ateliers = _ateliers(pilote, departement, organisations, structures, schema)
    personnes = _annuaire(pilote, departement, organisations, communes, structures)
    _liste(pilote, departement, personnes)
    inscrits = _registrants(personnes, organisations, communes, structures)
    _inscrire_journee(pilote, journee, inscrits)
    for i, atelier in enumerate(ateliers):
        _inscrire_atelier(pilote, atelier, inscrits, i)
    _publications(pilote, departement, journee, serie, ateliers, schema)
    _dater(journee, ateliers)
    _atelier_a_venir(pilote, departement, organisations, structures, schema, inscrits)


def _atelier_a_venir(pilote, departement, organisations, structures, schema, inscrits: list[Registrant]) -> Evenement:
    """The next workshop, after the demo's day (its clock, settings.MAILLAGE_AUJOURDHUI, is 15/10/2016): open to
    all, one place left, so that a visitor of the demo registers, then meets the waiting list."""
    hote = structures[3 % len(structures)]
    with _horloge(A_VENIR_ANNONCE):
        atelier = services.evenement_creer(
            par=pilote,
            departement=departement,
            titre=TITRE_A_VENIR,
            type=Evenement.Type.ATELIER,
            statut=Evenement.Statut.PUBLIE,
            acces=Evenement.Acces.PUBLIC,
            debut=_moment(A_VENIR, "14:00"),
            fin=_moment(A_VENIR, "17:00"),
            lieu_nom=hote.nom,
            lieu_adresse=_adresse(hote),
            lieu_commune=hote.commune,
            longitude=hote.longitude if hote.latitude is not None else None,
            latitude=hote.latitude if hote.longitude is not None else None,
            description=(
                "Suite de la journée départementale du 29 septembre : comment associer les habitants à "
                "l'élaboration et à l'évaluation du projet social. Atelier ouvert à tous les acteurs du réseau "
                "(démonstration : lieu et participants fictifs)."
            ),
            public_vise="Directions, bénévoles et habitants des centres sociaux et EVS, partenaires",
            organisateur=organisations.get(CAF),
            capacite=A_VENIR_PLACES,
            date_limite_inscription=_moment(A_VENIR - datetime.timedelta(days=3), "23:59"),
            schema=schema,
        )
        services.session_ajouter(
            par=pilote, evenement=atelier, titre="Accueil et retour sur la journée départementale",
            debut=_moment(A_VENIR, "14:00"), fin=_moment(A_VENIR, "14:30"),
        )  # fmt: skip
        for titre in ("Associer les habitants au diagnostic", "Faire participer à l'évaluation"):
            services.session_ajouter(
                par=pilote, evenement=atelier, titre=titre, type="atelier", debut=_moment(A_VENIR, "14:30"),
                fin=_moment(A_VENIR, "16:30"), capacite=A_VENIR_PLACES // 2 + 2, au_choix=True,
            )  # fmt: skip
        services.session_ajouter(
            par=pilote, evenement=atelier, titre="Mise en commun", type="debat",
            debut=_moment(A_VENIR, "16:30"), fin=_moment(A_VENIR, "17:00"),
        )  # fmt: skip
    candidats = [r for r in inscrits if r.categorie in (C.CENTRE_SOCIAL, C.EVS, C.ASSOCIATION, C.CCAS)]
    choisis = random.Random(1117).sample(candidats, A_VENIR_PLACES - 1)
    with _horloge(A_VENIR_ANNONCE):
        nouvelles = [_inscrire(pilote, atelier, r) for r in choisis]
    rng = random.Random(1117)
    for i, inscription in enumerate(nouvelles):  # between the announcement and the demo's day
        inscription.cree_le = _moment(A_VENIR_ANNONCE, "09:00") + datetime.timedelta(
            days=i * 20 / len(nouvelles), minutes=rng.randint(0, 480)
        )
        inscription.modifie_le = inscription.cree_le
    Inscription.objects.bulk_update(nouvelles, ["cree_le", "modifie_le"])
    return atelier


def _journee(pilote, departement, organisations, communes, schema) -> Evenement:
    journee = services.evenement_creer(
        par=pilote,
        departement=departement,
        coorganisateurs=[organisations[n] for n in (CD, ETAT, FEDERATION) if n in organisations],
        titre=TITRE_JOURNEE,
        type=Evenement.Type.JOURNEE,
        statut=Evenement.Statut.PUBLIE,
        acces=Evenement.Acces.INVITATION,
        debut=_moment(JOUR, "09:00"),
        fin=_moment(JOUR, "17:00"),
        lieu_nom=LIEU,
        lieu_adresse=ADRESSE,
        lieu_commune=communes.get(COMMUNE_LIEU),
        longitude=POSITION[0],
        latitude=POSITION[1],
        description=DESCRIPTION_JOURNEE,
        public_vise=PUBLIC_VISE,
        organisateur=organisations.get(CAF),
        capacite=CAPACITE,
        date_limite_inscription=_moment(datetime.date(2016, 9, 23), "23:59"),
        liste_attente=True,
        schema=schema,
    )
    for s in PROGRAMME:
        services.session_ajouter(
            par=pilote,
            evenement=journee,
            titre=s.titre,
            type=s.type,
            debut=_moment(JOUR, s.debut),
            fin=_moment(JOUR, s.fin),
            salle=s.salle,
            description=s.description,
            intervenants=[{"nom": n, "fonction": f, "organisation": o} for n, f, o in s.intervenants],
        )
    return journee


def _ateliers(pilote, departement, organisations, structures, schema) -> tuple[SerieAteliers, list[Evenement]]:
    serie = services.serie_creer(par=pilote, departement=departement, titre=TITRE_SERIE, description=DESCRIPTION_SERIE)
    par_nom = {s.nom: s for s in structures}
    ateliers = []
    for numero, a in enumerate(ATELIERS, 1):
        hote = par_nom.get(a.structure) or structures[numero % len(structures)]
        atelier = services.evenement_creer(
            par=pilote,
            departement=departement,
            titre=a.titre,
            type=Evenement.Type.ATELIER,
            statut=Evenement.Statut.PUBLIE,
            acces=Evenement.Acces.RESEAU,
            debut=_moment(a.jour, "14:00"),
            fin=_moment(a.jour, "17:00"),
            lieu_nom=hote.nom,
            lieu_adresse=_adresse(hote),
            lieu_commune=hote.commune,
            longitude=hote.longitude if hote.latitude is not None else None,
            latitude=hote.latitude if hote.longitude is not None else None,
            description=f"Séance {numero} sur {len(ATELIERS)} de la série « {TITRE_SERIE} ». {a.restitution}",
            public_vise="Directions de centres sociaux et d'EVS, conseillers de la Caf, fédération",
            organisateur=organisations.get(CAF),
            capacite=20,
            serie=serie,
            schema=schema,
        )
        services.session_ajouter(
            par=pilote,
            evenement=atelier,
            titre="Travail en groupe",
            type=SessionProgramme.Type.ATELIER,
            debut=atelier.debut,
            fin=atelier.fin,
            salle="Salle polyvalente",
            intervenants=[{"nom": "Claire Fontaine" + FICTIF, "fonction": "Animation", "organisation": CAF}],
        )
        ateliers.append(atelier)
    return serie, ateliers


def _email(prenom: str, nom: str, deja: set[str]) -> str:
    from .registre import sans_accents

    base = f"{sans_accents(prenom)}.{sans_accents(nom)}".lower().replace(" ", "-").replace("'", "")
    email, n = f"{base}@exemple.fr", 2
    while email in deja:
        email, n = f"{base}{n}@exemple.fr", n + 1
    deja.add(email)
    return email


def _annuaire(pilote, departement, organisations, communes, structures) -> list[tuple[Personne, Structure | None]]:
    deja = set(Personne.objects.filter(departement=departement).values_list("email", flat=True))
    centres = [s for s in structures if s.type == TypeStructure.CENTRE_SOCIAL]
    evs = [s for s in structures if s.type == TypeStructure.EVS]
    personnes = []
    for i, (prenom, nom, fonction, categorie, organisation, code, base) in enumerate(ANNUAIRE):
        structure = None
        if categorie == C.CENTRE_SOCIAL:
            structure = centres[i % len(centres)]
        elif categorie == C.EVS:
            structure = evs[i % len(evs)]
        if structure is not None:
            fonction = f"{fonction}, {structure.nom}"
            commune = structure.commune
        else:
            commune = communes.get(code)
        consentement = base == B.CONSENTEMENT
        personnes.append((
            services.personne_creer(
                par=pilote,
                departement=departement,
                nom=nom,
                prenom=prenom,
                fonction=fonction,
                categorie=categorie,
                email=_email(prenom, nom, deja),
                organisation=organisations.get(organisation) if organisation else None,
                commune=commune,
                base_legale=base,
                consentement_le=_moment(datetime.date(2016, 3 + i % 6, 1 + i % 27), "10:00") if consentement else None,
                consentement_objet="Recevoir les invitations et informations du réseau de l'animation de la vie "
                "sociale du Val-de-Marne"
                if consentement
                else "",
                origine=Personne.Origine.DEMO,
            ),
            structure,
        ))  # fmt: skip
    return personnes


def _liste(pilote, departement, personnes) -> None:
    # The annuaire's module owns the list service; the model is written here, audited as the pilote.
    liste = ListeDiffusion.objects.create(
        departement=departement,
        nom=NOM_LISTE,
        description="Directions et présidences des centres sociaux et EVS, et la fédération (démonstration).",
        categories=[C.CENTRE_SOCIAL, C.EVS],
    )
    liste.personnes.set([p for p, _ in personnes if p.categorie == C.FEDERATION])


def _registrants(personnes, organisations, communes, structures) -> list[Registrant]:
    """The 196 registrants of the day: the annuaire's people first, then fictional people by category."""
    rng = random.Random(2909)
    deja = {p.email for p, _ in personnes}
    par_categorie: dict[str, list[Registrant]] = {c: [] for c in REPARTITION}
    for p, structure in personnes:
        if p.organisation is not None:
            organisation_nom, type_ = p.organisation.nom, p.organisation.type
        elif structure is not None:
            organisation_nom, type_ = structure.nom, _type_structure(structure)
        else:
            organisation_nom, type_ = _organisation_de(p.categorie, p.commune, None)
        par_categorie[p.categorie].append(
            Registrant(p.nom, p.prenom, p.email, p.fonction, p.categorie, organisation_nom, type_, p.organisation,
                       p.commune)
        )  # fmt: skip
    liste_communes = sorted(
        {s.commune_id for s in structures} | {CRETEIL, VITRY, IVRY}, key=lambda code: (code != CRETEIL, code)
    )
    centres = [s for s in structures if s.type == TypeStructure.CENTRE_SOCIAL]
    evs = [s for s in structures if s.type == TypeStructure.EVS]
    fixes = {C.CAF: CAF, C.CONSEIL_DEPARTEMENTAL: CD, C.PREFECTURE: ETAT, C.DDETS: ETAT, C.FEDERATION: FEDERATION}
    for categorie, nombre in REPARTITION.items():
        liste = par_categorie[categorie]
        while len(liste) < nombre:
            prenom, nom = rng.choice(PRENOMS), rng.choice(NOMS)
            fonction = rng.choice(FONCTIONS[categorie])
            structure = None
            if categorie == C.CENTRE_SOCIAL:
                structure = centres[len(liste) % len(centres)]
            elif categorie == C.EVS:
                structure = evs[len(liste) % len(evs)]
            if structure is not None:
                commune, type_ = structure.commune, _type_structure(structure)
                organisation_nom, organisation = structure.nom, None
            elif categorie in fixes:
                organisation = organisations.get(fixes[categorie])
                commune = communes.get(VITRY if categorie == C.FEDERATION else CRETEIL)
                organisation_nom = fixes[categorie]
                type_ = organisation.type if organisation else Organisation.Type.AUTRE
                if categorie == C.DDETS:
                    type_ = Organisation.Type.DDETS
            else:
                commune = communes.get(rng.choice(liste_communes))
                organisation_nom, type_ = _organisation_de(categorie, commune, rng)
                organisation = organisations.get(organisation_nom)
            liste.append(
                Registrant(nom, prenom, _email(prenom, nom, deja), fonction, categorie, organisation_nom, type_,
                           organisation, commune)
            )  # fmt: skip
    # Mix the categories (the order of registration), deterministically.
    tous = [r for c in REPARTITION for r in par_categorie[c]]
    rng.shuffle(tous)
    return tous


def _type_structure(structure: Structure) -> str:
    if structure.gestionnaire.mode_gestion == ModeGestion.ASSOCIATIVE:
        return Organisation.Type.ASSOCIATION
    return Organisation.Type.COMMUNE


def _organisation_de(categorie: str, commune: Commune | None, rng: random.Random | None) -> tuple[str, str]:
    ville = commune.nom if commune else "Créteil"
    if categorie in (C.ELU, C.DIRECTION_COLLECTIVITE):
        return f"Ville de {ville}", Organisation.Type.COMMUNE
    if categorie == C.CCAS:
        return f"CCAS de {ville}", Organisation.Type.CCAS
    if categorie == C.RPE:
        return f"Relais petite enfance de {ville}", Organisation.Type.RPE
    if categorie == C.ASSOCIATION:
        return (rng.choice(ASSOCIATIONS) if rng else ASSOCIATION), Organisation.Type.ASSOCIATION
    if categorie == C.AUTRE:
        return PREVENTION, Organisation.Type.ASSOCIATION
    return "", ""


def _inscrire(pilote, evenement, r: Registrant, *, origine=Inscription.Origine.DEMO, present=False) -> Inscription:
    inscription, _ = services.inscription_creer(
        evenement=evenement,
        par=pilote,
        origine=origine,
        present=present,
        commune=r.commune,
        organisation=r.organisation,
        nom=r.nom,
        prenom=r.prenom,
        email=r.email,
        fonction=r.fonction[:200],
        organisation_nom=r.organisation_nom,
        categorie=r.categorie,
        type_organisation=r.type_organisation,
    )
    return inscription


def _inscrire_journee(pilote, journee: Evenement, inscrits: list[Registrant]) -> None:
    """180 registered (the room is full), 10 cancel, 10 more take their places, 6 on the waiting list; 152 of the
    registered and 2 walk-ins are checked in. The speakers of the annuaire register first and all come."""
    orateurs = {nom.removesuffix(FICTIF) for s in PROGRAMME for nom, _, _ in s.intervenants}
    parlent = [r for r in inscrits if f"{r.prenom} {r.nom}" in orateurs]
    inscrits = parlent + [r for r in inscrits if r not in parlent]
    premiers = inscrits[:PREMIERS]
    suivants = inscrits[PREMIERS : PREMIERS + ANNULEES]
    attente = inscrits[PREMIERS + ANNULEES :]
    assert len(attente) == EN_ATTENTE, len(attente)
    rng = random.Random(929)
    # Who cancels, who does not come: anyone but the speakers.
    indices = list(range(len(parlent), len(premiers)))
    rng.shuffle(indices)
    annulent = set(indices[:ANNULEES])
    absents = set(indices[ANNULEES : ANNULEES + ABSENTS - 2])
    a_annuler = []
    for i, r in enumerate(premiers):
        inscription = _inscrire(pilote, journee, r, present=i not in annulent and i not in absents)
        if i in annulent:
            a_annuler.append(inscription)
    for inscription in a_annuler:
        services.inscription_annuler(inscription=inscription, par=pilote)
    for j, r in enumerate(suivants):
        _inscrire(pilote, journee, r, present=j >= 2)  # two of the late ones do not come
    with _horloge(ATTENTE):  # the day is full: the organisers enter the last requests, on the waiting list
        for r in attente:
            _inscrire(pilote, journee, r, origine=Inscription.Origine.ORGANISATEUR)
    communes = {c.code: c for c in Commune.objects.filter(code__in=[CRETEIL, "94058"])}
    for prenom, nom, categorie, organisation_nom, type_, code in (
        ("Lina", "Messaoudi", C.CENTRE_SOCIAL, "Centre social des Lilas (fictif)", Organisation.Type.ASSOCIATION,
         "94058"),
        ("Franck", "Aubert", C.ASSOCIATION, "Association Parents en Marne (fictive)", Organisation.Type.ASSOCIATION,
         CRETEIL),
    ):  # fmt: skip
        services.inscription_sur_place(
            par=pilote,
            evenement=journee,
            nom=nom,
            prenom=prenom,
            email=f"{prenom}.{nom}@exemple.fr".lower(),
            categorie=categorie,
            organisation_nom=organisation_nom,
            type_organisation=type_,
            commune=communes.get(code),
        )


def _inscrire_atelier(pilote, atelier: Evenement, inscrits: list[Registrant], numero: int) -> None:
    """12 to 16 participants, all present: directions of centres and EVS, Caf conseillers, the federation."""
    rng = random.Random(100 + numero)
    candidats = [r for r in inscrits if r.categorie in (C.CENTRE_SOCIAL, C.EVS, C.FEDERATION)]
    conseillers = [r for r in inscrits if r.categorie == C.CAF and "onseill" in r.fonction]
    choisis = rng.sample(candidats, 10 + numero % 3) + conseillers[:2] + conseillers[2 + numero % 3 : 3 + numero % 3]
    for r in choisis:
        _inscrire(pilote, atelier, r, present=True)


def _publications(pilote, departement, journee, serie, ateliers, schema) -> None:
    for a, atelier in zip(ATELIERS, ateliers, strict=True):
        services.ressource_creer(
            par=pilote,
            departement=departement,
            titre=f"Restitution — {a.titre}",
            nature=Ressource.Nature.RESTITUTION,
            visibilite="reseau",
            resume=f"{a.restitution}\n\nSynthèse fictive de démonstration, présentée lors de la journée "
            f"départementale du 29 septembre 2016.",
            lien=lien_absolu(reverse("reseau:evenement", args=[atelier.pk])),
            date=a.jour,
            serie=serie,
            evenement=atelier,
            schema=schema,
            etiquettes=["évaluation", "projet social", "ateliers 2016"],
        )
    if schema is not None:
        services.ressource_creer(
            par=pilote,
            departement=departement,
            titre=schema.titre,
            nature=Ressource.Nature.SCHEMA,
            visibilite="public",
            resume="Le schéma directeur de l'animation de la vie sociale du Val-de-Marne pour 2016-2020, remis aux "
            "partenaires lors de la journée départementale du 29 septembre 2016 : diagnostic, 4 enjeux, 4 directions "
            "de progrès, 4 axes d'orientation et leurs fiches actions.",
            lien=lien_absolu(reverse("schema:detail", args=[schema.pk])),
            date=JOUR,
            evenement=journee,
            schema=schema,
            etiquettes=["schéma directeur", "animation de la vie sociale"],
        )
    services.actualite_creer(
        par=pilote,
        departement=departement,
        titre=TITRE_ACTUALITE,
        date=DATE_ACTUALITE,
        resume=RESUME_ACTUALITE,
        texte=TEXTE_ACTUALITE,
        auteur_libelle=SIGNATURE,
        etiquettes=ETIQUETTES_ACTUALITE,
        statut=Actualite.Statut.PUBLIEE,
        evenement=journee,
    )


def _dater(journee: Evenement, ateliers: list[Evenement]) -> None:
    """Move the registrations' timestamps (stamped with the real instant by the services) into 2016, in the order
    of the story: for the day, the first 180 from late June to August, the cancellations early September, the
    registrations that took their places mid-September, the waiting list on the 22nd, the walk-ins on the day;
    for a workshop, the month before it. Check-ins at the door."""
    rng = random.Random(2016)
    d = datetime.date
    phases_journee = [  # (first day, days): by rank of registration
        (d(2016, 6, 27), 65),  # the first PREMIERS
        (d(2016, 9, 11), 7),  # the next ANNULEES, once the cancelled places were free
        (ATTENTE, 0),  # the waiting list, entered by the organisers
    ]
    for evenement in [journee, *ateliers]:
        inscriptions = list(evenement.inscriptions.order_by("pk"))
        for i, inscription in enumerate(inscriptions):
            if evenement is journee:
                rang = 0 if i < PREMIERS else 1 if i < PREMIERS + ANNULEES else 2
                debut, jours = phases_journee[rang]
                n = (PREMIERS, ANNULEES, EN_ATTENTE)[rang]
                position = i - (0, PREMIERS, PREMIERS + ANNULEES)[rang]
            else:
                debut, jours = evenement.debut.date() - datetime.timedelta(days=30), 25
                n, position = len(inscriptions), i
            if inscription.origine == Inscription.Origine.SUR_PLACE:
                inscription.cree_le = evenement.debut + datetime.timedelta(minutes=20 + i % 30)
            else:
                pas = datetime.timedelta(days=jours) / max(n, 1)
                inscription.cree_le = (
                    _moment(debut, "09:00") + position * pas + datetime.timedelta(minutes=rng.randint(0, 480))
                )
            if inscription.present_le is not None:
                inscription.present_le = max(
                    inscription.cree_le, evenement.debut - datetime.timedelta(minutes=15 - rng.randint(0, 50))
                )
            if inscription.annulee_le is not None:  # before the next ones took the freed places
                inscription.annulee_le = _moment(d(2016, 9, 1 + rng.randint(0, 8)), "10:00")
            inscription.modifie_le = max(t for t in (inscription.cree_le, inscription.present_le,
                                                     inscription.annulee_le) if t is not None)  # fmt: skip
        Inscription.objects.bulk_update(inscriptions, ["cree_le", "present_le", "annulee_le", "modifie_le"])
