"""Organisations and mandates: the services a pilote uses, their checks, and their pages."""

import datetime
import re

import pytest
from auditlog.models import LogEntry
from django.core.exceptions import PermissionDenied, ValidationError
from django.urls import reverse

from maillage.comptes import services
from maillage.comptes.models import Mandat, Organisation, Role
from tests.comptes.factories import MandatFactory, OrganisationFactory, UtilisateurFactory
from tests.territoires.factories import DepartementFactory

pytestmark = pytest.mark.django_db

SIRET_VALIDE = "73282932000074"


@pytest.fixture
def pilote(territoire_94):
    return UtilisateurFactory(role=Role.PILOTE, departements=[territoire_94.departement])


def test_le_pilote_cree_une_organisation_avec_son_territoire(pilote, territoire_94):
    creteil = territoire_94.communes[0]
    ville = services.organisation_creer(
        par=pilote,
        nom="  Ville de  Créteil ",
        type=Organisation.Type.COMMUNE,
        departement=territoire_94.departement,
        communes=[creteil],
        siret=SIRET_VALIDE[:7] + " " + SIRET_VALIDE[7:],
    )
    assert ville.nom == "Ville de Créteil" and ville.siret == SIRET_VALIDE
    assert list(ville.communes.all()) == [creteil]
    assert {e.actor for e in LogEntry.objects.get_for_object(ville)} == {pilote}


def test_organisation_refusee_avec_des_messages_par_champ(pilote, territoire_94):
    autre = DepartementFactory(code="93")
    from tests.territoires.factories import CommuneFactory

    bobigny = CommuneFactory(code="93008", nom="Bobigny", departement=autre)
    with pytest.raises(ValidationError) as erreur:
        services.organisation_creer(
            par=pilote,
            nom="Ville",
            type=Organisation.Type.COMMUNE,
            departement=territoire_94.departement,
            communes=[bobigny],
            siret="12345678901234",
        )
    assert set(erreur.value.error_dict) == {"siret", "communes"}
    # A commune without territory would read nothing, never "the whole département" by omission.
    with pytest.raises(ValidationError) as erreur:
        services.organisation_creer(
            par=pilote, nom="Ville", type=Organisation.Type.COMMUNE, departement=territoire_94.departement
        )
    assert "communes" in erreur.value.error_dict
    assert not Organisation.objects.exists()


def test_un_pilote_du_93_ne_gere_ni_n_accorde_dans_le_94(territoire_94):
    pilote_93 = UtilisateurFactory(role=Role.PILOTE, departements=[DepartementFactory(code="93")])
    federation = OrganisationFactory(departement=territoire_94.departement)
    with pytest.raises(PermissionDenied):
        services.organisation_creer(
            par=pilote_93, nom="Fédération", type=Organisation.Type.FEDERATION, departement=territoire_94.departement
        )
    with pytest.raises(PermissionDenied):
        services.mandat_accorder(
            par=pilote_93,
            organisation=federation,
            nature=Mandat.Nature.CORRESPONDANT_OBSERVATOIRE,
            debut=datetime.date(2016, 1, 1),
            motif="Convention",
        )
    mandat = MandatFactory(organisation=federation)
    with pytest.raises(PermissionDenied):
        services.mandat_revoquer(par=pilote_93, mandat=mandat)
    assert not Mandat.objects.filter(revoque_le__isnull=False).exists()


@pytest.mark.parametrize("role", [Role.CONSEILLER, Role.PARTENAIRE, Role.STRUCTURE])
def test_seul_le_pilote_accorde_des_mandats(territoire_94, role):
    federation = OrganisationFactory(departement=territoire_94.departement)
    user = UtilisateurFactory(role=role, departements=[territoire_94.departement], organisation=federation)
    with pytest.raises(PermissionDenied):
        services.mandat_accorder(
            par=user,
            organisation=federation,
            nature=Mandat.Nature.CORRESPONDANT_OBSERVATOIRE,
            debut=datetime.date(2016, 1, 1),
            motif="Auto-désignation",
        )


def test_la_relecture_est_reservee_a_la_caf_et_a_la_federation(pilote, territoire_94):
    prefecture = OrganisationFactory(departement=territoire_94.departement, type=Organisation.Type.PREFECTURE)
    with pytest.raises(ValidationError) as erreur:
        services.mandat_accorder(
            par=pilote,
            organisation=prefecture,
            nature=Mandat.Nature.CORRESPONDANT_OBSERVATOIRE,
            debut=datetime.date(2016, 1, 1),
            motif="Convention",
        )
    assert "SENACS" in erreur.value.error_dict["nature"][0].message
    # Co-financing is open to any organisation; dates must be in order and a reason given.
    with pytest.raises(ValidationError) as erreur:
        services.mandat_accorder(
            par=pilote,
            organisation=prefecture,
            nature=Mandat.Nature.CO_FINANCEUR,
            debut=datetime.date(2016, 1, 1),
            fin=datetime.date(2015, 1, 1),
            motif="",
        )
    assert set(erreur.value.error_dict) == {"fin", "motif"}
    mandat = services.mandat_accorder(
        par=pilote,
        organisation=prefecture,
        nature=Mandat.Nature.CO_FINANCEUR,
        debut=datetime.date(2016, 1, 1),
        motif="Contrat de ville",
    )
    assert mandat.accorde_par == pilote and mandat.departement_id == "94"
    assert LogEntry.objects.get_for_object(mandat).get().actor == pilote


