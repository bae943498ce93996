"""Each account rule, allowed and denied."""

import pytest
from django.contrib.auth.models import AnonymousUser
from django.core.exceptions import PermissionDenied

from maillage.comptes.models import Role, Utilisateur
from maillage.core.permissions import departements_autorises, exiger, peut
from maillage.territoires.models import Departement
from tests.comptes.factories import UtilisateurFactory

pytestmark = pytest.mark.django_db

ANONYME = AnonymousUser()


class TestComptesGerer:
    def test_pilote_dans_son_departement(self, pilote, val_de_marne):
        assert peut(pilote, "comptes.gerer", val_de_marne)
        assert peut(pilote, "comptes.gerer", "94")

    def test_pilote_hors_de_son_departement(self, pilote, seine_saint_denis):
        assert not peut(pilote, "comptes.gerer", seine_saint_denis)

    @pytest.mark.parametrize("fixture", ["conseiller", "partenaire"])
    def test_autres_roles_refuses(self, request, fixture, val_de_marne):
        assert not peut(request.getfixturevalue(fixture), "comptes.gerer", val_de_marne)

    def test_anonyme_refuse(self, val_de_marne):
        assert not peut(ANONYME, "comptes.gerer", val_de_marne)

    def test_pilote_desactive_refuse(self, pilote, val_de_marne):
        pilote.is_active = False
        assert not peut(pilote, "comptes.gerer", val_de_marne)

    def test_admin_partout(self, admin_technique, seine_saint_denis):
        assert peut(admin_technique, "comptes.gerer", seine_saint_denis)

    def test_departements_autorises(self, pilote, val_de_marne, seine_saint_denis, admin_technique):
        tous = Departement.objects.all()
        assert list(departements_autorises(pilote, "comptes.gerer", tous)) == [val_de_marne]
        assert set(departements_autorises(admin_technique, "comptes.gerer", tous)) == {val_de_marne, seine_saint_denis}


class TestCompteModifier:
    def test_pilote_modifie_un_conseiller_de_son_departement(self, pilote, conseiller):
        assert peut(pilote, "compte.modifier", conseiller)
        exiger(pilote, "compte.modifier", conseiller)

    def test_pilote_ne_modifie_pas_un_compte_d_un_autre_departement(self, pilote, conseiller_93):
        assert not peut(pilote, "compte.modifier", conseiller_93)
        with pytest.raises(PermissionDenied):
            exiger(pilote, "compte.modifier", conseiller_93)

    def test_pilote_ne_modifie_pas_un_compte_a_cheval_sur_un_autre_departement(
        self, pilote, val_de_marne, seine_saint_denis
    ):
        cible = UtilisateurFactory(role=Role.PARTENAIRE, departements=[val_de_marne, seine_saint_denis])
        assert not peut(pilote, "compte.modifier", cible)

    def test_pilote_ne_modifie_pas_un_autre_pilote(self, pilote, val_de_marne):
        collegue = UtilisateurFactory(role=Role.PILOTE, departements=[val_de_marne])
        assert not peut(pilote, "compte.modifier", collegue)

    def test_pilote_ne_se_modifie_pas_lui_meme(self, pilote):
        assert not peut(pilote, "compte.modifier", pilote)

    def test_pilote_ne_modifie_ni_admin_ni_staff(self, pilote, val_de_marne):
        admin = UtilisateurFactory(role=Role.ADMIN, departements=[val_de_marne])
        staff = UtilisateurFactory(role=Role.PARTENAIRE, is_staff=True, departements=[val_de_marne])
        assert not peut(pilote, "compte.modifier", admin)
        assert not peut(pilote, "compte.modifier", staff)

    def test_compte_sans_departement_non_modifiable_par_un_pilote(self, pilote):
        assert not peut(pilote, "compte.modifier", UtilisateurFactory(role=Role.PARTENAIRE))

    def test_conseiller_ne_modifie_pas(self, conseiller, partenaire):
        assert not peut(conseiller, "compte.modifier", partenaire)

    def test_anonyme_refuse(self, partenaire):
        assert not peut(ANONYME, "compte.modifier", partenaire)

    def test_admin_modifie_un_pilote_mais_pas_un_admin(self, admin_technique, pilote):
        assert peut(admin_technique, "compte.modifier", pilote)
        autre_admin = UtilisateurFactory(role=Role.ADMIN, is_superuser=True)
        assert not peut(admin_technique, "compte.modifier", autre_admin)

    def test_aucune_requete_de_plus_quand_les_departements_sont_prechargees(
        self, pilote, conseiller, partenaire, django_assert_num_queries
    ):
        peut(pilote, "comptes.gerer", "94")  # fills the cache of the pilote's own départements
        comptes = list(
            Utilisateur.objects.filter(role__in=["conseiller", "partenaire"]).prefetch_related("departements")
        )
        with django_assert_num_queries(0):
            assert all(peut(pilote, "compte.modifier", c) for c in comptes)


class TestCompteAttribuerRole:
    @pytest.mark.parametrize("role", [Role.CONSEILLER, Role.PARTENAIRE, Role.STRUCTURE])
    def test_pilote_donne_les_roles_delegues(self, pilote, role):
        assert peut(pilote, "compte.attribuer_role", role)

    @pytest.mark.parametrize("role", [Role.PILOTE, Role.ADMIN, "inconnu"])
    def test_pilote_ne_donne_pas_les_autres(self, pilote, role):
        assert not peut(pilote, "compte.attribuer_role", role)

    def test_admin_donne_pilote_mais_pas_admin(self, admin_technique):
        assert peut(admin_technique, "compte.attribuer_role", Role.PILOTE)
        assert not peut(admin_technique, "compte.attribuer_role", Role.ADMIN)

    @pytest.mark.parametrize("fixture", ["conseiller", "partenaire"])
    def test_autres_roles_ne_donnent_rien(self, request, fixture):
        assert not peut(request.getfixturevalue(fixture), "compte.attribuer_role", Role.STRUCTURE)

    def test_anonyme(self):
        assert not peut(ANONYME, "compte.attribuer_role", Role.STRUCTURE)


class TestAuditVoir:
    def test_pilote_de_son_departement(self, pilote, val_de_marne, seine_saint_denis):
        assert peut(pilote, "audit.voir", val_de_marne)
        assert not peut(pilote, "audit.voir", seine_saint_denis)

    def test_conseiller_et_anonyme_refuses(self, conseiller, val_de_marne):
        assert not peut(conseiller, "audit.voir", val_de_marne)
        assert not peut(ANONYME, "audit.voir", val_de_marne)


class TestCommuneSuivre:
    def test_conseiller_dans_et_hors_de_ses_communes(self, conseiller, creteil, vitry, bobigny):
        assert peut(conseiller, "commune.suivre", creteil)
        assert not peut(conseiller, "commune.suivre", vitry)
        assert not peut(conseiller, "commune.suivre", bobigny)
