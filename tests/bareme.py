"""The PS barème as migration 0003 leaves it, written again by the tests that flush the base (demo loads)."""

from auditlog.context import disable_auditlog

from maillage.financements import bareme_initial
from maillage.financements.models import BaremePS, TypePS


def remettre_bareme_initial() -> None:
    """Reference data, written without audit entries: a freshly migrated base has none, and the tests that run
    after a flush (backups: "a just-migrated base counts as empty") must find it so."""
    with disable_auditlog():
        bareme_initial.ecrire(modele_type_ps=TypePS, modele_bareme_ps=BaremePS)
