"""Agrément pages: history, add, modify, decide, renewal board; denials, forged posts, query counts."""

import datetime

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from maillage.comptes.models import Role
from maillage.structures import regles, services_agrements
from maillage.structures.models import (
    Agrement,
    DocumentProjet,
    EvaluationCritere,
    ProjetSocial,
    TypeAgrement,
    TypeStructure,
)
from tests.comptes.factories import UtilisateurFactory
from tests.conftest import enregistrer_deux_fois, message_conflit
from tests.structures.factories import AgrementFactory, StructureFactory
from tests.territoires.factories import CommuneFactory, DepartementFactory

pytestmark = pytest.mark.django_db

D = datetime.date
CRITERES_2012 = regles.REGLES_2012.codes_criteres(TypeAgrement.ANIMATION_GLOBALE)


@pytest.fixture
def val_de_marne(db):
    return DepartementFactory(code="94", nom="Val-de-Marne")


@pytest.fixture
def seine_saint_denis(db):
    return DepartementFactory(code="93", nom="Seine-Saint-Denis")


@pytest.fixture
def creteil(val_de_marne):
    return CommuneFactory(code="94028", nom="Créteil", departement=val_de_marne)


@pytest.fixture
def vitry(val_de_marne):
    return CommuneFactory(code="94081", nom="Vitry-sur-Seine", departement=val_de_marne)


@pytest.fixture
def pilote(val_de_marne):
    return UtilisateurFactory(role=Role.PILOTE, departements=[val_de_marne])


@pytest.fixture
def centre(creteil):
    return StructureFactory(nom="Centre social des Bleuets", commune=creteil)


@pytest.fixture
def agrement(centre):
    return AgrementFactory(structure=centre, commentaire="Annotation secrète de l'instruction")


def url(nom, *args):
    return reverse(f"structures:{nom}", args=args)


def assert_403(reponse):
    assert reponse.status_code == 403
    assert "Accès refusé" in reponse.content.decode()


def decision(**autres):
    donnees = {
        "statut": "accorde",
        "date_decision": "2013-10-15",
        "instance": "CAS du 15/10/2013",
        "commentaire": "Avis favorable : projet participatif.",
        "version": 1,
    }
    for code in CRITERES_2012:
        donnees[f"critere_{code}"] = "satisfait"
        donnees[f"critere_{code}_commentaire"] = ""
    donnees.update(autres)
    return donnees


class TestRefus:
    @pytest.fixture
    def urls(self, centre, agrement):
        return [
            url("agrements", centre.pk),
            url("agrement_ajouter", centre.pk),
            url("agrement_modifier", agrement.pk),
            url("agrement_decider", agrement.pk),
            url("renouvellements", "94"),
        ]

    def test_anonyme_redirige(self, client, urls):
        for adresse in urls:
            reponse = client.get(adresse)
            assert reponse.status_code == 302, adresse
            assert reponse.url.startswith(reverse("comptes:connexion"))

    @pytest.mark.parametrize("role", [Role.PARTENAIRE, Role.CONSEILLER, Role.STRUCTURE])
    def test_autres_roles(self, client, urls, val_de_marne, creteil, centre, role):
        user = UtilisateurFactory(role=role, departements=[val_de_marne], communes=[creteil])
        if role == Role.STRUCTURE:
            user.structure = centre
            user.save()
        client.force_login(user)
        for adresse in urls:
            assert_403(client.get(adresse))

    def test_pilote_d_un_autre_departement(self, client, urls, seine_saint_denis):
        client.force_login(UtilisateurFactory(role=Role.PILOTE, departements=[seine_saint_denis]))
        for adresse in urls:
            assert_403(client.get(adresse))

    def test_posts_forges_refuses(self, client, centre, agrement, seine_saint_denis):
        client.force_login(UtilisateurFactory(role=Role.PILOTE, departements=[seine_saint_denis]))
        assert_403(client.post(url("agrement_decider", agrement.pk), decision(statut="refuse")))
        assert_403(
            client.post(url("agrement_ajouter", centre.pk), {"type": "acf", "debut": "2014-01-01", "fin": "2017-12-31"})
        )
        agrement.refresh_from_db()
        assert agrement.statut == Agrement.Statut.ACCORDE
        assert Agrement.objects.count() == 1

    def test_inconnus(self, client, pilote):
        client.force_login(pilote)
        assert client.get(url("agrements", 999999)).status_code == 404
        assert client.get(url("agrement_decider", 999999)).status_code == 404
        assert client.get(url("renouvellements", "99")).status_code == 404
        assert client.get("/structures/renouvellements/9%2D4/").status_code == 404


