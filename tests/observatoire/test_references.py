"""Published references: reading and validating the file (pure), the import (all or nothing, idempotent, journaled,
audited), the command, and who may import what."""

import io
from decimal import Decimal

import openpyxl
import pytest
from auditlog.models import LogEntry
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import call_command
from django.core.management.base import CommandError
from django.urls import reverse

from maillage.comptes.models import Role
from maillage.core.imports import ImportRefuse
from maillage.observatoire import references
from maillage.observatoire.models import ValeurReference
from maillage.observatoire.services_references import references_importer
from maillage.territoires.models import Chargement
from tests.comptes.factories import UtilisateurFactory
from tests.territoires.factories import DepartementFactory

ENTETE = "indicateur;annee;niveau;territoire;valeur;source;url\n"
BON = (
    ENTETE
    + "benevoles_moyenne;2016;national;;15;SENACS, fiche nationale 2016;https://www.senacs.fr\n"
    + "benevoles_moyenne;2016;regional;11;13,5;SENACS Île-de-France 2016;\n"
    + "part_caf;2015;departemental;94;28,4;Caf du Val-de-Marne, plaquette 2015;\n"
)


def connu(niveau, code):
    if niveau == references.REGIONAL and code != "11":
        return f"région inconnue : « {code} »."
    if niveau == references.DEPARTEMENTAL and code not in {"94", "2A"}:
        return f"département inconnu : « {code} »."
    return None


def lire(texte: str) -> references.Resultat:
    return references.lire(texte.encode("utf-8"), connu)


# --- Reading (pure) ------------------------------------------------------------------------------------------


def test_lecture_d_un_bon_fichier():
    lu = lire(BON)
    assert lu.erreurs == []
    assert [(ligne.indicateur, ligne.annee, ligne.niveau, ligne.territoire, ligne.valeur) for ligne in lu.lignes] == [
        ("benevoles_moyenne", 2016, "national", "", Decimal("15")),
        ("benevoles_moyenne", 2016, "regional", "11", Decimal("13.5")),
        ("part_caf", 2015, "departemental", "94", Decimal("28.4")),
    ]
    assert lu.lignes[0].url == "https://www.senacs.fr" and lu.lignes[1].url == ""


def test_lecture_d_un_classeur_xlsx():
    classeur = openpyxl.Workbook()
    feuille = classeur.active
    feuille.append(["Indicateur", "Année", "Niveau", "Territoire", "Valeur", "Source"])
    feuille.append(["salaries_etp_moyenne", 2016, "Départemental", "2A", 12.5, "Caf de Corse-du-Sud"])
    tampon = io.BytesIO()
    classeur.save(tampon)
    lu = references.lire(tampon.getvalue(), connu)
    assert lu.erreurs == [] and lu.format == "XLSX"
    assert lu.lignes[0].niveau == "departemental" and lu.lignes[0].territoire == "2A"
    assert lu.lignes[0].valeur == Decimal("12.5")


@pytest.mark.parametrize(
    ("ligne", "colonne", "morceau"),
    [
        ("benevoles_par_centre;2016;national;;15;S;", "indicateur", "indicateur inconnu « benevoles_par_centre »"),
        (";2016;national;;15;S;", "indicateur", "indicateur manquant"),
        ("benevoles_moyenne;16;national;;15;S;", "annee", "année « 16 » illisible"),
        ("benevoles_moyenne;2016;mondial;;15;S;", "niveau", "niveau « mondial » inconnu"),
        ("benevoles_moyenne;2016;national;94;15;S;", "territoire", "un chiffre national n'a pas de territoire"),
        ("benevoles_moyenne;2016;regional;;15;S;", "territoire", "code de la région manquant"),
        ("benevoles_moyenne;2016;regional;84;15;S;", "territoire", "région inconnue : « 84 »"),
        ("benevoles_moyenne;2016;departemental;75;15;S;", "territoire", "département inconnu : « 75 »"),
        ("benevoles_moyenne;2016;national;;quinze;S;", "valeur", "valeur « quinze » illisible"),
        ("part_caf;2016;national;;130;S;", "valeur", "un pourcentage s'écrit entre 0 et 100"),
        ("benevoles_moyenne;2016;national;;15;;", "source", "source manquante"),
        ("benevoles_moyenne;2016;national;;15;S;senacs.fr", "url", "adresse illisible"),
    ],
)
def test_chaque_mauvaise_ligne_dit_sa_ligne_sa_colonne_et_sa_raison(ligne, colonne, morceau):
    lu = lire(ENTETE + "benevoles_moyenne;2015;national;;14;S;\n" + ligne + "\n")
    assert lu.lignes == [references.LigneReference(2, "benevoles_moyenne", 2015, "national", "", Decimal("14"), "S")]
    assert len(lu.erreurs) == 1
    erreur = lu.erreurs[0]
    assert (erreur.ligne, erreur.colonne) == (3, colonne)
    assert morceau in erreur.raison


