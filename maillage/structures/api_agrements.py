"""API of the agréments, for the Caf's steering staff: `GET /api/v1/agrements`.

The same readers as the renewal follow-up board (`departement.gerer`: the pilote of the département, the admin):
a session is required (401 without), a département out of the reader's scope is refused (403), and without
`departement` the list covers every département the reader pilots. Only the agrément's identity is returned
(structure, type, dates, statut): never the assessment nor the instruction comment.
"""

import datetime

from ninja import Query, Router, Schema
from ninja.errors import HttpError
from ninja.security import django_auth

from maillage.core.permissions import codes_departements, est_admin, peut
from maillage.core.schemas import erreurs
from maillage.territoires.selectors import departement_par_code

from . import regles, selectors_agrements
from .api import date_parametre
from .models import Agrement

router = Router(tags=["Agréments"])

LIMITE_DEFAUT = 50
LIMITE_MAX = 500
REGLE = "departement.gerer"


class StructureRefOut(Schema):
    id: int
    nom: str


class AgrementListeOut(Schema):
    id: int
    structure: StructureRefOut
    type: str
    debut: datetime.date
    fin: datetime.date
    statut: str


class PageAgrements(Schema):
    count: int
    items: list[AgrementListeOut]


class FiltresAgrements(Schema):
    departement: str | None = None
    date: str | None = None
    statut: str | None = None
    limit: int = LIMITE_DEFAUT
    offset: int = 0


def _date(texte: str | None) -> datetime.date | None:
    """The structures API's date parameter (422 when unreadable), within the agréments' bounds."""
    date = date_parametre(texte)
    if date is not None and not regles.DATE_MIN <= date <= regles.DATE_MAX:
        raise HttpError(
            422, f"Date hors limites : entre le {regles.DATE_MIN:%d/%m/%Y} et le {regles.DATE_MAX:%d/%m/%Y}."
        )
    return date


def _departements(user, code: str | None) -> list[str] | None:
    """The départements to list (None: all, for an admin without filter); 403 out of scope."""
    code = (code or "").strip().upper()
    if code:
        departement = departement_par_code(code)  # 404 when unknown
        if not peut(user, REGLE, departement):
            raise HttpError(403, f"Vous n'avez pas accès aux agréments du département {departement.code}.")
        return [departement.code]
    if est_admin(user):
        return None
    codes = sorted(c for c in codes_departements(user) if peut(user, REGLE, c))
    if not codes:
        raise HttpError(403, "Les agréments sont réservés aux pilotes de la Caf et aux administrateurs.")
    return codes


@router.get(
    "",
    response={200: PageAgrements, **erreurs(401, 403, 404, 422)},
    auth=django_auth,
    url_name="agrements_liste",
    summary="Agréments des structures d'un département",
    description=(
        "Filtres : `departement` (code INSEE ; sans lui, tous les départements que le compte pilote), `date` "
        "(AAAA-MM-JJ : agréments couvrant cette date), `statut` (en_instruction, accorde, refuse, expire). "
        f"Pagination : `limit` ({LIMITE_DEFAUT} par défaut, {LIMITE_MAX} au plus) et `offset`. Nécessite une session "
        "d'un ou d'une pilote du département ou d'un administrateur (401 sans session, 403 hors périmètre) ; "
        "département inconnu : 404 ; paramètre mal formé : 422 avec la raison. Ni l'appréciation des critères ni "
        "le commentaire de l'instruction ne sont renvoyés."
    ),
)
def liste(request, filtres: Query[FiltresAgrements]):
    user = request.auth
    date = _date(filtres.date)
    statut = (filtres.statut or "").strip()
    if statut and statut not in Agrement.Statut.values:
        raise HttpError(422, f"Statut inconnu {statut!r} : valeurs possibles {', '.join(Agrement.Statut.values)}.")
    if not 1 <= filtres.limit <= LIMITE_MAX:
        raise HttpError(422, f"limit doit être compris entre 1 et {LIMITE_MAX}.")
    if filtres.offset < 0:
        raise HttpError(422, "offset doit être positif ou nul.")
    departements = _departements(user, filtres.departement)
    agrements = selectors_agrements.agrements_des_departements(departements, date=date, statut=statut)
    total = agrements.count()
    lignes = agrements[filtres.offset : filtres.offset + filtres.limit] if filtres.offset < total else []
    return {
        "count": total,
        "items": [
            {
                "id": a.pk,
                "structure": {"id": a.structure.pk, "nom": a.structure.nom},
                "type": a.type,
                "debut": a.debut,
                "fin": a.fin,
                "statut": a.statut,
            }
            for a in lignes
        ],
    }
