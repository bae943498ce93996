"""Routes of the network: annuaire (see urls.py)."""

urlpatterns: list = []