def test_indicateur_inconnu_donne_la_liste_des_codes_acceptes():
    raison = lire(ENTETE + "benevoles;2016;national;;15;S;\n").erreurs[0].raison
    assert "benevoles_moyenne" in raison and "part_caf" in raison and "salaries_etp_moyenne" in raison


def test_ligne_en_double_refusee():
    lu = lire(ENTETE + "part_caf;2016;national;;30;S;\npart_caf;2016;nationale;;31;Autre;\n")
    assert [(e.ligne, e.raison) for e in lu.erreurs] == [
        (3, "même indicateur, année, niveau et territoire que la ligne 2.")
    ]


def test_colonnes_manquantes_ou_inconnues():
    lu = lire("indicateur;annee;niveau;valeur;commentaire\npart_caf;2016;national;30;x\n")
    messages = " ".join(e.message for e in lu.erreurs)
    assert "colonnes manquantes : source" in messages
    assert "colonnes inconnues : « commentaire »" in messages
    assert lu.lignes == []


def test_fichier_vide_ou_sans_donnees():
    assert "vide" in references.lire(b"", connu).erreurs[0].raison
    assert "aucune ligne de données" in lire(ENTETE).erreurs[0].raison


def test_chaque_indicateur_de_reference_existe_dans_les_agregats():
    from maillage.observatoire import agregats

    for indicateur in references.INDICATEURS_REFERENCE:
        assert indicateur.agregat == "structures" or indicateur.agregat in agregats.LIBELLES, indicateur.code
        if indicateur.statistique == "part":
            assert indicateur.agregat in agregats.FINANCEURS and indicateur.unite == "pourcentage"


# --- Import ----------------------------------------------------------------------------------------------------


def importer(texte: str, **options) -> dict:
    return references_importer(contenu=texte.encode("utf-8"), nom_fichier="reperes.csv", **options)


def test_import_puis_reimport_ne_change_rien(territoire_94):
    resume = importer(BON, auteur="essai")
    assert (resume["creees"], resume["modifiees"], resume["inchangees"]) == (3, 0, 0)
    valeur = ValeurReference.objects.get(indicateur="part_caf")
    assert (valeur.valeur, valeur.unite, valeur.territoire, valeur.illustratif) == (
        Decimal("28.4"),
        "pourcentage",
        "94",
        False,
    )
    assert valeur.chargement.commande == "importer_references"
    assert LogEntry.objects.get_for_objects(ValeurReference.objects.all()).count() == 3
    avant = list(ValeurReference.objects.values_list("pk", "modifie_le"))
    resume = importer(BON)
    assert (resume["creees"], resume["modifiees"], resume["inchangees"]) == (0, 0, 3)
    assert list(ValeurReference.objects.values_list("pk", "modifie_le")) == avant
    assert LogEntry.objects.get_for_objects(ValeurReference.objects.all()).count() == 3
    assert Chargement.objects.filter(commande="importer_references", statut="reussi").count() == 2


def test_reimport_avec_une_valeur_corrigee_la_modifie(territoire_94):
    importer(BON)
    resume = importer(BON.replace(";15;", ";16;"), illustratif=True)
    assert (resume["creees"], resume["modifiees"], resume["inchangees"]) == (0, 3, 0)  # the flag changed too
    assert ValeurReference.objects.get(niveau="national").valeur == 16


def test_une_erreur_et_rien_n_est_ecrit(territoire_94):
    with pytest.raises(ImportRefuse) as refus:
        importer(BON + "part_caf;2016;regional;84;30;S;\n")
    assert refus.value.erreurs[0]["ligne"] == 5 and refus.value.erreurs[0]["champ"] == "territoire"
    assert not ValeurReference.objects.exists()
    assert refus.value.chargement.statut == Chargement.Statut.REFUSE


# --- Who may import ---------------------------------------------------------------------------------------------


def test_le_pilote_importe_les_chiffres_de_son_departement_seulement(territoire_94):
    pilote = UtilisateurFactory(role=Role.PILOTE, departements=[territoire_94.departement])
    DepartementFactory(code="2A", nom="Corse-du-Sud", region=territoire_94.region)
    resume = importer(ENTETE + "part_caf;2016;departemental;94;30;Caf 94;\n", par=pilote)
    assert resume["creees"] == 1
    assert ValeurReference.objects.get().importe_par == pilote
    for ligne, raison in [
        ("part_caf;2016;departemental;2A;30;S;", "vous n'importez que les chiffres de vos départements"),
        ("part_caf;2016;national;;30;S;", "importés par un administrateur"),
        ("part_caf;2016;regional;11;30;S;", "importés par un administrateur"),
    ]:
        with pytest.raises(ImportRefuse) as refus:
            importer(ENTETE + ligne + "\n", par=pilote)
        assert raison in refus.value.erreurs[0]["raison"]
    assert ValeurReference.objects.count() == 1


