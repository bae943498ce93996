"""The assessment criteria of agréments, as data: per rule set (`jeu`) and per agrément type. Pure code.

Sources and status of each list:

- Animation globale (centre social), 2012: the eight criteria of the circulaire Cnaf 2012-013 (complément
  2016), as relayed by the federations of centres sociaux and Caf partner sites (reference doc
  `avs-rules-and-senacs.md`). Checked against those relays.
- Animation locale (EVS): criteria 1 to 7 of the same list. Criterion 8 (the director's qualification and
  working time) does not apply: an EVS is not required to have a director (a volunteer-run association may
  carry it). *À confirmer* against the circular's EVS section.
- Animation collective familles (ACF): the ACF agrément assesses the family project (projet familles) and the
  référent familles it requires, not the eight criteria of the animation globale (those are assessed with the
  centre's animation globale agrément, which must cover the ACF). The four labels below follow the
  circular's objectives for the projet familles as relayed by Caf sites; *à confirmer* against the text.
- 2027 (circulaire Cnaf du 18 décembre 2025): the animation globale adds the compulsory *volet familles*; the
  other lists are unchanged until the Cnaf publishes the single procedure's file.

A criterion's code is stored in `EvaluationCritere.critere`: never reuse a code for another meaning. An
assessment recorded under an older list keeps its label through `LIBELLES` (every criterion ever used).
"""

ANIMATION_GLOBALE = "animation_globale"
ACF = "acf"
ANIMATION_LOCALE = "animation_locale"

Criteres = tuple[tuple[str, str], ...]

CRITERES_ANIMATION_GLOBALE_2012: Criteres = (
    (
        "demarche_participative",
        "Démarche participative d'élaboration du projet (élément fondamental depuis 2016, "
        "quels que soient le statut et le mode de gestion)",
    ),
    ("participation_gouvernance", "Modalités de participation des habitants et de gouvernance formalisées"),
    ("axes_diagnostic", "Pertinence des axes et des objectifs au regard du diagnostic partagé"),
    ("plan_action", "Plan d'action cohérent avec les axes du projet"),
    ("faisabilite", "Faisabilité : capacités techniques et financières"),
    (
        "accessibilite_accueil",
        "Accessibilité (ouverture à tous, handicap, horaires, tarifs) et fonction d'accueil effective",
    ),
    (
        "generations_familles",
        "Actions pour toutes les générations, mixité des publics, actions spécifiques pour les familles "
        "et les publics vulnérables",
    ),
    ("direction", "Qualification et temps de travail du directeur ou de la directrice"),
)
CRITERE_DIRECTION = "direction"

# EVS: the same first seven criteria (no director's criterion).
CRITERES_ANIMATION_LOCALE_2012: Criteres = tuple(c for c in CRITERES_ANIMATION_GLOBALE_2012 if c[0] != "direction")

CRITERES_ACF_2012: Criteres = (
    (
        "projet_familles",
        "Projet familles : réponse aux problématiques familiales repérées par le diagnostic partagé, articulée au "
        "projet social du centre",
    ),
    (
        "actions_collectives_familles",
        "Actions collectives pour l'épanouissement des parents et des enfants, la cohésion familiale et les "
        "solidarités entre familles",
    ),
    (
        "coordination_parentalite",
        "Coordination des actions de soutien à la parentalité et articulation avec les partenaires du territoire",
    ),
    ("referent_familles", "Référent ou référente familles : qualification et temps de travail dédié au projet"),
)

CRITERE_VOLET_FAMILLES = ("volet_familles", "Volet familles du projet social (obligatoire à partir de 2027)")

JEUX: dict[str, dict[str, Criteres]] = {
    "circulaire_2012": {
        ANIMATION_GLOBALE: CRITERES_ANIMATION_GLOBALE_2012,
        ACF: CRITERES_ACF_2012,
        ANIMATION_LOCALE: CRITERES_ANIMATION_LOCALE_2012,
    },
    "reforme_2027": {
        ANIMATION_GLOBALE: CRITERES_ANIMATION_GLOBALE_2012 + (CRITERE_VOLET_FAMILLES,),
        ACF: CRITERES_ACF_2012,
        ANIMATION_LOCALE: CRITERES_ANIMATION_LOCALE_2012,
    },
}

# Every criterion's label, whatever the set (old assessments stay readable).
LIBELLES: dict[str, str] = {code: libelle for jeu in JEUX.values() for liste in jeu.values() for code, libelle in liste}


def criteres_du_jeu(code: str) -> dict[str, Criteres]:
    return dict(JEUX[code])
