"""Import of a past campaign export (importer_campagne): whole file checked first, nothing written on any error."""

import io
import time
from io import StringIO

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError

from maillage.observatoire import services
from maillage.observatoire.models import Campagne, Reponse, Statut, Transition
from maillage.territoires.models import Chargement
from tests.core import bombes
from tests.structures.factories import AgrementFactory, StructureFactory
from tests.territoires.factories import CommuneFactory, DepartementFactory

from .conftest import SOCLE

ENTETE = (
    "siret;structure_id;pers_effectif;pers_etp;gouv_benevoles_activite;proj_enjeux;id_hors_les_murs;"
    "pub_tranches_age.0-3.personnes;fin_charges_totales\n"
)


@pytest.fixture
def reseau(territoire_94, tmp_path):
    creteil, vitry, _ = territoire_94.communes
    cs = StructureFactory(nom="Centre social des Bleuets", commune=creteil, siret="35600000000048")
    AgrementFactory(structure=cs)
    evs = StructureFactory(nom="EVS de Vitry", type="evs", commune=vitry)
    AgrementFactory(structure=evs)
    dep_93 = DepartementFactory(code="93", nom="Seine-Saint-Denis", region=territoire_94.region)
    ailleurs = StructureFactory(nom="Centre de Bobigny", commune=CommuneFactory(departement=dep_93), siret="1" * 14)
    services.questionnaire_charger(chemin=SOCLE)
    return cs, evs, ailleurs, tmp_path


def fichier(tmp_path, texte: str, nom="senacs-2015.csv"):
    chemin = tmp_path / nom
    chemin.write_text(texte, encoding="utf-8")
    return chemin


def importer(chemin, annee=2015):
    sortie = StringIO()
    call_command("importer_campagne", str(chemin), annee=annee, departement="94", stdout=sortie)
    return sortie.getvalue()


def bon_fichier(cs, evs):
    return ENTETE + (
        f"35600000000048;;30;17,5;28;acces_droits | parentalite;oui;120;512 000\n;{evs.pk};3;1.5;12;;non;;45000\n"
    )


def test_bon_fichier_cree_la_campagne_et_valide(reseau):
    cs, evs, _, tmp_path = reseau
    sortie = importer(fichier(tmp_path, bon_fichier(cs, evs)))
    assert "2 réponses importées et validées" in sortie and "campagne créée" in sortie
    campagne = Campagne.objects.get(departement_id="94", annee=2015)
    assert campagne.annee_donnees == 2014 and campagne.questionnaire.code == "senacs-socle"
    reponse = Reponse.objects.get(campagne=campagne, structure=cs)
    assert reponse.statut == Statut.VALIDEE and reponse.verrouillee
    assert reponse.valeurs == {
        "pers_effectif": 30,
        "pers_etp": 17.5,
        "gouv_benevoles_activite": 28,
        "proj_enjeux": ["acces_droits", "parentalite"],
        "id_hors_les_murs": True,
        "pub_tranches_age": {"0-3": {"personnes": 120}},
        "fin_charges_totales": 512000,
    }
    assert Reponse.objects.get(campagne=campagne, structure=evs).valeurs["pers_etp"] == 1.5
    transition = Transition.objects.get(reponse=reponse)
    assert (transition.de, transition.vers, transition.motif) == (
        Statut.BROUILLON,
        Statut.VALIDEE,
        "import : senacs-2015.csv",
    )
    journal = Chargement.objects.get(commande="importer_campagne")
    assert journal.statut == Chargement.Statut.REUSSI and journal.resume["importees"] == 2


def test_reimport_ne_change_rien(reseau):
    cs, evs, _, tmp_path = reseau
    chemin = fichier(tmp_path, bon_fichier(cs, evs))
    importer(chemin)
    avant = list(Reponse.objects.order_by("pk").values_list("pk", "statut", "valeurs", "version", "validee_le"))
    sortie = importer(chemin)
    assert "0 réponses importées et validées, 2 déjà identiques" in sortie
    assert list(Reponse.objects.order_by("pk").values_list("pk", "statut", "valeurs", "version", "validee_le")) == avant
    assert Transition.objects.count() == 2 and Campagne.objects.count() == 1


