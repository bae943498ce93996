"""Exports of the directory and the back-office import of structures."""

from django.urls import path

from . import views_echanges

urlpatterns = [
    path("export/", views_echanges.export, name="export"),
    path("import/", views_echanges.importer, name="import"),
    path("import/confirmer/", views_echanges.importer_confirmer, name="import_confirmer"),
]
