"""API of the network: attendance statistics of an event (mounted by api.py under /api/v1/evenements)."""

from django.http import Http404
from ninja import Router, Schema
from ninja.errors import HttpError
from ninja.security import django_auth

from maillage.core.permissions import peut
from maillage.core.schemas import erreurs

from . import selectors_pointage

router = Router()


class PresenceCategorieOut(Schema):
    inscrits: int
    presents: int


class PresenceTypeOrganisationOut(Schema):
    inscrits: int
    presents: int
    liste_attente: int


class StatistiquesEvenementOut(Schema):
    inscrits: int
    presents: int
    liste_attente: int
    annulees: int
    sur_place: int
    taux_presence: float | None
    par_categorie: dict[str, PresenceCategorieOut]
    par_type_organisation: dict[str, PresenceTypeOrganisationOut]


@router.get(
    "/{id}/statistiques",
    response={200: StatistiquesEvenementOut, **erreurs(401, 403, 404, 422)},
    auth=django_auth,
    url_name="reseau_evenement_statistiques",
    summary="Statistiques de présence d'un événement",
    description=(
        "Inscrits confirmés (`inscrits`), présents, liste d'attente, inscriptions annulées, personnes inscrites sur "
        "place, taux de présence en % (null sans inscrit), et la même ventilation inscrits / présents par catégorie "
        "de participants (`par_categorie`, clés : codes de catégorie) et par type d'organisation "
        "(`par_type_organisation`, clé vide : non renseigné). Réservé aux organisateurs (pilotes et conseillers Caf "
        "du département) : 401 sans session, 403 sans ce droit, 404 pour un événement inconnu."
    ),
)
def statistiques_evenement(request, id: int):
    evenement = selectors_pointage.evenement(id)
    if evenement is None:
        raise Http404(f"Événement inconnu : {id}.")
    if not peut(request.auth, "evenement.organiser", evenement):
        raise HttpError(403, "Seuls les organisateurs de l'événement consultent ses statistiques.")
    stats = selectors_pointage.statistiques(evenement)
    return {
        **{cle: stats[cle] for cle in ("inscrits", "presents", "liste_attente", "annulees", "sur_place")},
        "taux_presence": stats["taux_presence"],
        "par_categorie": {p["cle"]: {"inscrits": p["inscrits"], "presents": p["presents"]} for p in
                          stats["par_categorie"]},
        "par_type_organisation": {
            p["cle"]: {"inscrits": p["inscrits"], "presents": p["presents"], "liste_attente": p["liste_attente"]}
            for p in stats["par_type_organisation"]
        },
    }  # fmt: skip