def test_xlsx(reseau):
    from openpyxl import Workbook

    cs, evs, _, tmp_path = reseau
    classeur = Workbook()
    feuille = classeur.active
    feuille.append(["structure_id", "pers_effectif", "pers_etp"])
    feuille.append([cs.pk, 31, 16.5])
    tampon = io.BytesIO()
    classeur.save(tampon)
    chemin = tmp_path / "export.xlsx"
    chemin.write_bytes(tampon.getvalue())
    importer(chemin)
    assert Reponse.objects.get(structure=cs).valeurs == {"pers_effectif": 31, "pers_etp": 16.5}


def refus(chemin) -> str:
    with pytest.raises(CommandError) as erreur:
        importer(chemin)
    assert not Campagne.objects.exists() and not Reponse.objects.exists() and not Transition.objects.exists()
    assert Chargement.objects.filter(commande="importer_campagne", statut=Chargement.Statut.REFUSE).exists()
    return str(erreur.value)


@pytest.mark.parametrize(
    ("lignes", "attendu"),
    [
        ("99999999999999;;30;17;28;;;;\n", "ligne 3, colonne « siret » : structure inconnue dans ce département"),
        ("11111111111111;;30;17;28;;;;\n", "ligne 3, colonne « siret » : structure inconnue"),
        ("35600000000048;;trente;17;28;;;;\n", "ligne 3, colonne « pers_effectif » : Saisissez un nombre."),
        (
            "35600000000048;;30;17;2.5;;;;\n",
            "ligne 3, colonne « gouv_benevoles_activite » : Saisissez un nombre entier",
        ),
        ("35600000000048;;30;17;28;inconnu;;;\n", "ligne 3, colonne « proj_enjeux » : Choisissez parmi"),
        ("35600000000048;;30;17;28;;peut-être;;\n", "ligne 3, colonne « id_hors_les_murs » : Répondez par oui"),
        ("35600000000048;;30;17;28;;;beaucoup;\n", "ligne 3, colonne « pub_tranches_age.0-3.personnes »"),
        ("35600000000048;;30;17;28;;;;\n35600000000048;;30;17;28;;;;\n", "ligne 4 : structure déjà présente ligne 3"),
    ],
)
def test_erreurs_rien_n_est_ecrit(reseau, lignes, attendu):
    _, evs, _, tmp_path = reseau
    message = refus(fichier(tmp_path, ENTETE + f";{evs.pk};3;1;5;;;;\n" + lignes))
    assert attendu in message, message


def test_erreur_en_fin_de_fichier_rien_n_est_ecrit(reseau):
    cs, evs, _, tmp_path = reseau
    message = refus(fichier(tmp_path, bon_fichier(cs, evs) + "35600000000048;;;;;;;;\n;abc;1;1;1;;;;\n"))
    assert "ligne 4 : structure déjà présente ligne 2" in message
    assert "ligne 5, colonne « structure_id » : structure inconnue dans ce département : « abc »" in message


def test_colonnes_inconnues_listees(reseau):
    cs, evs, _, tmp_path = reseau
    message = refus(fichier(tmp_path, "siret;pers_effectif;question_x;pers_etp.cdi.etp\n35600000000048;3;1;1\n"))
    assert "ligne 1 : colonnes inconnues (aucune question de ce code) : « question_x », « pers_etp.cdi.etp »" in message


def test_sans_colonne_structure(reseau):
    _, _, _, tmp_path = reseau
    assert "il faut une colonne « siret » ou « structure_id »" in refus(fichier(tmp_path, "pers_effectif\n3\n"))


def test_reponse_validee_differente_refusee(reseau):
    cs, evs, _, tmp_path = reseau
    importer(fichier(tmp_path, bon_fichier(cs, evs)))
    autre = fichier(tmp_path, bon_fichier(cs, evs).replace(";30;17,5;", ";31;17,5;"), "autre.csv")
    avant = list(Reponse.objects.order_by("pk").values_list("valeurs", flat=True))
    with pytest.raises(CommandError, match="ligne 2 : la réponse de cette structure est déjà validée"):
        importer(autre)
    assert list(Reponse.objects.order_by("pk").values_list("valeurs", flat=True)) == avant


