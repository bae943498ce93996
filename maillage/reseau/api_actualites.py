"""API of the network: actualites (mounted by api.py at /api/v1/actualites).

Published news only, for everyone (rule `actualite.voir`: a draft is answered like an unknown post, 404). The
linked event is given only when the caller may see it (rule `evenement.voir`)."""

import datetime

from django.http import Http404
from ninja import Field, Query, Router, Schema
from ninja.errors import HttpError

from maillage.core.permissions import peut
from maillage.core.schemas import erreurs
from maillage.territoires.selectors import departement_par_code

from . import selectors_publications as selectors

router = Router()

LIMITE_DEFAUT = 50
LIMITE_MAX = 200


class ActualiteOut(Schema):
    id: int
    titre: str
    date: datetime.date = Field(description="Date de publication")
    auteur: str = Field(description="Signature de l'actualité")
    etiquettes: list[str]
    resume: str


class PageActualites(Schema):
    count: int
    items: list[ActualiteOut]


class EvenementLieOut(Schema):
    id: int
    titre: str


class ActualiteDetailOut(ActualiteOut):
    texte: str = Field(description="Texte brut ; une ligne vide sépare deux paragraphes")
    evenement: EvenementLieOut | None = Field(description="Événement lié, null sans événement (ou non visible)")


class FiltresActualites(Schema):
    departement: str | None = None
    etiquette: str | None = None
    limit: int = LIMITE_DEFAUT
    offset: int = 0


def _item(actualite) -> dict:
    return {
        "id": actualite.pk,
        "titre": actualite.titre,
        "date": actualite.date,
        "auteur": actualite.auteur_libelle,
        "etiquettes": [e.nom for e in actualite.etiquettes.all()],
        "resume": actualite.resume,
    }


@router.get(
    "",
    response={200: PageActualites, **erreurs(404, 422)},
    url_name="actualites_liste",
    summary="Actualités publiées du réseau",
    description=(
        "Les actualités publiées, les plus récentes d'abord. Filtres : `departement` (code INSEE ; inconnu : 404), "
        f"`etiquette` (nom d'une étiquette). Pagination : `limit` ({LIMITE_DEFAUT} par défaut, {LIMITE_MAX} au "
        "plus) et `offset`."
    ),
)
def actualites(request, filtres: Query[FiltresActualites]):
    if not 1 <= filtres.limit <= LIMITE_MAX:
        raise HttpError(422, f"limit doit être compris entre 1 et {LIMITE_MAX}.")
    if filtres.offset < 0:
        raise HttpError(422, "offset doit être positif ou nul.")
    code = (filtres.departement or "").strip()
    departement = departement_par_code(code) if code else None
    publiees = selectors.actualites_publiees(departement=departement, etiquette=(filtres.etiquette or "").strip())
    total = publiees.count()
    # Past the end, no query: a huge offset would overflow the database's integer.
    page = list(publiees[filtres.offset : filtres.offset + filtres.limit]) if filtres.offset < total else []
    return {"count": total, "items": [_item(a) for a in page]}


@router.get(
    "/{id}",
    response={200: ActualiteDetailOut, **erreurs(404, 422)},
    url_name="actualites_detail",
    summary="Une actualité publiée : son texte et l'événement lié",
    description="Actualité inconnue ou non publiée : 404.",
)
def actualite_detail(request, id: int):
    actualite = selectors.actualite_detaillee(id)
    if actualite is None or actualite.statut != actualite.Statut.PUBLIEE:
        raise Http404(f"Actualité inconnue : {id}.")
    evenement = actualite.evenement
    lie = evenement is not None and peut(request.user, "evenement.voir", evenement)
    return {
        **_item(actualite),
        "texte": actualite.texte,
        "evenement": {"id": evenement.pk, "titre": evenement.titre} if lie else None,
    }
