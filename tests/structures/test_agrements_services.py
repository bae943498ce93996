"""Agrément services: permissions, rules before writing, decisions with the assessment, expiry command."""

import datetime
from io import StringIO

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.management import CommandError, call_command

from maillage.comptes.models import Role
from maillage.structures import regles
from maillage.structures.models import Agrement, EvaluationCritere, TypeAgrement, TypeStructure
from maillage.structures.services_agrements import (
    agrement_creer,
    agrement_decider,
    agrement_modifier,
    agrements_expirer,
)
from tests.comptes.factories import UtilisateurFactory
from tests.structures.factories import AgrementFactory, StructureFactory
from tests.territoires.factories import CommuneFactory, DepartementFactory

pytestmark = pytest.mark.django_db

D = datetime.date
AUJOURD_HUI = D(2016, 6, 1)
CRITERES_2012 = regles.REGLES_2012.codes_criteres(TypeAgrement.ANIMATION_GLOBALE)


def evaluations(codes=CRITERES_2012, appreciation="satisfait"):
    return {code: (appreciation, f"Commentaire {code}") for code in codes}


@pytest.fixture
def val_de_marne(db):
    return DepartementFactory(code="94", nom="Val-de-Marne")


@pytest.fixture
def pilote(val_de_marne):
    return UtilisateurFactory(role=Role.PILOTE, departements=[val_de_marne])


@pytest.fixture
def centre(val_de_marne):
    return StructureFactory(commune=CommuneFactory(code="94028", nom="Créteil", departement=val_de_marne))


def creer(par, structure, **autres):
    donnees = {
        "par": par,
        "structure": structure,
        "type": TypeAgrement.ANIMATION_GLOBALE,
        "debut": D(2014, 1, 1),
        "fin": D(2017, 12, 31),
        "aujourd_hui": AUJOURD_HUI,
        **autres,
    }
    return agrement_creer(**donnees)


class TestCreer:
    def test_en_instruction(self, pilote, centre):
        agrement = creer(pilote, centre, instance="CAS", commentaire="  dossier reçu ")
        assert agrement.statut == Agrement.Statut.EN_INSTRUCTION
        assert agrement.referentiel == "circulaire_2012"
        assert agrement.commentaire == "dossier reçu"
        assert agrement.evaluations.count() == 0

    def test_accorde_avec_evaluations(self, pilote, centre):
        agrement = creer(
            pilote,
            centre,
            statut=Agrement.Statut.ACCORDE,
            date_decision=D(2013, 10, 15),
            commentaire="Projet solide.",
            evaluations=evaluations(),
        )
        assert agrement.statut == Agrement.Statut.ACCORDE
        assert dict(agrement.evaluations.values_list("critere", "appreciation")) == dict.fromkeys(
            CRITERES_2012, "satisfait"
        )

    def test_referentiel_2027(self, pilote, centre):
        agrement = creer(pilote, centre, debut=D(2027, 1, 1), fin=D(2030, 12, 31), aujourd_hui=D(2026, 9, 1))
        assert agrement.referentiel == "reforme_2027"

    def test_accorde_sans_evaluations_refuse_et_rien_ecrit(self, pilote, centre):
        with pytest.raises(ValidationError) as erreur:
            creer(pilote, centre, statut=Agrement.Statut.ACCORDE, date_decision=D(2013, 10, 15), commentaire="ok")
        assert "chacun des 8 critères" in " ".join(erreur.value.messages)
        assert not Agrement.objects.exists()
        assert not EvaluationCritere.objects.exists()

    @pytest.mark.parametrize(
        "autres,message",
        [
            ({"fin": D(2019, 12, 31)}, "1 à 4 ans"),
            ({"type": TypeAgrement.ACF}, "n'est possible que si un agrément d'animation globale"),
            ({"type": TypeAgrement.ANIMATION_LOCALE}, "pas possible pour un centre social"),
            ({"type": "inconnu"}, "Type d'agrément inconnu."),
            ({"statut": "suspendu"}, "Statut d'agrément inconnu."),
            ({"evaluations": {"critere_invente": ("satisfait", "")}}, "Critères inconnus"),
        ],
    )
    def test_refus_ecrit_rien(self, pilote, centre, autres, message):
        with pytest.raises(ValidationError) as erreur:
            creer(pilote, centre, **autres)
        assert message in " ".join(erreur.value.messages)
        assert not Agrement.objects.exists()

    def test_chevauchement_refuse(self, pilote, centre):
        creer(pilote, centre)
        with pytest.raises(ValidationError, match="chevauche"):
            creer(pilote, centre, debut=D(2016, 1, 1), fin=D(2019, 12, 31))
        assert Agrement.objects.count() == 1

    def test_evs_animation_globale_refusee(self, pilote, val_de_marne):
        evs = StructureFactory(type=TypeStructure.EVS, commune=CommuneFactory(departement=val_de_marne))
        with pytest.raises(ValidationError, match="espace de vie sociale"):
            creer(pilote, evs)
        assert creer(pilote, evs, type=TypeAgrement.ANIMATION_LOCALE).pk

    @pytest.mark.parametrize("role", [Role.PARTENAIRE, Role.CONSEILLER, Role.STRUCTURE])
    def test_autres_roles_refuses(self, val_de_marne, centre, role):
        user = UtilisateurFactory(role=role, departements=[val_de_marne], communes=[centre.commune])
        if role == Role.STRUCTURE:
            user.structure = centre
            user.save()
        with pytest.raises(PermissionDenied):
            creer(user, centre)
        assert not Agrement.objects.exists()

    def test_pilote_d_un_autre_departement_refuse(self, centre):
        autre = UtilisateurFactory(
            role=Role.PILOTE, departements=[DepartementFactory(code="93", nom="Seine-Saint-Denis")]
        )
        with pytest.raises(PermissionDenied):
            creer(autre, centre)


