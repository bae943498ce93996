"""What a partner account may read across the apps: nothing individual without a live mandate of its organisation.

Contacts stay with the Caf and the structure; budgets open to a co-financeur on its territory; answers (pages and
the XLSX of answers) to a mandated correspondant observatoire, when the campaign opens review to them."""

import datetime
from types import SimpleNamespace

import pytest
from django.urls import reverse
from django.utils import timezone

from maillage.comptes.models import Mandat, Organisation, Role
from maillage.core.permissions import peut
from maillage.observatoire.models import Statut
from maillage.structures.models import Contact
from tests.comptes.factories import MandatFactory, OrganisationFactory, UtilisateurFactory
from tests.financements.factories import BudgetFactory
from tests.observatoire.factories import CampagneFactory, ReponseFactory
from tests.structures.factories import StructureFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def monde(territoire_94):
    dep = territoire_94.departement
    creteil, vitry, _ = territoire_94.communes
    cs = StructureFactory(nom="Centre social des Bleuets", commune=creteil)
    autre = StructureFactory(nom="Centre social de Vitry", commune=vitry)
    Contact.objects.create(structure=cs, fonction="direction", prenom="Nadia", nom="Secrète", email="n@exemple.fr")
    Contact.objects.create(
        structure=cs,
        fonction="presidence",
        prenom="Paul",
        nom="Publié",
        base_legale="consentement",
        consentement_le=datetime.date(2016, 1, 1),
        public=True,
    )
    BudgetFactory(structure=cs)
    campagne = CampagneFactory(departement=dep, annee=2016, federation_relit=True)
    reponse = ReponseFactory(campagne=campagne, structure=cs, statut=Statut.SOUMISE, soumise_le=timezone.now())
    pilote = UtilisateurFactory(role=Role.PILOTE, departements=[dep])

    def partenaire(type_, nature=None, communes=(), **mandat):
        organisation = OrganisationFactory(departement=dep, type=type_, communes=list(communes))
        if nature:
            MandatFactory(organisation=organisation, nature=nature, accorde_par=pilote, **mandat)
        return UtilisateurFactory(role=Role.PARTENAIRE, departements=[dep], organisation=organisation)

    return SimpleNamespace(
        dep=dep,
        cs=cs,
        autre=autre,
        campagne=campagne,
        reponse=reponse,
        pilote=pilote,
        partenaire=partenaire,
        sans_mandat=partenaire(Organisation.Type.PREFECTURE),
        federation=partenaire(Organisation.Type.FEDERATION, Mandat.Nature.CORRESPONDANT_OBSERVATOIRE),
        ville=partenaire(Organisation.Type.COMMUNE, Mandat.Nature.CO_FINANCEUR, communes=[creteil]),
        departement=partenaire(Organisation.Type.CONSEIL_DEPARTEMENTAL, Mandat.Nature.CO_FINANCEUR),
    )


def _urls(m):
    return {
        "relire": reverse("observatoire:relire", args=[m.reponse.pk]),
        "valider": reverse("observatoire:relire_action", args=[m.reponse.pk, "valider"]),
        "suivi": reverse("observatoire:suivi", args=[m.campagne.pk]),
        "xlsx": reverse("observatoire:rapport_xlsx", args=[2016, "94"]),
        "budgets": reverse("financements:budgets", args=[m.cs.pk]),
        "budget": reverse("financements:budget", args=[m.cs.pk, 2015, "realise"]),
    }


def test_un_partenaire_sans_mandat_n_ouvre_ni_reponses_ni_contacts_ni_budgets(client, monde):
    client.force_login(monde.sans_mandat)
    urls = _urls(monde)
    for nom in ("relire", "suivi", "xlsx", "budgets", "budget"):
        assert client.get(urls[nom]).status_code == 403, nom
    assert client.post(urls["valider"]).status_code == 403
    monde.reponse.refresh_from_db()
    assert monde.reponse.statut == Statut.SOUMISE
    fiche = client.get(reverse("structures:structure", args=[monde.cs.pk])).content.decode()
    # Only the contact published with consent; no link to the budgets.
    assert "Publié" in fiche and "Secrète" not in fiche
    assert urls["budgets"] not in fiche
    synthese = client.get(reverse("observatoire:synthese", args=[2016, "94"]))
    assert synthese.status_code == 200
    assert urls["xlsx"] not in synthese.content.decode()


