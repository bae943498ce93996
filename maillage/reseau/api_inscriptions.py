"""API of the network: inscriptions (mounted by api.py)."""

from ninja import Router

router = Router()