class TestHistorique:
    def test_liste_avec_evaluations_privees(self, client, pilote, centre, agrement):
        EvaluationCritere.objects.create(
            agrement=agrement, critere="direction", appreciation="partiel", commentaire="Mi-temps"
        )
        client.force_login(pilote)
        reponse = client.get(url("agrements", centre.pk))
        texte = reponse.content.decode()
        assert reponse.status_code == 200
        assert "du 01/01/2014 au 31/12/2017" in texte
        assert "Annotation secrète de l&#x27;instruction" in texte
        assert "Partiellement satisfait" in texte and "Mi-temps" in texte
        assert url("agrement_decider", agrement.pk) in texte
        assert url("structure", centre.pk) in texte

    def test_admin(self, client, centre, agrement):
        client.force_login(UtilisateurFactory(role=Role.ADMIN, is_superuser=True, is_staff=True))
        assert client.get(url("agrements", centre.pk)).status_code == 200

    def test_requetes_constantes(self, client, pilote, centre, django_assert_max_num_queries):
        for annee in range(2000, 2020, 4):
            a = AgrementFactory(structure=centre, debut=D(annee, 1, 1), fin=D(annee + 3, 12, 31))
            EvaluationCritere.objects.create(agrement=a, critere="direction", appreciation="satisfait")
        client.force_login(pilote)
        with django_assert_max_num_queries(10):
            assert client.get(url("agrements", centre.pk)).status_code == 200


class TestAjouter:
    def test_formulaire(self, client, pilote, centre):
        client.force_login(pilote)
        texte = client.get(url("agrement_ajouter", centre.pk)).content.decode()
        assert "Démarche participative" in texte
        assert "Volet familles" in texte
        assert 'value="animation_locale"' not in texte  # not for a centre social

    def test_ajout_en_instruction(self, client, pilote, centre):
        client.force_login(pilote)
        reponse = client.post(
            url("agrement_ajouter", centre.pk),
            {"type": "animation_globale", "debut": "2018-01-01", "fin": "2021-12-31", "statut": "en_instruction"},
        )
        assert reponse.status_code == 302
        assert reponse.url == url("agrements", centre.pk)
        assert Agrement.objects.get().fin == D(2021, 12, 31)

    def test_erreurs_en_francais_et_rien_ecrit(self, client, pilote, centre, agrement):
        client.force_login(pilote)
        reponse = client.post(
            url("agrement_ajouter", centre.pk),
            {"type": "animation_globale", "debut": "2016-01-01", "fin": "2021-12-31", "statut": "en_instruction"},
        )
        texte = reponse.content.decode()
        assert reponse.status_code == 200
        assert "chevauche" in texte and "1 à 4 ans" in texte
        assert Agrement.objects.count() == 1

    def test_type_forge_et_date_malformee(self, client, pilote, centre):
        client.force_login(pilote)
        reponse = client.post(
            url("agrement_ajouter", centre.pk),
            {"type": "animation_locale", "debut": "2018-13-45", "fin": "x", "statut": "accorde"},
        )
        assert reponse.status_code == 200
        assert "Sélectionnez un choix valide" in reponse.content.decode()
        assert not Agrement.objects.exists()

    def test_dates_extremes(self, client, pilote, centre):
        client.force_login(pilote)
        reponse = client.post(
            url("agrement_ajouter", centre.pk),
            {"type": "animation_globale", "debut": "9999-01-01", "fin": "9999-12-31", "statut": "en_instruction"},
        )
        assert reponse.status_code == 200
        assert "Date invalide" in reponse.content.decode()
        assert not Agrement.objects.exists()

    def test_accorde_sans_criteres_refuse(self, client, pilote, centre):
        client.force_login(pilote)
        reponse = client.post(
            url("agrement_ajouter", centre.pk),
            {
                "type": "animation_globale",
                "debut": "2014-01-01",
                "fin": "2017-12-31",
                "statut": "accorde",
                "date_decision": "2013-10-15",
            },
        )
        assert "chacun des 8 critères" in reponse.content.decode()
        assert not Agrement.objects.exists()


