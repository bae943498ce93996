"""Loading definition files: idempotency, frozen versions once used, bad files."""

import json

import pytest
from django.core.exceptions import ValidationError
from django.core.management import CommandError, call_command

from maillage.observatoire.models import Questionnaire
from maillage.observatoire.services import questionnaire_charger
from tests.observatoire.factories import CampagneFactory

from .conftest import SOCLE, THEME


def _copie(tmp_path, nom="socle.json", **changements):
    donnees = json.loads(SOCLE.read_text(encoding="utf-8"))
    donnees.update(changements)
    chemin = tmp_path / nom
    chemin.write_text(json.dumps(donnees, ensure_ascii=False), encoding="utf-8")
    return chemin


@pytest.mark.django_db
def test_chargement_idempotent():
    questionnaire, etat = questionnaire_charger(chemin=SOCLE)
    assert etat == "cree"
    assert questionnaire.code == "senacs-socle" and questionnaire.version == 1
    assert questionnaire.fichier_source == "maillage/observatoire/questionnaires/senacs-socle-v1.json"
    assert len(questionnaire.empreinte) == 64
    modifie_le = questionnaire.modifie_le
    encore, etat = questionnaire_charger(chemin=SOCLE)
    assert (encore.pk, etat) == (questionnaire.pk, "inchange")
    encore.refresh_from_db()
    assert encore.modifie_le == modifie_le
    assert Questionnaire.objects.count() == 1


@pytest.mark.django_db
def test_version_non_utilisee_mise_a_jour(tmp_path):
    premier, _ = questionnaire_charger(chemin=SOCLE)
    modifie, etat = questionnaire_charger(chemin=_copie(tmp_path, titre="SENACS socle corrigé"))
    assert etat == "mis_a_jour"
    assert modifie.pk == premier.pk
    assert modifie.titre == "SENACS socle corrigé"
    assert modifie.empreinte != premier.empreinte


@pytest.mark.django_db
def test_version_utilisee_par_une_campagne_refusee(tmp_path):
    questionnaire, _ = questionnaire_charger(chemin=SOCLE)
    CampagneFactory(questionnaire=questionnaire, departement__code="94")
    with pytest.raises(ValidationError) as e:
        questionnaire_charger(chemin=_copie(tmp_path, titre="Changé en douce"))
    assert e.value.messages == [
        "La version 1 du questionnaire « senacs-socle » est déjà utilisée par la campagne 2016 (94) : elle ne peut"
        " plus changer. Donnez un nouveau numéro de version au fichier modifié."
    ]
    questionnaire.refresh_from_db()
    assert questionnaire.titre == "SENACS — socle du questionnaire (v1)"


@pytest.mark.django_db
def test_nouvelle_version_nouvelle_ligne(tmp_path):
    v1, _ = questionnaire_charger(chemin=SOCLE)
    CampagneFactory(questionnaire=v1)
    v2, etat = questionnaire_charger(chemin=_copie(tmp_path, version=2, titre="SENACS socle v2"))
    assert etat == "cree"
    assert v2.pk != v1.pk
    assert sorted(Questionnaire.objects.values_list("version", flat=True)) == [1, 2]


@pytest.mark.django_db
def test_commande_charge_et_reste_idempotente():
    sortie = []
    for _ in range(2):
        from io import StringIO

        flux = StringIO()
        call_command("charger_questionnaire", str(SOCLE), str(THEME), stdout=flux)
        sortie.append(flux.getvalue())
    assert sortie[0] == (
        "senacs-socle-v1.json : senacs-socle v1 chargé.\nsenacs-theme-2016-v1.json : senacs-theme-2016 v1 chargé.\n"
    )
    assert "inchangé" in sortie[1] and "chargé." not in sortie[1]
    assert Questionnaire.objects.count() == 2


@pytest.mark.django_db
def test_commande_fichier_invalide_n_ecrit_rien(tmp_path):
    mauvais = tmp_path / "mauvais.json"
    mauvais.write_text('{"format": 1, "code": "x"', encoding="utf-8")
    with pytest.raises(CommandError) as e:
        call_command("charger_questionnaire", str(SOCLE), str(mauvais))
    assert "mauvais.json : JSON illisible ligne 1" in str(e.value)
    assert Questionnaire.objects.count() == 0


@pytest.mark.django_db
def test_commande_fichier_absent(tmp_path):
    with pytest.raises(CommandError) as e:
        call_command("charger_questionnaire", str(tmp_path / "absent.json"))
    assert "Fichier illisible" in str(e.value)


@pytest.mark.django_db
def test_fichier_non_utf8(tmp_path):
    chemin = tmp_path / "latin1.json"
    chemin.write_bytes('{"titre": "é"}'.encode("latin-1"))
    with pytest.raises(ValidationError) as e:
        questionnaire_charger(chemin=chemin)
    assert e.value.messages == ["latin1.json : le fichier doit être encodé en UTF-8."]
