"""Routes of the network: inscriptions (see urls.py)."""

urlpatterns: list = []