def test_questionnaire_inconnu(reseau):
    cs, evs, _, tmp_path = reseau
    with pytest.raises(CommandError, match="questionnaire socle inconnu : « senacs-socle:9 »"):
        call_command(
            "importer_campagne",
            str(fichier(tmp_path, bon_fichier(cs, evs))),
            annee=2015,
            departement="94",
            questionnaire="senacs-socle:9",
            stdout=StringIO(),
        )
    assert not Campagne.objects.exists()


def test_campagne_existante_brouillon_valide_par_import(reseau):
    cs, evs, _, tmp_path = reseau
    chemin = fichier(tmp_path, "structure_id;pers_effectif\n" + f"{cs.pk};12\n")
    importer(chemin)
    campagne = Campagne.objects.get()
    # The campaign expects every structure active at the end of the data year, answered or not.
    assert set(campagne.reponses.values_list("structure_id", "statut")) == {
        (cs.pk, Statut.VALIDEE),
        (evs.pk, Statut.BROUILLON),
    }
    importer(fichier(tmp_path, "structure_id;pers_effectif\n" + f"{evs.pk};2\n", "evs.csv"))
    reponse = campagne.reponses.get(structure=evs)
    assert reponse.statut == Statut.VALIDEE and reponse.valeurs == {"pers_effectif": 2}
    assert list(reponse.transitions.values_list("motif", flat=True)) == ["import : evs.csv"]


def test_classeur_bombe_refuse_vite_sans_trace(reseau):
    """293 Ko of XLSX holding one string of 100 Mo: refused at once, a French message, nothing written."""
    _, _, _, tmp_path = reseau
    chemin = tmp_path / "bombe.xlsx"
    chemin.write_bytes(bombes.xlsx_longue_chaine(["siret", "pers_effectif"], 100_000_000))
    debut = time.monotonic()
    message = refus(chemin)
    assert time.monotonic() - debut < 3
    assert "trop volumineux une fois décompressé" in message


def test_sans_colonne_d_identifiant_refuse_a_l_en_tete(reseau):
    _, _, _, tmp_path = reseau
    message = refus(fichier(tmp_path, "pers_effectif;pers_etp\n" + "1;2\n" * 30_000))
    assert "il faut une colonne « siret » ou « structure_id »" in message and "trop de lignes" not in message


def test_import_journalise_la_campagne_et_les_reponses_avec_son_chargement(reseau):
    from auditlog.models import LogEntry

    cs, evs, _, tmp_path = reseau
    chemin = fichier(tmp_path, bon_fichier(cs, evs))
    importer(chemin)
    chargement = Chargement.objects.get(commande="importer_campagne")
    entrees = LogEntry.objects.filter(additional_data__chargement=chargement.pk)
    campagne = Campagne.objects.get(departement_id="94", annee=2015)
    reponses = Reponse.objects.filter(campagne=campagne)
    assert entrees.filter(content_type__model="campagne", object_id=campagne.pk, action=0).count() == 1
    # Each answer: its draft created with the campaign, then validated by the file.
    for reponse in reponses:
        actions = sorted(
            entrees.filter(content_type__model="reponse", object_id=reponse.pk).values_list("action", flat=True)
        )
        assert actions == [LogEntry.Action.CREATE, LogEntry.Action.UPDATE]
    validee = entrees.get(content_type__model="reponse", object_id=reponses.get(structure=cs).pk, action=1)
    assert validee.changes_dict["statut"] == ["brouillon", "validee"]
    assert all(e.actor is None and e.additional_data["commande"] == "importer_campagne" for e in entrees)
    assert all(e.additional_data["auteur"] for e in entrees)
    assert LogEntry.objects.filter(additional_data__isnull=True, timestamp__gte=chargement.debut).count() == 0

    total = LogEntry.objects.count()
    importer(chemin)
    assert LogEntry.objects.count() == total


def test_import_refuse_n_ecrit_aucune_entree(reseau):
    from auditlog.models import LogEntry

    cs, evs, _, tmp_path = reseau
    total = LogEntry.objects.count()
    with pytest.raises(CommandError):
        importer(fichier(tmp_path, bon_fichier(cs, evs) + ";999999;3;;;;;;\n"))
    assert LogEntry.objects.count() == total
