"""API routes of the schémas directeurs and their fiches actions (registered on `api.router`, /api/v1/schemas…).

Reading follows the rule `schema.voir`: adopted schémas (or later) are public, a schéma being drafted is read by
the accounts of its département; a schéma or a fiche the caller may not read is answered like an unknown one
(404). The public never gets internal comments nor referents (personal data): `commentaires` is added to a fiche
only for holders of `schema.voir_interne`. The update (`PATCH`) needs a session (401 without) and its CSRF token,
and goes through `services.fiche_mettre_a_jour`, the one write of a fiche's progress: the same rules as the pages.
Progress values are numbers from 0 to 100 (null when nothing counts: every action abandoned, or none).
A schéma's detail is the same for every reader: its JSON text is kept in cache by version of the schéma's data
(`selectors.version_schema`), the rule checked on every request.
"""

import datetime
from typing import Any

from django.core.cache import cache
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404, HttpResponse
from ninja import Field, Query, Schema, Status
from ninja.errors import HttpError
from ninja.renderers import JSONRenderer
from pydantic import ConfigDict

from maillage.core.horloge import aujourdhui
from maillage.core.permissions import peut
from maillage.core.schemas import erreurs
from maillage.core.versions import ConflitVersion
from maillage.diagnostic.api import session
from maillage.territoires.selectors import departement_par_code

from . import selectors, services
from .api import router
from .models import CommentaireAction, FicheAction, Jalon

LIMITE_DEFAUT = 100
LIMITE_MAX = 500
DUREE_CACHE = 24 * 60 * 60  # the key changes with the data: the duration only bounds memory
RENDU_JSON = JSONRenderer()  # the API's renderer (NinjaAPI's default), for the answers kept as text
Avancement = float | None  # 0-100, one decimal for rolled-up values


# --- Schemas (names unique in the whole OpenAPI document) --------------------------------------------------------


class SchemaDirecteurOut(Schema):
    id: int
    departement: str
    titre: str
    debut: int
    fin: int
    statut: str
    avancement: Avancement = Field(description="Avancement remonté du schéma (0 à 100), null sans action comptée")


class PageSchemasDirecteurs(Schema):
    count: int
    items: list[SchemaDirecteurOut]


class SignataireOut(Schema):
    nom: str
    type: str


class NumeroTitreOut(Schema):
    numero: int
    titre: str


class ActionResumeOut(Schema):
    id: int
    numero: str
    titre: str
    pilote: str | None
    statut: str
    avancement: int = Field(ge=0, le=100)


class OrientationSchemaOut(Schema):
    numero: int
    titre: str
    avancement: Avancement
    actions: list[ActionResumeOut]


class AxeSchemaOut(Schema):
    numero: int
    titre: str
    avancement: Avancement
    orientations: list[OrientationSchemaOut]


class SchemaDirecteurDetailOut(SchemaDirecteurOut):
    date_adoption: datetime.date | None
    signataires: list[SignataireOut]
    enjeux: list[NumeroTitreOut]
    directions: list[NumeroTitreOut]
    axes: list[AxeSchemaOut]


class JalonOut(Schema):
    id: int
    libelle: str
    echeance: datetime.date
    fait: bool
    en_retard: bool


class CommentaireActionOut(Schema):
    date: datetime.datetime
    auteur: str
    texte: str
    statut: str | None = Field(description="Statut fixé par cette mise à jour, null pour un simple commentaire")
    avancement: int | None = Field(description="Avancement fixé par cette mise à jour, null sinon")


class FicheActionOut(Schema):
    id: int
    schema_: int = Field(alias="schema")
    numero: str
    titre: str
    objectifs: str
    description: str
    pilote: str | None
    partenaires: list[str]
    statut: str
    avancement: int = Field(ge=0, le=100)
    poids: int
    debut: datetime.date | None
    fin: datetime.date | None
    jalons: list[JalonOut]
    version: int
    commentaires: list[CommentaireActionOut] | None = Field(
        None, description="Historique des commentaires, le plus récent d'abord : seulement pour le suivi interne"
    )


