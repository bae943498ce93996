"""Routes of the network: publications (see urls.py)."""

urlpatterns: list = []
