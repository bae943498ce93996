"""The readable matrix "rule × role" of docs/permissions.md, computed from the rules themselves.

No cell is typed by hand: each rule is evaluated, without the database, for a synthetic user of each role (scope:
département 94, commune 94028, structure 10) on a representative object placed in three spots: the user's own
(their commune, their structure, their request), elsewhere in their département, and in another département. The
pattern of answers gives the cell ("oui", "dans son périmètre", "sur ses communes", "sa structure", "non"); a rule
whose answer also depends on the object (a shared scenario, a published fiche…) declares named variants in
`@regle(..., cas={...})` and the cell tells which variants are allowed. A pattern that fits no wording gives "?",
which the tests refuse.
"""

import re
from dataclasses import dataclass
from pathlib import Path
from types import SimpleNamespace

from django.apps import apps
from django.conf import settings

from .permissions import Regle, peut, regles
from .roles import Role

ROLES = ["pilote", "conseiller", "partenaire", "correspondant", "cofinanceur", "structure", "public", "admin"]
# Columns that are a partner holding a live mandate in département 94 (see `utilisateur_fictif`).
MANDATS = {
    "correspondant": SimpleNamespace(nature="correspondant_observatoire", departement="94", communes=None),
    # A commune organisation: its territory is its own commune (a départemental one reads the whole département).
    "cofinanceur": SimpleNamespace(nature="co_financeur", departement="94", communes=frozenset({"94028"})),
}
ENTETES = {
    "correspondant": "Partenaire correspondant observatoire",
    "cofinanceur": "Partenaire co-financeur (commune)",
}
INCONNU = "?"
FICHIER = Path(settings.BASE_DIR) / "docs" / "permissions.md"
DEBUT = "<!-- début de la matrice : générée par `python manage.py permissions --ecrire`, ne pas modifier à la main -->"
FIN = "<!-- fin de la matrice -->"

MOI = 1  # pk of every synthetic user


@dataclass(frozen=True)
class Lieu:
    departement: str
    commune: str
    structure: int
    demandeur: int


# The user's own (their commune, structure, request), elsewhere in their département, another département.
SIEN = Lieu("94", "94028", 10, MOI)
VOISIN = Lieu("94", "94081", 11, 2)
AILLEURS = Lieu("93", "93008", 12, 3)
LIEUX = (SIEN, VOISIN, AILLEURS)

PORTEES = {
    (True, True, True): "oui",
    (True, True, False): "dans son périmètre",
    (False, False, False): "non",
}
PROPRE_PAR_ROLE = {"conseiller": "sur ses communes", "structure": "sa structure", "cofinanceur": "sur son territoire"}


class _Departements:
    def __init__(self, codes):
        self._departements = [SimpleNamespace(code=code) for code in codes]

    def all(self):
        return self._departements


def utilisateur_fictif(role: str):
    """A user of `role` with preset scope caches: rules read `_codes_departements` / `_codes_communes`, never the DB."""
    if role == "public":
        return SimpleNamespace(pk=None, id=None, is_authenticated=False, is_active=False, is_superuser=False)
    mandat = MANDATS.get(role)
    if mandat is not None:
        role = Role.PARTENAIRE
    return SimpleNamespace(
        pk=MOI,
        id=MOI,
        role=role,
        is_authenticated=True,
        is_active=True,
        is_superuser=role == Role.ADMIN,
        is_staff=role == Role.ADMIN,
        structure_id=SIEN.structure if role == Role.STRUCTURE else None,
        _codes_departements={SIEN.departement},
        _codes_communes={SIEN.commune} if role == Role.CONSEILLER else set(),
        # Live mandates as `maillage.comptes.permissions.mandats_en_vigueur` caches them.
        _mandats=(mandat,) if mandat is not None else (),
        # A partner's organisation: the one piloting the representative object at the user's own spot.
        organisation_id=MOI if role == Role.PARTENAIRE else None,
    )


def objet_exemple(lieu: Lieu, variante=None):
    """One object standing for any protected object (département code holder, commune, structure, account, answer,
    fiche, scenario, campaign, job). `variante`: attribute overrides (a dict), or the object itself (e.g. a role)."""
    if variante is not None and not isinstance(variante, dict):
        return variante
    objet = SimpleNamespace(
        pk=lieu.structure,
        code=lieu.commune,
        departement_id=lieu.departement,
        commune_id=lieu.commune,
        structure_id=lieu.structure,
        demandeur_id=lieu.demandeur,
        role=Role.CONSEILLER,
        is_superuser=False,
        is_staff=False,
        statut="brouillon",
        verrouillee=False,
        partage=False,
        federation_relit=False,
        public=False,
        regle="",
        departements_concernes=frozenset({lieu.departement}),
        # Schéma directeur: the organisation piloting a fiche action or owning a decision, its referent accounts.
        pilote_id=lieu.demandeur,
        responsable_id=lieu.demandeur,
        referent_ids=frozenset({lieu.demandeur}),
    )
    for nom, valeur in (variante or {}).items():
        setattr(objet, nom, valeur)
    objet.departements = _Departements([objet.departement_id])
    objet.structure = SimpleNamespace(pk=objet.pk, departement_id=objet.departement_id, commune_id=objet.commune_id)
    objet.campagne = SimpleNamespace(departement_id=objet.departement_id, federation_relit=objet.federation_relit)
    return objet