class FicheActionPatch(Schema):
    model_config = ConfigDict(json_schema_extra={"required": ["version"]})

    # Typed loosely so that a bad value gets the service's French reason by field (422), not a generic error.
    statut: Any = Field(
        None, json_schema_extra={"type": "string", "enum": FicheAction.Statut.values}, description="Nouveau statut"
    )
    avancement: Any = Field(
        None,
        json_schema_extra={"type": "number", "minimum": 0, "maximum": 100},
        description="Nouvel avancement, de 0 à 100 (arrondi à l'unité)",
    )
    commentaire: Any = Field(
        None,
        json_schema_extra={"type": "string", "maxLength": services.LONGUEUR_COMMENTAIRE},
        description="Commentaire gardé dans l'historique de la fiche",
    )
    version: Any = Field(
        None,
        json_schema_extra={"type": "integer", "minimum": 1},
        description="La version de la fiche lue par le client (champ `version` de la lecture) : obligatoire",
    )


class FiltresSchemas(Schema):
    departement: str | None = None
    limit: int = LIMITE_DEFAUT
    offset: int = 0


# --- Reading --------------------------------------------------------------------------------------------------


def _schema_visible(request, id: int):
    schema = selectors.schemas_visibles(request.user).filter(pk=id).first()
    if schema is None:
        raise Http404(f"Schéma directeur inconnu : {id}.")
    return schema


def _item(schema, avancement) -> dict:
    return {
        "id": schema.pk,
        "departement": schema.departement_id,
        "titre": schema.titre,
        "debut": schema.debut,
        "fin": schema.fin,
        "statut": schema.statut,
        "avancement": avancement,
    }


@router.get(
    "",
    response={200: PageSchemasDirecteurs, **erreurs(404, 422)},
    url_name="schemas_liste",
    summary="Schémas directeurs de l'animation de la vie sociale",
    description=(
        "Les schémas que l'appelant peut lire : adoptés (ou suivants) pour tous, en élaboration pour les comptes "
        "du département. Filtre `departement` (code INSEE ; inconnu : 404). Pagination : `limit` "
        f"({LIMITE_DEFAUT} par défaut, {LIMITE_MAX} au plus) et `offset`. `avancement` : moyenne des avancements des "
        "fiches actions pondérée par leur poids, les actions abandonnées n'y comptant pas (0 à 100, null sans "
        "action comptée)."
    ),
)
def schemas(request, filtres: Query[FiltresSchemas]):
    if not 1 <= filtres.limit <= LIMITE_MAX:
        raise HttpError(422, f"limit doit être compris entre 1 et {LIMITE_MAX}.")
    if filtres.offset < 0:
        raise HttpError(422, "offset doit être positif ou nul.")
    departement = (filtres.departement or "").strip() or None
    if departement:
        departement = departement_par_code(departement).code
    visibles = selectors.schemas_visibles(request.user, departement=departement).order_by(
        "departement_id", "-debut", "pk"
    )
    total = visibles.count()
    # Past the end, no query: a huge offset would overflow the database's integer.
    page = list(visibles[filtres.offset : filtres.offset + filtres.limit]) if filtres.offset < total else []
    avancements = selectors.avancements(page)
    return {"count": total, "items": [_item(s, avancements[s.pk]) for s in page]}


@router.get(
    "/{id}",
    response={200: SchemaDirecteurDetailOut, **erreurs(404, 422)},
    url_name="schemas_detail",
    summary="Un schéma directeur : enjeux, directions de progrès, axes, orientations et fiches actions",
    description=(
        "Le schéma, ses signataires (organisations), enjeux et directions de progrès, puis l'arbre axes → "
        "orientations → fiches actions avec l'avancement remonté à chaque niveau (moyenne pondérée par le poids "
        "des actions, abandonnées exclues ; 0 à 100, null sans action comptée). Schéma inconnu ou que "
        "l'appelant ne peut pas lire (en élaboration hors de son département) : 404."
    ),
)
def schema_detail(request, id: int):
    schema = _schema_visible(request, id)  # the rule first, never from the cache
    # The same answer for every reader: kept as its JSON text while the schéma's data version stays the same
    # (validation and rendering of 200 actions cost as much as reading them).
    cle = f"schema:api:detail:{selectors.version_schema(schema)}"
    contenu = cache.get(cle)
    if contenu is None:
        donnees = SchemaDirecteurDetailOut.model_validate(_detail(schema)).model_dump()
        contenu = RENDU_JSON.render(request, donnees, response_status=200)
        cache.set(cle, contenu, DUREE_CACHE)
    return HttpResponse(contenu, content_type=f"{RENDU_JSON.media_type}; charset={RENDU_JSON.charset}")


