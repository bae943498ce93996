"""API routes of the indicators (to be written)."""

from .api import router  # noqa: F401