def test_revocation_tracee_et_unique(pilote, territoire_94):
    mandat = MandatFactory(organisation=OrganisationFactory(departement=territoire_94.departement))
    services.mandat_revoquer(par=pilote, mandat=mandat)
    mandat.refresh_from_db()
    assert mandat.revoque_le is not None and mandat.revoque_par == pilote
    assert not mandat.en_vigueur()
    with pytest.raises(ValidationError):
        services.mandat_revoquer(par=pilote, mandat=mandat)


def test_pages_des_organisations_et_des_mandats(client, pilote, territoire_94):
    client.force_login(pilote)
    code = territoire_94.departement.code
    assert "Organisations et mandats" in client.get(reverse("comptes:liste", args=[code])).content.decode()
    reponse = client.post(
        reverse("comptes:organisation_creer", args=[code]),
        {"nom": "Fédération des centres sociaux (fictive)", "type": Organisation.Type.FEDERATION, "siret": ""},
    )
    federation = Organisation.objects.get()
    assert reponse.status_code == 302 and reponse.url == reverse("comptes:organisation", args=[federation.pk])
    page = client.get(reverse("comptes:organisations", args=[code])).content.decode()
    assert "Fédération des centres sociaux (fictive)" in page
    fiche = client.get(reverse("comptes:organisation", args=[federation.pk])).content.decode()
    # The federation is offered the correspondant mandate by default.
    cases = re.findall(r'<input type="radio" name="nature"[^>]*>', fiche)
    assert len(cases) == 2
    assert [c for c in cases if "checked" in c] == [c for c in cases if "correspondant_observatoire" in c]
    reponse = client.post(
        reverse("comptes:organisation", args=[federation.pk]),
        {"nature": Mandat.Nature.CORRESPONDANT_OBSERVATOIRE, "debut": "2016-01-01", "fin": "", "motif": "Charte"},
    )
    assert reponse.status_code == 302
    mandat = Mandat.objects.get()
    assert mandat.en_vigueur()
    assert client.post(reverse("comptes:mandat_revoquer", args=[mandat.pk])).status_code == 302
    mandat.refresh_from_db()
    assert mandat.revoque_le is not None
    assert "Révoqué le" in client.get(reverse("comptes:organisation", args=[federation.pk])).content.decode()


def test_pages_refusees_hors_perimetre(client, territoire_94):
    federation = OrganisationFactory(departement=territoire_94.departement)
    mandat = MandatFactory(organisation=federation)
    code = territoire_94.departement.code
    for user in [
        UtilisateurFactory(role=Role.PILOTE, departements=[DepartementFactory(code="93")]),
        UtilisateurFactory(role=Role.PARTENAIRE, departements=[territoire_94.departement], organisation=federation),
    ]:
        client.force_login(user)
        assert client.get(reverse("comptes:organisations", args=[code])).status_code == 403
        assert client.get(reverse("comptes:organisation", args=[federation.pk])).status_code == 403
        assert client.post(reverse("comptes:mandat_revoquer", args=[mandat.pk])).status_code == 403
    mandat.refresh_from_db()
    assert mandat.revoque_le is None


def test_le_compte_porte_son_organisation(client, pilote, territoire_94):
    federation = OrganisationFactory(departement=territoire_94.departement, nom="Fédération (fictive)")
    client.force_login(pilote)
    reponse = client.post(
        reverse("comptes:inviter", args=["94"]),
        {
            "email": "correspondante@exemple.fr",
            "prenom": "Inès",
            "nom": "Roche",
            "organisation": federation.pk,
            "role": Role.PARTENAIRE,
            "departements": ["94"],
        },
    )
    assert reponse.status_code == 302
    compte = federation.comptes.get()
    assert compte.email == "correspondante@exemple.fr" and compte.organisme == "Fédération (fictive)"


def test_le_partenaire_voit_son_organisation_et_ses_mandats(client, territoire_94):
    federation = OrganisationFactory(departement=territoire_94.departement, nom="Fédération (fictive)")
    MandatFactory(organisation=federation, nature=Mandat.Nature.CORRESPONDANT_OBSERVATOIRE)
    MandatFactory(organisation=federation, nature=Mandat.Nature.CO_FINANCEUR, fin=datetime.date(2017, 1, 1))
    client.force_login(
        UtilisateurFactory(role=Role.PARTENAIRE, departements=[territoire_94.departement], organisation=federation)
    )
    page = client.get(reverse("comptes:espace")).content.decode()
    assert "Fédération (fictive)" in page and "Correspondant observatoire" in page
    assert "Co-financeur" not in page


def test_organisation_et_mandat_envoyes_deux_fois_une_seule_creation(client, pilote, territoire_94):
    client.force_login(pilote)
    url = reverse("comptes:organisation_creer", args=[territoire_94.departement.code])

    def jeton(page):
        return re.search(r'name="jeton_formulaire" value="([0-9a-f]{32})"', page.content.decode()).group(1)

    donnees = {"nom": "Fédération (fictive)", "type": Organisation.Type.FEDERATION, "siret": ""}
    donnees["jeton_formulaire"] = jeton(client.get(url))
    premiere, seconde = client.post(url, donnees), client.post(url, donnees)
    federation = Organisation.objects.get()
    assert premiere.url == seconde.url == reverse("comptes:organisation", args=[federation.pk])
    fiche = reverse("comptes:organisation", args=[federation.pk])
    mandat = {"nature": Mandat.Nature.CORRESPONDANT_OBSERVATOIRE, "debut": "2016-01-01", "fin": "", "motif": "Charte"}
    mandat["jeton_formulaire"] = jeton(client.get(fiche))
    for _ in range(3):
        assert client.post(fiche, mandat).status_code == 302
    assert Mandat.objects.count() == 1
