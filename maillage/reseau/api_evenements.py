"""API of the network: evenements (mounted by api.py)."""

from ninja import Router

router = Router()