def _detail(schema) -> dict:
    arbre = selectors.arbre(schema, resume=True)
    return {
        **_item(schema, arbre.avancement),
        "date_adoption": schema.date_adoption,
        "signataires": [
            {"nom": o.nom, "type": o.type} for o in schema.signataires.order_by("nom", "pk").only("nom", "type")
        ],
        "enjeux": [{"numero": e.numero, "titre": e.titre} for e in schema.enjeux.order_by("numero")],
        "directions": [{"numero": d.numero, "titre": d.titre} for d in schema.directions.order_by("numero")],
        "axes": [
            {
                "numero": noeud_axe.axe.numero,
                "titre": noeud_axe.axe.titre,
                "avancement": noeud_axe.avancement,
                "orientations": [
                    {
                        "numero": noeud.orientation.numero,
                        "titre": noeud.orientation.titre,
                        "avancement": noeud.avancement,
                        "actions": [
                            {
                                "id": f.fiche.pk,
                                "numero": f.fiche.numero,
                                "titre": f.fiche.titre,
                                "pilote": f.fiche.pilote.nom if f.fiche.pilote else None,
                                "statut": f.fiche.statut,
                                "avancement": f.fiche.avancement,
                            }
                            for f in noeud.fiches
                        ],
                    }
                    for noeud in noeud_axe.orientations
                ],
            }
            for noeud_axe in arbre.axes
        ],
    }


def _fiche_visible(request, id: int) -> FicheAction:
    fiche = (
        FicheAction.objects.select_related("schema", "pilote")
        .filter(pk=id, schema__in=selectors.schemas_visibles(request.user))
        .first()
    )
    if fiche is None:
        raise Http404(f"Fiche action inconnue : {id}.")
    return fiche


def _fiche(fiche: FicheAction, user) -> dict:
    jour = aujourdhui()
    jalons = Jalon.objects.filter(fiche=fiche).order_by("echeance", "pk")
    donnees = {
        "id": fiche.pk,
        "schema": fiche.schema_id,
        "numero": fiche.numero,
        "titre": fiche.titre,
        "objectifs": fiche.objectifs,
        "description": fiche.description,
        "pilote": fiche.pilote.nom if fiche.pilote else None,
        "partenaires": list(fiche.partenaires.order_by("nom", "pk").values_list("nom", flat=True)),
        "statut": fiche.statut,
        "avancement": fiche.avancement,
        "poids": fiche.poids,
        "debut": fiche.debut,
        "fin": fiche.fin,
        "jalons": [
            {"id": j.pk, "libelle": j.libelle, "echeance": j.echeance, "fait": j.fait, "en_retard": j.en_retard(jour)}
            for j in jalons
        ],
        "version": fiche.version,
    }
    if peut(user, "schema.voir_interne", fiche.schema):
        commentaires = CommentaireAction.objects.filter(fiche=fiche).order_by("-le", "-pk")
        donnees["commentaires"] = [
            {
                "date": c.le,
                "auteur": c.auteur_libelle,
                "texte": c.texte,
                "statut": c.statut or None,
                "avancement": c.avancement,
            }
            for c in commentaires
        ]
    return donnees