class TestModifierEtDecider:
    def test_modifier_un_agrement_sans_evaluations(self, client, pilote, centre):
        # Agréments entered before the tool (or imported) have no assessment: they stay editable.
        agrement = AgrementFactory(structure=centre)
        client.force_login(pilote)
        reponse = client.get(url("agrement_modifier", agrement.pk))
        assert 'value="2017-12-31"' in reponse.content.decode()
        reponse = client.post(
            url("agrement_modifier", agrement.pk),
            {
                "type": "animation_globale",
                "debut": "2014-01-01",
                "fin": "2016-12-31",
                "date_decision": "2013-10-15",
                "version": 1,
            },
        )
        assert reponse.status_code == 302
        agrement.refresh_from_db()
        assert agrement.fin == D(2016, 12, 31)
        assert agrement.commentaire == ""

    def test_commentaire_d_un_agrement_decide_non_effacable(self, client, pilote, agrement):
        client.force_login(pilote)
        reponse = client.post(
            url("agrement_modifier", agrement.pk),
            {
                "type": "animation_globale",
                "debut": "2014-01-01",
                "fin": "2016-12-31",
                "date_decision": "2013-10-15",
                "version": 1,
            },
        )
        assert "ne peut pas être effacé" in reponse.content.decode()
        agrement.refresh_from_db()
        assert agrement.fin == D(2017, 12, 31)

    def test_decider(self, client, pilote, centre):
        agrement = AgrementFactory(structure=centre, statut=Agrement.Statut.EN_INSTRUCTION, date_decision=None)
        client.force_login(pilote)
        texte = client.get(url("agrement_decider", agrement.pk)).content.decode()
        assert texte.count('<select name="critere_') == 8
        reponse = client.post(url("agrement_decider", agrement.pk), decision())
        assert reponse.status_code == 302
        agrement.refresh_from_db()
        assert agrement.statut == Agrement.Statut.ACCORDE
        assert agrement.evaluations.count() == 8

    def test_decider_sans_criteres(self, client, pilote, centre):
        agrement = AgrementFactory(structure=centre, statut=Agrement.Statut.EN_INSTRUCTION, date_decision=None)
        client.force_login(pilote)
        donnees = decision(commentaire="")
        del donnees["critere_direction"]
        reponse = client.post(url("agrement_decider", agrement.pk), donnees)
        assert reponse.status_code == 200
        assert "Ce champ est obligatoire" in reponse.content.decode()
        agrement.refresh_from_db()
        assert agrement.statut == Agrement.Statut.EN_INSTRUCTION
        assert not EvaluationCritere.objects.exists()

    def test_decision_statut_forge(self, client, pilote, centre):
        agrement = AgrementFactory(structure=centre, statut=Agrement.Statut.EN_INSTRUCTION, date_decision=None)
        client.force_login(pilote)
        reponse = client.post(url("agrement_decider", agrement.pk), decision(statut="expire"))
        assert reponse.status_code == 200
        agrement.refresh_from_db()
        assert agrement.statut == Agrement.Statut.EN_INSTRUCTION

    def test_decider_un_agrement_expire_redirige(self, client, pilote, centre):
        agrement = AgrementFactory(structure=centre, statut=Agrement.Statut.EXPIRE)
        client.force_login(pilote)
        reponse = client.post(url("agrement_decider", agrement.pk), decision(statut="refuse"))
        assert reponse.status_code == 302
        agrement.refresh_from_db()
        assert agrement.statut == Agrement.Statut.EXPIRE


