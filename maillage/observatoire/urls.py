"""URLs of the observatoire (`observatoire:`), assembled from one module per area."""

from .urls_fiches import urlpatterns as fiches
from .urls_publications import urlpatterns as publications
from .urls_relecture import urlpatterns as relecture
from .urls_resultats import urlpatterns as resultats
from .urls_saisie import urlpatterns as saisie

app_name = "observatoire"

# `resultats/` (the list of publications) cannot shadow `resultats/<int:annee>/…`: Django matches whole paths.
urlpatterns = saisie + relecture + publications + resultats + fiches
