"""API routes of the schémas and fiches actions (to be written)."""

from .api import router  # noqa: F401