class TestModifier:
    def test_modifier_et_referentiel_recalcule(self, pilote, centre):
        agrement = creer(pilote, centre)
        agrement_modifier(
            par=pilote,
            agrement=agrement,
            type=TypeAgrement.ANIMATION_GLOBALE,
            debut=D(2015, 1, 1),
            fin=D(2018, 12, 31),
            date_decision=None,
            instance="CAS",
            aujourd_hui=AUJOURD_HUI,
        )
        agrement.refresh_from_db()
        assert (agrement.debut, agrement.fin, agrement.instance) == (D(2015, 1, 1), D(2018, 12, 31), "CAS")

    def test_refus_laisse_la_base_intacte(self, pilote, centre):
        agrement = creer(pilote, centre)
        with pytest.raises(ValidationError, match="1 à 4 ans"):
            agrement_modifier(
                par=pilote,
                agrement=agrement,
                type=TypeAgrement.ANIMATION_GLOBALE,
                debut=D(2014, 1, 1),
                fin=D(2020, 12, 31),
                date_decision=None,
                aujourd_hui=AUJOURD_HUI,
            )
        agrement.refresh_from_db()
        assert agrement.fin == D(2017, 12, 31)

    def test_reduire_l_animation_globale_sous_l_acf_refuse(self, pilote, centre):
        globale = creer(pilote, centre)
        creer(pilote, centre, type=TypeAgrement.ACF)
        with pytest.raises(ValidationError, match="ne serait plus couvert"):
            agrement_modifier(
                par=pilote,
                agrement=globale,
                type=TypeAgrement.ANIMATION_GLOBALE,
                debut=D(2014, 1, 1),
                fin=D(2015, 12, 31),
                date_decision=None,
                aujourd_hui=AUJOURD_HUI,
            )

    def test_passer_en_2027_exige_le_volet_familles(self, pilote, centre):
        agrement = creer(
            pilote,
            centre,
            debut=D(2026, 1, 1),
            fin=D(2029, 12, 31),
            statut=Agrement.Statut.ACCORDE,
            date_decision=D(2025, 10, 1),
            commentaire="ok",
            evaluations=evaluations(),
            aujourd_hui=D(2026, 3, 1),
        )
        with pytest.raises(ValidationError, match="chacun des 9 critères"):
            agrement_modifier(
                par=pilote,
                agrement=agrement,
                type=TypeAgrement.ANIMATION_GLOBALE,
                debut=D(2027, 1, 1),
                fin=D(2030, 12, 31),
                date_decision=D(2025, 10, 1),
                commentaire="ok",
                aujourd_hui=D(2026, 3, 1),
            )
        agrement.refresh_from_db()
        assert agrement.referentiel == "circulaire_2012"


