"""API of the network's events (read side): `GET /api/v1/evenements` (the events the caller may see, filtered by
département and dates, paginated) and `GET /api/v1/evenements/{id}` (one event with its programme).

Visibility is the rule `evenement.voir` as a query (`selectors.evenements_visibles`): anonymous callers see the
published events open to all or on invitation; accounts also those of the network of their départements."""

import datetime

from django.http import Http404
from ninja import Query, Router, Schema
from ninja.errors import HttpError

from maillage.core.horloge import maintenant
from maillage.core.schemas import erreurs
from maillage.territoires.selectors import departement_par_code

from . import selectors_evenements
from .api_schemas import EvenementDetailOut, PageEvenementsOut
from .cache import reponse_api_en_cache
from .selectors import evenements_visibles

router = Router()

LIMITE_DEFAUT = 50
LIMITE_MAX = 500


class FiltresEvenements(Schema):
    departement: str | None = None
    apres: str | None = None
    avant: str | None = None
    limit: int = LIMITE_DEFAUT
    offset: int = 0


def _date(texte: str | None, nom: str) -> datetime.date | None:
    if not texte:
        return None
    try:
        return datetime.date.fromisoformat(texte)
    except ValueError:
        raise HttpError(
            422, f"{nom} : date invalide {texte[:20]!r}, attendu AAAA-MM-JJ (par exemple 2016-11-21)."
        ) from None


def _item(evenement, instant) -> dict:
    commune = evenement.lieu_commune
    return {
        "id": evenement.pk,
        "titre": evenement.titre,
        "type": evenement.type,
        "debut": evenement.debut,
        "fin": evenement.fin,
        "lieu": {
            "nom": evenement.lieu_nom,
            "adresse": evenement.lieu_adresse,
            "commune": {"code": commune.code, "nom": commune.nom} if commune is not None else None,
        },
        "capacite": evenement.capacite,
        "inscrits": evenement.inscrits,
        "liste_attente": evenement.liste_attente_nombre,
        "inscriptions_ouvertes": not selectors_evenements.raison_fermeture(evenement, a=instant),
    }


@router.get(
    "",
    response={200: PageEvenementsOut, **erreurs(404, 422)},
    url_name="evenements_liste",
    summary="Événements du réseau",
    description=(
        "Les événements visibles par l'appelant, par date de début. Filtres : `departement` (code INSEE), `apres` "
        "(AAAA-MM-JJ : événements finissant ce jour-là ou après), `avant` (AAAA-MM-JJ : commençant ce jour-là ou "
        f"avant). Pagination : `limit` ({LIMITE_DEFAUT} par défaut, {LIMITE_MAX} au plus) et `offset`. "
        "Département inconnu : 404 ; paramètre mal formé : 422 avec la raison."
    ),
)
def liste(request, filtres: Query[FiltresEvenements]):
    apres = _date(filtres.apres, "apres")
    avant = _date(filtres.avant, "avant")
    if apres and avant and avant < apres:
        raise HttpError(422, "avant doit être postérieur ou égal à apres.")
    if not 1 <= filtres.limit <= LIMITE_MAX:
        raise HttpError(422, f"limit doit être compris entre 1 et {LIMITE_MAX}.")
    if filtres.offset < 0:
        raise HttpError(422, "offset doit être positif ou nul.")
    departement = (filtres.departement or "").strip()
    if departement:
        departement = departement_par_code(departement).code

    def calculer():
        evenements = evenements_visibles(request.user, departement=departement or None, apres=apres, avant=avant)
        total = evenements.count()
        # Past the end, no query: a huge offset would overflow the database's integer.
        page = evenements[filtres.offset : filtres.offset + filtres.limit] if filtres.offset < total else []
        instant = maintenant()
        return {"count": total, "items": [_item(e, instant) for e in page]}

    parametres = (departement, apres, avant, filtres.limit, filtres.offset)
    return reponse_api_en_cache(request, "evenements", parametres, calculer)


@router.get(
    "/{id}",
    response={200: EvenementDetailOut, **erreurs(404, 422)},
    url_name="evenements_detail",
    summary="Un événement du réseau et son programme",
    description=(
        "Les champs de la liste, plus la description et le programme (sessions par heure : type, salle, capacité, "
        "intervenants). Événement inconnu ou non visible par l'appelant : 404."
    ),
)
def detail(request, id: int):
    return reponse_api_en_cache(request, "evenement", id, lambda: _detail(request, id))


def _detail(request, id: int) -> dict:
    evenement = selectors_evenements.evenement_api(request.user, id)
    if evenement is None:
        raise Http404(f"Événement inconnu ou non visible : {id}.")
    return {
        **_item(evenement, maintenant()),
        "description": evenement.description,
        "programme": [
            {
                "debut": s.debut,
                "fin": s.fin,
                "titre": s.titre,
                "type": s.type,
                "salle": s.salle,
                "capacite": s.capacite,
                "intervenants": [
                    {"nom": i.nom, "fonction": i.fonction, "organisation": i.organisation} for i in s.intervenants.all()
                ],
            }
            for s in evenement.sessions.all()
        ],
    }
