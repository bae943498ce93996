"""API of the network: actualites (mounted by api.py)."""

from ninja import Router

router = Router()
