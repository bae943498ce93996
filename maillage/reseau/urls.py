"""Routes of the network: events (/evenements/…), registrations, the annuaire (/reseau/…), resources
(/ressources/…) and news (/actualites/…). Mounted at the root by maillage/urls.py; one module per area."""

from . import urls_annuaire, urls_evenements, urls_inscriptions, urls_publications

app_name = "reseau"

urlpatterns = [
    *urls_inscriptions.urlpatterns,
    *urls_evenements.urlpatterns,
    *urls_annuaire.urlpatterns,
    *urls_publications.urlpatterns,
]