def test_le_correspondant_mandate_de_la_federation_relit(client, monde):
    client.force_login(monde.federation)
    urls = _urls(monde)
    assert client.get(urls["relire"]).status_code == 200
    assert client.get(urls["suivi"]).status_code == 200
    assert client.get(urls["xlsx"]).status_code != 403
    assert urls["xlsx"] in client.get(reverse("observatoire:synthese", args=[2016, "94"])).content.decode()
    assert client.post(urls["valider"]).status_code == 302
    monde.reponse.refresh_from_db()
    assert monde.reponse.statut == Statut.VALIDEE
    # Reviewing answers opens neither contacts nor budgets.
    assert client.get(urls["budgets"]).status_code == 403
    assert "Secrète" not in client.get(reverse("structures:structure", args=[monde.cs.pk])).content.decode()


def test_sans_relecture_par_les_correspondants_la_campagne_reste_a_la_caf(client, monde):
    monde.campagne.federation_relit = False
    monde.campagne.save()
    client.force_login(monde.federation)
    assert client.get(_urls(monde)["relire"]).status_code == 403


@pytest.mark.parametrize("cas", ["échu", "révoqué", "à venir"])
def test_un_mandat_echu_revoque_ou_a_venir_ne_vaut_rien(client, monde, cas):
    # Dates read when the test runs, not when it is collected: a run that crosses midnight stays right.
    jour = timezone.localdate()
    hier = jour - datetime.timedelta(days=1)
    mandat = {
        "échu": {"debut": hier - datetime.timedelta(days=30), "fin": hier},
        "révoqué": {"revoque_le": timezone.now()},
        "à venir": {"debut": jour + datetime.timedelta(days=1)},
    }[cas]
    correspondant = monde.partenaire(Organisation.Type.FEDERATION, Mandat.Nature.CORRESPONDANT_OBSERVATOIRE, **mandat)
    client.force_login(correspondant)
    assert client.get(_urls(monde)["relire"]).status_code == 403
    assert client.get(_urls(monde)["xlsx"]).status_code == 403


def test_une_organisation_desactivee_perd_ses_mandats(client, monde):
    monde.federation.organisation.actif = False
    monde.federation.organisation.save()
    client.force_login(monde.federation)
    assert client.get(_urls(monde)["relire"]).status_code == 403


def test_un_mandat_du_94_ne_vaut_pas_ailleurs(monde):
    ailleurs = SimpleNamespace(departement_id="93", commune_id="93008", pk=999)
    assert peut(monde.departement, "structure.voir_budgets", monde.cs)
    assert not peut(monde.departement, "structure.voir_budgets", ailleurs)


def test_le_co_financeur_lit_les_budgets_de_son_territoire(client, monde):
    urls = _urls(monde)
    client.force_login(monde.ville)
    assert client.get(urls["budgets"]).status_code == 200
    assert client.get(urls["budget"]).status_code == 200
    assert client.get(reverse("financements:budgets", args=[monde.autre.pk])).status_code == 403
    # The commune's mandate does not show the département's per-structure amounts, nor answers or contacts.
    assert not peut(monde.ville, "departement.voir_finances", "94")
    assert client.get(urls["relire"]).status_code == 403
    assert "Secrète" not in client.get(reverse("structures:structure", args=[monde.cs.pk])).content.decode()
    # Reading is not editing.
    assert client.post(urls["budget"], {}).status_code == 403


def test_le_conseil_departemental_co_financeur_lit_tout_le_departement(client, monde):
    client.force_login(monde.departement)
    assert client.get(reverse("financements:budgets", args=[monde.autre.pk])).status_code == 200
    assert peut(monde.departement, "departement.voir_finances", "94")
    assert not peut(monde.departement, "departement.voir_finances", "93")


def test_la_caf_et_la_structure_voient_les_contacts(client, monde):
    for user in (monde.pilote, UtilisateurFactory(role=Role.STRUCTURE, structure=monde.cs)):
        client.force_login(user)
        assert "Secrète" in client.get(reverse("structures:structure", args=[monde.cs.pk])).content.decode()


def test_l_api_n_expose_ni_contacts_ni_budgets(client, monde):
    client.force_login(monde.sans_mandat)
    reponse = client.get("/api/v1/structures?departement=94&limit=100")
    assert reponse.status_code == 200
    texte = reponse.content.decode()
    assert "Secrète" not in texte and "500000" not in texte
