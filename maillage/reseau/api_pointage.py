"""API of the network: pointage (mounted by api.py)."""

from ninja import Router

router = Router()
