"""Public API of the registry: the directory of centres sociaux and EVS (public fields only).

`GET /api/v1/structures` lists structures, `GET /api/v1/structures/{id}` gives one with its public details.
Without `date`, every structure is listed (closed ones included) and `agrement` is the one covering today;
with `date`, only the structures active at that date (holding an agrément covering it) and `agrement` at that
date. Never exposed: budgets, agrément assessments and comments, contacts, documents.
"""

import datetime
import hashlib

from django.core.cache import cache
from django.http import Http404
from ninja import Query, Router, Schema
from ninja.errors import HttpError

from maillage.core.horloge import aujourdhui
from maillage.core.schemas import erreurs
from maillage.territoires import perimetres
from maillage.territoires.api import CodeNom
from maillage.territoires.models import Commune
from maillage.territoires.selectors import departement_par_code

from . import exports, selectors
from .models import Agrement, ModeGestion, Structure, TypeStructure
from .selectors import STATUTS_ACTIFS

router = Router(tags=["Structures"])

LIMITE_DEFAUT = 50
LIMITE_MAX = 500


class AgrementOut(Schema):
    type: str
    debut: datetime.date
    fin: datetime.date


class StructureOut(Schema):
    id: int
    nom: str
    type: str
    commune: CodeNom
    gestion: str
    siret: str
    adresse: str
    position: list[float] | None
    agrement: AgrementOut | None


class PageStructures(Schema):
    count: int
    items: list[StructureOut]


class GestionnaireOut(Schema):
    nom: str
    forme_juridique: str
    designation: str


class ZoneOut(Schema):
    communes: list[str]
    qpv: list[str]


class AgrementHistoriqueOut(AgrementOut):
    statut: str


class StructureDetailOut(StructureOut):
    departement: str
    code_postal: str
    gestionnaire: GestionnaireOut
    zone_competence: ZoneOut
    date_premier_agrement: datetime.date | None
    date_ouverture: datetime.date | None
    date_fermeture: datetime.date | None
    multi_sites: bool
    itinerante: bool
    gens_du_voyage: bool
    situation_qpv: str
    adherent_federation: bool
    telephone: str
    email: str
    site_web: str
    presentation: str
    agrements: list[AgrementHistoriqueOut]


class Filtres(Schema):
    departement: str | None = None
    date: str | None = None
    type: str | None = None
    commune: str | None = None
    gestion: str | None = None
    perimetre: str | None = None
    limit: int = LIMITE_DEFAUT
    offset: int = 0


def date_parametre(texte: str | None) -> datetime.date | None:
    if not texte:
        return None
    try:
        return datetime.date.fromisoformat(texte)
    except ValueError:
        raise HttpError(422, f"Date invalide {texte!r} : attendu AAAA-MM-JJ, par exemple 2015-12-31.") from None


def _choix(valeur: str | None, choix, nom: str) -> str | None:
    if not valeur:
        return None
    if valeur not in choix.values:
        raise HttpError(422, f"{nom} inconnu {valeur!r} : valeurs possibles {', '.join(choix.values)}.")
    return valeur


def _item(structure: Structure) -> dict:
    agrement = exports.agrement_a_date(structure)
    return {
        "id": structure.pk,
        "nom": structure.nom,
        "type": structure.type,
        "commune": {"code": structure.commune_id, "nom": structure.commune.nom},
        "gestion": structure.gestionnaire.mode_gestion,
        "siret": structure.siret,
        "adresse": structure.adresse,
        "position": list(structure.position) if structure.position else None,
        "agrement": {"type": agrement.type, "debut": agrement.debut, "fin": agrement.fin} if agrement else None,
    }


