"""URLs of the schéma directeur: each page module owns its own list (schéma and fiches, indicators, governance,
bulk update and documents), gathered here under the `schema` namespace."""

from . import views_documents, views_echanges, views_gouvernance, views_indicateurs, views_schema

app_name = "schema"

urlpatterns = [
    *views_schema.urlpatterns,
    *views_indicateurs.urlpatterns,
    *views_gouvernance.urlpatterns,
    *views_echanges.urlpatterns,
    *views_documents.urlpatterns,
]
