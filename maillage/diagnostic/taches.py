"""Background task of the diagnostic: after a load or an import of territorial data, the diagnostic of the
départements concerned is computed once, in a worker, so that the engine's prepared inputs of the new data version
are in the shared cache before the first pilote opens the page (docs/diagnostic.md § 8).

`apres_chargement` is connected to the journal of loads (`territoires.Chargement`) in `apps.py`: one home for this
side effect, whatever the importer (command, page or API)."""

import logging

from django.db import transaction

from maillage.core.travaux import task

logger = logging.getLogger("maillage.diagnostic")

# Loads whose data are inputs of the engine (communes, outlines, QPV, populations, Caf indicators).
COMMANDES_TERRITORIALES = {
    "charger_territoires",
    "importer_qpv",
    "importer_populations",
    "importer_indicateurs_caf",
}


@task()
def preparer_apres_chargement(*, departements: list[str]) -> int:
    """Number of départements prepared (all of them for a national load, `departements` empty)."""
    from . import selectors

    try:
        return len(selectors.preparer_diagnostics(departements or None))
    except Exception:  # a preparation is an optimisation: its failure must never be the import's
        logger.exception("Préparation du diagnostic après chargement impossible (%s)", departements or "France")
        return 0


def apres_chargement(sender, instance, created: bool, **kwargs) -> None:
    from maillage.territoires.models import Chargement

    if not created or instance.statut != Chargement.Statut.REUSSI or instance.commande not in COMMANDES_TERRITORIALES:
        return
    codes = sorted(instance.departements_concernes)
    transaction.on_commit(lambda: preparer_apres_chargement.enqueue(departements=codes))