@router.get(
    "/actions/{id}",
    response={200: FicheActionOut, **erreurs(404, 422)},
    url_name="schemas_action",
    exclude_unset=True,
    by_alias=True,
    summary="Une fiche action",
    description=(
        "La fiche, son pilote et ses partenaires (organisations), son calendrier, ses jalons (`en_retard` : échéance "
        "passée sans être faits) et sa `version`, à renvoyer avec une mise à jour. `commentaires` n'est donné "
        "qu'aux comptes du département (suivi interne). Fiche inconnue ou d'un schéma que l'appelant ne peut pas "
        "lire : 404."
    ),
)
def action(request, id: int):
    return _fiche(_fiche_visible(request, id), request.user)


def _refus_valeurs(erreur: ValidationError) -> Status:
    return Status(
        422, {"detail": "Mise à jour refusée : corrigez les valeurs envoyées.", "erreurs": erreur.message_dict}
    )


def _valeurs(corps: FicheActionPatch) -> dict:
    """The body's values typed as JSON says (a number is a number), else ValidationError by field, in French."""
    problemes = {}
    if corps.statut is not None and not isinstance(corps.statut, str):
        problemes["statut"] = ["Le statut est un texte : " + ", ".join(FicheAction.Statut.values) + "."]
    if corps.avancement is not None and (
        isinstance(corps.avancement, bool) or not isinstance(corps.avancement, int | float)
    ):
        problemes["avancement"] = ["L'avancement est un nombre entre 0 et 100."]
    if corps.commentaire is not None and not isinstance(corps.commentaire, str):
        problemes["commentaire"] = ["Le commentaire doit être un texte."]
    if corps.version is None:
        problemes["version"] = ["Indiquez la version de la fiche que vous avez lue (champ version de la lecture)."]
    elif isinstance(corps.version, bool) or not isinstance(corps.version, int) or corps.version < 1:
        problemes["version"] = ["La version est un nombre entier positif, celui lu avec la fiche."]
    if problemes:
        raise ValidationError(problemes)
    return {"statut": corps.statut, "avancement": corps.avancement, "commentaire": corps.commentaire}


@router.patch(
    "/actions/{id}",
    response={200: FicheActionOut, **erreurs(400, 401, 403, 404, 409, 413, 415, 422)},
    auth=session,
    url_name="schemas_action_modifier",
    exclude_unset=True,
    by_alias=True,
    summary="Mettre à jour une fiche action : statut, avancement, commentaire",
    description=(
        "Corps JSON : `statut` (a_lancer, en_cours, realisee, reportee, abandonnee), `avancement` (nombre de 0 à "
        "100), `commentaire` (gardé dans l'historique de la fiche), `version` (obligatoire : celle lue avec la "
        "fiche). Un champ absent ne change pas. Une action réalisée est à 100 %. Réponse : la fiche à jour. "
        "Nécessite une session (401 sans) et le jeton CSRF (en-tête X-CSRFToken ; 403 sans) ; 403 sans le droit de "
        "tenir la fiche à jour (le pilote du département, les comptes de l'organisation pilote, les référents de "
        "la fiche) ; 404 fiche inconnue ou illisible ; 422 valeur refusée, avec la raison par champ ; 409 la fiche "
        "a changé depuis la version lue, avec les champs changés (rien n'est enregistré)."
    ),
)
def action_modifier(request, id: int, corps: FicheActionPatch):
    user = request.auth
    fiche = _fiche_visible(request, id)
    if not peut(user, "fiche_action.mettre_a_jour", fiche):
        return Status(403, {"detail": "Vous n'avez pas le droit de tenir à jour cette fiche action."})
    try:
        valeurs = _valeurs(corps)
        services.fiche_mettre_a_jour(par=user, fiche=fiche, version=corps.version, **valeurs)
    except ConflitVersion as conflit:
        actuelle = FicheAction.objects.filter(pk=fiche.pk).values_list("version", flat=True).first()
        return Status(
            409,
            {
                "detail": conflit.message_conflit,
                "version": actuelle or 0,
                "changements": [
                    {"champ": c.champ, "avant": c.avant, "maintenant": c.maintenant} for c in conflit.changements
                ],
            },
        )
    except ValidationError as erreur:
        return _refus_valeurs(erreur)
    except PermissionDenied:
        return Status(403, {"detail": "Vous n'avez pas le droit de tenir à jour cette fiche action."})
    return _fiche(fiche, user)