class TestRenouvellements:
    AUJOURD_HUI = D(2017, 5, 15)  # boards below are computed at this date (?date=)

    @pytest.fixture
    def donnees(self, centre, creteil, vitry):
        # Ends 31/12/2017: evaluation (30/04/2017) and launch (31/10/2016) late.
        retard = AgrementFactory(structure=centre)
        evs = StructureFactory(nom="EVS Balzac", type=TypeStructure.EVS, commune=vitry)
        # Ends 30/06/2018: launch 30/04/2017 late (nothing done yet).
        evs_agrement = AgrementFactory(structure=evs, debut=D(2014, 7, 1), fin=D(2018, 6, 30))
        autre = StructureFactory(nom="Centre social Port", commune=vitry)
        # Ends 31/03/2018 but renewed (successor accordé): nothing late.
        renouvele = AgrementFactory(structure=autre, debut=D(2014, 4, 1), fin=D(2018, 3, 31))
        AgrementFactory(structure=autre, debut=D(2018, 4, 1), fin=D(2022, 3, 31), date_decision=D(2017, 3, 1))
        # Ends in 2019 (beyond 14 months) and a refused one: not on the board.
        loin = StructureFactory(nom="Centre social Lointain", commune=creteil)
        AgrementFactory(structure=loin, debut=D(2016, 1, 1), fin=D(2019, 12, 31))
        AgrementFactory(structure=loin, statut=Agrement.Statut.REFUSE, debut=D(2012, 1, 1), fin=D(2015, 12, 31))
        return {"retard": retard, "evs": evs_agrement, "renouvele": renouvele}

    def get(self, client, **filtres):
        return client.get(url("renouvellements", "94"), {"date": self.AUJOURD_HUI.isoformat(), **filtres})

    def test_tableau_trie_par_urgence(self, client, pilote, donnees):
        client.force_login(pilote)
        reponse = self.get(client)
        lignes = reponse.context["lignes"]
        assert [ligne.agrement for ligne in lignes] == [donnees["retard"], donnees["evs"], donnees["renouvele"]]
        assert [ligne.retards for ligne in lignes] == [2, 1, 0]
        assert lignes[2].successeur.debut == D(2018, 4, 1)
        texte = reponse.content.decode()
        assert texte.count('badge--erreur">en retard') == 3
        assert "Centre social Lointain" not in texte
        assert "3 agréments à renouveler, dont 2 en retard" in texte

    def test_filtres(self, client, pilote, donnees, vitry):
        client.force_login(pilote)
        par_type = self.get(client, type="animation_locale").context["lignes"]
        assert [ligne.agrement for ligne in par_type] == [donnees["evs"]]
        par_commune = self.get(client, commune=vitry.code).context["lignes"]
        assert [ligne.agrement for ligne in par_commune] == [donnees["evs"], donnees["renouvele"]]

    def test_filtre_forge_sans_erreur_500(self, client, pilote, donnees):
        client.force_login(pilote)
        reponse = self.get(client, commune="75056", type="x")
        assert reponse.status_code == 200
        assert "Sélectionnez un choix valide" in reponse.content.decode()

    @pytest.mark.parametrize("date", ["9999-12-31", "0001-01-01", "2017-02-30", "demain"])
    def test_date_extreme_ou_invalide(self, client, pilote, donnees, date):
        client.force_login(pilote)
        reponse = client.get(url("renouvellements", "94"), {"date": date})
        assert reponse.status_code == 200
        assert "champ__erreur" in reponse.content.decode()

    def test_octet_nul_400(self, client, pilote):
        client.force_login(pilote)
        assert client.get(url("renouvellements", "94"), {"commune": "94\x00"}).status_code == 400

    def test_documents_marquent_les_jalons(self, client, pilote, centre, donnees):
        projet = ProjetSocial.objects.create(
            structure=centre, intitule="Projet 2018-2021", debut=D(2018, 1, 1), fin=D(2021, 12, 31)
        )
        for nature in (DocumentProjet.Nature.EVALUATION, DocumentProjet.Nature.DIAGNOSTIC):
            DocumentProjet.objects.create(
                projet=projet, nature=nature, titre=nature, fichier=SimpleUploadedFile(f"{nature}.pdf", b"%PDF")
            )
        depose = timezone.make_aware(datetime.datetime(2017, 3, 1, 12))
        DocumentProjet.objects.update(depose_le=depose)
        client.force_login(pilote)
        ligne = next(lg for lg in self.get(client).context["lignes"] if lg.agrement == donnees["retard"])
        assert [e.fait for e in ligne.etats] == [True, True, False, False]
        assert ligne.retards == 0

    def test_nombre_de_requetes_constant(self, client, pilote, creteil):
        client.force_login(pilote)

        def compter():
            with CaptureQueriesContext(connection) as requetes:
                assert self.get(client).status_code == 200
            return len(requetes)

        s = StructureFactory(commune=creteil)
        AgrementFactory(structure=s, debut=D(2014, 1, 1), fin=D(2017, 12, 31))
        peu = compter()
        for i in range(15):
            s = StructureFactory(commune=creteil)
            AgrementFactory(structure=s, debut=D(2014, 1 + i % 12, 1), fin=D(2017 + i % 12 // 6, 12, 31))
            AgrementFactory(structure=s, type=TypeAgrement.ACF, debut=D(2014, 1, 1), fin=D(2017, 12, 31))
            AgrementFactory(
                structure=s, debut=D(2018, 1, 1), fin=D(2021, 12, 31), statut="en_instruction", date_decision=None
            )
        beaucoup = compter()
        assert len(self.get(client).context["lignes"]) >= 15
        assert beaucoup == peu
        assert beaucoup <= 10


class TestVersions:
    """A save from a form opened before another save is refused, with what changed; nothing is overwritten."""

    def _modification(self, **autres):
        return {"type": "animation_globale", "debut": "2014-01-01", "fin": "2017-12-31", **autres}

    def test_modifier_deux_fois(self, pilote, val_de_marne, centre):
        agrement = AgrementFactory(structure=centre, instance="CA")
        autre = UtilisateurFactory(
            role=Role.PILOTE, departements=[val_de_marne], first_name="Ada", last_name="Lovelace"
        )
        reponse = enregistrer_deux_fois(
            url("agrement_modifier", agrement.pk),
            (autre, self._modification(date_decision="2013-10-15", instance="CAS du 15/10/2013")),
            (pilote, self._modification(date_decision="2013-10-15", instance="CA", fin="2016-12-31")),
        )
        message = message_conflit(reponse)
        assert "Ada Lovelace" in message and "« CA » → « CAS du 15/10/2013 »" in message
        agrement.refresh_from_db()
        assert (agrement.instance, agrement.fin, agrement.version) == ("CAS du 15/10/2013", D(2017, 12, 31), 2)

    def test_decider_apres_une_modification(self, pilote, centre):
        agrement = AgrementFactory(structure=centre, statut=Agrement.Statut.EN_INSTRUCTION, date_decision=None)
        client = Client()
        client.force_login(pilote)
        ouverte = client.get(url("agrement_decider", agrement.pk)).context["form"]["version"].value()
        services_agrements.agrement_modifier(
            par=pilote,
            agrement=agrement,
            version=1,
            type="animation_globale",
            debut=D(2014, 1, 1),
            fin=D(2016, 12, 31),
            date_decision=None,
        )
        reponse = client.post(url("agrement_decider", agrement.pk), decision(version=ouverte))
        assert "31/12/2017 » → « 31/12/2016" in message_conflit(reponse)
        agrement.refresh_from_db()
        assert agrement.statut == Agrement.Statut.EN_INSTRUCTION and not agrement.evaluations.exists()
        reponse = client.post(url("agrement_decider", agrement.pk), decision(version=agrement.version))
        assert reponse.status_code == 302
        agrement.refresh_from_db()
        assert (agrement.statut, agrement.version) == (Agrement.Statut.ACCORDE, 3)
