"""URLs of the registry (`structures:`), assembled from one module per area."""

from .urls_agrements import urlpatterns as agrements
from .urls_echanges import urlpatterns as echanges
from .urls_registre import urlpatterns as registre

app_name = "structures"

urlpatterns = registre + agrements + echanges
