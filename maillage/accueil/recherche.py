"""Search across the platform (page /recherche/): structures, communes, schéma fiches actions, events, resources
and news, accents and case ignored, each kind read through the selector that already encodes who may see what.

Matching: every word of the query must appear (as a substring, so "bord" finds "Bords" and "9402" a SIRET) in one
of the searched fields of a row. Both sides go through the SQL function `unaccent` then `lower`:
- PostgreSQL: the `unaccent` extension (created by accueil's migration where the database allows it; without it
  the search still ignores case, not accents);
- SQLite: the same name registered on the connection as a Python function (`sans_accents`), so the query is the
  same on both databases.
Substrings rather than `to_tsvector` full text: names and SIRET are searched by a part of a word, which French
stemming would not find; the volumes (a département's structures, a country's 35,000 communes) need no index.

One query per kind (at most LIMITE + 1 rows: the extra one only says there are more), whatever the data.
"""

import datetime
import re
import unicodedata
from dataclasses import dataclass, field

from django.db import connection
from django.db.models import CharField, F, Func, Q, QuerySet
from django.db.models.functions import Lower
from django.urls import reverse
from django.utils.timezone import localtime

from maillage.reseau.models import Evenement
from maillage.reseau.selectors import evenements_visibles
from maillage.reseau.selectors_publications import actualites_visibles, ressources_visibles
from maillage.schema.models import FicheAction
from maillage.schema.selectors import schemas_visibles
from maillage.structures.models import Structure
from maillage.territoires.models import Commune

LIMITE = 20
MOTS_MAX = 6
LONGUEUR_MAX = 200

# Letters that NFKD does not split but PostgreSQL's unaccent spells out.
_LIGATURES = str.maketrans({"œ": "oe", "Œ": "OE", "æ": "ae", "Æ": "AE", "ß": "ss"})


def sans_accents(texte):
    """The text lower-case and without accents ("Île-de-France" → "ile-de-france"); None stays None (SQL NULL)."""
    if texte is None:
        return None
    decompose = unicodedata.normalize("NFKD", str(texte).translate(_LIGATURES))
    return "".join(c for c in decompose if not unicodedata.combining(c)).lower()


class _Unaccent(Func):
    function = "UNACCENT"
    output_field = CharField()


_UNACCENT_PG: dict[str, bool] = {}


def _unaccent_disponible() -> bool:
    """Whether the database offers `unaccent` (registering it first on SQLite)."""
    if connection.vendor == "sqlite":
        connection.ensure_connection()
        # Registered per connection (a new one each request or thread); cheap, and idempotent.
        connection.connection.create_function("UNACCENT", 1, sans_accents, deterministic=True)
        return True
    if connection.vendor != "postgresql":
        return False
    cle = connection.settings_dict["NAME"]
    if cle not in _UNACCENT_PG:
        with connection.cursor() as curseur:
            curseur.execute("SELECT 1 FROM pg_extension WHERE extname = 'unaccent'")
            _UNACCENT_PG[cle] = curseur.fetchone() is not None
    return _UNACCENT_PG[cle]


def date_fr(valeur) -> str:
    """dd/mm/yyyy (a datetime in local time); "" for none."""
    if valeur is None:
        return ""
    if isinstance(valeur, datetime.datetime):
        valeur = localtime(valeur)
    return valeur.strftime("%d/%m/%Y")


def _normalise(champ: str, unaccent: bool):
    return Lower(_Unaccent(F(champ))) if unaccent else Lower(F(champ))


def mots_de(requete: str) -> list[str]:
    """The words searched: letters and digits, accents and case removed; words of one character are dropped when
    longer ones exist ("l'Île" → ["ile"])."""
    mots = re.findall(r"\w+", sans_accents((requete or "")[:LONGUEUR_MAX]))
    longs = [m for m in mots if len(m) > 1]
    resultat = list(dict.fromkeys(longs or mots))
    return resultat[:MOTS_MAX]


def _filtrer(qs: QuerySet, mots: list[str], textes: list[str], *, unaccent: bool, exacts=()) -> QuerySet:
    """Each word in one of `textes` (accents and case ignored) or at the start of one of `exacts` (codes)."""
    alias = {f"_r_{i}": _normalise(champ, unaccent) for i, champ in enumerate(textes)}
    qs = qs.alias(**alias)
    for mot in mots:
        condition = Q()
        for nom in alias:
            condition |= Q(**{f"{nom}__contains": mot})
        for champ in exacts:
            if mot.isdigit():
                condition |= Q(**{f"{champ}__startswith": mot})
        qs = qs.filter(condition)
    return qs


