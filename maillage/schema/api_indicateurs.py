"""API routes of the indicators of a schéma (on the schéma router: /api/v1/schemas/{id}/indicateurs)."""

import datetime

from django.http import Http404
from ninja import Schema

from maillage.core.permissions import peut
from maillage.core.schemas import erreurs

from .api import router
from .models import Schema as SchemaDirecteur
from .selectors_indicateurs import indicateurs_du_schema


class PointOut(Schema):
    valeur: float
    date: datetime.date | None


class DerniereOut(Schema):
    valeur: float
    date: datetime.date


class ValeurOut(Schema):
    date: datetime.date
    valeur: float


class IndicateurOut(Schema):
    code: str
    libelle: str
    unite: str
    sens: str
    source: str
    definition: str | None
    rattachement: str
    reference: PointOut | None
    cible: PointOut | None
    derniere: DerniereOut | None
    en_bonne_voie: bool | None
    valeurs: list[ValeurOut]


class IndicateursSchemaOut(Schema):
    items: list[IndicateurOut]


def _nombre(valeur) -> float:
    return float(valeur)


@router.get(
    "/{id}/indicateurs",
    response={200: IndicateursSchemaOut, **erreurs(404, 422)},
    summary="Indicateurs d'un schéma directeur",
    description=(
        "Chaque indicateur avec sa source (`manuel` : valeurs saisies ; `calcule` : calculées par Maillage à partir "
        "du registre, du diagnostic, des budgets ou de l'observatoire, `definition` dit laquelle), sa référence, sa "
        "cible, sa dernière valeur et toutes ses valeurs datées (nombres, dates ISO 8601). `en_bonne_voie` compare la "
        "dernière valeur à la droite qui va de la référence à la cible (null sans l'une d'elles). Schéma inconnu ou "
        "non lisible (en élaboration hors de votre département) : 404."
    ),
)
def indicateurs_schema(request, id: int):
    schema = SchemaDirecteur.objects.select_related("departement").filter(pk=id).first()
    if schema is None or not peut(request.user, "schema.voir", schema):
        raise Http404(f"Schéma directeur inconnu : {id}.")
    items = []
    for ligne in indicateurs_du_schema(schema):
        items.append(
            {
                "code": ligne.code,
                "libelle": ligne.libelle,
                "unite": ligne.unite,
                "sens": ligne.sens,
                "source": ligne.source,
                "definition": ligne.indicateur.definition or None,
                "rattachement": ligne.rattachement,
                "reference": {"valeur": _nombre(ligne.reference.valeur), "date": ligne.reference.date}
                if ligne.reference
                else None,
                "cible": {"valeur": _nombre(ligne.cible.valeur), "date": ligne.cible.date} if ligne.cible else None,
                "derniere": {"valeur": _nombre(ligne.derniere.valeur), "date": ligne.derniere.date}
                if ligne.derniere
                else None,
                "en_bonne_voie": ligne.en_bonne_voie,
                "valeurs": [{"date": v.date, "valeur": _nombre(v.valeur)} for v in ligne.valeurs],
            }
        )
    return {"items": items}