class TestDecider:
    def test_decision_sans_criteres_refusee(self, pilote, centre):
        agrement = creer(pilote, centre)
        with pytest.raises(ValidationError) as erreur:
            agrement_decider(
                par=pilote,
                agrement=agrement,
                statut=Agrement.Statut.ACCORDE,
                date_decision=D(2013, 10, 15),
                evaluations={},
                commentaire="",
                aujourd_hui=AUJOURD_HUI,
            )
        messages = " ".join(erreur.value.messages)
        assert "chacun des 8 critères" in messages
        assert "commentaire de l'instruction" in messages
        agrement.refresh_from_db()
        assert agrement.statut == Agrement.Statut.EN_INSTRUCTION
        assert agrement.date_decision is None

    def test_decision_partielle_ne_laisse_rien(self, pilote, centre):
        agrement = creer(pilote, centre)
        with pytest.raises(ValidationError):
            agrement_decider(
                par=pilote,
                agrement=agrement,
                statut=Agrement.Statut.REFUSE,
                date_decision=D(2013, 10, 15),
                evaluations=evaluations(CRITERES_2012[:7]),
                commentaire="Avis défavorable.",
                aujourd_hui=AUJOURD_HUI,
            )
        assert not EvaluationCritere.objects.exists()

    def test_decision_complete(self, pilote, centre):
        agrement = creer(pilote, centre, evaluations={"direction": ("partiel", "brouillon")})
        agrement_decider(
            par=pilote,
            agrement=agrement,
            statut=Agrement.Statut.ACCORDE,
            date_decision=D(2013, 10, 15),
            evaluations=evaluations(),
            commentaire="Avis favorable.",
            instance="CAS du 15/10/2013",
            aujourd_hui=AUJOURD_HUI,
        )
        agrement.refresh_from_db()
        assert agrement.statut == Agrement.Statut.ACCORDE
        assert agrement.commentaire == "Avis favorable."
        assert agrement.instance == "CAS du 15/10/2013"
        assert agrement.evaluations.count() == 8
        assert agrement.evaluations.get(critere="direction").appreciation == "satisfait"

    def test_statut_invalide_et_expire(self, pilote, centre):
        agrement = creer(pilote, centre)
        with pytest.raises(ValidationError, match="accorde ou refuse"):
            agrement_decider(
                par=pilote,
                agrement=agrement,
                statut=Agrement.Statut.EXPIRE,
                date_decision=D(2013, 10, 15),
                evaluations=evaluations(),
                commentaire="x",
            )
        agrement.statut = Agrement.Statut.EXPIRE
        with pytest.raises(ValidationError, match="a expiré"):
            agrement_decider(
                par=pilote,
                agrement=agrement,
                statut=Agrement.Statut.ACCORDE,
                date_decision=D(2013, 10, 15),
                evaluations=evaluations(),
                commentaire="x",
            )

    def test_partenaire_refuse(self, pilote, centre, val_de_marne):
        agrement = creer(pilote, centre)
        partenaire = UtilisateurFactory(role=Role.PARTENAIRE, departements=[val_de_marne])
        with pytest.raises(PermissionDenied):
            agrement_decider(
                par=partenaire,
                agrement=agrement,
                statut=Agrement.Statut.ACCORDE,
                date_decision=D(2013, 10, 15),
                evaluations=evaluations(),
                commentaire="x",
            )
        agrement.refresh_from_db()
        assert agrement.statut == Agrement.Statut.EN_INSTRUCTION


