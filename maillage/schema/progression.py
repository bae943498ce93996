"""Progress roll-up of a schéma (no Django): the rule is shown to users (`REGLE`) and documented in docs/schema.md.

An orientation's, an axe's or the schéma's progress is the mean of the progress of its fiches actions weighted by
their weight, abandoned actions left out; with no action left, there is no progress (None), not 0 %."""

from collections.abc import Iterable
from dataclasses import dataclass

ABANDONNEE = "abandonnee"
REGLE = (
    "L'avancement d'une orientation, d'un axe ou du schéma est la moyenne de l'avancement de ses fiches actions, "
    "pondérée par leur poids ; les actions abandonnées n'y comptent pas."
)


@dataclass(frozen=True)
class Action:
    avancement: int
    poids: int = 1
    statut: str = ""


def avancement(actions: Iterable[Action]) -> float | None:
    """Weighted mean (0-100, one decimal) of the actions not abandoned; None when there is none."""
    total = poids = 0
    for action in actions:
        if action.statut == ABANDONNEE:
            continue
        total += action.avancement * action.poids
        poids += action.poids
    if not poids:
        return None
    return round(total / poids, 1)
