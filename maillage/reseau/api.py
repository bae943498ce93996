"""The network's API: /api/v1/evenements… and /api/v1/actualites…, one module per area, assembled here."""

from . import api_actualites, api_evenements, api_inscriptions, api_pointage

# The events' own router is the mount point, so that its list answers at /api/v1/evenements: a router nested at ""
# would end that path with a slash.
router_evenements = api_evenements.router
router_evenements.tags = ["Réseau : événements"]
router_evenements.add_router("", api_inscriptions.router)
router_evenements.add_router("", api_pointage.router)

# Mounted as is, so that the list answers at /api/v1/actualites (a router nested at "" would add a final slash).
router_actualites = api_actualites.router
router_actualites.tags = ["Réseau : actualités"]
