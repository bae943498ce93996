"""Routes of the network: events (/evenements/…), registrations, check-in and statistics, invitations, the
annuaire (/reseau/…), resources (/ressources/…) and news (/actualites/…). Mounted at the root by maillage/urls.py;
one module per area."""

from . import urls_annuaire, urls_envois, urls_evenements, urls_inscriptions, urls_pointage, urls_publications

app_name = "reseau"

# Fixed paths (mes-inscriptions, invitation/…, series/…) before the patterns that would take them for an id.
urlpatterns = [
    *urls_inscriptions.urlpatterns,
    *urls_pointage.urlpatterns,
    *urls_envois.urlpatterns,
    *urls_evenements.urlpatterns,
    *urls_annuaire.urlpatterns,
    *urls_publications.urlpatterns,
]
