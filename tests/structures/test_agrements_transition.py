"""The 2027 transition rule of a département (ACF agrément from 2027: warning by default, refusal if chosen):
the setting page, its denials, and its effect on the agrément services, forms and renewal board."""

import datetime

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse

from maillage.comptes.models import Role
from maillage.core.versions import ConflitVersion
from maillage.structures import selectors_agrements, services_agrements
from maillage.structures.models import Agrement, ParametresAgrements, TypeAgrement
from tests.comptes.factories import UtilisateurFactory
from tests.structures.factories import AgrementFactory, StructureFactory
from tests.territoires.factories import CommuneFactory, DepartementFactory

pytestmark = pytest.mark.django_db

D = datetime.date


@pytest.fixture
def vdm(db):
    return DepartementFactory(code="94", nom="Val-de-Marne")


@pytest.fixture
def creteil(vdm):
    return CommuneFactory(code="94028", nom="Créteil", departement=vdm)


@pytest.fixture
def pilote(vdm):
    return UtilisateurFactory(role=Role.PILOTE, departements=[vdm])


@pytest.fixture
def centre(creteil):
    centre = StructureFactory(nom="Centre social des Bleuets", commune=creteil)
    # The animation globale that an ACF from 2027 needs.
    AgrementFactory(
        structure=centre, debut=D(2027, 1, 1), fin=D(2030, 12, 31), statut="en_instruction", date_decision=None
    )
    return centre


def acf_2027(pilote, centre):
    return services_agrements.agrement_creer(
        par=pilote,
        structure=centre,
        type=TypeAgrement.ACF,
        debut=D(2027, 1, 1),
        fin=D(2030, 12, 31),
        aujourd_hui=D(2026, 6, 1),
    )


def url(code="94"):
    return reverse("structures:agrements_regles", args=[code])


class TestServices:
    def test_par_defaut_avertissement(self, pilote, centre):
        assert selectors_agrements.transition_acf("94") == "avertissement"
        agrement = acf_2027(pilote, centre)
        assert agrement.pk and agrement.type == "acf"
        assert len(agrement.avertissements) == 1 and "fusionnées" in agrement.avertissements[0]

    def test_refus_choisi_par_le_departement(self, pilote, centre, vdm):
        services_agrements.parametres_agrements_modifier(par=pilote, departement=vdm, transition_acf="refus")
        with pytest.raises(ValidationError) as erreur:
            acf_2027(pilote, centre)
        assert "choix du département" in " ".join(erreur.value.messages)
        assert not Agrement.objects.filter(type="acf").exists()
        # Before 2027 an ACF stays possible whatever the rule.
        AgrementFactory(structure=centre, debut=D(2023, 1, 1), fin=D(2026, 12, 31))
        avant = services_agrements.agrement_creer(
            par=pilote,
            structure=centre,
            type="acf",
            debut=D(2023, 1, 1),
            fin=D(2026, 12, 31),
            aujourd_hui=D(2022, 6, 1),
        )
        assert avant.avertissements == []

    def test_regle_d_un_autre_departement_sans_effet(self, pilote, centre):
        autre = DepartementFactory(code="93")
        ParametresAgrements.objects.create(departement=autre, transition_acf="refus")
        assert acf_2027(pilote, centre).pk

    def test_modifier_droits_valeur_et_version(self, pilote, vdm):
        with pytest.raises(ValidationError):
            services_agrements.parametres_agrements_modifier(par=pilote, departement=vdm, transition_acf="interdit")
        parametres = services_agrements.parametres_agrements_modifier(
            par=pilote, departement=vdm, transition_acf="refus", version=0
        )
        assert parametres.modifie_par == pilote
        with pytest.raises(ConflitVersion):
            services_agrements.parametres_agrements_modifier(
                par=pilote, departement=vdm, transition_acf="avertissement", version=0
            )
        conseiller = UtilisateurFactory(role=Role.CONSEILLER, departements=[vdm])
        from django.core.exceptions import PermissionDenied

        with pytest.raises(PermissionDenied):
            services_agrements.parametres_agrements_modifier(par=conseiller, departement=vdm, transition_acf="refus")
        assert ParametresAgrements.objects.get().transition_acf == "refus"

    def test_tableau_renouvellements_suit_la_regle(self, pilote, creteil, vdm):
        centre = StructureFactory(commune=creteil)
        AgrementFactory(structure=centre, debut=D(2023, 1, 1), fin=D(2026, 12, 31))
        acf = AgrementFactory(structure=centre, type="acf", debut=D(2023, 1, 1), fin=D(2026, 12, 31))
        AgrementFactory(structure=centre, debut=D(2027, 1, 1), fin=D(2030, 12, 31), date_decision=D(2026, 9, 1))

        def successeur():
            lignes = selectors_agrements.tableau_renouvellements("94", aujourd_hui=D(2026, 10, 1))
            return next(ligne.successeur for ligne in lignes if ligne.agrement == acf)

        assert successeur() is None  # an ACF renews as an ACF under the default rule
        services_agrements.parametres_agrements_modifier(par=pilote, departement=vdm, transition_acf="refus")
        assert successeur().type == "animation_globale"


