"""Rules of the diagnostic territorial (registered with maillage.core.permissions, loaded by
DiagnosticConfig.ready())."""

from maillage.core.permissions import dans_perimetre, est_admin, regle
from maillage.core.roles import Role


@regle("diagnostic.voir_indicateurs_caf")
def _diagnostic_voir_indicateurs_caf(user, departement):
    """Indicateurs Caf importés par commune (allocataires, bas revenus).

    Caf staff and partners in scope."""
    if est_admin(user):
        return True
    return user.role in {Role.PILOTE, Role.CONSEILLER, Role.PARTENAIRE} and dans_perimetre(user, departement)


@regle("diagnostic.simuler")
def _diagnostic_simuler(user, departement):
    """Lancer, enregistrer et partager des scénarios de simulation ; régler les paramètres du diagnostic."""
    return est_admin(user) or (user.role == Role.PILOTE and dans_perimetre(user, departement))


@regle("scenario.voir", cas={"scénario partagé": {"partage": True}, "non partagé": {"partage": False}})
def _scenario_voir(user, scenario):
    """Consulter un scénario enregistré.

    The pilotes of its département, and its partners once it is shared."""
    if est_admin(user):
        return True
    if not dans_perimetre(user, scenario.departement_id):
        return False
    if user.role == Role.PILOTE:
        return True
    return scenario.partage and user.role in {Role.PARTENAIRE, Role.CONSEILLER}