@router.get(
    "",
    response={200: PageStructures, **erreurs(404, 422)},
    url_name="structures_liste",
    summary="Annuaire des centres sociaux et espaces de vie sociale",
    description=(
        "Filtres : `departement` (code INSEE), `date` (AAAA-MM-JJ : structures actives à cette date ; sans date, "
        "toutes les structures, avec l'agrément en cours aujourd'hui), `type` (centre_social, evs), `commune` "
        "(code INSEE), `gestion` (associative, collectivite, autre), `perimetre` (avec `departement` : "
        "`epci:<SIREN>`, `ept:<SIREN>`, `territoire_caf:<code>`… ; ses communes aujourd'hui, comme le filtre "
        f"« Territoire » de l'annuaire). Pagination : `limit` ({LIMITE_DEFAUT} par défaut, {LIMITE_MAX} au plus) "
        "et `offset`. Département ou commune inconnus : 404 ; paramètre mal formé : "
        "422 avec la raison."
    ),
)
def liste(request, filtres: Query[Filtres]):
    date = date_parametre(filtres.date)
    type_ = _choix(filtres.type, TypeStructure, "Type")
    gestion = _choix(filtres.gestion, ModeGestion, "Mode de gestion")
    if not 1 <= filtres.limit <= LIMITE_MAX:
        raise HttpError(422, f"limit doit être compris entre 1 et {LIMITE_MAX}.")
    if filtres.offset < 0:
        raise HttpError(422, "offset doit être positif ou nul.")
    departement = (filtres.departement or "").strip() or None
    if departement:
        departement = departement_par_code(departement).code
    commune = (filtres.commune or "").strip().upper() or None
    if commune and not Commune.objects.filter(code=commune).exists():
        raise Http404(f"Commune inconnue : {commune!r}.")
    perimetre = None
    valeur_perimetre = (filtres.perimetre or "").strip()
    if valeur_perimetre:
        if not departement:
            raise HttpError(422, "Le paramètre perimetre demande un departement (par exemple departement=94).")
        perimetre = perimetres.perimetre_lu(departement, valeur_perimetre, date=aujourdhui())
        if perimetre is None:
            raise HttpError(
                422,
                f"Périmètre inconnu {valeur_perimetre!r} dans le département {departement} : attendu par exemple "
                "epci:<SIREN> ou ept:<SIREN> (voir le filtre « Territoire » de l'annuaire).",
            )
    # Public data, the same for everyone: computed once per query, day (the agrément shown without a date is
    # today's) and data version of the directory, then served from the cache shared by the processes.
    parametres = (
        date,
        departement,
        commune,
        type_,
        gestion,
        valeur_perimetre,
        filtres.limit,
        filtres.offset,
        aujourdhui(),
    )
    cle = "api:structures:" + hashlib.sha256(repr(parametres).encode()).hexdigest()[:32]
    cle += f":{selectors.version_annuaire()}"
    page = cache.get(cle)
    if page is None:
        structures = exports.structures_publiques(
            date=date, departement=departement, commune=commune, type=type_, gestion=gestion, perimetre=perimetre
        )
        total = structures.count()
        # Past the end, no query: a huge offset would overflow the database's integer (a 500 on SQLite).
        lignes = structures[filtres.offset : filtres.offset + filtres.limit] if filtres.offset < total else []
        page = {"count": total, "items": [_item(s) for s in lignes]}
        cache.set(cle, page, selectors.DUREE_CACHE)
    return page


@router.get(
    "/{id}",
    response={200: StructureDetailOut, **erreurs(404, 422)},
    url_name="structures_detail",
    summary="Une structure et ses informations publiques",
    description=(
        "Les champs de l'annuaire, plus la zone de compétence (codes INSEE des communes et codes des QPV), les "
        "indicateurs SENACS, les dates et l'historique public des agréments accordés (type, début, fin, statut) ; "
        "`date` (AAAA-MM-JJ, aujourd'hui par défaut) choisit l'agrément affiché dans `agrement`."
    ),
)
def detail(request, id: int, date: str | None = None):
    jour = date_parametre(date) or aujourdhui()
    structure = (
        exports.structures_publiques(date_agrement=jour)
        .prefetch_related("communes_competence", "qpv_competence")
        .filter(pk=id)
        .first()
    )
    if structure is None:
        raise Http404(f"Structure inconnue : {id}.")
    # Only granted agréments are public: an application in progress or refused stays with the Caf.
    agrements = Agrement.objects.filter(structure=structure, statut__in=STATUTS_ACTIFS).order_by("-debut")
    return {
        **_item(structure),
        "departement": structure.departement_id,
        "code_postal": structure.code_postal,
        "gestionnaire": {
            "nom": structure.gestionnaire.nom,
            "forme_juridique": structure.gestionnaire.forme_juridique,
            "designation": structure.gestionnaire.designation,
        },
        "zone_competence": {
            "communes": sorted(c.code for c in structure.communes_competence.all()),
            "qpv": sorted(q.code for q in structure.qpv_competence.all()),
        },
        "date_premier_agrement": structure.date_premier_agrement,
        "date_ouverture": structure.date_ouverture,
        "date_fermeture": structure.date_fermeture,
        "multi_sites": structure.multi_sites,
        "itinerante": structure.itinerante,
        "gens_du_voyage": structure.gens_du_voyage,
        "situation_qpv": structure.situation_qpv,
        "adherent_federation": structure.adherent_federation,
        "telephone": structure.telephone,
        "email": structure.email,
        "site_web": structure.site_web,
        "presentation": structure.presentation,
        "agrements": [{"type": a.type, "debut": a.debut, "fin": a.fin, "statut": a.statut} for a in agrements],
    }
