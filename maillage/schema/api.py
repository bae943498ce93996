"""API of the schéma directeur (django-ninja): /api/v1/schemas… The routes live in `api_schemas` and
`api_indicateurs`, registered on this router."""

from ninja import Router

router = Router(tags=["Schéma directeur"])

from . import api_indicateurs, api_schemas  # noqa: E402, F401  (their routes register on `router`)
