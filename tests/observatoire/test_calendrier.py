"""Campaign dates: before the opening nothing can be written; late answers are accepted until the review deadline;
then the campaign is closed, except for answers sent back « à corriger »."""

import datetime
from types import SimpleNamespace

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse
from django.utils import timezone

from maillage.comptes.models import Role
from maillage.observatoire import calendrier, services
from maillage.observatoire.models import Campagne, Statut
from tests.comptes.factories import UtilisateurFactory
from tests.observatoire.factories import CampagneFactory, ReponseFactory
from tests.structures.factories import StructureFactory

from .conftest import SOCLE

J = datetime.date(2016, 3, 1)
DATES = {
    "ouverture": J,
    "date_limite_reponse": datetime.date(2016, 4, 30),
    "date_limite_relecture": datetime.date(2016, 6, 15),
}


@pytest.mark.parametrize(
    ("jour", "statut", "attendu"),
    [
        (datetime.date(2016, 2, 29), "brouillon", "La campagne ouvre le 01/03/2016"),
        (datetime.date(2016, 2, 29), "a_corriger", "La campagne ouvre le 01/03/2016"),
        (J, "brouillon", ""),
        (datetime.date(2016, 4, 30), "brouillon", ""),
        (datetime.date(2016, 5, 10), "brouillon", ""),  # late, still accepted
        (datetime.date(2016, 6, 15), "brouillon", ""),
        (datetime.date(2016, 6, 16), "brouillon", "La campagne est close depuis le 15/06/2016"),
        (datetime.date(2017, 1, 1), "a_corriger", ""),  # the reviewers asked for it
    ],
)
def test_motif_fermeture(jour, statut, attendu):
    motif = calendrier.motif_pour(SimpleNamespace(**DATES), statut, jour)
    assert motif.startswith(attendu) if attendu else motif == ""


def test_en_retard():
    assert not calendrier.en_retard(
        aujourd_hui=datetime.date(2016, 4, 30), date_limite_reponse=DATES["date_limite_reponse"]
    )
    assert calendrier.en_retard(aujourd_hui=datetime.date(2016, 5, 1), date_limite_reponse=DATES["date_limite_reponse"])


@pytest.fixture
def close(territoire_94):
    aujourd_hui = timezone.localdate()
    socle, _ = services.questionnaire_charger(chemin=SOCLE)
    campagne = CampagneFactory(
        departement=territoire_94.departement,
        questionnaire=socle,
        ouverture=aujourd_hui - datetime.timedelta(days=100),
        date_limite_reponse=aujourd_hui - datetime.timedelta(days=50),
        date_limite_relecture=aujourd_hui - datetime.timedelta(days=1),
    )
    structure = StructureFactory(commune=territoire_94.communes[0])
    reponse = ReponseFactory(campagne=campagne, structure=structure, valeurs={"pub_personnes": 10})
    compte = UtilisateurFactory(role=Role.STRUCTURE, departements=[territoire_94.departement], structure=structure)
    return campagne, reponse, compte


@pytest.mark.django_db
def test_campagne_close_refuse_la_saisie_et_la_soumission(close):
    campagne, reponse, compte = close
    with pytest.raises(ValidationError, match="La campagne est close"):
        services.reponse_enregistrer(par=compte, reponse=reponse, valeurs={"pub_personnes": "12"}, version=1)
    with pytest.raises(ValidationError, match="La campagne est close"):
        services.reponse_soumettre(par=compte, reponse=reponse)
    with pytest.raises(ValidationError, match="La campagne est close"):
        services.reponse_prefill(par=compte, reponse=reponse, version=1)
    reponse.refresh_from_db()
    assert reponse.valeurs == {"pub_personnes": 10} and reponse.statut == Statut.BROUILLON and reponse.version == 1


@pytest.mark.django_db
def test_campagne_close_page_en_lecture_seule(client, close):
    campagne, reponse, compte = close
    client.force_login(compte)
    page = client.get(reverse("observatoire:reponse", args=[reponse.pk])).content.decode()
    assert "La campagne est close depuis le" in page and "Soumettre à la Caf" not in page
    # A forged autosave changes nothing and says why.
    section = reverse("observatoire:section", args=[reponse.pk, "publics"])
    page = client.get(section).content.decode()
    assert "La campagne est close depuis le" in page and "hx-post" not in page
    reponse_post = client.post(section, {"version": "1", "pub_personnes": "99"})
    assert reponse_post.status_code in {400, 403}
    reponse.refresh_from_db()
    assert reponse.valeurs == {"pub_personnes": 10}


@pytest.mark.django_db
def test_a_corriger_reste_modifiable_apres_la_cloture(close):
    campagne, reponse, compte = close
    # The campaign closed yesterday.
    reponse.statut, reponse.soumise_le = Statut.A_CORRIGER, datetime.datetime(2016, 5, 1, tzinfo=datetime.UTC)
    reponse.save()
    services.reponse_enregistrer(par=compte, reponse=reponse, valeurs={"pub_personnes": "12"}, version=1)
    reponse.refresh_from_db()
    assert reponse.valeurs["pub_personnes"] == 12


@pytest.mark.django_db
def test_avant_ouverture_refus_et_retard_annonce(client, close):
    campagne, reponse, compte = close
    aujourd_hui = timezone.localdate()
    Campagne.objects.filter(pk=campagne.pk).update(
        ouverture=aujourd_hui + datetime.timedelta(days=3),
        date_limite_reponse=aujourd_hui + datetime.timedelta(days=30),
        date_limite_relecture=aujourd_hui + datetime.timedelta(days=60),
    )
    reponse.refresh_from_db()
    with pytest.raises(ValidationError, match="La campagne ouvre le"):
        services.reponse_enregistrer(par=compte, reponse=reponse, valeurs={"pub_personnes": "12"}, version=1)
    # Late but open: the page says so and the structure can still write.
    Campagne.objects.filter(pk=campagne.pk).update(
        ouverture=aujourd_hui - datetime.timedelta(days=30),
        date_limite_reponse=aujourd_hui - datetime.timedelta(days=1),
    )
    client.force_login(compte)
    page = client.get(reverse("observatoire:reponse", args=[reponse.pk])).content.decode()
    assert "La date limite de réponse est passée" in page and "Soumettre à la Caf" in page
