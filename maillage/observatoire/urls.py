"""URLs of the observatoire (`observatoire:`), assembled from one module per area."""

from maillage.fiches.urls import urlpatterns as fiches

from .publications.urls import urlpatterns as publications
from .relecture.urls import urlpatterns as relecture
from .resultats.urls import urlpatterns as resultats
from .saisie.urls import urlpatterns as saisie

app_name = "observatoire"

# The fiches (their own app) keep their historical paths and `observatoire:` names.
# `resultats/` (the list of publications) cannot shadow `resultats/<int:annee>/…`: Django matches whole paths.
urlpatterns = saisie + relecture + publications + resultats + fiches