class TestPages:
    def test_pilote_lit_et_choisit(self, client, pilote, vdm):
        client.force_login(pilote)
        texte = client.get(url()).content.decode()
        assert "règle de transition fixée par la Caf pour ce département" in texte
        assert "(réglage par défaut)" in texte
        reponse = client.post(url(), {"transition_acf": "refus", "version": "0"})
        assert reponse.status_code == 302
        assert ParametresAgrements.objects.get(departement=vdm).transition_acf == "refus"
        assert "choisie par" in client.get(url()).content.decode()

    def test_valeur_forgee(self, client, pilote, vdm):
        client.force_login(pilote)
        reponse = client.post(url(), {"transition_acf": "supprimer", "version": "0"})
        assert reponse.status_code == 200
        assert "Sélectionnez un choix valide" in reponse.content.decode()
        assert not ParametresAgrements.objects.exists()

    def test_admin(self, client, vdm):
        client.force_login(UtilisateurFactory(role=Role.ADMIN, is_superuser=True, is_staff=True))
        assert client.post(url(), {"transition_acf": "refus", "version": "0"}).status_code == 302

    def test_anonyme_redirige(self, client, vdm):
        reponse = client.get(url())
        assert reponse.status_code == 302 and reponse.url.startswith(reverse("comptes:connexion"))

    @pytest.mark.parametrize("role", [Role.CONSEILLER, Role.PARTENAIRE, Role.STRUCTURE])
    def test_autres_roles_403(self, client, vdm, creteil, role):
        client.force_login(UtilisateurFactory(role=role, departements=[vdm], communes=[creteil]))
        assert client.get(url()).status_code == 403
        assert client.post(url(), {"transition_acf": "refus", "version": "0"}).status_code == 403
        assert not ParametresAgrements.objects.exists()

    def test_pilote_d_un_autre_departement_403(self, client, vdm):
        client.force_login(UtilisateurFactory(role=Role.PILOTE, departements=[DepartementFactory(code="93")]))
        assert client.post(url(), {"transition_acf": "refus", "version": "0"}).status_code == 403
        assert client.get(url("99")).status_code == 404

    def test_formulaire_d_agrement_affiche_la_regle_et_l_avertissement(self, client, pilote, centre, vdm):
        client.force_login(pilote)
        ajouter = reverse("structures:agrement_ajouter", args=[centre.pk])
        texte = client.get(ajouter).content.decode()
        assert "Réforme 2027 — règle de transition du département" in texte and "Avertissement" in texte
        assert url() in texte
        reponse = client.post(
            ajouter,
            {"type": "acf", "debut": "2027-01-01", "fin": "2030-12-31", "statut": "en_instruction"},
            follow=True,
        )
        assert "fusionnées entre 2027 et 2030" in reponse.content.decode()
        assert Agrement.objects.filter(type="acf").count() == 1

    def test_formulaire_en_mode_refus(self, client, pilote, centre, vdm):
        ParametresAgrements.objects.create(departement=vdm, transition_acf="refus")
        client.force_login(pilote)
        ajouter = reverse("structures:agrement_ajouter", args=[centre.pk])
        assert "le département a choisi de refuser" in client.get(ajouter).content.decode()
        reponse = client.post(
            ajouter, {"type": "acf", "debut": "2027-01-01", "fin": "2030-12-31", "statut": "en_instruction"}
        )
        assert reponse.status_code == 200
        assert "pas une règle nationale" in reponse.content.decode()
        assert not Agrement.objects.filter(type="acf").exists()
