"""Routes of the network: evenements (see urls.py)."""

urlpatterns: list = []