@dataclass
class Resultat:
    titre: str
    url: str
    detail: str = ""


@dataclass
class Groupe:
    cle: str
    titre: str
    resultats: list[Resultat] = field(default_factory=list)
    plus: bool = False


def _groupe(cle, titre, qs, fabrique) -> Groupe:
    lignes = list(qs[: LIMITE + 1])
    return Groupe(cle, titre, [fabrique(o) for o in lignes[:LIMITE]], plus=len(lignes) > LIMITE)


def rechercher(user, requete: str) -> list[Groupe]:
    """The groups of results of `requete` for `user` (only those with results), in a fixed order."""
    mots = mots_de(requete)
    if not mots:
        return []
    u = _unaccent_disponible()
    groupes = []

    # Structures: their page is public (name, commune, SIRET, postal code are on it).
    structures = _filtrer(
        Structure.objects.select_related("commune").only("pk", "nom", "type", "code_postal", "commune__nom"),
        mots,
        ["nom", "commune__nom"],
        unaccent=u,
        exacts=["siret", "code_postal"],
    ).order_by("nom", "pk")
    groupes.append(
        _groupe(
            "structures",
            "Structures",
            structures,
            lambda s: Resultat(
                s.nom,
                reverse("structures:structure", args=[s.pk]),
                f"{s.get_type_display()} — {s.code_postal + ' ' if s.code_postal else ''}{s.commune.nom}",
            ),
        )
    )

    # Communes: the public referential; a postal code is the one of a structure located there.
    communes = Commune.objects.select_related("departement").only("code", "nom", "departement__nom")
    communes = communes.alias(_r_nom=_normalise("nom", u))
    for mot in mots:
        condition = Q(_r_nom__contains=mot)
        if mot.isdigit():
            postaux = Structure.objects.filter(code_postal__startswith=mot).values("commune_id")
            condition |= Q(code__startswith=mot) | Q(code__in=postaux)
        communes = communes.filter(condition)
    groupes.append(
        _groupe(
            "communes",
            "Communes",
            communes.order_by("nom", "code"),
            lambda c: Resultat(c.nom, reverse("territoires:commune", args=[c.code]), f"{c.code} — {c.departement.nom}"),
        )
    )

    # Fiches actions of the schémas `user` may read (adopted ones for all, drafts in scope).
    fiches = _filtrer(
        FicheAction.objects.filter(schema__in=schemas_visibles(user).values("pk"))
        .select_related("schema")
        .only("pk", "numero", "titre", "schema__titre"),
        mots,
        ["titre", "numero"],
        unaccent=u,
    ).order_by("schema__titre", "numero", "pk")
    groupes.append(
        _groupe(
            "fiches",
            "Fiches actions du schéma directeur",
            fiches,
            lambda f: Resultat(f"{f.numero} — {f.titre}", reverse("schema:fiche", args=[f.pk]), f.schema.titre),
        )
    )

    # Events `user` may see (rule evenement.voir as a query); most recent first.
    evenements = _filtrer(
        Evenement.objects.filter(pk__in=evenements_visibles(user).values("pk"))
        .select_related("lieu_commune")
        .only("pk", "titre", "debut", "lieu_commune__nom"),
        mots,
        ["titre", "lieu_commune__nom"],
        unaccent=u,
    ).order_by("-debut", "pk")
    groupes.append(
        _groupe(
            "evenements",
            "Événements",
            evenements,
            lambda e: Resultat(
                e.titre,
                reverse("reseau:evenement", args=[e.pk]),
                " — ".join(x for x in (date_fr(e.debut), e.lieu_commune.nom if e.lieu_commune else "") if x),
            ),
        )
    )

    ressources = _filtrer(
        ressources_visibles(user).prefetch_related(None).select_related(None).only("pk", "titre", "date"),
        mots,
        ["titre", "resume"],
        unaccent=u,
    )
    groupes.append(
        _groupe(
            "ressources",
            "Ressources",
            ressources,
            lambda r: Resultat(r.titre, reverse("reseau:ressource", args=[r.pk]), date_fr(r.date)),
        )
    )

    actualites = _filtrer(
        actualites_visibles(user).prefetch_related(None).select_related(None).only("pk", "titre", "date"),
        mots,
        ["titre", "resume"],
        unaccent=u,
    )
    groupes.append(
        _groupe(
            "actualites",
            "Actualités",
            actualites,
            lambda a: Resultat(a.titre, reverse("reseau:actualite", args=[a.pk]), date_fr(a.date)),
        )
    )
    return [g for g in groupes if g.resultats]