def _portee(regle: Regle, role: str, variante) -> str:
    motif = tuple(peut(utilisateur_fictif(role), regle.action, objet_exemple(lieu, variante)) for lieu in LIEUX)
    if motif == (True, False, False):
        return regle.propre or PROPRE_PAR_ROLE.get(role, "le sien")
    return PORTEES.get(motif, INCONNU)


def cellule(regle: Regle, role: str) -> str:
    """The cell of `regle` for `role`: its scope, per named variant of the object when they differ."""
    if not regle.cas:
        return _portee(regle, role, None)
    par_cas = {}
    for nom, variantes in regle.cas.items():
        # Several objects under one name must agree (e.g. "brouillon ou à corriger").
        portees = {_portee(regle, role, v) for v in (variantes if isinstance(variantes, list) else [variantes])}
        par_cas[nom] = portees.pop() if len(portees) == 1 else INCONNU
    if len(set(par_cas.values())) == 1:
        return next(iter(par_cas.values()))
    groupes: dict[str, list[str]] = {}
    for nom, portee in par_cas.items():
        groupes.setdefault(portee, []).append(nom)
    return " ; ".join(f"{portee} ({', '.join(noms)})" for portee, noms in groupes.items() if portee != "non")


@dataclass(frozen=True)
class Ligne:
    action: str
    description: str
    cellules: dict[str, str]


def sections() -> list[tuple[str, str, list[Ligne]]]:
    """(app label, app name, rows) per app in INSTALLED_APPS order, rules in the order of their file."""
    par_app: dict[str, list[Ligne]] = {}
    for r in regles():
        app = apps.get_containing_app_config(r.module)
        ligne = Ligne(r.action, r.description, {role: cellule(r, role) for role in ROLES})
        par_app.setdefault(app.label if app else r.module, []).append(ligne)
    return [
        (config.label, str(config.verbose_name), par_app[config.label])
        for config in apps.get_app_configs()
        if config.label in par_app
    ]


def _echapper(texte: str) -> str:
    return texte.replace("|", "\\|")


def markdown() -> str:
    lignes = []
    for label, nom, rangees in sections():
        lignes += [f"### {nom} (`{label}`)", ""]
        lignes.append("| Action | " + " | ".join(ENTETES.get(role, role.capitalize()) for role in ROLES) + " |")
        lignes.append("|---" * (len(ROLES) + 1) + "|")
        for r in rangees:
            tete = f"`{r.action}`<br>{_echapper(r.description)}"
            lignes.append(f"| {tete} | " + " | ".join(_echapper(r.cellules[role]) for role in ROLES) + " |")
        lignes.append("")
    return "\n".join(lignes).rstrip("\n") + "\n"


def texte() -> str:
    """Plain text for a terminal: one block per rule, one line per role."""
    lignes = []
    for label, nom, rangees in sections():
        lignes += [f"== {nom} ({label})", ""]
        for r in rangees:
            lignes += [f"{r.action} — {r.description}"]
            lignes += [f"    {role:<13} {r.cellules[role]}" for role in ROLES]
            lignes.append("")
    return "\n".join(lignes).rstrip("\n") + "\n"


INTRODUCTION = f"""# Qui peut faire quoi

Chaque action protégée de Maillage (page, API, export, fichier) est décidée par une seule règle, déclarée dans le
fichier `permissions.py` de l'application qui la concerne. Le tableau ci-dessous est calculé à partir de ces règles
(`python manage.py permissions --ecrire`) et les tests vérifient qu'il est à jour.

Lecture d'une case, pour un compte de ce rôle :

- **oui** : partout ;
- **dans son périmètre** : dans ses départements ;
- **sur ses communes** (conseiller) : sur les communes de son secteur ;
- **sa structure** (compte structure) : pour sa propre structure ;
- **sa structure** (compte structure) : pour sa propre structure ;
- **sur son territoire** (partenaire co-financeur) : pour les structures des communes de son organisation ;
- **non** : jamais ;
- entre parenthèses : les cas de l'objet où cela s'applique (par exemple une fiche publiée au public).

« Public » désigne une personne non connectée ; « admin », l'administrateur·rice technique. Un compte
partenaire n'a de droits en plus de la colonne « Partenaire » que par un **mandat** en cours de son organisation
(voir après le tableau) : la colonne « correspondant observatoire » montre un partenaire titulaire de ce mandat
dans son département ; la colonne « co-financeur (commune) » un partenaire d'une commune titulaire d'un mandat
de co-financeur (celui d'une organisation départementale vaut pour tout le département, voir plus bas).

{DEBUT}
{FIN}
"""


def document_attendu(actuel: str | None = None) -> str:
    """The document with a fresh matrix between the markers (the text around them is kept)."""
    base = actuel if actuel and DEBUT in actuel and FIN in actuel else INTRODUCTION
    avant, reste = base.split(DEBUT, 1)
    _, apres = reste.split(FIN, 1)
    return f"{avant}{DEBUT}\n\n{markdown()}\n{FIN}{apres}"


def matrice_du_document(document: str) -> str:
    trouve = re.search(re.escape(DEBUT) + r"\n(.*)\n" + re.escape(FIN), document, flags=re.S)
    return trouve.group(1).strip("\n") + "\n" if trouve else ""
