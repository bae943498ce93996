"""Schemas shared by every API router: the error bodies of `maillage/api.py`'s handlers and of the routes.

A route declares each error status it can answer, so that the OpenAPI documents it:
`response={200: StructureOut, **erreurs(404, 422)}`. One class per name: two schemas of the same name in
different routers would overwrite each other in `/api/v1/openapi.json`.
"""

from typing import Any

from ninja import Schema


class Erreur(Schema):
    """A refusal with its reason in French."""

    detail: str


class ErreurValidation(Schema):
    """Invalid parameters or body: the reason, and for each field what is wrong when it is known."""

    detail: str
    erreurs: dict[str, list[str]] | list[Any] | None = None


class Changement(Schema):
    champ: str
    avant: str
    maintenant: str


class ErreurConflit(Schema):
    """409: the object changed since the version the client read (maillage.core.versions.ConflitVersion): the
    reason, the current version and what changed (field, value then → now)."""

    detail: str
    version: int
    changements: list[Changement]


def erreurs(*codes: int) -> dict[int, type[Schema]]:
    """The `response=` entries of these error statuses (422 carries the detail by field, 409 what changed)."""
    return {code: ErreurValidation if code == 422 else ErreurConflit if code == 409 else Erreur for code in codes}