class TestExpirer:
    def test_expire_les_agrements_echus_une_seule_fois(self, centre):
        echu = AgrementFactory(structure=centre, debut=D(2010, 1, 1), fin=D(2013, 12, 31))
        en_cours = AgrementFactory(structure=centre)  # 2014-2017
        en_instruction = AgrementFactory(
            structure=centre, debut=D(2006, 1, 1), fin=D(2009, 12, 31), statut=Agrement.Statut.EN_INSTRUCTION
        )
        assert agrements_expirer(aujourd_hui=D(2016, 1, 1)) == 1
        assert agrements_expirer(aujourd_hui=D(2016, 1, 1)) == 0
        statuts = dict(Agrement.objects.values_list("pk", "statut"))
        assert statuts == {
            echu.pk: Agrement.Statut.EXPIRE,
            en_cours.pk: Agrement.Statut.ACCORDE,
            en_instruction.pk: Agrement.Statut.EN_INSTRUCTION,
        }

    def test_le_jour_de_fin_n_est_pas_expire(self, centre):
        AgrementFactory(structure=centre)
        assert agrements_expirer(aujourd_hui=D(2017, 12, 31)) == 0
        assert agrements_expirer(aujourd_hui=D(2018, 1, 1)) == 1

    def test_commande(self, centre):
        AgrementFactory(structure=centre)
        sortie = StringIO()
        call_command("expirer_agrements", "--date", "2018-01-02", stdout=sortie)
        assert "1 agrément passé à « expiré »" in sortie.getvalue()
        sortie = StringIO()
        call_command("expirer_agrements", "--date", "2018-01-02", stdout=sortie)
        assert "Aucun agrément à expirer." in sortie.getvalue()
        assert Agrement.objects.get().statut == Agrement.Statut.EXPIRE

    def test_commande_sans_date_utilise_aujourd_hui(self, centre):
        AgrementFactory(structure=centre)  # ended 31/12/2017, long ago
        call_command("expirer_agrements", stdout=StringIO())
        assert Agrement.objects.get().statut == Agrement.Statut.EXPIRE

    def test_commande_date_invalide(self):
        with pytest.raises(CommandError, match="Date invalide"):
            call_command("expirer_agrements", "--date", "31/12/2017")

    def test_journal_d_audit(self, centre):
        from auditlog.models import LogEntry

        agrement = AgrementFactory(structure=centre)
        agrements_expirer(aujourd_hui=D(2018, 1, 1))
        entree = LogEntry.objects.get_for_object(agrement).order_by("-timestamp").first()
        assert entree.changes_dict["statut"] == ["accorde", "expire"]


class TestDatePremierAgrement:
    def test_suit_le_premier_agrement_accorde(self, pilote, centre):
        en_instruction = creer(pilote, centre, debut=D(2010, 1, 1), fin=D(2013, 12, 31))
        centre.refresh_from_db()
        # Not granted yet: no first agrément.
        assert centre.date_premier_agrement is None
        agrement_decider(
            par=pilote,
            agrement=en_instruction,
            statut=Agrement.Statut.ACCORDE,
            date_decision=D(2009, 11, 15),
            evaluations=evaluations(),
            commentaire="Projet participatif solide.",
            aujourd_hui=AUJOURD_HUI,
        )
        centre.refresh_from_db()
        assert centre.date_premier_agrement == D(2010, 1, 1)

    def test_une_date_saisie_plus_ancienne_est_gardee(self, pilote, centre):
        centre.date_premier_agrement = D(1995, 9, 1)
        centre.save()
        creer(
            pilote,
            centre,
            statut=Agrement.Statut.ACCORDE,
            date_decision=D(2013, 11, 15),
            evaluations=evaluations(),
            commentaire="Renouvellement.",
        )
        centre.refresh_from_db()
        assert centre.date_premier_agrement == D(1995, 9, 1)
