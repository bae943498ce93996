"""Rules of the financements (registered with maillage.core.permissions, loaded by FinancementsConfig.ready())."""

from maillage.core.permissions import est_admin, regle
from maillage.core.roles import Role


@regle("bareme.voir")
def _bareme_voir(user, obj):
    """Consulter le barème de la prestation de service par année (taux et prix plafonds, non publics).

    The rates and prix plafond come from the Cnaf's barème, sent to partners, not public: Caf staff and partners;
    editing stays in the Django admin, for administrators."""
    return est_admin(user) or user.role in {Role.PILOTE, Role.CONSEILLER, Role.PARTENAIRE}