@pytest.mark.parametrize("role", [Role.CONSEILLER, Role.PARTENAIRE, Role.STRUCTURE])
def test_les_autres_roles_n_importent_rien(territoire_94, role):
    compte = UtilisateurFactory(role=role, departements=[territoire_94.departement])
    with pytest.raises(ImportRefuse):
        importer(ENTETE + "part_caf;2016;departemental;94;30;S;\n", par=compte)
    assert not ValeurReference.objects.exists()


def test_l_administrateur_importe_les_chiffres_nationaux(territoire_94):
    admin = UtilisateurFactory(role=Role.ADMIN)
    assert importer(BON, par=admin)["creees"] == 3


# --- Command ------------------------------------------------------------------------------------------------------


def test_commande(territoire_94, tmp_path):
    chemin = tmp_path / "reperes.csv"
    chemin.write_text(BON, encoding="utf-8")
    sortie = io.StringIO()
    call_command("importer_references", str(chemin), "--illustratif", stdout=sortie)
    assert "3 créée(s)" in sortie.getvalue() and "Lecture et vérification" in sortie.getvalue()
    assert ValeurReference.objects.filter(illustratif=True).count() == 3
    sortie = io.StringIO()
    call_command("importer_references", str(chemin), "--illustratif", stdout=sortie)
    assert "Aucun changement" in sortie.getvalue()
    chemin.write_text(ENTETE + "part_caf;2016;national;;;S;\n", encoding="utf-8")
    with pytest.raises(CommandError, match=r"ligne 2, colonne « valeur » : valeur manquante"):
        call_command("importer_references", str(chemin), stdout=io.StringIO())
    with pytest.raises(CommandError, match="Fichier illisible"):
        call_command("importer_references", str(tmp_path / "absent.csv"), stdout=io.StringIO())


# --- The page --------------------------------------------------------------------------------------------------


def deposer(client, texte: str, **donnees):
    fichier = SimpleUploadedFile("reperes.csv", texte.encode("utf-8"), content_type="text/csv")
    return client.post(reverse("observatoire:reperes"), {"fichier": fichier, **donnees})


@pytest.mark.parametrize("role", [Role.CONSEILLER, Role.PARTENAIRE, Role.STRUCTURE])
def test_page_refusee_aux_autres_roles(client, territoire_94, role):
    url = reverse("observatoire:reperes")
    assert client.get(url).status_code == 302  # to the login page
    client.force_login(UtilisateurFactory(role=role, departements=[territoire_94.departement]))
    assert client.get(url).status_code == 403
    assert deposer(client, BON).status_code == 403
    assert not ValeurReference.objects.exists()


def test_page_le_pilote_depose_les_chiffres_de_son_departement(client, territoire_94):
    client.force_login(UtilisateurFactory(role=Role.PILOTE, departements=[territoire_94.departement]))
    page = client.get(reverse("observatoire:reperes")).content.decode()
    assert "importés par un administrateur" in page and "benevoles_moyenne" in page
    reponse = deposer(client, ENTETE + "part_caf;2016;departemental;94;30;Caf 94;\n", illustratif="on")
    assert reponse.status_code == 302
    valeur = ValeurReference.objects.get()
    assert valeur.illustratif and valeur.territoire == "94"
    page = client.get(reverse("observatoire:reperes")).content.decode()
    assert "1 créée(s)" in page and "Part de la Caf dans les produits" in page and "30 %" in page.replace("\xa0", " ")
    # A national figure in the file: the whole file refused, each reason shown
    reponse = deposer(client, BON)
    assert reponse.status_code == 400
    page = reponse.content.decode()
    assert "Fichier refusé" in page and "importés par un administrateur" in page
    assert ValeurReference.objects.count() == 1


def test_page_fichier_manquant_ou_faux(client, territoire_94):
    client.force_login(UtilisateurFactory(role=Role.ADMIN))
    reponse = client.post(reverse("observatoire:reperes"), {})
    assert reponse.status_code == 400 and "Choisissez le fichier" in reponse.content.decode()
    reponse = deposer(client, ENTETE + "benevoles;2016;national;;15;S;\n")
    assert reponse.status_code == 400
    assert "indicateur inconnu « benevoles »" in reponse.content.decode().replace("&#x27;", "'")
    assert deposer(client, BON).status_code == 302
    assert ValeurReference.objects.count() == 3


def test_page_nombre_de_requetes_borne(client, territoire_94, django_assert_max_num_queries):
    importer(BON)
    client.force_login(UtilisateurFactory(role=Role.ADMIN))
    with django_assert_max_num_queries(6):
        assert client.get(reverse("observatoire:reperes")).status_code == 200
