"""Pages of the schéma directeur (to be written)."""

urlpatterns: list = []
