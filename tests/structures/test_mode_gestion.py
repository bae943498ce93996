"""How a manager was appointed and SENACS's management group: an association under a délégation de service public
or a public contract counts in « autre (dont délégation) », not as associatif."""

import importlib

import pytest
from django.core.exceptions import ValidationError

from maillage.comptes.models import Role
from maillage.observatoire.selectors import mode_gestion_senacs
from maillage.structures import services
from maillage.structures.models import Gestionnaire, ModeGestion
from tests.comptes.factories import UtilisateurFactory
from tests.structures.factories import GestionnaireFactory, StructureFactory
from tests.territoires.factories import CommuneFactory, DepartementFactory

pytestmark = pytest.mark.django_db

F = Gestionnaire.FormeJuridique
G = Gestionnaire.Designation


@pytest.mark.parametrize(
    "forme, designation, designation_attendue, mode",
    [
        (F.ASSOCIATION, "", G.ASSOCIATION, ModeGestion.ASSOCIATIVE),
        (F.ASSOCIATION, G.DELEGATION, G.DELEGATION, ModeGestion.AUTRE),
        (F.COMMUNE, "", G.REGIE, ModeGestion.COLLECTIVITE),
        (F.EPCI, G.DELEGATION, G.DELEGATION, ModeGestion.AUTRE),
        (F.CAF, "", G.AUTRE, ModeGestion.AUTRE),
        (F.AUTRE, G.DELEGATION, G.DELEGATION, ModeGestion.AUTRE),
    ],
)
def test_groupe_senacs(forme, designation, designation_attendue, mode):
    g = GestionnaireFactory(forme_juridique=forme, designation=designation)
    assert (g.designation, g.mode_gestion) == (designation_attendue, mode)


def test_passer_en_delegation_change_le_groupe():
    g = GestionnaireFactory()
    assert g.mode_gestion == ModeGestion.ASSOCIATIVE
    g.designation = G.DELEGATION
    g.save()
    g.refresh_from_db()
    assert g.mode_gestion == ModeGestion.AUTRE


def test_migration_remplit_selon_la_forme():
    migration = importlib.import_module("maillage.structures.migrations.0004_gestionnaire_designation")
    assert {str(k): str(v) for k, v in Gestionnaire.DESIGNATIONS_PAR_DEFAUT.items()} == migration.DESIGNATIONS
    # No delegation is invented: every form keeps its former group.
    for forme, designation in migration.DESIGNATIONS.items():
        assert Gestionnaire.mode_gestion_de(forme, designation) == Gestionnaire.MODES[forme]


def test_service_et_regie_reservee_aux_collectivites():
    vdm = DepartementFactory(code="94")
    pilote = UtilisateurFactory(role=Role.PILOTE, departements=[vdm])
    g = services.gestionnaire_creer(
        par=pilote, nom="Association Delta", forme_juridique="association", departement="94", designation="delegation"
    )
    assert g.mode_gestion == ModeGestion.AUTRE
    with pytest.raises(ValidationError) as erreur:
        services.gestionnaire_creer(
            par=pilote, nom="Association Régie", forme_juridique="association", departement="94", designation="regie"
        )
    assert "régie" in erreur.value.message_dict["designation"][0]
    assert not Gestionnaire.objects.filter(nom="Association Régie").exists()


def test_api_filtre_gestion_et_prefill_observatoire(client):
    vdm = DepartementFactory(code="94")
    creteil = CommuneFactory(code="94028", departement=vdm)
    delegue = StructureFactory(
        commune=creteil, gestionnaire=GestionnaireFactory(forme_juridique=F.ASSOCIATION, designation=G.DELEGATION)
    )
    StructureFactory(commune=creteil)
    autres = client.get("/api/v1/structures", {"gestion": "autre"}).json()
    assert [i["id"] for i in autres["items"]] == [delegue.pk]
    assert client.get("/api/v1/structures", {"gestion": "associative"}).json()["count"] == 1
    assert client.get(f"/api/v1/structures/{delegue.pk}").json()["gestionnaire"]["designation"] == "delegation"
    assert mode_gestion_senacs(delegue.gestionnaire) == "autre"
    assert mode_gestion_senacs(GestionnaireFactory()) == "association"
