"""The roles of DESIGN.md, at the bottom of the layers so that `core.permissions` can name them.

`maillage.comptes.models` re-exports `Role`: the user model stores these values.
"""

from django.db import models


class Role(models.TextChoices):
    PILOTE = "pilote", "Pilote Caf"
    CONSEILLER = "conseiller", "Conseiller·e territorial·e"
    PARTENAIRE = "partenaire", "Partenaire"
    STRUCTURE = "structure", "Structure (CS / EVS)"
    ADMIN = "admin", "Administrateur·rice technique"
